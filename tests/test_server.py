"""The server through an in-memory MCP session: tool list, annotations, schemas, read-only mode and tool errors."""

from __future__ import annotations

import json
import re
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.types import Tool

from codex_mcp.server import create_server
from codex_mcp.settings import Settings
from tests.conftest import READ_TOOLS, TEST_KEY, WRITE_TOOLS, call_tool, make_settings, result_text

DESTRUCTIVE_TOOLS = {"codex_modify_user", "codex_delete_user"}
CREATE_TOOLS = WRITE_TOOLS - DESTRUCTIVE_TOOLS
ALL_TOOLS = READ_TOOLS | WRITE_TOOLS

# Valid arguments for each write tool, so a refusal can only come from read-only mode.
WRITE_CALLS: dict[str, dict[str, Any]] = {
    "codex_modify_user": {"user_id": "user-abc", "role": "reader"},
    "codex_delete_user": {"user_id": "user-abc"},
    "codex_create_invite": {"email": "new@example.com", "role": "reader"},
    "codex_create_project": {"name": "Experiments"},
}

USER = {"object": "organization.user", "id": "user-abc", "name": "Ada", "email": "ada@example.com", "role": "reader"}


class Recorder:
    """A MockTransport handler that records requests and answers each with `answer`."""

    def __init__(self, answer: httpx.Response | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answer is None:
            return httpx.Response(500, json={"error": {"message": "unexpected request in test"}})
        return httpx.Response(self.answer.status_code, content=self.answer.content, headers=self.answer.headers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


async def list_tools(settings: Settings) -> list[Tool]:
    async with Client(create_server(settings)) as client:
        return (await client.list_tools()).tools


def dumped(tool: Tool) -> dict[str, Any]:
    return tool.model_dump(by_alias=True, exclude_none=True, mode="json")


@pytest.fixture(scope="module")
def tools() -> dict[str, Tool]:
    """The default server's tools, listed once for the module (read-only checks)."""
    return {tool.name: tool for tool in anyio.run(list_tools, make_settings(read_only=False, demo=False))}


# ---- the tool list -----------------------------------------------------------------------------------------------


async def test_tools_list_has_exactly_the_default_tools(settings: Settings) -> None:
    names = [tool.name for tool in await list_tools(settings)]
    assert len(names) == len(set(names)), "duplicate tool names"
    assert set(names) == ALL_TOOLS
    assert len(names) == 18  # core (17) and insights (1)


async def test_every_tool_has_title_description_and_schemas(tools: dict[str, Tool]) -> None:
    for name, tool in tools.items():
        assert (tool.title or "").strip(), f"{name} has no title"
        assert tool.title != name, f"{name}'s title is just its name"
        assert len(tool.description or "") > 40, f"{name} has no real description"
        assert tool.input_schema.get("type") == "object", f"{name} has no input schema"
        assert tool.output_schema is not None, f"{name} has no output schema"
        assert tool.output_schema.get("type") == "object", f"{name} output schema is not an object"
        assert tool.output_schema.get("properties"), f"{name} output schema has no properties"
        assert "ctx" not in tool.input_schema.get("properties", {}), f"{name} exposes its Context"


async def test_descriptions_say_how_results_come_back(tools: dict[str, Tool]) -> None:
    for name, tool in tools.items():
        description = tool.description or ""
        outputs = set((tool.output_schema or {}).get("properties", {}))
        if {"has_more", "next_after"} <= outputs:
            # A paged list: the description must say how to get the next page.
            assert "has_more" in description, name
            assert "after=next_after" in description, name
        elif "buckets" in outputs:
            # A usage or cost report: every bucket comes back, with totals.
            assert re.search(r"all pages\s+(are\s+)?fetched", description, re.IGNORECASE), name
            assert "totals" in description, name
        else:
            mentioned = {field for field in outputs if re.search(rf"\b{re.escape(field)}\b", description)}
            assert "Returns" in description or len(mentioned) >= 2, (
                f"{name}'s description says neither what it returns nor which fields come back"
            )


async def test_read_tool_annotations(tools: dict[str, Tool]) -> None:
    for name in READ_TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None, name
        assert annotations.read_only_hint is True, name
        assert annotations.open_world_hint is True, name
        assert annotations.destructive_hint is not True, name


async def test_destructive_tool_annotations(tools: dict[str, Tool]) -> None:
    for name in DESTRUCTIVE_TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None, name
        assert annotations.read_only_hint is False, name
        assert annotations.destructive_hint is True, name
        assert annotations.idempotent_hint is True, name
        assert annotations.open_world_hint is True, name


async def test_create_tool_annotations(tools: dict[str, Tool]) -> None:
    for name in CREATE_TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None, name
        assert annotations.read_only_hint is False, name
        assert annotations.destructive_hint is False, name
        assert annotations.idempotent_hint is False, name


@pytest.mark.parametrize(
    ("name", "parameters", "required"),
    [
        (
            "codex_list_audit_events",
            {
                "effective_at_start",
                "effective_at_end",
                "project_ids",
                "event_types",
                "actor_ids",
                "actor_emails",
                "resource_ids",
                "tenant_only",
                "limit",
                "after",
            },
            set(),
        ),
        (
            "codex_get_completions_usage",
            {
                "start_time",
                "end_time",
                "bucket_width",
                "project_ids",
                "user_ids",
                "api_key_ids",
                "models",
                "batch",
                "group_by",
                "include_group_rows",
            },
            {"start_time"},
        ),
        (
            "codex_get_cost_breakdown",
            {"start_time", "end_time", "bucket_width", "project_ids", "api_key_ids", "group_by", "include_group_rows"},
            {"start_time"},
        ),
        ("codex_list_users", {"limit", "after", "emails", "role"}, set()),
        ("codex_get_user", {"user_id"}, {"user_id"}),
        ("codex_modify_user", {"user_id", "role"}, {"user_id", "role"}),
        ("codex_create_invite", {"email", "role", "projects"}, {"email", "role"}),
        (
            "codex_list_project_api_keys",
            {"project_id", "limit", "after", "owner_project_access"},
            {"project_id"},
        ),
        ("codex_get_normalized_metrics", {"start_time", "end_time", "project_ids", "api_key_ids"}, {"start_time"}),
    ],
)
async def test_parameter_names(tools: dict[str, Tool], name: str, parameters: set[str], required: set[str]) -> None:
    schema = tools[name].input_schema
    assert set(schema["properties"]) == parameters
    assert set(schema.get("required", [])) == required


async def test_limit_and_role_constraints_are_in_the_schema(tools: dict[str, Tool]) -> None:
    limit = tools["codex_list_users"].input_schema["properties"]["limit"]
    assert (limit.get("minimum"), limit.get("maximum"), limit.get("default")) == (1, 100, 20)
    role = tools["codex_modify_user"].input_schema["properties"]["role"]
    assert set(role["enum"]) == {"owner", "reader"}


# ---- read-only mode and missing key ----------------------------------------------------------------------------


async def test_read_only_mode_hides_write_tools() -> None:
    names = {tool.name for tool in await list_tools(make_settings(read_only=True))}
    assert names == READ_TOOLS
    assert not names & WRITE_TOOLS


@pytest.mark.parametrize("name", sorted(WRITE_TOOLS))
async def test_read_only_mode_refuses_write_calls_without_a_request(name: str) -> None:
    recorder = Recorder(httpx.Response(200, json=USER))
    result = await call_tool(make_settings(read_only=True), name, WRITE_CALLS[name], transport=recorder.transport())
    assert result.is_error
    text = result_text(result)
    assert "read-only" in text
    assert name in text
    assert recorder.requests == []


@pytest.mark.parametrize("name", sorted(WRITE_TOOLS))
async def test_write_calls_work_outside_read_only_mode(name: str) -> None:
    bodies = {
        "codex_modify_user": USER,
        "codex_delete_user": {"object": "organization.user.deleted", "id": "user-abc", "deleted": True},
        "codex_create_invite": {"object": "organization.invite", "id": "invite-1", "email": "new@example.com",
                                "role": "reader", "status": "pending"},
        "codex_create_project": {"object": "organization.project", "id": "proj_1", "name": "Experiments"},
    }  # fmt: skip
    recorder = Recorder(httpx.Response(200, json=bodies[name]))
    result = await call_tool(make_settings(), name, WRITE_CALLS[name], transport=recorder.transport())
    assert not result.is_error, result_text(result)
    assert len(recorder.requests) == 1
    assert result.structured_content is not None
    assert result.structured_content["id"] == bodies[name]["id"]


async def test_without_a_key_tools_list_but_calls_explain_the_key() -> None:
    settings = make_settings(admin_key=None)
    assert {tool.name for tool in await list_tools(settings)} == ALL_TOOLS
    recorder = Recorder(httpx.Response(200, json=USER))
    result = await call_tool(settings, "codex_get_user", {"user_id": "user-abc"}, transport=recorder.transport())
    assert result.is_error
    text = result_text(result)
    assert "OPENAI_ADMIN_KEY" in text
    assert "Admin key" in text
    assert "start it with --demo (or CODEX_MCP_DEMO=1)" in text  # a way to try it at once
    assert recorder.requests == []


async def test_the_demo_organization_is_one_per_server_and_outlives_its_sessions() -> None:
    server = create_server(make_settings(demo=True, admin_key=None))
    async with Client(server) as client:
        created = await client.call_tool("codex_create_project", {"name": "Kept across sessions"})
        assert not created.is_error, result_text(created)
    async with Client(server) as client:  # a second session of the same server (as over HTTP): the same organization
        listed = await client.call_tool("codex_list_projects", {"limit": 100})
    names = [project["name"] for project in listed.structured_content["data"]]  # type: ignore[index]
    assert "Kept across sessions" in names
    other = create_server(make_settings(demo=True, admin_key=None))
    async with Client(other) as client:  # another server: its own organization
        listed = await client.call_tool("codex_list_projects", {"limit": 100})
    assert "Kept across sessions" not in [project["name"] for project in listed.structured_content["data"]]  # type: ignore[index]


# ---- argument validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, 101, -5])
async def test_out_of_range_limit_names_limit(settings: Settings, limit: int) -> None:
    recorder = Recorder(httpx.Response(200, json={"object": "list", "data": [], "has_more": False}))
    result = await call_tool(settings, "codex_list_users", {"limit": limit}, transport=recorder.transport())
    assert result.is_error
    text = result_text(result)
    assert re.search(r"^- limit: ", text, re.MULTILINE), text
    assert "nothing was sent" in text
    assert recorder.requests == []


@pytest.mark.parametrize("user_id", ["../etc", "a/b", "", "x y", "user-abc?x=1", "u" * 200])
@pytest.mark.parametrize("tool", ["codex_get_user", "codex_delete_user"])
async def test_bad_user_id_names_user_id_and_sends_nothing(settings: Settings, tool: str, user_id: str) -> None:
    recorder = Recorder(httpx.Response(200, json=USER))
    result = await call_tool(settings, tool, {"user_id": user_id}, transport=recorder.transport())
    assert result.is_error
    text = result_text(result)
    assert re.search(r"^- user_id: ", text, re.MULTILINE), text
    assert "not an OpenAI id" in text
    assert recorder.requests == []


async def test_bad_role_names_role(settings: Settings) -> None:
    recorder = Recorder(httpx.Response(200, json=USER))
    result = await call_tool(
        settings, "codex_modify_user", {"user_id": "user-abc", "role": "admin"}, transport=recorder.transport()
    )
    assert result.is_error
    text = result_text(result)
    assert re.search(r"^- role: .*'owner'.*'reader'", text, re.MULTILINE), text
    assert "'admin'" in text
    assert "user_id" not in text
    assert recorder.requests == []


async def test_missing_and_unknown_arguments_are_named(settings: Settings) -> None:
    recorder = Recorder()
    result = await call_tool(settings, "codex_get_user", {}, transport=recorder.transport())
    assert result.is_error
    assert re.search(r"^- user_id: required argument is missing", result_text(result), re.MULTILINE)
    assert recorder.requests == []


async def test_bad_time_argument_is_a_readable_tool_error(settings: Settings) -> None:
    recorder = Recorder()
    result = await call_tool(
        settings, "codex_get_cost_breakdown", {"start_time": "the other day"}, transport=recorder.transport()
    )
    assert result.is_error
    text = result_text(result)
    assert "codex_get_cost_breakdown" in text
    assert "start_time" in text
    assert "last month" in text  # lists the accepted forms
    assert recorder.requests == []


async def test_api_error_becomes_readable_tool_error_without_the_key(settings: Settings) -> None:
    recorder = Recorder(
        httpx.Response(404, json={"error": {"message": f"No such user (key {TEST_KEY})", "code": "not_found"}})
    )
    result = await call_tool(settings, "codex_get_user", {"user_id": "user-gone"}, transport=recorder.transport())
    assert result.is_error
    text = result_text(result)
    assert text.startswith("codex_get_user failed:")
    assert "No such user" in text
    assert "Hint:" in text
    assert "codex_list_users" in text
    assert TEST_KEY not in text
    assert len(recorder.requests) == 1


async def test_server_keeps_serving_after_errors(settings: Settings) -> None:
    answers = iter(
        [
            httpx.Response(500, json={"error": {"message": "down"}}),
            httpx.Response(500, json={"error": {"message": "down"}}),
            httpx.Response(500, json={"error": {"message": "down"}}),
            httpx.Response(200, json=USER),
        ]
    )
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return next(answers)

    async with Client(create_server(settings, transport=httpx.MockTransport(handler))) as client:
        invalid = await client.call_tool("codex_get_user", {"user_id": "a/b"})
        failed = await client.call_tool("codex_get_user", {"user_id": "user-abc"})
        succeeded = await client.call_tool("codex_get_user", {"user_id": "user-abc"})
    assert invalid.is_error
    assert failed.is_error
    assert "gave up after 3 attempts" in result_text(failed).lower()
    assert not succeeded.is_error, result_text(succeeded)
    assert succeeded.structured_content is not None
    assert succeeded.structured_content["email"] == "ada@example.com"
    assert len(requests) == 4


async def test_result_text_is_the_structured_content_as_compact_json() -> None:
    """The text block a model reads is the same data as structuredContent, without indentation whitespace."""
    result = await call_tool(make_settings(demo=True), "codex_list_users", {"limit": 3})
    assert not result.is_error
    [block] = result.content
    text = getattr(block, "text", "")
    assert json.loads(text) == result.structured_content
    assert text == json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)
    assert result.structured_content is not None
    assert result.structured_content["demo_data"] is True
