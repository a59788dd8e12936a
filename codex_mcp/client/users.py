"""Organization member endpoints: list, get, change role, remove."""

from __future__ import annotations

from collections.abc import Sequence

from codex_mcp.client.failures import validate
from codex_mcp.client.paging import PagingClient
from codex_mcp.client.query import path_id
from codex_mcp.models import Page, User, UserDeleted

USERS = "/organization/users"


class UserEndpoints(PagingClient):
    """Members of the organization."""

    async def list_users(self, *, limit: int, after: str | None, emails: Sequence[str] = ()) -> Page[User]:
        """One page of organization members, optionally only those with the given emails."""
        return await self.list_page(USERS, User, limit=limit, after=after, query=[("emails", e) for e in emails])

    async def all_users(self, *, emails: Sequence[str] = ()) -> list[User]:
        """Every organization member (optionally only those with the given emails), all pages."""
        return await self.list_all(USERS, User, query=[("emails", e) for e in emails])

    async def get_user(self, *, user_id: str) -> User:
        """One member by id."""
        return validate(User, await self.request("GET", f"{USERS}/{path_id(user_id)}"), "user")

    async def modify_user(self, *, user_id: str, role: str) -> User:
        """Set a member's organization role (idempotent, so retried like a GET)."""
        raw = await self.request("POST", f"{USERS}/{path_id(user_id)}", body={"role": role}, idempotent=True)
        return validate(User, raw, "user")

    async def delete_user(self, *, user_id: str) -> UserDeleted:
        """Remove a member from the organization."""
        raw = await self.request("DELETE", f"{USERS}/{path_id(user_id)}")
        return validate(UserDeleted, raw, "user deletion")
