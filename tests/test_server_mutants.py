"""How the server words refused arguments, line by line: the field (or 'arguments' for the call as a whole), an
unknown argument, what was given only where it helps, at most ten problems, unknown names up to 64 characters shown
whole with the name they resemble; what a crash says and logs; and what finish_result leaves alone (a result without
structured content, any result when the budget is 0, meaning no limit); the name, title, version and instructions a
client is given (with the demo note only in demo mode); an id refused without echoing it twice; an unknown tool's
name redacted; and the tool schemas the SDK checks Mcp-Param headers against.

Found by mutation testing (scripts/mutation.sh server): each of these could change without a test noticing.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ConfigDict, ValidationError, create_model, model_validator

from codex_mcp import __version__
from codex_mcp.client import AdminClient
from codex_mcp.errors import shown
from codex_mcp.result_fit import json_text
from codex_mcp.server import (
    DEMO_NOTE,
    INSTRUCTIONS,
    create_server,
    describe_validation_error,
    finish_result,
    tool_error,
)
from tests.conftest import call_tool, make_settings, result_text


def refusal(model: type[BaseModel], arguments: Any) -> str:
    try:
        model.model_validate(arguments)
    except ValidationError as error:
        return describe_validation_error("codex_tool", error)
    raise AssertionError(f"{arguments!r} was accepted")


class Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int
    name: str = ""
    settings: dict[str, int] = {}


class Window(BaseModel):
    start: int = 0
    end: int = 0

    @model_validator(mode="after")
    def ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        ({}, "- limit: required argument is missing"),
        (
            {"limit": "ten"},
            "- limit: Input should be a valid integer, unable to parse string as an integer (got 'ten')",
        ),
        ({"limit": 1, "colour": "red"}, "- colour: unknown argument (got 'red')"),
        (
            {"limit": 1, "settings": {"a": "x"}},
            "- settings.a: Input should be a valid integer, unable to parse string as an integer (got 'x')",
        ),
        ({"limit": 1, "name": {"first": "Ada"}}, "- name: Input should be a valid string"),
    ],
    ids=["missing", "wrong-type", "unknown", "nested", "dict-given"],
)
def test_each_problem_is_one_line_naming_the_field_and_what_was_given_where_it_helps(
    arguments: dict[str, Any], line: str
) -> None:
    assert refusal(Arguments, arguments) == f"Invalid arguments for codex_tool; nothing was sent:\n{line}"


def test_a_problem_with_the_call_as_a_whole_is_named_arguments_without_echoing_them() -> None:
    assert refusal(Window, {"start": 5, "end": 1}) == (
        "Invalid arguments for codex_tool; nothing was sent:\n- arguments: end is before start"
    )


def many(count: int) -> type[BaseModel]:
    fields: dict[str, Any] = {f"field_{i:02d}": (int, ...) for i in range(count)}
    return create_model(f"Many{count}", **fields)


def test_ten_problems_are_all_listed_and_more_are_counted() -> None:
    ten = refusal(many(10), {}).splitlines()
    assert len(ten) == 11
    assert ten[-1] == "- field_09: required argument is missing"
    twelve = refusal(many(12), {}).splitlines()
    assert twelve[10:] == ["- field_09: required argument is missing", "- and 2 more problems"]


def test_the_state_of_a_server_that_is_not_running_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"^the server is not running$"):
        create_server(make_settings()).api()


async def test_a_crash_is_logged_naming_the_tool_and_the_exception(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def crash(self: AdminClient, **_: Any) -> Any:
        raise KeyError("no entry")

    monkeypatch.setattr(AdminClient, "list_users", crash)
    with caplog.at_level(logging.DEBUG, logger="codex_mcp.server"):
        result = await call_tool(make_settings(), "codex_list_users", {})

    assert result.is_error
    [record] = [r for r in caplog.records if r.name == "codex_mcp.server"]
    assert record.getMessage() == "codex_list_users raised KeyError"
    assert record.exc_info is not None


# ---- unknown argument names, the unexpected, and the result as sent ----------------------------------------------

LONGEST = "max_audio_megabytes_per_1_minute"  # the longest argument name of any tool (32 characters)


async def refused_names(arguments: dict[str, Any]) -> list[str]:
    result = await call_tool(make_settings(toolsets=("budgets",)), "codex_update_rate_limit", arguments)
    assert result.is_error
    return [line for line in result_text(result).splitlines() if line.startswith("- ")]


async def test_an_unknown_name_of_64_characters_is_shown_whole_with_the_name_it_resembles() -> None:
    name = LONGEST + "x" * 32
    assert await refused_names({"project_id": "proj_a", "rate_limit_id": "rl_a", name: 1}) == [
        f"- {name}: unknown argument; did you mean '{LONGEST}'?"
    ]


async def test_an_unknown_name_over_64_characters_is_cut_and_nothing_is_guessed_for_it() -> None:
    name = LONGEST + "x" * 33
    [line] = await refused_names({"project_id": "proj_a", "rate_limit_id": "rl_a", name: 1})
    assert line == f"- {shown(name, 64)}: unknown argument"


def test_a_crash_says_it_is_a_bug_and_what_to_check_before_calling_again() -> None:
    assert str(tool_error("codex_list_users", KeyError("x"))) == (
        "codex_list_users failed with an unexpected KeyError: this is a bug in codex-mcp, please report it (run with "
        "CODEX_MCP_LOG_LEVEL=DEBUG for the traceback on stderr). Nothing was changed by this call unless it is a tool "
        "that changes the organization: check before calling it again."
    )


def test_a_result_without_structured_content_is_sent_as_the_tool_made_it() -> None:
    result = CallToolResult(content=[TextContent(type="text", text="plain")], structured_content=None)
    assert finish_result(result, demo=True, max_tokens=1000, tool="codex_tool") is result


def test_a_budget_of_zero_means_no_limit() -> None:
    big = {"data": [{"id": f"user-{i}", "name": "n" * 100} for i in range(100)], "has_more": False}
    result = CallToolResult(content=[], structured_content=big)
    sent = finish_result(result, demo=False, max_tokens=0, tool="codex_list_users")
    assert sent.structured_content == big
    assert sent.content[0].text == json_text(big)


async def test_a_change_in_read_only_mode_is_refused_saying_how_to_allow_it() -> None:
    result = await call_tool(make_settings(read_only=True), "codex_delete_user", {"user_id": "user-abc"})
    assert result.is_error
    assert result_text(result) == (
        "codex_delete_user changes the organization and is disabled: this server runs in read-only mode "
        "(CODEX_MCP_READ_ONLY=1 or --read-only). Unset it to allow changes."
    )


async def test_ten_unknown_arguments_are_all_listed_and_none_counted() -> None:
    names = [f"zz{index:02d}" for index in range(10)]
    result = await call_tool(make_settings(), "codex_list_users", dict.fromkeys(names, 1))
    assert result_text(result).splitlines() == [
        "Invalid arguments for codex_list_users; nothing was sent:",
        *(f"- {name}: unknown argument" for name in names),
        "Known arguments: limit, after, emails, role.",
    ]


@pytest.mark.parametrize(("demo", "instructions"), [(False, INSTRUCTIONS), (True, INSTRUCTIONS + DEMO_NOTE)])
async def test_a_client_is_told_the_server_name_title_version_and_instructions(demo: bool, instructions: str) -> None:
    async with Client(create_server(make_settings(demo=demo))) as client:
        info = client.server_info
        assert info is not None
        assert (info.name, info.title, info.version) == (
            "codex-mcp",
            "OpenAI organization admin (codex-mcp)",
            __version__,
        )
        assert client.instructions == instructions


async def test_a_refused_id_is_quoted_once_by_its_own_message() -> None:
    result = await call_tool(make_settings(), "codex_get_user", {"user_id": "bad id!"})
    assert result_text(result).splitlines() == [
        "Invalid arguments for codex_get_user; nothing was sent:",
        "- user_id: 'bad id!' is not an OpenAI id: ids look like 'user-abc123', 'proj_abc123' or 'key_abc123' "
        "(letters, digits, '-' and '_' only, at most 128 characters). List the objects to find the right id",
    ]


async def test_an_unknown_tool_is_named_with_any_key_in_its_name_redacted() -> None:
    plain = await call_tool(make_settings(), "codex_no_such_tool", {})
    assert plain.is_error
    assert result_text(plain) == "Unknown tool: codex_no_such_tool"
    pasted = await call_tool(make_settings(), "sk-admin-abcdefghijkl1234", {})
    assert result_text(pasted) == "Unknown tool: sk-[redacted]"


def test_the_sdk_checks_headers_against_the_schema_of_a_listed_tool_only() -> None:
    """Over HTTP the SDK validates a call's Mcp-Param headers against the schema this gives; a tool not listed (a
    change in read-only mode, or no tool at all) has none."""
    schema_of = create_server(make_settings(read_only=True))._lowlevel_server.get_tool_input_schema
    assert schema_of is not None
    schema = schema_of("codex_list_users")
    assert schema is not None
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"limit", "after", "emails", "role"}
    assert schema_of("codex_delete_user") is None
    assert schema_of("codex_no_such_tool") is None
