"""The CLI's commands, run against the same server a client gets: list tools, call one, check the key."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

from mcp import Client

from codex_mcp.cli import RawValue
from codex_mcp.client import AdminClient
from codex_mcp.errors import AdminAPIError, APIStatusError
from codex_mcp.pretty import render
from codex_mcp.server import api_connection, create_server
from codex_mcp.settings import Settings


def say(text: str) -> None:
    """Write one line of a CLI command's output. Only these commands own stdout; the MCP server never calls this."""
    sys.stdout.write(f"{text}\n")


async def list_tools(settings: Settings, as_json: bool) -> int:
    async with Client(create_server(settings)) as client:
        tools = (await client.list_tools()).tools
    if as_json:
        say(json.dumps([tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools], indent=2))
        return 0
    width = max(len(tool.name) for tool in tools)
    for tool in tools:
        hints = tool.annotations
        access = "read-only" if hints and hints.read_only_hint else "CHANGES THE ORGANIZATION"
        say(f"{tool.name:<{width}}  {tool.title or ''}  [{access}]")
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
    say(render(payload) if pretty else json.dumps(payload, indent=2 if sys.stdout.isatty() else None))
    return 0


async def check(settings: Settings) -> int:
    """Verify the key with cheap read calls, report what the organization looks like and which areas it can read."""
    api_settings, transport = api_connection(settings)
    try:
        async with AdminClient(api_settings, transport=transport) as client:
            members = await client.all_users()
            projects = await client.all_projects()
            since = str(int(time.time()) - 86400)
            outcomes = await asyncio.gather(*(_probe(client, probe, since) for probe in _PROBES))
    except AdminAPIError as exc:
        print(f"Check failed: {exc.describe()}", file=sys.stderr)
        return 1
    archived = sum(1 for project in projects if project.status == "archived" or project.archived_at)
    owners = sum(1 for member in members if member.role == "owner")
    where = "the demo organization" if settings.demo else settings.base_url
    say(f"The key works against {where}.")
    say(f"Members: {len(members)} ({owners} owners)")
    say(f"Projects: {len(projects)} ({len(projects) - archived} active, {archived} archived)")
    failures = _report_areas(list(zip(_PROBES, outcomes, strict=True)))
    sys.stdout.flush()  # keep the report above the summary when stdout is piped
    if not failures:
        say("All checks passed.")
        return 0
    for line in failures:
        print(line, file=sys.stderr)
    return 1


@dataclass(frozen=True)
class _Probe:
    """One cheap request standing in for an area of the API, and the tools that fail without it."""

    area: str
    what: str  # "the key cannot read <what>"
    path: str
    query: tuple[tuple[str, str], ...]
    tools: tuple[str, ...]
    since: bool = False  # needs start_time (now - 1 day)


_PROBES = (
    _Probe(
        "usage & costs",
        "costs",
        "/organization/costs",
        (("limit", "1"),),
        ("codex_get_cost_breakdown", "codex_get_normalized_metrics"),
        since=True,
    ),
    _Probe(
        "usage & costs",
        "usage",
        "/organization/usage/completions",
        (("bucket_width", "1d"), ("limit", "1")),
        (
            "codex_get_completions_usage",
            "codex_get_embeddings_usage",
            "codex_get_code_interpreter_usage",
            "codex_get_normalized_metrics",
        ),
        since=True,
    ),
    _Probe("audit logs", "audit logs", "/organization/audit_logs", (("limit", "1"),), ("codex_list_audit_events",)),
    _Probe("invites", "invites", "/organization/invites", (("limit", "1"),), ("codex_list_invites",)),
)


async def _probe(client: AdminClient, probe: _Probe, since: str) -> AdminAPIError | None:
    """One request (a single page) to the probe's endpoint: None when it answers, else the API error."""
    query = [("start_time", since), *probe.query] if probe.since else list(probe.query)
    try:
        await client.request("GET", probe.path, query=query)
    except AdminAPIError as exc:
        return exc
    return None


def _report_areas(results: list[tuple[_Probe, AdminAPIError | None]]) -> list[str]:
    """Print one line per area; return a summary line for each area that failed (none when all are OK)."""
    say("Access:")
    areas: dict[str, list[tuple[_Probe, AdminAPIError | None]]] = {}
    for probe, error in results:
        areas.setdefault(probe.area, []).append((probe, error))
    summary: list[str] = []
    for area, probes in areas.items():
        failed = [(probe, error) for probe, error in probes if error is not None]
        if not failed:
            say(f"  {area}: OK")
            continue
        # Name the endpoint only when some of the area's requests worked and others did not.
        partial = len(failed) < len(probes)
        say(f"  {area}: " + "; ".join(_problem(error, probe.what if partial else None) for probe, error in failed))
        tools = ", ".join(dict.fromkeys(tool for probe, _ in failed for tool in probe.tools))
        what = " & ".join(probe.what for probe, _ in failed) if partial else area
        if all(isinstance(error, APIStatusError) and error.status_code == 403 for _, error in failed):
            summary.append(f"{tools} will fail: the key cannot read {what}.")
        else:
            summary.append(f"{tools} may fail: access to {what} could not be confirmed.")
    return summary


def _problem(error: AdminAPIError, what: str | None) -> str:
    """'no access (403: <API message>)' for a refusal, 'check failed (...)' for anything else."""
    if isinstance(error, APIStatusError):
        request = f" Request id: {error.request_id}" if error.request_id else ""
        detail = f"{error.status_code}: {error.api_message or error.message}{request}"
        if error.status_code == 403:
            return f"no access{' to ' + what if what else ''} ({detail})"
    else:
        detail = error.message
    return f"check{' of ' + what if what else ''} failed ({detail})"


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
