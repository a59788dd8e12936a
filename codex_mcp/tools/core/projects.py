"""Project tools: list, get and create projects; a project's API keys and service accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from codex_mcp.models import Project
from codex_mcp.params import After, Limit, ProjectId, printable_name
from codex_mcp.results import ProjectApiKeyList, ProjectList, ServiceAccountList
from codex_mcp.state import app_state
from codex_mcp.tools import CREATE, READ, ToolSpec

ProjectName = Annotated[
    str,
    AfterValidator(printable_name),
    Field(description="The project's name as it appears in reports (1-200 printable characters)."),
]


async def codex_list_projects(
    ctx: Context,
    limit: Limit = 20,
    after: After = None,
    include_archived: Annotated[bool, Field(description="Also list archived projects (default false).")] = False,
) -> ProjectList:
    """List the organization's projects: id, name, status (active/archived), created_at/archived_at.

    Times are Unix seconds with ISO-8601 UTC twins. One page per call (limit 1-100, default 20); when has_more is
    true, call again with after=next_after. Archived projects are left out unless include_archived is true.
    """
    state = app_state(ctx)
    page = await state.client.list_projects(limit=limit, after=after, include_archived=include_archived)
    return ProjectList.of(page)


async def codex_get_project(ctx: Context, project_id: ProjectId) -> Project:
    """Get one project by id: name, status (active/archived), created_at and archived_at (Unix seconds + ISO UTC)."""
    return await app_state(ctx).client.get_project(project_id=project_id)


async def codex_create_project(ctx: Context, name: ProjectName) -> Project:
    """Create a project in the organization (projects can be archived later but never deleted). Returns it.

    Not retried on ambiguous failures, so it never creates a duplicate; after an error, check codex_list_projects.
    """
    return await app_state(ctx).client.create_project(name=name)


async def codex_list_project_api_keys(
    ctx: Context,
    project_id: ProjectId,
    limit: Limit = 20,
    after: After = None,
    owner_project_access: Annotated[
        Literal["active", "inactive", "any"],
        Field(
            description=(
                "'any' (default): every enabled key; 'active': keys whose owner still has project access; "
                "'inactive': keys whose owner lost access (worth reviewing)."
            )
        ),
    ] = "any",
) -> ProjectApiKeyList:
    """List a project's API keys: id, name, redacted value, owner (user or service account), created_at, last_used_at.

    Secrets are never returned. Times are Unix seconds with ISO-8601 UTC twins. One page per call (limit 1-100,
    default 20); when has_more is true, call again with after=next_after.
    """
    state = app_state(ctx)
    page = await state.client.list_project_api_keys(
        project_id=project_id, limit=limit, after=after, owner_project_access=owner_project_access
    )
    return ProjectApiKeyList.of(page)


async def codex_list_service_accounts(
    ctx: Context, project_id: ProjectId, limit: Limit = 20, after: After = None
) -> ServiceAccountList:
    """List a project's service accounts: id, name, role (owner/member), created_at (Unix seconds + ISO UTC).

    One page per call (limit 1-100, default 20); when has_more is true, call again with after=next_after. The API
    refuses archived projects.
    """
    state = app_state(ctx)
    page = await state.client.list_service_accounts(project_id=project_id, limit=limit, after=after)
    return ServiceAccountList.of(page)


TOOLS = [
    ToolSpec(codex_list_projects, "List projects", READ),
    ToolSpec(codex_get_project, "Get a project", READ),
    ToolSpec(codex_list_project_api_keys, "List a project's API keys", READ),
    ToolSpec(codex_list_service_accounts, "List a project's service accounts", READ),
    ToolSpec(codex_create_project, "Create a project", CREATE),
]
