"""MCP resources: what each usage endpoint accepts (from the same table that validates arguments) and a summary
of the organization, computed when read."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codex_mcp.server import CodexServer

CAPABILITIES_URI = "codex://capabilities"
ORG_SUMMARY_URI = "codex://org/summary"


def capabilities() -> str:
    """Every usage endpoint: filters, group_by values, bucket widths, page limits, counters and units."""
    from codex_mcp.usage_endpoints import USAGE_ENDPOINTS

    return json.dumps(
        {
            "usage_endpoints": [endpoint.capability() for endpoint in USAGE_ENDPOINTS.values()],
            "times": "UTC; ranges are [start_time, end_time); buckets start at 00:00 UTC (1d) or on the hour/minute",
            "money": "costs in US dollars; spend limits and alerts are shown in dollars (the API keeps cents)",
        },
        indent=2,
    )


async def org_summary(server: CodexServer) -> str:
    """Members by role, projects active/archived and invites by status, read from every page when asked."""
    from codex_mcp.timeparse import iso

    client = server.api().client
    members = await client.all_users()
    projects = await client.all_projects()
    invites = await client.all_invites()
    archived = sum(1 for project in projects if project.status == "archived" or project.archived_at)
    summary: dict[str, Any] = {
        "computed_at": iso(time.time()),
        "members": {"total": len(members), "by_role": _count(member.role for member in members)},
        "projects": {"total": len(projects), "active": len(projects) - archived, "archived": archived},
        "invites": {"total": len(invites), "by_status": _count(invite.status for invite in invites)},
    }
    if server.config.demo:
        summary["demo_data"] = True
    return json.dumps(summary, indent=2)


def _count(values: Iterable[str | None]) -> dict[str, int]:
    return dict(Counter(value or "unknown" for value in values))


def register_resources(server: CodexServer) -> None:
    server.resource(
        CAPABILITIES_URI,
        name="capabilities",
        title="What each usage endpoint accepts",
        description="For every usage and cost endpoint: its filters, group_by values, bucket widths, buckets per "
        "page, counters and units (the table the tools validate arguments with).",
        mime_type="application/json",
    )(capabilities)

    async def summary() -> str:
        return await org_summary(server)

    server.resource(
        ORG_SUMMARY_URI,
        name="org_summary",
        title="Organization summary",
        description="Members by role, projects active and archived, invites by status; computed from every page "
        "of the Admin API when read.",
        mime_type="application/json",
    )(summary)
