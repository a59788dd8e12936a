"""Usage and cost tools: the exact requests they send, paging to the end, totals, time parsing and refusals."""

from __future__ import annotations

import json
import types
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.builders import (
    DATA_URL,
    DAY,
    NOV_1,
    OCT_1,
    PROJECTS_URL,
    TOKENS,
    add_projects,
    add_users,
    assert_get,
    assert_projects_lookup,
    bucket,
    completions,
    cost,
    pairs,
    usage_page,
)
from tests.conftest import (
    TEST_KEY,
    assert_refused,
    call_tool,
    find_nulls,
    make_settings,
    result_text,
)


async def call(name: str, arguments: dict[str, Any], **overrides: Any) -> Any:
    result = await call_tool(make_settings(**overrides), name, arguments)
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    return result.structured_content


# ---- completions ---------------------------------------------------------------------------------------------------


async def test_completions_sends_every_filter_and_reads_the_spec_example(httpx_mock: HTTPXMock) -> None:
    example_row = completions(
        input_tokens=1000,
        input_cached_tokens=400,
        input_cache_write_tokens=100,
        input_uncached_tokens=500,
        output_tokens=500,
        input_audio_tokens=50,
        output_audio_tokens=50,
        num_model_requests=5,
    )
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, [example_row])]))

    out = await call(
        "codex_get_completions_usage",
        {
            "start_time": NOV_1,
            "end_time": NOV_1 + DAY,
            "project_ids": ["proj_a", "proj_b"],
            "user_ids": "user-1",
            "api_key_ids": ["key_1"],
            "models": ["gpt-4o-2024-08-06", "o3"],
            "batch": False,
        },
    )

    [request] = httpx_mock.get_requests()
    assert_get(request, "/organization/usage/completions")
    assert pairs(request) == [
        ("start_time", str(NOV_1)),
        ("end_time", str(NOV_1 + DAY)),
        ("bucket_width", "1d"),
        ("project_ids", "proj_a"),
        ("project_ids", "proj_b"),
        ("user_ids", "user-1"),
        ("api_key_ids", "key_1"),
        ("models", "gpt-4o-2024-08-06"),
        ("models", "o3"),
        ("batch", "false"),
        ("limit", "31"),
    ]
    assert out["source"] == "/organization/usage/completions"
    assert (out["start_time_iso"], out["end_time_iso"]) == ("2024-11-01T00:00:00Z", "2024-11-02T00:00:00Z")
    assert (out["pages_fetched"], out["bucket_count"]) == (1, 1)
    assert "complete" not in out
    assert "demo_data" not in out  # only the demo organization's results are marked
    assert out["filters"] == {
        "project_ids": ["proj_a", "proj_b"],
        "user_ids": ["user-1"],
        "api_key_ids": ["key_1"],
        "models": ["gpt-4o-2024-08-06", "o3"],
        "batch": False,
    }
    assert out["totals"] == {
        "input_tokens": 1000,
        "input_cached_tokens": 400,
        "input_cache_write_tokens": 100,
        "input_uncached_tokens": 500,
        "output_tokens": 500,
        "input_audio_tokens": 50,
        "output_audio_tokens": 50,
        "num_model_requests": 5,
    }
    # One row per bucket under columns given once: the start (an ISO date for days), then each counter, main first.
    assert out["buckets"] == {
        "columns": [
            "start",
            "num_model_requests",
            "input_tokens",
            "output_tokens",
            "input_audio_tokens",
            "input_cache_write_tokens",
            "input_cached_tokens",
            "input_uncached_tokens",
            "output_audio_tokens",
        ],
        "rows": [["2024-11-01", 5, 1000, 500, 50, 100, 400, 500, 50]],
        "width": "1d",
    }
    assert "group_rows" not in out  # per-group rows only with include_group_rows=true
    assert "groups" not in out
    assert "condensed" not in out
    assert "notes" not in out  # start_time was already on a day boundary
    assert find_nulls(out) == []


