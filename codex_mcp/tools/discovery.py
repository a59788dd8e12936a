"""Dynamic toolsets (--dynamic-toolsets): list the toolsets and turn one on, so a model loads tools as it needs them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.models import Lean
from codex_mcp.tools import READ, ToolSpec
from codex_mcp.toolsets import TOOLSETS

if TYPE_CHECKING:
    from codex_mcp.server import CodexServer


class ToolsetInfo(Lean):
    """One toolset: what it is for, its tools, and whether they are on."""

    name: str
    description: str
    enabled: bool
    tools: list[str] = Field(description="Tool names; in read-only mode tools that change things are left out.")


class ToolsetList(Lean):
    """Every toolset of this server."""

    toolsets: list[ToolsetInfo]
    demo_data: bool | None = None


class ToolsetEnabled(Lean):
    """The outcome of turning a toolset on."""

    toolset: str
    tools_added: list[str] = Field(description="Tools now available (none when it was already on).")
    already_enabled: bool
    demo_data: bool | None = None


def _server(ctx: Context) -> CodexServer:
    return cast("CodexServer", ctx.mcp_server)


async def codex_list_toolsets(ctx: Context) -> ToolsetList:
    """List this server's toolsets: name, what it covers, its tools, and whether it is enabled.

    Enable one with codex_enable_toolset when the person asks about something no enabled tool covers (for example
    spend limits and alerts are in 'budgets', revoking keys in 'keys').
    """
    server = _server(ctx)
    read_only = server.config.read_only
    return ToolsetList(
        toolsets=[
            ToolsetInfo(
                name=toolset.name,
                description=toolset.description,
                enabled=toolset.name in server.enabled_toolsets,
                tools=[spec.name for spec in toolset.tools if spec.read_only or not read_only],
            )
            for toolset in TOOLSETS.values()
        ]
    )


async def codex_enable_toolset(
    ctx: Context,
    name: Annotated[str, Field(description="The toolset to enable, as codex_list_toolsets names it.")],
) -> ToolsetEnabled:
    """Enable a toolset: its tools are added to this server's tool list at once (the client is notified).

    Returns the tools added. Enabling a toolset that is already on changes nothing.
    """
    from codex_mcp.errors import InvalidArgumentError, shown

    if name not in TOOLSETS:
        raise InvalidArgumentError(f"name: no toolset {shown(name)}; toolsets: {', '.join(TOOLSETS)}")
    server = _server(ctx)
    already = name in server.enabled_toolsets
    added = server.enable_toolset(name)
    if added:
        # Both ways clients learn of it: subscriptions/listen streams (2026-07-28) and the classic notification.
        await ctx.notify_tools_changed()
        await ctx.session.send_tool_list_changed()
    return ToolsetEnabled(toolset=name, tools_added=added, already_enabled=already)


TOOLS = [
    ToolSpec(codex_list_toolsets, "List toolsets", READ),
    ToolSpec(codex_enable_toolset, "Enable a toolset", READ),
]
