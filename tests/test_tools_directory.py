"""Member, invite, project, API key, service account and audit-log tools: requests, parsing, errors and writes."""

from __future__ import annotations

import json
import types
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.builders import api_error, listing, pairs
from tests.conftest import (
    BASE_URL,
    TEST_KEY,
    assert_refused,
    call_tool,
    find_nulls,
    make_settings,
    result_text,
)

ADDED_AT = 1711471533  # the spec examples' timestamp
ADDED_AT_ISO = "2024-03-26T16:45:33Z"


# ---- helpers -------------------------------------------------------------------------------------------------------


def user(user_id: str = "user_abc", **fields: Any) -> dict[str, Any]:
    return {
        "object": "organization.user",
        "id": user_id,
        "name": "First Last",
        "email": "user@example.com",
        "role": "owner",
        "added_at": ADDED_AT,
        **fields,
    }


def project(project_id: str = "proj_abc", **fields: Any) -> dict[str, Any]:
    return {
        "id": project_id,
        "object": "organization.project",
        "name": "Project example",
        "created_at": ADDED_AT,
        "archived_at": None,
        "status": "active",
        "external_key_id": None,
        **fields,
    }


def sent(request: httpx.Request, method: str, path: str) -> None:
    """The request went to BASE_URL + path with the given method and the admin key as bearer token."""
    assert request.method == method
    assert request.url.path == f"/v1{path}"
    assert str(request.url).split("?")[0] == f"{BASE_URL}{path}"
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"


def body(request: httpx.Request) -> Any:
    assert request.headers["Content-Type"] == "application/json"
    return json.loads(request.content)


async def call(name: str, arguments: dict[str, Any], **overrides: Any) -> Any:
    result = await call_tool(make_settings(**overrides), name, arguments)
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    assert find_nulls(result.structured_content) == []
    return result.structured_content


# ---- users ---------------------------------------------------------------------------------------------------------


async def test_list_users_sends_limit_after_emails_and_reads_the_page(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        json=listing([user("user_abc"), user("user_def", name=None, role="reader")], has_more=True, last_id="user_def")
    )

    out = await call(
        "codex_list_users", {"limit": 2, "after": "user_000", "emails": ["a+b@example.com", "c@example.com"]}
    )

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/users")
    assert pairs(request) == [
        ("emails", "a+b@example.com"),
        ("emails", "c@example.com"),
        ("limit", "2"),
        ("after", "user_000"),
    ]
    assert b"a%2Bb%40example.com" in request.url.query  # '+' encoded, or the API would read a space
    assert (out["count"], out["has_more"], out["next_after"]) == (2, True, "user_def")
    assert out["data"][0] == {
        "object": "organization.user",
        "id": "user_abc",
        "name": "First Last",
        "email": "user@example.com",
        "role": "owner",
        "added_at": ADDED_AT,
        "added_at_iso": ADDED_AT_ISO,
    }
    assert "name" not in out["data"][1]
    assert out["data"][1]["role"] == "reader"


async def test_list_users_last_page_has_no_cursor(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=listing([user()]))

    out = await call("codex_list_users", {})

    [request] = httpx_mock.get_requests()
    assert pairs(request) == [("limit", "20")]
    assert (out["count"], out["has_more"]) == (1, False)
    assert "next_after" not in out


async def test_list_users_cursor_falls_back_to_the_last_item(httpx_mock: HTTPXMock) -> None:
    page = listing([user("user_1"), user("user_2")], has_more=True)
    page["last_id"] = None
    httpx_mock.add_response(json=page)

    out = await call("codex_list_users", {"limit": 2})

    assert out["next_after"] == "user_2"


async def test_get_user(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=user("user-abc", is_default=False, created=ADDED_AT - 86400))

    out = await call("codex_get_user", {"user_id": "user-abc"})

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/users/user-abc")
    assert request.url.query == b""
    assert out["id"] == "user-abc"
    assert out["added_at_iso"] == ADDED_AT_ISO
    assert (out["created"], out["created_iso"]) == (ADDED_AT - 86400, "2024-03-25T16:45:33Z")
    assert out["is_default"] is False


