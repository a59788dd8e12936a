"""What the server's lifespan hands every tool: the API client and the settings it runs with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mcp.server.mcpserver import Context

from codex_mcp.client import AdminClient
from codex_mcp.settings import Settings
from codex_mcp.tools.core.labels import LabelCache


@dataclass(frozen=True)
class AppState:
    """Lifespan state: one AdminClient (one connection pool) shared by all tool calls, and the label cache."""

    client: AdminClient
    settings: Settings
    labels: LabelCache = field(default_factory=LabelCache)


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
