"""The endpoint contract of every typed method of AdminClient's resource groups (users, invites, projects, keys,
access, budgets, governance, audit): one table row per method (more where an argument changes what is sent) says the
exact request (method, path, every query pair, the JSON body), a valid answer, the name a wrongly shaped answer is
reported under, and whether a failed attempt is repeated; parametrized tests hold every row to each of these. Then
what a few wrappers add themselves: a spend limit that is not set, where a missing spend alert would have to be, how
an alert update keeps the fields not given, and the `next` cursor of groups and roles.

Found by mutation testing (scripts/mutation.sh client): the wrappers' method strings, `what` names, forwarded
arguments and retry flags could each change without a test noticing. A method lowercased ('GET' -> 'get') still goes
out as GET (httpx uppercases it) and an API error quotes httpx's own method, so the method the wrapper wrote is seen
only where the request path uses it: the retry decision (GET and DELETE are repeated on their own) and the text of
a body that cannot be read, "OpenAI answered GET /organization/... with status 200 but ...".
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from codex_mcp.client import AdminClient
from codex_mcp.client.access import AccessEndpoints
from codex_mcp.client.audit import AuditEndpoints
from codex_mcp.client.budgets import BudgetEndpoints, NoSpendLimit
from codex_mcp.client.failures import DELETED_ALREADY
from codex_mcp.client.governance import GovernanceEndpoints
from codex_mcp.client.invites import InviteEndpoints
from codex_mcp.client.keys import KeyEndpoints
from codex_mcp.client.projects import ProjectEndpoints
from codex_mcp.client.users import UserEndpoints
from codex_mcp.errors import (
    AdminAPIError,
    APIResponseError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PaginationError,
)
from codex_mcp.models import Group, Page, Role
from tests.builders import NOV_1, alert, listing, spend_limit
from tests.conftest import load_spec, make_settings
from tests.spec_conformance import check_request

ENDPOINT_CLASSES = (
    UserEndpoints,
    InviteEndpoints,
    ProjectEndpoints,
    KeyEndpoints,
    AccessEndpoints,
    BudgetEndpoints,
    GovernanceEndpoints,
    AuditEndpoints,
)
Pairs = tuple[tuple[str, str], ...]

# ---- answers, shaped like the spec's examples --------------------------------------------------------------------

PROJECT_ID = "proj_abc"
USER = {
    "object": "organization.user",
    "id": "user-abc",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "role": "reader",
    "added_at": NOV_1,
}
INVITE = {
    "object": "organization.invite",
    "id": "invite-abc",
    "email": "grace@example.com",
    "role": "reader",
    "status": "pending",
    "created_at": NOV_1,
    "expires_at": NOV_1 + 7 * 86400,
    "accepted_at": None,
    "projects": [{"id": PROJECT_ID, "role": "member"}],
}
PROJECT = {
    "object": "organization.project",
    "id": PROJECT_ID,
    "name": "Project example",
    "created_at": NOV_1,
    "archived_at": None,
    "status": "active",
}
PROJECT_API_KEY = {
    "object": "organization.project.api_key",
    "id": "key_abc",
    "name": "My API Key",
    "redacted_value": "sk-abc...def",
    "created_at": NOV_1,
    "last_used_at": NOV_1 + 60,
    "owner": {"type": "user", "user": {"object": "organization.project.user", "id": "user-abc", "role": "owner"}},
}
SERVICE_ACCOUNT = {
    "object": "organization.project.service_account",
    "id": "svc_acct_abc",
    "name": "Service Account",
    "role": "owner",
    "created_at": NOV_1,
}
PROJECT_USER = {
    "object": "organization.project.user",
    "id": "user-abc",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "role": "owner",
    "added_at": NOV_1,
}
ADMIN_KEY = {
    "object": "organization.admin_api_key",
    "id": "key_admin",
    "name": "Main Admin Key",
    "redacted_value": "sk-admin...xyz",
    "created_at": NOV_1,
    "last_used_at": NOV_1 + 60,
    "owner": {"type": "user", "object": "organization.user", "id": "user-abc", "name": "Ada", "role": "owner"},
}
GROUP = {"object": "group", "id": "group_abc", "name": "Support Team", "created_at": NOV_1, "is_scim_managed": False}
GROUP_USER = {"id": "user-abc", "name": "Ada Lovelace", "email": "ada@example.com"}
ROLE = {
    "object": "role",
    "id": "role_abc",
    "name": "API Group Manager",
    "description": "Allows managing organization groups",
    "permissions": ["api.groups.read", "api.groups.write"],
    "resource_type": "api.organization",
    "predefined_role": False,
}
RATE_LIMIT = {
    "object": "project.rate_limit",
    "id": "rl-ada",
    "model": "ada",
    "max_requests_per_1_minute": 600,
    "max_tokens_per_1_minute": 150000,
}
CERTIFICATE = {
    "object": "organization.certificate",
    "id": "cert_abc",
    "name": "My Example Certificate",
    "active": True,
    "created_at": NOV_1,
    "certificate_details": {"valid_at": NOV_1, "expires_at": NOV_1 + 365 * 86400},
}
AUDIT_EVENT = {
    "id": "audit_log-abc",
    "type": "project.created",
    "effective_at": NOV_1,
    "actor": {"type": "session", "session": {"user": {"id": "user-abc", "email": "ada@example.com"}}},
    "project.created": {"id": PROJECT_ID, "data": {"name": "Project example"}},
}
ALERT_ID = "alert_abc123"
ALERT = alert(ALERT_ID, 100000, prefix="OpenAI spend alert")
PROJECT_ALERT = alert(ALERT_ID, 100000, project_id=PROJECT_ID, prefix="OpenAI spend alert")


def deleted(kind: str, object_id: str | None) -> dict[str, Any]:
    """The confirmation a DELETE answers with."""
    return {"object": f"{kind}.deleted", "deleted": True} | ({"id": object_id} if object_id else {})


def next_page(data: list[dict[str, Any]]) -> dict[str, Any]:
    """A last page of a list that gives its cursor as `next` (groups, group users, roles)."""
    return {"object": "list", "data": data, "has_more": False, "next": None}


def channel(recipients: list[str], prefix: str | None) -> dict[str, Any]:
    return {"type": "email", "recipients": recipients, "subject_prefix": prefix}


def alert_body(cents: int, recipients: list[str], prefix: str | None) -> dict[str, Any]:
    """A spend alert's whole create/update body."""
    return {
        "threshold_amount": cents,
        "currency": "USD",
        "interval": "month",
        "notification_channel": channel(recipients, prefix),
    }


