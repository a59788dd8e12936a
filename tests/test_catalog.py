"""The shipped tool catalog (codex_mcp/tool_catalog.json) is exactly what registering every tool produces, so
tools/list can come from it; and starting a server and listing its tools imports no tool, client or report
module and builds no demo organization (they come with the first call)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_mcp.catalog import CATALOG_PATH, generate_catalog, load_catalog, without_titles
from codex_mcp.toolsets import TOOLSETS

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = "UPDATE_SNAPSHOTS=1 pytest tests/test_catalog.py"


async def test_the_catalog_is_what_registration_produces() -> None:
    generated = await generate_catalog()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        CATALOG_PATH.write_text(json.dumps(generated, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        load_catalog.cache_clear()
    shipped = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    if shipped != generated:
        by_name = {entry["definition"]["name"]: entry for entry in shipped}
        changed = sorted(e["definition"]["name"] for e in generated if by_name.get(e["definition"]["name"]) != e)
        removed = sorted(set(by_name) - {e["definition"]["name"] for e in generated})
        pytest.fail(
            f"codex_mcp/tool_catalog.json is out of date (changed: {changed}, removed: {removed}). Regenerate it "
            f"with `{REGENERATE}` and review the diff: it is every tool's schema as clients see it."
        )


def test_every_toolset_has_its_tools_in_the_catalog() -> None:
    catalog = load_catalog()
    for toolset in TOOLSETS.values():
        listed = [entry.name for entry in catalog.values() if entry.toolset == toolset.name]
        assert listed, f"toolset {toolset.name} has no tool in the catalog"
    assert len(catalog) == len({entry.name for entry in catalog.values()})


STARTUP_PROBE = """
import sys, anyio
from mcp import Client
from codex_mcp.server import create_server
from codex_mcp.settings import Settings

async def main():
    async with Client(create_server(Settings(demo=True, toolsets="all", dynamic_toolsets=True))) as client:
        tools = (await client.list_tools()).tools
        print(len(tools))
        heavy = [m for m in sys.modules if m.startswith((
            "codex_mcp.tools.core.", "codex_mcp.tools.usage", "codex_mcp.tools.budgets", "codex_mcp.client",
            "codex_mcp.models", "codex_mcp.usage_report", "codex_mcp.budget", "codex_mcp.demo.simulator",
            "codex_mcp.demo.sample_org", "codex_mcp.demo.connection", "codex_mcp.cli.render", "codex_mcp.insights"))]
        heavy += [m for m in ("httpx",) if m in sys.modules]
        print(",".join(sorted(heavy)))
        await client.call_tool("codex_get_project", {"project_id": "proj_nonexistent"})
        print("codex_mcp.tools.core.projects" in sys.modules, "codex_mcp.demo.simulator" in sys.modules)

anyio.run(main)
"""


def test_listing_tools_imports_no_tool_module_nor_httpx_and_builds_no_demo_org() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_MCP_"))},
    )
    assert probe.returncode == 0, probe.stderr
    count, heavy, after_call = probe.stdout.splitlines()
    assert int(count) == len(load_catalog())
    assert heavy == "", f"imported before any call: {heavy}"
    assert after_call == "True True", "the first call imports its tool and builds the demo organization"


def test_schema_titles_are_dropped_but_a_property_called_title_is_kept() -> None:
    schema = {
        "title": "codex_toolArguments",
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string", "default": {"title": "kept"}},
            "kind": {"title": "Kind", "enum": ["title", "other"], "const": "title"},
            "grant": {"anyOf": [{"$ref": "#/$defs/Grant"}, {"type": "null", "title": "Nothing"}]},
        },
        "$defs": {"Grant": {"title": "Grant", "properties": {"title": {"type": "string"}}}},
        "required": ["title"],
    }
    assert without_titles(schema) == {
        "type": "object",
        "properties": {
            "title": {"type": "string", "default": {"title": "kept"}},
            "kind": {"enum": ["title", "other"], "const": "title"},
            "grant": {"anyOf": [{"$ref": "#/$defs/Grant"}, {"type": "null"}]},
        },
        "$defs": {"Grant": {"properties": {"title": {"type": "string"}}}},
        "required": ["title"],
    }


def test_listed_schemas_carry_no_pydantic_titles() -> None:
    for entry in load_catalog().values():
        for key in ("inputSchema", "outputSchema"):
            schema = entry.definition.get(key)
            assert schema is None or without_titles(schema) == schema, f"{entry.name} {key} has titles"
