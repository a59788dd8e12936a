"""The access toolset: each tool's exact request and result, paging (the `next` cursor of groups, group members and
roles), retries of changes and adds, refused arguments, the questions the destructive tools ask (the rest of their
confirmation: tests/test_confirm.py), and every tool once against the demo organization."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.server import create_server
from tests.access_support import (
    AT,
    AT_ISO,
    assert_sent,
    call_error,
    call_ok,
    counted_session,
    deleted,
    group,
    group_user,
    invite,
    next_listing,
    project,
    project_user,
    role,
    sample_picks,
    sent_body,
    service_account,
)
from tests.builders import api_error, listing
from tests.conftest import make_settings, result_text
from tests.test_confirm import Asker

PROJECT = "/organization/projects/proj_abc"
MEMBER = f"{PROJECT}/users/user-abc"
ACCOUNT = f"{PROJECT}/service_accounts/svc_acct_abc"
LATER_ISO = "2024-03-26T16:46:33Z"  # AT + 60


def lean(value: dict[str, Any], **iso: str) -> dict[str, Any]:
    """An API object as a tool returns it: nulls left out, ISO twins added."""
    return {**{k: v for k, v in value.items() if v is not None}, **iso}


def page(*items: dict[str, Any], next_after: str | None = None) -> dict[str, Any]:
    """A list tool's result."""
    out: dict[str, Any] = {"data": list(items), "count": len(items), "has_more": next_after is not None}
    return {**out, "next_after": next_after} if next_after else out


def row(
    tool: str,
    arguments: dict[str, Any],
    response: dict[str, Any],
    sent: tuple[str, str, list[tuple[str, str]], Any],
    expected: dict[str, Any],
    *,
    id: str,
) -> Any:
    return pytest.param(tool, arguments, response, sent, expected, id=id)


