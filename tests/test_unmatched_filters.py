"""A filter that matches nothing says which values have data in the range (one grouped request), with did-you-mean
for dated model names; nothing extra is asked when data came back or no filter was given."""

from __future__ import annotations

from typing import Any

import httpx
from pytest_httpx import HTTPXMock

from codex_mcp.tools.core.unmatched import closest
from tests.builders import DAY, NOV_1, bucket, completions, pairs, usage_page
from tests.conftest import call_tool, make_settings, result_text


class ByQuery:
    """Answers the data request (filtered) with nothing, and the grouped diagnostic request with `rows`."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __call__(self, request: httpx.Request) -> httpx.Response:
        filtered = any(name in request.url.params for name in ("models", "project_ids", "user_ids", "api_key_ids"))
        return httpx.Response(200, json=usage_page([bucket(NOV_1, [] if filtered else self.rows)]))


async def call(arguments: dict[str, Any]) -> dict[str, Any]:
    result = await call_tool(make_settings(), "codex_get_completions_usage", arguments)
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    return result.structured_content


async def test_no_match_lists_the_values_in_range_and_suggests_the_dated_name(httpx_mock: HTTPXMock) -> None:
    rows = [
        completions(model="gpt-4o-2024-08-06", num_model_requests=3),
        completions(model="gpt-4o-mini-2024-07-18", num_model_requests=2),
        completions(model="o3-mini-2025-01-31", num_model_requests=1),
    ]
    httpx_mock.add_callback(ByQuery(rows), is_reusable=True)

    out = await call(
        {"start_time": NOV_1, "end_time": NOV_1 + DAY, "models": ["gpt-4o", "o3-mini"], "project_ids": ["proj_a"]}
    )

    data, diagnostic = httpx_mock.get_requests()
    assert ("models", "gpt-4o") in pairs(data)
    assert pairs(diagnostic) == [
        ("start_time", str(NOV_1)),
        ("end_time", str(NOV_1 + DAY)),
        ("bucket_width", "1d"),
        ("group_by", "project_id"),
        ("group_by", "model"),
        ("limit", "31"),
    ]
    assert out["totals"] == {}  # nothing matched (counters absent from totals are zero)
    [note] = [n for n in out["notes"] if n.startswith("No data matched")]
    assert note == (
        "No data matched project_ids=['proj_a'], models=['gpt-4o', 'o3-mini']. project_ids: nothing has data in this "
        "range at all. models with data in this range: gpt-4o-2024-08-06, gpt-4o-mini-2024-07-18, "
        "o3-mini-2025-01-31. Did you mean 'gpt-4o-2024-08-06' for 'gpt-4o'? Did you mean 'o3-mini-2025-01-31' for "
        "'o3-mini'?"
    )


async def test_values_that_exist_apart_but_not_together_say_so(httpx_mock: HTTPXMock) -> None:
    rows = [completions(model="o3-mini-2025-01-31", user_id="user-1", num_model_requests=1)]
    httpx_mock.add_callback(ByQuery(rows), is_reusable=True)

    out = await call(
        {"start_time": NOV_1, "end_time": NOV_1 + DAY, "models": "o3-mini-2025-01-31", "user_ids": "user-1"}
    )

    assert any("together, although each value has data in this range on its own" in n for n in out["notes"])


async def test_nothing_more_is_asked_when_data_came_back_or_nothing_was_filtered(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, [completions(model="m", num_model_requests=1)])]))
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, [])]))

    await call({"start_time": NOV_1, "end_time": NOV_1 + DAY, "models": ["m"]})
    out = await call({"start_time": NOV_1, "end_time": NOV_1 + DAY})

    assert len(httpx_mock.get_requests()) == 2
    assert not any("No data matched" in note for note in out.get("notes", []))


def test_closest_prefers_the_shortest_name_that_starts_with_it() -> None:
    existing = ["gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-4o-mini-2024-07-18", "o3-mini-2025-01-31"]
    assert closest("gpt-4o", existing) == "gpt-4o-2024-08-06"
    assert closest("gpt-4o-mini", existing) == "gpt-4o-mini-2024-07-18"
    assert closest("o3-mni-2025-01-31", existing) == "o3-mini-2025-01-31"
    assert closest("claude", existing) is None
