"""Invite endpoints: list and create invites."""

from __future__ import annotations

from typing import Any

from codex_mcp.client.failures import validate
from codex_mcp.client.paging import PagingClient
from codex_mcp.client.request import Creation
from codex_mcp.models import Invite, Page

INVITES = "/organization/invites"
INVITE = Creation("invite", "codex_list_invites")


class InviteEndpoints(PagingClient):
    """Invites to join the organization."""

    async def list_invites(self, *, limit: int, after: str | None) -> Page[Invite]:
        """One page of invites."""
        return await self.list_page(INVITES, Invite, limit=limit, after=after)

    async def all_invites(self) -> list[Invite]:
        """Every invite, all pages."""
        return await self.list_all(INVITES, Invite)

    async def create_invite(self, *, email: str, role: str, projects: list[dict[str, str]] | None) -> Invite:
        """Invite someone; `projects=None` leaves the field out (the default project), `[]` sends it empty."""
        body: dict[str, Any] = {"email": email, "role": role}
        if projects is not None:
            body["projects"] = projects
        return validate(Invite, await self.request("POST", INVITES, body=body, creates=INVITE), "invite")
