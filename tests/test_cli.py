"""The command line: tools, call (JSON, --pretty, exit codes), check, argument typing."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

import pytest
from pytest_httpx import HTTPXMock

from codex_mcp import cli
from codex_mcp.cli.arguments import type_arguments
from tests.conftest import BASE_URL, READ_TOOLS, TEST_KEY, WRITE_TOOLS


@pytest.fixture(autouse=True)
def keep_pytest_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """run() reconfigures logging for a real process; inside pytest that would fight the log capture."""
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_parse_arguments_key_value_pairs_stay_raw_until_typed() -> None:
    parsed = cli.parse_arguments(["limit=5", "after=user-abc=", "emails=a@example.com"])
    assert parsed == {"limit": "5", "after": "user-abc=", "emails": "a@example.com"}
    assert all(isinstance(value, cli.RawValue) for value in parsed.values())


def test_parse_arguments_json_object() -> None:
    assert cli.parse_arguments(['{"group_by": ["model"], "limit": 3}']) == {"group_by": ["model"], "limit": 3}


@pytest.mark.parametrize("items", [["limit"], ["=5"], ['{"a": }'], ["[1, 2]x"]])
def test_parse_arguments_refuses_malformed(items: list[str]) -> None:
    with pytest.raises(ValueError, match=r"key=value|JSON"):
        cli.parse_arguments(items)


def test_type_arguments_follows_the_input_schema() -> None:
    schema = {
        "properties": {
            "limit": {"type": "integer"},
            "include_archived": {"type": "boolean"},
            "user_id": {"type": "string"},
            "start_time": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "group_by": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
        }
    }
    raw = cli.parse_arguments(
        ["limit=7", "include_archived=true", "user_id=123", "start_time=30d", "group_by=project_id, model"]
    )
    assert type_arguments(raw, schema) == {
        "limit": 7,
        "include_archived": True,
        "user_id": "123",
        "start_time": "30d",
        "group_by": ["project_id", "model"],
    }
    assert type_arguments(cli.parse_arguments(["start_time=1730419200"]), schema) == {"start_time": 1730419200}


def test_tools_lists_the_default_tools(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "tools")
    assert code == 0
    lines = out.strip().splitlines()
    assert {line.split()[0] for line in lines} == READ_TOOLS | WRITE_TOOLS
    assert len(lines) == 18
    assert sum("CHANGES THE ORGANIZATION" in line for line in lines) == 4


def test_tools_read_only_leaves_out_writes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tools", "--demo", "--read-only", "--json")
    assert code == 0
    names = {tool["name"] for tool in json.loads(out)}
    assert names == READ_TOOLS
    assert "codex_delete_user" not in names


def test_call_prints_structured_result_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "call", "codex_list_users", "limit=2")
    assert code == 0, err
    result = json.loads(out)
    assert result["count"] == 2
    assert result["has_more"] is True
    assert result["demo_data"] is True
    assert result["next_after"] == result["data"][-1]["id"]


def test_call_tool_error_exits_1_with_error_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "call", "codex_get_user", "user_id=user-doesnotexist")
    assert code == 1
    assert out == ""
    assert "404" in err
    assert "codex_list_users" in err


def test_call_bad_arguments_exit_1_before_any_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "call", "codex_get_cost_breakdown", "start_time=7d", "bucket_width=1h")
    assert code == 1
    assert "bucket_width" in err
    assert "daily" in err


def test_call_unknown_tool_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "call", "codex_nope")
    assert code == 2
    assert "unknown tool" in err


def test_call_pretty_cost_breakdown_shows_groups_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--demo", "call", "codex_get_cost_breakdown", "start_time=30d", "group_by=project_id", "--pretty"
    )
    assert code == 0, err
    assert out.startswith("DEMO DATA")
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("project_id"))
    assert header.split() == ["project_id", "project_name", "amount_usd"]
    total_line = next(line for line in lines if line.startswith("TOTAL"))
    assert total_line.rstrip().endswith(total_line.split()[-1])
    # The TOTAL figure sits under the amount column, in dollars with two decimals.
    assert len(total_line.rstrip()) == len(header.rstrip())
    assert re.fullmatch(r"[\d,]+\.\d{2}", total_line.split()[-1])


def test_check_demo_reports_members_and_projects(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "check")
    assert code == 0
    assert "Members: 300" in out
    assert "Projects: 40 (34 active, 6 archived)" in out


def test_check_demo_every_area_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "check")
    assert code == 0, err
    for area in ("usage & costs", "audit logs", "invites"):
        assert f"  {area}: OK\n" in out
    assert "will fail" not in out + err


AUDIT_DENIED = (
    "You have insufficient permissions for this operation. Missing scopes: api.audit_logs.read. Check that you have "
    "the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using "
    "a restricted API key, that it has the necessary scopes."
)


def org_url(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(f"{BASE_URL}/organization/{path}?") + ".*")


def one_page(*items: dict[str, Any]) -> dict[str, Any]:
    ids = [item["id"] for item in items]
    return {"object": "list", "data": list(items), "first_id": ids[0], "last_id": ids[-1], "has_more": False}


def test_check_403_on_audit_logs_names_the_api_message_and_the_tool(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, httpx_mock: HTTPXMock
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", TEST_KEY)
    user = {
        "object": "organization.user",
        "id": "user-abc",
        "name": "Ada",
        "email": "ada@example.com",
        "role": "owner",
        "added_at": 1711471533,
    }
    project = {
        "object": "organization.project",
        "id": "proj_abc",
        "name": "Main",
        "created_at": 1711471533,
        "archived_at": None,
        "status": "active",
    }
    empty_buckets = {"object": "page", "data": [], "has_more": False, "next_page": None}
    httpx_mock.add_response(url=org_url("users"), json=one_page(user))
    httpx_mock.add_response(url=org_url("projects"), json=one_page(project))
    httpx_mock.add_response(url=org_url("costs"), json=empty_buckets)
    httpx_mock.add_response(url=org_url("usage/completions"), json=empty_buckets)
    httpx_mock.add_response(url=org_url("invites"), json={"object": "list", "data": [], "has_more": False})
    httpx_mock.add_response(
        url=org_url("audit_logs"),
        status_code=403,
        json={"error": {"message": AUDIT_DENIED, "type": "invalid_request_error", "param": None, "code": None}},
        headers={"x-request-id": "req_audit"},
    )

    code, out, err = run(capsys, "check")

    assert code == 1
    assert "Members: 1 (1 owners)" in out
    assert "Projects: 1 (1 active, 0 archived)" in out
    assert "  usage & costs: OK\n" in out
    assert "  invites: OK\n" in out
    assert f"  audit logs: no access (403: {AUDIT_DENIED}" in out
    assert "codex_list_audit_events will fail: the key cannot read audit logs" in err
    assert "codex_get_cost_breakdown" not in err
    assert TEST_KEY not in out + err
    # One cheap page per area, not a full listing.
    for path in ("costs", "usage/completions", "audit_logs", "invites"):
        [request] = httpx_mock.get_requests(url=org_url(path))
        assert ("limit", "1") in parse_qsl(request.url.query.decode("ascii"))


def test_check_without_key_explains_how_to_set_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check")
    assert code == 1
    assert out == ""
    assert "OPENAI_ADMIN_KEY" in err
    assert "Admin keys" in err


def test_help_describes_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.run(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for word in ("call", "tools", "check", "--demo", "--read-only", "OPENAI_ADMIN_KEY"):
        assert word in out


def test_every_demo_result_is_labelled_as_demo_data(capsys: pytest.CaptureFixture[str]) -> None:
    """Single objects too, not only pages and reports: nobody should mistake the sample org for theirs."""
    _, out, _ = run(capsys, "--demo", "call", "codex_list_projects", "limit=1")
    project_id = json.loads(out)["data"][0]["id"]
    code, out, err = run(capsys, "--demo", "call", "codex_get_project", f"project_id={project_id}")
    assert code == 0, err
    project = json.loads(out)
    assert project["id"] == project_id
    assert project["demo_data"] is True


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CODEX_MCP_MAX_RETRIES", "abc", "CODEX_MCP_MAX_RETRIES: Input should be a valid integer"),
        ("CODEX_MCP_BACKOFF_INITIAL", "10", "CODEX_MCP_BACKOFF_INITIAL must not exceed CODEX_MCP_BACKOFF_MAX"),
        ("OPENAI_BASE_URL", "api.openai.com", "OPENAI_BASE_URL must start with http:// or https://"),
    ],
)
def test_bad_configuration_exits_2_naming_the_variable_and_never_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", TEST_KEY)
    monkeypatch.setenv(variable, value)
    code, out, err = run(capsys, "tools")
    assert code == 2
    assert out == ""
    assert message in err
    assert TEST_KEY not in err