async def test_completions_90_days_in_three_concurrent_windows_merged_in_order(httpx_mock: HTTPXMock) -> None:
    """90 daily buckets: three windows of at most 31 (31 + 31 + 28), each asking for its own start and end, merged
    in time order whatever order the answers come in."""

    def day(i: int) -> dict[str, Any]:
        return bucket(
            OCT_1 + i * DAY,
            [
                completions(model="gpt-4o", num_model_requests=i + 1, input_tokens=10 * (i + 1), output_tokens=1),
                completions(model="gpt-4o-mini", num_model_requests=2, input_tokens=5, output_tokens=3),
            ],
        )

    def answer(request: httpx.Request) -> httpx.Response:
        query = dict(pairs(request))
        first, last = (int(query[name]) for name in ("start_time", "end_time"))
        return httpx.Response(200, json=usage_page([day((t - OCT_1) // DAY) for t in range(first, last, DAY)]))

    httpx_mock.add_callback(answer, url=DATA_URL, is_reusable=True)

    out = await call(
        "codex_get_completions_usage",
        {"start_time": "2024-10-01", "end_time": "2024-12-30", "group_by": ["model", "model"]},
    )

    requests = httpx_mock.get_requests(url=DATA_URL)
    windows = [(OCT_1, OCT_1 + 31 * DAY), (OCT_1 + 31 * DAY, OCT_1 + 62 * DAY), (OCT_1 + 62 * DAY, OCT_1 + 90 * DAY)]
    assert sorted(pairs(r)[:2] for r in requests) == [
        [("start_time", str(start)), ("end_time", str(end))] for start, end in windows
    ]
    assert all(pairs(r)[2:] == [("bucket_width", "1d"), ("group_by", "model"), ("limit", "31")] for r in requests)

    assert (out["pages_fetched"], out["bucket_count"], len(out["buckets"]["rows"])) == (3, 90, 90)
    assert out["buckets"]["columns"] == ["start", "num_model_requests", "input_tokens", "output_tokens"]
    assert out["buckets"]["rows"][0] == ["2024-10-01", 3, 15, 4]
    assert out["buckets"]["rows"][-1] == ["2024-12-29", 92, 905, 4]
    assert [row[0] for row in out["buckets"]["rows"]] == [
        datetime.fromtimestamp(OCT_1 + i * DAY, UTC).date().isoformat() for i in range(90)
    ]
    # gpt-4o: 1 + 2 + ... + 90 = 4095 requests, 40950 input tokens; gpt-4o-mini: 2 per day.
    assert out["totals"] == {"num_model_requests": 4095 + 180, "input_tokens": 40950 + 450, "output_tokens": 360}
    assert out["group_by"] == ["model"]
    assert out["groups"] == {
        "columns": ["model", "num_model_requests", "input_tokens", "output_tokens"],
        "rows": [["gpt-4o", 4095, 40950, 90], ["gpt-4o-mini", 180, 450, 270]],
    }


@pytest.mark.parametrize(("width", "seconds", "limit"), [("1d", DAY, "31"), ("1h", 3600, "168"), ("1m", 60, "1440")])
async def test_page_limit_follows_bucket_width(httpx_mock: HTTPXMock, width: str, seconds: int, limit: str) -> None:
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, [completions(num_model_requests=1)], seconds)]))

    out = await call(
        "codex_get_completions_usage", {"start_time": NOV_1, "end_time": NOV_1 + 3600, "bucket_width": width}
    )

    [request] = httpx_mock.get_requests()
    assert ("bucket_width", width) in pairs(request)
    assert pairs(request)[-1] == ("limit", limit)
    assert out["bucket_width"] == width
    assert out["buckets"]["width"] == width  # each row covers [start, start + width)
    assert out["buckets"]["rows"][0][0] == ("2024-11-01" if width == "1d" else "2024-11-01T00:00Z")