REQUESTS = [
    row(
        "codex_list_project_users",
        {"project_id": "proj_abc", "limit": 2, "after": "user-000"},
        listing([project_user(), project_user("user-def", name=None, role="owner")], has_more=True),
        ("GET", f"{PROJECT}/users", [("limit", "2"), ("after", "user-000")], None),
        page(
            lean(project_user(), added_at_iso=AT_ISO),
            lean(project_user("user-def", name=None, role="owner"), added_at_iso=AT_ISO),
            next_after="user-def",
        ),
        id="list-project-users",
    ),
    row(
        "codex_list_project_users",
        {"project_id": "proj_abc"},
        listing([]),
        ("GET", f"{PROJECT}/users", [("limit", "20")], None),
        page(),
        id="list-project-users-empty",
    ),
    row(
        "codex_add_project_user",
        {"project_id": "proj_abc", "role": "member", "user_id": "user-abc"},
        project_user(),
        ("POST", f"{PROJECT}/users", [], {"role": "member", "user_id": "user-abc"}),
        lean(project_user(), added_at_iso=AT_ISO),
        id="add-project-user-by-id",
    ),
    row(
        "codex_add_project_user",
        {"project_id": "proj_abc", "role": "owner", "email": " ada@example.com "},
        project_user(role="owner"),
        ("POST", f"{PROJECT}/users", [], {"role": "owner", "email": "ada@example.com"}),
        lean(project_user(role="owner"), added_at_iso=AT_ISO),
        id="add-project-user-by-email",
    ),
    row(
        "codex_modify_project_user",
        {"project_id": "proj_abc", "user_id": "user-abc", "role": "owner"},
        project_user(role="owner"),
        ("POST", MEMBER, [], {"role": "owner"}),
        lean(project_user(role="owner"), added_at_iso=AT_ISO),
        id="modify-project-user",
    ),
    row(
        "codex_remove_project_user",
        {"project_id": "proj_abc", "user_id": "user-abc"},
        deleted("organization.project.user", "user-abc"),
        ("DELETE", MEMBER, [], None),
        deleted("organization.project.user", "user-abc"),
        id="remove-project-user",
    ),
    row(
        "codex_get_service_account",
        {"project_id": "proj_abc", "service_account_id": "svc_acct_abc"},
        service_account(),
        ("GET", ACCOUNT, [], None),
        lean(service_account(), created_at_iso=AT_ISO),
        id="get-service-account",
    ),
    row(
        "codex_delete_service_account",
        {"project_id": "proj_abc", "service_account_id": "svc_acct_abc"},
        deleted("organization.project.service_account", "svc_acct_abc"),
        ("DELETE", ACCOUNT, [], None),
        deleted("organization.project.service_account", "svc_acct_abc"),
        id="delete-service-account",
    ),
    row(
        "codex_get_invite",
        {"invite_id": "invite-abc"},
        invite(),
        ("GET", "/organization/invites/invite-abc", [], None),
        lean(invite(), created_at_iso=AT_ISO, expires_at_iso="2024-04-02T16:45:33Z"),
        id="get-invite",
    ),
    row(
        "codex_delete_invite",
        {"invite_id": "invite-abc"},
        deleted("organization.invite", "invite-abc"),
        ("DELETE", "/organization/invites/invite-abc", [], None),
        deleted("organization.invite", "invite-abc"),
        id="delete-invite",
    ),
    row(
        "codex_modify_project",
        {"project_id": "proj_abc", "name": "  Chat Widget v2 "},
        project(name="Chat Widget v2"),
        ("POST", PROJECT, [], {"name": "Chat Widget v2"}),
        lean(project(name="Chat Widget v2"), created_at_iso=AT_ISO),
        id="modify-project",
    ),
    row(
        "codex_archive_project",
        {"project_id": "proj_abc"},
        project(status="archived", archived_at=AT + 60),
        ("POST", f"{PROJECT}/archive", [], None),
        lean(project(status="archived", archived_at=AT + 60), created_at_iso=AT_ISO, archived_at_iso=LATER_ISO),
        id="archive-project",
    ),
    row(
        "codex_list_groups",
        {},
        next_listing([group()]),
        ("GET", "/organization/groups", [("order", "asc"), ("limit", "20")], None),
        page(lean(group(), created_at_iso=AT_ISO)),
        id="list-groups",
    ),
    row(
        "codex_list_groups",
        {"limit": 2, "after": "group_000", "order": "desc"},
        next_listing([group("group_2"), group("group_1", is_scim_managed=True)], next_cursor="group_1"),
        ("GET", "/organization/groups", [("order", "desc"), ("limit", "2"), ("after", "group_000")], None),
        page(
            lean(group("group_2"), created_at_iso=AT_ISO),
            lean(group("group_1", is_scim_managed=True), created_at_iso=AT_ISO),
            next_after="group_1",
        ),
        id="list-groups-page",
    ),
    row(
        "codex_list_group_users",
        {"group_id": "group_abc"},
        next_listing([group_user(), group_user("user-def", email=None)]),
        ("GET", "/organization/groups/group_abc/users", [("order", "desc"), ("limit", "20")], None),
        page(group_user(), {"id": "user-def", "name": "Ada Lovelace"}),
        id="list-group-users",
    ),
    row(
        "codex_list_group_users",
        {"group_id": "group_abc", "limit": 1000, "after": "user-000", "order": "asc"},
        next_listing([group_user()], next_cursor="user-abc"),
        (
            "GET",
            "/organization/groups/group_abc/users",
            [("order", "asc"), ("limit", "1000"), ("after", "user-000")],
            None,
        ),
        page(group_user(), next_after="user-abc"),
        id="list-group-users-page",
    ),
    row(
        "codex_list_roles",
        {"limit": 2},
        # The next page starts at the API's `next`, which need not be the last role's id.
        next_listing([role(), role("role_def", description="Reads usage.")], next_cursor="cursor_b3JkZXI6Mg=="),
        ("GET", "/organization/roles", [("order", "asc"), ("limit", "2")], None),
        page(lean(role()), role("role_def", description="Reads usage."), next_after="cursor_b3JkZXI6Mg=="),
        id="list-roles",
    ),
]


