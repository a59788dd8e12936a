"""README.md's tool table is generated from tools/list; this test keeps the two in step."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest
from mcp import Client
from mcp.types import Tool, ToolAnnotations

from codex_mcp.server import create_server
from tests.conftest import make_settings

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- tools:start -->"
END = "<!-- tools:end -->"
REGENERATE = "UPDATE_SNAPSHOTS=1 pytest tests/test_readme.py"


def render_tool_table(tools: Sequence[Tool]) -> str:
    """The README's tool table, one row per tool in tools/list order."""
    lines = ["| Tool | What it gives | Access |", "| --- | --- | --- |"]
    for tool in tools:
        read_only = tool.annotations is not None and tool.annotations.read_only_hint is True
        access = "read-only" if read_only else "changes the organization"
        summary = (tool.description or tool.title or "").split("\n", 1)[0].replace("|", "\\|")
        lines.append(f"| `{tool.name}` | {summary} | {access} |")
    return "\n".join(lines)


def split_readme(text: str) -> tuple[list[str], list[str], list[str]] | None:
    """README lines before and including the start marker, between the markers, and from the end marker on."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == START]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        return None
    return lines[: starts[0] + 1], lines[starts[0] + 1 : ends[0]], lines[ends[0] :]


def rewrite_section(path: Path, table: str) -> bool:
    """Put `table` between the markers of the file at `path`; False when the markers are missing."""
    text = path.read_text(encoding="utf-8")
    parts = split_readme(text)
    if parts is None:
        return False
    before, _, after = parts
    updated = "\n".join([*before, table, *after]) + "\n"
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return True


def test_render_tool_table_format() -> None:
    tools = [
        Tool(
            name="codex_read",
            title="Read things",
            description="Reads things, in UTC.\n\nMore detail the table leaves out.",
            input_schema={"type": "object"},
            annotations=ToolAnnotations(read_only_hint=True),
        ),
        Tool(
            name="codex_write",
            title="Write | things",
            input_schema={"type": "object"},
            annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True),
        ),
        Tool(name="codex_bare", title="No annotations", input_schema={"type": "object"}),
    ]
    assert render_tool_table(tools).splitlines() == [
        "| Tool | What it gives | Access |",
        "| --- | --- | --- |",
        "| `codex_read` | Reads things, in UTC. | read-only |",
        "| `codex_write` | Write \\| things | changes the organization |",
        "| `codex_bare` | No annotations | changes the organization |",
    ]


def test_split_readme_finds_the_section() -> None:
    text = f"# T\n\nintro\n{START}\nold row\nold row 2\n{END}\n\nmore\n"
    parts = split_readme(text)
    assert parts is not None
    before, section, after = parts
    assert before == ["# T", "", "intro", START]
    assert section == ["old row", "old row 2"]
    assert after == [END, "", "more"]
    assert split_readme("no markers here") is None
    assert split_readme(f"{END}\n{START}\n") is None


def test_rewrite_section_replaces_only_the_table(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# T\n\n{START}\n| stale |\n{END}\n\nTail text.\n", encoding="utf-8")
    assert rewrite_section(readme, "| new |\n| rows |")
    assert readme.read_text(encoding="utf-8") == f"# T\n\n{START}\n| new |\n| rows |\n{END}\n\nTail text.\n"
    plain = tmp_path / "PLAIN.md"
    plain.write_text("no markers\n", encoding="utf-8")
    assert not rewrite_section(plain, "| new |")
    assert plain.read_text(encoding="utf-8") == "no markers\n"


async def test_readme_tool_table_matches_tools_list() -> None:
    async with Client(create_server(make_settings(read_only=False, demo=False))) as client:
        tools = (await client.list_tools()).tools
    table = render_tool_table(tools)
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    parts = split_readme(text)
    if parts is None:
        pytest.fail(
            f"README.md needs exactly one line `{START}` followed later by one line `{END}` around the tool "
            f"table. Add the markers, then run `{REGENERATE}` to fill in the table, which is:\n\n{table}\n"
        )
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        assert rewrite_section(README, table)
        parts = split_readme(README.read_text(encoding="utf-8"))
        assert parts is not None
    current = "\n".join(parts[1]).strip()
    assert current == table, (
        f"README.md's tool table (between {START} and {END}) is out of date with tools/list. "
        f"Regenerate it with `{REGENERATE}`. Expected:\n\n{table}\n"
    )


def test_readme_claude_desktop_config_is_the_example_file() -> None:
    """The config shown in the README is claude_desktop_config.example.json, and runs a clone (not PyPI) today."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use it from Claude Desktop", 1)[1]
    block = section.split("```json", 1)[1].split("```", 1)[0]
    shown = json.loads(textwrap.dedent(block))
    example = json.loads((README.parent / "claude_desktop_config.example.json").read_text(encoding="utf-8"))
    assert shown == example
    server = example["mcpServers"]["openai-admin"]
    assert (server["command"], server["args"]) == ("uvx", ["--from", "/path/to/codex-mcp", "codex-mcp"])
    assert server["env"]["OPENAI_ADMIN_KEY"] == "paste-your-admin-key-here"
