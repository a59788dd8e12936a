"""Organization member tools: list, get, change role, remove."""

from __future__ import annotations

from mcp.server.mcpserver import Context

from codex_mcp.models import User, UserDeleted
from codex_mcp.params import After, Emails, Limit, OrgRole, UserId
from codex_mcp.results import UserList
from codex_mcp.state import app_state
from codex_mcp.tools import CHANGE, READ, ToolSpec


async def codex_list_users(ctx: Context, limit: Limit = 20, after: After = None, emails: Emails = None) -> UserList:
    """List the organization's members: id, name, email, role (owner/reader) and added_at (Unix seconds + ISO UTC).

    One page per call (limit 1-100, default 20). When has_more is true, call again with after=next_after to get
    the next page; repeat until has_more is false to see everyone. Filter by exact email addresses with `emails`.
    """
    state = app_state(ctx)
    page = await state.client.list_users(limit=limit, after=after, emails=emails or [])
    return UserList.of(page)


async def codex_get_user(ctx: Context, user_id: UserId) -> User:
    """Get one organization member by id: name, email, role and when they were added (Unix seconds + ISO UTC)."""
    return await app_state(ctx).client.get_user(user_id=user_id)


async def codex_modify_user(ctx: Context, user_id: UserId, role: OrgRole) -> User:
    """Change a member's organization role to 'owner' or 'reader'. Returns the updated user.

    Owners can manage billing, members and keys; readers cannot. Confirm with the person before demoting an owner.
    """
    return await app_state(ctx).client.modify_user(user_id=user_id, role=role)


async def codex_delete_user(ctx: Context, user_id: UserId) -> UserDeleted:
    """Remove a member from the organization (irreversible: they must be invited again to return).

    Returns {id, deleted: true}. Confirm the exact user (codex_get_user) with the person before calling.
    """
    return await app_state(ctx).client.delete_user(user_id=user_id)


TOOLS = [
    ToolSpec(codex_list_users, "List organization members", READ),
    ToolSpec(codex_get_user, "Get a member", READ),
    ToolSpec(codex_modify_user, "Change a member's role", CHANGE),
    ToolSpec(codex_delete_user, "Remove a member", CHANGE),
]
