"""Audit-log endpoint: one page of events, with the API's filter syntax."""

from __future__ import annotations

from collections.abc import Sequence

from codex_mcp.client.paging import PagingClient
from codex_mcp.client.query import flag
from codex_mcp.models import AuditEvent, Page


class AuditEndpoints(PagingClient):
    """The organization's audit log."""

    async def list_audit_events(
        self,
        *,
        limit: int,
        after: str | None,
        effective_at_gte: int | None = None,
        effective_at_lt: int | None = None,
        project_ids: Sequence[str] = (),
        event_types: Sequence[str] = (),
        actor_ids: Sequence[str] = (),
        actor_emails: Sequence[str] = (),
        resource_ids: Sequence[str] = (),
        tenant_only: bool | None = None,
    ) -> Page[AuditEvent]:
        """One page of audit-log events, newest first (filters use the API's `name[]` and `effective_at[op]` forms)."""
        query: list[tuple[str, str]] = []
        if effective_at_gte is not None:
            query.append(("effective_at[gte]", str(effective_at_gte)))
        if effective_at_lt is not None:
            query.append(("effective_at[lt]", str(effective_at_lt)))
        for name, values in (
            ("project_ids[]", project_ids),
            ("event_types[]", event_types),
            ("actor_ids[]", actor_ids),
            ("actor_emails[]", actor_emails),
            ("resource_ids[]", resource_ids),
        ):
            query.extend((name, value) for value in values)
        if tenant_only is not None:
            query.append(("tenant_only", flag(tenant_only)))
        return await self.list_page("/organization/audit_logs", AuditEvent, limit=limit, after=after, query=query)