@pytest.mark.parametrize("bad_id", ["../organization/projects", "user abc", "u" * 200])
async def test_bad_user_id_is_refused_before_any_request(httpx_mock: HTTPXMock, bad_id: str) -> None:
    result = await call_tool(make_settings(), "codex_get_user", {"user_id": bad_id})

    shown = f"'{bad_id}'" if len(bad_id) < 78 else f"'{bad_id[:78]}… ({len(bad_id)} characters)"
    assert_refused(result, "codex_get_user", "user_id", f"{shown} is not an OpenAI id", "List the objects")
    assert httpx_mock.get_requests() == []


async def test_modify_user_posts_the_new_role(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=user("user-abc", role="reader"))

    out = await call("codex_modify_user", {"user_id": "user-abc", "role": "reader"})

    [request] = httpx_mock.get_requests()
    sent(request, "POST", "/organization/users/user-abc")
    assert body(request) == {"role": "reader"}
    assert out["role"] == "reader"


async def test_modify_user_refuses_unknown_roles(httpx_mock: HTTPXMock) -> None:
    result = await call_tool(make_settings(), "codex_modify_user", {"user_id": "user-abc", "role": "member"})

    assert_refused(result, "codex_modify_user", "role", "Input should be 'owner' or 'reader' (got 'member')")
    assert httpx_mock.get_requests() == []


async def test_modify_user_is_idempotent_so_a_500_is_retried(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(500, "The server had an error."))
    httpx_mock.add_response(json=user("user-abc", role="owner"))

    out = await call("codex_modify_user", {"user_id": "user-abc", "role": "owner"})

    assert out["role"] == "owner"
    assert [body(r) for r in httpx_mock.get_requests()] == [{"role": "owner"}, {"role": "owner"}]


async def test_delete_user_sends_delete_without_body(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={"object": "organization.user.deleted", "id": "user-abc", "deleted": True})

    out = await call("codex_delete_user", {"user_id": "user-abc"})

    [request] = httpx_mock.get_requests()
    sent(request, "DELETE", "/organization/users/user-abc")
    assert request.content == b""
    assert request.url.query == b""
    assert out == {"object": "organization.user.deleted", "id": "user-abc", "deleted": True}


# ---- invites -------------------------------------------------------------------------------------------------------


async def test_list_invites_spec_example(httpx_mock: HTTPXMock) -> None:
    invite = {
        "object": "organization.invite",
        "id": "invite-abc",
        "email": "user@example.com",
        "role": "owner",
        "status": "accepted",
        "created_at": ADDED_AT,
        "expires_at": ADDED_AT + 7 * 86400,
        "accepted_at": ADDED_AT + 60,
    }
    httpx_mock.add_response(json=listing([invite], has_more=True))

    out = await call("codex_list_invites", {"limit": 1, "after": "invite-000"})

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/invites")
    assert pairs(request) == [("limit", "1"), ("after", "invite-000")]
    assert out["next_after"] == "invite-abc"
    assert out["data"] == [
        {
            **invite,
            "created_at_iso": ADDED_AT_ISO,
            "expires_at_iso": "2024-04-02T16:45:33Z",
            "accepted_at_iso": "2024-03-26T16:46:33Z",
        }
    ]


INVITE_RESPONSE = {
    "object": "organization.invite",
    "id": "invite-def",
    "email": "anotheruser@example.com",
    "role": "reader",
    "status": "pending",
    "created_at": ADDED_AT,
    "expires_at": ADDED_AT,
    "accepted_at": None,
}


