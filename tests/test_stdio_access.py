"""The keys and access toolsets over the real stdio transport: `python -m codex_mcp --demo --toolsets keys,access`
driven by the SDK's stdio client, with a confirmation that the person declines and then accepts."""

from __future__ import annotations

import os
import sys
from typing import Any

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from codex_mcp.demo import AdminAPISimulator
from tests.access_support import sample_picks
from tests.conftest import result_text
from tests.test_confirm import Asker


def clean_environment() -> dict[str, str]:
    """The child's environment without the developer's key or settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_MCP_"))}


async def test_keys_and_access_tools_over_stdio() -> None:
    picks = sample_picks(AdminAPISimulator())  # the demo server serves the same sample organization
    asker = Asker("decline")
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "codex_mcp", "--demo", "--toolsets", "keys,access"],
        env=clean_environment(),
    )
    with anyio.fail_after(60):
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write, elicitation_callback=asker) as session,
        ):
            await session.initialize()
            names = {tool.name for tool in (await session.list_tools()).tools}
            assert len(names) == 17
            assert {"codex_list_admin_api_keys", "codex_archive_project", "codex_list_roles"} <= names
            assert "codex_list_users" not in names  # core is not asked for

            async def call(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
                result = await session.call_tool(tool, arguments)
                assert not result.is_error, result_text(result)
                assert result.structured_content is not None
                assert result.structured_content["demo_data"] is True
                return result.structured_content

            keys = await call("codex_list_admin_api_keys", {"limit": 10})
            assert keys["count"] >= 2
            groups = await call("codex_list_groups", {"limit": 1000})
            assert picks.group_name in {g["name"] for g in groups["data"]}

            archive = {"project_id": picks.project.id}
            declined = await session.call_tool("codex_archive_project", archive)
            assert declined.is_error
            assert result_text(declined).startswith("Not done: the person declined")
            assert asker.asked == [
                f"Archive project '{picks.project.name}' ({picks.project.id}): it can no longer be used or changed? "
                "This cannot be undone from here."
            ]
            still = await call("codex_list_project_users", archive)  # an archived project would be refused
            assert still["count"] >= 1

            asker.action, asker.confirm = "accept", True
            archived = await call("codex_archive_project", archive)
            assert archived["status"] == "archived"
            assert len(asker.asked) == 2