@pytest.mark.parametrize(("tool", "arguments", "response", "request_", "expected"), REQUESTS)
async def test_each_tool_sends_its_request_and_returns_the_answer(
    httpx_mock: HTTPXMock,
    tool: str,
    arguments: dict[str, Any],
    response: dict[str, Any],
    request_: tuple[str, str, list[tuple[str, str]], Any],
    expected: dict[str, Any],
) -> None:
    httpx_mock.add_response(json=response)

    out = await call_ok(tool, arguments)

    [request] = httpx_mock.get_requests()
    assert_sent(request, *request_)
    assert out == expected


# ---- paging with `next` ----------------------------------------------------------------------------------------


async def test_the_next_page_of_roles_is_asked_for_with_the_apis_cursor(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=next_listing([role("role_1")], next_cursor="cursor_2"))
    httpx_mock.add_response(json=next_listing([role("role_2")]))

    first = await call_ok("codex_list_roles", {"limit": 1})
    last = await call_ok("codex_list_roles", {"limit": 1, "after": first["next_after"]})

    assert first["next_after"] == "cursor_2"
    assert (last["has_more"], "next_after" in last) == (False, False)
    assert [r.url.params.get("after") for r in httpx_mock.get_requests()] == [None, "cursor_2"]


@pytest.mark.parametrize(
    ("answer", "arguments"),
    [
        ({"object": "list", "data": [group()], "has_more": True, "next": None}, {}),
        (next_listing([group("group_1")], next_cursor="group_000"), {"after": "group_000"}),
    ],
    ids=["has-more-without-next", "next-is-the-cursor-sent"],
)
async def test_a_page_that_cannot_be_continued_is_an_error_not_data(
    httpx_mock: HTTPXMock, answer: dict[str, Any], arguments: dict[str, Any]
) -> None:
    httpx_mock.add_response(json=answer)

    text = await call_error("codex_list_groups", arguments)

    assert "/organization/groups said has_more but gave no new next to continue from" in text
    assert "Hint: Nothing partial was returned" in text


# ---- retries: adds are not repeated blindly, changes are ----------------------------------------------------------


async def test_an_add_that_failed_with_500_is_not_repeated_and_says_to_list_first(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(500, "The server had an error.", request_id="req_add"))

    text = await call_error(
        "codex_add_project_user", {"project_id": "proj_abc", "role": "member", "user_id": "user-abc"}, max_retries=3
    )

    assert len(httpx_mock.get_requests()) == 1
    assert "req_add" in text
    assert "the project membership may have been created anyway" in text
    assert "list first (codex_list_project_users)" in text


async def test_an_add_that_was_rate_limited_is_sent_again(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(429, "Rate limit reached."))
    httpx_mock.add_response(json=project_user())

    out = await call_ok("codex_add_project_user", {"project_id": "proj_abc", "role": "member", "user_id": "user-abc"})

    assert out["id"] == "user-abc"
    assert len(httpx_mock.get_requests()) == 2


@pytest.mark.parametrize(
    ("tool", "arguments", "answer"),
    [
        ("codex_modify_project_user", {"project_id": "proj_abc", "user_id": "user-abc", "role": "owner"},
         project_user(role="owner")),
        ("codex_modify_project", {"project_id": "proj_abc", "name": "Chat Widget v2"}, project(name="Chat Widget v2")),
        ("codex_archive_project", {"project_id": "proj_abc"}, project(status="archived", archived_at=AT)),
        ("codex_remove_project_user", {"project_id": "proj_abc", "user_id": "user-abc"},
         deleted("organization.project.user", "user-abc")),
    ],
)  # fmt: skip
async def test_changes_that_repeat_harmlessly_are_retried_after_a_500(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any], answer: dict[str, Any]
) -> None:
    httpx_mock.add_response(**api_error(500, "The server had an error."))
    httpx_mock.add_response(json=answer)

    out = await call_ok(tool, arguments)

    assert out["id"] == answer["id"]
    first, second = httpx_mock.get_requests()
    assert (first.method, first.url, sent_body(first)) == (second.method, second.url, sent_body(second))