async def test_grouped_completions_totals_per_group_largest_first(httpx_mock: HTTPXMock) -> None:
    rows = [
        completions(project_id="proj_a", user_id="user-1", num_model_requests=3, input_tokens=30, batch=False),
        completions(project_id="proj_b", user_id="user-1", num_model_requests=9, input_tokens=90, batch=True),
    ]
    httpx_mock.add_response(url=DATA_URL, json=usage_page([bucket(NOV_1, rows), bucket(NOV_1 + DAY, rows[:1])]))
    add_projects(httpx_mock, {"proj_b": "Billing"})
    add_users(httpx_mock, {"user-1": "ada@example.com"})

    out = await call(
        "codex_get_completions_usage",
        {
            "start_time": NOV_1,
            "end_time": NOV_1 + 2 * DAY,
            "group_by": ["project_id", "user_id", "batch"],
            "include_group_rows": True,
        },
    )

    [request] = httpx_mock.get_requests(url=DATA_URL)
    assert_projects_lookup(httpx_mock)
    assert [v for k, v in pairs(request) if k == "group_by"] == ["project_id", "user_id", "batch"]
    assert out["totals"] == {"num_model_requests": 15, "input_tokens": 150}
    # proj_a has no name (the lookup did not list it): its project_name cell is null.
    assert out["groups"] == {
        "columns": [
            "project_id", "user_id", "batch", "project_name", "user_email", "num_model_requests", "input_tokens",
        ],
        "rows": [
            ["proj_b", "user-1", True, "Billing", "ada@example.com", 9, 90],
            ["proj_a", "user-1", False, None, "ada@example.com", 6, 60],
        ],
    }  # fmt: skip
    assert out["buckets"]["rows"] == [["2024-11-01", 12, 120], ["2024-11-02", 3, 30]]
    assert out["group_rows"] == {
        "columns": ["start", "project_id", "user_id", "batch", "num_model_requests", "input_tokens"],
        "rows": [
            ["2024-11-01", "proj_b", "user-1", True, 9, 90],
            ["2024-11-01", "proj_a", "user-1", False, 3, 30],
            ["2024-11-02", "proj_a", "user-1", False, 3, 30],
        ],
        "width": "1d",
    }


async def test_service_account_usage_is_its_own_group(httpx_mock: HTTPXMock) -> None:
    """Rows made with service-account keys have no user_id; they are totalled apart from every user."""
    rows = [
        completions(user_id="user-1", num_model_requests=2),
        completions(user_id=None, num_model_requests=5),
        completions(user_id="user-2", num_model_requests=1),
    ]
    httpx_mock.add_response(url=DATA_URL, json=usage_page([bucket(NOV_1, rows), bucket(NOV_1 + DAY, rows[1:2])]))
    add_users(httpx_mock, {"user-1": "ada@example.com", "user-2": "alan@example.com"})

    out = await call(
        "codex_get_completions_usage",
        {"start_time": NOV_1, "end_time": NOV_1 + 2 * DAY, "group_by": "user_id", "include_group_rows": True},
    )

    [request] = httpx_mock.get_requests(url=DATA_URL)
    assert [v for k, v in pairs(request) if k == "group_by"] == ["user_id"]  # one field as a plain string
    assert out["group_by"] == ["user_id"]
    # null: not attributed to a user (service-account keys); a group of its own, never merged into a user's.
    assert out["groups"]["columns"] == ["user_id", "user_email", "num_model_requests"]
    assert out["groups"]["rows"] == [
        [None, None, 10],
        ["user-1", "ada@example.com", 2],
        ["user-2", "alan@example.com", 1],
    ]
    assert out["totals"] == {"num_model_requests": 13}
    assert out["group_rows"]["rows"] == [
        ["2024-11-01", None, 5],
        ["2024-11-01", "user-1", 2],
        ["2024-11-01", "user-2", 1],
        ["2024-11-02", None, 5],
    ]
    assert out["buckets"]["rows"] == [["2024-11-01", 8], ["2024-11-02", 5]]


