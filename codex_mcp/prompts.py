"""MCP prompts: guided questions that say which tools to call, in what order, and what the answer must contain."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from codex_mcp.errors import shown

if TYPE_CHECKING:
    from codex_mcp.server import CodexServer

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
TIMES = "All times are UTC; costs can lag up to a day, so say when the latest day is still partial."


def _refuse(message: str) -> MCPError:
    """A bad prompt argument: invalid params (-32602) with what to fix (the SDK passes MCPErrors through)."""
    return MCPError(code=INVALID_PARAMS, message=message)


def _day(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        if not _DAY.fullmatch(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise _refuse(f"day must be an ISO date, YYYY-MM-DD (e.g. 2026-11-03); got {shown(value, 40)}") from None
    return value


def _month(value: str | None) -> tuple[str, str]:
    """[first day, first day of the next month) of 'YYYY-MM'; default last month."""
    if value is None or not value.strip():
        today = datetime.now(UTC).date()
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    else:
        if not _MONTH.fullmatch(value.strip()):
            raise _refuse(f"month must be YYYY-MM (e.g. 2026-10); got {shown(value, 40)}")
        year, month = int(value[:4]), int(value[5:7])
        if not 1 <= month <= 12:
            raise _refuse("month must be YYYY-MM with a month from 01 to 12")
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}-01", f"{following[0]:04d}-{following[1]:02d}-01"


def investigate_cost_spike(day: str | None = None) -> str:
    """Find out why spending jumped on a day (default: the most anomalous recent day)."""
    which = f"on {_day(day)}" if _day(day) else "on the most anomalous recent day"
    span = f"start_time='{_day(day)}'" if _day(day) else "start_time='30d'"
    return f"""Investigate the OpenAI cost spike {which} for this organization.

Steps (call the tools in this order):
1. codex_get_cost_insights with {span} (and end_time the day after, if a day was given): its `anomalies` list the
   days more than 3.5 robust z-scores above the median of the 28 days before them, each with the line items that
   rose most. If the day asked about is not flagged, say so and still compare it with its baseline.
2. codex_get_cost_breakdown for that one day (start_time=the day, end_time=the next day) with
   group_by=['project_id', 'line_item'], and the same for the day before, to see which projects and line items
   account for the jump.
3. codex_get_completions_usage for that day with bucket_width='1h' and group_by=['project_id', 'api_key_id',
   'model'] to see when in the day it started and which API key sent it.
4. If one key dominates, codex_list_audit_events with resource_ids=[that key] (or event_types=['api_key.created'])
   to see who created it.

The answer must contain: the day's total against its baseline median (US dollars, and the z-score); the top three
contributors (project name, line item, dollars, change against the baseline); the UTC hours it happened in; the
key and the person behind it when known; whether it is still going on (compare with the latest, partial, day); and
one recommended next step (a spend alert or limit, a rate limit, or revoking the key: the budgets and keys
toolsets can do that, and ask the person to confirm first). {TIMES}"""


def monthly_cost_report(month: str | None = None) -> str:
    """A month's spending report (default: last month): totals, change, where it went, anomalies, budget."""
    start, end = _month(month)
    return f"""Write the OpenAI cost report for the month starting {start} (start_time='{start}', end_time='{end}').

Steps:
1. codex_get_cost_insights with start_time='{start}', end_time='{end}': exact total, the previous month and the
   change, the top projects, models and line items with their change, the biggest movers, anomalies, and the budget
   (spend limit and alerts).
2. codex_get_cost_breakdown with the same range and group_by=['project_id'] for every project's exact total.
3. codex_get_normalized_metrics with the same range for seats, active users and cost per active user.

The answer must contain: the month's total in US dollars (exact, two decimals) and the change against the previous
month (dollars and percent); a table of projects by spend (the largest ones, then the rest summed); spend by
model; the anomalous days with what drove them; cost per active user; and where the organization stands against
its spend limit and alerts (or that none is set). {TIMES}"""


def access_review() -> str:
    """Review who can do what: owners, stale invites, unused keys, service accounts, recent changes."""
    return """Review access to this OpenAI organization.

Steps:
1. codex_list_users with role='owner' (every page is read for you): who the owners are.
2. codex_list_invites with status='pending': invites still open; flag those created more than 14 days ago.
3. codex_list_projects (every page, include_archived=false), then for each active project
   codex_list_project_api_keys (every page): keys whose last_used_at is more than 90 days ago, or never used,
   and keys whose owner lost access (owner_project_access='inactive').
4. codex_list_service_accounts for each active project: what service accounts exist and their role.
5. codex_list_audit_events with effective_at_start='30d' and event_types=['api_key.created', 'api_key.deleted',
   'user.added', 'user.updated', 'user.deleted', 'invite.sent', 'service_account.created']: recent key and role
   changes, with who made them.

The answer must contain: the owners (name, email) and whether that many owners is warranted; stale invites; unused
keys per project (name, owner, last used); service accounts; the notable changes of the last 30 days; and concrete
recommendations (revoke, demote, delete invite). Do not change anything yourself: the tools that would (in the keys
and access toolsets) act only when the person asks, and ask them to confirm first."""


def coding_tool_report(start_time: str | None = None) -> str:
    """How the organization uses OpenAI for coding, in the vendor-neutral CodingToolMetrics shape."""
    since = (start_time or "30d").strip()[:40]
    return f"""Report how this organization uses OpenAI models for coding since {since!r}.

Steps:
1. codex_get_normalized_metrics with start_time={since!r}: seats, active seats, utilization, daily active users,
   interactions, cost, cost per active user, usage by model (fields the Admin API cannot give are null: say so).
2. codex_get_completions_usage with start_time={since!r} and group_by=['model']: requests and tokens per model.
3. codex_get_cost_breakdown with start_time={since!r} and group_by=['line_item']: what the models cost.

The answer must contain: seats and active seats (utilization %), daily active users, total requests and tokens,
total cost and cost per active user, the models used most, and which CodingToolMetrics fields are unavailable from
the OpenAI Admin API (so a comparison with other coding tools is read fairly). {TIMES}"""


PROMPTS = (investigate_cost_spike, monthly_cost_report, access_review, coding_tool_report)


def register_prompts(server: CodexServer) -> None:
    for fn in PROMPTS:
        server.add_prompt(_prompt(fn))


def _prompt(fn: Callable[..., str]) -> Prompt:
    """The prompt of `fn`, whose parameters are its arguments (all strings, as MCP sends them); an argument it does not
    take is refused as invalid params. Made directly: Prompt.from_function builds a pydantic model per prompt (a few
    ms of start-up) and answers an unknown argument with an internal error."""
    parameters = inspect.signature(fn).parameters
    names = tuple(parameters)

    def render(**arguments: str) -> str:
        if unknown := sorted(set(arguments) - set(names)):
            takes = f"its arguments are {', '.join(names)}" if names else "it takes no arguments"
            raise _refuse(f"prompt {fn.__name__} has no argument {shown(unknown[0], 40)}; {takes}")
        return fn(**arguments)

    arguments = [PromptArgument(name=name, required=p.default is p.empty) for name, p in parameters.items()]
    return Prompt(name=fn.__name__, description=fn.__doc__, arguments=arguments, fn=render)
