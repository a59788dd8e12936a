"""Spend limits, spend alerts (in cents) and project rate limits in the simulator follow the spec."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.demo.entities import Project
from codex_mcp.demo.sample_budgets import MODEL_RATE_LIMITS, month_bounds
from codex_mcp.demo.sample_org import DAY
from codex_mcp.demo.usage_history import SPIKE_PROJECT_NAME
from tests.simulator_support import NOW, error_of, get, ok, schema_errors, simulator_fixtures, walk_list

ORG_LIMIT = "/organization/spend_limit"
PROJECT_LIMIT = "/organization/projects/{project_id}/spend_limit"
ORG_ALERTS = "/organization/spend_alerts"
ORG_ALERT = "/organization/spend_alerts/{alert_id}"
PROJECT_ALERTS = "/organization/projects/{project_id}/spend_alerts"
PROJECT_ALERT = "/organization/projects/{project_id}/spend_alerts/{alert_id}"
RATE_LIMITS = "/organization/projects/{project_id}/rate_limits"
RATE_LIMIT = "/organization/projects/{project_id}/rate_limits/{rate_limit_id}"
ALERT = {
    "threshold_amount": 250_000,
    "currency": "USD",
    "interval": "month",
    "notification_channel": {"type": "email", "recipients": ["ops@example.com"], "subject_prefix": "[spend]"},
}


sim, client = simulator_fixtures()


def named(sim: AdminAPISimulator, name: str) -> Project:
    return next(p for p in sim.org.projects if p.name == name)


def month_to_date_cents(client: httpx.Client, project_id: str | None = None) -> int:
    """This month's spend so far, from the costs endpoint, in cents."""
    start, _end = month_bounds(NOW)
    pairs: list[tuple[str, str | int]] = [("start_time", start), ("limit", 31)]
    if project_id:
        pairs.append(("project_ids", project_id))
    page = ok(client, "/organization/costs", pairs)
    return int(sum(r["amount"]["value"] for b in page["data"] for r in b["results"]) * 100)


# --------------------------------------------------------------------------- spend limits


def test_the_organization_spend_limit_is_4000_dollars_in_cents(client: httpx.Client) -> None:
    limit = ok(client, ORG_LIMIT)
    assert schema_errors("GET", ORG_LIMIT, limit) == []
    assert limit == {
        "object": "organization.spend_limit",
        "threshold_amount": 400_000,
        "currency": "USD",
        "interval": "month",
        "enforcement": {"status": "inactive"},
    }


def test_setting_the_limit_below_the_month_spend_enforces_it(client: httpx.Client) -> None:
    spent = month_to_date_cents(client)
    assert spent == pytest.approx(120_257, abs=2)  # $1,202.57 spent by NOW this month
    lower = client.post(ORG_LIMIT, json={"threshold_amount": 100_000, "currency": "USD", "interval": "month"})
    assert lower.status_code == 200, lower.text
    assert schema_errors("POST", ORG_LIMIT, lower.json()) == []
    assert lower.json()["enforcement"] == {"status": "enforcing"}
    assert ok(client, ORG_LIMIT)["threshold_amount"] == 100_000
    deleted = client.delete(ORG_LIMIT).json()
    assert deleted == {"object": "organization.spend_limit.deleted", "deleted": True}
    assert schema_errors("DELETE", ORG_LIMIT, deleted) == []
    assert error_of(get(client, ORG_LIMIT), 404)["code"] == "spend_limit_not_found"
    assert error_of(client.delete(ORG_LIMIT), 404)["code"] == "spend_limit_not_found"
    again = client.post(ORG_LIMIT, json={"threshold_amount": 500_000, "currency": "USD", "interval": "month"})
    assert again.json()["enforcement"] == {"status": "inactive"}


