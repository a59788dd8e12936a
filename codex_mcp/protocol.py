"""Server middleware (the SDK's public seam around every request) that keeps the protocol honest.

- Capabilities name only what exists: MCPServer always registers the prompt and resource handlers, so the SDK
  advertises both; here they are advertised once a prompt, resource or template is registered.
- `prompts/get` of an unknown name is invalid params (-32602), as `resources/read` of an unknown URI already is; the
  SDK answers it with error code 0 and logs a traceback.
- A cancelled request ends as its own cancellation, whatever raised it (see `contain_cancellation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anyio
import anyio.lowlevel
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS


def protocol_middleware(server: MCPServer[Any]) -> list[ServerMiddleware[Any]]:
    """The middleware for `server`, outermost first."""
    return [contain_cancellation, HonestCapabilities(server), KnownPromptNames(server)]


async def contain_cancellation(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Re-raise a cancelled request's CancelledError as its cancel scope's own.

    The SDK runs each request in an anyio cancel scope, which absorbs only CancelledErrors that carry anyio's mark.
    One without it (asyncio.gather raises such when its last awaitable had finished) escapes into the dispatcher's
    task group, which then cancels itself: the server stops reading and exits. Upstream, the dispatcher
    (mcp/shared/jsonrpc_dispatcher.py, `_handle_request`) should absorb any CancelledError of a request whose scope
    it cancelled, rather than let one handler end the connection.
    """
    try:
        return await call_next(ctx)
    except anyio.get_cancelled_exc_class():
        await anyio.lowlevel.checkpoint_if_cancelled()  # raises the marked one when this request was cancelled
        raise


class HonestCapabilities:
    """Leave prompts and resources out of `initialize` and `server/discover` results while there are none, and say
    the tool list changes when dynamic toolsets are on."""

    def __init__(self, server: MCPServer[Any]) -> None:
        self._server = server

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method not in ("initialize", "server/discover") or not isinstance(result, dict):
            return result
        capabilities = result.get("capabilities")
        if not isinstance(capabilities, dict):
            return result
        honest = dict(capabilities)
        # The tool list changes only with dynamic toolsets (codex_enable_toolset says so when it does).
        dynamic = bool(getattr(getattr(self._server, "config", None), "dynamic_toolsets", False))
        honest["tools"] = {**(honest.get("tools") or {}), "listChanged": dynamic}
        if not await self._server.list_prompts():
            honest.pop("prompts", None)
        if not await self._server.list_resources() and not await self._server.list_resource_templates():
            honest.pop("resources", None)
        return {**result, "capabilities": honest}


class KnownPromptNames:
    """Refuse `prompts/get` of a name that is not registered as invalid params, before the SDK turns it into an
    internal error."""

    def __init__(self, server: MCPServer[Any]) -> None:
        self._server = server

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "prompts/get" and isinstance(ctx.params, Mapping):
            name = ctx.params.get("name")
            if isinstance(name, str) and name not in {prompt.name for prompt in await self._server.list_prompts()}:
                raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {name[:100]}")
        return await call_next(ctx)
