"""The `budgets` toolset: spend limits and spend alerts in dollars (cents on the wire), rate limits; the exact
requests, paging, the update that reads first, refusals before any request, confirmation questions (the rest:
tests/test_confirm.py), the demo and stdio."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from pytest_httpx import HTTPXMock

from codex_mcp.client import AdminClient
from codex_mcp.demo import AdminAPISimulator
from codex_mcp.server import create_server
from codex_mcp.tools import CHANGE, CREATE, READ, UPDATE
from tests.builders import ALERT, alert, api_error, listing, pairs, spend_limit
from tests.conftest import BASE_URL, TEST_KEY, call_tool, find_nulls, make_settings, result_text
from tests.simulator_support import NOW
from tests.test_confirm import Asker, recording_simulator
from tests.test_toolsets import clean_environment

BUDGETS = {"toolsets": "budgets"}
PROJECT = "proj_abc123"


# ---- helpers -------------------------------------------------------------------------------------------------------


def sent(request: httpx.Request, method: str, path: str) -> None:
    assert (request.method, request.url.path) == (method, f"/v1{path}")
    assert str(request.url).split("?")[0] == f"{BASE_URL}{path}"
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"


def body(request: httpx.Request) -> Any:
    assert request.headers["Content-Type"] == "application/json"
    return json.loads(request.content)


def scope(project_id: str | None) -> str:
    return "/organization" if project_id is None else f"/organization/projects/{project_id}"


async def call(name: str, arguments: dict[str, Any], **overrides: Any) -> Any:
    result = await call_tool(make_settings(**{**BUDGETS, **overrides}), name, arguments)
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    assert find_nulls(result.structured_content) == []
    assert TEST_KEY not in result_text(result)
    return result.structured_content


async def refused(name: str, arguments: dict[str, Any], **overrides: Any) -> str:
    result = await call_tool(make_settings(**{**BUDGETS, **overrides}), name, arguments)
    assert result.is_error
    text = result_text(result)
    assert TEST_KEY not in text
    return text


BOTH_SCOPES = pytest.mark.parametrize("project_id", [None, PROJECT], ids=["organization", "project"])


# ---- spend limits --------------------------------------------------------------------------------------------------


@BOTH_SCOPES
async def test_get_spend_limit_gives_the_cents_in_dollars(httpx_mock: HTTPXMock, project_id: str | None) -> None:
    httpx_mock.add_response(json=spend_limit(123456, project_id=project_id, status="enforcing"))

    out = await call("codex_get_spend_limit", {"project_id": project_id} if project_id else {})

    [request] = httpx_mock.get_requests()
    sent(request, "GET", f"{scope(project_id)}/spend_limit")
    assert request.url.query == b""
    expected = {
        "scope": "organization" if project_id is None else "project",
        "limit_set": True,
        "amount_usd": 1234.56,
        "currency": "USD",
        "interval": "month",
        "enforcement_status": "enforcing",
    }
    assert out == ({**expected, "project_id": project_id} if project_id else expected)


@BOTH_SCOPES
async def test_a_spend_limit_that_is_not_set_is_an_answer(httpx_mock: HTTPXMock, project_id: str | None) -> None:
    httpx_mock.add_response(**api_error(404, "No hard spend limit is set.", "spend_limit_not_found"))

    out = await call("codex_get_spend_limit", {"project_id": project_id} if project_id else {})

    assert out["limit_set"] is False
    assert "amount_usd" not in out
    whose = "the organization" if project_id is None else f"project {project_id}"
    assert out["note"] == f"No hard spend limit is set for {whose}."


async def test_a_missing_project_is_an_error_not_an_unset_limit(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(404, "Project not found", "project_not_found", "req_404"))

    text = await refused("codex_get_spend_limit", {"project_id": PROJECT})

    assert "404" in text
    assert "Project not found" in text
    assert "req_404" in text


@BOTH_SCOPES
async def test_set_spend_limit_sends_dollars_as_cents(httpx_mock: HTTPXMock, project_id: str | None) -> None:
    httpx_mock.add_response(json=spend_limit(123456, project_id=project_id))

    arguments: dict[str, Any] = {"amount_usd": 1234.56}
    out = await call("codex_set_spend_limit", {**arguments, "project_id": project_id} if project_id else arguments)

    [request] = httpx_mock.get_requests()  # no confirmation lookups: this client cannot be asked
    sent(request, "POST", f"{scope(project_id)}/spend_limit")
    assert body(request) == {"threshold_amount": 123456, "currency": "USD", "interval": "month"}
    assert (out["limit_set"], out["amount_usd"]) == (True, 1234.56)


@pytest.mark.parametrize(("given", "cents"), [(5000, 500000), (0.29, 29), ("$1,234.56", 123456), (19.99, 1999)])
async def test_set_spend_limit_converts_exactly(httpx_mock: HTTPXMock, given: Any, cents: int) -> None:
    httpx_mock.add_response(json=spend_limit(cents))

    out = await call("codex_set_spend_limit", {"amount_usd": given})

    assert body(httpx_mock.get_requests()[0])["threshold_amount"] == cents
    assert Decimal(str(out["amount_usd"])) * 100 == cents


async def test_set_spend_limit_replaces_so_a_500_is_retried(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(500, "The server had an error."))
    httpx_mock.add_response(json=spend_limit(500000))

    out = await call("codex_set_spend_limit", {"amount_usd": 5000})

    assert out["amount_usd"] == 5000
    assert [body(r)["threshold_amount"] for r in httpx_mock.get_requests()] == [500000, 500000]


@BOTH_SCOPES
async def test_delete_spend_limit(httpx_mock: HTTPXMock, project_id: str | None) -> None:
    kind = "organization" if project_id is None else "project"
    httpx_mock.add_response(json={"object": f"{kind}.spend_limit.deleted", "deleted": True})

    out = await call("codex_delete_spend_limit", {"project_id": project_id} if project_id else {})

    [request] = httpx_mock.get_requests()
    sent(request, "DELETE", f"{scope(project_id)}/spend_limit")
    assert request.content == b""
    assert out == {"scope": kind, "deleted": True, **({"project_id": project_id} if project_id else {})}


async def test_deleting_a_spend_limit_that_is_not_set_says_so(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(404, "No hard spend limit is set.", "spend_limit_not_found"))

    out = await call("codex_delete_spend_limit", {})

    assert out["deleted"] is False
    assert out["note"] == "No hard spend limit is set for the organization, so there was nothing to delete."


async def test_a_spend_limit_gone_after_a_retried_delete_is_not_called_never_set(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=500, json={"error": {"message": "Internal error."}})
    httpx_mock.add_response(**api_error(404, "No hard spend limit is set.", "spend_limit_not_found"))

    out = await call("codex_delete_spend_limit", {"project_id": "proj_abc"})

    assert len(httpx_mock.get_requests()) == 2
    assert "deleted" not in out, "unknown: the first attempt may have removed it"
    assert out["note"] == (
        "No hard spend limit is set for project proj_abc now. The first attempt got no answer and was retried, so "
        "it was most likely that attempt that removed it (codex_get_spend_limit shows the state)."
    )


# ---- spend alerts --------------------------------------------------------------------------------------------------


@BOTH_SCOPES
async def test_list_spend_alerts_gives_one_page_in_dollars(httpx_mock: HTTPXMock, project_id: str | None) -> None:
    alerts = [alert("alert_1", 180000, project_id=project_id), alert("alert_2", 5, prefix=None)]
    httpx_mock.add_response(json=listing(alerts, has_more=True))

    arguments: dict[str, Any] = {"limit": 2, "after": "alert_0"}
    out = await call("codex_list_spend_alerts", {**arguments, "project_id": project_id} if project_id else arguments)

    [request] = httpx_mock.get_requests()
    sent(request, "GET", f"{scope(project_id)}/spend_alerts")
    assert pairs(request) == [("limit", "2"), ("after", "alert_0")]
    assert (out["count"], out["has_more"], out["next_after"]) == (2, True, "alert_2")
    assert out["data"] == [
        {
            "id": "alert_1",
            "threshold_usd": 1800.0,
            "interval": "month",
            "currency": "USD",
            "recipients": ["finance@example.com"],
            "subject_prefix": "OpenAI spend alert",
        },
        {
            "id": "alert_2",
            "threshold_usd": 0.05,
            "interval": "month",
            "currency": "USD",
            "recipients": ["finance@example.com"],
        },
    ]
    assert "threshold_amount" not in json.dumps(out)  # dollars only: cents would be read as dollars


async def test_list_spend_alerts_last_page(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=listing([alert()]))

    out = await call("codex_list_spend_alerts", {})

    assert pairs(httpx_mock.get_requests()[0]) == [("limit", "20")]
    assert (out["count"], out["has_more"]) == (1, False)
    assert "next_after" not in out


@BOTH_SCOPES
@pytest.mark.parametrize("prefix", [None, "[spend]"])
async def test_create_spend_alert_sends_cents_and_the_channel(
    httpx_mock: HTTPXMock, project_id: str | None, prefix: str | None
) -> None:
    httpx_mock.add_response(json=alert("alert_new", 180000, project_id=project_id, recipients=("a@example.com",)))

    arguments: dict[str, Any] = {"threshold_usd": 1800, "recipients": ["a@example.com"]}
    if prefix is not None:
        arguments["subject_prefix"] = prefix
    if project_id is not None:
        arguments["project_id"] = project_id
    out = await call("codex_create_spend_alert", arguments)

    [request] = httpx_mock.get_requests()
    sent(request, "POST", f"{scope(project_id)}/spend_alerts")
    channel: dict[str, Any] = {"type": "email", "recipients": ["a@example.com"]}
    if prefix is not None:
        channel["subject_prefix"] = prefix
    assert body(request) == {
        "threshold_amount": 180000,
        "currency": "USD",
        "interval": "month",
        "notification_channel": channel,
    }
    assert (out["id"], out["threshold_usd"]) == ("alert_new", 1800.0)


async def test_create_spend_alert_accepts_one_recipient_as_text(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=alert(cents=0))

    await call("codex_create_spend_alert", {"threshold_usd": 0, "recipients": "finance@example.com"})

    assert body(httpx_mock.get_requests()[0])["notification_channel"]["recipients"] == ["finance@example.com"]
    assert body(httpx_mock.get_requests()[0])["threshold_amount"] == 0


async def test_create_spend_alert_is_not_retried_on_500(httpx_mock: HTTPXMock) -> None:
    """A 500 after a create may mean it was created: sending it again could make a duplicate alert."""
    httpx_mock.add_response(**api_error(500, "The server had an error.", request_id="req_create"))

    text = await refused(
        "codex_create_spend_alert", {"threshold_usd": 10, "recipients": ["a@example.com"]}, max_retries=3
    )

    assert len(httpx_mock.get_requests()) == 1
    assert "req_create" in text
    assert "the spend alert may have been created anyway" in text
    assert "codex_list_spend_alerts" in text


UPDATES = [
    pytest.param({"threshold_usd": 2500.5}, {"threshold_amount": 250050}, id="threshold"),
    pytest.param(
        {"recipients": ["ops@example.com", "cfo@example.com"]},
        {"recipients": ["ops@example.com", "cfo@example.com"]},
        id="recipients",
    ),
    pytest.param({"subject_prefix": "[budget]"}, {"subject_prefix": "[budget]"}, id="prefix"),
    pytest.param({"subject_prefix": ""}, {"subject_prefix": None}, id="prefix-removed"),
    pytest.param(
        {"threshold_usd": 0.29, "recipients": ["ops@example.com"], "subject_prefix": "x"},
        {"threshold_amount": 29, "recipients": ["ops@example.com"], "subject_prefix": "x"},
        id="everything",
    ),
]


@BOTH_SCOPES
@pytest.mark.parametrize(("changes", "changed"), UPDATES)
async def test_update_spend_alert_reads_the_alert_and_sends_all_of_it(
    httpx_mock: HTTPXMock, project_id: str | None, changes: dict[str, Any], changed: dict[str, Any]
) -> None:
    before = alert(cents=180000, project_id=project_id, recipients=("finance@example.com", "emma@example.com"))
    httpx_mock.add_response(method="GET", json=before)
    channel = {**before["notification_channel"], **{k: v for k, v in changed.items() if k != "threshold_amount"}}
    after = {**before, "threshold_amount": changed.get("threshold_amount", 180000), "notification_channel": channel}
    httpx_mock.add_response(method="POST", json=after)

    arguments = {"alert_id": ALERT, **changes, **({"project_id": project_id} if project_id else {})}
    out = await call("codex_update_spend_alert", arguments)

    read, write = httpx_mock.get_requests()
    sent(read, "GET", f"{scope(project_id)}/spend_alerts/{ALERT}")
    sent(write, "POST", f"{scope(project_id)}/spend_alerts/{ALERT}")
    assert body(write) == {
        "threshold_amount": after["threshold_amount"],
        "currency": "USD",
        "interval": "month",
        "notification_channel": channel,
    }
    assert out["threshold_usd"] == float(Decimal(after["threshold_amount"]) / 100)
    assert out["recipients"] == channel["recipients"]


async def test_an_unknown_alert_says_where_it_was_looked_for(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(404, "No such spend alert: alert_abc123", "spend_alert_not_found"))

    text = await refused("codex_delete_spend_alert", {"alert_id": ALERT, "project_id": PROJECT})

    assert "No such spend alert" in text
    assert f"No alert {ALERT} among the alerts of project {PROJECT}" in text
    assert "codex_list_spend_alerts" in text


@BOTH_SCOPES
async def test_delete_spend_alert(httpx_mock: HTTPXMock, project_id: str | None) -> None:
    kind = "organization" if project_id is None else "project"
    httpx_mock.add_response(json={"id": ALERT, "object": f"{kind}.spend_alert.deleted", "deleted": True})

    out = await call(
        "codex_delete_spend_alert", {"alert_id": ALERT, **({"project_id": project_id} if project_id else {})}
    )

    [request] = httpx_mock.get_requests()
    sent(request, "DELETE", f"{scope(project_id)}/spend_alerts/{ALERT}")
    assert out == {"object": f"{kind}.spend_alert.deleted", "id": ALERT, "deleted": True}


# ---- rate limits ---------------------------------------------------------------------------------------------------


def rate_limit(model: str, **limits: int) -> dict[str, Any]:
    values = {"max_requests_per_1_minute": 10000, "max_tokens_per_1_minute": 30_000_000, **limits}
    return {"object": "project.rate_limit", "id": f"rl-{model}", "model": model, **values}


async def test_list_rate_limits_one_page(httpx_mock: HTTPXMock) -> None:
    limits = [rate_limit("gpt-4.1-mini", batch_1_day_max_input_tokens=15_000_000_000), rate_limit("gpt-image-1")]
    httpx_mock.add_response(json=listing(limits, has_more=True))

    out = await call("codex_list_rate_limits", {"project_id": PROJECT})

    [request] = httpx_mock.get_requests()
    sent(request, "GET", f"/organization/projects/{PROJECT}/rate_limits")
    assert pairs(request) == [("limit", "100")]
    assert (out["count"], out["has_more"], out["next_after"]) == (2, True, "rl-gpt-image-1")
    assert out["data"][0] == limits[0]


async def test_list_rate_limits_next_page(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=listing([rate_limit("o3")]))

    out = await call("codex_list_rate_limits", {"project_id": PROJECT, "limit": 5, "after": "rl-gpt-image-1"})

    assert pairs(httpx_mock.get_requests()[0]) == [("limit", "5"), ("after", "rl-gpt-image-1")]
    assert out["has_more"] is False


async def test_update_rate_limit_sends_only_the_limits_given(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=rate_limit("gpt-4.1-mini", max_requests_per_1_minute=500))

    out = await call(
        "codex_update_rate_limit",
        {
            "project_id": PROJECT,
            "rate_limit_id": "rl-gpt-4.1-mini",
            "max_requests_per_1_minute": 500,
            "batch_1_day_max_input_tokens": 1_000_000,
        },
    )

    [request] = httpx_mock.get_requests()
    sent(request, "POST", f"/organization/projects/{PROJECT}/rate_limits/rl-gpt-4.1-mini")
    assert body(request) == {"max_requests_per_1_minute": 500, "batch_1_day_max_input_tokens": 1_000_000}
    assert out["max_requests_per_1_minute"] == 500


# ---- annotations ---------------------------------------------------------------------------------------------------

ANNOTATIONS = {
    "codex_get_spend_limit": READ,
    "codex_set_spend_limit": CHANGE,
    "codex_delete_spend_limit": CHANGE,
    "codex_list_spend_alerts": READ,
    "codex_create_spend_alert": CREATE,
    "codex_update_spend_alert": UPDATE,
    "codex_delete_spend_alert": CHANGE,
    "codex_list_rate_limits": READ,
    "codex_update_rate_limit": UPDATE,
}


async def test_the_toolset_has_these_tools_with_these_annotations() -> None:
    async with Client(create_server(make_settings(**BUDGETS))) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert list(tools) == list(ANNOTATIONS)
    for name, preset in ANNOTATIONS.items():
        assert tools[name].annotations == preset, name
        assert "confirmation" not in json.dumps(tools[name].input_schema)  # filled by asking, never by the model
    for name in ("codex_set_spend_limit", "codex_delete_spend_limit", "codex_delete_spend_alert"):
        description = tools[name].description or ""
        assert "Acts at once" in description
        assert "asked to confirm" in description
    assert tools["codex_set_spend_limit"].input_schema["properties"]["amount_usd"]["type"] == "number"


async def test_read_only_mode_keeps_only_the_reads() -> None:
    async with Client(create_server(make_settings(read_only=True, **BUDGETS))) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert names == {"codex_get_spend_limit", "codex_list_spend_alerts", "codex_list_rate_limits"}


# ---- refused before any request ------------------------------------------------------------------------------------

ID_ADVICE = "is not an OpenAI id"


def bad(tool: str, arguments: dict[str, Any], field: str, message: str, id: str) -> Any:
    return pytest.param(tool, arguments, field, message, id=id)


SET = "codex_set_spend_limit"
CREATE_ALERT = "codex_create_spend_alert"
UPDATE_ALERT = "codex_update_spend_alert"
RATE = "codex_update_rate_limit"
TO = {"recipients": ["a@example.com"]}
RL = {"project_id": PROJECT, "rate_limit_id": "rl-gpt-4o"}
BAD_INPUT = [
    bad(SET, {"amount_usd": 0.001}, "amount_usd", "0.001 dollars has a fraction of a cent", id="limit-1e-3"),
    bad(SET, {"amount_usd": 1234.567}, "amount_usd", "has a fraction of a cent", id="limit-tenth-of-a-cent"),
    bad(SET, {"amount_usd": 0.1 + 0.2}, "amount_usd", "0.30000000000000004 dollars has a fraction", id="limit-drift"),
    bad(SET, {"amount_usd": 0}, "amount_usd", "a spend limit must be at least $0.01", id="limit-zero"),
    bad(SET, {"amount_usd": -5}, "amount_usd", "cannot be negative", id="limit-negative"),
    bad(SET, {"amount_usd": 123456000}, "amount_usd", "US dollars, not cents", id="limit-absurd"),
    bad(SET, {"amount_usd": "lots"}, "amount_usd", "such as 1234.56", id="limit-text"),
    bad(SET, {"amount_usd": True}, "amount_usd", "the boolean true", id="limit-boolean"),
    bad(SET, {"amount_usd": None}, "amount_usd", "such as 1234.56", id="limit-null"),
    bad(SET, {}, "amount_usd", "required argument is missing", id="limit-missing"),
    bad(SET, {"amount_usd": 5, "project_id": "proj_a/../b"}, "project_id", ID_ADVICE, id="limit-project-slash"),
    bad("codex_get_spend_limit", {"project_id": "proj a"}, "project_id", ID_ADVICE, id="get-project-space"),
    bad("codex_delete_spend_limit", {"project_id": ".."}, "project_id", ID_ADVICE, id="delete-project-dotdot"),
    bad(CREATE_ALERT, {"threshold_usd": 1e-3, **TO}, "threshold_usd", "fraction of a cent", id="alert-1e-3"),
    bad(CREATE_ALERT, {"threshold_usd": -0.01, **TO}, "threshold_usd", "cannot be negative", id="alert-negative"),
    bad(CREATE_ALERT, {"threshold_usd": 1e12, **TO}, "threshold_usd", "not cents", id="alert-absurd"),
    bad(CREATE_ALERT, {"threshold_usd": 5}, "recipients", "required argument is missing", id="alert-no-recipients"),
    bad(CREATE_ALERT, {"threshold_usd": 5, "recipients": []}, "recipients", "at least 1 item", id="alert-empty"),
    bad(
        CREATE_ALERT,
        {"threshold_usd": 5, "recipients": ["finance"]},
        "recipients.0",
        "not a valid email address",
        id="alert-bad-email",
    ),
    bad(
        CREATE_ALERT,
        {"threshold_usd": 5, **TO, "subject_prefix": "a\nb"},
        "subject_prefix",
        "no control characters",
        id="alert-prefix-newline",
    ),
    bad(
        CREATE_ALERT,
        {"threshold_usd": 5, **TO, "subject_prefix": "x" * 101},
        "subject_prefix",
        "at most 100 characters",
        id="alert-prefix-long",
    ),
    bad(UPDATE_ALERT, {"alert_id": ALERT}, "nothing to change", "give threshold_usd, recipients", id="update-nothing"),
    bad(UPDATE_ALERT, {"alert_id": "alert_1?x=1", "threshold_usd": 5}, "alert_id", ID_ADVICE, id="update-id-query"),
    bad(UPDATE_ALERT, {"alert_id": ALERT, "threshold_usd": 0.005}, "threshold_usd", "fraction", id="update-half-cent"),
    bad(UPDATE_ALERT, {"alert_id": ALERT, "recipients": []}, "recipients", "at least 1 item", id="update-no-one"),
    bad("codex_delete_spend_alert", {"alert_id": "../alert"}, "alert_id", ID_ADVICE, id="delete-alert-dotdot"),
    bad("codex_delete_spend_alert", {}, "alert_id", "required argument is missing", id="delete-alert-missing"),
    bad("codex_list_spend_alerts", {"limit": 0}, "limit", "greater than or equal to 1", id="alerts-limit-0"),
    bad("codex_list_spend_alerts", {"limit": 101}, "limit", "less than or equal to 100", id="alerts-limit-101"),
    bad("codex_list_spend_alerts", {"after": "a b"}, "after", "next_after", id="alerts-cursor"),
    bad("codex_list_rate_limits", {}, "project_id", "required argument is missing", id="rates-no-project"),
    bad("codex_list_rate_limits", {"project_id": PROJECT, "limit": 101}, "limit", "less than or equal", id="rates-101"),
    bad(RATE, {**RL, "rate_limit_id": "../rl"}, "rate_limit_id", "is not a rate limit id", id="rate-id-dotdot"),
    bad(RATE, {**RL, "rate_limit_id": "rl/x"}, "rate_limit_id", "is not a rate limit id", id="rate-id-slash"),
    bad(RATE, {**RL, "rate_limit_id": ".."}, "rate_limit_id", "is not a rate limit id", id="rate-id-only-dots"),
    bad(RATE, RL, "nothing to change", "give at least one limit", id="rate-nothing"),
    bad(
        RATE,
        {**RL, "max_requests_per_1_minute": 0},
        "max_requests_per_1_minute",
        "greater than or equal to 1",
        id="rate-0",
    ),
    bad(RATE, {**RL, "max_tokens_per_1_minute": 1.5}, "max_tokens_per_1_minute", "valid integer", id="rate-fraction"),
    bad(RATE, {**RL, "max_tokens_per_1_minute": True}, "max_tokens_per_1_minute", "valid integer", id="rate-boolean"),
    bad(RATE, {**RL, "max_rpm": 5}, "max_rpm", "unknown argument", id="rate-unknown-argument"),
]


@pytest.mark.parametrize(("tool", "arguments", "field", "message"), BAD_INPUT)
async def test_bad_input_is_refused_before_any_request(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any], field: str, message: str
) -> None:
    text = await refused(tool, arguments)

    assert text.startswith(f"Invalid arguments for {tool}")
    assert field in text
    assert message in text
    assert "nothing was sent" in text
    assert httpx_mock.get_requests() == []


# ---- confirmation (asked, declined, accepted, or not asked: tests/test_confirm.py) --------------------------------


async def test_a_project_without_a_limit_is_asked_about_as_such() -> None:
    simulator, _ = recording_simulator(now=NOW)
    project = next(p for p in simulator.org.projects if p.name == "Default project")
    asker = Asker("decline")
    server = create_server(make_settings(**BUDGETS), transport=simulator.transport())

    async with Client(server, elicitation_callback=asker) as client:
        await client.call_tool("codex_set_spend_limit", {"amount_usd": 250.5, "project_id": project.id})

    assert asker.asked == [
        "Set the monthly spend limit of project 'Default project' to $250.50 (none is set now)? "
        "This cannot be undone from here."
    ]


# ---- the client methods a cost-insights tool reads -----------------------------------------------------------------


async def test_client_reads_limits_and_every_alert_in_dollars(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE_URL}/organization/spend_limit", json=spend_limit(400000))
    httpx_mock.add_response(
        url=f"{BASE_URL}/organization/projects/{PROJECT}/spend_limit",
        **api_error(404, "No hard spend limit is set.", "spend_limit_not_found"),
    )
    httpx_mock.add_response(
        url=f"{BASE_URL}/organization/spend_alerts?limit=100", json=listing([alert("alert_1", 100)], has_more=True)
    )
    httpx_mock.add_response(
        url=f"{BASE_URL}/organization/spend_alerts?limit=100&after=alert_1", json=listing([alert("alert_2", 123456)])
    )

    async with AdminClient(make_settings()) as client:
        limit = await client.get_spend_limit()
        unset = await client.get_spend_limit(project_id=PROJECT)
        alerts = await client.all_spend_alerts()

    assert limit is not None
    assert (limit.amount_usd, limit.threshold_amount, limit.enforcing) == (Decimal("4000.00"), 400000, False)
    assert unset is None
    assert [a.threshold_usd for a in alerts] == [Decimal("1.00"), Decimal("1234.56")]


# ---- the demo organization and stdio -------------------------------------------------------------------------------


async def test_every_tool_against_the_demo_organization() -> None:
    project = AdminAPISimulator().org.projects[0].id  # the sample's ids do not depend on the day
    async with Client(create_server(make_settings(demo=True, toolsets="budgets,governance"))) as client:

        async def run(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, f"{tool}: {result_text(result)}"
            assert result.structured_content is not None
            assert result.structured_content["demo_data"] is True
            return dict(result.structured_content)

        org_limit = await run("codex_get_spend_limit", {})
        assert org_limit["limit_set"] is True
        assert org_limit["amount_usd"] >= 100
        changed = await run("codex_set_spend_limit", {"amount_usd": 4321.09, "project_id": project})
        assert changed["amount_usd"] == 4321.09
        assert (await run("codex_get_spend_limit", {"project_id": project}))["amount_usd"] == 4321.09
        assert (await run("codex_delete_spend_limit", {"project_id": project}))["deleted"] is True

        alerts = await run("codex_list_spend_alerts", {})
        assert alerts["count"] >= 1
        created = await run("codex_create_spend_alert", {"threshold_usd": 1234.56, "recipients": ["ops@example.com"]})
        assert created["threshold_usd"] == 1234.56
        updated = await run("codex_update_spend_alert", {"alert_id": created["id"], "threshold_usd": 99.99})
        assert (updated["threshold_usd"], updated["recipients"]) == (99.99, ["ops@example.com"])
        assert (await run("codex_delete_spend_alert", {"alert_id": created["id"]}))["deleted"] is True

        limits = await run("codex_list_rate_limits", {"project_id": project})
        first = limits["data"][0]
        lowered = await run(
            "codex_update_rate_limit",
            {"project_id": project, "rate_limit_id": first["id"], "max_requests_per_1_minute": 7},
        )
        assert lowered["max_requests_per_1_minute"] == 7
        assert lowered["max_tokens_per_1_minute"] == first["max_tokens_per_1_minute"]


async def test_over_stdio_with_both_toolsets() -> None:
    """`python -m codex_mcp --demo --toolsets budgets,governance`: one tool of each toolset over the real stdio."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "codex_mcp", "--demo", "--toolsets", "budgets,governance"],
        env=clean_environment(),
    )
    with anyio.fail_after(60):
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            names = [tool.name for tool in (await session.list_tools()).tools]
            alerts = await session.call_tool("codex_list_spend_alerts", {"limit": 1})
            retention = await session.call_tool("codex_get_data_retention", {})
    assert names == [*ANNOTATIONS, "codex_get_model_permissions", "codex_get_data_retention", "codex_list_certificates"]
    for result in (alerts, retention):
        assert not result.is_error, result_text(result)
        assert result.structured_content is not None
        assert result.structured_content["demo_data"] is True
    assert alerts.structured_content is not None
    [first] = alerts.structured_content["data"]
    assert isinstance(first["threshold_usd"], float)