BAD_LIMITS = [
    ({"currency": "USD", "interval": "month"}, "threshold_amount"),
    ({"threshold_amount": 0, "currency": "USD", "interval": "month"}, "threshold_amount"),
    ({"threshold_amount": 10.5, "currency": "USD", "interval": "month"}, "threshold_amount"),
    ({"threshold_amount": "100", "currency": "USD", "interval": "month"}, "threshold_amount"),
    ({"threshold_amount": 100, "currency": "EUR", "interval": "month"}, "currency"),
    ({"threshold_amount": 100, "currency": "USD", "interval": "year"}, "interval"),
    ({"threshold_amount": 100, "currency": "USD"}, "interval"),
    ({"threshold_amount": 100, "currency": "USD", "interval": "month", "hard": True}, "hard"),
]


@pytest.mark.parametrize(("body", "param"), BAD_LIMITS)
def test_bad_spend_limit_bodies_are_400(
    client: httpx.Client, sim: AdminAPISimulator, body: dict[str, Any], param: str
) -> None:
    active = next(p for p in sim.org.projects[1:] if p.archived_at is None)
    for path in (ORG_LIMIT, f"/organization/projects/{active.id}/spend_limit"):
        assert error_of(client.post(path, json=body), 400)["param"] == param
    assert ok(client, ORG_LIMIT)["threshold_amount"] == 400_000


def test_two_projects_have_spend_limits(client: httpx.Client, sim: AdminAPISimulator) -> None:
    spike = named(sim, SPIKE_PROJECT_NAME)
    limits = {}
    for project in sim.org.projects:
        response = get(client, f"/organization/projects/{project.id}/spend_limit")
        if response.status_code == 200:
            assert schema_errors("GET", PROJECT_LIMIT, response.json()) == []
            limits[project.name] = response.json()["threshold_amount"]
        else:
            assert error_of(response, 404)["code"] == "spend_limit_not_found"
    assert limits == {SPIKE_PROJECT_NAME: 70_000, "Chat Widget": 80_000}
    assert month_to_date_cents(client, spike.id) == pytest.approx(24_983, abs=2)  # the anomaly is in June
    path = f"/organization/projects/{spike.id}/spend_limit"
    lowered = client.post(path, json={"threshold_amount": 20_000, "currency": "USD", "interval": "month"}).json()
    assert schema_errors("POST", PROJECT_LIMIT, lowered) == []
    assert lowered == {
        "object": "project.spend_limit",
        "threshold_amount": 20_000,
        "currency": "USD",
        "interval": "month",
        "enforcement": {"status": "enforcing"},
    }
    deleted = client.delete(path).json()
    assert deleted == {"object": "project.spend_limit.deleted", "deleted": True}
    assert schema_errors("DELETE", PROJECT_LIMIT, deleted) == []
    assert get(client, path).status_code == 404
    assert ok(client, ORG_LIMIT)["threshold_amount"] == 400_000  # the organization's limit is its own
    assert error_of(get(client, "/organization/projects/proj_nope/spend_limit"), 404)["code"] == "project_not_found"
    archived = next(p for p in sim.org.projects if p.archived_at is not None)
    body = {"threshold_amount": 100, "currency": "USD", "interval": "month"}
    archived_path = f"/organization/projects/{archived.id}/spend_limit"
    assert error_of(client.post(archived_path, json=body), 400)["code"] == "project_archived"


# --------------------------------------------------------------------------- spend alerts


def test_organization_alerts_straddle_the_month_spend_and_its_projection(client: httpx.Client) -> None:
    page = ok(client, ORG_ALERTS)
    assert schema_errors("GET", ORG_ALERTS, page) == []
    thresholds = sorted(a["threshold_amount"] for a in page["data"])
    assert thresholds == [60_000, 100_000, 180_000, 320_000]  # $600, $1,000, $1,800, $3,200
    spent = month_to_date_cents(client)
    start, end = month_bounds(NOW)
    projected = spent * (end - start) / (NOW - start)
    assert [t <= spent for t in thresholds] == [True, True, False, False]
    assert [t <= projected for t in thresholds] == [True, True, True, False]
    assert all(a["notification_channel"]["recipients"][0] == "finance@example.com" for a in page["data"])
    assert all(a["object"] == "organization.spend_alert" for a in page["data"])


