"""Helpers for the keys and access toolset tests: API objects as the spec shows them, the request as sent, one MCP
session over a recording transport, and picks from the sample organization.

Not a test module (pytest collects only test_*.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from mcp import Client

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.demo.entities import ApiKey, Invite, Project, ServiceAccount, User
from codex_mcp.demo.sample_access import DEMO_ADMIN_KEY_ID
from codex_mcp.server import create_server
from codex_mcp.toolsets import TOOLSETS
from tests.builders import pairs
from tests.conftest import BASE_URL, TEST_KEY, call_tool, find_nulls, make_settings, result_text

AT = 1711471533  # the spec examples' timestamp
AT_ISO = "2024-03-26T16:45:33Z"

# ---- API objects -----------------------------------------------------------------------------------------------


def next_listing(data: list[dict[str, Any]], *, next_cursor: str | None = None) -> dict[str, Any]:
    """A list page of the {has_more, next} kind (groups, group users, roles)."""
    return {"object": "list", "data": data, "has_more": next_cursor is not None, "next": next_cursor}


def deleted(kind: str, object_id: str) -> dict[str, Any]:
    return {"object": f"{kind}.deleted", "id": object_id, "deleted": True}


def project(project_id: str = "proj_abc", **fields: Any) -> dict[str, Any]:
    return {
        "id": project_id,
        "object": "organization.project",
        "name": "Chat Widget",
        "created_at": AT,
        "archived_at": None,
        "status": "active",
        **fields,
    }


def project_key(key_id: str = "key_abc", **fields: Any) -> dict[str, Any]:
    return {
        "object": "organization.project.api_key",
        "redacted_value": "sk-abc...def",
        "name": "ci-deploy",
        "created_at": AT,
        "last_used_at": AT + 60,
        "id": key_id,
        "owner_project_access": "active",
        "owner": {
            "type": "user",
            "user": {"id": "user-abc", "email": "ada@example.com", "name": "Ada", "created_at": AT, "role": "owner"},
        },
        **fields,
    }


def admin_key(key_id: str = "key_adm", **fields: Any) -> dict[str, Any]:
    return {
        "object": "organization.admin_api_key",
        "id": key_id,
        "name": "Terraform CI",
        "redacted_value": "sk-admin...xyz",
        "created_at": AT,
        "expires_at": None,
        "last_used_at": AT + 60,
        "owner": {
            "type": "user",
            "object": "organization.user",
            "id": "user-abc",
            "name": "Ada Lovelace",
            "created_at": AT,
            "role": "owner",
        },
        **fields,
    }


def project_user(user_id: str = "user-abc", **fields: Any) -> dict[str, Any]:
    return {
        "object": "organization.project.user",
        "id": user_id,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "role": "member",
        "added_at": AT,
        **fields,
    }


def service_account(account_id: str = "svc_acct_abc", **fields: Any) -> dict[str, Any]:
    return {
        "object": "organization.project.service_account",
        "id": account_id,
        "name": "deploy-bot",
        "role": "member",
        "created_at": AT,
        **fields,
    }


def invite(invite_id: str = "invite-abc", **fields: Any) -> dict[str, Any]:
    return {
        "object": "organization.invite",
        "id": invite_id,
        "email": "bob@example.com",
        "role": "reader",
        "status": "pending",
        "created_at": AT,
        "expires_at": AT + 7 * 86400,
        "accepted_at": None,
        "projects": [{"id": "proj_abc", "role": "member"}],
        **fields,
    }


def group(group_id: str = "group_abc", **fields: Any) -> dict[str, Any]:
    return {
        "id": group_id,
        "name": "Support Team",
        "created_at": AT,
        "is_scim_managed": False,
        "group_type": "group",
        **fields,
    }


def group_user(user_id: str = "user-abc", **fields: Any) -> dict[str, Any]:
    return {"id": user_id, "name": "Ada Lovelace", "email": "ada@example.com", **fields}


def role(role_id: str = "role_abc", **fields: Any) -> dict[str, Any]:
    return {
        "object": "role",
        "id": role_id,
        "name": "Billing Viewer",
        "description": None,
        "permissions": ["api.usage.read"],
        "resource_type": "api.organization",
        "predefined_role": False,
        **fields,
    }


# ---- the request as sent ---------------------------------------------------------------------------------------


def sent_body(request: httpx.Request) -> Any:
    """The JSON body (None when the request has none)."""
    if not request.content:
        return None
    assert request.headers["Content-Type"] == "application/json"
    return json.loads(request.content)


def assert_sent(request: httpx.Request, method: str, path: str, query: list[tuple[str, str]], body: Any) -> None:
    """The request went to BASE_URL + path with this method, query and JSON body, the admin key as bearer token."""
    assert (request.method, request.url.path) == (method, f"/v1{path}")
    assert str(request.url).split("?")[0] == f"{BASE_URL}{path}"
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"
    assert pairs(request) == query
    assert sent_body(request) == body


def toolset_of(tool: str) -> str:
    """The toolset that serves `tool`."""
    return next(toolset.name for toolset in TOOLSETS.values() if tool in {spec.name for spec in toolset.tools})


async def call_ok(name: str, arguments: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Call one tool on a fresh server serving its toolset; its structured result, which has no nulls and never the
    admin key."""
    result = await call_tool(make_settings(toolsets=toolset_of(name), **overrides), name, arguments)
    text = result_text(result)
    assert not result.is_error, text
    assert result.structured_content is not None
    assert find_nulls(result.structured_content) == []
    assert TEST_KEY not in text
    assert TEST_KEY not in json.dumps(result.structured_content)
    return result.structured_content


