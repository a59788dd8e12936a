"""The access toolset: who is in a project and with which role, service accounts, invites, renaming and archiving
projects, and the organization's groups and roles.

No tool here creates a service account: the API's answer carries the new account's API key secret, which would land
in the model's context and the chat history. Service accounts are made in the OpenAI dashboard (see the README)."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from codex_mcp.errors import InvalidArgumentError
from codex_mcp.models import Deletion, Invite, Project, ProjectUser, ServiceAccount
from codex_mcp.params import After, Email, Limit, OpenAIId, Order, ProjectId, ProjectRole, UserId, printable_name
from codex_mcp.results import GroupList, GroupUserList, ProjectUserList, RoleList
from codex_mcp.state import app_state
from codex_mcp.tools import CHANGE, CREATE, READ, UPDATE, ToolSpec
from codex_mcp.tools.confirm import Confirmed, asking, require_confirmation
from codex_mcp.tools.naming import looked_up, named, project_name

ServiceAccountId = Annotated[
    OpenAIId, Field(description="The service account's id (from codex_list_service_accounts).")
]
InviteId = Annotated[OpenAIId, Field(description="The invite's id, e.g. 'invite-abc123' (from codex_list_invites).")]
GroupId = Annotated[OpenAIId, Field(description="The group's id (from codex_list_groups).")]
NewProjectName = Annotated[
    str,
    AfterValidator(printable_name),
    Field(description="The project's new name, as it will appear in reports (1-200 printable characters)."),
]
# Groups, group members and roles page up to 1000 at a time (the spec's maximum); the other lists up to 100.
WideLimit = Annotated[int, Field(strict=True, ge=1, le=1000, description="Items per page, 1-1000 (default 20).")]

# ---- project members -------------------------------------------------------------------------------------------


async def codex_list_project_users(
    ctx: Context, project_id: ProjectId, limit: Limit = 20, after: After = None
) -> ProjectUserList:
    """List a project's members: id, name, email, project role (owner/member), added_at (Unix seconds + ISO UTC).

    One page per call (limit 1-100, default 20); when has_more is true, call again with after=next_after. The API
    refuses archived projects (they have no members).
    """
    page = await app_state(ctx).client.list_project_users(project_id=project_id, limit=limit, after=after)
    return ProjectUserList.of(page)


async def codex_add_project_user(
    ctx: Context,
    project_id: ProjectId,
    role: ProjectRole,
    user_id: Annotated[
        OpenAIId | None,
        Field(description="The organization member's id, e.g. 'user-abc123' (from codex_list_users); or give email."),
    ] = None,
    email: Annotated[
        Email | None, Field(description="The organization member's email address; or give user_id.")
    ] = None,
) -> ProjectUser:
    """Add an organization member to a project with role 'owner' or 'member'. Returns the project membership.

    Name the member by user_id or by email; they must already be in the organization (invite them first with
    codex_create_invite). Not retried on ambiguous failures; after an error, check codex_list_project_users.
    """
    if user_id is None and email is None:
        raise InvalidArgumentError(
            "user_id: name the organization member to add by user_id (from codex_list_users) or by email; both "
            "are missing"
        )
    client = app_state(ctx).client
    return await client.add_project_user(project_id=project_id, role=role, user_id=user_id, email=email)


async def codex_modify_project_user(
    ctx: Context, project_id: ProjectId, user_id: UserId, role: ProjectRole
) -> ProjectUser:
    """Change a member's role in one project to 'owner' or 'member'. Returns the updated project membership.

    Their organization role is unchanged (that is codex_modify_user). Calling it again with the previous role
    undoes it.
    """
    client = app_state(ctx).client
    return await client.modify_project_user(project_id=project_id, user_id=user_id, role=role)


async def _project_user_removal(ctx: Context, project_id: str, user_id: str) -> str:
    member = await looked_up(app_state(ctx).client.get_project_user(project_id=project_id, user_id=user_id))
    who = (member.email or member.name) if member is not None else None
    return f"Remove {who or user_id} from project {await project_name(ctx, project_id)}"


async def codex_remove_project_user(
    ctx: Context,
    project_id: ProjectId,
    user_id: UserId,
    confirmation: Annotated[Confirmed, asking(_project_user_removal)],
) -> Deletion:
    """Remove a member from one project; they stay in the organization and lose access to this project's resources.

    Returns {object, id, deleted: true}. Acts at once: confirm the member and project with the person first; clients
    that can ask the person (elicitation) are asked to confirm before anything is sent.
    """
    require_confirmation(confirmation, "codex_remove_project_user")
    return await app_state(ctx).client.remove_project_user(project_id=project_id, user_id=user_id)


# ---- service accounts ------------------------------------------------------------------------------------------


async def codex_get_service_account(
    ctx: Context, project_id: ProjectId, service_account_id: ServiceAccountId
) -> ServiceAccount:
    """Get one service account of a project: name, role (owner/member), created_at (Unix seconds + ISO UTC)."""
    client = app_state(ctx).client
    return await client.get_service_account(project_id=project_id, service_account_id=service_account_id)


async def _service_account_deletion(ctx: Context, project_id: str, service_account_id: str) -> str:
    client = app_state(ctx).client
    account = await looked_up(client.get_service_account(project_id=project_id, service_account_id=service_account_id))
    account_name = named(account.name if account else None, service_account_id)
    return (
        f"Delete service account {account_name} of project {await project_name(ctx, project_id)}, "
        "and with it its API keys"
    )


async def codex_delete_service_account(
    ctx: Context,
    project_id: ProjectId,
    service_account_id: ServiceAccountId,
    confirmation: Annotated[Confirmed, asking(_service_account_deletion)],
) -> Deletion:
    """Delete a project's service account, and with it its API keys: whatever uses them stops working. Irreversible.

    Returns {object, id, deleted: true}. Acts at once: confirm the account (codex_get_service_account) with the
    person first; clients that can ask the person (elicitation) are asked to confirm before anything is sent.
    """
    require_confirmation(confirmation, "codex_delete_service_account")
    client = app_state(ctx).client
    return await client.delete_service_account(project_id=project_id, service_account_id=service_account_id)


# ---- invites ---------------------------------------------------------------------------------------------------


async def codex_get_invite(ctx: Context, invite_id: InviteId) -> Invite:
    """Get one invite: email, role, status (pending/accepted/expired), projects, created/expires/accepted times.

    Times are Unix seconds with ISO-8601 UTC twins.
    """
    return await app_state(ctx).client.get_invite(invite_id=invite_id)


async def _invite_deletion(ctx: Context, invite_id: str) -> str:
    invite = await looked_up(app_state(ctx).client.get_invite(invite_id=invite_id))
    return f"Delete the invite of {invite.email} ({invite_id})" if invite else f"Delete the invite {invite_id}"


async def codex_delete_invite(
    ctx: Context, invite_id: InviteId, confirmation: Annotated[Confirmed, asking(_invite_deletion)]
) -> Deletion:
    """Delete (withdraw) a pending or expired invite, so it can no longer be accepted. Accepted invites cannot be.

    Returns {object, id, deleted: true}. Acts at once: confirm the invite (codex_get_invite) with the person first;
    clients that can ask the person (elicitation) are asked to confirm before anything is sent.
    """
    require_confirmation(confirmation, "codex_delete_invite")
    return await app_state(ctx).client.delete_invite(invite_id=invite_id)


# ---- projects --------------------------------------------------------------------------------------------------


async def codex_modify_project(ctx: Context, project_id: ProjectId, name: NewProjectName) -> Project:
    """Rename a project. Returns the updated project (id, name, status, created_at).

    Reports and the dashboard show the new name from then on; the id does not change. Archived projects cannot be
    renamed.
    """
    return await app_state(ctx).client.modify_project(project_id=project_id, name=name)


async def _archival(ctx: Context, project_id: str) -> str:
    project = await looked_up(app_state(ctx).client.get_project(project_id=project_id))
    label = named(project.name if project else None, project_id)
    return f"Archive project {label}: it can no longer be used or changed"


async def codex_archive_project(
    ctx: Context, project_id: ProjectId, confirmation: Annotated[Confirmed, asking(_archival)]
) -> Project:
    """Archive a project: it can no longer be used (requests with its API keys fail) or changed. Irreversible here.

    Returns the project with status 'archived' and archived_at (Unix seconds + ISO UTC). Acts at once: confirm the
    project (codex_get_project) with the person first; clients that can ask the person (elicitation) are asked to
    confirm before anything is sent.
    """
    require_confirmation(confirmation, "codex_archive_project")
    return await app_state(ctx).client.archive_project(project_id=project_id)


# ---- groups and roles ------------------------------------------------------------------------------------------


async def codex_list_groups(
    ctx: Context, limit: WideLimit = 20, after: After = None, order: Order = "asc"
) -> GroupList:
    """List the organization's groups: id, name, created_at (Unix seconds + ISO UTC), is_scim_managed, group_type.

    Oldest first unless order='desc'. One page per call (limit 1-1000, default 20); when has_more is true, call
    again with after=next_after. Members of a group: codex_list_group_users.
    """
    return GroupList.of(await app_state(ctx).client.list_groups(limit=limit, after=after, order=order))


async def codex_list_group_users(
    ctx: Context, group_id: GroupId, limit: WideLimit = 20, after: After = None, order: Order = "desc"
) -> GroupUserList:
    """List a group's members: id, name and email of each.

    Newest members first unless order='asc'. One page per call (limit 1-1000, default 20); when has_more is true,
    call again with after=next_after.
    """
    client = app_state(ctx).client
    return GroupUserList.of(await client.list_group_users(group_id=group_id, limit=limit, after=after, order=order))


async def codex_list_roles(ctx: Context, limit: WideLimit = 20, after: After = None, order: Order = "asc") -> RoleList:
    """List the organization's roles: id, name, description, permissions, resource_type, predefined_role.

    Predefined roles (owner, reader) are managed by OpenAI; the others are the organization's own. One page per call
    (limit 1-1000, default 20); when has_more is true, call again with after=next_after.
    """
    return RoleList.of(await app_state(ctx).client.list_roles(limit=limit, after=after, order=order))


TOOLS = [
    ToolSpec(codex_list_project_users, "List a project's members", READ),
    ToolSpec(codex_add_project_user, "Add a member to a project", CREATE),
    ToolSpec(codex_modify_project_user, "Change a member's project role", UPDATE),
    ToolSpec(codex_remove_project_user, "Remove a member from a project", CHANGE),
    ToolSpec(codex_get_service_account, "Get a service account", READ),
    ToolSpec(codex_delete_service_account, "Delete a service account", CHANGE),
    ToolSpec(codex_get_invite, "Get an invite", READ),
    ToolSpec(codex_delete_invite, "Delete an invite", CHANGE),
    ToolSpec(codex_modify_project, "Rename a project", UPDATE),
    ToolSpec(codex_archive_project, "Archive a project", CHANGE),
    ToolSpec(codex_list_groups, "List groups", READ),
    ToolSpec(codex_list_group_users, "List a group's members", READ),
    ToolSpec(codex_list_roles, "List roles", READ),
]