# ---- the contract ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """A request the method sends before the one under contract, and the answer it gets."""

    method: str
    path: str
    answer: dict[str, Any]


@dataclass(frozen=True)
class Contract:
    """What calling AdminClient.<name>(**args) sends, and how it treats the answer.

    `path`: the API path, without the base URL's /v1. `what`: the name a wrongly shaped answer is reported under (a
    list's is its path). `retried`: a 500 is tried again. `creates`: what a create makes and the tool that lists
    them, as its hint says when the create may have happened. `before`: requests sent first (an alert update reads
    the alert). `case`: tells apart the contracts of one method."""

    name: str
    args: dict[str, Any]
    method: str
    path: str
    answer: dict[str, Any]
    what: str
    query: Pairs = ()
    body: dict[str, Any] | None = None
    retried: bool = True
    creates: tuple[str, str] | None = None
    before: tuple[Exchange, ...] = ()
    case: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.case}]" if self.case else self.name


def page(name: str, args: dict[str, Any], path: str, answer: dict[str, Any], query: Pairs, case: str = "") -> Contract:
    """A method that reads a list (a page, or every page): a GET whose wrongly shaped answer is named by its path."""
    return Contract(name, args, "GET", path, answer, path, query=query, case=case)


def paged(limit: int, after: str | None, *query: tuple[str, str]) -> Pairs:
    """The query of one list page: the method's own pairs, then limit and after (when there is one)."""
    return (*query, ("limit", str(limit)), *((("after", after),) if after else ()))


ALL_PAGES = paged(100, None)  # the query of the first page of a walk through every page


def user_contracts() -> list[Contract]:
    users, user = "/organization/users", "/organization/users/user-abc"
    emails = ["ada@example.com", "grace@example.com"]
    by_email = tuple(("emails", email) for email in emails)
    members = listing([USER])
    return [
        page("list_users", {"limit": 20, "after": "user-prev"}, users, members, paged(20, "user-prev")),
        page(
            "list_users",
            {"limit": 5, "after": None, "emails": emails},
            users,
            members,
            paged(5, None, *by_email),
            "emails",
        ),
        page("all_users", {}, users, members, ALL_PAGES),
        page("all_users", {"emails": emails}, users, members, (*by_email, *ALL_PAGES), "emails"),
        Contract("get_user", {"user_id": "user-abc"}, "GET", user, USER, "user"),
        Contract(
            "modify_user", {"user_id": "user-abc", "role": "owner"}, "POST", user, USER, "user", body={"role": "owner"}
        ),
        Contract(
            "delete_user",
            {"user_id": "user-abc"},
            "DELETE",
            user,
            deleted("organization.user", "user-abc"),
            "user deletion",
        ),
    ]


