"""The tool catalog: every tool's definition as tools/list shows it, generated from the tool modules and shipped
beside them. A server starts and lists its tools from it without importing or building any tool (a tool's module
is imported, and the tool registered, on its first call); tests/test_catalog.py keeps it equal to what
registering every tool produces (UPDATE_SNAPSHOTS=1 rewrites it)."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer

from codex_mcp.tools import ToolSpec

CATALOG_PATH = Path(__file__).with_name("tool_catalog.json")
DYNAMIC = "dynamic"  # the pseudo-toolset of codex_list_toolsets and codex_enable_toolset


@dataclass(frozen=True)
class CatalogEntry:
    """One tool: the toolset it belongs to and its definition (a tools/list entry, JSON as sent)."""

    toolset: str
    definition: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.definition["name"])

    @property
    def read_only(self) -> bool:
        return bool(self.definition.get("annotations", {}).get("readOnlyHint"))

    @property
    def arguments(self) -> list[str]:
        """The argument names a client may send (the injected Context and resolver-filled ones are not listed)."""
        return list(self.definition.get("inputSchema", {}).get("properties", {}))


@cache
def load_catalog() -> dict[str, CatalogEntry]:
    """Every tool by name, in registration order (toolsets in registry order, then the dynamic-toolset tools)."""
    entries = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    return {entry["definition"]["name"]: CatalogEntry(entry["toolset"], entry["definition"]) for entry in entries}


def add_spec(server: MCPServer[Any], spec: ToolSpec) -> None:
    """Register one tool the one way this server does (the catalog is generated through here too)."""
    server.add_tool(
        spec.fn,
        name=spec.name,
        title=spec.title,
        description=inspect.cleandoc(spec.fn.__doc__ or ""),
        annotations=spec.annotations,
        structured_output=True,
    )


def specs() -> list[tuple[str, ToolSpec]]:
    """(toolset, spec) of every tool, importing every tool module."""
    from codex_mcp.tools import discovery
    from codex_mcp.toolsets import TOOLSETS

    every = [(toolset.name, spec) for toolset in TOOLSETS.values() for spec in toolset.tools]
    return [*every, *((DYNAMIC, spec) for spec in discovery.TOOLS)]


def find_spec(name: str) -> ToolSpec:
    """The spec of a catalogued tool (imports only its toolset's modules)."""
    from codex_mcp.tools import discovery
    from codex_mcp.toolsets import TOOLSETS

    toolset = load_catalog()[name].toolset
    candidates = discovery.TOOLS if toolset == DYNAMIC else TOOLSETS[toolset].tools
    return next(spec for spec in candidates if spec.name == name)


async def generate_catalog() -> list[dict[str, Any]]:
    """The catalog as registration produces it: every tool added to a fresh server, then listed, its schemas without
    the titles pydantic writes for every property and model ("Project Id" for project_id: nothing a model needs, and
    every conversation carries them)."""
    server: MCPServer[Any] = MCPServer("catalog")
    pairs = specs()
    for _, spec in pairs:
        add_spec(server, spec)
    listed = {tool.name: tool for tool in await server.list_tools()}
    catalog = []
    for toolset, spec in pairs:
        definition = listed[spec.name].model_dump(by_alias=True, exclude_none=True, mode="json")
        for key in ("inputSchema", "outputSchema"):
            if key in definition:
                definition[key] = without_titles(definition[key])
        catalog.append({"toolset": toolset, "definition": definition})
    return catalog


# Keywords whose value maps names to schemas: a property may itself be called "title".
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")


def without_titles(schema: Any) -> Any:
    """A JSON schema without its `title` keywords (property names, enums and defaults untouched)."""
    if isinstance(schema, list):
        return [without_titles(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            kept[key] = {name: without_titles(inner) for name, inner in value.items()}
        elif key in ("default", "const", "enum", "examples"):
            kept[key] = value
        else:
            kept[key] = without_titles(value)
    return kept