def test_project_alerts(client: httpx.Client, sim: AdminAPISimulator) -> None:
    for name, expected in ((SPIKE_PROJECT_NAME, [19_000, 56_000]), ("Chat Widget", [21_000, 64_000])):
        project = named(sim, name)
        page = ok(client, f"/organization/projects/{project.id}/spend_alerts")
        assert schema_errors("GET", PROJECT_ALERTS, page) == []
        assert sorted(a["threshold_amount"] for a in page["data"]) == expected
        assert {a["object"] for a in page["data"]} == {"project.spend_alert"}
        one = ok(client, f"/organization/projects/{project.id}/spend_alerts/{page['data'][0]['id']}")
        assert schema_errors("GET", PROJECT_ALERT, one) == []
    quiet = sim.org.projects[3]
    assert ok(client, f"/organization/projects/{quiet.id}/spend_alerts")["data"] == []


@pytest.mark.parametrize("scope", ["organization", "project"])
def test_alerts_are_created_replaced_and_deleted(client: httpx.Client, sim: AdminAPISimulator, scope: str) -> None:
    project = named(sim, "Chat Widget")
    base = ORG_ALERTS if scope == "organization" else f"/organization/projects/{project.id}/spend_alerts"
    collection, item = (ORG_ALERTS, ORG_ALERT) if scope == "organization" else (PROJECT_ALERTS, PROJECT_ALERT)
    before = [a["id"] for a in ok(client, base)["data"]]
    created = client.post(base, json=ALERT)
    assert created.status_code == 200, created.text
    alert = created.json()
    assert schema_errors("POST", collection, alert) == []
    assert alert["id"].startswith("alert_")
    assert (alert["object"], alert["threshold_amount"]) == (f"{scope}.spend_alert", 250_000)
    assert alert["notification_channel"] == ALERT["notification_channel"]
    assert [a["id"] for a in ok(client, base)["data"]] == [*before, alert["id"]]
    assert ok(client, f"{base}/{alert['id']}") == alert

    replaced_body = {
        **ALERT,
        "threshold_amount": 275_000,
        "notification_channel": {"type": "email", "recipients": ["a@example.com", "b@example.com"]},
    }
    replaced = client.post(f"{base}/{alert['id']}", json=replaced_body).json()
    assert schema_errors("POST", item, replaced) == []
    assert replaced["threshold_amount"] == 275_000
    assert replaced["notification_channel"] == {
        "type": "email",
        "recipients": ["a@example.com", "b@example.com"],
        "subject_prefix": None,
    }
    assert ok(client, f"{base}/{alert['id']}") == replaced
    partial = {"threshold_amount": 1}  # an update takes the whole alert
    assert error_of(client.post(f"{base}/{alert['id']}", json=partial), 400)["param"] == "currency"

    deleted = client.delete(f"{base}/{alert['id']}").json()
    assert deleted == {"id": alert["id"], "object": f"{scope}.spend_alert.deleted", "deleted": True}
    assert schema_errors("DELETE", item, deleted) == []
    assert error_of(get(client, f"{base}/{alert['id']}"), 404)["code"] == "spend_alert_not_found"
    assert error_of(client.delete(f"{base}/{alert['id']}"), 404)["code"] == "spend_alert_not_found"
    assert [a["id"] for a in ok(client, base)["data"]] == before


def test_alert_lists_page_both_ways(client: httpx.Client) -> None:
    for threshold in range(1, 6):
        assert client.post(ORG_ALERTS, json={**ALERT, "threshold_amount": threshold * 1000}).status_code == 200
    everything = ok(client, ORG_ALERTS)["data"]
    assert len(everything) == 9
    walked, pages = walk_list(client, ORG_ALERTS, limit=2)
    assert (walked, pages) == (everything, 5)
    newest_first = ok(client, ORG_ALERTS, [("order", "desc"), ("limit", 100)])["data"]
    assert newest_first == everything[::-1]
    later = ok(client, ORG_ALERTS, [("limit", 3), ("after", everything[2]["id"])])
    back = ok(client, ORG_ALERTS, [("limit", 3), ("before", later["first_id"])])
    assert back["data"] == everything[:3]
    assert back["has_more"] is False
    assert ok(client, ORG_ALERTS, [("limit", 0)])["data"] == []
    for name, value in (("limit", 101), ("order", "up"), ("after", "alert_nope"), ("before", "alert_nope")):
        assert error_of(get(client, ORG_ALERTS, [(name, value)]), 400)["param"] == name