async def test_api_refusals_come_back_with_the_apis_message_and_a_hint(httpx_mock: HTTPXMock) -> None:
    message = "This invite has already been accepted and cannot be deleted."
    httpx_mock.add_response(**api_error(400, message, code="invite_already_accepted", request_id="req_accepted"))

    text = await call_error("codex_delete_invite", {"invite_id": "invite-abc"})

    assert message in text
    assert "(code: invite_already_accepted)" in text
    assert "req_accepted" in text
    assert "Hint: The API rejected the request" in text


# ---- refused arguments -----------------------------------------------------------------------------------------

ID_ADVICE = "is not an OpenAI id"
P = {"project_id": "proj_abc"}
BAD_INPUT = [
    ("codex_list_project_users", {"project_id": "proj_abc/users"}, "project_id", ID_ADVICE),
    ("codex_list_project_users", {**P, "limit": 101}, "limit", "less than or equal to 100"),
    ("codex_list_project_users", {**P, "after": "a b"}, "after", "next_after"),
    ("codex_add_project_user", {**P, "role": "member"}, "user_id", "both are missing"),
    ("codex_add_project_user", {**P, "role": "admin", "user_id": "user-abc"}, "role", "'owner' or 'member'"),
    ("codex_add_project_user", {**P, "role": "reader", "user_id": "user-abc"}, "role", "'owner' or 'member'"),
    ("codex_add_project_user", {**P, "user_id": "user-abc"}, "role", "required argument is missing"),
    ("codex_add_project_user", {**P, "role": "member", "user_id": "user/../x"}, "user_id", ID_ADVICE),
    ("codex_add_project_user", {**P, "role": "member", "email": "ada"}, "email", "not a valid email"),
    ("codex_add_project_user", {**P, "role": "member", "email": "a@b.co\nBcc: c@d.co"}, "email", "not a valid email"),
    ("codex_modify_project_user", {**P, "user_id": "user-abc", "role": "Owner"}, "role", "'owner' or 'member'"),
    ("codex_modify_project_user", {**P, "user_id": "user abc", "role": "owner"}, "user_id", ID_ADVICE),
    ("codex_modify_project_user", {**P, "user_id": "user-abc"}, "role", "required argument is missing"),
    ("codex_remove_project_user", {**P, "user_id": "../users"}, "user_id", ID_ADVICE),
    ("codex_remove_project_user", {"user_id": "user-abc"}, "project_id", "required argument is missing"),
    ("codex_get_service_account", {**P, "service_account_id": "svc#1"}, "service_account_id", ID_ADVICE),
    ("codex_delete_service_account", {**P, "service_account_id": ""}, "service_account_id", ID_ADVICE),
    ("codex_delete_service_account", {"project_id": "proj\x00", "service_account_id": "s"}, "project_id", ID_ADVICE),
    ("codex_get_invite", {"invite_id": "invite-abc?x"}, "invite_id", ID_ADVICE),
    ("codex_delete_invite", {"invite_id": "i" * 129}, "invite_id", "at most 128 characters"),
    ("codex_delete_invite", {}, "invite_id", "required argument is missing"),
    ("codex_modify_project", {**P, "name": "   "}, "name", "the name is empty"),
    ("codex_modify_project", {**P, "name": "two\nlines"}, "name", "no control characters"),
    ("codex_modify_project", {**P, "name": "x" * 201}, "name", "1-200 characters"),
    ("codex_modify_project", {**P, "external_key_id": "k"}, "external_key_id", "unknown argument"),
    ("codex_archive_project", {"project_id": "proj_abc%2F.."}, "project_id", ID_ADVICE),
    ("codex_list_groups", {"limit": 0}, "limit", "greater than or equal to 1"),
    ("codex_list_groups", {"limit": 1001}, "limit", "less than or equal to 1000"),
    ("codex_list_groups", {"order": "ascending"}, "order", "'asc' or 'desc'"),
    ("codex_list_group_users", {"group_id": "group/abc"}, "group_id", ID_ADVICE),
    ("codex_list_group_users", {"group_id": "group_abc", "limit": "10"}, "limit", "valid integer"),
    ("codex_list_roles", {"after": "x" * 600}, "after", "next_after"),
    ("codex_list_roles", {"order": None}, "order", "'asc' or 'desc'"),
]


