"""Cost insights pinned on hand-computed fixtures: complete days, the previous period, contributors with shared
project names, month-to-date and the projection across a month boundary, the budget, and anomalies (zero MAD and
the z-score threshold)."""

from __future__ import annotations

import re
import types
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pytest_httpx import HTTPXMock

from codex_mcp.insights import Budget, DailyCosts, compute_insights, model_of, plan_days
from tests.builders import add_projects, alert, api_error, bucket, cost, listing, pairs, spend_limit, usage_page
from tests.conftest import BASE_URL, call_tool, make_settings, result_text

COSTS = re.compile(r"^https://api\.openai\.com/v1/organization/costs\?")

DAY = 86400


def ts(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


TODAY = ts("2026-03-04")  # a Wednesday; March has 3 complete days
A_IN, A_O3, B_OUT = "gpt-4o-2024-08-06, input", "o3-mini-2025-01-31, output", "gpt-4o-2024-08-06, output"


def march_costs() -> DailyCosts:
    """$10 a day ($6 proj_a gpt-4o input, $4 proj_b gpt-4o output) from Jan 1; Mar 2 adds $40 of o3-mini output
    in proj_a; today (Mar 4) has $3 so far."""
    costs = DailyCosts()
    for day in range(ts("2026-01-01"), TODAY, DAY):
        costs.add(day, "proj_a", A_IN, Decimal("6.00"))
        costs.add(day, "proj_b", B_OUT, Decimal("4.00"))
    costs.add(ts("2026-03-02"), "proj_a", A_O3, Decimal("40.00"))
    costs.add(TODAY, "proj_a", A_IN, Decimal("3.00"))
    return costs


def march(**overrides: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "start": ts("2026-03-01"),
        "end": ts("2026-04-01"),
        "today": TODAY,
        "project_names": {"proj_a": "Chat", "proj_b": "Chat"},
        "top_n": 5,
        "budget": Budget(scope="organization", available=True),
        "limit": Decimal("100"),
        "alerts": [Decimal("600"), Decimal("50"), Decimal("500"), Decimal("60")],
    }
    arguments.update(overrides)
    return arguments


def test_totals_count_complete_days_and_keep_today_apart() -> None:
    out = compute_insights(march_costs(), **march())  # type: ignore[arg-type]
    assert (out.complete_days, out.complete_through) == (3, "2026-03-03")
    assert out.total_usd == 70.0  # 10 + 50 + 10
    assert out.today_partial_usd == 3.0
    assert (out.previous_start_iso, out.previous_end_iso) == ("2026-02-26T00:00:00Z", "2026-03-01T00:00:00Z")
    assert out.previous_total_usd == 30.0
    assert (out.change_usd, out.change_pct) == (40.0, 133.33)


def test_contributors_keep_projects_with_the_same_name_apart() -> None:
    out = compute_insights(march_costs(), **march())  # type: ignore[arg-type]
    projects = [(c.key, c.name, c.amount_usd, c.previous_usd, c.change_usd, c.change_pct) for c in out.top_projects]
    assert projects == [
        ("proj_a", "Chat (proj_a)", 58.0, 18.0, 40.0, 222.22),
        ("proj_b", "Chat (proj_b)", 12.0, 12.0, 0.0, 0.0),
    ]
    models = [(c.key, c.amount_usd, c.previous_usd, c.change_pct) for c in out.top_models]
    assert models == [("o3-mini-2025-01-31", 40.0, 0.0, None), ("gpt-4o-2024-08-06", 30.0, 30.0, 0.0)]
    assert [(c.key, c.amount_usd) for c in out.top_line_items] == [(A_O3, 40.0), (A_IN, 18.0), (B_OUT, 12.0)]
    # Movers: projects and models by absolute change; equal changes in dimension, then key, order.
    assert [(c.dimension, c.key, c.change_usd) for c in out.movers] == [
        ("model", "o3-mini-2025-01-31", 40.0),
        ("project", "proj_a", 40.0),
        ("model", "gpt-4o-2024-08-06", 0.0),
        ("project", "proj_b", 0.0),
    ]


def test_top_n_cuts_every_list() -> None:
    out = compute_insights(march_costs(), **march(top_n=1))  # type: ignore[arg-type]
    assert [len(out.top_projects), len(out.top_models), len(out.top_line_items), len(out.movers)] == [1, 1, 1, 1]


def test_month_to_date_and_the_run_rate_reach_into_last_month() -> None:
    month = compute_insights(march_costs(), **march()).month_to_date  # type: ignore[arg-type]
    assert month is not None
    assert (month.month, month.complete_days, month.days_in_month) == ("2026-03", 3, 31)
    assert month.month_to_date_usd == 70.0
    assert month.run_rate_days == [
        "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03",
    ]  # fmt: skip
    assert month.daily_run_rate_usd == float(Decimal(110) / 7)
    assert month.projected_month_end_usd == 510.0  # 70 + 110/7 * 28


def test_no_projection_unless_the_range_is_the_current_month() -> None:
    february = compute_insights(march_costs(), **march(start=ts("2026-02-01"), end=ts("2026-03-01")))  # type: ignore[arg-type]
    assert february.month_to_date is None
    assert february.total_usd == 280.0  # 28 complete days at $10
    assert february.today_partial_usd is None
    assert february.budget is not None
    assert february.budget.limit_usd == 100.0
    assert february.budget.spent_this_month_usd is None
    assert "only when the range is the current month" in (february.budget.note or "")


def test_budget_alerts_crossed_and_projected_to_cross() -> None:
    budget = compute_insights(march_costs(), **march()).budget  # type: ignore[arg-type]
    assert budget is not None
    assert budget.limit_usd == 100.0
    assert budget.spent_this_month_usd == 73.0  # 70 complete + 3 today
    assert (budget.spent_pct_of_limit, budget.projected_pct_of_limit) == (73.0, 510.0)
    assert budget.alerts is not None
    assert [(a.threshold_usd, a.crossed, a.projected_to_cross) for a in budget.alerts] == [
        (50.0, True, False),
        (60.0, True, False),
        (500.0, False, True),
        (600.0, False, False),
    ]


def test_an_unavailable_budget_is_said_and_the_rest_stands() -> None:
    unavailable = Budget(scope="organization", available=False, note="not available: 403 from the API")
    out = compute_insights(march_costs(), **march(budget=unavailable, limit=None, alerts=[]))  # type: ignore[arg-type]
    assert out.budget == unavailable
    assert out.total_usd == 70.0


def test_a_spike_over_a_baseline_without_spread_is_flagged_by_the_one_percent_rule() -> None:
    [spike] = compute_insights(march_costs(), **march()).anomalies  # type: ignore[arg-type]
    assert (spike.day, spike.amount_usd, spike.baseline_median_usd) == ("2026-03-02", 50.0, 10.0)
    assert (spike.z, spike.mad_zero) == (None, True)
    assert [(i.line_item, i.amount_usd, i.baseline_median_usd, i.excess_usd) for i in spike.top_line_items] == [
        (A_O3, 40.0, 0.0, 40.0)
    ]


def alternating(day_amount: str) -> DailyCosts:
    """$10 and $12 on alternate days (median 11, MAD 1), then one day of `day_amount` on 2026-03-03."""
    costs = DailyCosts()
    for index, day in enumerate(range(ts("2026-01-01"), ts("2026-03-03"), DAY)):
        costs.add(day, "proj_a", A_IN, Decimal(10 + 2 * (index % 2)))
    costs.add(ts("2026-03-03"), "proj_a", A_IN, Decimal(day_amount))
    return costs


@pytest.mark.parametrize(
    ("amount", "z", "flagged"),
    [("20", 6.07, True), ("16.2", 3.51, True), ("16", None, False), ("11.1", None, False)],
)
def test_robust_z_threshold(amount: str, z: float | None, flagged: bool) -> None:
    out = compute_insights(alternating(amount), **march(alerts=[], limit=None))  # type: ignore[arg-type]
    anomalies = [a for a in out.anomalies if a.day == "2026-03-03"]
    assert bool(anomalies) is flagged
    if flagged:
        assert anomalies[0].z == z  # (x - 11) / (1.4826 * 1)
        assert anomalies[0].baseline_median_usd == 11.0


def test_plan_days_fetches_the_previous_period_the_baseline_and_the_run_rate_week() -> None:
    complete, previous, fetch = plan_days(ts("2026-03-01"), ts("2026-04-01"), TODAY)
    assert (complete.start, complete.end) == (ts("2026-03-01"), TODAY)
    assert (previous.start, previous.end) == (ts("2026-02-26"), ts("2026-03-01"))
    assert (fetch.start, fetch.end) == (ts("2026-02-01"), TODAY + DAY)  # 28 days before Mar 1; through today


@pytest.mark.parametrize(
    ("line_item", "model"),
    [(A_IN, "gpt-4o-2024-08-06"), ("o3-mini-2025-01-31, batch output", "o3-mini-2025-01-31"),
     ("code interpreter sessions", "code interpreter sessions"), (None, "(no line item)")],
)  # fmt: skip
def test_models_are_derived_from_line_items(line_item: str | None, model: str) -> None:
    assert model_of(line_item) == model


# ---- through the tool ------------------------------------------------------------------------------------------


async def test_the_tool_asks_once_for_every_day_it_needs_and_names_the_projects(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = TODAY + 3600 * 10
    clock = types.SimpleNamespace(time=lambda: now)
    monkeypatch.setattr("codex_mcp.timeparse.time", clock)
    monkeypatch.setattr("codex_mcp.tools.insights.time", clock)
    days = []
    for day in range(ts("2026-02-01"), TODAY + DAY, DAY):
        results = [cost(6.0, project_id="proj_a", line_item=A_IN), cost(4.0, project_id="proj_b", line_item=B_OUT)]
        if day == ts("2026-03-02"):
            results.append(cost(40.0, project_id="proj_a", line_item=A_O3))
        days.append(bucket(day, results if day < TODAY else [cost(3.0, project_id="proj_a", line_item=A_IN)]))
    httpx_mock.add_response(url=COSTS, json=usage_page(days))
    add_projects(httpx_mock, {"proj_a": "Chat", "proj_b": "Chat"})
    httpx_mock.add_response(url=f"{BASE_URL}/organization/spend_limit", json=spend_limit(10000))
    alerts = [alert(f"alert_{cents}", cents) for cents in (60000, 5000, 50000, 6000)]
    httpx_mock.add_response(url=f"{BASE_URL}/organization/spend_alerts?limit=100", json=listing(alerts))

    result = await call_tool(make_settings(), "codex_get_cost_insights", {"project_ids": ["proj_a", "proj_b"]})

    assert not result.is_error, result_text(result)
    [request] = httpx_mock.get_requests(url=COSTS)
    assert pairs(request) == [
        ("start_time", str(ts("2026-02-01"))),
        ("end_time", str(TODAY + DAY)),
        ("bucket_width", "1d"),
        ("project_ids", "proj_a"),
        ("project_ids", "proj_b"),
        ("group_by", "project_id"),
        ("group_by", "line_item"),
        ("limit", "180"),
    ]
    out = result.structured_content
    assert out is not None
    assert (out["total_usd"], out["today_partial_usd"], out["previous_total_usd"]) == (70.0, 3.0, 30.0)
    assert [p["name"] for p in out["top_projects"]] == ["Chat (proj_a)", "Chat (proj_b)"]
    assert out["month_to_date"]["projected_month_end_usd"] == 510.0
    assert [a["day"] for a in out["anomalies"]] == ["2026-03-02"]
    assert out["filters"] == {"project_ids": ["proj_a", "proj_b"]}
    assert (out["start_time_iso"], out["end_time_iso"]) == ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
    # Two projects: the organization's limit and alerts (the spec's cents, shown in dollars).
    budget = out["budget"]
    assert (budget["scope"], budget["limit_usd"], budget["spent_this_month_usd"]) == ("organization", 100.0, 73.0)
    assert [(a["threshold_usd"], a["crossed"], a["projected_to_cross"]) for a in budget["alerts"]] == [
        (50.0, True, False),
        (60.0, True, False),
        (500.0, False, True),
        (600.0, False, False),
    ]
    assert "organization's limit and alerts are shown" in budget["note"]


@pytest.mark.parametrize("status", [403, 404])
async def test_a_budget_the_key_cannot_read_is_not_available_and_the_rest_stands(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    clock = types.SimpleNamespace(time=lambda: TODAY + 60)
    monkeypatch.setattr("codex_mcp.timeparse.time", clock)
    monkeypatch.setattr("codex_mcp.tools.insights.time", clock)
    days = [
        bucket(day, [cost(10.0, project_id="proj_a", line_item=A_IN)]) for day in range(ts("2026-02-01"), TODAY, DAY)
    ]
    httpx_mock.add_response(url=COSTS, json=usage_page(days))
    add_projects(httpx_mock, {"proj_a": "Chat"})
    refusal = api_error(status, "Missing scopes: api.organization.spend_limits.read")
    httpx_mock.add_response(url=f"{BASE_URL}/organization/projects/proj_a/spend_limit", **refusal)
    httpx_mock.add_response(url=f"{BASE_URL}/organization/projects/proj_a/spend_alerts?limit=100", **refusal)

    result = await call_tool(make_settings(), "codex_get_cost_insights", {"project_ids": "proj_a"})

    assert not result.is_error, result_text(result)
    out = result.structured_content
    assert out is not None
    assert out["budget"]["scope"] == "project proj_a"
    assert out["budget"]["available"] is False
    assert out["budget"]["note"].startswith("Spend limit and alerts are not available: OpenAI API error")
    assert "Missing scopes" in out["budget"]["note"]
    assert out["total_usd"] == 30.0  # Mar 1-3