async def test_counters_zero_over_the_whole_range_are_left_out_except_the_main_ones(httpx_mock: HTTPXMock) -> None:
    """Audio token counters that are 0 everywhere are noise; output_tokens stays (a main counter), even at 0."""
    counters = dict.fromkeys(("output_tokens", "input_cached_tokens", "input_audio_tokens", "output_audio_tokens"), 0)
    first_day = [
        completions(model="gpt-4o", **{**counters, "input_tokens": 100, "num_model_requests": 2}),
        completions(model="o3", **{**counters, "input_tokens": 0, "input_cached_tokens": 40, "num_model_requests": 1}),
    ]
    second_day = [completions(model="gpt-4o", **{**counters, "input_tokens": 0, "num_model_requests": 0})]
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, first_day), bucket(NOV_1 + DAY, second_day)]))

    out = await call(
        "codex_get_completions_usage",
        {"start_time": NOV_1, "end_time": NOV_1 + 2 * DAY, "group_by": ["model"], "include_group_rows": True},
    )

    kept = {"input_tokens": 100, "output_tokens": 0, "input_cached_tokens": 40, "num_model_requests": 3}
    assert out["totals"] == kept
    columns = ["num_model_requests", "input_tokens", "output_tokens", "input_cached_tokens"]
    assert out["buckets"] == {
        "columns": ["start", *columns],
        "rows": [["2024-11-01", 3, 100, 0, 40], ["2024-11-02", 0, 0, 0, 0]],
        "width": "1d",
    }
    assert out["groups"] == {"columns": ["model", *columns], "rows": [["gpt-4o", 2, 100, 0, 0], ["o3", 1, 0, 0, 40]]}
    assert out["group_rows"]["columns"] == ["start", "model", *columns]
    assert out["group_rows"]["rows"] == [
        ["2024-11-01", "gpt-4o", 2, 100, 0, 0],
        ["2024-11-01", "o3", 1, 0, 0, 40],
        ["2024-11-02", "gpt-4o", 0, 0, 0, 0],
    ]


# ---- embeddings and code interpreter -------------------------------------------------------------------------------


async def test_embeddings_request_and_spec_example(httpx_mock: HTTPXMock) -> None:
    row = {
        "object": "organization.usage.embeddings.result",
        "input_tokens": 16,
        "num_model_requests": 2,
        "project_id": None,
        "user_id": None,
        "api_key_id": None,
        "model": "text-embedding-3-small",
    }
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, [row])]))

    out = await call(
        "codex_get_embeddings_usage",
        {"start_time": NOV_1, "end_time": NOV_1 + DAY, "models": ["text-embedding-3-small"], "group_by": ["model"]},
    )

    [request] = httpx_mock.get_requests()
    assert_get(request, "/organization/usage/embeddings")
    assert pairs(request) == [
        ("start_time", str(NOV_1)),
        ("end_time", str(NOV_1 + DAY)),
        ("bucket_width", "1d"),
        ("models", "text-embedding-3-small"),
        ("group_by", "model"),
        ("limit", "31"),
    ]
    assert out["source"] == "/organization/usage/embeddings"
    assert out["totals"] == {"num_model_requests": 2, "input_tokens": 16}
    assert out["groups"] == {
        "columns": ["model", "num_model_requests", "input_tokens"],
        "rows": [["text-embedding-3-small", 2, 16]],
    }
    assert out["buckets"]["rows"] == [["2024-11-01", 2, 16]]
    assert "group_rows" not in out
    assert find_nulls(out) == []


