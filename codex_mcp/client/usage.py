"""Usage and costs endpoints: every bucket of a query, all pages."""

from __future__ import annotations

from codex_mcp.client.paging import PageCallback, PagingClient
from codex_mcp.client.query import flag
from codex_mcp.models import BucketSeries, UsageQuery
from codex_mcp.usage_endpoints import USAGE_ENDPOINTS

# A usage kind of USAGE_ENDPOINTS ('completions', 'images', ..., or 'costs').
UsageSource = str


class UsageEndpoints(PagingClient):
    """Every usage endpoint (completions, embeddings, images, ...) and costs, from the one endpoint table."""

    async def usage(
        self, source: UsageSource, query: UsageQuery, *, on_page: PageCallback | None = None
    ) -> BucketSeries:
        """Every bucket of a usage query of kind `source` (a key of USAGE_ENDPOINTS), or of costs."""
        endpoint = USAGE_ENDPOINTS[source]
        limit = endpoint.page_limit(query.bucket_width)
        return await self.fetch_all_buckets(endpoint.path, usage_params(query), page_limit=limit, on_page=on_page)


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
