"""Governance endpoints (reads): a project's model permissions, data retention controls and mTLS certificates."""

from __future__ import annotations

from codex_mcp.client.budgets import scope
from codex_mcp.client.failures import validate
from codex_mcp.client.paging import PagingClient
from codex_mcp.models import Certificate, DataRetention, ModelPermissions, Page


class GovernanceEndpoints(PagingClient):
    """Policies of the organization and its projects. `project_id=None` means the organization's own."""

    async def get_model_permissions(self, *, project_id: str) -> ModelPermissions:
        """The models a project may use (an allow list or a deny list)."""
        raw = await self.request("GET", f"{scope(project_id)}/model_permissions")
        return validate(ModelPermissions, raw, "model permissions")

    async def get_data_retention(self, *, project_id: str | None = None) -> DataRetention:
        """The data retention control of the organization (or of the project)."""
        raw = await self.request("GET", f"{scope(project_id)}/data_retention")
        return validate(DataRetention, raw, "data retention")

    async def list_certificates(
        self, *, limit: int, after: str | None, project_id: str | None = None
    ) -> Page[Certificate]:
        """One page of the organization's mTLS certificates (active at the organization, or at the project), newest
        first."""
        return await self.list_page(f"{scope(project_id)}/certificates", Certificate, limit=limit, after=after)