async def test_code_interpreter_request_and_spec_example(httpx_mock: HTTPXMock) -> None:
    def sessions(n: int, project: str) -> dict[str, Any]:
        return {
            "object": "organization.usage.code_interpreter_sessions.result",
            "num_sessions": n,
            "project_id": project,
        }

    add_projects(httpx_mock, {"proj_abc": "Alpha", "proj_def": "Delta"})
    httpx_mock.add_response(
        url=DATA_URL,
        json=usage_page(
            [
                bucket(NOV_1, [sessions(1, "proj_abc"), sessions(4, "proj_def")], 3600),
                bucket(NOV_1 + 3600, [sessions(2, "proj_abc")], 3600),
                bucket(NOV_1 + 7200, [], 3600),
            ]
        ),
    )

    out = await call(
        "codex_get_code_interpreter_usage",
        {
            "start_time": "2024-11-01T00:00:00Z",
            "end_time": "2024-11-01T03:00:00Z",
            "bucket_width": "1h",
            "project_ids": ["proj_abc", "proj_def", "proj_abc"],
            "group_by": ["project_id"],
        },
    )

    [request] = httpx_mock.get_requests(url=DATA_URL)
    assert_projects_lookup(httpx_mock)
    assert_get(request, "/organization/usage/code_interpreter_sessions")
    assert pairs(request) == [
        ("start_time", str(NOV_1)),
        ("end_time", str(NOV_1 + 3 * 3600)),
        ("bucket_width", "1h"),
        ("project_ids", "proj_abc"),
        ("project_ids", "proj_def"),
        ("group_by", "project_id"),
        ("limit", "168"),
    ]
    assert out["units"] == "code interpreter sessions"
    assert out["totals"] == {"num_sessions": 7}
    assert out["groups"] == {
        "columns": ["project_id", "project_name", "num_sessions"],
        "rows": [["proj_def", "Delta", 4], ["proj_abc", "Alpha", 3]],
    }
    # Hourly rows start at an ISO-8601 UTC minute; an empty bucket is a row of zeros, not left out.
    assert out["buckets"] == {
        "columns": ["start", "num_sessions"],
        "rows": [["2024-11-01T00:00Z", 5], ["2024-11-01T01:00Z", 2], ["2024-11-01T02:00Z", 0]],
        "width": "1h",
    }
    assert "group_rows" not in out


# ---- costs ---------------------------------------------------------------------------------------------------------


async def test_costs_spec_example_ungrouped(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, [cost(0.06)])]))

    out = await call("codex_get_cost_breakdown", {"start_time": NOV_1, "end_time": NOV_1 + DAY})

    [request] = httpx_mock.get_requests()
    assert_get(request, "/organization/costs")
    assert pairs(request) == [
        ("start_time", str(NOV_1)),
        ("end_time", str(NOV_1 + DAY)),
        ("bucket_width", "1d"),
        ("limit", "180"),
    ]
    assert out["source"] == "/organization/costs"
    assert out["units"] == "US dollars (amount_usd)"
    assert out["totals"] == {"amount_usd": 0.06}
    assert out["buckets"] == {"columns": ["start", "amount_usd"], "rows": [["2024-11-01", 0.06]], "width": "1d"}
    assert find_nulls(out) == []


async def test_costs_three_pages_summed_exactly_per_project(httpx_mock: HTTPXMock) -> None:
    """0.1 + 0.2 a day for 90 days is exactly 27.0 (a float running sum would give 26.999999999999996)."""

    def day(i: int) -> dict[str, Any]:
        return bucket(OCT_1 + i * DAY, [cost(0.1, project_id="proj_a"), cost(0.2, project_id="proj_b")])

    httpx_mock.add_response(url=DATA_URL, json=usage_page([day(i) for i in range(30)], TOKENS[0]))
    httpx_mock.add_response(url=DATA_URL, json=usage_page([day(i) for i in range(30, 60)], TOKENS[1]))
    httpx_mock.add_response(url=DATA_URL, json=usage_page([day(i) for i in range(60, 90)]))
    add_projects(httpx_mock, {"proj_a": "Assistant", "proj_b": "Batch jobs"})

    out = await call(
        "codex_get_cost_breakdown",
        {
            "start_time": OCT_1,
            "end_time": OCT_1 + 90 * DAY,
            "project_ids": ["proj_a", "proj_b"],
            "api_key_ids": ["key_x"],
            "group_by": ["project_id"],
        },
    )

    first, second, third = httpx_mock.get_requests(url=DATA_URL)
    assert_projects_lookup(httpx_mock)
    span = [
        ("start_time", str(OCT_1)),
        ("end_time", str(OCT_1 + 90 * DAY)),
        ("bucket_width", "1d"),
        ("project_ids", "proj_a"),
        ("project_ids", "proj_b"),
        ("api_key_ids", "key_x"),
        ("group_by", "project_id"),
        ("limit", "180"),
    ]
    assert [pairs(r) for r in (first, second, third)] == [
        span,
        [*span, ("page", TOKENS[0])],
        [*span, ("page", TOKENS[1])],
    ]
    assert b"page=page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=" in second.url.query
    assert b"%3D" not in second.url.query + third.url.query
    assert (out["pages_fetched"], out["bucket_count"]) == (3, 90)
    assert out["totals"] == {"amount_usd": 27.0}
    assert out["groups"] == {
        "columns": ["project_id", "project_name", "amount_usd"],
        "rows": [["proj_b", "Batch jobs", 18.0], ["proj_a", "Assistant", 9.0]],
    }
    assert {row[1] for row in out["buckets"]["rows"]} == {0.3}  # 0.1 + 0.2, exactly, every day


