"""Fault injection against the real loopback HTTP server, through the real MCP server (in-memory client session).

Every case checks the tool result a model would see (is_error, the API's own message, the request id, the hint),
the exact number of requests that reached the server (retries included), and that the same MCP session goes on
serving once the fault is gone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import CallToolResult

from codex_mcp.demo import Fault, LoopbackServer
from codex_mcp.server import create_server
from tests.conftest import result_text
from tests.loopback import (
    FaultScript,
    Loopback,
    closed_port,
    loopback_on_port,
    loopback_session,
    loopback_settings,
    path_contains,
    running_loopback,
    trickling_api,
)


@pytest.fixture(scope="module")
def api() -> Iterator[LoopbackServer]:
    """One simulator on 127.0.0.1 for the module; each test installs its own fault script and counts from zero."""
    with running_loopback() as server:
        yield server


LIST_USERS: tuple[str, dict[str, Any]] = ("codex_list_users", {"limit": 3})
ANOTHER_CALL: tuple[str, dict[str, Any]] = ("codex_list_projects", {"limit": 2})
# Shown by every Fault the loopback server answers with, numbered by the request that got it.
FAULT_REQUEST_ID = "req_fault"


def error_text(result: CallToolResult) -> str:
    assert result.is_error is True, f"expected a tool error, got: {result_text(result)[:300]}"
    text = result_text(result)
    assert text.strip(), "a tool error must say what went wrong"
    return text


def assert_error(result: CallToolResult, *fragments: str) -> str:
    text = error_text(result)
    missing = [fragment for fragment in fragments if fragment not in text]
    assert not missing, f"missing {missing} in tool error:\n{text}"
    return text


def payload(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error is not True, f"expected success, got: {result_text(result)[:500]}"
    data = result.structured_content
    assert isinstance(data, dict), "a successful result carries structured content"
    return data


async def assert_still_serving(lb: Loopback, script: FaultScript | None = None) -> None:
    """Faults off, the next call in the same session succeeds and reaches the server exactly once."""
    if script is not None:
        script.stop()
    before = lb.requests
    name, arguments = ANOTHER_CALL
    data = payload(await lb.client.call_tool(name, arguments))
    assert data["count"] == 2
    assert all(item["id"].startswith("proj_") for item in data["data"])
    assert lb.requests == before + 1


def utc_midnight(days_ago: int = 0) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)


def api_error_body(message: str, code: str | None = None) -> bytes:
    return json.dumps(
        {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
    ).encode()


# ---- HTTP error statuses that are not retried -----------------------------------------------------------------

NOT_RETRIED = [
    pytest.param(
        401,
        "Incorrect API key provided: sk-admi***XYZ.",
        ["OpenAI API error 401", "Incorrect API key provided", "Admin key", "OPENAI_ADMIN_KEY"],
        id="401",
    ),
    pytest.param(
        403,
        "You have insufficient permissions for this operation. Missing scopes: api.management.read.",
        ["OpenAI API error 403", "insufficient permissions", "admin access", "Admin key"],
        id="403",
    ),
    pytest.param(
        400,
        "Invalid value for 'limit': must be at most 100.",
        ["OpenAI API error 400", "Invalid value for 'limit'", "fix the argument"],
        id="400",
    ),
]


@pytest.mark.parametrize(("status", "message", "fragments"), NOT_RETRIED)
async def test_client_error_status_is_reported_once_and_not_retried(
    status: int, message: str, fragments: list[str], api: LoopbackServer
) -> None:
    script = FaultScript(then=Fault(status=status, body=api_error_body(message)))
    async with loopback_session(api, fault=script) as lb:
        result = await lb.client.call_tool(*LIST_USERS)
        text = assert_error(result, *fragments, lb.fault_request_id(1))
        assert "Gave up after" not in text
        assert lb.requests == 1
        await assert_still_serving(lb, script)


async def test_404_from_the_api_names_the_id_and_says_to_list_first(api: LoopbackServer) -> None:
    async with loopback_session(api) as lb:
        result = await lb.client.call_tool("codex_get_user", {"user_id": "user-doesnotexist123"})
        assert_error(
            result,
            "OpenAI API error 404",
            "No such user: user-doesnotexist123",  # the API's own message
            "Request id: req_",
            "List the objects first",
            "codex_list_users",
        )
        assert lb.requests == 1
        real = next(u for u in lb.simulator.org.users if not u.deleted)
        data = payload(await lb.client.call_tool("codex_get_user", {"user_id": real.id}))
        assert (data["id"], data["email"]) == (real.id, real.email)
        assert lb.requests == 2


# ---- retried statuses ----------------------------------------------------------------------------------------


async def test_429_with_retry_after_then_success(api: LoopbackServer) -> None:
    script = FaultScript(Fault(status=429, headers={"Retry-After": "0"}))
    async with loopback_session(api, fault=script) as lb:
        data = payload(await lb.client.call_tool(*LIST_USERS))
        members = [user.id for user in lb.simulator.org.users if not user.deleted]
        assert [user["id"] for user in data["data"]] == members[:3]
        assert lb.requests == 2
        assert script.applied == 1
        await assert_still_serving(lb)


async def test_retry_after_seconds_is_waited_out(api: LoopbackServer) -> None:
    script = FaultScript(Fault(status=429, headers={"Retry-After": "1"}))
    async with loopback_session(api, fault=script) as lb:
        started = time.monotonic()
        payload(await lb.client.call_tool(*LIST_USERS))
        elapsed = time.monotonic() - started
        assert lb.requests == 2
        assert elapsed >= 0.95, f"Retry-After: 1 was not honoured (retried after {elapsed:.2f}s)"


async def test_retry_after_http_date_in_the_past_retries_at_once(api: LoopbackServer) -> None:
    # A date in the past means "retry now". Were it not understood, the 60 s backoff would apply, which passes
    # the 20 s request deadline, so the call would fail instead of answering: no clock needed to tell them apart.
    script = FaultScript(Fault(status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    async with loopback_session(
        api, fault=script, backoff_initial_s=60.0, backoff_max_s=60.0, request_deadline_s=20.0
    ) as lb:
        data = payload(await lb.client.call_tool(*LIST_USERS))
        assert data["count"] == 3
        assert lb.requests == 2


async def test_retry_after_beyond_the_deadline_gives_up_at_once(api: LoopbackServer) -> None:
    script = FaultScript(then=Fault(status=429, headers={"Retry-After": "30"}))
    async with loopback_session(api, fault=script, request_deadline_s=5.0) as lb:
        # Waiting out Retry-After (30 s) before giving up would trip this guard; any real run is far below it.
        with anyio.fail_after(20):
            result = await lb.client.call_tool(*LIST_USERS)
        assert_error(result, "OpenAI API error 429", "request deadline", "rate-limited", f"{FAULT_REQUEST_ID}")
        assert lb.requests == 1
        await assert_still_serving(lb, script)


async def test_persistent_429_gives_up_after_max_retries(api: LoopbackServer) -> None:
    script = FaultScript(then=Fault(status=429, headers={"Retry-After": "0"}))
    async with loopback_session(api, fault=script, max_retries=2) as lb:
        result = await lb.client.call_tool(*LIST_USERS)
        assert_error(
            result,
            "OpenAI API error 429",
            "Simulated fault: HTTP 429",
            "rate_limit_exceeded",
            "Gave up after 3 attempts",
            "rate-limited",
            lb.fault_request_id(3),  # the request id of the last attempt
        )
        assert lb.requests == 3
        await assert_still_serving(lb, script)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_once_then_success(status: int, api: LoopbackServer) -> None:
    script = FaultScript(Fault(status=status))
    async with loopback_session(api, fault=script) as lb:
        data = payload(await lb.client.call_tool(*LIST_USERS))
        assert data["count"] == 3
        assert lb.requests == 2
        await assert_still_serving(lb)


@pytest.mark.parametrize(("max_retries", "expected_requests"), [(2, 3), (0, 1), (4, 5)])
async def test_persistent_503_gives_up_after_max_retries(
    max_retries: int, expected_requests: int, api: LoopbackServer
) -> None:
    script = FaultScript(then=Fault(status=503))
    async with loopback_session(api, fault=script, max_retries=max_retries) as lb:
        result = await lb.client.call_tool(*LIST_USERS)
        text = assert_error(
            result,
            "OpenAI API error 503 on GET /v1/organization/users",
            "Simulated fault: HTTP 503",
            "OpenAI failed to answer",
            lb.fault_request_id(expected_requests),
        )
        assert ("Gave up after" in text) == (expected_requests > 1)
        if expected_requests > 1:
            assert f"Gave up after {expected_requests} attempts" in text
        assert lb.requests == expected_requests
        await assert_still_serving(lb, script)


async def test_html_502_from_a_proxy_is_read_as_text_and_retried(api: LoopbackServer) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    script = FaultScript(then=Fault(status=502, body=page, headers={"content-type": "text/html"}))
    async with loopback_session(api, fault=script, max_retries=1) as lb:
        result = await lb.client.call_tool(*LIST_USERS)
        assert_error(result, "OpenAI API error 502", "502 Bad Gateway", "OpenAI failed to answer", "Gave up after 2")
        assert lb.requests == 2
        await assert_still_serving(lb, script)


# ---- writes: a create is retried only when it provably was not processed --------------------------------------


def projects_named(lb: Loopback, name: str) -> int:
    return sum(project.name == name for project in lb.simulator.org.projects)


@pytest.mark.parametrize("status", [500, 502, 503, 409])
async def test_create_project_is_not_retried_on_an_ambiguous_failure(status: int, api: LoopbackServer) -> None:
    name = f"Fault Test {status}"
    script = FaultScript(Fault(status=status), match=path_contains("/organization/projects"))
    async with loopback_session(api, fault=script) as lb:
        result = await lb.client.call_tool("codex_create_project", {"name": name})
        text = assert_error(result, f"OpenAI API error {status} on POST /v1/organization/projects", FAULT_REQUEST_ID)
        assert "Gave up after" not in text
        assert lb.requests == 1
        assert projects_named(lb, name) == 0
        # The same call goes through once the API is healthy, and creates exactly one project.
        data = payload(await lb.client.call_tool("codex_create_project", {"name": name}))
        assert data["name"] == name
        assert lb.requests == 2
        assert projects_named(lb, name) == 1


async def test_create_project_is_retried_on_429(api: LoopbackServer) -> None:
    script = FaultScript(Fault(status=429, headers={"Retry-After": "0"}))
    async with loopback_session(api, fault=script) as lb:
        data = payload(await lb.client.call_tool("codex_create_project", {"name": "After Rate Limit"}))
        assert data["name"] == "After Rate Limit"
        assert data["id"].startswith("proj_")
        assert lb.requests == 2
        assert projects_named(lb, "After Rate Limit") == 1
        await assert_still_serving(lb)


async def test_create_invite_is_not_retried_on_500_or_a_dropped_connection(api: LoopbackServer) -> None:
    email = "fault.test@example.com"
    script = FaultScript(Fault(status=500), Fault(drop_connection=True))
    async with loopback_session(api, fault=script) as lb:

        def invites() -> int:
            return sum(invite.email == email for invite in lb.simulator.org.invites)

        arguments = {"email": email, "role": "reader"}
        for fragments in (["OpenAI API error 500", "POST"], ["Could not reach the OpenAI API"]):
            text = assert_error(
                await lb.client.call_tool("codex_create_invite", arguments),
                *fragments,
                "the invite may have been created anyway",
                "list first (codex_list_invites)",
            )
            assert "try again" not in text.lower()
            assert "call again" not in text.lower()
        assert lb.requests == 2
        assert invites() == 0
        data = payload(await lb.client.call_tool("codex_create_invite", arguments))
        assert (data["email"], data["status"]) == (email, "pending")
        assert lb.requests == 3
        assert invites() == 1


async def test_role_change_is_idempotent_and_retried_on_503(api: LoopbackServer) -> None:
    script = FaultScript(Fault(status=503), match=path_contains("/organization/users/"))
    async with loopback_session(api, fault=script) as lb:
        user = next(u for u in lb.simulator.org.users[10:] if u.role == "reader" and not u.deleted)
        data = payload(await lb.client.call_tool("codex_modify_user", {"user_id": user.id, "role": "owner"}))
        assert (data["id"], data["role"]) == (user.id, "owner")
        assert lb.requests == 2
        await assert_still_serving(lb)


async def test_delete_user_is_retried_on_502(api: LoopbackServer) -> None:
    script = FaultScript(Fault(status=502))
    async with loopback_session(api, fault=script) as lb:
        user = next(u for u in lb.simulator.org.users[5:] if not u.deleted)
        data = payload(await lb.client.call_tool("codex_delete_user", {"user_id": user.id}))
        assert (data["id"], data["deleted"]) == (user.id, True)
        assert lb.requests == 2
        await assert_still_serving(lb)


async def test_create_project_read_timeout_is_not_retried(api: LoopbackServer) -> None:
    script = FaultScript(Fault(delay_s=1.5))
    async with loopback_session(api, fault=script, read_timeout_s=0.5) as lb:
        result = await lb.client.call_tool("codex_create_project", {"name": "Slow"})
        text = assert_error(
            result,
            "POST /organization/projects timed out",
            "the project may have been created anyway",
            "list first (codex_list_projects)",
            "CODEX_MCP_READ_TIMEOUT",
        )
        assert "try again" not in text.lower()
        assert "Gave up after" not in text
        assert lb.requests == 1
        await assert_still_serving(lb)


# ---- timeouts, refused and dropped connections, malformed bodies -----------------------------------------------


async def test_read_timeout_once_then_success(api: LoopbackServer) -> None:
    script = FaultScript(Fault(delay_s=1.5))
    async with loopback_session(api, fault=script, read_timeout_s=0.5) as lb:
        data = payload(await lb.client.call_tool(*LIST_USERS))
        assert data["count"] == 3
        assert lb.requests == 2
        await assert_still_serving(lb)


async def test_persistent_read_timeout_gives_up(api: LoopbackServer) -> None:
    script = FaultScript(then=Fault(delay_s=1.5))
    async with loopback_session(api, fault=script, read_timeout_s=0.5, max_retries=1) as lb:
        started = time.monotonic()
        result = await lb.client.call_tool(*LIST_USERS)
        elapsed = time.monotonic() - started
        assert_error(
            result,
            "GET /organization/users timed out (ReadTimeout)",
            "Gave up after 2 attempts",
            "raise CODEX_MCP_READ_TIMEOUT",
        )
        assert lb.requests == 2
        # Each attempt waited out its 0.5 s read timeout (a lower bound: a loaded machine only makes it longer);
        # that they timed out at all shows the 0.5 s applied, since each answer takes 1.5 s and the default is 2 s.
        assert elapsed >= 0.9, f"two 0.5 s read timeouts took only {elapsed:.2f}s"
        await assert_still_serving(lb, script)


async def test_connection_refused_then_the_api_comes_back() -> None:
    port = closed_port()
    settings = loopback_settings(f"http://127.0.0.1:{port}/v1", max_retries=2)
    async with Client(create_server(settings)) as client:
        result = await client.call_tool(*LIST_USERS)
        assert_error(
            result,
            "Could not reach the OpenAI API for GET /organization/users",
            "Gave up after 3 attempts",
            "OPENAI_BASE_URL",
        )
        # A write is retried after a refused connect too: it provably never reached the API.
        result = await client.call_tool("codex_create_project", {"name": "Never Sent"})
        assert_error(result, "Could not reach the OpenAI API for POST /organization/projects", "Gave up after 3")
        with loopback_on_port(port) as server:
            data = payload(await client.call_tool(*LIST_USERS))
            assert data["count"] == 3
            assert server.request_count == 1
            assert not any(p.name == "Never Sent" for p in server.simulator.org.projects)


async def test_dropped_connection_once_then_success(api: LoopbackServer) -> None:
    script = FaultScript(Fault(drop_connection=True))
    async with loopback_session(api, fault=script) as lb:
        data = payload(await lb.client.call_tool(*LIST_USERS))
        assert data["count"] == 3
        assert lb.requests == 2
        await assert_still_serving(lb)


async def test_persistent_dropped_connection_gives_up(api: LoopbackServer) -> None:
    script = FaultScript(then=Fault(drop_connection=True))
    async with loopback_session(api, fault=script, max_retries=2) as lb:
        result = await lb.client.call_tool(*LIST_USERS)
        assert_error(
            result,
            "Could not reach the OpenAI API for GET /organization/users",
            "Server disconnected",
            "Gave up after 3 attempts",
            "Check the network",
        )
        assert lb.requests == 3
        await assert_still_serving(lb, script)


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        pytest.param(b'{"object": "list", "data": [', ["body is not valid JSON", "28 bytes"], id="truncated-json"),
        pytest.param(b"<html>maintenance</html>", ["body is not valid JSON"], id="html"),
        pytest.param(b"", ["body is not valid JSON", "0 bytes"], id="empty"),
        pytest.param(b'{"unexpected": true}', ["unexpected shape", "data"], id="wrong-shape"),
        pytest.param(
            b'{"object": "list", "data": [{"id": 5}], "has_more": false}', ["unexpected shape"], id="bad-item"
        ),
    ],
)
async def test_malformed_success_body_is_an_error_not_retried(
    body: bytes, fragments: list[str], api: LoopbackServer
) -> None:
    script = FaultScript(Fault(status=200, body=body))
    async with loopback_session(api, fault=script) as lb:
        result = await lb.client.call_tool(*LIST_USERS)
        text = assert_error(result, "OpenAI", *fragments, "unexpected response")
        if "not valid JSON" in text:
            assert f"Request id: {lb.fault_request_id(1)}" in text
        assert lb.requests == 1
        await assert_still_serving(lb)


# ---- paging: a failure part-way is an error, never a truncated series -----------------------------------------

USAGE_DAYS = 150  # 150 daily buckets at the API's maximum of 31 per page: 5 windows (31, 31, 31, 31, 26)


def usage_arguments() -> dict[str, Any]:
    end = utc_midnight()
    start = end - timedelta(days=USAGE_DAYS)
    return {"start_time": start.strftime("%Y-%m-%d"), "end_time": end.strftime("%Y-%m-%d"), "bucket_width": "1d"}


async def test_usage_failure_in_window_3_of_5_is_an_error_not_a_partial_series(api: LoopbackServer) -> None:
    """One window at a time (max_concurrency=1), so the order is fixed: windows 1-2 answer, window 3 fails."""
    script = FaultScript(None, None, then=Fault(status=503), match=path_contains("/usage/completions"))
    async with loopback_session(api, fault=script, max_retries=2, max_concurrency=1) as lb:
        result = await lb.client.call_tool("codex_get_completions_usage", usage_arguments())
        window_3 = utc_midnight(USAGE_DAYS - 62), utc_midnight(USAGE_DAYS - 93)
        assert_error(
            result,
            "OpenAI API error 503 on GET /v1/organization/usage/completions",
            f"on window 3 of 5 ({window_3[0]:%Y-%m-%dT%H:%M:%SZ} to {window_3[1]:%Y-%m-%dT%H:%M:%SZ})",
            "the other windows were cancelled or discarded",
            "Gave up after 3 attempts",
        )
        assert result.structured_content is None, "no partial report may be returned"
        assert "buckets" not in result_text(result)
        assert lb.requests == 2 + 3  # windows 1-2, then window 3 and its two retries; windows 4-5 never asked
        windows = [line for line in script.seen if "/usage/completions" in line]
        assert "page=" not in "".join(windows)
        assert windows[2] == windows[3] == windows[4], "retries must ask for the same window"
        assert f"start_time={int(window_3[0].timestamp())}&end_time={int(window_3[1].timestamp())}&" in windows[2]

        script.stop()
        data = payload(await lb.client.call_tool("codex_get_completions_usage", usage_arguments()))
        # Windows 1-2 ended long ago: kept from the failed call, so only windows 3-5 are asked for.
        assert (data["pages_fetched"], data["cached_buckets"]) == (3, 62)
        assert data["bucket_count"] == USAGE_DAYS
        assert len(data["buckets"]["rows"]) == USAGE_DAYS
        assert lb.requests == 5 + 3


async def test_usage_transient_failure_on_page_3_is_retried_and_the_series_is_complete(api: LoopbackServer) -> None:
    script = FaultScript(None, None, Fault(status=500), match=path_contains("/usage/completions"))
    async with loopback_session(api, fault=script) as lb:
        data = payload(await lb.client.call_tool("codex_get_completions_usage", usage_arguments()))
        assert data["pages_fetched"] == 5
        assert data["bucket_count"] == USAGE_DAYS
        starts = [row[0] for row in data["buckets"]["rows"]]
        assert starts == sorted(set(starts)), "buckets must be distinct and in order (no page fetched twice)"
        days = [date.fromisoformat(start) for start in starts]
        assert (days[-1] - days[0]).days == USAGE_DAYS - 1
        assert days[0].isoformat() == data["start_time_iso"][:10]
        assert (days[-1] + timedelta(days=1)).isoformat() == data["end_time_iso"][:10]
        assert lb.requests == 6


async def test_usage_client_error_in_window_3_stops_at_once(api: LoopbackServer) -> None:
    body = api_error_body("Invalid page cursor.", code="invalid_cursor")
    script = FaultScript(None, None, Fault(status=400, body=body), match=path_contains("/usage/completions"))
    async with loopback_session(api, fault=script, max_concurrency=1) as lb:
        result = await lb.client.call_tool("codex_get_completions_usage", usage_arguments())
        assert_error(result, "OpenAI API error 400", "Invalid page cursor", "invalid_cursor", "on window 3 of 5")
        assert result.structured_content is None
        assert lb.requests == 3
        await assert_still_serving(lb)


async def test_usage_dropped_connection_in_window_4_of_5_is_an_error(api: LoopbackServer) -> None:
    script = FaultScript(None, None, None, then=Fault(drop_connection=True), match=path_contains("/usage/"))
    async with loopback_session(api, fault=script, max_retries=1, max_concurrency=1) as lb:
        result = await lb.client.call_tool("codex_get_completions_usage", usage_arguments())
        assert_error(
            result,
            "Could not reach the OpenAI API",
            "on window 4 of 5",
            "the other windows were cancelled or discarded",
        )
        assert result.structured_content is None
        assert lb.requests == 3 + 2
        await assert_still_serving(lb, script)


@pytest.mark.parametrize(
    ("tool", "arguments", "match", "body", "fragments"),
    [
        pytest.param(
            "codex_get_completions_usage",
            {"start_time": "30d"},
            path_contains("/usage/completions"),
            {"object": "page", "data": [], "has_more": True, "next_page": None},
            ["/organization/usage/completions said has_more but gave no new next_page to continue from."],
            id="usage",
        ),
        pytest.param(
            "codex_get_normalized_metrics",
            {"start_time": "30d"},
            lambda r: r.url.path.endswith("/organization/users"),
            {"object": "list", "data": [], "has_more": True, "last_id": None},
            ["/organization/users said has_more but gave no new cursor to continue from."],
            id="list-all",
        ),
    ],
)
async def test_has_more_without_a_cursor_is_an_error_not_a_loop(
    tool: str, arguments: dict[str, Any], match: Any, body: dict[str, Any], fragments: list[str], api: LoopbackServer
) -> None:
    script = FaultScript(Fault(status=200, body=json.dumps(body).encode()), match=match)
    async with loopback_session(api, fault=script) as lb:
        result = await lb.client.call_tool(tool, arguments)
        if tool == "codex_get_normalized_metrics":
            data = payload(result)  # a failed source leaves its fields null, named in metadata
            text = data["metadata"]["failed_sources"]["users"]
            assert data.get("total_seats") is None
        else:
            text = error_text(result)
            assert result.structured_content is None
        for fragment in [*fragments, "Nothing partial was returned"]:
            assert fragment in text, text
        assert script.matched == 1, "a page that gives no cursor must not be fetched again"


async def test_member_list_failure_on_page_3_nulls_seat_fields_in_metrics(api: LoopbackServer) -> None:
    # 300 members at 100 per page: 3 pages; page 3 keeps failing. Usage and costs over 30 days: one page each.
    script = FaultScript(None, None, then=Fault(status=503), match=lambda r: r.url.path.endswith("/organization/users"))
    end = utc_midnight()
    arguments = {"start_time": (end - timedelta(days=30)).strftime("%Y-%m-%d"), "end_time": end.strftime("%Y-%m-%d")}
    async with loopback_session(api, fault=script, max_retries=2) as lb:
        data = payload(await lb.client.call_tool("codex_get_normalized_metrics", arguments))
        metadata = data["metadata"]
        assert metadata["complete"] is False
        reason = metadata["failed_sources"]["users"]
        assert "OpenAI API error 503" in reason
        assert "on page 3" in reason
        assert "2 pages before it were discarded" in reason
        assert set(metadata["failed_sources"]) == {"users"}
        # Seat figures depend on the member list: null, never counted from the first 200 members.
        for name in ("total_seats", "inactive_seats", "seat_utilization_pct"):
            assert data.get(name) is None, f"{name} must be null when the member list is incomplete"
        assert data["total_chat_interactions"] > 0
        assert data["total_cost_usd"] > 0
        assert lb.requests == 1 + 1 + 2 + 3  # usage, costs, users pages 1-2, users page 3 three times

        script.stop()
        data = payload(await lb.client.call_tool("codex_get_normalized_metrics", arguments))
        assert data["metadata"]["complete"] is True
        assert data["total_seats"] == sum(not user.deleted for user in lb.simulator.org.users)
        assert lb.requests == 7 + 5


# ---- a hostile API: answers that cannot be read, bodies that never finish ---------------------------------------


@pytest.mark.parametrize("depth", [900, 100_000], ids=["parses-but-cannot-be-returned", "breaks-the-parser"])
async def test_json_nested_too_deeply_is_an_unreadable_response_not_a_crash(depth: int, api: LoopbackServer) -> None:
    deep = b"[" * depth + b"]" * depth
    script = FaultScript(Fault(status=200, body=deep))
    async with loopback_session(api, fault=script) as lb:
        result = await lb.client.call_tool(*LIST_USERS)
        text = assert_error(
            result,
            "OpenAI answered GET /organization/users with status 200 but the body could not be read",
            "nested more than 100 levels deep",
            f"(application/json, {2 * depth} bytes)",
            f"Request id: {lb.fault_request_id(1)}",
            "unexpected response",
        )
        assert "Error executing tool" not in text
        assert lb.requests == 1
        await assert_still_serving(lb)


async def test_a_body_that_trickles_in_is_cut_off_at_the_request_deadline() -> None:
    # 49 bytes at one every 0.1 s: about 5 s to arrive, though no single read ever waits more than 0.1 s.
    body = json.dumps({"object": "list", "data": [], "has_more": False}).encode()
    with trickling_api(body, byte_every_s=0.1) as hostile:
        settings = loopback_settings(hostile.base_url, request_deadline_s=1.0)
        async with Client(create_server(settings)) as client:
            text = assert_error(
                await client.call_tool(*LIST_USERS),
                "GET /organization/users hit the request deadline of 1 s before its answer had fully arrived",
                "raise CODEX_MCP_REQUEST_DEADLINE",
            )
            assert "Gave up after" not in text, "no time is left for a retry"
            # A create cut off by the deadline may have happened: the reader is told to list before creating again.
            text = assert_error(
                await client.call_tool("codex_create_project", {"name": "Slow"}),
                "POST /organization/projects hit the request deadline",
                "the project may have been created anyway",
                "list first (codex_list_projects)",
            )
            assert "try again" not in text.lower()
    assert hostile.requests == ["GET /v1/organization/users", "POST /v1/organization/projects"]
