"""The result budget at the edges the main tests leave out: group rows beside condensed groups, the fewer-groups
ladder when all groups' rows surely cannot fit, months when nothing fits and every group beside months when that fits,
what a shortened page or a cut result keeps of the notes, nested values and the exact cut lengths, and a page too
large with no items at all.

Found by mutation testing (scripts/mutation.sh budget): each of these could change without a test noticing.
"""

from __future__ import annotations

from typing import Any

from codex_mcp.budget import _ReportFitter, fit_report
from codex_mcp.result_fit import fit_structured, limit_bytes
from codex_mcp.usage_report import ReportData
from tests.builders import completions, daily_buckets, daily_report
from tests.test_budget import report_data, size

TOOL = "codex_get_completions_usage"


def one_big_model_and_eight_long_names() -> ReportData:
    """Two days of usage: model 'a' makes most requests; eight others have 1,500-character names."""

    def results(day: int) -> list[dict[str, Any]]:
        big = completions(model="a", num_model_requests=10_000 + day, input_tokens=1)
        rest = [
            completions(model=f"m{i}-".ljust(1500, "x"), num_model_requests=100 + i, input_tokens=1) for i in range(8)
        ]
        return [big, *rest]

    return daily_report(daily_buckets(2, results), group_by=["model"], include_group_rows=True)


def test_group_rows_still_fit_beside_a_condensed_groups_table() -> None:
    out = fit_report(one_big_model_and_eight_long_names(), max_tokens=500, tool=TOOL).model_dump(mode="json")

    assert [row[0] for row in out["groups"]["rows"]] == ["a"]
    assert out["groups"]["other"]["groups"] == 8
    assert out["group_rows"]["width"] == "1mo"
    assert [row[1] for row in out["group_rows"]["rows"]] == ["a", "(other: 8)"]
    assert out["condensed"]["steps"][1:] == [
        "`group_rows` are rolled up to 1mo (months).",
        "`group_rows` keep the largest 1 groups of each period; the rest of each period is summed in one row whose "
        "group values read '(other: N)'.",
    ]


def test_when_every_groups_rows_surely_cannot_fit_the_largest_20_of_each_day_are_tried_next() -> None:
    """100 models for 30 days: all 3,000 day rows are over the limit even at their smallest (skipped unbuilt), but
    the largest 20 of each day fit: days are kept, not rolled up to weeks."""
    data = report_data(days=30, models=100, name_length=1, include_group_rows=True)
    fitter = _ReportFitter(data, limit_bytes(7000), 7000, 0, TOOL)
    assert fitter._cannot_fit_rows("1d", None)

    out = fit_report(data, max_tokens=7000, tool=TOOL).model_dump(mode="json")

    assert out["group_rows"]["width"] == "1d"
    assert len(out["group_rows"]["rows"]) == 30 * 21
    assert out["group_rows"]["rows"][20][1] == "(other: 80)"


def test_rows_that_surely_cannot_fit_are_skipped_unbuilt() -> None:
    """The estimate is the rows a shape would have (one per group of each period, at most `keep` and an '(other)'
    row) times the smallest a row can be; a shape over the limit by that estimate is skipped without being built.
    30 days x 12 models, rows of 4 cells (period, model, two counters): 11 bytes each at least."""
    data = report_data(days=30, models=12, name_length=1, include_group_rows=True)
    fewest = 30 * 6 * 11  # the largest 5 and one '(other)' row per day
    assert _ReportFitter(data, fewest - 1, 1000, 0, TOOL)._cannot_fit_rows("1d", 5)
    assert not _ReportFitter(data, fewest, 1000, 0, TOOL)._cannot_fit_rows("1d", 5)
    assert _ReportFitter(data, 30 * 12 * 11 - 1, 1000, 0, TOOL)._cannot_fit_rows("1d", None)
    # Keeping as many as there are adds no '(other)' row: 12 rows a day, as with no keep.
    assert not _ReportFitter(data, 30 * 12 * 11, 1000, 0, TOOL)._cannot_fit_rows("1d", 12)
    assert _ReportFitter(data, 30 * 12 * 11 - 1, 1000, 0, TOOL)._cannot_fit_rows("1d", 12)


MONTHS_STEP = "`buckets` are rolled up from 1d to 1mo (months; the first and last may be partial)."


def test_when_nothing_fits_buckets_are_rolled_up_to_months_groups_summed_and_group_rows_left_out() -> None:
    """Even months beside no group are over a budget of 100 tokens: the most condensed shape is sent (the server's
    last check cuts it further), and the note says every step."""
    data = report_data(days=60, models=4, name_length=1, include_group_rows=True)
    out = fit_report(data, max_tokens=100, tool=TOOL)

    assert out.buckets.width == "1mo"
    assert [row[0] for row in out.buckets.rows] == ["2024-11-01", "2024-12-01", "2025-01-01"]
    assert out.groups is not None
    assert (out.groups.rows, out.groups.other and out.groups.other.groups) == ([], 4)
    assert out.group_rows is None
    assert out.condensed is not None
    steps = [
        "`groups` lists the largest 0 of 4 groups; the other 4 are summed in groups.other.",
        MONTHS_STEP,
        "`group_rows` (include_group_rows) are left out: even the largest group per period would not fit.",
    ]
    assert out.condensed.steps == steps
    assert out.notes == [
        f"This answer was condensed to fit the 100-token result budget (in full it is about "
        f"{out.condensed.full_tokens:,} tokens): {' '.join(steps)} Totals and per-group totals are exact. For every "
        "row, narrow start_time/end_time or add filters, or export it all without a budget from the command line: "
        f"codex-mcp call {TOOL} ... --format csv (or --format json)."
    ]


