"""The simulator behind an in-process async transport that records the window of every usage request, and can hold
requests (to cancel them mid-flight) or fail chosen windows; plus an AdminClient over it with a fixed clock.

Not a test module (pytest collects only test_*.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from codex_mcp.client import AdminClient
from codex_mcp.client.cache import BucketCache
from codex_mcp.demo import AdminAPISimulator
from tests.conftest import TEST_KEY, make_settings

DAY, HOUR, MINUTE = 86_400, 3_600, 60
NOW = 1_773_570_600  # 2026-03-15T10:30:00Z: the simulator's and the cache's now
TODAY = NOW - NOW % DAY
MIB = 1024 * 1024
_SIMULATOR: AdminAPISimulator | None = None


def simulator() -> AdminAPISimulator:
    """One simulator (answering TEST_KEY, now = NOW) for every test: it is deterministic, and reads do not change it."""
    global _SIMULATOR
    if _SIMULATOR is None:
        _SIMULATOR = AdminAPISimulator(admin_key=TEST_KEY, now=NOW)
    return _SIMULATOR


Window = tuple[int, int]


class UsageAPI:
    """Answers from the simulator whatever key is sent (recorded in `keys`), and records every data request.

    `windows` lists (start_time, end_time) of each usage/costs request in arrival order; `pages` the whole query of
    each. With `hold`, data requests wait until `release` is set (`held`, and `abandoned` for those cancelled while
    waiting). `fail(start_time)` may return a status to answer a window with instead.
    """

    def __init__(
        self,
        *,
        hold: bool = False,
        fail: Callable[[int], int | None] | None = None,
        page_limit: int | None = None,
        live: bool = False,
    ) -> None:
        # live: a simulator of its own whose now is the real clock's (for tools, which read the real clock).
        self.simulator = AdminAPISimulator(admin_key=TEST_KEY) if live else simulator()
        self.hold = hold
        self.fail = fail
        self.page_limit = page_limit  # answer with pages this small, so the client must follow next_page
        self.windows: list[Window] = []
        self.queries: list[list[tuple[str, str]]] = []
        self.keys: list[str] = []
        self.held: list[Window] = []
        self.abandoned: list[Window] = []
        self.release = anyio.Event()

    @property
    def requests(self) -> int:
        return len(self.windows)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers.get("authorization", ""))
        headers = {**request.headers, "authorization": f"Bearer {TEST_KEY}"}
        params = list(request.url.params.multi_items())
        is_data = "/organization/usage/" in request.url.path or request.url.path.endswith("/organization/costs")
        if not is_data:
            return self.simulator.handle(httpx.Request(request.method, request.url, headers=headers))
        query = dict(params)
        window = (int(query["start_time"]), int(query["end_time"]))
        self.windows.append(window)
        self.queries.append(params)
        if self.hold and not self.release.is_set():
            self.held.append(window)
            try:
                await self.release.wait()
            except anyio.get_cancelled_exc_class():
                self.abandoned.append(window)
                raise
        status = self.fail(window[0]) if self.fail is not None else None
        if status is not None:
            body = {"error": {"message": f"Window {window[0]} refused.", "type": "invalid_request_error"}}
            return httpx.Response(status, content=json.dumps(body).encode(), headers={"x-request-id": "req_window"})
        url = request.url
        if self.page_limit is not None:  # edit the raw query: re-encoding it would spoil the cursors' '='
            raw = re.sub(r"(^|&)limit=\d+", rf"\g<1>limit={self.page_limit}", url.query.decode())
            url = url.copy_with(query=raw.encode())
        return self.simulator.handle(httpx.Request(request.method, url, headers=headers))


def usage_client(api: UsageAPI, *, clock: float | None = NOW, **settings: Any) -> AdminClient:
    """An AdminClient over `api`; its cache of closed periods sees `clock` as now (None: the settings' own cache)."""
    client = AdminClient(make_settings(**settings), transport=api.transport())
    if clock is not None:
        client.bucket_cache = BucketCache(client.bucket_cache.max_bytes, clock=lambda: clock)
    return client


def expected_windows(start: int, end: int, width: int, limit: int) -> list[Window]:
    """The fewest windows for [start, end): `limit` buckets each from the first bucket (aligned down)."""
    first = start - start % width
    return [(max(start, s), min(end, s + limit * width)) for s in range(first, end, limit * width)]
