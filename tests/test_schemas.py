"""Every tool's input schema says what clients can enforce: keywords only on the types they apply to (maxItems on
arrays, never maxLength), and every array bounded."""

from __future__ import annotations

from typing import Any

from mcp import Client

from codex_mcp.server import create_server
from tests.conftest import make_settings

STRING_ONLY = {"maxLength", "minLength", "pattern", "format"}
ARRAY_ONLY = {"maxItems", "minItems", "uniqueItems", "items"}
NUMBER_ONLY = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}


def problems(schema: Any, where: str) -> list[str]:
    """Keywords on a schema node whose type they do not apply to, and arrays without maxItems."""
    if isinstance(schema, list):
        return [p for i, item in enumerate(schema) for p in problems(item, f"{where}[{i}]")]
    if not isinstance(schema, dict):
        return []
    found: list[str] = []
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    if kinds:
        for keywords, allowed in ((STRING_ONLY, "string"), (ARRAY_ONLY, "array")):
            misplaced = sorted(keywords & set(schema)) if allowed not in kinds else []
            found += [f"{where}: {keyword} on a {'/'.join(sorted(map(str, kinds)))}" for keyword in misplaced]
        if not kinds & {"integer", "number"}:
            found += [
                f"{where}: {keyword} on {sorted(map(str, kinds))}" for keyword in sorted(NUMBER_ONLY & set(schema))
            ]
    elif any(k in schema for k in STRING_ONLY | ARRAY_ONLY) and "anyOf" in schema:
        found.append(f"{where}: {sorted((STRING_ONLY | ARRAY_ONLY) & set(schema))} beside anyOf (applies to no branch)")
    if "array" in kinds and "maxItems" not in schema:
        found.append(f"{where}: an array without maxItems")
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            found += [p for name, sub in value.items() for p in problems(sub, f"{where}.{name}")]
        elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
            found += problems(value, f"{where}.{key}")
    return found


async def test_no_keyword_sits_on_a_type_it_does_not_apply_to() -> None:
    async with Client(create_server(make_settings(toolsets="all", dynamic_toolsets=True))) as client:
        tools = (await client.list_tools()).tools
    found = [p for tool in tools for p in problems(tool.input_schema, tool.name)]
    assert not found, "\n".join(found)
    assert len(tools) > 40


def test_the_walk_finds_what_it_looks_for() -> None:
    bad = {
        "properties": {
            "ids": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "maxLength": 100},
            "names": {"type": "array", "items": {"type": "string", "maxItems": 3}},
            "limit": {"type": "string", "maximum": 5},
        }
    }
    assert problems(bad, "t") == [
        "t.ids: ['maxLength'] beside anyOf (applies to no branch)",
        "t.ids.anyOf[0]: an array without maxItems",
        "t.names: an array without maxItems",
        "t.names.items: maxItems on a string",
        "t.limit: maximum on ['string']",
    ]