async def test_bad_arguments_are_refused_naming_the_field_before_any_request() -> None:
    """One session for the whole table: not one refused call may reach the API."""
    async with counted_session("access") as session:
        for tool, arguments, field, message in BAD_INPUT:
            result = await session.client.call_tool(tool, arguments)
            text = result_text(result)
            assert result.is_error, f"{tool}({arguments}) was accepted"
            assert text.startswith(f"Invalid arguments for {tool}"), text
            assert f"{field}: " in text, text
            assert message in text, text
        assert session.requests == []


# ---- confirmation (asked, declined, accepted, or not asked: tests/test_confirm.py) ------------------------------

TOOLS = ["codex_remove_project_user", "codex_delete_service_account", "codex_delete_invite", "codex_archive_project"]


@pytest.mark.parametrize(
    ("tool", "arguments", "question"),
    [
        ("codex_remove_project_user", {"project_id": "proj_abc", "user_id": "user-abc"},
         "Remove user-abc from project proj_abc"),
        ("codex_delete_service_account", {"project_id": "proj_abc", "service_account_id": "svc_acct_abc"},
         "Delete service account svc_acct_abc of project proj_abc, and with it its API keys"),
        ("codex_delete_invite", {"invite_id": "invite-abc"}, "Delete the invite invite-abc"),
        ("codex_archive_project", {"project_id": "proj_abc"},
         "Archive project proj_abc: it can no longer be used or changed"),
    ],
)  # fmt: skip
async def test_the_question_names_the_ids_when_the_lookups_fail(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any], question: str
) -> None:
    httpx_mock.add_response(method="GET", **api_error(403, "Insufficient permissions"), is_reusable=True)
    asker = Asker("decline")
    async with Client(create_server(make_settings(toolsets="access")), elicitation_callback=asker) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert asker.asked == [f"{question}? This cannot be undone from here."]
    assert {r.method for r in httpx_mock.get_requests()} == {"GET"}


# ---- the demo organization -------------------------------------------------------------------------------------


