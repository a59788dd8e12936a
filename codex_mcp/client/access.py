"""Access endpoints: who is in a project and with which role, service accounts, invites, renaming and archiving
projects, groups and their members, and roles. Nothing here creates a service account: its answer carries a new
API key's secret."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from codex_mcp.client.failures import validate
from codex_mcp.client.invites import INVITES
from codex_mcp.client.paging import PagingClient, next_cursor
from codex_mcp.client.projects import PROJECTS
from codex_mcp.client.query import Query, path_id
from codex_mcp.client.request import Creation
from codex_mcp.models import (
    Deletion,
    Group,
    GroupUser,
    Invite,
    NextCursorPage,
    Page,
    Project,
    ProjectUser,
    Role,
    ServiceAccount,
)

ModelT = TypeVar("ModelT", bound=BaseModel)

GROUPS = "/organization/groups"
ROLES = "/organization/roles"
PROJECT_MEMBERSHIP = Creation("project membership", "codex_list_project_users")


def _project(project_id: str, *rest: str) -> str:
    return "/".join([f"{PROJECTS}/{path_id(project_id)}", *rest])


class AccessEndpoints(PagingClient):
    """Project members, service accounts, invites, project lifecycle, groups and roles."""

    # ---- project members

    async def list_project_users(self, *, project_id: str, limit: int, after: str | None) -> Page[ProjectUser]:
        """One page of a project's members."""
        return await self.list_page(_project(project_id, "users"), ProjectUser, limit=limit, after=after)

    async def get_project_user(self, *, project_id: str, user_id: str) -> ProjectUser:
        """One member of a project."""
        raw = await self.request("GET", _project(project_id, "users", path_id(user_id)))
        return validate(ProjectUser, raw, "project user")

    async def add_project_user(
        self, *, project_id: str, role: str, user_id: str | None, email: str | None
    ) -> ProjectUser:
        """Add an organization member to a project, named by id or email (not retried unless provably unsent)."""
        body: dict[str, Any] = {"role": role}
        if user_id is not None:
            body["user_id"] = user_id
        if email is not None:
            body["email"] = email
        raw = await self.request("POST", _project(project_id, "users"), body=body, creates=PROJECT_MEMBERSHIP)
        return validate(ProjectUser, raw, "project user")

    async def modify_project_user(self, *, project_id: str, user_id: str, role: str) -> ProjectUser:
        """Set a member's project role (idempotent, so retried like a GET)."""
        path = _project(project_id, "users", path_id(user_id))
        raw = await self.request("POST", path, body={"role": role}, idempotent=True)
        return validate(ProjectUser, raw, "project user")

    async def remove_project_user(self, *, project_id: str, user_id: str) -> Deletion:
        """Remove a member from a project (they stay in the organization)."""
        raw = await self.request("DELETE", _project(project_id, "users", path_id(user_id)))
        return validate(Deletion, raw, "project user deletion")

    # ---- service accounts

    async def get_service_account(self, *, project_id: str, service_account_id: str) -> ServiceAccount:
        """One service account of a project."""
        raw = await self.request("GET", _project(project_id, "service_accounts", path_id(service_account_id)))
        return validate(ServiceAccount, raw, "service account")

    async def delete_service_account(self, *, project_id: str, service_account_id: str) -> Deletion:
        """Delete a service account (and with it its API keys)."""
        raw = await self.request("DELETE", _project(project_id, "service_accounts", path_id(service_account_id)))
        return validate(Deletion, raw, "service account deletion")

    # ---- invites

    async def get_invite(self, *, invite_id: str) -> Invite:
        """One invite."""
        return validate(Invite, await self.request("GET", f"{INVITES}/{path_id(invite_id)}"), "invite")

    async def delete_invite(self, *, invite_id: str) -> Deletion:
        """Withdraw an invite (the API refuses accepted ones)."""
        raw = await self.request("DELETE", f"{INVITES}/{path_id(invite_id)}")
        return validate(Deletion, raw, "invite deletion")

    # ---- project lifecycle

    async def modify_project(self, *, project_id: str, name: str) -> Project:
        """Rename a project (idempotent, so retried like a GET)."""
        raw = await self.request("POST", _project(project_id), body={"name": name}, idempotent=True)
        return validate(Project, raw, "project")

    async def archive_project(self, *, project_id: str) -> Project:
        """Archive a project (archiving an archived project changes nothing, so it is retried like a GET)."""
        raw = await self.request("POST", _project(project_id, "archive"), idempotent=True)
        return validate(Project, raw, "project")

    # ---- groups and roles

    async def list_groups(self, *, limit: int, after: str | None, order: str) -> Page[Group]:
        """One page of the organization's groups."""
        return await self.next_cursor_page(GROUPS, Group, limit=limit, after=after, query=[("order", order)])

    async def list_group_users(self, *, group_id: str, limit: int, after: str | None, order: str) -> Page[GroupUser]:
        """One page of a group's members."""
        path = f"{GROUPS}/{path_id(group_id)}/users"
        return await self.next_cursor_page(path, GroupUser, limit=limit, after=after, query=[("order", order)])

    async def list_roles(self, *, limit: int, after: str | None, order: str) -> Page[Role]:
        """One page of the organization's roles."""
        return await self.next_cursor_page(ROLES, Role, limit=limit, after=after, query=[("order", order)])

    async def next_cursor_page(
        self, path: str, model: type[ModelT], *, limit: int, after: str | None, query: Query = ()
    ) -> Page[ModelT]:
        """One page of a list endpoint that answers {data, has_more, next}: the next page is `after=<next>`, which
        is not always the last item's id (roles), so the cursor is only ever the API's `next`."""
        params = [*query, ("limit", str(limit))]
        if after:
            params.append(("after", after))
        raw = validate(NextCursorPage, await self.request("GET", path, query=params), path)
        items = [validate(model, item, path) for item in raw.data]
        page = Page(items, raw.has_more, raw.next if raw.has_more else None)
        next_cursor(path, page, {after} if after else (), "next")
        return page
