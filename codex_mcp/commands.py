"""The CLI's commands, run against the same server a client gets: list tools, call one, check the key."""

from __future__ import annotations

import json
import sys
from typing import Any

from mcp import Client

from codex_mcp.cli import RawValue
from codex_mcp.client import AdminClient
from codex_mcp.errors import AdminAPIError
from codex_mcp.pretty import render
from codex_mcp.server import connection, create_server
from codex_mcp.settings import Settings


async def list_tools(settings: Settings, as_json: bool) -> int:
    async with Client(create_server(settings)) as client:
        tools = (await client.list_tools()).tools
    if as_json:
        print(json.dumps([tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools], indent=2))
        return 0
    width = max(len(tool.name) for tool in tools)
    for tool in tools:
        hints = tool.annotations
        access = "read-only" if hints and hints.read_only_hint else "CHANGES THE ORGANIZATION"
        print(f"{tool.name:<{width}}  {tool.title or ''}  [{access}]")
    print(f"\n{len(tools)} tools. Details: codex-mcp tools --json", file=sys.stderr)
    return 0


async def call(settings: Settings, name: str, arguments: dict[str, Any], pretty: bool) -> int:
    async with Client(create_server(settings)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        if name not in tools:
            print(f"codex-mcp call: unknown tool {name!r}. Known tools: {', '.join(tools)}", file=sys.stderr)
            return 2
        typed = type_arguments(arguments, tools[name].input_schema)
        result = await client.call_tool(name, typed)
    if result.is_error:
        text = "\n".join(getattr(block, "text", "") for block in result.content)
        print(text, file=sys.stderr)
        return 1
    payload = result.structured_content
    if payload is None:
        payload = {"content": [getattr(block, "text", "") for block in result.content]}
    print(render(payload) if pretty else json.dumps(payload, indent=2 if sys.stdout.isatty() else None))
    return 0


async def check(settings: Settings) -> int:
    """Verify the key with cheap read calls and report what the organization looks like."""
    api_settings, transport = connection(settings)
    try:
        async with AdminClient(api_settings, transport=transport) as client:
            members = await client.all_users()
            projects = await client.all_projects()
    except AdminAPIError as exc:
        print(f"Check failed: {exc.describe()}", file=sys.stderr)
        return 1
    archived = sum(1 for project in projects if project.status == "archived" or project.archived_at)
    owners = sum(1 for member in members if member.role == "owner")
    where = "the demo organization" if settings.demo else settings.base_url
    print(f"OK: the key works against {where}.")
    print(f"Members: {len(members)} ({owners} owners)")
    print(f"Projects: {len(projects)} ({len(projects) - archived} active, {archived} archived)")
    return 0


def type_arguments(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Give key=value strings the types the tool's input schema asks for (numbers, booleans, arrays)."""
    properties = schema.get("properties", {})
    typed: dict[str, Any] = {}
    for key, value in arguments.items():
        if not isinstance(value, RawValue):
            typed[key] = value
            continue
        kinds = _schema_types(properties.get(key, {}))
        typed[key] = _typed(str(value), kinds)
    return typed


def _schema_types(prop: dict[str, Any]) -> set[str]:
    kinds = {prop["type"]} if isinstance(prop.get("type"), str) else set()
    for option in prop.get("anyOf", []):
        kinds |= _schema_types(option)
    return kinds


def _typed(raw: str, kinds: set[str]) -> Any:
    if "array" in kinds:
        if raw.startswith("["):
            try:
                return json.loads(raw)
            except json.JSONDecodeError:
                return raw
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kinds & {"integer", "number", "boolean", "object"}:
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            return raw
        if isinstance(parsed, bool) and "boolean" in kinds:
            return parsed
        if isinstance(parsed, int | float) and not isinstance(parsed, bool) and kinds & {"integer", "number"}:
            return parsed
        if isinstance(parsed, dict) and "object" in kinds:
            return parsed
    return raw
