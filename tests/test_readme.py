"""README.md's tool tables (one per toolset) are generated from tools/list and its environment table from Settings;
these tests keep them in step."""

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
from codex_mcp.settings import environment_table
from codex_mcp.toolsets import DEFAULT_TOOLSETS, TOOLSETS
from tests.conftest import make_settings

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- tools:start -->"
END = "<!-- tools:end -->"
ENV_START = "<!-- env:start -->"
ENV_END = "<!-- env:end -->"
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


def render_toolset_sections(tools: Sequence[Tool]) -> str:
    """One heading and tool table per toolset, in registry order (tools in tools/list order)."""
    by_name = {tool.name: tool for tool in tools}
    sections = []
    for toolset in TOOLSETS.values():
        default = " (default)" if toolset.name in DEFAULT_TOOLSETS else ""
        members = [by_name[spec.name] for spec in toolset.tools]
        heading = f"### `{toolset.name}`{default}: {len(members)} tool{'s' if len(members) != 1 else ''}"
        sections.append(f"{heading}\n\n{toolset.description}\n\n{render_tool_table(members)}")
    return "\n\n".join(sections)


def split_readme(text: str, start: str = START, end: str = END) -> tuple[list[str], list[str], list[str]] | None:
    """README lines before and including the start marker, between the markers, and from the end marker on."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == start]
    ends = [i for i, line in enumerate(lines) if line.strip() == end]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        return None
    return lines[: starts[0] + 1], lines[starts[0] + 1 : ends[0]], lines[ends[0] :]


def rewrite_section(path: Path, table: str, start: str = START, end: str = END) -> bool:
    """Put `table` between the markers of the file at `path`; False when the markers are missing."""
    text = path.read_text(encoding="utf-8")
    parts = split_readme(text, start, end)
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


def check_section(generated: str, start: str, end: str, what: str) -> None:
    """README.md between `start` and `end` must be `generated` (UPDATE_SNAPSHOTS=1 rewrites it)."""
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    parts = split_readme(text, start, end)
    if parts is None:
        pytest.fail(
            f"README.md needs exactly one line `{start}` followed later by one line `{end}` around the {what}. "
            f"Add the markers, then run `{REGENERATE}` to fill it in:\n\n{generated}\n"
        )
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        assert rewrite_section(README, generated, start, end)
        parts = split_readme(README.read_text(encoding="utf-8"), start, end)
        assert parts is not None
    current = "\n".join(parts[1]).strip()
    assert current == generated, (
        f"README.md's {what} (between {start} and {end}) is out of date. Regenerate it with `{REGENERATE}`. "
        f"Expected:\n\n{generated}\n"
    )


async def test_readme_tool_tables_match_tools_list_per_toolset() -> None:
    async with Client(create_server(make_settings(read_only=False, demo=False, toolsets="all"))) as client:
        tools = (await client.list_tools()).tools
    check_section(render_toolset_sections(tools), START, END, "tool tables")


def test_readme_environment_table_matches_settings() -> None:
    check_section(environment_table(), ENV_START, ENV_END, "environment variable table")


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
