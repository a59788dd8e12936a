"""What the server's lifespan hands every tool: the settings, the API client and the label cache."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from mcp.server.mcpserver import Context

from codex_mcp.settings import Settings

if TYPE_CHECKING:
    import httpx

    from codex_mcp.client import AdminClient
    from codex_mcp.tools.core.labels import LabelCache


TransportSource = Callable[[], "httpx.AsyncBaseTransport | None"]
"""Where the API client's transport comes from when it is first needed (None: httpx's own, to the network)."""


class AppState:
    """Lifespan state: one AdminClient (one connection pool) shared by all tool calls, and the label cache. Both are
    made on first use, so starting the server and listing its tools import and build neither."""

    def __init__(self, settings: Settings, transport: TransportSource = lambda: None) -> None:
        self.settings = settings
        self._transport = transport
        self._client: AdminClient | None = None
        self._labels: LabelCache | None = None

    @property
    def client(self) -> AdminClient:
        if self._client is None:
            from codex_mcp.client import AdminClient

            self._client = AdminClient(self.settings, transport=self._transport())
        return self._client

    @property
    def labels(self) -> LabelCache:
        if self._labels is None:
            from codex_mcp.tools.core.labels import LabelCache

            self._labels = LabelCache()
        return self._labels

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def page_progress(ctx: Context, what: str) -> Callable[[int], Awaitable[None]]:
    """A paging callback that reports progress to the client (a no-op unless it asked for progress)."""

    async def report(pages: int) -> None:
        await ctx.report_progress(pages, None, f"fetched {what} {pages}")

    return report


def app_state(ctx: Context) -> AppState:
    """The lifespan state of the server handling this tool call."""
    state = ctx.request_context.lifespan_context
    assert isinstance(state, AppState)
    return state