@pytest.mark.parametrize(
    "projects",
    [
        None,
        [],
        [{"id": "project-xyz", "role": "member"}, {"id": "project-abc", "role": "owner"}],
    ],
)
async def test_create_invite_body(httpx_mock: HTTPXMock, projects: list[dict[str, str]] | None) -> None:
    httpx_mock.add_response(json={**INVITE_RESPONSE, "projects": projects or []})
    arguments: dict[str, Any] = {"email": " anotheruser@example.com ", "role": "reader"}
    if projects is not None:
        arguments["projects"] = projects

    out = await call("codex_create_invite", arguments)

    [request] = httpx_mock.get_requests()
    sent(request, "POST", "/organization/invites")
    expected: dict[str, Any] = {"email": "anotheruser@example.com", "role": "reader"}
    if projects is not None:
        expected["projects"] = projects  # [] means "no project at all", so it must be sent, not dropped
    assert body(request) == expected
    assert out["status"] == "pending"
    assert out["expires_at_iso"] == ADDED_AT_ISO
    assert "accepted_at" not in out
    assert out["projects"] == (projects or [])


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        pytest.param(
            {"email": "not-an-email", "role": "reader"},
            "email",
            "'not-an-email' is not a valid email address (expected name@example.com)",
            id="email",
        ),
        pytest.param(
            {"email": "a@example.com", "role": "admin"},
            "role",
            "Input should be 'owner' or 'reader' (got 'admin')",
            id="role",
        ),
        pytest.param(
            {"email": "a@example.com", "role": "reader", "projects": [{"id": "proj_a", "role": "viewer"}]},
            "projects.0.role",
            "Input should be 'member' or 'owner' (got 'viewer')",
            id="project-role",
        ),
    ],
)
async def test_create_invite_refuses_bad_arguments(
    httpx_mock: HTTPXMock, arguments: dict[str, Any], field: str, message: str
) -> None:
    result = await call_tool(make_settings(), "codex_create_invite", arguments)

    assert_refused(result, "codex_create_invite", field, message)
    assert httpx_mock.get_requests() == []


# ---- projects ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("include_archived", "extra"), [(False, []), (True, [("include_archived", "true")])])
async def test_list_projects(httpx_mock: HTTPXMock, include_archived: bool, extra: list[tuple[str, str]]) -> None:
    archived = project("proj_old", status="archived", archived_at=ADDED_AT + 86400)
    httpx_mock.add_response(json=listing([project(), archived]))

    out = await call("codex_list_projects", {"limit": 50, "include_archived": include_archived})

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/projects")
    assert pairs(request) == [*extra, ("limit", "50")]
    assert out["data"][0] == {
        "id": "proj_abc",
        "object": "organization.project",
        "name": "Project example",
        "created_at": ADDED_AT,
        "created_at_iso": ADDED_AT_ISO,
        "status": "active",
    }
    assert out["data"][1]["archived_at_iso"] == "2024-03-27T16:45:33Z"


async def test_get_project(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=project("proj_abc"))

    out = await call("codex_get_project", {"project_id": "proj_abc"})

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/projects/proj_abc")
    assert (out["id"], out["name"], out["created_at_iso"]) == ("proj_abc", "Project example", ADDED_AT_ISO)
    assert "archived_at" not in out


async def test_create_project_posts_the_name(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=project("proj_new", name="Project ABC"))

    out = await call("codex_create_project", {"name": "  Project ABC "})

    [request] = httpx_mock.get_requests()
    sent(request, "POST", "/organization/projects")
    assert body(request) == {"name": "Project ABC"}
    assert (out["id"], out["name"]) == ("proj_new", "Project ABC")


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("codex_create_project", {"name": "Project ABC"}),
        ("codex_create_invite", {"email": "a@example.com", "role": "reader"}),
    ],
)
async def test_creates_are_not_retried_on_500(httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any]) -> None:
    """A 500 after a POST that creates may mean it was created: retrying could make a duplicate."""
    httpx_mock.add_response(**api_error(500, "The server had an error.", request_id="req_create"))

    result = await call_tool(make_settings(max_retries=3), tool, arguments)

    assert result.is_error
    assert "req_create" in result_text(result)
    assert len(httpx_mock.get_requests()) == 1


@pytest.mark.parametrize(
    ("tool", "arguments", "response"),
    [
        ("codex_create_project", {"name": "Project ABC"}, project("proj_new", name="Project ABC")),
        ("codex_create_invite", {"email": "anotheruser@example.com", "role": "reader"}, INVITE_RESPONSE),
    ],
)
async def test_creates_are_retried_on_429(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any], response: dict[str, Any]
) -> None:
    """A 429 means the request was not processed, so sending it again cannot duplicate anything."""
    httpx_mock.add_response(**api_error(429, "Rate limit reached.", request_id="req_slow"))
    httpx_mock.add_response(json=response)

    out = await call(tool, arguments, max_retries=1)

    first, second = httpx_mock.get_requests()
    assert body(first) == body(second)
    assert out["id"] == response["id"]


