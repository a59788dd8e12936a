"""How a destructive tool names the object it asks the person about: by its name, as they know it, and its id; the
id alone when the lookup fails (the question must still be asked)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from mcp.server.mcpserver import Context

from codex_mcp.errors import AdminAPIError
from codex_mcp.state import app_state

FoundT = TypeVar("FoundT")


def named(name: str | None, object_id: str) -> str:
    """ "'ci-deploy' (key_abc)", or the id alone when the object has no name."""
    return f"{name!r} ({object_id})" if name else object_id


async def looked_up(lookup: Awaitable[FoundT]) -> FoundT | None:
    """The object a lookup finds, or None when the API cannot give it (not found, no access, unreachable)."""
    try:
        return await lookup
    except AdminAPIError:
        return None


async def project_name(ctx: Context, project_id: str) -> str:
    """ "'Chat Widget'", or the project's id when it cannot be looked up."""
    project = await looked_up(app_state(ctx).client.get_project(project_id=project_id))
    return repr(project.name) if project is not None and project.name else project_id
