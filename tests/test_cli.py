"""The command line: tools, call (JSON, --pretty, exit codes), check, argument typing."""

from __future__ import annotations

import json

import pytest

from codex_mcp import cli
from codex_mcp.commands import type_arguments


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


def test_tools_lists_all_seventeen(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "tools")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 17
    assert sum("CHANGES THE ORGANIZATION" in line for line in lines) == 4


def test_tools_read_only_leaves_out_writes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tools", "--demo", "--read-only", "--json")
    assert code == 0
    names = {tool["name"] for tool in json.loads(out)}
    assert len(names) == 13
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
    assert "DEMO DATA" in out
    assert "project_id" in out
    assert "TOTAL  amount_usd=" in out
    total = float(out.split("TOTAL  amount_usd=")[1].split()[0].replace(",", ""))
    assert total > 0


def test_check_demo_reports_members_and_projects(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "check")
    assert code == 0
    assert "Members: 300" in out
    assert "Projects: 40 (34 active, 6 archived)" in out


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
