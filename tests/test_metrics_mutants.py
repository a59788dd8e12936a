"""The normalized metrics' metadata as a reader gets it, key by key; unreadable values named with their day; models
by requests; the rounding of the per-user figures; a source that failed with a plain exception.

Found by mutation testing (scripts/mutation.sh metrics): each of these could change without a test noticing.
"""

from __future__ import annotations

from codex_mcp.metrics import DERIVATIONS, UNAVAILABLE_FIELDS, compute_metrics
from tests.test_metrics import DAY, NOV_1, row, series, usage_series, users

NOTE_END = "Totals exclude those values; the API sent them that way, so check again later or report it to OpenAI."


def test_the_metadata_says_where_the_figures_come_from_and_how_they_are_derived() -> None:
    usage = usage_series(
        [
            [row("b-model", "user-1", 5, 10, 20, 3), row("a-model", "user-2", 1, 1, 1, 1)],
            [
                row("a-model", "user-1", 1, 100, 200, 30),
                {**row("b-model", "user-2", 1, 1, 1, 0), "input_tokens": "n/a"},
            ],
            [row("b-model", "user-1", 1, 1, 1, 0)],
        ],
        pages=2,
    )
    costs = series([[{"amount": {"value": 4.0}}], [{"amount": {"value": "lots"}}], [{"amount": {"value": 6.0}}]])

    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + 3 * DAY, usage=usage, costs=costs, members=users("user-1", "user-2")
    )

    assert out.metadata == {
        "source": "OpenAI Admin API",
        "start_time": NOV_1,
        "start_time_iso": "2024-11-01T00:00:00Z",
        "end_time": NOV_1 + 3 * DAY,
        "end_time_iso": "2024-11-04T00:00:00Z",
        "time_zone": "UTC",
        "unavailable_fields": UNAVAILABLE_FIELDS,
        "unavailable_reason": "The OpenAI Admin API reports requests, tokens and costs, not editor suggestions, "
        "acceptances, lines, languages or editors.",
        "derivations": DERIVATIONS,
        "scope": "organization-wide: all projects, users and API keys",
        "usage_days": 3,
        "usage_pages_fetched": 2,
        "total_input_tokens": 112,
        "total_output_tokens": 223,
        "total_cached_input_tokens": 34,
        "total_tokens": 335,
        "distinct_active_user_ids": 2,
        "cost_days": 3,
        "cost_pages_fetched": 1,
        "notes": [
            "1 row of completions usage had a value that is not a finite number: input_tokens on 2024-11-02 ('n/a'). "
            f"{NOTE_END}",
            f"1 row of costs had a value that is not a finite number: amount (usd) on 2024-11-02 ('lots'). {NOTE_END}",
        ],
        "complete": True,
    }
    assert list(out.usage_by_model or {}) == ["b-model", "a-model"]  # most requests first (7 and 2), not by name
    assert out.daily_active_users == 1.67  # 2, 2 and 1 users: 5/3 to two decimals
    assert (out.total_cost_usd, out.cost_per_user_usd) == (10.0, 5.0)


def test_cost_per_user_has_six_decimals() -> None:
    usage = usage_series(
        [[row("m", "user-1", 1, 1, 1, 0), row("m", "user-2", 1, 1, 1, 0), row("m", "user-3", 1, 1, 1, 0)]]
    )
    costs = series([[{"amount": {"value": 10.0}}]])
    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + DAY, usage=usage, costs=costs, members=users("user-1", "user-2", "user-3")
    )
    assert out.cost_per_user_usd == 3.333333


def test_no_usage_days_means_no_daily_active_users() -> None:
    out = compute_metrics(start_time=NOV_1, end_time=NOV_1 + DAY, usage=usage_series([]), costs=series([]), members=[])
    assert out.daily_active_users == 0.0


def test_sources_that_failed_are_named_and_a_plain_exception_by_its_type_and_message() -> None:
    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + DAY, usage=RuntimeError("boom"), costs=series([[]]), members=KeyError("x")
    )
    assert out.metadata["failed_sources"] == {"completions_usage": "RuntimeError: boom", "users": "KeyError: 'x'"}
    assert out.metadata["note"] == (
        "Some sources failed; fields that depend on them are null rather than partial: completions_usage, users"
    )
    assert out.metadata["complete"] is False


def test_models_come_by_requests_not_by_name_or_by_when_they_were_first_seen() -> None:
    usage = usage_series(
        [
            [row("m-model", "user-1", 2, 1, 1, 0), row("z-model", "user-1", 7, 1, 1, 0)],
            [row("a-model", "user-1", 1, 1, 1, 0)],
        ]
    )
    out = compute_metrics(start_time=NOV_1, end_time=NOV_1 + 2 * DAY, usage=usage, costs=series([[]]), members=[])
    assert list(out.usage_by_model or {}) == ["z-model", "m-model", "a-model"]
