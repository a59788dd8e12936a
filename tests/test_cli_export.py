"""The CLI without --format prints what an MCP client gets (budget applied); --format csv|json|table prints every
row with no budget (list tools: every page); `tools NAME` / `call NAME --help` describe one tool; and a wrong tool
name is answered with what is wrong (misspelt, read-only, toolset not enabled)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import anyio
import pytest
from mcp import Client

from codex_mcp import cli
from codex_mcp.server import create_server
from codex_mcp.settings import Settings
from tests.conftest import make_settings, result_text

HEAVY = ["start_time=90d", "group_by=project_id,line_item", "include_group_rows=true"]


@pytest.fixture(autouse=True)
def keep_pytest_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_call_without_format_prints_exactly_what_a_client_receives(capsys: pytest.CaptureFixture[str]) -> None:
    today = datetime.now(UTC).date()
    span = {"start_time": (today - timedelta(days=90)).isoformat(), "end_time": today.isoformat()}
    arguments = {**span, "group_by": ["project_id", "line_item"], "include_group_rows": True}
    code, out, err = run(
        capsys, "--demo", "call", "codex_get_cost_breakdown", *(f"{k}={v}" for k, v in span.items()), *HEAVY[1:]
    )
    assert code == 0, err

    async def client_text() -> str:
        async with Client(create_server(make_settings(demo=True, admin_key=None))) as client:
            return result_text(await client.call_tool("codex_get_cost_breakdown", arguments))

    assert out == anyio.run(client_text) + "\n"
    assert "condensed" in json.loads(out), "the client's answer is condensed to the budget, and so is the CLI's"
    assert len(out.encode()) <= Settings().max_result_tokens * 4


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_format_csv_writes_every_group_row_and_they_sum_to_the_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "call", "codex_get_cost_breakdown", *HEAVY, "--format", "csv")
    assert code == 0, err
    rows = read_csv(out)
    assert list(rows[0]) == ["start", "project_id", "line_item", "amount_usd", "quantity"]
    assert all(not row["project_id"].startswith("(other") for row in rows), "an export is never condensed"
    _, whole, _ = run(capsys, "--demo", "call", "codex_get_cost_breakdown", *HEAVY, "--format", "json")
    report = json.loads(whole)
    assert "condensed" not in report
    assert len(rows) == len(report["group_rows"]["rows"]) > 5_000
    assert sum(Decimal(row["amount_usd"]) for row in rows) == Decimal(repr(report["totals"]["amount_usd"]))


@pytest.mark.parametrize(("table", "columns"), [("buckets", ["start", "amount_usd"]), ("groups", None)])
def test_format_csv_table_chooses_the_table(
    capsys: pytest.CaptureFixture[str], table: str, columns: list[str] | None
) -> None:
    code, out, err = run(
        capsys, "--demo", "call", "codex_get_cost_breakdown", "start_time=30d", "group_by=project_id",
        "--format", "csv", "--table", table,
    )  # fmt: skip
    assert code == 0, err
    rows = read_csv(out)
    if columns:
        assert list(rows[0]) == columns
        assert len(rows) == 31
    else:
        assert list(rows[0]) == ["project_id", "project_name", "amount_usd"]


def test_format_csv_of_a_list_follows_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "call", "codex_list_users", "limit=100", "--format", "csv")
    assert code == 0, err
    rows = read_csv(out)
    assert len(rows) == 300
    assert len({row["id"] for row in rows}) == 300
    assert {"id", "email", "role"} <= set(rows[0])


def test_format_table_prints_every_row_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "--demo",
        "call",
        "codex_get_completions_usage",
        "start_time=31d",
        "bucket_width=1h",
        "--format",
        "table",
    )
    assert code == 0, err
    assert out.startswith("DEMO DATA")
    hourly = [line for line in out.splitlines() if line[:4].isdigit() and "T" in line[:16]]
    assert len(hourly) >= 744


def test_tools_name_describes_arguments_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "tools", "codex_get_cost_breakdown")
    assert code == 0, err
    assert out.startswith("codex_get_cost_breakdown: Cost breakdown")
    assert "  start_time (integer or string; required)" in out
    assert "  group_by (list of string; default null)" in out
    assert "      one of: project_id, line_item, api_key_id" in out
    assert "Example:\n  codex-mcp call codex_get_cost_breakdown start_time=30d" in out
    code, again, _ = run(capsys, "--demo", "call", "codex_get_cost_breakdown", "--help")
    assert (code, again) == (0, out)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["call", "codex_lsit_users"], "unknown tool 'codex_lsit_users'. Did you mean codex_list_users?"),
        (["tools", "codex_get_projct"], "Did you mean codex_get_project?"),
        (
            ["--read-only", "call", "codex_delete_user", "user_id=user-abc"],
            "codex_delete_user changes the organization; read-only mode",
        ),
        (
            ["call", "codex_get_usage", "kind=images", "start_time=7d"],
            "codex_get_usage is in the 'usage' toolset, which is not enabled: add --toolsets usage",
        ),
    ],
)
def test_a_wrong_tool_name_says_what_is_wrong(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--demo", *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_help_lists_every_environment_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.run(["--help"])
    out = capsys.readouterr().out
    for field in Settings.model_fields.values():
        assert f"  {field.validation_alias}\n" in out


def test_pretty_cost_insights_reads_as_an_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "call", "codex_get_cost_insights", "--pretty")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("DEMO DATA")
    total = re.compile(r"Total +\$[\d,]+\.\d\d +previous period \$[\d,]+\.\d\d, change [+-]\$.*")
    assert any(total.fullmatch(line) for line in lines)
    assert any(line.startswith("Budget (organization): limit $") for line in lines)
    assert any(line.startswith("  alert at $") and line.endswith(": crossed") for line in lines)
    for title in ("Top projects:", "Top models:", "Top line items:", "Biggest movers:", "Anomalous days:"):
        assert title in lines


def test_pretty_tables_mark_partial_rows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "call", "codex_get_cost_breakdown", "start_time=5d", "--pretty")
    assert code == 0, err
    marked = [line for line in out.splitlines() if re.match(r"\d{4}-\d\d-\d\d \*", line)]
    assert marked, out
    assert "* partial: the period from" in out