async def test_costs_by_line_item_sum_quantity_only_within_a_line_item(httpx_mock: HTTPXMock) -> None:
    def item(value: float, line_item: str, quantity: float) -> dict[str, Any]:
        return cost(value, line_item=line_item, quantity=quantity, quantity_unit="tokens")

    httpx_mock.add_response(
        json=usage_page(
            [
                bucket(NOV_1, [item(0.7, "gpt-4o, input", 1000.0), item(0.1, "gpt-4o, output", 25.5)]),
                bucket(NOV_1 + DAY, [item(0.2, "gpt-4o, input", 500.0)]),
            ]
        )
    )

    out = await call(
        "codex_get_cost_breakdown",
        {"start_time": NOV_1, "end_time": NOV_1 + 2 * DAY, "group_by": ["line_item"], "include_group_rows": True},
    )

    assert out["totals"] == {"amount_usd": 1.0}
    assert out["groups"] == {
        "columns": ["line_item", "amount_usd", "quantity"],
        "rows": [["gpt-4o, input", 0.9, 1500.0], ["gpt-4o, output", 0.1, 25.5]],
    }
    assert out["group_rows"]["columns"] == ["start", "line_item", "amount_usd", "quantity"]
    assert out["group_rows"]["rows"] == [
        ["2024-11-01", "gpt-4o, input", 0.7, 1000.0],
        ["2024-11-01", "gpt-4o, output", 0.1, 25.5],
        ["2024-11-02", "gpt-4o, input", 0.2, 500.0],
    ]
    # A bucket's totals mix line items, so they hold no quantity (its unit differs between line items).
    assert out["buckets"]["rows"] == [["2024-11-01", 0.8], ["2024-11-02", 0.2]]


@pytest.mark.parametrize("width", ["1h", "1w"])
async def test_costs_refuse_sub_daily_buckets_without_a_request(httpx_mock: HTTPXMock, width: str) -> None:
    result = await call_tool(
        make_settings(),
        "codex_get_cost_breakdown",
        {"start_time": NOV_1, "end_time": NOV_1 + DAY, "bucket_width": width},
    )

    assert result.is_error
    text = result_text(result)
    assert f"bucket_width '{width}' is not available for costs" in text
    assert "daily buckets" in text
    assert "use '1d'" in text
    assert httpx_mock.get_requests() == []


# ---- time arguments ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (NOV_1, NOV_1 + 7 * DAY, (NOV_1, NOV_1 + 7 * DAY)),
        (str(NOV_1), str(NOV_1 + DAY), (NOV_1, NOV_1 + DAY)),
        ("2024-11-01", "2024-11-08", (NOV_1, NOV_1 + 7 * DAY)),
        ("2024-11-01T02:00:00+02:00", "2024-11-01T12:30:00Z", (NOV_1, NOV_1 + 12 * 3600 + 1800)),
    ],
)
async def test_time_arguments_become_unix_seconds(
    httpx_mock: HTTPXMock, start: int | str, end: int | str, expected: tuple[int, int]
) -> None:
    httpx_mock.add_response(json=usage_page([]))

    out = await call("codex_get_embeddings_usage", {"start_time": start, "end_time": end})

    [request] = httpx_mock.get_requests()
    assert pairs(request)[:2] == [("start_time", str(expected[0])), ("end_time", str(expected[1]))]
    assert (out["start_time"], out["end_time"]) == expected