def channel(**fields: Any) -> dict[str, Any]:
    return {**ALERT, "notification_channel": {"type": "email", "recipients": ["ops@example.com"], **fields}}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({k: v for k, v in ALERT.items() if k != "notification_channel"}, "notification_channel"),
        ({**ALERT, "threshold_amount": -1}, "threshold_amount"),
        ({**ALERT, "threshold_amount": None}, "threshold_amount"),
        ({**ALERT, "currency": "usd"}, "currency"),
        (channel(type="sms"), "notification_channel.type"),
        (channel(recipients=["ops@example.com", "not an email"]), "notification_channel.recipients[1]"),
        (channel(recipients=[]), "notification_channel.recipients"),
        (channel(recipients="ops@example.com"), "notification_channel.recipients"),
        (channel(recipients=[7]), "notification_channel.recipients[0]"),
        (channel(cc=["x@example.com"]), "notification_channel.cc"),
        ({**ALERT, "notification_channel": "email"}, "notification_channel"),
        ({**ALERT, "enabled": True}, "enabled"),
    ],
)
def test_bad_alert_bodies_are_400_naming_the_param(client: httpx.Client, body: dict[str, Any], param: str) -> None:
    error = error_of(client.post(ORG_ALERTS, json=body), 400)
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"
    assert len(ok(client, ORG_ALERTS)["data"]) == 4


def test_alert_paths_that_name_nothing_are_404(client: httpx.Client, sim: AdminAPISimulator) -> None:
    org_alert = ok(client, ORG_ALERTS)["data"][0]["id"]
    project = named(sim, "Chat Widget")
    assert (
        error_of(get(client, f"/organization/projects/{project.id}/spend_alerts/{org_alert}"), 404)["code"]
        == "spend_alert_not_found"
    )
    assert error_of(get(client, "/organization/projects/proj_nope/spend_alerts"), 404)["code"] == "project_not_found"
    assert error_of(client.post(f"{ORG_ALERTS}/alert_nope", json=ALERT), 404)["code"] == "spend_alert_not_found"


# --------------------------------------------------------------------------- rate limits