async def test_list_project_api_keys_spec_example(httpx_mock: HTTPXMock) -> None:
    key = {
        "object": "organization.project.api_key",
        "redacted_value": "sk-abc...def",
        "name": "My API Key",
        "created_at": ADDED_AT,
        "last_used_at": ADDED_AT + 1,
        "id": "key_abc",
        "owner_project_access": "active",
        "owner": {
            "type": "user",
            "user": {
                "id": "user_abc",
                "name": "First Last",
                "email": "user@example.com",
                "role": "owner",
                "created_at": ADDED_AT,
            },
        },
    }
    httpx_mock.add_response(json=listing([key], has_more=True, last_id="key_xyz"))

    out = await call(
        "codex_list_project_api_keys",
        {"project_id": "proj_abc", "limit": 20, "after": "key_000", "owner_project_access": "any"},
    )

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/projects/proj_abc/api_keys")
    assert pairs(request) == [("owner_project_access", "any"), ("limit", "20"), ("after", "key_000")]
    assert out["next_after"] == "key_xyz"
    [got] = out["data"]
    assert got == {**key, "created_at_iso": ADDED_AT_ISO, "last_used_at_iso": "2024-03-26T16:45:34Z"}


@pytest.mark.parametrize(("arguments", "access"), [({}, "any"), ({"owner_project_access": "inactive"}, "inactive")])
async def test_list_project_api_keys_always_sends_owner_access_any_by_default(
    httpx_mock: HTTPXMock, arguments: dict[str, Any], access: str
) -> None:
    """Without owner_project_access the API hides some keys, so the tool always sends it ('any' unless told)."""
    httpx_mock.add_response(json=listing([]))

    out = await call("codex_list_project_api_keys", {"project_id": "proj_abc", **arguments})

    [request] = httpx_mock.get_requests()
    assert pairs(request) == [("owner_project_access", access), ("limit", "20")]
    assert (out["data"], out["count"], out["has_more"]) == ([], 0, False)


async def test_list_service_accounts_spec_example(httpx_mock: HTTPXMock) -> None:
    account = {
        "object": "organization.project.service_account",
        "id": "svc_acct_abc",
        "name": "Service Account",
        "role": "owner",
        "created_at": ADDED_AT,
    }
    httpx_mock.add_response(json=listing([account], has_more=True, last_id="svc_acct_xyz"))

    out = await call("codex_list_service_accounts", {"project_id": "proj_abc", "limit": 5, "after": "custom_id"})

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/projects/proj_abc/service_accounts")
    assert pairs(request) == [("limit", "5"), ("after", "custom_id")]
    assert out["data"] == [{**account, "created_at_iso": ADDED_AT_ISO}]
    assert (out["has_more"], out["next_after"]) == (True, "svc_acct_xyz")


# ---- audit logs ----------------------------------------------------------------------------------------------------

AUDIT_PAGE = {
    "object": "list",
    "data": [
        {
            "id": "audit_log-xxx_yyyymmdd",
            "type": "project.archived",
            "effective_at": 1722461446,
            "actor": {
                "type": "api_key",
                "api_key": {"type": "user", "user": {"id": "user-xxx", "email": "user@example.com"}},
            },
            "project.archived": {"id": "proj_abc"},
        },
        {
            "id": "audit_log-yyy__20240101",
            "type": "api_key.updated",
            "effective_at": 1720804190,
            "actor": {
                "type": "session",
                "session": {"user": {"id": "user-xxx", "email": "user@example.com"}, "ip_address": "127.0.0.1"},
            },
            "api_key.updated": {"id": "key_xxxx", "data": {"scopes": ["resource_2.operation_2"]}},
        },
    ],
    "first_id": "audit_log-xxx__20240101",
    "last_id": "audit_log_yyy__20240101",
    "has_more": True,
}


