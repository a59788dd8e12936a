"""`codex-mcp check`: verify the key with cheap read calls and say which areas of the API it can read."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import anyio

from codex_mcp.cli.render import say
from codex_mcp.client import AdminClient
from codex_mcp.errors import AdminAPIError, APIStatusError
from codex_mcp.server import api_connection
from codex_mcp.settings import Settings


async def check(settings: Settings) -> int:
    """Verify the key with cheap read calls, report what the organization looks like and which areas it can read."""
    api_settings, transport_source = api_connection(settings)
    try:
        async with AdminClient(api_settings, transport=transport_source()) as client:
            members = await client.all_users()
            projects = await client.all_projects()
            since = str(int(time.time()) - 86400)
            outcomes: list[AdminAPIError | None] = [None] * len(_PROBES)

            async def probe_into(index: int) -> None:
                outcomes[index] = await _probe(client, _PROBES[index], since)

            async with anyio.create_task_group() as group:
                for index in range(len(_PROBES)):
                    group.start_soon(probe_into, index)
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
