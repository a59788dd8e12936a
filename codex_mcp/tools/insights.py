"""The `insights` toolset: answers rather than data (cost insights: totals, change, contributors, projection,
budget and anomalies in one call)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.errors import AdminAPIError
from codex_mcp.insights import Budget, CostInsights, DailyCosts, compute_insights, plan_days
from codex_mcp.models import SpendAlert, SpendLimit, UsageQuery
from codex_mcp.params import EndTime, ProjectIds, StartTime
from codex_mcp.rows import UnreadableValues, flatten_row
from codex_mcp.state import app_state, page_progress
from codex_mcp.timeparse import resolve_range
from codex_mcp.tools import READ, ToolSpec
from codex_mcp.tools.fanout import concurrently, or_api_error

DAY_S = 86400


async def codex_get_cost_insights(
    ctx: Context,
    start_time: Annotated[
        StartTime | None, Field(description="Start of the range (default: the first day of this month).")
    ] = None,
    end_time: EndTime = None,
    project_ids: ProjectIds = None,
    top_n: Annotated[int, Field(strict=True, ge=1, le=25, description="How many to list in each top list.")] = 5,
) -> CostInsights:
    """Cost insights in US dollars, exact: are we on track, what changed, where did it go, what spiked.

    Returns for [start_time, end_time) (default: this month; times UTC): total_usd over the complete UTC days (before
    today) and today's partial amount apart; the previous period of as many days (previous_total_usd, change_usd,
    change_pct = change / previous * 100); the top_n projects (named; a name two projects share carries its id),
    models and line items, each with its previous amount and change, and the biggest movers; for the current month,
    month_to_date_usd, daily_run_rate_usd (mean of the last 7 complete days before today, reaching into last month
    when needed) and projected_month_end_usd = month_to_date_usd + daily_run_rate_usd x (days in month - complete
    days so far); the budget (the spend limit of the one project asked for, else the organization's, and the spend
    alerts: crossed, or projected to cross); and anomalies: complete days more than 3.5 robust z-scores above the
    median of the 28 complete days before them (z = (x - median) / (1.4826 x MAD); with a MAD of zero, any day more
    than 1% above the median), each with its three line items furthest above their own 28-day median. Models are
    derived from line items. Costs can lag up to a day; complete_through names the last day counted.
    """
    state = app_state(ctx)
    client = state.client
    start, end = _range(start_time, end_time)
    today = int(time.time()) // DAY_S * DAY_S
    _, _, fetch = plan_days(start, end, today)
    filters: dict[str, Any] = {"project_ids": project_ids}
    query = UsageQuery(fetch.start, fetch.end, "1d", ("project_id", "line_item"), filters)
    scope_project = project_ids[0] if project_ids and len(project_ids) == 1 else None
    series, projects, limit, alerts = await concurrently(
        client.usage("costs", query, on_page=page_progress(ctx, "costs page")),
        or_api_error(client.all_projects()),
        or_api_error(client.get_spend_limit(project_id=scope_project)),
        or_api_error(client.all_spend_alerts(project_id=scope_project)),
    )
    costs = DailyCosts()
    unreadable = UnreadableValues()
    for bucket in series.buckets:
        for result in bucket.results:
            row = flatten_row(result, unreadable, day=bucket.start_time)
            amount = row.get("amount_usd")
            if amount is None or isinstance(amount, str | bool):
                continue
            project, line_item = row.get("project_id"), row.get("line_item")
            costs.add(
                bucket.start_time - bucket.start_time % DAY_S,
                project if isinstance(project, str) else None,
                line_item if isinstance(line_item, str) else None,
                Decimal(amount),
            )
    names = {} if isinstance(projects, AdminAPIError) else {p.id: p.name for p in projects if p.name}
    insights = compute_insights(
        costs,
        start=start,
        end=end,
        today=today,
        project_names=names,
        top_n=top_n,
        budget=_budget_scope(scope_project, project_ids, limit, alerts),
        limit=limit.amount_usd if isinstance(limit, SpendLimit) else None,
        alerts=[alert.threshold_usd for alert in alerts] if isinstance(alerts, list) else [],
        filters={"project_ids": project_ids} if project_ids else None,
    )
    extra = [note for note in (unreadable.note("costs"),) if note]
    if isinstance(projects, AdminAPIError):
        extra.append(f"Project names could not be fetched, so projects show ids only: {projects.message}")
    return insights.model_copy(update={"notes": [*insights.notes, *extra]}) if extra else insights


def _budget_scope(
    project_id: str | None,
    project_ids: list[str] | None,
    limit: SpendLimit | AdminAPIError | None,
    alerts: list[SpendAlert] | AdminAPIError,
) -> Budget:
    """Whose budget the insights compare with, and whether the key could read it (a refusal is no failure)."""
    scope = f"project {project_id}" if project_id else "organization"
    failed = [error for error in (limit, alerts) if isinstance(error, AdminAPIError)]
    if failed:
        reason = failed[0].message
        return Budget(scope=scope, available=False, note=f"Spend limit and alerts are not available: {reason}")
    notes = []
    if project_ids and len(project_ids) > 1:
        notes.append(
            "Several projects were asked for: the organization's limit and alerts are shown, against their spend only."
        )
    if limit is None:
        notes.append("No spend limit is set.")
    return Budget(scope=scope, available=True, note=" ".join(notes) or None)


def _range(start_time: int | str | None, end_time: int | str | None) -> tuple[int, int]:
    """The range asked for; by default the whole of this month (so the month-end projection can be made)."""
    if start_time is None and end_time is None:
        return resolve_range("this month", "this month")
    return resolve_range(start_time if start_time is not None else "this month", end_time)


TOOLS = [ToolSpec(codex_get_cost_insights, "Cost insights", READ)]