def invite_contracts() -> list[Contract]:
    invites = "/organization/invites"
    projects = [{"id": PROJECT_ID, "role": "member"}]
    asked = {"email": "grace@example.com", "role": "reader"}
    create = Contract(
        "create_invite",
        {**asked, "projects": None},
        "POST",
        invites,
        INVITE,
        "invite",
        body=asked,
        retried=False,
        creates=("invite", "codex_list_invites"),
        case="default project",
    )
    return [
        page(
            "list_invites", {"limit": 20, "after": "invite-prev"}, invites, listing([INVITE]), paged(20, "invite-prev")
        ),
        page("all_invites", {}, invites, listing([INVITE]), ALL_PAGES),
        create,
        replace(create, args={**asked, "projects": []}, body={**asked, "projects": []}, case="no projects"),
        replace(create, args={**asked, "projects": projects}, body={**asked, "projects": projects}, case="projects"),
    ]


def project_contracts() -> list[Contract]:
    projects, project = "/organization/projects", f"/organization/projects/{PROJECT_ID}"
    keys, accounts = f"{project}/api_keys", f"{project}/service_accounts"
    archived = ("include_archived", "true")
    return [
        page(
            "list_projects",
            {"limit": 20, "after": "proj_prev", "include_archived": True},
            projects,
            listing([PROJECT]),
            paged(20, "proj_prev", archived),
        ),
        page(
            "list_projects",
            {"limit": 7, "after": None, "include_archived": False},
            projects,
            listing([PROJECT]),
            paged(7, None),
            "active only",
        ),
        page("all_projects", {}, projects, listing([PROJECT]), (archived, *ALL_PAGES)),
        Contract("get_project", {"project_id": PROJECT_ID}, "GET", project, PROJECT, "project"),
        Contract(
            "create_project",
            {"name": "Project example"},
            "POST",
            projects,
            PROJECT,
            "project",
            body={"name": "Project example"},
            retried=False,
            creates=("project", "codex_list_projects"),
        ),
        page(
            "list_project_api_keys",
            {"project_id": PROJECT_ID, "limit": 20, "after": "key_prev", "owner_project_access": "active"},
            keys,
            listing([PROJECT_API_KEY]),
            paged(20, "key_prev", ("owner_project_access", "active")),
        ),
        page(
            "list_project_api_keys",
            {"project_id": PROJECT_ID, "limit": 3, "after": None, "owner_project_access": None},
            keys,
            listing([PROJECT_API_KEY]),
            paged(3, None),
            "any owner",
        ),
        page(
            "list_service_accounts",
            {"project_id": PROJECT_ID, "limit": 20, "after": "svc_prev"},
            accounts,
            listing([SERVICE_ACCOUNT]),
            paged(20, "svc_prev"),
        ),
    ]


def key_contracts() -> list[Contract]:
    project_key = f"/organization/projects/{PROJECT_ID}/api_keys/key_abc"
    admin_keys, admin_key = "/organization/admin_api_keys", "/organization/admin_api_keys/key_admin"
    ids = {"project_id": PROJECT_ID, "api_key_id": "key_abc"}
    return [
        Contract("get_project_api_key", ids, "GET", project_key, PROJECT_API_KEY, "project API key"),
        Contract(
            "delete_project_api_key",
            ids,
            "DELETE",
            project_key,
            deleted("organization.project.api_key", "key_abc"),
            "project API key deletion",
        ),
        page(
            "list_admin_api_keys",
            {"limit": 20, "after": "key_prev", "order": "desc"},
            admin_keys,
            listing([ADMIN_KEY]),
            paged(20, "key_prev", ("order", "desc")),
        ),
        Contract("get_admin_api_key", {"key_id": "key_admin"}, "GET", admin_key, ADMIN_KEY, "admin API key"),
        Contract(
            "delete_admin_api_key",
            {"key_id": "key_admin"},
            "DELETE",
            admin_key,
            deleted("organization.admin_api_key", "key_admin"),
            "admin API key deletion",
        ),
    ]


