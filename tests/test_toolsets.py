"""Toolsets: `core` by default, named ones exactly, `all`, unknown names refused at start, read-only everywhere, and
dynamic toolsets that a model turns on with codex_enable_toolset (the client is told the tool list changed)."""

from __future__ import annotations

import os
import sys
from typing import Any

import anyio
import pytest
from mcp import Client, ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.types import ToolListChangedNotification
from pydantic import ValidationError

from codex_mcp.server import create_server
from codex_mcp.settings import Settings
from codex_mcp.toolsets import TOOLSETS
from tests.conftest import CORE_READ_TOOLS, READ_TOOLS, WRITE_TOOLS, make_settings, result_text

CORE = CORE_READ_TOOLS | WRITE_TOOLS
DEFAULT = READ_TOOLS | WRITE_TOOLS


def clean_environment() -> dict[str, str]:
    """The child's environment without the developer's key or settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_MCP_"))}


async def tool_names(**settings: Any) -> set[str]:
    async with Client(create_server(make_settings(**settings))) as client:
        return {tool.name for tool in (await client.list_tools()).tools}


async def test_default_is_exactly_the_core_and_insights_toolsets() -> None:
    assert Settings().toolsets == ("core", "insights")
    assert await tool_names() == DEFAULT == CORE | {"codex_get_cost_insights"}


async def test_naming_toolsets_gives_exactly_those() -> None:
    assert await tool_names(toolsets="usage") == {"codex_get_usage"}
    assert await tool_names(toolsets="usage,core") == CORE | {"codex_get_usage"}
    assert await tool_names(toolsets="core") == CORE


async def test_all_gives_every_toolset() -> None:
    every = {spec.name for toolset in TOOLSETS.values() for spec in toolset.tools}
    assert await tool_names(toolsets="all") == every
    assert every > CORE


@pytest.mark.parametrize("value", ["nope", "core,budget", " , "])
def test_unknown_toolsets_are_refused_at_start_naming_the_valid_ones(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CODEX_MCP_TOOLSETS", value)
    with pytest.raises(ValidationError) as error:
        Settings()
    message = str(error.value)
    assert "CODEX_MCP_TOOLSETS" in message
    assert f"valid toolsets: {', '.join(TOOLSETS)} (or 'all')" in message


async def test_read_only_applies_to_every_toolset() -> None:
    names = await tool_names(toolsets="all", read_only=True)
    writes = {spec.name for toolset in TOOLSETS.values() for spec in toolset.tools if not spec.read_only}
    assert not names & writes
    assert names == {spec.name for t in TOOLSETS.values() for spec in t.tools if spec.read_only}


async def test_dynamic_toolsets_list_and_enable_with_a_list_changed_event() -> None:
    settings = make_settings(dynamic_toolsets=True)
    async with Client(create_server(settings)) as client, client.listen(tools_list_changed=True) as changes:
        before = {tool.name for tool in (await client.list_tools()).tools}
        assert before == DEFAULT | {"codex_list_toolsets", "codex_enable_toolset"}

        listing = await client.call_tool("codex_list_toolsets", {})
        assert listing.structured_content is not None
        toolsets = {t["name"]: t for t in listing.structured_content["toolsets"]}
        assert list(toolsets) == list(TOOLSETS)
        assert toolsets["core"]["enabled"] is True
        assert toolsets["usage"] == {
            "name": "usage",
            "description": TOOLSETS["usage"].description,
            "enabled": False,
            "tools": ["codex_get_usage"],
        }

        enabled = await client.call_tool("codex_enable_toolset", {"name": "usage"})
        assert enabled.structured_content == {
            "toolset": "usage",
            "tools_added": ["codex_get_usage"],
            "already_enabled": False,
        }
        with anyio.fail_after(5):
            event = await anext(aiter(changes))
        assert type(event).__name__ == "ToolsListChanged"
        after = {tool.name for tool in (await client.list_tools()).tools}
        assert after == before | {"codex_get_usage"}

        again = await client.call_tool("codex_enable_toolset", {"name": "usage"})
        assert again.structured_content == {"toolset": "usage", "tools_added": [], "already_enabled": True}

        unknown = await client.call_tool("codex_enable_toolset", {"name": "budget"})
        assert unknown.is_error
        assert "no toolset 'budget'; toolsets: " + ", ".join(TOOLSETS) in result_text(unknown)


async def test_dynamic_toolsets_over_stdio_notify_with_tools_list_changed() -> None:
    """A stdio client (the classic notification, as Claude Desktop gets it) through `python -m codex_mcp`."""
    changed = anyio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, ToolListChangedNotification):
            changed.set()

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "codex_mcp", "--demo", "--dynamic-toolsets"], env=clean_environment()
    )
    with anyio.fail_after(60):
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write, message_handler=on_message) as session,
        ):
            await session.initialize()
            result = await session.call_tool("codex_enable_toolset", {"name": "usage"})
            assert not result.is_error, result_text(result)
            names = {tool.name for tool in (await session.list_tools()).tools}
            assert "codex_get_usage" in names
            await changed.wait()


async def test_without_dynamic_toolsets_there_is_no_toolset_tool() -> None:
    names = await tool_names()
    assert "codex_enable_toolset" not in names
    assert "codex_list_toolsets" not in names


def test_settings_in_code_validate_toolsets_too() -> None:
    assert Settings(toolsets="all").toolsets == tuple(TOOLSETS)
    assert Settings(toolsets=["usage", "core"]).toolsets == ("core", "usage")
    with pytest.raises(ValidationError):
        Settings(toolsets="everything")