async def test_list_audit_events_sends_every_filter(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=AUDIT_PAGE)

    out = await call(
        "codex_list_audit_events",
        {
            "effective_at_start": "2024-07-01",
            "effective_at_end": 1722470400,
            "project_ids": ["proj_abc", "proj_def"],
            "event_types": ["api_key.created", "project.archived"],
            "actor_ids": ["user-xxx"],
            "actor_emails": "user@example.com",
            "resource_ids": ["proj_abc"],
            "tenant_only": False,
            "limit": 2,
            "after": "audit_log-000",
        },
    )

    [request] = httpx_mock.get_requests()
    sent(request, "GET", "/organization/audit_logs")
    assert pairs(request) == [
        ("effective_at[gte]", "1719792000"),
        ("effective_at[lt]", "1722470400"),
        ("project_ids[]", "proj_abc"),
        ("project_ids[]", "proj_def"),
        ("event_types[]", "api_key.created"),
        ("event_types[]", "project.archived"),
        ("actor_ids[]", "user-xxx"),
        ("actor_emails[]", "user@example.com"),
        ("resource_ids[]", "proj_abc"),
        ("tenant_only", "false"),
        ("limit", "2"),
        ("after", "audit_log-000"),
    ]
    assert b"effective_at[gte]=1719792000&effective_at[lt]=1722470400&project_ids[]=proj_abc" in request.url.query
    assert (out["count"], out["has_more"], out["next_after"]) == (2, True, "audit_log_yyy__20240101")
    archived, updated = out["data"]
    assert archived["effective_at_iso"] == "2024-07-31T21:30:46Z"
    assert archived["details"] == {"id": "proj_abc"}
    assert "project.archived" not in archived
    assert archived["actor_summary"] == "user@example.com (API key ?, user)"
    assert updated["effective_at_iso"] == "2024-07-12T17:09:50Z"
    assert updated["details"] == {"id": "key_xxxx", "data": {"scopes": ["resource_2.operation_2"]}}
    assert updated["actor_summary"] == "user@example.com (web session, from 127.0.0.1)"


async def test_audit_event_with_an_empty_type_payload_has_no_details(httpx_mock: HTTPXMock) -> None:
    event = {
        "id": "audit_log-zzz",
        "type": "logout.succeeded",
        "effective_at": 1722461446,
        "actor": {"type": "session", "session": {"user": {"id": "user-xxx", "email": "user@example.com"}}},
        "logout.succeeded": {},
    }
    httpx_mock.add_response(json={**AUDIT_PAGE, "data": [event], "has_more": False})

    out = await call("codex_list_audit_events", {})

    assert out["data"] == [
        {
            "id": "audit_log-zzz",
            "type": "logout.succeeded",
            "effective_at": 1722461446,
            "effective_at_iso": "2024-07-31T21:30:46Z",
            "actor": event["actor"],
            "actor_summary": "user@example.com (web session)",
        }
    ]


async def test_list_audit_events_without_filters(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={**AUDIT_PAGE, "data": [], "has_more": False})

    out = await call("codex_list_audit_events", {})

    [request] = httpx_mock.get_requests()
    assert pairs(request) == [("limit", "20")]
    assert (out["count"], out["has_more"]) == (0, False)