async def test_every_access_tool_against_the_demo_organization() -> None:
    simulator = AdminAPISimulator()  # the same sample organization the demo server serves
    picks = sample_picks(simulator)
    chosen, member, outsider, account = picks.project, picks.member, picks.outsider, picks.account
    p = {"project_id": chosen.id}
    async with Client(create_server(make_settings(demo=True, toolsets="access"))) as client:

        async def call(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result_text(result)
            assert result.structured_content is not None
            assert result.structured_content["demo_data"] is True
            return result.structured_content

        members = await call("codex_list_project_users", {**p, "limit": 100})
        assert member.id in {m["id"] for m in members["data"]}
        assert outsider.id not in {m["id"] for m in members["data"]}

        added = await call("codex_add_project_user", {**p, "role": "member", "email": outsider.email.upper()})
        assert (added["id"], added["role"]) == (outsider.id, "member")
        promoted = await call("codex_modify_project_user", {**p, "user_id": outsider.id, "role": "owner"})
        assert promoted["role"] == "owner"
        removed = await call("codex_remove_project_user", {**p, "user_id": outsider.id})
        assert (removed["id"], removed["deleted"]) == (outsider.id, True)

        got = await call("codex_get_service_account", {**p, "service_account_id": account.id})
        assert (got["name"], got["role"]) == (account.name, account.role)
        gone = await call("codex_delete_service_account", {**p, "service_account_id": account.id})
        assert gone["deleted"] is True

        pending = await call("codex_get_invite", {"invite_id": picks.pending_invite.id})
        assert (pending["email"], pending["status"]) == (picks.pending_invite.email, "pending")
        withdrawn = await call("codex_delete_invite", {"invite_id": picks.pending_invite.id})
        assert withdrawn["object"] == "organization.invite.deleted"

        renamed = await call("codex_modify_project", {**p, "name": f"{chosen.name} (old)"})
        assert renamed["name"] == f"{chosen.name} (old)"
        archived = await call("codex_archive_project", p)
        assert (archived["status"], archived["archived_at_iso"][:2]) == ("archived", "20")
        refused = await client.call_tool("codex_modify_project", {**p, "name": "Again"})
        assert refused.is_error
        assert "archived" in result_text(refused)

        # Every group, two at a time, following next_after.
        seen: list[str] = []
        after: dict[str, Any] = {}
        while True:
            groups = await call("codex_list_groups", {"limit": 2, **after})
            seen += [g["name"] for g in groups["data"]]
            if not groups["has_more"]:
                break
            after = {"after": groups["next_after"]}
        assert seen == [g.name for g in simulator.org.access.groups]

        users = await call("codex_list_group_users", {"group_id": picks.group_id, "limit": 1000})
        assert users["count"] == len(next(g for g in simulator.org.access.groups if g.id == picks.group_id).members)
        assert all(set(u) >= {"id", "name", "email"} for u in users["data"])

        roles = await call("codex_list_roles", {})
        names = {r["name"]: r for r in roles["data"]}
        assert names["owner"]["predefined_role"] is True
        assert names["Billing Viewer"]["predefined_role"] is False


# ---- what the model reads --------------------------------------------------------------------------------------


async def test_descriptions_say_what_comes_back_how_to_page_and_that_destructive_tools_ask() -> None:
    async with Client(create_server(make_settings(toolsets="access"))) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert len(tools) == 13
    for name, tool in tools.items():
        description = " ".join((tool.description or "").split())
        if name.startswith("codex_list_"):
            assert "has_more" in description, name
            assert "after=next_after" in description, name
        if name in TOOLS:
            assert "Acts at once" in description, name
            assert "asked to confirm before anything is sent" in description, name
        assert "confirmation" not in tool.input_schema["properties"], name
    limits = {name: tools[name].input_schema["properties"]["limit"]["maximum"] for name in tools if "list" in name}
    assert limits == {
        "codex_list_project_users": 100,
        "codex_list_groups": 1000,
        "codex_list_group_users": 1000,
        "codex_list_roles": 1000,
    }
    add = tools["codex_add_project_user"].input_schema
    assert set(add["properties"]) == {"project_id", "role", "user_id", "email"}
    assert set(add["required"]) == {"project_id", "role"}
    assert {tools[name].input_schema["properties"]["order"]["default"] for name in ("codex_list_groups",
            "codex_list_roles")} == {"asc"}  # fmt: skip
    assert tools["codex_list_group_users"].input_schema["properties"]["order"]["default"] == "desc"


async def test_the_toolset_is_served_by_name() -> None:
    async with Client(create_server(make_settings(toolsets="keys,access", read_only=True))) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert names == {
        "codex_get_project_api_key",
        "codex_list_admin_api_keys",
        "codex_list_project_users",
        "codex_get_service_account",
        "codex_get_invite",
        "codex_list_groups",
        "codex_list_group_users",
        "codex_list_roles",
    }
