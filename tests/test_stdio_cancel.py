"""Cancellation over the real stdio door: `python -m codex_mcp` driven by the official MCP stdio client, its API a
local simulator that holds chosen requests until released.

For every tool that fans out (metrics; the four usage/cost tools grouped by project): a call cancelled mid-call
(with a progress token), or abandoned by a client timeout, leaves the server serving the next call on the same
session, and the call's held API request is abandoned (its connection closed), not left running.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import REQUEST_TIMEOUT

from tests.conftest import TEST_KEY, result_text
from tests.held_api import HeldAPI, eventually

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class FanOut:
    """A tool call that fans out: the main series (its later pages are held) and the sources fetched beside it."""

    arguments: dict[str, Any]
    series: str
    beside: tuple[str, ...]


BY_PROJECT = {"group_by": ["project_id"]}
FAN_OUTS = {
    "codex_get_normalized_metrics": FanOut(
        {"start_time": "90d"}, "/organization/usage/completions", ("/organization/costs", "/organization/users")
    ),
    "codex_get_completions_usage": FanOut(
        {"start_time": "90d", **BY_PROJECT}, "/organization/usage/completions", ("/organization/projects",)
    ),
    "codex_get_embeddings_usage": FanOut(
        {"start_time": "90d", **BY_PROJECT}, "/organization/usage/embeddings", ("/organization/projects",)
    ),
    "codex_get_code_interpreter_usage": FanOut(
        {"start_time": "90d", **BY_PROJECT},
        "/organization/usage/code_interpreter_sessions",
        ("/organization/projects",),
    ),
    # Cost pages hold 180 days: 400 days make three windows.
    "codex_get_cost_breakdown": FanOut(
        {"start_time": "400d", **BY_PROJECT}, "/organization/costs", ("/organization/projects",)
    ),
}


def later_pages_of(path: str) -> Any:
    """Hold every request of `path` but the first: the range is fetched in concurrent windows of one page each, so
    one window comes back (and reports progress) and the others are held."""
    seen = itertools.count()
    return lambda request: request.url.path.endswith(path) and next(seen) > 0


@asynccontextmanager
async def stdio_session(api: HeldAPI, tmp_path: Path) -> AsyncIterator[tuple[ClientSession, Path]]:
    """`python -m codex_mcp` over stdio with its API at `api`; DEBUG logs (one line per API answer) to a file."""
    errlog_path = tmp_path / "stderr.log"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "codex_mcp"],
        env={
            "OPENAI_ADMIN_KEY": TEST_KEY,
            "OPENAI_BASE_URL": api.base_url,
            "CODEX_MCP_LOG_LEVEL": "DEBUG",
            "CODEX_MCP_BACKOFF_INITIAL": "0",
            "CODEX_MCP_BACKOFF_MAX": "0",
        },
        cwd=ROOT,
    )
    with errlog_path.open("w", encoding="utf-8") as errlog, anyio.fail_after(120):
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield session, errlog_path


async def assert_next_call_served(session: ClientSession, api: HeldAPI, tool: str, fan_out: FanOut) -> None:
    await eventually(lambda: len(api.abandoned) == len(api.held))  # each window held is abandoned, in any order
    assert sorted(api.abandoned) == sorted(api.held), "every held API request of the cancelled call was abandoned"
    api.release()
    with anyio.fail_after(60):
        result = await session.call_tool(tool, fan_out.arguments)
    assert result.is_error is not True, result_text(result)[:500]
    assert isinstance(result.structured_content, dict)


@pytest.mark.parametrize("tool", sorted(FAN_OUTS))
async def test_cancelled_mid_call_the_server_serves_the_next_call(tool: str, tmp_path: Path) -> None:
    fan_out = FAN_OUTS[tool]
    with HeldAPI(hold=later_pages_of(fan_out.series)) as api:
        async with stdio_session(api, tmp_path) as (session, errlog):
            progressed = anyio.Event()

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                progressed.set()

            async with anyio.create_task_group() as calls:
                calls.start_soon(lambda: session.call_tool(tool, fan_out.arguments, progress_callback=on_progress))
                # Mid-call: one window reported progress, the others are held, and what is fetched beside it is done.
                await eventually(
                    lambda: (
                        bool(api.held)
                        and progressed.is_set()
                        and api.read_by_server(fan_out.beside, errlog.read_text(errors="replace"))
                    )
                )
                calls.cancel_scope.cancel()
            await assert_next_call_served(session, api, tool, fan_out)
        assert "Traceback" not in errlog.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("tool", ["codex_get_normalized_metrics", "codex_get_cost_breakdown"])
async def test_client_timeout_abandons_the_call_and_the_server_serves_the_next(tool: str, tmp_path: Path) -> None:
    fan_out = FAN_OUTS[tool]
    with HeldAPI(hold=later_pages_of(fan_out.series)) as api:
        async with stdio_session(api, tmp_path) as (session, errlog):
            # The held page never comes back while held, so any timeout expires mid-call.
            with pytest.raises(MCPError) as timed_out:
                await session.call_tool(tool, fan_out.arguments, read_timeout_seconds=1)
            assert timed_out.value.error.code == REQUEST_TIMEOUT
            await assert_next_call_served(session, api, tool, fan_out)
        assert "Traceback" not in errlog.read_text(encoding="utf-8", errors="replace")
