"""The toolsets: named groups of tools a deployment turns on (`core` by default), and how names are chosen."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from codex_mcp.tools import ToolSpec


@dataclass(frozen=True)
class Toolset:
    """A named group of tools, defined by the tool modules it takes its TOOLS from (imported when first needed)."""

    name: str
    description: str
    modules: tuple[str, ...]

    @property
    def tools(self) -> list[ToolSpec]:
        return _tools(self.modules)


@cache
def _tools(modules: tuple[str, ...]) -> list[ToolSpec]:
    return [spec for module in modules for spec in importlib.import_module(f"codex_mcp.tools.{module}").TOOLS]


TOOLSETS: dict[str, Toolset] = {
    toolset.name: toolset
    for toolset in (
        Toolset(
            "core",
            "Usage and cost reports, members, invites, projects, project API keys and service accounts, audit "
            "logs, and normalized coding-tool metrics (the 17 original tools).",
            ("core.usage", "core.users", "core.invites", "core.projects", "core.audit", "core.metrics"),
        ),
        Toolset(
            "insights",
            "Answers rather than data: cost insights (exact totals, change against the previous period, top "
            "projects/models/line items, month-end projection, budget and anomalous days) in one call.",
            ("insights",),
        ),
        Toolset(
            "usage",
            "Usage of images, audio (speech, transcription), moderations, vector stores, file search and web "
            "search calls: one tool, codex_get_usage(kind, ...).",
            ("usage",),
        ),
        Toolset(
            "keys",
            "Project API keys (get, revoke) and the organization's admin API keys (list, delete). No tool creates a "
            "key: its secret would land in the chat.",
            ("keys",),
        ),
        Toolset(
            "access",
            "Project members and their roles, service accounts (get, delete), invites (get, delete), renaming and "
            "archiving projects, groups and their members, and roles.",
            ("access",),
        ),
        Toolset(
            "budgets",
            "Hard spend limits and spend alerts in US dollars (organization-wide or per project), and a project's "
            "rate limits per model.",
            ("budgets",),
        ),
        Toolset(
            "governance",
            "Read-only policies: a project's model permissions, data retention controls, mTLS certificates.",
            ("governance",),
        ),
    )
}
DEFAULT_TOOLSETS = ("core", "insights")


def parse_toolsets(value: str) -> tuple[str, ...]:
    """'core,usage' or 'all' as toolset names in registry order; ValueError naming the valid ones otherwise."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not names:
        raise ValueError(f"no toolset named; valid toolsets: {', '.join(TOOLSETS)} (or 'all')")
    if "all" in names:
        return tuple(TOOLSETS)
    unknown = [name for name in names if name not in TOOLSETS]
    if unknown:
        raise ValueError(
            f"unknown toolset{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"valid toolsets: {', '.join(TOOLSETS)} (or 'all')"
        )
    return tuple(name for name in TOOLSETS if name in names)