async def test_audit_this_week_runs_from_monday_to_now(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    now = int(datetime(2024, 11, 14, 15, 30, tzinfo=UTC).timestamp())  # a Thursday
    monkeypatch.setattr("codex_mcp.timeparse.time", types.SimpleNamespace(time=lambda: now))
    httpx_mock.add_response(json={**AUDIT_PAGE, "has_more": False})

    await call("codex_list_audit_events", {"effective_at_start": "this week", "event_types": ["api_key.created"]})

    [request] = httpx_mock.get_requests()
    monday = int(datetime(2024, 11, 11, tzinfo=UTC).timestamp())
    assert pairs(request)[:3] == [
        ("effective_at[gte]", str(monday)),
        ("effective_at[lt]", str(now)),
        ("event_types[]", "api_key.created"),
    ]


@pytest.mark.parametrize(
    ("arguments", "field", "fragments"),
    [
        pytest.param(
            {"event_types": ["API key created"]},
            "event_types.0",
            ["'API key created' is not an audit-log event type", "such as 'api_key.created'"],
            id="event-type",
        ),
        pytest.param(
            {"actor_emails": ["nobody"]},
            "actor_emails.0",
            ["'nobody' is not a valid email address (expected name@example.com)"],
            id="actor-email",
        ),
        pytest.param(
            {"effective_at_start": "2024-08-01", "effective_at_end": "2024-07-01"},
            "effective_at_start",
            [
                "(2024-08-01T00:00:00Z) must be before effective_at_end (2024-07-01T00:00:00Z)",
                "effective_at_end is exclusive",
            ],
            id="range-backwards",
        ),
        pytest.param(
            {"after": "cursor with spaces"},
            "after",
            ["'cursor with spaces' is not a cursor this API gave out", "pass back `next_after`"],
            id="cursor",
        ),
    ],
)
async def test_audit_bad_arguments_send_nothing(
    httpx_mock: HTTPXMock, arguments: dict[str, Any], field: str, fragments: list[str]
) -> None:
    result = await call_tool(make_settings(), "codex_list_audit_events", arguments)

    assert_refused(result, "codex_list_audit_events", field, *fragments)
    assert httpx_mock.get_requests() == []


# ---- errors --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (400, "fix the argument it names"),
        (401, "Set OPENAI_ADMIN_KEY to an Admin key"),
        (403, "lacks organization admin access"),
        (404, "List the objects first (codex_list_users"),
        (429, "OpenAI rate-limited the requests"),
        (500, "OpenAI failed to answer"),
    ],
)
async def test_api_errors_become_tool_errors(httpx_mock: HTTPXMock, status: int, hint: str) -> None:
    message = f"Something went wrong ({status}) with key {TEST_KEY}"
    httpx_mock.add_response(**api_error(status, message, request_id=f"req_{status}", param="user_id"))

    result = await call_tool(make_settings(max_retries=0), "codex_get_user", {"user_id": "user-abc"})

    assert result.is_error
    text = result_text(result)
    assert f"OpenAI API error {status} on GET /v1/organization/users/user-abc" in text
    assert f"Something went wrong ({status})" in text
    assert "(param: user_id)" in text
    assert f"Request id: req_{status}" in text
    assert hint in text
    assert TEST_KEY not in text
    assert len(httpx_mock.get_requests()) == 1


async def test_error_without_json_body_keeps_the_status_and_request_id(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=502, text="<html>Bad gateway</html>", headers={"x-request-id": "req_gw"})

    result = await call_tool(make_settings(max_retries=0), "codex_list_projects", {})

    assert result.is_error
    text = result_text(result)
    assert "OpenAI API error 502" in text
    assert "Bad gateway" in text
    assert "req_gw" in text


async def test_reads_are_retried_until_they_succeed(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(503, "Overloaded."))
    httpx_mock.add_response(**api_error(429, "Slow down."))
    httpx_mock.add_response(json=listing([project()]))

    out = await call("codex_list_projects", {}, max_retries=2)

    assert out["count"] == 1
    assert len(httpx_mock.get_requests()) == 3


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("codex_list_audit_events", {}),
        ("codex_create_project", {"name": "x"}),
    ],
)
async def test_no_key_is_a_tool_error_and_sends_nothing(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any]
) -> None:
    result = await call_tool(make_settings(admin_key=None), tool, arguments)

    assert result.is_error
    text = result_text(result)
    assert "OPENAI_ADMIN_KEY is not set" in text
    assert "Admin keys" in text
    assert httpx_mock.get_requests() == []


async def test_project_key_is_refused_before_any_request(httpx_mock: HTTPXMock) -> None:
    project_key = "sk-proj-PROJECTKEY0123456789abc"

    result = await call_tool(make_settings(admin_key=project_key), "codex_list_users", {})

    assert result.is_error
    text = result_text(result)
    assert "project key" in text
    assert project_key not in text
    assert httpx_mock.get_requests() == []
