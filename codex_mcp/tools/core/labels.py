"""Labels for the ids in grouped reports (project names, user emails): optional, fetched beside the data, and kept
for a few minutes per Admin key so a series of questions does not list every member each time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from codex_mcp.client import AdminClient
from codex_mcp.errors import AdminAPIError
from codex_mcp.request_key import client_admin_key, key_partition
from codex_mcp.settings import Settings

TTL_S = 300.0
KINDS = {"project_id": "Project names", "user_id": "User emails"}


@dataclass
class LabelCache:
    """Labels per (key partition, field), each with the time it was fetched."""

    entries: dict[tuple[str, str], tuple[float, dict[str, str]]] = field(default_factory=dict)

    async def labels(self, client: AdminClient, settings: Settings, group_field: str) -> dict[str, str] | AdminAPIError:
        """The labels of `group_field`'s ids ('project_id': names, 'user_id': emails), or the API error that kept
        them out (a report stands without them)."""
        key = client_admin_key() or (settings.admin_key.get_secret_value() if settings.admin_key else "")
        slot = (key_partition(key), group_field)
        cached = self.entries.get(slot)
        if cached is not None and time.monotonic() - cached[0] < TTL_S:
            return cached[1]
        try:
            if group_field == "project_id":
                labels = {p.id: p.name for p in await client.all_projects() if p.name}
            else:
                labels = {u.id: u.email for u in await client.all_users() if u.email}
        except AdminAPIError as exc:
            return exc
        self.entries[slot] = (time.monotonic(), labels)
        return labels


def missing_note(group_field: str, error: AdminAPIError) -> str:
    return f"{KINDS[group_field]} could not be fetched, so groups show ids only: {error.message}"