def test_groups_are_kept_as_many_as_fit_beside_months() -> None:
    """24 models over 60 days at 508 tokens: months, and the largest 9 groups beside them (fewer fit beside weeks)."""
    data = report_data(days=60, models=24, name_length=20, include_group_rows=False)
    out = fit_report(data, max_tokens=508, tool=TOOL)

    assert out.buckets.width == "1mo"
    assert out.groups is not None
    assert [row[0][:8] for row in out.groups.rows] == [f"model-{i:02d}" for i in range(23, 14, -1)]
    assert out.groups.other is not None
    assert out.groups.other.groups == 15


def test_a_condensed_report_without_group_by_has_no_groups() -> None:
    data = daily_report(daily_buckets(60, lambda d: [completions(model="a", num_model_requests=d + 1, input_tokens=7)]))
    out = fit_report(data, max_tokens=400, tool=TOOL)

    assert out.condensed is not None
    assert out.buckets.width != "1d"
    assert out.groups is None


def test_every_group_is_kept_when_all_fit_beside_months_though_not_beside_weeks() -> None:
    out = fit_report(report_data(days=60, models=4, name_length=1, include_group_rows=False), max_tokens=400, tool=TOOL)

    assert out.buckets.width == "1mo"
    assert out.groups is not None
    assert [row[0] for row in out.groups.rows] == ["model-03-", "model-02-", "model-01-", "model-00-"]
    assert out.groups.other is None
    assert out.condensed is not None
    assert out.condensed.steps == [MONTHS_STEP]


# ---- list pages and other results ----------------------------------------------------------------------------------


def users(count: int, name_length: int) -> list[dict[str, Any]]:
    return [{"id": f"user-{i}", "name": "n" * name_length} for i in range(count)]


def test_a_page_where_only_the_first_item_fits_keeps_it_and_keeps_its_notes() -> None:
    page = {"data": users(3, 2500), "count": 3, "has_more": False, "notes": ["Filtered by role."]}

    out = fit_structured(page, max_tokens=1000, tool="codex_list_users")

    assert [item["id"] for item in out["data"]] == ["user-0"]
    assert (out["count"], out["has_more"], out["next_after"]) == (1, True, "user-0")
    assert out["notes"] == [
        "Filtered by role.",
        "This page was shortened to its first 1 of 3 items to fit the 1,000-token result budget (in full about "
        f"{-(-size(page) // 4):,} tokens). Call again with after='user-0' for the rest, or with a smaller limit.",
    ]


def test_a_list_without_has_more_is_no_page_and_is_cut_not_shortened() -> None:
    result = {"data": users(40, 300), "count": 40}

    out = fit_structured(result, max_tokens=1000, tool="codex_get_costs")

    assert "next_after" not in out
    assert "has_more" not in out
    assert out["count"] == 40
    assert out["notes"][-1].startswith("This result was cut to fit the 1,000-token result budget")


def test_a_cut_result_keeps_its_notes_its_nested_values_and_strings_up_to_the_cap() -> None:
    result = {
        "id": "proj_a",
        "notes": ["Archived."],
        "settings": {"owner": "ops", "region": "eu"},
        "purpose": "p" * 4000,
        "history": "h" * 4001,
        "log": "l" * 50_000,
    }

    out = fit_structured(result, max_tokens=4000, tool="codex_get_project")

    assert out["settings"] == {"owner": "ops", "region": "eu"}
    assert out["purpose"] == "p" * 4000
    assert out["history"] == "h" * 4000 + "… (4,001 characters)"
    assert out["log"] == "l" * 4000 + "… (50,000 characters)"
    assert out["notes"][0] == "Archived."
    assert "strings longer than 4000 characters end in '…'" in out["notes"][1]


def test_at_the_last_cap_strings_keep_40_characters() -> None:
    result = {f"field_{i:03d}": "s" * 500 for i in range(100)} | {"exact": "e" * 40}

    out = fit_structured(result, max_tokens=3000, tool="codex_get_project")

    assert out["field_000"] == "s" * 40 + "… (500 characters)"
    assert out["exact"] == "e" * 40
    assert "strings longer than 40 characters" in out["notes"][0]


def test_a_page_too_large_without_any_item_is_cut_not_shortened() -> None:
    page = {"data": [], "has_more": False, "notes": ["n" * 5000]}

    out = fit_structured(page, max_tokens=300, tool="codex_list_users")

    assert out["data"] == []
    assert "next_after" not in out
    assert out["notes"][0] == "n" * 200 + "… (5,000 characters)"
    assert out["notes"][1].startswith("This result was cut to fit the 300-token result budget")
