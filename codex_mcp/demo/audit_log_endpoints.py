"""The audit log: `GET /organization/audit_logs`, newest first, with its filters."""

from __future__ import annotations

import httpx

from codex_mcp.demo.audit_event_types import AUDIT_EVENT_TYPES
from codex_mcp.demo.entities import AuditEvent
from codex_mcp.demo.paging import Paging, list_page
from codex_mcp.demo.protocol import JSON, EndpointGroup, Query, Route, bad

AUDIT_LOGS = Paging(before=True)
ARRAY_FILTERS = ("project_ids[]", "event_types[]", "actor_ids[]", "actor_emails[]", "resource_ids[]")
RANGE_FILTERS = tuple(f"effective_at[{op}]" for op in ("gt", "gte", "lt", "lte"))


class AuditLogEndpoints(EndpointGroup):
    """`GET /organization/audit_logs`."""

    def routes(self) -> list[Route]:
        return [("GET", r"/organization/audit_logs", self._list_audit_logs)]

    def _list_audit_logs(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow({*ARRAY_FILTERS, *RANGE_FILTERS, "tenant_only", *AUDIT_LOGS.params})
        event_types = set(query.many("event_types[]"))
        unknown = sorted(event_types - AUDIT_EVENT_TYPES)
        if unknown:
            raise bad(f"Invalid value for 'event_types[]': '{unknown[0][:60]}'.", "event_types[]")
        bounds = {name: query.integer(name) for name in RANGE_FILTERS}
        projects, actors = set(query.many("project_ids[]")), set(query.many("actor_ids[]"))
        emails = {e.lower() for e in query.many("actor_emails[]")}
        resources = set(query.many("resource_ids[]"))
        tenant_only = bool(query.boolean("tenant_only"))

        def visible(event: AuditEvent) -> bool:
            ts = event.effective_at
            return (
                (bounds["effective_at[gt]"] is None or ts > bounds["effective_at[gt]"])
                and (bounds["effective_at[gte]"] is None or ts >= bounds["effective_at[gte]"])
                and (bounds["effective_at[lt]"] is None or ts < bounds["effective_at[lt]"])
                and (bounds["effective_at[lte]"] is None or ts <= bounds["effective_at[lte]"])
                and (not event_types or event.type in event_types)
                and (not projects or event.project_id in projects)
                and (not actors or not actors.isdisjoint(event.actor_ids))
                and (not emails or (event.actor_email or "").lower() in emails)
                and (not resources or event.resource_id in resources)
                and (event.type.startswith("tenant.") == tenant_only)
            )

        newest_first = self.org.audit_events[::-1]
        return list_page(newest_first, query, AUDIT_LOGS, lambda e: e.body, visible=visible)