@pytest.mark.parametrize(
    ("width", "start", "aligned", "end"),
    [
        ("1d", "2024-11-01T05:00:07Z", "2024-11-01T00:00:00Z", NOV_1 + 2 * DAY),
        ("1h", "2024-11-01T01:59:59Z", "2024-11-01T01:00:00Z", NOV_1 + 4 * 3600),
        ("1m", "2024-11-01T00:01:30Z", "2024-11-01T00:01:00Z", NOV_1 + 600),
    ],
)
async def test_start_time_is_aligned_down_to_its_bucket_with_a_note(
    httpx_mock: HTTPXMock, width: str, start: str, aligned: str, end: int
) -> None:
    httpx_mock.add_response(json=usage_page([]))

    out = await call("codex_get_completions_usage", {"start_time": start, "end_time": end, "bucket_width": width})

    aligned_s = int(datetime.fromisoformat(aligned).timestamp())
    [request] = httpx_mock.get_requests()
    assert pairs(request)[:3] == [("start_time", str(aligned_s)), ("end_time", str(end)), ("bucket_width", width)]
    assert (out["start_time"], out["start_time_iso"], out["end_time"]) == (aligned_s, aligned, end)
    assert out["notes"] == [
        f"start_time {start} was aligned down to the start of its {width} bucket, {aligned}: buckets are whole UTC "
        "days/hours/minutes, so the first bucket covers all of it."
    ]


async def test_last_month_covers_the_whole_previous_month(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2024, 12, 15, 12, 0, tzinfo=UTC).timestamp()
    monkeypatch.setattr("codex_mcp.timeparse.time", types.SimpleNamespace(time=lambda: now))
    httpx_mock.add_response(url=DATA_URL, json=usage_page([bucket(NOV_1 + i * DAY, [cost(1.25)]) for i in range(30)]))
    add_projects(httpx_mock, {})

    out = await call("codex_get_cost_breakdown", {"start_time": "last month", "group_by": ["project_id"]})

    [request] = httpx_mock.get_requests(url=DATA_URL)
    dec_1 = int(datetime(2024, 12, 1, tzinfo=UTC).timestamp())
    assert pairs(request)[:2] == [("start_time", str(NOV_1)), ("end_time", str(dec_1))]
    assert (out["start_time_iso"], out["end_time_iso"]) == ("2024-11-01T00:00:00Z", "2024-12-01T00:00:00Z")
    assert out["totals"] == {"amount_usd": 37.5}


