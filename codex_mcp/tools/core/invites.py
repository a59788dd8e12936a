"""Invite tools: list pending/accepted/expired invites, invite someone."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from codex_mcp.models import Invite
from codex_mcp.params import After, BoundedList, Email, Limit, OpenAIId, OrgRole
from codex_mcp.results import InviteList
from codex_mcp.state import app_state
from codex_mcp.tools import CREATE, READ, ToolSpec


class ProjectGrant(BaseModel):
    """A project the invitee joins on accepting."""

    id: Annotated[OpenAIId, Field(description="Project id, e.g. 'proj_abc123'.")]
    role: Annotated[Literal["member", "owner"], Field(description="Project role: 'member' or 'owner'.")]


async def codex_list_invites(
    ctx: Context,
    limit: Limit = 20,
    after: After = None,
    status: Annotated[
        Literal["pending", "accepted", "expired"] | None,
        Field(description="Only invites with this status."),
    ] = None,
) -> InviteList:
    """List invitations to the organization: email, role, status (pending/accepted/expired), created/expires times.

    Times are Unix seconds with ISO-8601 UTC twins. One page per call (limit 1-100, default 20); when has_more is
    true, call again with after=next_after for the next page. "Pending invites" is status='pending': the API has no
    status filter, so this reads every page of invites and returns the matches, paged the same way.
    """
    client = app_state(ctx).client
    if status is None:
        return InviteList.of(await client.list_invites(limit=limit, after=after))
    invites = await client.all_invites()
    matches = [invite for invite in invites if invite.status == status]
    note = f"{len(matches)} of {len(invites)} invites are {status} (every page was read to find them)."
    return InviteList.of_matches(matches, limit=limit, after=after, note=note)


async def codex_create_invite(
    ctx: Context,
    email: Email,
    role: OrgRole,
    projects: Annotated[
        BoundedList[ProjectGrant] | None,
        Field(
            description="Projects to join on acceptance. Omit: the default project; []: no project at all.",
        ),
    ] = None,
) -> Invite:
    """Invite someone to the organization by email with role 'owner' or 'reader'; sends them an email.

    Returns the invite (status 'pending', expires_at in Unix seconds + ISO UTC). Not retried on ambiguous failures,
    so it never creates a duplicate invite; check codex_list_invites before inviting again after an error.
    """
    grants = [grant.model_dump() for grant in projects] if projects is not None else None
    return await app_state(ctx).client.create_invite(email=email, role=role, projects=grants)


TOOLS = [
    ToolSpec(codex_list_invites, "List invites", READ),
    ToolSpec(codex_create_invite, "Invite a member", CREATE),
]
