"""API key endpoints: one project API key (get, delete) and the organization's admin API keys (list, get, delete).
Nothing here creates a key: a new key's secret would land in a model's context."""

from __future__ import annotations

from codex_mcp.client.failures import validate
from codex_mcp.client.paging import PagingClient
from codex_mcp.client.projects import PROJECTS
from codex_mcp.client.query import path_id
from codex_mcp.models import AdminApiKey, Deletion, Page, ProjectApiKey

ADMIN_KEYS = "/organization/admin_api_keys"


def project_key_path(project_id: str, api_key_id: str) -> str:
    return f"{PROJECTS}/{path_id(project_id)}/api_keys/{path_id(api_key_id)}"


class KeyEndpoints(PagingClient):
    """Project API keys and admin API keys."""

    async def get_project_api_key(self, *, project_id: str, api_key_id: str) -> ProjectApiKey:
        """One project API key (redacted)."""
        raw = await self.request("GET", project_key_path(project_id, api_key_id))
        return validate(ProjectApiKey, raw, "project API key")

    async def delete_project_api_key(self, *, project_id: str, api_key_id: str) -> Deletion:
        """Revoke a project API key (the API refuses keys of service accounts)."""
        raw = await self.request("DELETE", project_key_path(project_id, api_key_id))
        return validate(Deletion, raw, "project API key deletion")

    async def list_admin_api_keys(self, *, limit: int, after: str | None, order: str) -> Page[AdminApiKey]:
        """One page of admin API keys, in creation order (`asc` or `desc`)."""
        return await self.list_page(ADMIN_KEYS, AdminApiKey, limit=limit, after=after, query=[("order", order)])

    async def get_admin_api_key(self, *, key_id: str) -> AdminApiKey:
        """One admin API key (redacted)."""
        return validate(AdminApiKey, await self.request("GET", f"{ADMIN_KEYS}/{path_id(key_id)}"), "admin API key")

    async def delete_admin_api_key(self, *, key_id: str) -> Deletion:
        """Delete an admin API key."""
        raw = await self.request("DELETE", f"{ADMIN_KEYS}/{path_id(key_id)}")
        return validate(Deletion, raw, "admin API key deletion")