def access_contracts() -> list[Contract]:
    project = f"/organization/projects/{PROJECT_ID}"
    members, member = f"{project}/users", f"{project}/users/user-abc"
    account = f"{project}/service_accounts/svc_acct_abc"
    invite = "/organization/invites/invite-abc"
    groups, group_users, roles = "/organization/groups", "/organization/groups/group_abc/users", "/organization/roles"
    in_project = {"project_id": PROJECT_ID, "user_id": "user-abc"}
    account_ids = {"project_id": PROJECT_ID, "service_account_id": "svc_acct_abc"}
    add = Contract(
        "add_project_user",
        {**in_project, "role": "member", "email": None},
        "POST",
        members,
        PROJECT_USER,
        "project user",
        body={"role": "member", "user_id": "user-abc"},
        retried=False,
        creates=("project membership", "codex_list_project_users"),
        case="by id",
    )
    by_email = {"project_id": PROJECT_ID, "role": "member", "user_id": None, "email": "ada@example.com"}
    return [
        page(
            "list_project_users",
            {"project_id": PROJECT_ID, "limit": 20, "after": "user-prev"},
            members,
            listing([PROJECT_USER]),
            paged(20, "user-prev"),
        ),
        Contract("get_project_user", in_project, "GET", member, PROJECT_USER, "project user"),
        add,
        replace(add, args=by_email, body={"role": "member", "email": "ada@example.com"}, case="by email"),
        Contract(
            "modify_project_user",
            {**in_project, "role": "owner"},
            "POST",
            member,
            PROJECT_USER,
            "project user",
            body={"role": "owner"},
        ),
        Contract(
            "remove_project_user",
            in_project,
            "DELETE",
            member,
            deleted("organization.project.user", "user-abc"),
            "project user deletion",
        ),
        Contract("get_service_account", account_ids, "GET", account, SERVICE_ACCOUNT, "service account"),
        Contract(
            "delete_service_account",
            account_ids,
            "DELETE",
            account,
            deleted("organization.project.service_account", "svc_acct_abc"),
            "service account deletion",
        ),
        Contract("get_invite", {"invite_id": "invite-abc"}, "GET", invite, INVITE, "invite"),
        Contract(
            "delete_invite",
            {"invite_id": "invite-abc"},
            "DELETE",
            invite,
            deleted("organization.invite", "invite-abc"),
            "invite deletion",
        ),
        Contract(
            "modify_project",
            {"project_id": PROJECT_ID, "name": "Renamed"},
            "POST",
            project,
            PROJECT,
            "project",
            body={"name": "Renamed"},
        ),
        Contract(
            "archive_project",
            {"project_id": PROJECT_ID},
            "POST",
            f"{project}/archive",
            PROJECT | {"status": "archived"},
            "project",
        ),
        page(
            "list_groups",
            {"limit": 20, "after": "group_prev", "order": "asc"},
            groups,
            next_page([GROUP]),
            paged(20, "group_prev", ("order", "asc")),
        ),
        page(
            "list_groups",
            {"limit": 9, "after": None, "order": "desc"},
            groups,
            next_page([GROUP]),
            paged(9, None, ("order", "desc")),
            "first page",
        ),
        page(
            "list_group_users",
            {"group_id": "group_abc", "limit": 20, "after": "user-prev", "order": "desc"},
            group_users,
            next_page([GROUP_USER]),
            paged(20, "user-prev", ("order", "desc")),
        ),
        page(
            "list_roles",
            {"limit": 20, "after": "role_prev", "order": "asc"},
            roles,
            next_page([ROLE]),
            paged(20, "role_prev", ("order", "asc")),
        ),
        page(
            "next_cursor_page",
            {"path": roles, "model": Role, "limit": 4, "after": "role_prev", "query": [("order", "desc")]},
            roles,
            next_page([ROLE]),
            paged(4, "role_prev", ("order", "desc")),
        ),
    ]