async def call_error(name: str, arguments: dict[str, Any], **overrides: Any) -> str:
    """Call one tool that must fail; the error text (never the admin key)."""
    result = await call_tool(make_settings(toolsets=toolset_of(name), **overrides), name, arguments)
    text = result_text(result)
    assert result.is_error, text
    assert TEST_KEY not in text
    return text


# ---- a session that counts requests ----------------------------------------------------------------------------


@dataclass
class Counted:
    """An MCP client whose API answers nothing but counts what reaches it."""

    client: Client
    requests: list[httpx.Request] = field(default_factory=list)


@asynccontextmanager
async def counted_session(toolsets: str) -> AsyncIterator[Counted]:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(500, json={"error": {"message": "no request was expected"}})

    server = create_server(make_settings(toolsets=toolsets, max_retries=0), transport=httpx.MockTransport(answer))
    async with Client(server) as client:
        yield Counted(client, requests)


# ---- picks from the sample organization -------------------------------------------------------------------------


@dataclass(frozen=True)
class SamplePicks:
    """Objects of the (deterministic) sample organization that each tool can act on."""

    project: Project  # active, not the default project, with members, a user key and a service account
    member: User  # a member of `project`
    outsider: User  # an organization member who is not in `project`
    user_key: ApiKey  # a key of `project` owned by a user
    account: ServiceAccount  # a service account of `project`
    pending_invite: Invite
    admin_key_id: str  # an admin key that is not the one the simulator is called with
    group_id: str
    group_name: str
    alert_id: str  # an organization-wide spend alert
    rate_limit_id: str  # one of `project`'s rate limits
    rate_limit_requests: int  # its max_requests_per_1_minute


def sample_picks(simulator: AdminAPISimulator) -> SamplePicks:
    org = simulator.org
    live_users = [u for u in org.users if not u.deleted and not u.is_default]

    def suitable(p: Project) -> bool:
        return (
            p is not org.default_project
            and p.archived_at is None
            and any(k.project_id == p.id and k.owner_user_id and not k.deleted for k in org.api_keys)
            and any(s.project_id == p.id and not s.deleted for s in org.service_accounts)
            and any(u.id not in p.members for u in live_users)
        )

    chosen = next(p for p in org.projects if suitable(p))
    group_ = next(g for g in org.access.groups if g.members)
    return SamplePicks(
        project=chosen,
        member=next(u for u in live_users if u.id in chosen.members),
        outsider=next(u for u in live_users if u.id not in chosen.members),
        user_key=next(k for k in org.api_keys if k.project_id == chosen.id and k.owner_user_id and not k.deleted),
        account=next(s for s in org.service_accounts if s.project_id == chosen.id and not s.deleted),
        pending_invite=next(i for i in org.invites if i.status == "pending" and not i.deleted),
        admin_key_id=next(k.id for k in org.access.admin_api_keys if k.id != DEMO_ADMIN_KEY_ID),
        group_id=group_.id,
        group_name=group_.name,
        alert_id=org.budgets.spend_alerts[0].id,
        rate_limit_id=org.budgets.rate_limits(chosen)[0].id,
        rate_limit_requests=org.budgets.rate_limits(chosen)[0].limits["max_requests_per_1_minute"],
    )
