"""codex_get_usage (the `usage` toolset): the exact request per kind, its filters and group_by checked against the
endpoint table before any request, and the same report as the core usage tools."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from codex_mcp.usage_endpoints import OTHER_USAGE_KINDS, USAGE_ENDPOINTS
from tests.builders import DAY, NOV_1, assert_get, bucket, pairs, usage_page
from tests.conftest import call_tool, make_settings, result_text

# One result per kind, shaped like the spec's examples (unset group fields are null, as the API sends them).
RESULTS: dict[str, dict[str, Any]] = {
    "moderations": {"input_tokens": 16, "num_model_requests": 2, "model": "omni-moderation-latest"},
    "images": {"images": 2, "num_model_requests": 2, "source": "image.generation", "size": "1024x1024"},
    "audio_speeches": {"characters": 45, "num_model_requests": 1, "model": "tts-1"},
    "audio_transcriptions": {"seconds": 20, "num_model_requests": 1, "model": "whisper-1"},
    "vector_stores": {"usage_bytes": 1024},
    "file_search_calls": {"num_requests": 3, "vector_store_id": "vs_abc"},
    "web_search_calls": {"num_requests": 4, "num_model_requests": 4, "context_level": "medium"},
}


def result(kind: str) -> dict[str, Any]:
    return {"object": f"organization.usage.{kind}.result", "project_id": None, **RESULTS[kind]}


async def call(arguments: dict[str, Any]) -> Any:
    result_ = await call_tool(make_settings(toolsets="usage"), "codex_get_usage", arguments)
    assert not result_.is_error, result_text(result_)
    return result_.structured_content


@pytest.mark.parametrize("kind", OTHER_USAGE_KINDS)
async def test_each_kind_asks_its_endpoint_and_totals_its_counters(httpx_mock: HTTPXMock, kind: str) -> None:
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, [result(kind)])]))

    out = await call({"kind": kind, "start_time": NOV_1, "end_time": NOV_1 + DAY, "project_ids": ["proj_a"]})

    [request] = httpx_mock.get_requests()
    endpoint = USAGE_ENDPOINTS[kind]
    assert_get(request, endpoint.path)
    assert pairs(request) == [
        ("start_time", str(NOV_1)),
        ("end_time", str(NOV_1 + DAY)),
        ("bucket_width", "1d"),
        ("project_ids", "proj_a"),
        ("limit", "31"),
    ]
    counters = {key: value for key, value in RESULTS[kind].items() if isinstance(value, int)}
    assert out["source"] == endpoint.path
    assert out["units"] == endpoint.units
    assert out["totals"] == {key: counters[key] for key in out["totals"]}
    assert set(out["totals"]) == set(counters)
    assert out["filters"] == {"project_ids": ["proj_a"]}


async def test_images_filters_and_groups_go_to_the_api_in_its_own_names(httpx_mock: HTTPXMock) -> None:
    rows = [
        {**result("images"), "images": 5, "size": "1024x1024", "source": "image.edit"},
        {**result("images"), "images": 7, "size": "256x256", "source": "image.generation"},
    ]
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, rows)]))

    out = await call(
        {
            "kind": "images",
            "start_time": NOV_1,
            "end_time": NOV_1 + DAY,
            "sources": ["image.edit", "image.generation"],
            "sizes": "1024x1024",
            "group_by": ["size", "source"],
        }
    )

    [request] = httpx_mock.get_requests()
    assert pairs(request) == [
        ("start_time", str(NOV_1)),
        ("end_time", str(NOV_1 + DAY)),
        ("bucket_width", "1d"),
        ("sources", "image.edit"),
        ("sources", "image.generation"),
        ("sizes", "1024x1024"),
        ("group_by", "size"),
        ("group_by", "source"),
        ("limit", "31"),
    ]
    assert out["groups"]["columns"] == ["size", "source", "images", "num_model_requests"]
    assert out["groups"]["rows"] == [["256x256", "image.generation", 7, 2], ["1024x1024", "image.edit", 5, 2]]
    assert out["totals"] == {"images": 12, "num_model_requests": 4}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"kind": "images", "group_by": ["batch"]},
            "group_by: images does not accept group_by 'batch'; it accepts project_id, user_id, api_key_id, model, "
            "size, source.",
        ),
        (
            {"kind": "vector_stores", "group_by": ["model"]},
            "group_by: vector_stores does not accept group_by 'model'; it accepts project_id.",
        ),
        (
            {"kind": "moderations", "context_levels": ["low"]},
            "context_levels: moderations does not accept the filter context_levels; it accepts project_ids, "
            "user_ids, api_key_ids, models.",
        ),
        (
            {"kind": "web_search_calls", "vector_store_ids": ["vs_1"]},
            "vector_store_ids: web_search_calls does not accept the filter vector_store_ids; it accepts project_ids, "
            "user_ids, api_key_ids, models, context_levels.",
        ),
        (
            {"kind": "file_search_calls", "models": ["gpt-4o"]},
            "models: file_search_calls does not accept the filter models",
        ),
    ],
)
async def test_what_a_kind_does_not_accept_is_refused_before_any_request(
    httpx_mock: HTTPXMock, arguments: dict[str, Any], message: str
) -> None:
    result_ = await call_tool(
        make_settings(toolsets="usage"), "codex_get_usage", {"start_time": NOV_1, "end_time": NOV_1 + DAY, **arguments}
    )
    assert result_.is_error
    assert message in result_text(result_)
    assert result_text(result_).startswith("Invalid arguments for codex_get_usage")
    assert httpx_mock.get_requests() == []


async def test_an_unknown_kind_is_refused_naming_the_kinds(httpx_mock: HTTPXMock) -> None:
    result_ = await call_tool(
        make_settings(toolsets="usage"), "codex_get_usage", {"kind": "videos", "start_time": "7d"}
    )
    assert result_.is_error
    text = result_text(result_)
    assert "- kind:" in text
    assert all(kind in text for kind in ("'moderations'", "'web_search_calls'"))
    assert httpx_mock.get_requests() == []


def test_the_description_lists_what_each_kind_accepts() -> None:
    from codex_mcp.tools.usage import codex_get_usage

    description = codex_get_usage.__doc__ or ""
    for kind in OTHER_USAGE_KINDS:
        assert f"- {kind}: {USAGE_ENDPOINTS[kind].accepts()}" in description