def budget_contracts(project_id: str | None) -> list[Contract]:
    """Spend limits and alerts of the organization (None) or of a project: every method, in that scope."""
    of = {} if project_id is None else {"project_id": project_id}
    kind, base = (
        ("organization", "/organization") if project_id is None else ("project", f"/organization/projects/{project_id}")
    )
    limit, alerts, one = f"{base}/spend_limit", f"{base}/spend_alerts", f"{base}/spend_alerts/{ALERT_ID}"
    found = ALERT if project_id is None else PROJECT_ALERT
    recipients = ["finance@example.com", "cto@example.com"]
    create = {**of, "threshold_cents": 50000, "recipients": recipients}
    no_prefix = alert_body(50000, recipients, None) | {
        "notification_channel": {"type": "email", "recipients": recipients}
    }
    new_alert = ("spend alert", "codex_list_spend_alerts")
    contracts = [
        Contract("get_spend_limit", of, "GET", limit, spend_limit(10000, project_id=project_id), "spend limit"),
        Contract(
            "set_spend_limit",
            {**of, "threshold_cents": 10000},
            "POST",
            limit,
            spend_limit(10000, project_id=project_id),
            "spend limit",
            body={"threshold_amount": 10000, "currency": "USD", "interval": "month"},
        ),
        Contract(
            "delete_spend_limit", of, "DELETE", limit, deleted(f"{kind}.spend_limit", None), "spend limit deletion"
        ),
        page(
            "list_spend_alerts",
            {**of, "limit": 20, "after": "alert_prev"},
            alerts,
            listing([found]),
            paged(20, "alert_prev"),
        ),
        page("all_spend_alerts", of, alerts, listing([found]), ALL_PAGES),
        Contract("get_spend_alert", {**of, "alert_id": ALERT_ID}, "GET", one, found, "spend alert"),
        Contract(
            "create_spend_alert",
            create,
            "POST",
            alerts,
            found,
            "spend alert",
            body=no_prefix,
            retried=False,
            creates=new_alert,
            case="no prefix",
        ),
        Contract(
            "create_spend_alert",
            {**create, "subject_prefix": "Budget"},
            "POST",
            alerts,
            found,
            "spend alert",
            body=alert_body(50000, recipients, "Budget"),
            retried=False,
            creates=new_alert,
            case="prefix",
        ),
        Contract(
            "modify_spend_alert",
            {**of, "alert_id": ALERT_ID, "threshold_cents": 150000},
            "POST",
            one,
            found,
            "spend alert",
            body=alert_body(150000, ["finance@example.com"], "OpenAI spend alert"),
            before=(Exchange("GET", one, found),),
            case="threshold",
        ),
        Contract(
            "delete_spend_alert",
            {**of, "alert_id": ALERT_ID},
            "DELETE",
            one,
            deleted(f"{kind}.spend_alert", ALERT_ID),
            "spend alert deletion",
        ),
    ]
    if project_id is None:
        return contracts
    return [replace(c, case=" ".join(filter(None, ["project", c.case]))) for c in contracts]


def alert_updates() -> list[Contract]:
    """An alert update sends the alert as it was read, with only the fields given changed ('' removes the prefix)."""
    one = f"/organization/projects/{PROJECT_ID}/spend_alerts/{ALERT_ID}"
    was, two = ["finance@example.com"], ["a@example.com", "b@example.com"]
    changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("unchanged", {}, alert_body(100000, was, "OpenAI spend alert")),
        ("recipients", {"recipients": two}, alert_body(100000, two, "OpenAI spend alert")),
        ("new prefix", {"subject_prefix": "Budget"}, alert_body(100000, was, "Budget")),
        ("no prefix", {"subject_prefix": ""}, alert_body(100000, was, None)),
        ("everything", {"threshold_cents": 1, "recipients": two, "subject_prefix": "B"}, alert_body(1, two, "B")),
    ]
    update = {"project_id": PROJECT_ID, "alert_id": ALERT_ID}
    read = (Exchange("GET", one, PROJECT_ALERT),)
    return [
        Contract(
            "modify_spend_alert",
            {**update, **given},
            "POST",
            one,
            PROJECT_ALERT,
            "spend alert",
            body=body,
            before=read,
            case=f"project {case}",
        )
        for case, given, body in changes
    ]


def rate_limit_contracts() -> list[Contract]:
    rate_limits = f"/organization/projects/{PROJECT_ID}/rate_limits"
    limits = {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 90000}
    ids = {"project_id": PROJECT_ID, "rate_limit_id": "rl-ada"}
    return [
        page(
            "list_rate_limits",
            {"project_id": PROJECT_ID, "limit": 20, "after": "rl-prev"},
            rate_limits,
            listing([RATE_LIMIT]),
            paged(20, "rl-prev"),
        ),
        Contract(
            "update_rate_limit",
            {**ids, "limits": limits},
            "POST",
            f"{rate_limits}/rl-ada",
            RATE_LIMIT,
            "rate limit",
            body=limits,
        ),
    ]


def governance_contracts() -> list[Contract]:
    project = f"/organization/projects/{PROJECT_ID}"
    permissions = {"object": "project.model_permissions", "mode": "allow_list", "model_ids": ["gpt-4.1", "o3"]}
    org_retention = {"object": "organization.data_retention", "type": "modified_abuse_monitoring"}
    project_retention = {"object": "project.data_retention", "type": "organization_default"}
    certificates = listing([CERTIFICATE])
    return [
        Contract(
            "get_model_permissions",
            {"project_id": PROJECT_ID},
            "GET",
            f"{project}/model_permissions",
            permissions,
            "model permissions",
        ),
        Contract("get_data_retention", {}, "GET", "/organization/data_retention", org_retention, "data retention"),
        Contract(
            "get_data_retention",
            {"project_id": PROJECT_ID},
            "GET",
            f"{project}/data_retention",
            project_retention,
            "data retention",
            case="project",
        ),
        page(
            "list_certificates",
            {"limit": 20, "after": "cert_prev"},
            "/organization/certificates",
            certificates,
            paged(20, "cert_prev"),
        ),
        page(
            "list_certificates",
            {"limit": 20, "after": None, "project_id": PROJECT_ID},
            f"{project}/certificates",
            certificates,
            paged(20, None),
            "project",
        ),
    ]


