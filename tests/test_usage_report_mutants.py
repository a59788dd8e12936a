"""Usage reports at the edges the main tests leave out: the period a moment falls in (at every width, whatever the
server's time zone), group rows of a group that lacks a counter, a period with exactly as many groups as kept, the
partial mark on group rows, which columns may fold into another, costs grouped by the model of their line item,
buckets answered from memory, and the refusal of a range too long for its bucket width.

Found by mutation testing (scripts/mutation.sh usage_report): each of these could change without a test noticing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from codex_mcp.errors import InvalidArgumentError
from codex_mcp.usage_report import ReportData, Table, UsageReport, period_start, resolve_bucket_range
from tests.builders import DAY, NOV_1, NOV_4, completions, cost, daily_buckets, daily_report

HOUR, MINUTE = 3600, 60


def report_data(
    days: int, results: Callable[[int], list[dict[str, Any]]], group_by: Sequence[str] = ("model",), **extra: Any
) -> ReportData:
    return daily_report(daily_buckets(days, results), group_by=group_by, include_group_rows=True, **extra)


# ---- periods -------------------------------------------------------------------------------------------------------

WEDNESDAY = NOV_4 + 2 * DAY + 5 * HOUR + 17 * MINUTE + 3


@pytest.mark.parametrize(
    ("width", "start"),
    [
        ("1m", NOV_4 + 2 * DAY + 5 * HOUR + 17 * MINUTE),
        ("1h", NOV_4 + 2 * DAY + 5 * HOUR),
        ("1d", NOV_4 + 2 * DAY),
        ("1w", NOV_4),
        ("1mo", NOV_1),
    ],
)
def test_a_moment_falls_in_the_period_that_starts_at_its_utc_boundary(width: str, start: int) -> None:
    assert period_start(WEDNESDAY, width) == start


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "EST5")  # POSIX form, UTC-5 all year: Monday 00:00 UTC is Sunday evening there
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_weeks_and_months_start_at_utc_boundaries_whatever_the_server_zone() -> None:
    assert period_start(NOV_4 + 2 * HOUR, "1w") == NOV_4
    assert period_start(NOV_1 + 2 * HOUR, "1mo") == NOV_1


# ---- group rows ----------------------------------------------------------------------------------------------------


def two_models(_: int) -> list[dict[str, Any]]:
    """Model a (5 requests, 7 audio tokens) and model b (2 requests, no audio field at all)."""
    return [
        completions(model="a", num_model_requests=5, input_audio_tokens=7),
        completions(model="b", num_model_requests=2),
    ]


def test_a_group_without_a_counter_shows_zero_in_its_rows_and_in_the_other_row() -> None:
    data = report_data(1, two_models)
    assert data.group_rows_table("1d").rows == [["2024-11-04", "a", 5, 7], ["2024-11-04", "b", 2, 0]]
    assert data.group_rows_table("1d", 1).rows == [["2024-11-04", "a", 5, 7], ["2024-11-04", "(other: 1)", 2, 0]]
    other = data.groups_table(1).other
    assert other is not None
    assert other.totals == {"num_model_requests": 2, "input_audio_tokens": 0}


def test_a_period_with_exactly_as_many_groups_as_kept_has_no_other_row() -> None:
    assert report_data(1, two_models).group_rows_table("1d", 2).rows == [
        ["2024-11-04", "a", 5, 7],
        ["2024-11-04", "b", 2, 0],
    ]


def test_group_rows_say_where_the_partial_periods_start() -> None:
    data = report_data(2, lambda d: [completions(model="a", num_model_requests=5)], now=NOV_4 + DAY + HOUR)
    assert data.group_rows_table("1d").partial_from == "2024-11-05"
    assert data.group_rows_table("1w").partial_from == "2024-11-04"


def test_only_counters_fold_into_an_equal_counter_never_into_a_group_value() -> None:
    """Eight days (enough rows to fold) of batch=True with 1 request a day: the request count equals True in every
    row, yet only counters are compared; input_tokens equals num_model_requests every day and folds into it."""
    data = report_data(8, lambda d: [completions(batch=True, num_model_requests=1, input_tokens=1)], group_by=["batch"])
    table = data.group_rows_table("1d")
    assert table.columns == ["start", "batch", "num_model_requests"]
    assert table.same_as == {"input_tokens": "num_model_requests"}
    assert table.rows[0] == ["2024-11-04", True, 1]


# ---- groups and notes ----------------------------------------------------------------------------------------------


def test_a_group_without_a_counter_shows_zero_in_the_groups_table() -> None:
    assert report_data(1, two_models).groups_table().rows == [["a", 5, 7], ["b", 2, 0]]


def test_a_line_item_without_a_quantity_shows_zero_quantity() -> None:
    buckets = daily_buckets(1, lambda _: [cost(2.0, line_item="x, input", quantity=3), cost(1.0, line_item="y, input")])
    data = daily_report(buckets, source="/organization/costs", group_by=["line_item"], now=NOV_4 + 10 * DAY)
    assert data.groups_table().rows == [["x, input", 2.0, 3], ["y, input", 1.0, 0]]


def test_a_group_without_the_sort_counter_ranks_as_zero_then_by_name() -> None:
    def rows(_: int) -> list[dict[str, Any]]:
        return [completions(model="b", input_tokens=5), completions(model="a", num_model_requests=0, input_tokens=1)]

    assert [row[0] for row in report_data(1, rows).groups_table().rows] == ["a", "b"]


def test_exactly_as_many_groups_as_kept_leave_no_other() -> None:
    assert report_data(1, two_models).groups_table(2).other is None


def test_groups_of_a_range_without_any_figure_are_an_empty_table() -> None:
    table = report_data(1, lambda _: []).groups_table()
    assert (table.columns, table.rows) == (["model"], [])


def test_in_the_groups_table_a_counter_equal_to_another_in_every_group_folds_into_it() -> None:
    def rows(_: int) -> list[dict[str, Any]]:
        return [completions(model=f"m{i}", num_model_requests=10 + i, input_tokens=10 + i) for i in range(8)]

    table = report_data(1, rows).groups_table()
    assert table.columns == ["model", "num_model_requests"]
    assert table.same_as == {"input_tokens": "num_model_requests"}


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("/organization/costs", "costs can arrive up to a day after the day ends"),
        ("/organization/usage/completions", "the period has not ended yet"),
    ],
)
def test_the_partial_note_says_why_for_costs_and_for_usage(source: str, why: str) -> None:
    buckets = daily_buckets(1, lambda _: [completions(num_model_requests=1)])
    data = daily_report(buckets, source=source, now=NOV_4 + HOUR)
    assert data.all_notes() == [
        f"Buckets from 2024-11-04 on are partial ({why}): their figures may still grow, so do not compare them with "
        "complete ones. Tables mark it as partial_from."
    ]


# ---- folding repeated counters -------------------------------------------------------------------------------------


def fold(rows: list[list[Any]], columns: Sequence[str] = ("start", "w", "x", "y", "z")) -> Table:
    return Table.folded(list(columns), rows, measures_from=1, width="1d", partial_from="2024-11-04")


def test_from_8_rows_a_counter_equal_to_an_earlier_one_in_every_row_is_folded_into_it() -> None:
    """w and x are equal in every row, and y and z: x folds into w and z into y (past x, already folded)."""
    rows = [[f"2024-11-{day:02d}", day, day, 100 + day, 100 + day] for day in range(1, 9)]
    table = fold(rows)
    assert table.columns == ["start", "w", "y"]
    assert table.rows[0] == ["2024-11-01", 1, 101]
    assert table.same_as == {"x": "w", "z": "y"}
    assert (table.width, table.partial_from) == ("1d", "2024-11-04")
    assert fold(rows[:7]).columns == ["start", "w", "x", "y", "z"]  # in 7 rows equal numbers may be chance


def test_the_bucket_table_folds_into_its_first_counter_and_marks_partial_rows() -> None:
    def rows(_: int) -> list[dict[str, Any]]:
        return [completions(model="a", num_model_requests=3, input_tokens=3)]

    data = report_data(8, rows, group_by=(), now=NOV_4 + 7 * DAY + HOUR)
    table = data.bucket_table("1d")
    assert table.columns == ["start", "num_model_requests"]
    assert table.same_as == {"input_tokens": "num_model_requests"}
    assert table.partial_from == "2024-11-11"


def test_without_include_group_rows_a_report_has_none() -> None:
    buckets = daily_buckets(1, two_models)
    data = daily_report(buckets, group_by=["model"], now=NOV_4 + DAY)
    report = data.full_report()
    assert report.group_rows is None
    assert report.notes is None  # the bucket ended exactly now, and no lag was given: complete


def test_costs_are_partial_until_the_lag_after_their_day_has_passed() -> None:
    data = report_data(2, two_models, lag_s=DAY, now=NOV_4 + 2 * DAY + HOUR)
    assert data.bucket_table("1d").partial_from == "2024-11-05"


# ---- costs by model, buckets from memory, ranges too long ----------------------------------------------------------


def test_costs_grouped_by_model_are_grouped_by_the_model_their_line_item_names() -> None:
    results = [
        cost(2.0, line_item="gpt-4o-2024-08-06, output"),
        cost(1.5, line_item="gpt-4o-2024-08-06, input"),
        cost(0.25, line_item="code interpreter sessions"),
        cost(0.125),  # no line item
    ]
    buckets = daily_buckets(1, lambda _: results)
    data = daily_report(buckets, source="/organization/costs", group_by=["model"], now=NOV_4 + 3 * DAY)
    table = data.groups_table()
    assert table.columns == ["model", "amount_usd"]
    assert table.rows == [["gpt-4o-2024-08-06", 3.5], ["code interpreter sessions", 0.25], ["(no line item)", 0.125]]


def test_usage_grouped_by_model_keeps_the_model_the_api_gave() -> None:
    """Only costs derive the model from a line item; usage rows name their model themselves."""
    rows = [completions(model="gpt-4o", num_model_requests=2, line_item="o1, input")]
    data = report_data(1, lambda _: rows, group_by=("model",), now=NOV_4 + 3 * DAY)
    assert data.groups_table().rows == [["gpt-4o", 2]]


def test_a_report_says_how_many_buckets_came_from_memory() -> None:
    buckets = daily_buckets(3, two_models)

    def report(cached: int) -> UsageReport:
        return daily_report(buckets, cached_buckets=cached, now=NOV_4 + 5 * DAY).full_report()

    from_memory = report(2)
    assert from_memory.cached_buckets == 2
    assert from_memory.notes == [
        "2 of 3 buckets came from memory: they ended over 48 hours ago, when their figures are final, and an earlier "
        "call fetched them; the rest were fetched now."
    ]
    fetched = report(0)
    assert fetched.cached_buckets is None
    assert fetched.notes is None


@pytest.mark.parametrize(
    ("start", "end", "width", "shown", "days"),
    [
        ("2024-11-01", "2024-11-08T00:01:00Z", "1m", "2024-11-01T00:00:00Z to 2024-11-08T00:01:00Z", 7),
        ("2024-01-01", "2025-01-02", "1h", "2024-01-01T00:00:00Z to 2025-01-02T00:00:00Z", 366),
    ],
)
def test_a_range_too_long_for_its_bucket_width_is_refused_naming_both_ends(
    start: str, end: str, width: str, shown: str, days: int
) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        resolve_bucket_range(start, end, width)
    assert str(refused.value) == (
        f"start_time to end_time ({shown}) is longer than {days} days, the most one call can ask for at bucket_width "
        f"'{width}' (about 10,000 buckets at most). Use a wider bucket_width or a shorter range."
    )
