"""How the server answers what it cannot accept or did not expect: short errors that echo at most a little of each
input (secrets redacted), booleans refused as counts, misspelt argument names with a suggestion, and any crash named
as the bug it is while the session keeps serving."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from codex_mcp.client import AdminClient
from codex_mcp.server import create_server, finish_result
from tests.conftest import BASE_URL, call_tool, make_settings, result_text

BIG = "a" * 5_000_000
KEY = "sk-proj-Hj4Kl6Mn8Pq0Rs2Tu4Vw6Xy8Za0Bc2De4"
RANGE = {"start_time": "2025-01-01", "end_time": "2025-01-08"}


async def refused(tool: str, arguments: dict[str, Any]) -> str:
    result = await call_tool(make_settings(), tool, arguments)
    assert result.is_error
    assert result.structured_content is None
    return result_text(result)


# ---- huge inputs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("codex_get_project", {"project_id": BIG}, "project_id"),
        ("codex_get_user", {"user_id": BIG}, "user_id"),
        ("codex_create_invite", {"email": BIG, "role": "reader"}, "email"),
        ("codex_list_users", {"emails": ["ada@example.com", BIG]}, "emails.1"),
        ("codex_get_completions_usage", {**RANGE, "models": ["o3", BIG]}, "models.1"),
        ("codex_get_completions_usage", {**RANGE, "group_by": [BIG]}, "group_by.0"),
        ("codex_list_audit_events", {"event_types": [BIG]}, "event_types.0"),
        ("codex_list_users", {"after": BIG}, "after"),
        ("codex_list_users", {"limit": BIG}, "limit"),
        ("codex_modify_user", {"user_id": "user-abc", "role": BIG}, "role"),
        ("codex_get_completions_usage", {"start_time": BIG}, "start_time"),
        ("codex_get_cost_breakdown", {**RANGE, "bucket_width": BIG}, "bucket_width"),
    ],
)
async def test_a_5mb_argument_is_refused_in_a_short_error_showing_its_start_and_length(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any], field: str
) -> None:
    text = await refused(tool, arguments)

    assert len(text) < 2000
    assert text.startswith(f"Invalid arguments for {tool}")
    assert re.search(rf"(^- |: ){re.escape(field)}[: ]", text, re.MULTILINE), text
    assert "'" + "a" * 78 + "… (5,000,000 characters)" in text
    assert max(len(run) for run in re.findall("a+", text)) <= 80
    assert httpx_mock.get_requests() == []


async def test_a_5mb_unknown_argument_name_is_shown_cut(httpx_mock: HTTPXMock) -> None:
    text = await refused("codex_list_users", {BIG: 1, "limt": 2})

    assert len(text) < 2000
    assert "- '" + "a" * 62 + "… (5,000,000 characters): unknown argument\n" in text
    assert "- limt: unknown argument; did you mean 'limit'?" in text
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    ("tool", "arguments", "line"),
    [
        ("codex_list_users", {"limit": KEY}, "- limit: Input should be a valid integer (got 'sk-[redacted]')"),
        ("codex_modify_user", {"user_id": "user-abc", "role": KEY}, "- role: Input should be 'owner' or 'reader'"),
        ("codex_create_invite", {"email": KEY, "role": "reader"}, "- email: 'sk-[redacted]' is not a valid email"),
        ("codex_list_users", {"after": f"{KEY} x"}, "- after: 'sk-[redacted] x' is not a cursor this API gave out"),
        ("codex_get_completions_usage", {**RANGE, "group_by": [KEY]}, "- group_by.0: Input should be"),
        ("codex_get_completions_usage", {"start_time": KEY}, "start_time: cannot read 'sk-[redacted]' as a time."),
        ("codex_get_cost_breakdown", {**RANGE, "bucket_width": KEY}, "bucket_width 'sk-[redacted]' is not available"),
        ("codex_list_users", {KEY: 1}, "- sk-[redacted]: unknown argument"),
    ],
)
async def test_a_key_given_as_an_argument_is_redacted_in_the_error(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any], line: str
) -> None:
    text = await refused(tool, arguments)

    assert line in text
    assert KEY not in text
    assert "sk-[redacted]" in text
    assert httpx_mock.get_requests() == []


# ---- counts and names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [True, False, "5", 2.5])
async def test_a_limit_that_is_not_a_whole_number_is_refused_naming_limit(httpx_mock: HTTPXMock, limit: Any) -> None:
    """true would otherwise be read as 1 and '5' as 5: a count must be a JSON integer."""
    text = await refused("codex_list_users", {"limit": limit})

    assert re.search(r"^- limit: Input should be a valid integer", text, re.MULTILINE), text
    assert f"(got {limit!r})" in text
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    ("tool", "wrong", "right"),
    [
        ("codex_get_cost_breakdown", "start_tme", "start_time"),
        ("codex_get_completions_usage", "groupby", "group_by"),
        ("codex_get_completions_usage", "include_group_row", "include_group_rows"),
        ("codex_list_audit_events", "event_type", "event_types"),
        ("codex_list_project_api_keys", "projectid", "project_id"),
        ("codex_create_invite", "emial", "email"),
    ],
)
async def test_a_misspelt_argument_is_refused_with_the_name_it_resembles(
    httpx_mock: HTTPXMock, tool: str, wrong: str, right: str
) -> None:
    text = await refused(tool, {wrong: "x"})

    assert text.startswith(f"Invalid arguments for {tool}; nothing was sent:\n")
    assert f"- {wrong}: unknown argument; did you mean '{right}'?" in text
    assert re.search(rf"^Known arguments: .*\b{right}\b.*\.$", text, re.MULTILINE), text
    assert httpx_mock.get_requests() == []


async def test_many_unknown_arguments_list_ten_and_count_the_rest(httpx_mock: HTTPXMock) -> None:
    names = [f"zz{index:02d}" for index in range(13)]

    text = await refused("codex_list_users", dict.fromkeys(names, 1))

    assert text.splitlines() == [
        "Invalid arguments for codex_list_users; nothing was sent:",
        *(f"- {name}: unknown argument" for name in names[:10]),
        "- and 3 more unknown arguments",
        "Known arguments: limit, after, emails, role.",
    ]
    assert httpx_mock.get_requests() == []


# ---- crashes -------------------------------------------------------------------------------------------------------


async def raise_key_error(*_: Any, **__: Any) -> Any:
    raise KeyError("organization")


def crash_in_finishing_list_users(result: Any, *, tool: str, **options: Any) -> Any:
    """finish_result, except that shaping codex_list_users' result raises KeyError."""
    if tool == "codex_list_users":
        raise KeyError("structured_content")
    return finish_result(result, tool=tool, **options)