def audit_contracts() -> list[Contract]:
    logs, events = "/organization/audit_logs", listing([AUDIT_EVENT])
    every_filter = {
        "effective_at_gte": NOV_1,
        "effective_at_lt": NOV_1 + 86400,
        "project_ids": [PROJECT_ID, "proj_def"],
        "event_types": ["project.created", "api_key.deleted"],
        "actor_ids": ["user-abc"],
        "actor_emails": ["ada@example.com"],
        "resource_ids": ["key_abc"],
        "tenant_only": True,
    }
    filtered = (
        ("effective_at[gte]", str(NOV_1)),
        ("effective_at[lt]", str(NOV_1 + 86400)),
        ("project_ids[]", PROJECT_ID),
        ("project_ids[]", "proj_def"),
        ("event_types[]", "project.created"),
        ("event_types[]", "api_key.deleted"),
        ("actor_ids[]", "user-abc"),
        ("actor_emails[]", "ada@example.com"),
        ("resource_ids[]", "key_abc"),
        ("tenant_only", "true"),
    )
    return [
        page("list_audit_events", {"limit": 20, "after": "audit_log-prev"}, logs, events, paged(20, "audit_log-prev")),
        page(
            "list_audit_events",
            {"limit": 50, "after": None, **every_filter},
            logs,
            events,
            paged(50, None, *filtered),
            "every filter",
        ),
        page(
            "list_audit_events",
            {"limit": 50, "after": None, "tenant_only": False},
            logs,
            events,
            paged(50, None, ("tenant_only", "false")),
            "not tenant only",
        ),
    ]


CONTRACTS = [
    *user_contracts(),
    *invite_contracts(),
    *project_contracts(),
    *key_contracts(),
    *access_contracts(),
    *budget_contracts(None),
    *budget_contracts(PROJECT_ID),
    *alert_updates(),
    *rate_limit_contracts(),
    *governance_contracts(),
    *audit_contracts(),
]


def each(contracts: list[Contract]) -> pytest.MarkDecorator:
    """Parametrize a test over contracts, each shown by its method name (and case)."""
    return pytest.mark.parametrize("contract", contracts, ids=[c.id for c in contracts])


def by_id(contract_id: str) -> Contract:
    """The contract of this id (method name, and case)."""
    [found] = [c for c in CONTRACTS if c.id == contract_id]
    return found


# ---- running a contract ------------------------------------------------------------------------------------------


@dataclass
class Replies:
    """A MockTransport handler answering with the given responses in order; a request past them fails the test."""

    responses: list[httpx.Response]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert len(self.requests) <= len(self.responses), f"unexpected request {request.method} {request.url}"
        return self.responses[len(self.requests) - 1]


def answer(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body)


def api_error(status: int, message: str, code: str | None = None) -> httpx.Response:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return httpx.Response(status, json={"error": error}, headers={"x-request-id": "req_abc123"})


async def call(contract: Contract, *replies: httpx.Response) -> tuple[Any, list[httpx.Request]]:
    """Call the contract's method: the requests `before` it get their answers, then come `replies`. Returns what the
    method returned or the AdminAPIError it raised, and every request it sent."""
    handler = Replies([*(answer(exchange.answer) for exchange in contract.before), *replies])
    async with AdminClient(make_settings(), transport=httpx.MockTransport(handler)) as client:
        try:
            result = await getattr(client, contract.name)(**contract.args)
        except AdminAPIError as error:
            return error, handler.requests
    return result, handler.requests


async def succeed(contract: Contract, *replies: httpx.Response) -> tuple[Any, list[httpx.Request]]:
    result, requests = await call(contract, *replies)
    assert not isinstance(result, AdminAPIError), result.describe()
    return result, requests


async def fail(contract: Contract, *replies: httpx.Response) -> tuple[AdminAPIError, list[httpx.Request]]:
    error, requests = await call(contract, *replies)
    assert isinstance(error, AdminAPIError), f"{contract.id} returned {error!r}"
    return error, requests


Sent = tuple[str, str, list[tuple[str, str]], Any]


def sent(request: httpx.Request) -> Sent:
    """A request as (method, API path, sorted query pairs, JSON body or None)."""
    assert request.url.path.startswith("/v1/"), request.url
    body = json.loads(request.content) if request.content else None
    return request.method, request.url.path.removeprefix("/v1"), sorted(request.url.params.multi_items()), body


def expected(contract: Contract) -> Sent:
    return contract.method, contract.path, sorted(contract.query), contract.body


