"""Destructive tools ask the person first when the client can ask (elicitation): a decline sends no change; clients
without elicitation work as before."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams, ElicitResult

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.server import create_server
from tests.conftest import TEST_KEY, make_settings, result_text


class Asker:
    """An elicitation callback that records what the person was asked and answers as told."""

    def __init__(self, action: str, confirm: bool = True) -> None:
        self.action = action
        self.confirm = confirm
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        content = {"confirm": self.confirm} if self.action == "accept" else None
        return ElicitResult(action=self.action, content=content)  # type: ignore[arg-type]


def recording_simulator() -> tuple[AdminAPISimulator, list[str]]:
    simulator = AdminAPISimulator(admin_key=TEST_KEY)
    seen: list[str] = []
    handle = simulator.handle

    def record(request: Any) -> Any:
        seen.append(f"{request.method} {request.url.path}")
        return handle(request)

    simulator.handle = record  # type: ignore[method-assign]
    return simulator, seen


DESTRUCTIVE = [
    ("codex_delete_user", {}, "DELETE", "Remove {who} from the organization"),
    ("codex_modify_user", {"role": "reader"}, "POST", "Make {who} an organization reader"),
]


@pytest.mark.parametrize(("tool", "extra", "method", "question"), DESTRUCTIVE)
@pytest.mark.parametrize(("answer", "confirm"), [("decline", True), ("cancel", True), ("accept", False)])
async def test_a_decline_sends_nothing_and_says_not_done(
    tool: str, extra: dict[str, Any], method: str, question: str, answer: str, confirm: bool
) -> None:
    simulator, seen = recording_simulator()
    user = next(u for u in simulator.org.users if not u.deleted and u.role == "owner")
    asker = Asker(answer, confirm)
    server = create_server(make_settings(), transport=simulator.transport())
    async with Client(server, elicitation_callback=asker) as client:
        result = await client.call_tool(tool, {"user_id": user.id, **extra})
    assert result.is_error
    assert result_text(result).startswith("Not done: the person")
    assert "nothing was changed" in result_text(result)
    who = f"{user.name} <{user.email}> ({user.id})"
    assert asker.asked == [f"{question.format(who=who)}? This cannot be undone from here."]
    # Only the lookup that names the member (asked again on the round that carries the answer); no change.
    assert set(seen) == {f"GET /v1/organization/users/{user.id}"}


@pytest.mark.parametrize(("tool", "extra", "method", "question"), DESTRUCTIVE)
async def test_a_yes_goes_ahead(tool: str, extra: dict[str, Any], method: str, question: str) -> None:
    simulator, seen = recording_simulator()
    user = next(u for u in simulator.org.users if not u.deleted and u.role == "owner")
    asker = Asker("accept", True)
    server = create_server(make_settings(), transport=simulator.transport())
    async with Client(server, elicitation_callback=asker) as client:
        result = await client.call_tool(tool, {"user_id": user.id, **extra})
    assert not result.is_error, result_text(result)
    assert len(asker.asked) == 1
    assert seen[-1] == f"{method} /v1/organization/users/{user.id}"


@pytest.mark.parametrize(("tool", "extra", "method", "question"), DESTRUCTIVE)
async def test_clients_without_elicitation_are_not_asked(
    tool: str, extra: dict[str, Any], method: str, question: str
) -> None:
    simulator, seen = recording_simulator()
    user = next(u for u in simulator.org.users if not u.deleted and u.role == "owner")
    server = create_server(make_settings(), transport=simulator.transport())
    async with Client(server) as client:
        result = await client.call_tool(tool, {"user_id": user.id, **extra})
    assert not result.is_error, result_text(result)
    assert seen == [f"{method} /v1/organization/users/{user.id}"]
