"""Ask the person before a destructive call when their client can ask (MCP elicitation); a decline stops the call
before any change is sent. Built on the SDK's resolvers, so it works on every protocol version (a mid-call
elicitation request up to 2025-11-25, an input-required round from 2026-07-28)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, get_type_hints

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from pydantic import BaseModel, Field

from codex_mcp.errors import NotConfirmedError


class Confirmation(BaseModel):
    """What the client shows the person: one yes/no."""

    confirm: bool = Field(description="Yes, do it.")


def can_ask(ctx: Context) -> bool:
    """Whether the client declared the elicitation capability (form elicitation)."""
    capabilities = ctx.client_capabilities
    return capabilities is not None and capabilities.elicitation is not None


def question(action: str) -> str:
    return f"{action}? This cannot be undone from here."


Confirmed = ElicitationResult[Confirmation]


def asking(describe: Callable[..., Awaitable[str]]) -> Resolve:
    """The resolver of a hidden tool parameter that asks the person to confirm the action `describe` names:
    `confirmation: Annotated[Confirmed, asking(_describe)]`; the tool passes it to `require_confirmation` before it
    changes anything.

    `describe(ctx, **tool arguments it names)` returns a sentence naming the object (it may look it up), e.g.
    "Revoke API key 'ci-deploy' (key_abc) of project 'Chat Widget'"; it runs only when the client can ask. Clients
    without elicitation are not asked (the tool's description tells the model to confirm with the person)."""

    async def ask(ctx: Context, **arguments: Any) -> Elicit[Confirmation] | Confirmation:
        if not can_ask(ctx):
            return Confirmation(confirm=True)
        return Elicit(question(await describe(ctx, **arguments)), Confirmation)

    ask.__signature__ = _resolver_signature(describe)  # type: ignore[attr-defined]
    # The hints resolved where `describe` was written: as strings they would be read in this module, where a name
    # such as Decimal is unknown, and the SDK would then not see the Context parameter at all.
    ask.__annotations__ = {**get_type_hints(describe), "return": Elicit[Confirmation] | Confirmation}
    ask.__name__ = ask.__qualname__ = f"confirm_{describe.__name__.lstrip('_')}"
    return Resolve(ask)


def require_confirmation(outcome: Confirmed, tool: str) -> None:
    """Go ahead only on a yes; otherwise NotConfirmedError (the call ends, nothing sent)."""
    if isinstance(outcome, AcceptedElicitation) and outcome.data.confirm:
        return
    answer = "cancelled" if outcome.action == "cancel" else "declined"
    raise NotConfirmedError(
        f"Not done: the person {answer} the confirmation of {tool}, so nothing was changed. Do not call it again "
        "unless they ask for it."
    )


def _resolver_signature(describe: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(describe)
