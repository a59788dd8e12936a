"""The sample organization's cost anomaly: one day, a fixed number of days before now, costs several normal days."""

from __future__ import annotations

import statistics
from collections import Counter

import httpx
import pytest

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.demo.sample_org import DAY
from codex_mcp.demo.usage_history import SPIKE_DAYS_AGO, SPIKE_PROJECT_NAME
from tests.simulator_support import NOW, TODAY, Pairs, client_for, ok, simulator_fixtures, usage_cost

SPIKE = TODAY - SPIKE_DAYS_AGO * DAY


sim, client = simulator_fixtures("module")


def day_totals(client: httpx.Client, start: int, days: int, pairs: Pairs = ()) -> list[float]:
    page = ok(
        client,
        "/organization/costs",
        [("start_time", start), ("end_time", start + days * DAY), ("limit", days), *pairs],
    )
    return [sum(r["amount"]["value"] for r in bucket["results"]) for bucket in page["data"]]


def test_the_anomaly_day_costs_over_three_times_the_median_of_the_28_days_before(client: httpx.Client) -> None:
    *before, spike = day_totals(client, SPIKE - 28 * DAY, 29)
    median = statistics.median(before)
    assert spike > 3 * median
    weekdays = [t for i, t in enumerate(before) if ((SPIKE - (28 - i) * DAY) // DAY + 3) % 7 < 5]
    assert 3 < spike / statistics.median(weekdays) < 5  # "3-5x a normal weekday"
    assert max(before) < 2 * median  # the only anomaly in the window
    assert round(spike, 2) == 283.63  # pinned for NOW; median 67.83
    assert round(median, 2) == 67.83


@pytest.mark.parametrize("group_by", [["line_item"], ["project_id"], ["api_key_id"], ["project_id", "line_item"]])
def test_grouped_costs_of_the_anomaly_day_sum_to_its_total(client: httpx.Client, group_by: list[str]) -> None:
    [total] = day_totals(client, SPIKE, 1)
    [grouped] = day_totals(client, SPIKE, 1, [("group_by", g) for g in group_by])
    assert grouped == pytest.approx(total, abs=1e-4)


def test_the_anomaly_is_two_line_items_of_one_project(client: httpx.Client, sim_project_names: dict[str, str]) -> None:
    pairs = [("start_time", SPIKE), ("end_time", SPIKE + DAY), ("group_by", "project_id"), ("group_by", "line_item")]
    results = ok(client, "/organization/costs", pairs)["data"][0]["results"]
    top = sorted(results, key=lambda r: -r["amount"]["value"])[:2]
    assert {r["line_item"] for r in top} == {"gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06, output"}
    assert {sim_project_names[r["project_id"]] for r in top} == {SPIKE_PROJECT_NAME}
    week_before = ok(client, "/organization/costs", [(k, v - 7 * DAY if k.endswith("time") else v) for k, v in pairs])
    usual = Counter[tuple[str, str]]()
    for r in week_before["data"][0]["results"]:
        usual[(r["project_id"], r["line_item"])] += r["amount"]["value"]
    jump = sum(r["amount"]["value"] - usual[(r["project_id"], r["line_item"])] for r in top)
    [total] = day_totals(client, SPIKE, 1)
    [usual_total] = day_totals(client, SPIKE - 7 * DAY, 1)
    assert jump > 0.9 * (total - usual_total)  # the two line items carry the jump


@pytest.fixture(scope="module")
def sim_project_names(client: httpx.Client) -> dict[str, str]:
    projects = ok(client, "/organization/projects", [("limit", 100), ("include_archived", "true")])["data"]
    return {p["id"]: p["name"] for p in projects}


def test_the_anomaly_costs_follow_from_the_usage_that_drives_them(
    client: httpx.Client, sim_project_names: dict[str, str]
) -> None:
    [project_id] = [i for i, name in sim_project_names.items() if name == SPIKE_PROJECT_NAME]
    day = [("start_time", SPIKE), ("end_time", SPIKE + DAY), ("project_ids", project_id)]
    expected = usage_cost(client, day)
    [cost] = day_totals(client, SPIKE, 1, [("project_ids", project_id)])
    assert cost == pytest.approx(expected, abs=1e-5)
    hours = ok(
        client, "/organization/usage/completions", [*day[:1], ("bucket_width", "1h"), ("project_ids", project_id)]
    )
    busy = [b["start_time"] for b in hours["data"] if b["results"] and b["results"][0]["input_tokens"] > 5_000_000]
    assert busy
    assert all(SPIKE + 3600 <= t < SPIKE + 8 * 3600 for t in busy)  # a runaway job from 01:00 to 08:00


def test_the_anomaly_stays_nine_days_before_now() -> None:
    later = NOW + 40 * DAY
    with client_for(AdminAPISimulator(now=later)) as c:
        spike = later - later % DAY - SPIKE_DAYS_AGO * DAY
        *before, total = day_totals(c, spike - 28 * DAY, 29)
        assert total > 3 * statistics.median(before)
        [old_spike_day] = day_totals(c, SPIKE, 1)
    assert old_spike_day < 2 * statistics.median(before)  # the date itself is ordinary under another `now`
