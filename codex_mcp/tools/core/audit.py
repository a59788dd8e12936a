"""Audit-log tool: who did what, when, in the organization."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.params import After, Emails, EndTime, EventTypes, IdFilter, Limit, ProjectIds, StartTime
from codex_mcp.results import AuditEventList
from codex_mcp.state import app_state
from codex_mcp.timeparse import resolve_optional_range
from codex_mcp.tools import READ, ToolSpec


async def codex_list_audit_events(
    ctx: Context,
    effective_at_start: Annotated[StartTime | None, Field(description="Only events at or after this time.")] = None,
    effective_at_end: Annotated[EndTime, Field(description="Only events before this time (exclusive).")] = None,
    project_ids: ProjectIds = None,
    event_types: EventTypes = None,
    actor_ids: Annotated[IdFilter, Field(description="Only events by these user/service-account/API-key ids.")] = None,
    actor_emails: Annotated[Emails, Field(description="Only events by users with these emails.")] = None,
    resource_ids: Annotated[IdFilter, Field(description="Only events on these targets, e.g. a project id.")] = None,
    tenant_only: Annotated[
        bool | None, Field(description="Only tenant-scoped events (needed for role.bound_to_resource and similar).")
    ] = None,
    limit: Limit = 20,
    after: After = None,
) -> AuditEventList:
    """List audit-log events, newest first: id, type, effective_at (Unix seconds + ISO UTC), actor, project, details.

    `actor_summary` says who acted in one line; `details` holds the type-specific payload (e.g. the key id for
    api_key.created). Times accept Unix seconds, ISO-8601 or forms like '7d', 'this week' ('this week' alone as
    effective_at_start covers the week so far). "Who created API keys this week?" is
    event_types=['api_key.created'], effective_at_start='this week'. One page per call (limit 1-100, default 20);
    when has_more is true, call again with after=next_after. Audit logging must be enabled for the organization.
    """
    state = app_state(ctx)
    start, end = resolve_optional_range(
        effective_at_start, effective_at_end, start_field="effective_at_start", end_field="effective_at_end"
    )
    page = await state.client.list_audit_events(
        limit=limit,
        after=after,
        effective_at_gte=start,
        effective_at_lt=end,
        project_ids=project_ids or (),
        event_types=event_types or (),
        actor_ids=actor_ids or (),
        actor_emails=actor_emails or (),
        resource_ids=resource_ids or (),
        tenant_only=tenant_only,
    )
    return AuditEventList.of(page)


TOOLS = [ToolSpec(codex_list_audit_events, "List audit-log events", READ)]