@pytest.mark.parametrize("where", ["client", "result"])
async def test_a_crash_is_named_as_a_bug_and_the_session_keeps_serving(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A client method raising KeyError (or the shaping of its result) is an error naming the tool, the exception
    type and that it is a bug; the next call in the same session is answered."""
    user = {"object": "organization.user", "id": "user-abc", "email": "ada@example.com", "role": "reader"}
    httpx_mock.add_response(url=f"{BASE_URL}/organization/users/user-abc", json=user)
    if where == "client":
        monkeypatch.setattr(AdminClient, "list_users", raise_key_error)
    else:
        monkeypatch.setattr("codex_mcp.server.finish_result", crash_in_finishing_list_users)
        listing = {"object": "list", "data": [], "has_more": False}
        httpx_mock.add_response(url=f"{BASE_URL}/organization/users?limit=20", json=listing)

    async with Client(create_server(make_settings())) as client:
        crashed = await client.call_tool("codex_list_users", {})
        answered = await client.call_tool("codex_get_user", {"user_id": "user-abc"})

    assert crashed.is_error
    assert result_text(crashed).startswith(
        "codex_list_users failed with an unexpected KeyError: this is a bug in codex-mcp, please report it "
        "(run with CODEX_MCP_LOG_LEVEL=DEBUG for the traceback on stderr)."
    )
    assert not answered.is_error, result_text(answered)
    assert answered.structured_content is not None
    assert answered.structured_content["email"] == "ada@example.com"
