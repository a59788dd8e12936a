"""Cost insights at the edges the main tests leave out: day boundaries of a range that does not start or end at
midnight, today at either end of the range, an empty range, the run-rate week of a range far from today, alerts
exactly at the spend or the projection, the 1% rule and the z threshold at their edges, the excess of each line item,
labels for costs without a project or line item, project names that are not shared, the notes, and a server clock
that is not on UTC.

Found by mutation testing (scripts/mutation.sh insights): each of these could change without a test noticing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from codex_mcp.insights import Budget, DailyCosts, compute_insights, model_of, plan_days
from tests.test_insights import A_IN, DAY, TODAY, march, march_costs, ts

HOUR = 3600
NOTE = (
    "Costs can lag up to a day: the latest complete day may still grow. Days are UTC; complete days are those before "
    "today (2026-03-04)."
)
PARTIAL_NOTE = "Today's spend so far is in today_partial_usd, not in total_usd."


# ---- days ----------------------------------------------------------------------------------------------------------


def test_a_range_between_midnights_counts_the_whole_days_it_touches() -> None:
    complete, previous, fetch = plan_days(ts("2026-02-10") + 6 * HOUR, ts("2026-02-12") + 6 * HOUR, TODAY)
    assert (complete.start, complete.end) == (ts("2026-02-10"), ts("2026-02-13"))
    assert (previous.start, previous.end) == (ts("2026-02-07"), ts("2026-02-10"))
    assert (fetch.start, fetch.end) == (ts("2026-01-13"), ts("2026-02-13"))  # 28 baseline days before Feb 10


def test_a_range_ending_during_today_fetches_today_too() -> None:
    _, _, fetch = plan_days(ts("2026-03-01"), TODAY + 6 * HOUR, TODAY)
    assert fetch.end == TODAY + DAY


def test_a_long_range_fetches_its_whole_previous_period() -> None:
    _, previous, fetch = plan_days(ts("2026-01-01"), ts("2026-03-01"), TODAY)
    assert previous.start == ts("2025-11-03")  # 59 days before Jan 1
    assert fetch.start == previous.start


def test_a_range_after_today_still_fetches_the_run_rate_week() -> None:
    _, _, fetch = plan_days(TODAY + 40 * DAY, TODAY + 50 * DAY, TODAY)
    assert fetch.start == TODAY - 7 * DAY


def test_today_counts_apart_when_the_range_starts_today_and_not_when_it_ends_there() -> None:
    starting = compute_insights(march_costs(), **march(start=TODAY, end=TODAY + DAY))  # type: ignore[arg-type]
    assert (starting.complete_days, starting.complete_through, starting.total_usd) == (0, None, 0.0)
    assert starting.today_partial_usd == 3.0
    assert starting.notes == [NOTE, PARTIAL_NOTE]

    ending = compute_insights(march_costs(), **march(start=ts("2026-03-01"), end=TODAY))  # type: ignore[arg-type]
    assert ending.today_partial_usd is None
    assert ending.notes == [NOTE]
    assert ending.month_to_date is None  # the range must reach today to be this month's


def test_a_range_not_starting_on_the_1st_has_no_month_to_date() -> None:
    out = compute_insights(march_costs(), **march(start=ts("2026-03-02")))  # type: ignore[arg-type]
    assert out.month_to_date is None


# ---- budget --------------------------------------------------------------------------------------------------------


def test_an_alert_exactly_at_the_spend_is_crossed_and_one_exactly_at_the_projection_is_projected() -> None:
    budget = compute_insights(march_costs(), **march(alerts=[Decimal(73), Decimal(510)])).budget  # type: ignore[arg-type]
    assert budget is not None
    assert budget.alerts is not None
    assert [(a.threshold_usd, a.crossed, a.projected_to_cross) for a in budget.alerts] == [
        (73.0, True, False),  # spent: 70 complete + 3 today
        (510.0, False, True),  # projected: 70 + 110/7 * 28
    ]


def test_outside_the_current_month_alerts_are_listed_unjudged_and_the_note_says_why() -> None:
    budget = Budget(scope="project proj_a", available=True, note="Project limit.")
    out = compute_insights(
        march_costs(),
        **march(start=ts("2026-02-01"), end=ts("2026-03-01"), budget=budget, alerts=[Decimal(60), Decimal(50)]),  # type: ignore[arg-type]
    )
    assert out.budget is not None
    assert out.budget.note == (
        "Project limit. This month's spend and projection are compared with it only when the range is the current "
        "month (the default)."
    )
    assert out.budget.alerts is not None
    assert [(a.threshold_usd, a.crossed, a.projected_to_cross) for a in out.budget.alerts] == [
        (50.0, False, False),
        (60.0, False, False),
    ]

    plain = compute_insights(march_costs(), **march(start=ts("2026-02-01"), end=ts("2026-03-01"), alerts=[]))  # type: ignore[arg-type]
    assert plain.budget is not None
    assert plain.budget.alerts is None
    assert (plain.budget.note or "").startswith("This month's spend and projection are compared")


# ---- anomalies -----------------------------------------------------------------------------------------------------


def flat_then(day_amount: str, usual: str = "10") -> DailyCosts:
    """`usual` dollars every day from Jan 1 (no spread: MAD 0), then `day_amount` on 2026-03-03."""
    costs = DailyCosts()
    for day in range(ts("2026-01-01"), ts("2026-03-03"), DAY):
        costs.add(day, "proj_a", A_IN, Decimal(usual))
    costs.add(ts("2026-03-03"), "proj_a", A_IN, Decimal(day_amount))
    return costs


@pytest.mark.parametrize(
    ("amount", "usual", "flagged"),
    [("10.05", "10", False), ("10.10", "10", False), ("10.11", "10", True), ("-5", "-5", False)],
)
def test_with_no_spread_only_a_day_more_than_1_percent_above_the_median_is_flagged(
    amount: str, usual: str, flagged: bool
) -> None:
    out = compute_insights(flat_then(amount, usual), **march(alerts=[], limit=None))  # type: ignore[arg-type]
    days = [a.day for a in out.anomalies]
    assert ("2026-03-03" in days) is flagged


def spread_then(day_amount: str) -> DailyCosts:
    """$10 and $14 on alternate days (median 12, MAD 2), then `day_amount` on 2026-03-03."""
    costs = DailyCosts()
    for index, day in enumerate(range(ts("2026-01-01"), ts("2026-03-03"), DAY)):
        costs.add(day, "proj_a", A_IN, Decimal(10 + 4 * (index % 2)))
    costs.add(ts("2026-03-03"), "proj_a", A_IN, Decimal(day_amount))
    return costs


def test_the_z_score_divides_by_the_scaled_mad_and_exactly_3_5_is_not_flagged() -> None:
    out = compute_insights(spread_then("30"), **march(alerts=[], limit=None))  # type: ignore[arg-type]
    [anomaly] = [a for a in out.anomalies if a.day == "2026-03-03"]
    assert (anomaly.z, anomaly.mad_zero) == (6.07, None)  # (30 - 12) / (1.4826 * 2)
    at_threshold = compute_insights(spread_then("22.3782"), **march(alerts=[], limit=None))  # type: ignore[arg-type]
    assert [a.day for a in at_threshold.anomalies if a.day == "2026-03-03"] == []  # z = 10.3782 / 2.9652 = 3.5


def test_an_anomaly_lists_the_three_line_items_most_above_their_own_median() -> None:
    costs = flat_then("10")
    spike = ts("2026-03-03")
    for line_item, extra in (("a", "5"), ("b", "9"), ("c", "7"), ("d", "1")):
        costs.add(spike, "proj_a", line_item, Decimal(extra))
    out = compute_insights(costs, **march(alerts=[], limit=None))  # type: ignore[arg-type]
    [anomaly] = [a for a in out.anomalies if a.day == "2026-03-03"]
    assert [(i.line_item, i.amount_usd, i.baseline_median_usd, i.excess_usd) for i in anomaly.top_line_items] == [
        ("b", 9.0, 0.0, 9.0),
        ("c", 7.0, 0.0, 7.0),
        ("a", 5.0, 0.0, 5.0),
    ]
    costs.add(spike, "proj_a", A_IN, Decimal("2.5"))  # A_IN: $12.50 against its usual $10
    out = compute_insights(costs, **march(alerts=[], limit=None))  # type: ignore[arg-type]
    [anomaly] = [a for a in out.anomalies if a.day == "2026-03-03"]
    assert [(i.line_item, i.excess_usd) for i in anomaly.top_line_items] == [("b", 9.0), ("c", 7.0), ("a", 5.0)]
    assert (anomaly.top_line_items[0].baseline_median_usd, anomaly.amount_usd) == (0.0, 34.5)


# ---- names and labels ----------------------------------------------------------------------------------------------


def test_costs_without_a_project_or_line_item_are_labelled_so() -> None:
    costs = march_costs()
    for day in range(ts("2026-03-01"), TODAY, DAY):
        costs.add(day, None, None, Decimal(100))
    out = compute_insights(costs, **march())  # type: ignore[arg-type]
    assert (out.top_projects[0].key, out.top_projects[0].name) == ("(no project)", None)
    assert out.top_line_items[0].key == "(no line item)"
    assert out.top_models[0].key == "(no line item)"


def test_a_project_name_no_other_project_shares_is_shown_alone() -> None:
    out = compute_insights(march_costs(), **march(project_names={"proj_a": "Chat", "proj_b": "Search"}))  # type: ignore[arg-type]
    assert [(c.key, c.name) for c in out.top_projects] == [("proj_a", "Chat"), ("proj_b", "Search")]
    assert [c.name for c in out.top_models] == [None, None]


def test_the_model_of_a_line_item_is_what_comes_before_its_first_comma() -> None:
    assert model_of("gpt-4o-2024-08-06, input, batch") == "gpt-4o-2024-08-06"


# ---- a server clock that is not on UTC -----------------------------------------------------------------------------


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "EST5")  # POSIX form, UTC-5 all year: midnight UTC is the evening before
    time.tzset()
    assert time.localtime(ts("2026-03-01")).tm_mon == 2
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_months_and_times_are_utc_whatever_the_server_zone() -> None:
    out = compute_insights(march_costs(), **march(today=ts("2026-03-01")))  # type: ignore[arg-type]
    assert (out.start_time_iso, out.end_time_iso) == ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
    assert out.month_to_date is not None
    assert (out.month_to_date.month, out.month_to_date.complete_days) == ("2026-03", 0)
