"""Organization member tools: list, get, change role, remove."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.errors import AdminAPIError
from codex_mcp.models import User, UserDeleted
from codex_mcp.params import After, Emails, Limit, OrgRole, UserId
from codex_mcp.results import UserList
from codex_mcp.state import app_state
from codex_mcp.tools import CHANGE, READ, ToolSpec
from codex_mcp.tools.confirm import Confirmed, asking, require_confirmation


async def codex_list_users(
    ctx: Context,
    limit: Limit = 20,
    after: After = None,
    emails: Emails = None,
    role: Annotated[
        Literal["owner", "reader"] | None,
        Field(description="Only members with this organization role ('owner' or 'reader')."),
    ] = None,
) -> UserList:
    """List the organization's members: id, name, email, role (owner/reader) and added_at (Unix seconds + ISO UTC).

    One page per call (limit 1-100, default 20). When has_more is true, call again with after=next_after to get
    the next page; repeat until has_more is false to see everyone. Filter by exact email addresses with `emails`.
    "Who are the owners?" is role='owner': the API has no role filter, so this reads every page of members and
    returns the matches, paged the same way.
    """
    client = app_state(ctx).client
    if role is None:
        return UserList.of(await client.list_users(limit=limit, after=after, emails=emails or []))
    members = await client.all_users(emails=emails or [])
    matches = [member for member in members if member.role == role]
    note = f"{len(matches)} of {len(members)} members have the role {role!r} (every page was read to find them)."
    return UserList.of_matches(matches, limit=limit, after=after, note=note)


async def codex_get_user(ctx: Context, user_id: UserId) -> User:
    """Get one organization member by id: name, email, role and when they were added (Unix seconds + ISO UTC)."""
    return await app_state(ctx).client.get_user(user_id=user_id)


async def _role_change(ctx: Context, user_id: str, role: str) -> str:
    return f"Make {await _who(ctx, user_id)} an organization {role}"


async def _removal(ctx: Context, user_id: str) -> str:
    return f"Remove {await _who(ctx, user_id)} from the organization"


async def codex_modify_user(
    ctx: Context, user_id: UserId, role: OrgRole, confirmation: Annotated[Confirmed, asking(_role_change)]
) -> User:
    """Change a member's organization role to 'owner' or 'reader'. Returns the updated user.

    Owners can manage billing, members and keys; readers cannot. Confirm with the person before demoting an owner;
    clients that can ask the person (elicitation) are asked to confirm first.
    """
    require_confirmation(confirmation, "codex_modify_user")
    return await app_state(ctx).client.modify_user(user_id=user_id, role=role)


async def codex_delete_user(
    ctx: Context, user_id: UserId, confirmation: Annotated[Confirmed, asking(_removal)]
) -> UserDeleted:
    """Remove a member from the organization (irreversible: they must be invited again to return).

    Returns {id, deleted: true}. Confirm the exact user (codex_get_user) with the person before calling; clients
    that can ask the person (elicitation) are asked to confirm first.
    """
    require_confirmation(confirmation, "codex_delete_user")
    return await app_state(ctx).client.delete_user(user_id=user_id)


async def _who(ctx: Context, user_id: str) -> str:
    """A member as a person recognises them ('Ada Lovelace <ada@example.com> (user-abc)'); the id alone when the
    lookup fails."""
    try:
        user = await app_state(ctx).client.get_user(user_id=user_id)
    except AdminAPIError:
        return user_id
    return f"{user.name or 'member'} <{user.email}> ({user_id})" if user.email else user_id


TOOLS = [
    ToolSpec(codex_list_users, "List organization members", READ),
    ToolSpec(codex_get_user, "Get a member", READ),
    ToolSpec(codex_modify_user, "Change a member's role", CHANGE),
    ToolSpec(codex_delete_user, "Remove a member", CHANGE),
]