def ids_of(result: Any) -> Any:
    """The ids a result holds: a page's or a list's items' ids, or the object's own id (None without one)."""
    if isinstance(result, Page):
        return [item.id for item in result.items]
    if isinstance(result, list):
        return [item.id for item in result]
    assert isinstance(result, BaseModel), result
    return getattr(result, "id", None)


def ids_answered(contract: Contract) -> Any:
    body = contract.answer
    return [item["id"] for item in body["data"]] if "data" in body else body.get("id")


# ---- every contract ----------------------------------------------------------------------------------------------


def test_every_endpoint_method_has_a_contract() -> None:
    """A public coroutine added to any endpoint group fails here until the table says what it sends."""
    assert all(issubclass(AdminClient, group) for group in ENDPOINT_CLASSES)
    methods = {
        name
        for group in ENDPOINT_CLASSES
        for name, value in vars(group).items()
        # mutmut adds its own copies of each method to the class (named 'xǁClassǁmethod__mutmut_N'): not endpoints
        if not name.startswith("_") and "__mutmut_" not in name and inspect.iscoroutinefunction(value)
    }
    assert {c.name for c in CONTRACTS} == methods
    assert len({c.id for c in CONTRACTS}) == len(CONTRACTS), "two contracts share an id: tell them apart by case"


@each(CONTRACTS)
async def test_sends_exactly_the_contracted_request(contract: Contract) -> None:
    """Method, path, every query pair and the JSON body, each as the spec allows; the answer is what is returned."""
    result, requests = await succeed(contract, answer(contract.answer))
    *reads, request = requests
    assert [sent(read) for read in reads] == [(e.method, e.path, [], None) for e in contract.before]
    assert sent(request) == expected(contract)
    assert request.headers.get("content-type") == ("application/json" if contract.body is not None else None)
    assert ids_of(result) == ids_answered(contract)
    spec = load_spec()
    assert [problem for r in requests for problem in check_request(spec, r)] == []


@each(CONTRACTS)
async def test_an_answer_of_the_wrong_shape_says_what_was_asked_for(contract: Contract) -> None:
    error, requests = await fail(contract, answer([]))
    assert isinstance(error, APIResponseError)
    assert str(error).startswith(f"OpenAI returned a {contract.what} response of an unexpected shape (body: ")
    assert len(requests) == len(contract.before) + 1


@each(CONTRACTS)
async def test_a_body_that_is_not_json_names_the_method_and_path(contract: Contract) -> None:
    """The method as the wrapper wrote it: httpx sends 'get' as GET, but the request path says it as written."""
    error, _ = await fail(contract, httpx.Response(200, text="<html>"))
    assert str(error) == (
        f"OpenAI answered {contract.method} {contract.path} with status 200 but the body is not valid JSON "
        "(text/plain; charset=utf-8, 6 bytes)."
    )


@each(CONTRACTS)
async def test_an_api_error_names_the_method_and_path(contract: Contract) -> None:
    error, requests = await fail(contract, api_error(400, "Invalid value.", "invalid_value"))
    assert isinstance(error, BadRequestError)
    assert str(error) == (
        f"OpenAI API error 400 on {contract.method} /v1{contract.path} (code: invalid_value): Invalid value. "
        "Request id: req_abc123"
    )
    assert len(requests) == len(contract.before) + 1


@each(CONTRACTS)
async def test_a_500_is_retried_only_when_repeating_is_harmless(contract: Contract) -> None:
    """GET, DELETE and the POSTs that set a value are sent again; a create is not, and says to list first."""
    result, requests = await call(contract, api_error(500, "Internal error."), answer(contract.answer))
    attempts = requests[len(contract.before) :]
    assert [sent(attempt) for attempt in attempts] == [expected(contract)] * (2 if contract.retried else 1)
    if contract.retried:
        assert not isinstance(result, AdminAPIError), result.describe()
        assert ids_of(result) == ids_answered(contract)
        return
    assert isinstance(result, InternalServerError)
    assert contract.creates is not None
    what, listed_by = contract.creates
    assert result.hint == (
        f"OpenAI reported a failure, so the {what} may have been created anyway. Do not simply repeat the call: "
        f"list first ({listed_by}) and create it only if it is not there."
    )


# ---- what the wrappers add ---------------------------------------------------------------------------------------

SPEND_LIMITS = [c for c in CONTRACTS if c.name in ("get_spend_limit", "delete_spend_limit")]
ALERT_DELETES = [by_id("delete_spend_alert"), by_id("delete_spend_alert[project]")]


@each(SPEND_LIMITS)
async def test_a_spend_limit_that_is_not_set_is_none_or_nothing_to_delete(contract: Contract) -> None:
    result, requests = await succeed(contract, api_error(404, "No spend limit is set.", "spend_limit_not_found"))
    assert result == (NoSpendLimit(retried=False) if contract.method == "DELETE" else None)
    assert len(requests) == 1


