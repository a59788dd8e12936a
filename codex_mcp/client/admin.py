"""AdminClient: the request path and paging, with every resource group's typed methods."""

from __future__ import annotations

from codex_mcp.client.access import AccessEndpoints
from codex_mcp.client.audit import AuditEndpoints
from codex_mcp.client.budgets import BudgetEndpoints
from codex_mcp.client.governance import GovernanceEndpoints
from codex_mcp.client.invites import InviteEndpoints
from codex_mcp.client.keys import KeyEndpoints
from codex_mcp.client.projects import ProjectEndpoints
from codex_mcp.client.usage import UsageEndpoints
from codex_mcp.client.users import UserEndpoints


class AdminClient(
    UsageEndpoints,
    UserEndpoints,
    InviteEndpoints,
    ProjectEndpoints,
    AuditEndpoints,
    KeyEndpoints,
    AccessEndpoints,
    BudgetEndpoints,
    GovernanceEndpoints,
):
    """Thin async client for the OpenAI Admin API. Knows nothing of MCP."""

    async def __aenter__(self) -> AdminClient:
        return self
