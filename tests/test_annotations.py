"""Every tool of every toolset is annotated for what it does on the wire: each is called on the simulator, the
requests it sends are matched to the spec's operations, and the annotations must follow.

- only GETs: READ (read-only, idempotent, not destructive);
- a DELETE, or an archive: destructive (CHANGE), and the person is asked first: a decline sends no change;
- a POST that creates or adds (create-*, add-*, invite, assign-*): CREATE (not idempotent, not destructive);
- a POST that modifies or updates an object: UPDATE (idempotent), or CHANGE where the preset says a change of that
  kind is hard to undo (organization roles, spend limits): HARD_TO_UNDO names those tools.

A new tool needs a row in ARGUMENTS (valid arguments on the sample organization); the first test says which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp.types import ToolAnnotations

from codex_mcp.server import create_server
from codex_mcp.tools import CREATE, READ, ToolSpec
from codex_mcp.toolsets import TOOLSETS
from tests.access_support import SamplePicks, sample_picks
from tests.conftest import load_spec, make_settings, result_text
from tests.spec_conformance import _api_path, _match_path
from tests.test_confirm import Asker, recording_simulator

RANGE = {"start_time": "7d"}
# Changes that another call of the same kind undoes, but that the presets still count as hard to undo (CHANGE).
# An organization role (an owner demoted loses billing, members and keys); a spend limit (caps the month's spend).
HARD_TO_UNDO = {"codex_modify_user", "codex_set_spend_limit"}

Arguments = Callable[[SamplePicks], dict[str, Any]]
ARGUMENTS: dict[str, Arguments] = {
    # core
    "codex_get_completions_usage": lambda _: RANGE,
    "codex_get_cost_breakdown": lambda _: RANGE,
    "codex_get_embeddings_usage": lambda _: RANGE,
    "codex_get_code_interpreter_usage": lambda _: RANGE,
    "codex_list_users": lambda _: {},
    "codex_get_user": lambda s: {"user_id": s.member.id},
    "codex_modify_user": lambda s: {"user_id": s.member.id, "role": "reader"},
    "codex_delete_user": lambda s: {"user_id": s.member.id},
    "codex_list_invites": lambda _: {},
    "codex_create_invite": lambda _: {"email": "new.person@example.com", "role": "reader"},
    "codex_list_projects": lambda _: {},
    "codex_get_project": lambda s: {"project_id": s.project.id},
    "codex_list_project_api_keys": lambda s: {"project_id": s.project.id},
    "codex_list_service_accounts": lambda s: {"project_id": s.project.id},
    "codex_create_project": lambda _: {"name": "Experiments"},
    "codex_list_audit_events": lambda _: {},
    "codex_get_normalized_metrics": lambda _: RANGE,
    # usage
    "codex_get_usage": lambda _: {"kind": "images", **RANGE},
    # keys
    "codex_get_project_api_key": lambda s: {"project_id": s.project.id, "api_key_id": s.user_key.id},
    "codex_delete_project_api_key": lambda s: {"project_id": s.project.id, "api_key_id": s.user_key.id},
    "codex_list_admin_api_keys": lambda _: {},
    "codex_delete_admin_api_key": lambda s: {"key_id": s.admin_key_id},
    # access
    "codex_list_project_users": lambda s: {"project_id": s.project.id},
    "codex_add_project_user": lambda s: {"project_id": s.project.id, "user_id": s.outsider.id, "role": "member"},
    "codex_modify_project_user": lambda s: {"project_id": s.project.id, "user_id": s.member.id, "role": "owner"},
    "codex_remove_project_user": lambda s: {"project_id": s.project.id, "user_id": s.member.id},
    "codex_get_service_account": lambda s: {"project_id": s.project.id, "service_account_id": s.account.id},
    "codex_delete_service_account": lambda s: {"project_id": s.project.id, "service_account_id": s.account.id},
    "codex_get_invite": lambda s: {"invite_id": s.pending_invite.id},
    "codex_delete_invite": lambda s: {"invite_id": s.pending_invite.id},
    "codex_modify_project": lambda s: {"project_id": s.project.id, "name": "Renamed"},
    "codex_archive_project": lambda s: {"project_id": s.project.id},
    "codex_list_groups": lambda _: {},
    "codex_list_group_users": lambda s: {"group_id": s.group_id},
    "codex_list_roles": lambda _: {},
    # insights
    "codex_get_cost_insights": lambda _: {},
    # budgets
    "codex_get_spend_limit": lambda _: {},
    "codex_set_spend_limit": lambda _: {"amount_usd": 5000},
    "codex_delete_spend_limit": lambda _: {},
    "codex_list_spend_alerts": lambda _: {},
    "codex_create_spend_alert": lambda _: {"threshold_usd": 2500, "recipients": ["finance@example.com"]},
    "codex_update_spend_alert": lambda s: {"alert_id": s.alert_id, "threshold_usd": 700},
    "codex_delete_spend_alert": lambda s: {"alert_id": s.alert_id},
    "codex_list_rate_limits": lambda s: {"project_id": s.project.id},
    "codex_update_rate_limit": lambda s: {
        "project_id": s.project.id,
        "rate_limit_id": s.rate_limit_id,
        "max_requests_per_1_minute": s.rate_limit_requests // 2,
    },
    # governance
    "codex_get_model_permissions": lambda s: {"project_id": s.project.id},
    "codex_get_data_retention": lambda _: {},
    "codex_list_certificates": lambda _: {},
}

SPECS = {spec.name: (toolset.name, spec) for toolset in TOOLSETS.values() for spec in toolset.tools}
_CREATES = re.compile(r"^(create|add|invite|assign|upload)", re.IGNORECASE)


def effect(spec: dict[str, Any], request: str) -> str:
    """What one request does, from its spec operation: read, delete, archive, create or update."""
    method, path = request.split(" ", 1)
    api_path = _api_path(spec, path)
    template = _match_path(spec, api_path or path, method.lower())
    assert template is not None, f"{request} is no operation of the spec"
    operation_id = spec["paths"][template][method.lower()]["operationId"]
    if method == "GET":
        return "read"
    if method == "DELETE":
        return "delete"
    if template.endswith("/archive"):
        return "archive"
    return "create" if _CREATES.match(operation_id) else "update"


def hints(annotations: ToolAnnotations | None) -> tuple[Any, ...]:
    assert annotations is not None
    return (
        annotations.read_only_hint,
        annotations.destructive_hint,
        annotations.idempotent_hint,
        annotations.open_world_hint,
    )


def test_every_tool_of_every_toolset_has_a_row() -> None:
    missing = sorted(set(SPECS) - set(ARGUMENTS))
    assert not missing, f"add valid arguments for {missing} to ARGUMENTS in {__name__}"
    assert not set(ARGUMENTS) - set(SPECS), "ARGUMENTS names tools no toolset has"


async def call_recorded(spec: ToolSpec, toolset: str, asker: Asker | None = None) -> tuple[Any, list[str]]:
    """Call the tool once on a fresh sample organization; the result and the requests it sent ("METHOD /path")."""
    simulator, seen = recording_simulator()
    arguments = ARGUMENTS[spec.name](sample_picks(simulator))
    server = create_server(make_settings(toolsets=toolset), transport=simulator.transport())
    async with Client(server, elicitation_callback=asker) as client:
        result = await client.call_tool(spec.name, arguments)
    return result, seen


@pytest.mark.parametrize("name", sorted(SPECS))
async def test_annotations_follow_what_the_tool_sends(name: str) -> None:
    toolset, spec = SPECS[name]
    if name not in ARGUMENTS:
        pytest.skip("no arguments (see the test above)")
    api = load_spec()

    result, seen = await call_recorded(spec, toolset)

    assert not result.is_error, result_text(result)
    assert seen, f"{name} sent no request"
    changes = [(request, effect(api, request)) for request in seen if effect(api, request) != "read"]
    assert len(changes) <= 1, f"{name} sent more than one change: {changes}"
    kind = changes[0][1] if changes else "read"
    annotations = spec.annotations
    if kind == "read":
        assert hints(annotations) == hints(READ), f"{name} only reads ({seen[:3]}...): annotate it READ"
        return
    assert annotations.read_only_hint is False, f"{name} sends {changes[0][0]}: it is not read-only"
    if kind == "create":
        assert hints(annotations) == hints(CREATE), f"{name} creates ({changes[0][0]}): annotate it CREATE"
        return
    assert annotations.idempotent_hint is True, f"{name} ({kind}) repeats harmlessly: idempotent"
    destructive = kind in ("delete", "archive") or name in HARD_TO_UNDO
    assert annotations.destructive_hint is destructive, (
        f"{name} sends {changes[0][0]} ({kind}): {'CHANGE' if destructive else 'UPDATE'}"
    )
    if destructive:
        # The person is asked first: declining sends no change, only the lookups that name the object.
        declined, sent = await call_recorded(spec, toolset, Asker("decline"))
        assert declined.is_error
        assert result_text(declined).startswith("Not done"), result_text(declined)
        assert all(effect(api, request) == "read" for request in sent), sent
