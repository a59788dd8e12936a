"""codex_mcp.protocol through in-memory sessions, in both protocol eras: capabilities name only what exists (and turn
on when a prompt or resource is registered), unknown prompt names are invalid params, and a request cancelled with
a CancelledError the SDK does not recognise still leaves the server serving.
"""

from __future__ import annotations

import asyncio
import contextlib

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from codex_mcp.server import create_server
from tests.conftest import make_settings

MODES = ["legacy", "auto"]  # the initialize handshake, and server/discover


@pytest.mark.parametrize("mode", MODES)
async def test_tools_prompts_and_resources_are_advertised_because_they_exist(mode: str) -> None:
    async with Client(create_server(make_settings()), mode=mode) as client:
        capabilities = client.server_capabilities
        assert capabilities.tools is not None
        assert capabilities.prompts is not None
        assert capabilities.resources is not None
        assert [p.name for p in (await client.list_prompts()).prompts] == [
            "investigate_cost_spike",
            "monthly_cost_report",
            "access_review",
            "coding_tool_report",
        ]
        assert [str(r.uri) for r in (await client.list_resources()).resources] == [
            "codex://capabilities",
            "codex://org/summary",
        ]


@pytest.mark.parametrize("mode", MODES)
async def test_a_server_without_prompts_or_resources_advertises_neither(mode: str) -> None:
    server = create_server(make_settings())
    for prompt in await server.list_prompts():
        server.remove_prompt(prompt.name)
    server._resource_manager._resources.clear()  # no public remove_resource in the SDK
    async with Client(server, mode=mode) as client:
        capabilities = client.server_capabilities
        assert capabilities.tools is not None
        assert capabilities.prompts is None
        assert capabilities.resources is None


@pytest.mark.parametrize("mode", MODES)
async def test_tool_list_changes_are_advertised_only_with_dynamic_toolsets(mode: str) -> None:
    for dynamic in (False, True):
        async with Client(create_server(make_settings(dynamic_toolsets=dynamic)), mode=mode) as client:
            tools = client.server_capabilities.tools
            assert tools is not None
            assert bool(tools.list_changed) is dynamic


@pytest.mark.parametrize("mode", MODES)
async def test_registering_a_prompt_or_a_resource_turns_its_capability_on(mode: str) -> None:
    server = create_server(make_settings())

    @server.prompt(name="spend_review")
    def spend_review() -> str:
        """Review last month's spend."""
        return "Review last month's spend per project."

    @server.resource("codex://about")
    def about() -> str:
        return "codex-mcp"

    async with Client(server, mode=mode) as client:
        assert client.server_capabilities.prompts is not None
        assert client.server_capabilities.resources is not None
        prompt = await client.get_prompt("spend_review")
        assert prompt.messages


@pytest.mark.parametrize("mode", MODES)
async def test_an_unknown_prompt_is_invalid_params(mode: str) -> None:
    async with Client(create_server(make_settings()), mode=mode) as client:
        with pytest.raises(MCPError) as unknown:
            await client.get_prompt("no_such_prompt")
    assert unknown.value.error.code == INVALID_PARAMS
    assert unknown.value.error.message == "Unknown prompt: no_such_prompt"


async def test_a_cancelled_request_whose_cancel_lost_anyios_mark_leaves_the_server_serving() -> None:
    """The SDK's per-request cancel scope absorbs only marked CancelledErrors; an unmarked one (as
    asyncio.gather(..., return_exceptions=True) raised) cancelled the whole dispatcher."""
    server = create_server(make_settings())
    waiting = anyio.Event()

    async def unmarked_cancel() -> str:
        """Waits, and when cancelled raises a CancelledError of its own."""
        waiting.set()
        with contextlib.suppress(asyncio.CancelledError):
            await anyio.sleep_forever()
        raise asyncio.CancelledError()  # outside the handler: nothing chains it to anyio's

    server.add_tool(unmarked_cancel, name="unmarked_cancel")
    async with Client(server, mode="legacy") as client:
        async with anyio.create_task_group() as calls:
            calls.start_soon(client.call_tool, "unmarked_cancel", {})
            await waiting.wait()
            calls.cancel_scope.cancel()
        with anyio.fail_after(10):
            assert len((await client.list_tools()).tools) > 1
