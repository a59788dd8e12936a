"""Destructive tools ask the person first when the client can ask (elicitation): a decline sends no change and says
so; a yes sends exactly the change; clients without elicitation work as before. Every destructive tool of every
toolset, on the sample organization pinned at NOW."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams, ElicitResult

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.server import create_server
from tests.access_support import sample_picks
from tests.conftest import TEST_KEY, make_settings, result_text
from tests.simulator_support import NOW


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


def recording_simulator(now: int | None = None) -> tuple[AdminAPISimulator, list[str]]:
    """A simulator that records each request it answers as 'METHOD /v1/path'."""
    simulator = AdminAPISimulator(admin_key=TEST_KEY, now=now)
    seen: list[str] = []
    handle = simulator.handle

    def record(request: Any) -> Any:
        seen.append(f"{request.method} {request.url.path}")
        return handle(request)

    simulator.handle = record  # type: ignore[method-assign]
    return simulator, seen


@dataclass(frozen=True)
class Destructive:
    """One destructive call: the question the person is asked and the one change a yes sends."""

    toolset: str
    tool: str
    arguments: dict[str, Any]
    question: str
    change: str  # 'METHOD /v1/path'
    lookups: frozenset[str] | None = None  # when set: exactly the reads a decline sends
    deletes: bool = False  # a yes answers deleted: true


Cases = Callable[[AdminAPISimulator], dict[str, Destructive]]


def users(simulator: AdminAPISimulator) -> dict[str, Destructive]:
    user = next(u for u in simulator.org.users if not u.deleted and u.role == "owner")
    who = f"{user.name} <{user.email}> ({user.id})"
    path = f"/v1/organization/users/{user.id}"
    lookups = frozenset({f"GET {path}"})  # asked again on the round that carries the answer
    arguments = {"user_id": user.id}
    return {
        "codex_delete_user": Destructive(
            "core", "codex_delete_user", arguments, f"Remove {who} from the organization", f"DELETE {path}", lookups
        ),
        "codex_modify_user": Destructive(
            "core",
            "codex_modify_user",
            {**arguments, "role": "reader"},
            f"Make {who} an organization reader",
            f"POST {path}",
            lookups,
        ),
    }


def access(simulator: AdminAPISimulator) -> dict[str, Destructive]:
    picks = sample_picks(simulator)
    chosen, member, account, pending = picks.project, picks.member, picks.account, picks.pending_invite
    base = f"/v1/organization/projects/{chosen.id}"
    cases = [
        Destructive(
            "access",
            "codex_remove_project_user",
            {"project_id": chosen.id, "user_id": member.id},
            f"Remove {member.email} from project '{chosen.name}'",
            f"DELETE {base}/users/{member.id}",
        ),
        Destructive(
            "access",
            "codex_delete_service_account",
            {"project_id": chosen.id, "service_account_id": account.id},
            f"Delete service account '{account.name}' ({account.id}) of project '{chosen.name}', and with it its "
            "API keys",
            f"DELETE {base}/service_accounts/{account.id}",
        ),
        Destructive(
            "access",
            "codex_delete_invite",
            {"invite_id": pending.id},
            f"Delete the invite of {pending.email} ({pending.id})",
            f"DELETE /v1/organization/invites/{pending.id}",
        ),
        Destructive(
            "access",
            "codex_archive_project",
            {"project_id": chosen.id},
            f"Archive project '{chosen.name}' ({chosen.id}): it can no longer be used or changed",
            f"POST {base}/archive",
        ),
    ]
    return {case.tool: case for case in cases}


def keys(simulator: AdminAPISimulator) -> dict[str, Destructive]:
    picks = sample_picks(simulator)
    key, chosen = picks.user_key, picks.project
    admin = next(k for k in simulator.org.access.admin_api_keys if k.id == picks.admin_key_id)
    owner = simulator.org.user(admin.owner_user_id)
    assert owner is not None
    cases = [
        Destructive(
            "keys",
            "codex_delete_project_api_key",
            {"project_id": chosen.id, "api_key_id": key.id},
            f"Revoke API key '{key.name}' ({key.id}) of project '{chosen.name}'",
            f"DELETE /v1/organization/projects/{chosen.id}/api_keys/{key.id}",
            deletes=True,
        ),
        Destructive(
            "keys",
            "codex_delete_admin_api_key",
            {"key_id": admin.id},
            f"Delete admin API key '{admin.name}' ({admin.id}), owned by {owner.name}",
            f"DELETE /v1/organization/admin_api_keys/{admin.id}",
            deletes=True,
        ),
    ]
    return {case.tool: case for case in cases}


def budgets(simulator: AdminAPISimulator) -> dict[str, Destructive]:
    """At NOW the organization's monthly limit is $4,000.00 and Chat Widget's $800.00."""
    widget = next(p for p in simulator.org.projects if p.name == "Chat Widget")
    org_alert = next(a for a in simulator.org.budgets.spend_alerts if a.threshold_amount == 180000)
    widget_alert = simulator.org.budgets.project_alerts[widget.id][-1]
    project = f"/v1/organization/projects/{widget.id}"
    return {
        "codex_set_spend_limit[organization]": Destructive(
            "budgets",
            "codex_set_spend_limit",
            {"amount_usd": 5000},
            "Set the organization's monthly spend limit to $5,000.00 (now $4,000.00)",
            "POST /v1/organization/spend_limit",
        ),
        "codex_set_spend_limit[project]": Destructive(
            "budgets",
            "codex_set_spend_limit",
            {"amount_usd": 500, "project_id": widget.id},
            "Set the monthly spend limit of project 'Chat Widget' to $500.00 (now $800.00)",
            f"POST {project}/spend_limit",
        ),
        "codex_delete_spend_limit": Destructive(
            "budgets",
            "codex_delete_spend_limit",
            {},
            "Delete the organization's monthly spend limit of $4,000.00",
            "DELETE /v1/organization/spend_limit",
        ),
        "codex_delete_spend_alert[organization]": Destructive(
            "budgets",
            "codex_delete_spend_alert",
            {"alert_id": org_alert.id},
            "Delete the organization's $1,800.00 spend alert",
            f"DELETE /v1/organization/spend_alerts/{org_alert.id}",
        ),
        "codex_delete_spend_alert[project]": Destructive(
            "budgets",
            "codex_delete_spend_alert",
            {"alert_id": widget_alert.id, "project_id": widget.id},
            f"Delete the ${widget_alert.threshold_amount / 100:,.2f} spend alert of project 'Chat Widget'",
            f"DELETE {project}/spend_alerts/{widget_alert.id}",
        ),
    }


def cases_of(build: Cases, *names: str) -> list[Any]:
    return [pytest.param(build, name, id=name) for name in names]


CASES = [
    *cases_of(users, "codex_delete_user", "codex_modify_user"),
    *cases_of(
        access,
        "codex_remove_project_user",
        "codex_delete_service_account",
        "codex_delete_invite",
        "codex_archive_project",
    ),
    *cases_of(keys, "codex_delete_project_api_key", "codex_delete_admin_api_key"),
    *cases_of(
        budgets,
        "codex_set_spend_limit[organization]",
        "codex_set_spend_limit[project]",
        "codex_delete_spend_limit",
        "codex_delete_spend_alert[organization]",
        "codex_delete_spend_alert[project]",
    ),
]


async def call(build: Cases, name: str, asker: Asker | None) -> tuple[Destructive, Any, list[str]]:
    """Call the named case on a fresh recorded simulator: the case, the tool's result and the requests sent."""
    simulator, seen = recording_simulator(now=NOW)
    case = build(simulator)[name]
    server = create_server(make_settings(toolsets=case.toolset), transport=simulator.transport())
    async with Client(server, elicitation_callback=asker) as client:
        result = await client.call_tool(case.tool, case.arguments)
    return case, result, seen