@pytest.mark.parametrize(
    ("arguments", "field", "fragments"),
    [
        pytest.param(
            {"start_time": NOV_1 * 1000},
            "start_time",
            ["1730419200000 looks like milliseconds", "pass Unix seconds (1730419200)"],
            id="milliseconds",
        ),
        pytest.param(
            {"start_time": NOV_1, "end_time": NOV_1},
            "start_time",
            ["(2024-11-01T00:00:00Z) must be before end_time (2024-11-01T00:00:00Z)", "end_time is exclusive"],
            id="empty-range",
        ),
        pytest.param(
            {"start_time": "2019-06-01", "end_time": "2019-07-01"},
            "start_time",
            ["(2019-06-01T00:00:00Z) is before 2020-01-01", "no data that old"],
            id="before-2020",
        ),
        pytest.param(
            {"start_time": OCT_1 - 366 * DAY, "end_time": OCT_1 + 1, "bucket_width": "1h"},
            "start_time to end_time",
            ["is longer than 366 days", "at bucket_width '1h'", "Use a wider bucket_width or a shorter range"],
            id="too-many-hours",
        ),
        pytest.param(
            {"start_time": NOV_1, "end_time": NOV_1 + 7 * DAY + 60, "bucket_width": "1m"},
            "start_time to end_time",
            ["is longer than 7 days", "at bucket_width '1m'", "Use a wider bucket_width or a shorter range"],
            id="too-many-minutes",
        ),
        pytest.param(
            {"start_time": NOV_1, "group_by": ["line_item"]},
            "group_by.0",
            [
                "Input should be 'project_id', 'user_id', 'api_key_id', 'model', 'batch' or 'service_tier'",
                "'line_item'",
            ],
            id="group-by-of-costs",
        ),
        pytest.param(
            {"start_time": NOV_1, "project_ids": ["proj a"]},
            "project_ids.0",
            ["'proj a' is not an OpenAI id", "List the objects to find the right id"],
            id="project-id-with-space",
        ),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    httpx_mock: HTTPXMock, arguments: dict[str, Any], field: str, fragments: list[str]
) -> None:
    result = await call_tool(make_settings(), "codex_get_completions_usage", arguments)

    assert_refused(result, "codex_get_completions_usage", field, *fragments)
    assert httpx_mock.get_requests() == []


async def test_demo_reports_are_marked_demo_data_by_the_server() -> None:
    result = await call_tool(make_settings(demo=True), "codex_get_cost_breakdown", {"start_time": "7d"})

    assert not result.is_error, result_text(result)
    out = result.structured_content
    assert out is not None
    assert out["demo_data"] is True
    assert out["source"] == "/organization/costs"
    assert json.loads(result_text(result))["demo_data"] is True  # the text block says so too


# ---- failures ------------------------------------------------------------------------------------------------------


async def test_no_key_is_a_tool_error_and_sends_nothing(httpx_mock: HTTPXMock) -> None:
    result = await call_tool(
        make_settings(admin_key=None), "codex_get_cost_breakdown", {"start_time": NOV_1, "end_time": NOV_1 + DAY}
    )

    assert result.is_error
    assert "OPENAI_ADMIN_KEY is not set" in result_text(result)
    assert "Admin key" in result_text(result)
    assert httpx_mock.get_requests() == []


async def test_failure_on_a_later_page_returns_nothing_partial(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=usage_page([bucket(OCT_1 + i * DAY, [cost(1.0)]) for i in range(30)], TOKENS[0]))
    httpx_mock.add_response(
        status_code=400,
        json={"error": {"message": "Invalid page cursor.", "type": "invalid_request_error", "param": "page"}},
        headers={"x-request-id": "req_page2"},
    )

    result = await call_tool(
        make_settings(), "codex_get_cost_breakdown", {"start_time": OCT_1, "end_time": OCT_1 + 60 * DAY}
    )

    assert result.is_error
    text = result_text(result)
    assert "Invalid page cursor." in text
    assert ".." not in text
    assert "req_page2" in text
    assert "on page 2; the page before it was discarded" in text
    assert TEST_KEY not in text
    assert len(httpx_mock.get_requests()) == 2


async def test_usage_500_is_retried_then_reported(httpx_mock: HTTPXMock) -> None:
    error = {"error": {"message": "The server had an error.", "type": "server_error"}}
    httpx_mock.add_response(status_code=500, json=error, headers={"x-request-id": "req_a"})
    httpx_mock.add_response(status_code=500, json=error, headers={"x-request-id": "req_b"})

    result = await call_tool(
        make_settings(max_retries=1), "codex_get_embeddings_usage", {"start_time": NOV_1, "end_time": NOV_1 + DAY}
    )

    assert result.is_error
    text = result_text(result)
    assert "OpenAI API error 500" in text
    assert "The server had an error." in text
    assert "req_b" in text
    assert "Gave up after 2 attempts" in text
    assert "status.openai.com" in text
    assert len(httpx_mock.get_requests()) == 2


async def test_project_names_missing_when_lookup_fails_but_data_is_complete(httpx_mock: HTTPXMock) -> None:
    """The name lookup is optional: its failure is a note, never a failed or partial cost report."""
    httpx_mock.add_response(url=DATA_URL, json=usage_page([bucket(NOV_1, [cost(2.5, project_id="proj_a")])]))
    httpx_mock.add_response(
        url=PROJECTS_URL,
        status_code=403,
        json={"error": {"message": "Missing scope api.management.read", "type": "invalid_request_error"}},
    )

    out = await call(
        "codex_get_cost_breakdown", {"start_time": NOV_1, "end_time": NOV_1 + DAY, "group_by": ["project_id"]}
    )

    assert out["groups"] == {"columns": ["project_id", "project_name", "amount_usd"], "rows": [["proj_a", None, 2.5]]}
    assert (out["pages_fetched"], out["bucket_count"], out["totals"]) == (1, 1, {"amount_usd": 2.5})
    [note] = out["notes"]
    assert "Project names could not be fetched" in note
    assert "Missing scope api.management.read" in note
