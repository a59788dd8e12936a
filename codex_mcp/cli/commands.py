"""The CLI's commands against the same server a client gets: list the tools or describe one, and call one."""

from __future__ import annotations

import difflib
import json
import sys
from typing import Any

from mcp import Client
from mcp.types import CallToolResult, Tool

from codex_mcp.cli.arguments import type_arguments
from codex_mcp.cli.render import describe_tool, export, render, say
from codex_mcp.server import CodexServer, create_server
from codex_mcp.settings import Settings
from codex_mcp.toolsets import TOOLSETS


async def tools(settings: Settings, name: str | None, as_json: bool) -> int:
    """List the tools (one line each, or --json), or describe one tool's arguments."""
    server = create_server(settings)
    async with Client(server) as client:
        listed = (await client.list_tools()).tools
    if name is not None:
        tool = next((tool for tool in listed if tool.name == name), None)
        if tool is None:
            return _unknown_tool(server, name, listed)
        say(json.dumps(_dumped(tool), indent=2) if as_json else describe_tool(tool))
        return 0
    if as_json:
        say(json.dumps([_dumped(tool) for tool in listed], indent=2))
        return 0
    width = max(len(tool.name) for tool in listed)
    for tool in listed:
        hints = tool.annotations
        access = "read-only" if hints and hints.read_only_hint else "CHANGES THE ORGANIZATION"
        say(f"{tool.name:<{width}}  {tool.title or ''}  [{access}]")
    toolsets = ", ".join(server.enabled_toolsets)
    print(
        f"\n{len(listed)} tools (toolsets: {toolsets}; all toolsets: --toolsets all). One tool's arguments: "
        "codex-mcp tools NAME",
        file=sys.stderr,
    )
    return 0


async def call(settings: Settings, name: str, arguments: dict[str, Any], output: str | None, table: str | None) -> int:
    """Call one tool. Without `output`, print its text exactly as an MCP client gets it (budget applied); with
    csv/json/table, print every row with no budget (list tools: every page)."""
    if output is not None:
        settings = settings.model_copy(update={"max_result_tokens": 0})
    server = create_server(settings)
    async with Client(server) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        if name not in listed:
            return _unknown_tool(server, name, list(listed.values()))
        typed = type_arguments(arguments, listed[name].input_schema)
        result = await client.call_tool(name, typed)
        if result.is_error:
            print(_text(result), file=sys.stderr)
            return 1
        if output is None:
            say(_text(result))
            return 0
        payload = result.structured_content or {"content": _text(result)}
        if output != "table":
            payload = await _every_page(client, name, typed, payload)
    if output == "table":
        say(render(payload))
    else:
        sys.stdout.write(export(payload, output, table))
    return 0


async def _every_page(client: Client, name: str, arguments: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    """For an export, a list tool's every page: follow next_after to the end."""
    if not isinstance(page.get("data"), list) or "has_more" not in page:
        return page
    items = list(page["data"])
    while page.get("has_more") and page.get("next_after"):
        result = await client.call_tool(name, {**arguments, "after": page["next_after"]})
        if result.is_error or not isinstance(result.structured_content, dict):
            raise SystemExit(f"codex-mcp call: fetching the next page failed: {_text(result)}")
        page = result.structured_content
        items.extend(page["data"])
    return {**page, "data": items, "count": len(items), "has_more": False, "next_after": None}


def _unknown_tool(server: CodexServer, name: str, listed: list[Tool]) -> int:
    """Exit 2 with what is wrong: a read-only refusal, a toolset not enabled, or a misspelling."""
    names = [tool.name for tool in listed]
    owner = next((t for t in TOOLSETS.values() for spec in t.tools if spec.name == name), None)
    spec = next((spec for t in TOOLSETS.values() for spec in t.tools if spec.name == name), None)
    if spec is not None and not spec.read_only and server.config.read_only:
        message = f"{name} changes the organization; read-only mode (--read-only or CODEX_MCP_READ_ONLY=1) refuses it."
    elif owner is not None and owner.name not in server.enabled_toolsets:
        message = f"{name} is in the '{owner.name}' toolset, which is not enabled: add --toolsets {owner.name}."
    else:
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]}?" if close else ""
        message = f"unknown tool {name!r}.{hint} Tools: codex-mcp tools (all toolsets: --toolsets all)."
    print(f"codex-mcp: {message}", file=sys.stderr)
    return 2


def _text(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def _dumped(tool: Tool) -> dict[str, Any]:
    return tool.model_dump(mode="json", by_alias=True, exclude_none=True)