@each([c for c in SPEND_LIMITS if c.method == "DELETE"])
async def test_no_spend_limit_after_a_retried_delete_says_the_first_attempt_may_have_removed_it(
    contract: Contract,
) -> None:
    not_set = api_error(404, "No spend limit is set.", "spend_limit_not_found")
    result, requests = await succeed(contract, api_error(500, "Internal error."), not_set)
    assert result == NoSpendLimit(retried=True)
    assert len(requests) == 2


@each(ALERT_DELETES)
async def test_an_alert_gone_after_a_retried_delete_keeps_the_may_have_deleted_note(contract: Contract) -> None:
    error, requests = await fail(contract, api_error(500, "Internal error."), api_error(404, "No such alert."))
    assert len(requests) == 2
    assert isinstance(error, NotFoundError)
    assert error.hint == NotFoundError.hint, "not 'no alert among ...': the id was right, the first attempt may be it"
    assert DELETED_ALREADY in error.notes


@each(SPEND_LIMITS)
async def test_a_spend_limit_404_for_another_reason_is_raised_as_it_is(contract: Contract) -> None:
    error, _ = await fail(contract, api_error(404, "No such project.", "project_not_found"))
    assert isinstance(error, NotFoundError)
    assert error.code == "project_not_found"
    assert error.hint == NotFoundError.hint


ALERTS = [
    by_id(contract_id)
    for contract_id in (
        "get_spend_alert",
        "get_spend_alert[project]",
        "modify_spend_alert[threshold]",
        "modify_spend_alert[project threshold]",
        "delete_spend_alert",
        "delete_spend_alert[project]",
    )
]


def alert_hint(contract: Contract) -> str:
    """The hint of a spend alert not found: where it was looked for."""
    project_id = contract.args.get("project_id")
    where = "the organization's own alerts" if project_id is None else f"the alerts of project {project_id}"
    return (
        f"No alert {ALERT_ID} among {where}. An alert of a project is found only with that project_id, an "
        "organization-wide one only without it: list them (codex_list_spend_alerts) to find the id."
    )


@each(ALERTS)
async def test_a_spend_alert_not_found_says_where_it_was_looked_for(contract: Contract) -> None:
    error, requests = await fail(contract, api_error(404, "No such alert.", "not_found"))
    assert isinstance(error, NotFoundError)
    assert error.hint == alert_hint(contract)
    assert len(requests) == len(contract.before) + 1


@pytest.mark.parametrize("contract_id", ["modify_spend_alert[threshold]", "modify_spend_alert[project threshold]"])
async def test_an_alert_update_whose_read_finds_nothing_sends_no_update(contract_id: str) -> None:
    update = replace(by_id(contract_id), before=())
    error, requests = await fail(update, api_error(404, "No such alert.", "not_found"))
    assert isinstance(error, NotFoundError)
    assert error.hint == alert_hint(update)
    assert [sent(request) for request in requests] == [("GET", update.path, [], None)]


GROUPS = by_id("list_groups")  # after="group_prev"
GROUP_2 = GROUP | {"id": "group_def", "name": "Sales"}


@pytest.mark.parametrize(
    ("has_more", "next_cursor", "cursor"),
    [(True, "group_next", "group_next"), (False, "group_next", None), (False, None, None)],
)
async def test_groups_continue_from_the_apis_next_not_the_last_id(
    has_more: bool, next_cursor: str | None, cursor: str | None
) -> None:
    body = {"object": "list", "data": [GROUP, GROUP_2], "has_more": has_more, "next": next_cursor}
    result, _ = await succeed(GROUPS, answer(body))
    assert result == Page([Group.model_validate(GROUP), Group.model_validate(GROUP_2)], has_more, cursor)


@pytest.mark.parametrize("next_cursor", [None, "", "group_prev"])
async def test_more_groups_without_a_new_next_is_a_paging_error(next_cursor: str | None) -> None:
    """No cursor, or the one just followed (which would loop forever)."""
    body = {"object": "list", "data": [GROUP], "has_more": True, "next": next_cursor}
    error, _ = await fail(GROUPS, answer(body))
    assert isinstance(error, PaginationError)
    assert str(error) == "/organization/groups said has_more but gave no new next to continue from."


async def test_a_group_of_the_wrong_shape_is_named_by_the_path() -> None:
    error, _ = await fail(GROUPS, answer(next_page([{"name": "Support Team"}])))
    assert str(error) == "OpenAI returned a /organization/groups response of an unexpected shape (id: Field required)."
