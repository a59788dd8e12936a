"""Usage and costs endpoints: every bucket of a query, fetched in concurrent windows, closed periods from memory."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import anyio

from codex_mcp.client.cache import BucketCache, Partition, RawBucket
from codex_mcp.client.paging import PageCallback, PagingClient
from codex_mcp.client.query import flag
from codex_mcp.client.windows import Window, fetch_windows, plan_windows
from codex_mcp.models import BucketSeries, UsageBucket, UsageQuery
from codex_mcp.usage_endpoints import USAGE_ENDPOINTS, WIDTH_SECONDS

# A usage kind of USAGE_ENDPOINTS ('completions', 'images', ..., or 'costs').
UsageSource = str
MIB = 1024 * 1024


@dataclass(frozen=True)
class _Fetched:
    """One window's buckets in the order the API sent them, and how many pages that took."""

    window: Window
    buckets: list[UsageBucket]
    pages: int


class UsageEndpoints(PagingClient):
    """Every usage endpoint (completions, embeddings, images, ...) and costs, from the one endpoint table."""

    @cached_property
    def bucket_cache(self) -> BucketCache:
        """Closed buckets of earlier answers, shared by every call of this client (CODEX_MCP_CACHE_MB)."""
        return BucketCache(self._settings.cache_mb * MIB)

    async def usage(
        self, source: UsageSource, query: UsageQuery, *, on_page: PageCallback | None = None
    ) -> BucketSeries:
        """Every bucket of a usage query of kind `source` (a key of USAGE_ENDPOINTS), or of costs.

        The range is cut at bucket boundaries into windows of one page each (the endpoint's page limit), fetched
        concurrently within CODEX_MCP_MAX_CONCURRENCY and merged in time order; a window the API pages anyway is
        followed to its end. Buckets that ended over 48 hours ago come from the cache when an earlier call fetched
        them (only the windows missing are requested), and are kept for later calls. All or nothing: a window that
        fails fails the call, naming the window.
        """
        endpoint = USAGE_ENDPOINTS[source]
        limit = endpoint.page_limit(query.bucket_width)
        width = WIDTH_SECONDS.get(query.bucket_width)
        if width is None:  # not a width the API has: one request, and the API says what is wrong
            return await self.fetch_all_buckets(endpoint.path, usage_params(query), page_limit=limit, on_page=on_page)
        cache = self.bucket_cache
        partition = self._partition(endpoint.path, query) if cache.enabled else None
        cached = cache.get(partition, query.start_time, query.end_time, width) if cache.enabled else {}
        windows = plan_windows(query.start_time, query.end_time, width, limit, cached)
        progress = _Progress(on_page)

        async def fetch(window: Window) -> _Fetched:
            params = usage_params(replace(query, start_time=window.start, end_time=window.end))
            received: list[RawBucket] | None = [] if cache.enabled else None
            series = await self.fetch_all_buckets(
                endpoint.path, params, page_limit=limit, on_page=progress.page, received=received
            )
            if received:
                cache.put(partition, received, window.start, window.end, width)
            return _Fetched(window, series.buckets, series.pages)

        # As many workers as requests may be in flight, so no window waits for a slot (its deadline would run).
        workers = self._settings.max_concurrency
        fetched = await fetch_windows(windows, fetch, workers=workers) if windows else []
        return _merge(endpoint.path, fetched, cached)

    def _partition(self, path: str, query: UsageQuery) -> Partition:
        """Which cached series a query reads: the key that asks (never shared between keys), the endpoint, and
        every parameter but the range (width, filters, grouping; order does not matter to the API)."""
        shape = sorted(pair for pair in usage_params(query) if pair[0] not in ("start_time", "end_time"))
        return (self.credential_id(), path, tuple(shape))


class _Progress:
    """Pages fetched so far across every window, reported one at a time so the count only ever grows."""

    def __init__(self, on_page: PageCallback | None) -> None:
        self._on_page = on_page
        self._pages = 0
        self._lock = anyio.Lock()

    async def page(self, _number: int) -> None:
        if self._on_page is None:
            return
        async with self._lock:
            self._pages += 1
            await self._on_page(self._pages)


def _merge(path: str, fetched: list[_Fetched], cached: dict[int, RawBucket]) -> BucketSeries:
    """The fetched windows and the cached buckets as one series in time order (each window as the API sent it)."""
    parts: list[tuple[int, list[UsageBucket]]] = [(part.window.start, part.buckets) for part in fetched]
    parts += [(start, [UsageBucket.model_validate(bucket)]) for start, bucket in cached.items()]
    parts.sort(key=lambda part: part[0])
    buckets = [bucket for _, part in parts for bucket in part]
    return BucketSeries(path, buckets, sum(part.pages for part in fetched), cached_buckets=len(cached))


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
