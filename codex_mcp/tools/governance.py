"""The `governance` toolset (read-only): a project's model permissions, data retention controls and mTLS
certificates."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.models import DataRetention, ModelPermissions
from codex_mcp.params import After, Limit, OpenAIId, ProjectId
from codex_mcp.results import CertificateList
from codex_mcp.state import app_state
from codex_mcp.tools import READ, ToolSpec


async def codex_get_model_permissions(ctx: Context, project_id: ProjectId) -> ModelPermissions:
    """Get which models a project may use: an allow list or a deny list of model ids.

    mode 'allow_list': only model_ids may be used; 'deny_list': every model except model_ids (an empty deny list
    allows every model).
    """
    permissions = await app_state(ctx).client.get_model_permissions(project_id=project_id)
    return permissions.model_copy(update={"project_id": project_id})


async def codex_get_data_retention(
    ctx: Context,
    project_id: Annotated[
        OpenAIId | None,
        Field(description="A project's id, e.g. 'proj_abc123': that project's setting. Omit for the organization's."),
    ] = None,
) -> DataRetention:
    """Get the data retention control: the organization's, or one project's when project_id is given.

    type is 'zero_data_retention', 'modified_abuse_monitoring', 'enhanced_zero_data_retention' or
    'enhanced_modified_abuse_monitoring'; a project may also say 'none' or 'organization_default' (the
    organization's setting applies: call again without project_id to see it).
    """
    retention = await app_state(ctx).client.get_data_retention(project_id=project_id)
    return retention.model_copy(update={"project_id": project_id}) if project_id else retention


async def codex_list_certificates(
    ctx: Context,
    project_id: Annotated[
        OpenAIId | None,
        Field(
            description=(
                "A project's id, e.g. 'proj_abc123': `active` then says whether each certificate is active for "
                "that project. Omit for the organization level."
            )
        ),
    ] = None,
    limit: Limit = 20,
    after: After = None,
) -> CertificateList:
    """List the organization's mTLS certificates, newest first, with whether each is active and when it expires.

    Each has id, name, active, created_at, valid_at and expires_at (Unix seconds + ISO UTC). `active` is at the
    organization level, or at one project's when project_id is given. One page per call (limit 1-100, default 20);
    when has_more is true, call again with after=next_after.
    """
    page = await app_state(ctx).client.list_certificates(project_id=project_id, limit=limit, after=after)
    return CertificateList.of(page)


TOOLS = [
    ToolSpec(codex_get_model_permissions, "Get a project's model permissions", READ),
    ToolSpec(codex_get_data_retention, "Get the data retention setting", READ),
    ToolSpec(codex_list_certificates, "List mTLS certificates", READ),
]
