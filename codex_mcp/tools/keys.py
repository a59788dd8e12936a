"""The keys toolset: look at one project API key and revoke it; list and delete admin API keys.

No tool here creates a key: a new key's secret would land in the model's context and the chat history. New keys
are made in the OpenAI dashboard (see the README)."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.models import AdminApiKey, Deletion, ProjectApiKey
from codex_mcp.params import After, Limit, OpenAIId, Order, ProjectId
from codex_mcp.results import AdminApiKeyList
from codex_mcp.state import app_state
from codex_mcp.tools import CHANGE, READ, ToolSpec
from codex_mcp.tools.confirm import Confirmed, asking, require_confirmation
from codex_mcp.tools.naming import looked_up, named, project_name

ApiKeyId = Annotated[
    OpenAIId, Field(description="The project API key's id, e.g. 'key_abc123' (from codex_list_project_api_keys).")
]
AdminKeyId = Annotated[
    OpenAIId, Field(description="The admin API key's id, e.g. 'key_abc123' (from codex_list_admin_api_keys).")
]


async def codex_get_project_api_key(ctx: Context, project_id: ProjectId, api_key_id: ApiKeyId) -> ProjectApiKey:
    """Get one API key of a project: name, redacted value, owner (user or service account), created_at, last_used_at.

    Returns the key's metadata only; its secret is never returned. Times are Unix seconds with ISO-8601 UTC twins.
    """
    return await app_state(ctx).client.get_project_api_key(project_id=project_id, api_key_id=api_key_id)


async def _revocation(ctx: Context, project_id: str, api_key_id: str) -> str:
    key = await looked_up(app_state(ctx).client.get_project_api_key(project_id=project_id, api_key_id=api_key_id))
    key_name = named(key.name if key else None, api_key_id)
    return f"Revoke API key {key_name} of project {await project_name(ctx, project_id)}"


async def codex_delete_project_api_key(
    ctx: Context,
    project_id: ProjectId,
    api_key_id: ApiKeyId,
    confirmation: Annotated[Confirmed, asking(_revocation)],
) -> Deletion:
    """Revoke (delete) one API key of a project: every request made with it fails from then on. Irreversible.

    Returns {object, id, deleted: true}. Acts at once: confirm the key (codex_get_project_api_key) with the person
    first; clients that can ask the person (elicitation) are asked to confirm before anything is sent. Keys owned by
    a service account cannot be revoked this way: the API refuses; delete the service account instead.
    """
    require_confirmation(confirmation, "codex_delete_project_api_key")
    return await app_state(ctx).client.delete_project_api_key(project_id=project_id, api_key_id=api_key_id)


async def codex_list_admin_api_keys(
    ctx: Context, limit: Limit = 20, after: After = None, order: Order = "asc"
) -> AdminApiKeyList:
    """List the organization's admin API keys: id, name, redacted value, owner, created_at, expires_at, last_used_at.

    Secrets are never returned. Times are Unix seconds with ISO-8601 UTC twins. Oldest first unless order='desc'.
    One page per call (limit 1-100, default 20); when has_more is true, call again with after=next_after.
    """
    page = await app_state(ctx).client.list_admin_api_keys(limit=limit, after=after, order=order)
    return AdminApiKeyList.of(page)


async def _admin_key_deletion(ctx: Context, key_id: str) -> str:
    key = await looked_up(app_state(ctx).client.get_admin_api_key(key_id=key_id))
    if key is None:
        return f"Delete admin API key {key_id}"
    owner = f", owned by {key.owner.name}" if key.owner and key.owner.name else ""
    own = ", which looks like the key this server runs with (it would stop working)" if _is_own(ctx, key) else ""
    return f"Delete admin API key {named(key.name, key_id)}{owner}{own}"


def _is_own(ctx: Context, key: AdminApiKey) -> bool:
    """Whether the key's redacted value ('sk-admin...XYZ') fits the key this server sends (compared, never shown)."""
    secret = app_state(ctx).settings.admin_key
    head, dots, tail = (key.redacted_value or "").partition("...")
    if secret is None or not dots or not head or len(tail) < 3:
        return False
    value = secret.get_secret_value().strip()
    return value.startswith(head) and value.endswith(tail)


async def codex_delete_admin_api_key(
    ctx: Context, key_id: AdminKeyId, confirmation: Annotated[Confirmed, asking(_admin_key_deletion)]
) -> Deletion:
    """Delete one admin API key: every request made with it fails from then on. Irreversible.

    Returns {object, id, deleted: true}. If it is the key this server runs with, the server stops working. Acts at
    once: confirm the key (codex_list_admin_api_keys) with the person first; clients that can ask the person
    (elicitation) are asked to confirm before anything is sent.
    """
    require_confirmation(confirmation, "codex_delete_admin_api_key")
    return await app_state(ctx).client.delete_admin_api_key(key_id=key_id)


TOOLS = [
    ToolSpec(codex_get_project_api_key, "Get a project API key", READ),
    ToolSpec(codex_delete_project_api_key, "Revoke a project API key", CHANGE),
    ToolSpec(codex_list_admin_api_keys, "List admin API keys", READ),
    ToolSpec(codex_delete_admin_api_key, "Delete an admin API key", CHANGE),
]
