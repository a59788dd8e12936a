"""Prompts (listed, rendered, naming tools that exist) and resources (the endpoint table, the organization summary),
and the role/status filters the summary's questions lead to."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from codex_mcp.server import create_server
from codex_mcp.toolsets import TOOLSETS
from codex_mcp.usage_endpoints import USAGE_ENDPOINTS
from tests.conftest import make_settings, result_text

EVERY_TOOL = {spec.name for toolset in TOOLSETS.values() for spec in toolset.tools}


@pytest.fixture
async def demo() -> Any:
    async with Client(create_server(make_settings(demo=True))) as client:
        yield client


async def prompt_text(client: Client, name: str, arguments: dict[str, str] | None = None) -> str:
    result = await client.get_prompt(name, arguments or {})
    [message] = result.messages
    assert message.role == "user"
    return message.content.text  # type: ignore[union-attr]


async def test_prompts_are_listed_with_their_arguments(demo: Client) -> None:
    prompts = {p.name: p for p in (await demo.list_prompts()).prompts}
    assert list(prompts) == ["investigate_cost_spike", "monthly_cost_report", "access_review", "coding_tool_report"]
    arguments = {name: [(a.name, a.required) for a in p.arguments or []] for name, p in prompts.items()}
    assert arguments == {
        "investigate_cost_spike": [("day", False)],
        "monthly_cost_report": [("month", False)],
        "access_review": [],
        "coding_tool_report": [("start_time", False)],
    }
    assert all(p.description for p in prompts.values())


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("investigate_cost_spike", {"day": "2026-11-03"}, ["on 2026-11-03", "start_time='2026-11-03'"]),
        ("investigate_cost_spike", {}, ["on the most anomalous recent day", "start_time='30d'"]),
        ("monthly_cost_report", {"month": "2026-12"}, ["start_time='2026-12-01', end_time='2027-01-01'"]),
        ("access_review", {}, ["role='owner'", "status='pending'", "90 days"]),
        ("coding_tool_report", {"start_time": "last month"}, ["start_time='last month'"]),
    ],
)
async def test_prompts_say_which_tools_to_call_and_what_the_answer_holds(
    demo: Client, name: str, arguments: dict[str, str], expected: list[str]
) -> None:
    text = await prompt_text(demo, name, arguments)
    for fragment in expected:
        assert fragment in text
    assert "The answer must contain" in text
    named = set(re.findall(r"codex_[a-z_]+", text))
    assert named, "a prompt names the tools to call"
    assert named <= EVERY_TOOL, f"prompt {name} names tools that do not exist: {sorted(named - EVERY_TOOL)}"


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("investigate_cost_spike", {"day": "yesterday"}, "day must be an ISO date"),
        ("investigate_cost_spike", {"day": "2026-02-30"}, "day"),
        ("monthly_cost_report", {"month": "2026-13"}, "month must be YYYY-MM with a month from 01 to 12"),
        ("monthly_cost_report", {"month": "October"}, "month must be YYYY-MM"),
        (
            "monthly_cost_report",
            {"moth": "2026-10"},
            "prompt monthly_cost_report has no argument 'moth'; its arguments are month",
        ),
        ("access_review", {"day": "2026-10-01"}, "prompt access_review has no argument 'day'; it takes no arguments"),
    ],
)
async def test_bad_prompt_arguments_are_refused(
    demo: Client, name: str, arguments: dict[str, str], message: str
) -> None:
    with pytest.raises(MCPError) as error:
        await demo.get_prompt(name, arguments)
    assert error.value.error.code == INVALID_PARAMS
    assert message in str(error.value)


async def test_capabilities_resource_is_the_endpoint_table(demo: Client) -> None:
    result = await demo.read_resource("codex://capabilities")
    content = json.loads(result.contents[0].text)  # type: ignore[union-attr]
    endpoints = {e["kind"]: e for e in content["usage_endpoints"]}
    assert list(endpoints) == list(USAGE_ENDPOINTS)
    assert endpoints["images"]["group_by"] == ["project_id", "user_id", "api_key_id", "model", "size", "source"]
    assert endpoints["images"]["filter_values"]["sizes"][0] == "256x256"
    assert endpoints["costs"]["bucket_widths"] == ["1d"]
    assert endpoints["costs"]["buckets_per_page"] == {"1d": 180}
    assert endpoints["completions"]["buckets_per_page"] == {"1m": 1440, "1h": 168, "1d": 31}


async def test_org_summary_resource_agrees_with_the_list_tools(demo: Client) -> None:
    result = await demo.read_resource("codex://org/summary")
    summary = json.loads(result.contents[0].text)  # type: ignore[union-attr]
    users = await every_item(demo, "codex_list_users", {})
    invites = await every_item(demo, "codex_list_invites", {})
    projects = await every_item(demo, "codex_list_projects", {"include_archived": True})
    assert summary["members"]["total"] == len(users) == 300
    assert summary["members"]["by_role"] == {
        role: sum(1 for u in users if u["role"] == role) for role in {u["role"] for u in users}
    }
    assert summary["projects"]["total"] == len(projects)
    assert summary["projects"]["archived"] == sum(1 for p in projects if p["status"] == "archived")
    assert summary["invites"]["by_status"] == {
        status: sum(1 for i in invites if i["status"] == status) for status in {i["status"] for i in invites}
    }
    assert summary["demo_data"] is True


async def every_item(client: Client, tool: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        result = await client.call_tool(tool, {**arguments, "limit": 100, **({"after": after} if after else {})})
        assert result.structured_content is not None, result_text(result)
        items += result.structured_content["data"]
        if not result.structured_content["has_more"]:
            return items
        after = result.structured_content["next_after"]


@pytest.mark.parametrize(
    ("tool", "field", "value"), [("codex_list_users", "role", "owner"), ("codex_list_invites", "status", "pending")]
)
async def test_role_and_status_filters_return_every_match_paged(
    demo: Client, tool: str, field: str, value: str
) -> None:
    everything = await every_item(demo, tool, {})
    expected = [item["id"] for item in everything if item[field] == value]
    assert 3 < len(expected) < len(everything)

    first = await demo.call_tool(tool, {field: value, "limit": 3})
    page = first.structured_content
    assert page is not None
    assert [item["id"] for item in page["data"]] == expected[:3]
    assert page["has_more"] is True
    assert page["next_after"] == expected[2]
    assert page["notes"] == [page["notes"][0]]
    assert f"{len(expected)} of {len(everything)}" in page["notes"][0]

    rest = await every_item(demo, tool, {field: value, "after": page["next_after"]})
    assert [item["id"] for item in rest] == expected[3:]
    assert all(item[field] == value for item in rest)


async def test_a_filter_cursor_that_is_not_a_match_is_refused(demo: Client) -> None:
    result = await demo.call_tool("codex_list_users", {"role": "owner", "after": "user-nobody"})
    assert result.is_error
    assert "after: 'user-nobody' is not the id of a match" in result_text(result)
