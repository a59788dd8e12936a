"""Every result fits CODEX_MCP_MAX_RESULT_TOKENS in its text block and its structuredContent alike, with exact totals,
and says what was condensed; nothing is condensed when the answer fits. Heavy questions asked of the demo org."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult

from codex_mcp.server import create_server
from tests.conftest import make_settings, result_text

HEAVY = [
    (
        "codex_get_cost_breakdown",
        {"start_time": "90d", "group_by": ["project_id", "line_item"], "include_group_rows": True},
    ),
    (
        "codex_get_completions_usage",
        {"start_time": "30d", "bucket_width": "1h", "group_by": ["model"], "include_group_rows": True},
    ),
    (
        "codex_get_completions_usage",
        {
            "start_time": "31d",
            "bucket_width": "1h",
            "group_by": ["project_id", "user_id", "api_key_id", "model"],
            "include_group_rows": True,
        },
    ),
    (
        "codex_get_completions_usage",
        {"start_time": "24h", "bucket_width": "1m", "group_by": ["user_id"], "include_group_rows": True},
    ),
    ("codex_list_audit_events", {"limit": 100}),
]


def sizes(result: CallToolResult) -> tuple[int, int]:
    text = len(result_text(result).encode())
    structured = len(json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False).encode())
    return text, structured


def exact(value: Any) -> Decimal:
    return Decimal(repr(value))


def days_back(days: int) -> dict[str, str]:
    """The last `days` whole UTC days as explicit dates, so two calls a moment apart ask for the same range."""
    today = datetime.now(UTC).date()
    return {"start_time": (today - timedelta(days=days)).isoformat(), "end_time": today.isoformat()}


async def call_both(tool: str, arguments: dict[str, Any], budget: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same call under `budget` and under a budget big enough for the whole answer."""
    out = []
    for tokens in (budget, 1_000_000):
        async with Client(create_server(make_settings(demo=True, max_result_tokens=tokens))) as client:
            result = await client.call_tool(tool, arguments)
        assert not result.is_error, result_text(result)
        assert result.structured_content is not None
        out.append(result.structured_content)
    return out[0], out[1]


@pytest.mark.parametrize(("tool", "arguments"), HEAVY, ids=[f"{t}-{i}" for i, (t, _) in enumerate(HEAVY)])
async def test_heavy_answers_fit_the_default_budget_in_text_and_structured_content(
    tool: str, arguments: dict[str, Any]
) -> None:
    async with Client(create_server(make_settings(demo=True))) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result_text(result)
    text, structured = sizes(result)
    assert text <= 20_000 * 4
    assert structured <= 20_000 * 4
    assert json.loads(result_text(result)) == result.structured_content


async def test_condensed_report_keeps_exact_totals_and_complete_groups_and_says_how() -> None:
    arguments = {**days_back(90), "group_by": ["project_id", "line_item"], "include_group_rows": True}
    small, full = await call_both("codex_get_cost_breakdown", arguments, 20_000)

    assert "condensed" not in full
    assert small["totals"] == full["totals"]
    assert small["groups"] == full["groups"], "per-group totals fit, so they stay exact and complete"
    assert small["buckets"] == full["buckets"], "daily totals fit, so they are not rolled up"
    condensed = small["condensed"]
    assert condensed["budget_tokens"] == 20_000
    assert condensed["full_tokens"] > 20_000
    assert small["notes"][0].startswith("This answer was condensed to fit the 20,000-token result budget")
    assert "codex-mcp call codex_get_cost_breakdown ... --format csv" in small["notes"][0]
    assert all(step in small["notes"][0] for step in condensed["steps"])

    # The condensed group rows still add up, period by period, to the daily totals of that period.
    rows = small["group_rows"]
    amount = rows["columns"].index("amount_usd")
    per_period: dict[str, Decimal] = {}
    for row in rows["rows"]:
        per_period[row[0]] = per_period.get(row[0], Decimal(0)) + exact(row[amount])
    assert sum(per_period.values()) == exact(full["totals"]["amount_usd"])


async def test_per_group_totals_are_cut_only_when_even_they_cannot_fit() -> None:
    arguments = {**days_back(90), "group_by": ["project_id", "line_item"]}
    small, full = await call_both("codex_get_cost_breakdown", arguments, 1_000)

    assert small["totals"] == full["totals"]
    other = small["groups"]["other"]
    kept = small["groups"]["rows"]
    assert len(kept) + other["groups"] == len(full["groups"]["rows"])
    assert kept == full["groups"]["rows"][: len(kept)], "the largest groups are kept, in order"
    amount = full["groups"]["columns"].index("amount_usd")
    rest = sum(exact(row[amount]) for row in full["groups"]["rows"][len(kept) :])
    assert exact(other["totals"]["amount_usd"]) == rest
    assert any("groups.other" in step for step in small["condensed"]["steps"])
    assert len(json.dumps(small, separators=(",", ":"), ensure_ascii=False).encode()) <= 4_000


async def test_nothing_is_condensed_when_the_answer_fits() -> None:
    arguments = {**days_back(30), "group_by": ["project_id"]}
    small, full = await call_both("codex_get_cost_breakdown", arguments, 20_000)
    assert small == full
    assert "condensed" not in small
    assert not any("condensed" in note for note in small.get("notes", []))


async def test_a_long_list_page_is_shortened_with_a_cursor_to_the_rest() -> None:
    async with Client(create_server(make_settings(demo=True, max_result_tokens=1_000))) as client:
        first = await client.call_tool("codex_list_users", {"limit": 100})
        assert not first.is_error, result_text(first)
        page = first.structured_content
        assert page is not None
        assert 0 < page["count"] == len(page["data"]) < 100
        assert page["has_more"] is True
        assert page["next_after"] == page["data"][-1]["id"]
        assert "shortened to its first" in page["notes"][-1]
        assert sizes(first)[0] <= 4_000

        second = await client.call_tool("codex_list_users", {"limit": 100, "after": page["next_after"]})
        assert second.structured_content is not None
        following = second.structured_content["data"]
    async with Client(create_server(make_settings(demo=True))) as client:
        whole = await client.call_tool("codex_list_users", {"limit": 100})
    assert whole.structured_content is not None
    everyone = [user["id"] for user in whole.structured_content["data"]]
    seen = [user["id"] for user in page["data"]] + [user["id"] for user in following]
    assert seen[: len(everyone)] == everyone[: len(seen)], "no member is skipped or repeated across the cut"