@pytest.mark.parametrize(("build", "name"), CASES)
@pytest.mark.parametrize(("answer", "confirm"), [("decline", True), ("cancel", True), ("accept", False)])
async def test_a_decline_sends_no_change_and_says_not_done(build: Cases, name: str, answer: str, confirm: bool) -> None:
    asker = Asker(answer, confirm)
    case, result, seen = await call(build, name, asker)
    assert result.is_error
    assert result_text(result).startswith("Not done: the person")
    assert f"confirmation of {case.tool}, so nothing was changed" in result_text(result)
    assert asker.asked == [f"{case.question}? This cannot be undone from here."]
    assert seen, "the question names the object: it was looked up"
    assert all(request.startswith("GET ") for request in seen), seen  # lookups only, no change
    if case.lookups is not None:
        assert set(seen) == case.lookups


@pytest.mark.parametrize(("build", "name"), CASES)
async def test_a_yes_goes_ahead(build: Cases, name: str) -> None:
    asker = Asker("accept", True)
    case, result, seen = await call(build, name, asker)
    assert not result.is_error, result_text(result)
    assert asker.asked == [f"{case.question}? This cannot be undone from here."]
    assert seen[-1] == case.change
    assert [request for request in seen if not request.startswith("GET ")] == [case.change]
    if case.deletes:
        assert result.structured_content is not None
        assert result.structured_content["deleted"] is True


@pytest.mark.parametrize(("build", "name"), CASES)
async def test_clients_without_elicitation_are_not_asked(build: Cases, name: str) -> None:
    case, result, seen = await call(build, name, None)
    assert not result.is_error, result_text(result)
    assert seen == [case.change]
