"""Usage and costs endpoints: every bucket of a query, all pages."""

from __future__ import annotations

from typing import Literal

from codex_mcp.client.paging import PageCallback, PagingClient
from codex_mcp.client.query import flag
from codex_mcp.models import BucketSeries, UsageQuery

UsageSource = Literal["completions", "embeddings", "code_interpreter_sessions", "costs"]

USAGE_PAGE_LIMITS = {"1d": 31, "1h": 168, "1m": 1440}  # the API's most buckets per page, by bucket width
COSTS_PAGE_LIMIT = 180
USAGE_PATHS = {
    "completions": "/organization/usage/completions",
    "embeddings": "/organization/usage/embeddings",
    "code_interpreter_sessions": "/organization/usage/code_interpreter_sessions",
    "costs": "/organization/costs",
}


class UsageEndpoints(PagingClient):
    """Usage (completions, embeddings, code interpreter sessions) and costs."""

    async def usage(
        self, source: UsageSource, query: UsageQuery, *, on_page: PageCallback | None = None
    ) -> BucketSeries:
        """Every bucket of a usage query (completions, embeddings, code_interpreter_sessions) or of costs."""
        path = USAGE_PATHS[source]
        limit = COSTS_PAGE_LIMIT if source == "costs" else USAGE_PAGE_LIMITS[query.bucket_width]
        return await self.fetch_all_buckets(path, usage_params(query), page_limit=limit, on_page=on_page)


def usage_params(query: UsageQuery) -> list[tuple[str, str]]:
    """A UsageQuery in the API's query syntax: arrays as repeated names, booleans as true/false."""
    params = [
        ("start_time", str(query.start_time)),
        ("end_time", str(query.end_time)),
        ("bucket_width", query.bucket_width),
    ]
    for name, value in query.filters.items():
        if isinstance(value, bool):
            params.append((name, flag(value)))
        elif value:
            params.extend((name, item) for item in value)
    params.extend(("group_by", field) for field in query.group_by)
    return params
