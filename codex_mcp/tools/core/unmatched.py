"""When filters match nothing, say which values do have data in the range (from one grouped request), so 'gpt-4o'
leads to 'did you mean gpt-4o-2024-08-06?' instead of a report of zeros read as 'no usage'."""

from __future__ import annotations

import difflib
from typing import Any

from codex_mcp.client import AdminClient
from codex_mcp.errors import AdminAPIError, shown
from codex_mcp.models import UsageQuery
from codex_mcp.usage_endpoints import USAGE_ENDPOINTS

# The filters a note can check, and the group_by field that lists their values.
CHECKED = {"models": "model", "project_ids": "project_id", "user_ids": "user_id", "api_key_ids": "api_key_id"}
MAX_LISTED = 10


async def unmatched_note(client: AdminClient, source: str, start: int, end: int, filters: dict[str, Any]) -> str | None:
    """A note for a report whose filters matched no data, or None when no checked filter was given."""
    endpoint = USAGE_ENDPOINTS[source]
    asked = {
        name: list(values)
        for name, values in filters.items()
        if name in CHECKED and values and CHECKED[name] in endpoint.group_by
    }
    if not asked:
        return None
    others = {name: value for name, value in filters.items() if name not in asked}
    query = UsageQuery(start, end, "1d", [CHECKED[name] for name in asked], others)
    try:
        series = await client.usage(source, query)
    except AdminAPIError as exc:
        return f"No data matched {_filters(asked)}; the values that do have data could not be listed: {exc.message}"
    present: dict[str, set[str]] = {name: set() for name in asked}
    for bucket in series.buckets:
        for result in bucket.results:
            for name in asked:
                value = result.get(CHECKED[name])
                if isinstance(value, str) and value:
                    present[name].add(value)
    parts = [_part(name, asked[name], sorted(present[name])) for name in asked]
    found = [part for part in parts if part]
    if not found:
        return (
            f"No data matched {_filters(asked)} together, although each value has data in this range on its own: "
            "the combination has none."
        )
    return f"No data matched {_filters(asked)}. " + " ".join(found)


def _part(name: str, values: list[str], existing: list[str]) -> str | None:
    missing = [value for value in values if value not in existing]
    if not missing:
        return None
    if not existing:
        return f"{name}: nothing has data in this range at all."
    listed = ", ".join(existing[:MAX_LISTED]) + (
        f" and {len(existing) - MAX_LISTED} more" if len(existing) > MAX_LISTED else ""
    )
    hints = [
        f"Did you mean {best!r} for {shown(value, 60)}?" for value in missing if (best := closest(value, existing))
    ]
    return f"{name} with data in this range: {listed}." + (" " + " ".join(hints) if hints else "")


def closest(value: str, existing: list[str]) -> str | None:
    """The existing value most likely meant: a dated or suffixed name that starts with it ('gpt-4o' ->
    'gpt-4o-2024-08-06', the shortest such), else the closest spelling."""
    prefixed = [item for item in existing if item.startswith(value + "-") or item.startswith(value + ":")]
    if prefixed:
        return min(prefixed, key=lambda item: (len(item), item))
    close = difflib.get_close_matches(value, existing, n=1, cutoff=0.6)
    return close[0] if close else None


def _filters(asked: dict[str, list[str]]) -> str:
    return ", ".join(f"{name}={shown(values, 120)}" for name, values in asked.items())