def test_every_project_has_a_rate_limit_per_model(client: httpx.Client, sim: AdminAPISimulator) -> None:
    project = named(sim, "Chat Widget")
    path = f"/organization/projects/{project.id}/rate_limits"
    page = ok(client, path)
    assert schema_errors("GET", RATE_LIMITS, page) == []
    limits = page["data"]
    assert [r["model"] for r in limits] == list(MODEL_RATE_LIMITS)
    assert all(r["id"] == f"rl-{r['model']}" and r["object"] == "project.rate_limit" for r in limits)
    assert all(r["max_requests_per_1_minute"] > 0 and r["max_tokens_per_1_minute"] > 0 for r in limits)
    by_model = {r["model"]: r for r in limits}
    assert by_model["gpt-image-1"]["max_images_per_1_minute"] == 250
    assert "max_images_per_1_minute" not in by_model["gpt-4o-2024-08-06"]
    walked, pages = walk_list(client, path, limit=5)
    assert walked == limits
    assert pages == -(-len(limits) // 5)
    back = ok(client, path, [("limit", 2), ("before", limits[4]["id"])])
    assert back["data"] == limits[2:4]
    assert error_of(get(client, path, [("order", "asc")]), 400)["param"] == "order"
    sandbox = ok(client, f"/organization/projects/{named(sim, 'Research Sandbox').id}/rate_limits")["data"]
    assert sandbox[0]["max_requests_per_1_minute"] == limits[0]["max_requests_per_1_minute"] // 10


def test_updating_a_rate_limit(client: httpx.Client, sim: AdminAPISimulator) -> None:
    project = named(sim, "Chat Widget")
    path = f"/organization/projects/{project.id}/rate_limits/rl-gpt-4o-2024-08-06"
    updated = client.post(path, json={"max_requests_per_1_minute": 500, "batch_1_day_max_input_tokens": 1_000_000})
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert schema_errors("POST", RATE_LIMIT, body) == []
    assert (body["max_requests_per_1_minute"], body["batch_1_day_max_input_tokens"]) == (500, 1_000_000)
    assert body["max_tokens_per_1_minute"] == 30_000_000
    listed = ok(client, f"/organization/projects/{project.id}/rate_limits")["data"]
    assert next(r for r in listed if r["id"] == "rl-gpt-4o-2024-08-06") == body
    other = ok(client, f"/organization/projects/{named(sim, 'Fraud Review').id}/rate_limits")["data"]
    assert other[0]["max_requests_per_1_minute"] == 10_000  # another project's limit did not move
    event = ok(client, "/organization/audit_logs", [("limit", 1)])["data"][0]
    assert event["type"] == "rate_limit.updated"
    assert event["rate_limit.updated"] == {
        "id": "rl-gpt-4o-2024-08-06",
        "changes_requested": {"max_requests_per_1_minute": 500, "batch_1_day_max_input_tokens": 1_000_000},
    }
    assert event["project"]["id"] == project.id


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"max_images_per_1_minute": 5}, "max_images_per_1_minute"),  # not a limit of a text model
        ({"max_requests_per_1_minute": 20_000}, "max_requests_per_1_minute"),  # above the organization's limit
        ({"max_requests_per_1_minute": 0}, "max_requests_per_1_minute"),
        ({"max_tokens_per_1_minute": "lots"}, "max_tokens_per_1_minute"),
        ({"max_requests_per_1_hour": 5}, "max_requests_per_1_hour"),
    ],
)
def test_bad_rate_limit_updates_are_400(
    client: httpx.Client, sim: AdminAPISimulator, body: dict[str, Any], param: str
) -> None:
    path = f"/organization/projects/{named(sim, 'Chat Widget').id}/rate_limits/rl-gpt-4o-2024-08-06"
    assert error_of(client.post(path, json=body), 400)["param"] == param


def test_rate_limit_paths_that_name_nothing(client: httpx.Client, sim: AdminAPISimulator) -> None:
    project = named(sim, "Chat Widget")
    missing = client.post(f"/organization/projects/{project.id}/rate_limits/rl-nope", json={})
    assert error_of(missing, 404)["code"] == "rate_limit_not_found"
    assert error_of(get(client, "/organization/projects/proj_nope/rate_limits"), 404)["code"] == "project_not_found"
    archived = next(p for p in sim.org.projects if p.archived_at is not None)
    path = f"/organization/projects/{archived.id}/rate_limits/rl-gpt-4o-2024-08-06"
    assert error_of(client.post(path, json={"max_requests_per_1_minute": 5}), 400)["code"] == "project_archived"


def test_budgets_follow_the_month_of_now() -> None:
    """In any month two alerts have fired, the projection crosses a third, and the limit sits above it."""
    for now in (NOW + 9 * DAY, NOW + 20 * DAY, NOW + 100 * DAY + 12345):
        org = AdminAPISimulator(now=now).org
        budgets = org.budgets
        spent = budgets.spent_this_month()
        projected = budgets.project_cents(spent)
        thresholds = sorted(a.threshold_amount for a in budgets.spend_alerts)
        assert [t <= spent for t in thresholds] == [True, True, False, False]
        assert [t <= projected for t in thresholds] == [True, True, True, False]
        assert budgets.spend_limit is not None
        assert budgets.spend_limit.threshold_amount > projected
