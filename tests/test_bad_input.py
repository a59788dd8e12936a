"""Hostile and malformed tool arguments: each is refused with a message naming the field and what to fix, and
not one request reaches the API (all cases run against one loopback server whose request count must stay 0).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import result_text
from tests.loopback import Loopback, loopback_session

# Valid ids, so a refusal can only come from the argument under test.
USER = "user-abc123"
PROJECT = "proj_abc123"
ID_ADVICE = "is not an OpenAI id"  # followed by what ids look like and "List the objects to find the right id"
TIME_ADVICE = "Unix seconds"  # every time error lists the accepted forms, starting with Unix seconds
RANGE = {"start_time": "2025-01-01", "end_time": "2025-01-08"}


def case(tool: str, arguments: dict[str, Any], *fragments: str, id: str) -> Any:
    return pytest.param(tool, arguments, fragments, id=id)


CASES = [
    # ---- ids that would change the URL path: '/', '?', '#', '%2F', '..', whitespace, control characters
    case(
        "codex_get_user",
        {"user_id": "user-abc/../../projects"},
        "user_id",
        ID_ADVICE,
        "List the objects",
        id="id-slash",
    ),
    case("codex_get_user", {"user_id": "user-abc?limit=100"}, "user_id", ID_ADVICE, id="id-question-mark"),
    case("codex_get_project", {"project_id": "proj_abc#fragment"}, "project_id", ID_ADVICE, id="id-hash"),
    case("codex_get_project", {"project_id": "proj_abc%2F..%2Fusers"}, "project_id", ID_ADVICE, id="id-percent-2F"),
    case("codex_delete_user", {"user_id": ".."}, "user_id", ID_ADVICE, id="id-dotdot"),
    case("codex_get_user", {"user_id": " user-abc123 "}, "user_id", ID_ADVICE, id="id-surrounding-space"),
    case("codex_get_user", {"user_id": "user abc"}, "user_id", ID_ADVICE, id="id-inner-space"),
    case(
        "codex_modify_user",
        {"user_id": "user-abc\r\nX-Injected: 1", "role": "reader"},
        "user_id",
        ID_ADVICE,
        id="id-crlf",
    ),
    case("codex_get_user", {"user_id": "user-\x00abc"}, "user_id", ID_ADVICE, id="id-nul"),
    case("codex_get_user", {"user_id": ""}, "user_id", ID_ADVICE, id="id-empty"),
    case("codex_get_user", {"user_id": "user-" + "a" * 300}, "user_id", "at most 128 characters", id="id-very-long"),
    case(
        "codex_list_project_api_keys",
        {"project_id": "proj_abc/api_keys/key_1"},
        "project_id",
        ID_ADVICE,
        id="id-slash-api-keys",
    ),
    case("codex_list_service_accounts", {"project_id": "../users"}, "project_id", ID_ADVICE, id="id-dotdot-relative"),
    case("codex_get_project", {"project_id": "proj_ünïcode"}, "project_id", ID_ADVICE, id="id-non-ascii"),
    case("codex_get_user", {}, "user_id", "required argument is missing", id="id-missing"),
    case("codex_get_user", {"user_id": 12345}, "user_id", "valid string", id="id-number"),
    case("codex_get_user", {"user_id": None}, "user_id", "valid string", id="id-null"),
    # ---- limits and cursors
    case("codex_list_users", {"limit": 0}, "limit", "greater than or equal to 1", id="limit-0"),
    case("codex_list_invites", {"limit": 101}, "limit", "less than or equal to 100", id="limit-101"),
    case("codex_list_projects", {"limit": -1}, "limit", "greater than or equal to 1", id="limit-negative"),
    case("codex_list_audit_events", {"limit": "ten"}, "limit", "valid integer", "'ten'", id="limit-text"),
    case("codex_list_users", {"limit": 5.5}, "limit", "valid integer", id="limit-fraction"),
    case("codex_list_users", {"after": "user-1&limit=100"}, "after", "next_after", id="cursor-query-injection"),
    case("codex_list_invites", {"after": "abc def"}, "after", "next_after", id="cursor-space"),
    case("codex_list_projects", {"after": "x" * 600}, "after", "next_after", id="cursor-too-long"),
    # ---- times
    case(
        "codex_get_completions_usage",
        {"start_time": "2025-03-01", "end_time": "2025-02-01"},
        "start_time",
        "must be before end_time",
        id="time-end-before-start",
    ),
    case("codex_get_cost_breakdown", {"start_time": 0}, "start_time", "before 2020-01-01", id="time-1970"),
    case(
        "codex_get_embeddings_usage",
        {"start_time": "1970-01-01T00:00:00Z"},
        "start_time",
        "before 2020-01-01",
        id="time-1970-iso",
    ),
    case("codex_get_completions_usage", {"start_time": "3000-01-01"}, "start_time", "in the future", id="time-3000"),
    case(
        "codex_get_cost_breakdown",
        {"start_time": "2025-01-01", "end_time": "3000-01-01"},
        "end_time",
        "more than a year in the future",
        id="time-end-3000",
    ),
    case(
        "codex_get_completions_usage",
        {"start_time": 1735689600000},
        "start_time",
        "looks like milliseconds",
        "1735689600",
        id="time-milliseconds",
    ),
    case(
        "codex_get_code_interpreter_usage",
        {"start_time": "next tuesday-ish"},
        "start_time",
        "cannot read",
        TIME_ADVICE,
        id="time-garbage",
    ),
    case(
        "codex_get_cost_breakdown",
        {"start_time": "2025-01-01", "end_time": "soon"},
        "end_time",
        TIME_ADVICE,
        id="time-garbage-end",
    ),
    case("codex_get_completions_usage", {"start_time": True}, "start_time", "boolean", TIME_ADVICE, id="time-bool"),
    case(
        "codex_get_normalized_metrics",
        {"start_time": "2025-01-01", "end_time": False},
        "end_time",
        "boolean",
        id="time-bool-end",
    ),
    case(
        "codex_list_audit_events",
        {"effective_at_start": True},
        "effective_at_start",
        "boolean",
        id="time-bool-audit",
    ),
    case("codex_get_normalized_metrics", {"start_time": ""}, "start_time", "is empty", TIME_ADVICE, id="time-empty"),
    case("codex_get_normalized_metrics", {"start_time": -5}, "start_time", "negative", id="time-negative"),
    case(
        "codex_get_completions_usage",
        {"start_time": "2023-01-01", "end_time": "2024-01-03", "bucket_width": "1h"},
        "start_time",
        "end_time",
        "longer than 366 days",
        "wider bucket_width",
        id="time-hours-too-long",
    ),
    case(
        "codex_list_audit_events",
        {"effective_at_start": "2025-02-01", "effective_at_end": "2025-01-01"},
        "effective_at_start",
        "must be before effective_at_end",
        id="time-audit-reversed",
    ),
    case(
        "codex_list_audit_events",
        {"effective_at_start": "the day before yesterday"},
        "effective_at_start",
        TIME_ADVICE,
        id="time-audit-garbage",
    ),
    case("codex_get_completions_usage", {"start_time": [2025]}, "start_time", "valid", id="time-list"),
    case("codex_get_completions_usage", {}, "start_time", "required argument is missing", id="time-missing"),
    # ---- bucket widths
    case(
        "codex_get_completions_usage",
        {**RANGE, "bucket_width": "1w"},
        "bucket_width",
        "'1m', '1h' or '1d'",
        id="width-usage-1w",
    ),
    case("codex_get_embeddings_usage", {**RANGE, "bucket_width": "1D"}, "bucket_width", "'1d'", id="width-usage-case"),
    case(
        "codex_get_cost_breakdown",
        {**RANGE, "bucket_width": "1h"},
        "bucket_width",
        "only has daily buckets",
        "'1d'",
        id="width-costs-1h",
    ),
    case(
        "codex_get_completions_usage",
        {"start_time": "2025-01-01", "end_time": "2025-01-31", "bucket_width": "1m"},
        "bucket_width",
        "longer than 7 days",
        "shorter range",
        id="width-too-many-buckets",
    ),
    # ---- group_by
    case(
        "codex_get_completions_usage",
        {**RANGE, "group_by": ["line_item"]},
        "group_by.0",
        "'project_id'",
        id="group-usage-line-item",
    ),
    case(
        "codex_get_cost_breakdown",
        {**RANGE, "group_by": ["user_id"]},
        "group_by.0",
        "'line_item'",
        id="group-costs-user",
    ),
    case(
        "codex_get_code_interpreter_usage",
        {**RANGE, "group_by": ["project_id", "user_id"]},
        "group_by.1",
        "'project_id'",
        id="group-code-interpreter-user",
    ),
    case(
        "codex_get_embeddings_usage",
        {**RANGE, "group_by": "model,project_id"},  # one string is one field, never split at commas
        "group_by.0",
        "'project_id', 'user_id', 'api_key_id' or 'model'",
        "(got 'model,project_id')",
        id="group-comma-string",
    ),
    case(
        "codex_get_embeddings_usage",
        {**RANGE, "group_by": {"model": True}},
        "group_by",
        "valid list",
        id="group-object",
    ),
    # ---- roles
    case("codex_modify_user", {"user_id": USER, "role": "admin"}, "role", "'owner' or 'reader'", id="role-admin"),
    case("codex_modify_user", {"user_id": USER, "role": "Owner"}, "role", "'owner' or 'reader'", id="role-case"),
    case(
        "codex_create_invite",
        {"email": "a@example.com", "role": "admin"},
        "role",
        "'owner' or 'reader'",
        id="invite-role-admin",
    ),
    case(
        "codex_create_invite",
        {"email": "a@example.com", "role": "reader", "projects": [{"id": PROJECT, "role": "admin"}]},
        "projects.0.role",
        "'member' or 'owner'",
        id="invite-project-role-admin",
    ),
    case(
        "codex_create_invite",
        {"email": "a@example.com", "role": "reader", "projects": [{"id": "proj/../x", "role": "member"}]},
        "projects.0.id",
        ID_ADVICE,
        id="invite-project-bad-id",
    ),
    case(
        "codex_create_invite",
        {"email": "a@example.com", "role": "reader", "projects": [{"id": PROJECT}]},
        "projects.0.role",
        "required argument is missing",
        id="invite-project-no-role",
    ),
    # ---- emails
    case(
        "codex_create_invite",
        {"email": "not-an-email", "role": "reader"},
        "email",
        "name@example.com",
        id="email-plain",
    ),
    case(
        "codex_create_invite",
        {"email": "a@localhost", "role": "reader"},
        "email",
        "not a valid email",
        id="email-no-dot",
    ),
    case(
        "codex_create_invite",
        {"email": "a@example.com\nBcc: b@example.com", "role": "reader"},
        "email",
        "not a valid email",
        id="email-header-injection",
    ),
    case(
        "codex_create_invite",
        {"email": "Ada <ada@example.com>", "role": "reader"},
        "email",
        "not a valid email",
        id="email-display-name",
    ),
    case(
        "codex_list_users",
        {"emails": ["ok@example.com", "bad@@example.com"]},
        "emails.1",
        "not a valid email",
        id="email-list-second",
    ),
    case(
        "codex_list_audit_events",
        {"actor_emails": ["x@example.com,y@example.com"]},
        "actor_emails.0",
        "not a valid email",
        id="email-comma-list",
    ),
    # ---- arrays: too long, bad items, wrong types
    case(
        "codex_get_completions_usage",
        {**RANGE, "project_ids": [f"proj_{i}" for i in range(101)]},
        "project_ids",
        "at most 100 items",
        id="array-101-project-ids",
    ),
    case(
        "codex_list_audit_events",
        {"actor_ids": [f"user-{i}" for i in range(101)]},
        "actor_ids",
        "at most 100 items",
        id="array-101-actor-ids",
    ),
    case(
        "codex_get_cost_breakdown",
        {**RANGE, "api_key_ids": ["key_ok", "key/../bad"]},
        "api_key_ids.1",
        ID_ADVICE,
        id="array-bad-second-id",
    ),
    case(
        "codex_get_completions_usage",
        {**RANGE, "user_ids": {"id": "user-1"}},
        "user_ids",
        "valid list",
        id="array-object",
    ),
    case(
        "codex_get_completions_usage",
        {**RANGE, "models": ["gpt-4o\x00"]},
        "models.0",
        "printable",
        id="array-model-nul",
    ),
    case("codex_get_embeddings_usage", {**RANGE, "models": ["   "]}, "models.0", "printable", id="array-model-blank"),
    case(
        "codex_create_invite",
        {"email": "a@example.com", "role": "reader", "projects": [{"id": PROJECT, "role": "member"}] * 101},
        "projects",
        "at most 100 items",
        id="array-101-invite-projects",
    ),
    case(
        "codex_list_projects", {"include_archived": "maybe"}, "include_archived", "valid boolean", id="type-bool-text"
    ),
    case(
        "codex_get_completions_usage", {**RANGE, "batch": "sometimes"}, "batch", "valid boolean", id="type-batch-text"
    ),
    case(
        "codex_list_project_api_keys",
        {"project_id": PROJECT, "owner_project_access": "all"},
        "owner_project_access",
        "'active', 'inactive' or 'any'",
        id="type-enum",
    ),
    # ---- audit event types
    case(
        "codex_list_audit_events",
        {"event_types": ["api_key.created", "DROP TABLE"]},
        "event_types.1",
        "lowercase words joined by dots",
        id="event-type-garbage",
    ),
    case(
        "codex_list_audit_events",
        {"event_types": ["apikeycreated"]},
        "event_types.0",
        "such as 'api_key.created'",
        id="event-type-no-dot",
    ),
    case(
        "codex_list_audit_events",
        {"event_types": ["a." + "b" * 120]},
        "event_types.0",
        "not an audit-log event type",
        id="event-type-long",
    ),
    case(
        "codex_list_audit_events",
        {"project_ids": ["proj_1", "proj 2"]},
        "project_ids.1",
        ID_ADVICE,
        id="audit-project-id",
    ),
    case(
        "codex_list_audit_events", {"tenant_only": "yes please"}, "tenant_only", "valid boolean", id="audit-tenant-only"
    ),
    # ---- project names
    case("codex_create_project", {"name": ""}, "name", "the name is empty", id="name-empty"),
    case("codex_create_project", {"name": "   "}, "name", "the name is empty", id="name-blank"),
    case("codex_create_project", {"name": "bad\x07bell"}, "name", "no control characters", id="name-control-char"),
    case("codex_create_project", {"name": "line\nbreak"}, "name", "no control characters", id="name-newline"),
    case("codex_create_project", {"name": "x" * 201}, "name", "1-200 characters", id="name-too-long"),
    case("codex_create_project", {"name": ["a", "b"]}, "name", "valid string", id="name-list"),
    case("codex_create_project", {}, "name", "required argument is missing", id="name-missing"),
]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[Loopback]:
    """One MCP session over one loopback API for every case; no case may send it a single request."""
    async with loopback_session() as lb:
        yield lb


@pytest.mark.parametrize(("tool", "arguments", "fragments"), CASES)
async def test_bad_argument_is_refused_before_any_request(
    api: Loopback, tool: str, arguments: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    before = api.requests
    result = await api.client.call_tool(tool, arguments)
    text = result_text(result)
    assert result.is_error is True, f"{tool}({arguments!r:.120}) was accepted: {text[:300]}"
    assert result.structured_content is None
    assert text.startswith(f"Invalid arguments for {tool}"), text
    missing = [fragment for fragment in fragments if fragment not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    assert api.requests == before, f"{tool} sent a request for refused arguments"


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


async def test_the_session_still_serves_after_the_refusals(api: Loopback) -> None:
    """Runs after the table, in the same session: the first request the API ever saw is this valid call's."""
    result = await api.client.call_tool("codex_list_users", {"limit": 1})
    assert result.is_error is not True, result_text(result)
    assert api.requests == 1, f"{api.requests - 1} refused call(s) reached the API"


async def test_unknown_argument_names_are_refused_with_a_suggestion() -> None:
    """A misspelt argument ('limt') would otherwise be dropped silently and the default used."""
    async with loopback_session() as lb:
        result = await lb.client.call_tool("codex_list_users", {"limt": 2, "bogus": "x"})
        assert result.is_error is True
        text = result_text(result)
        assert "limt: unknown argument; did you mean 'limit'?" in text
        assert "bogus: unknown argument" in text
        assert "Known arguments: limit, after, emails, role." in text
        assert lb.requests == 0
