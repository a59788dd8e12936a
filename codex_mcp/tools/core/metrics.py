"""The normalized metrics tool for comparing AI coding tools."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context

from codex_mcp.errors import AdminAPIError
from codex_mcp.metrics import CodingToolMetrics, compute_metrics
from codex_mcp.models import UsageQuery
from codex_mcp.params import ApiKeyIds, EndTime, ProjectIds, StartTime
from codex_mcp.state import app_state, page_progress
from codex_mcp.tools import READ, ToolSpec
from codex_mcp.tools.fanout import concurrently, or_api_error
from codex_mcp.usage_report import resolve_bucket_range


async def codex_get_normalized_metrics(
    ctx: Context,
    start_time: StartTime,
    end_time: EndTime = None,
    project_ids: ProjectIds = None,
    api_key_ids: ApiKeyIds = None,
) -> CodingToolMetrics:
    """One vendor-neutral CodingToolMetrics summary of OpenAI usage over a period, for comparing coding tools.

    Seats (members, active, inactive, utilization %), daily active users (mean of distinct users per UTC day),
    total_chat_interactions (model requests), total_cost_usd (US dollars) and cost per active user, usage_by_model
    (requests and tokens). Org-wide unless project_ids/api_key_ids narrow usage and costs (for example to the
    projects or keys your coding tools use). Built from every page of daily completions usage, costs and the
    member list, fetched concurrently; the period starts at 00:00 UTC of start_time's day. Fields the API cannot
    give (suggestions, acceptances, lines, language, editor) are null and listed in metadata.unavailable_fields;
    metadata.derivations says how each figure is computed. If a source fails, its fields are null and
    metadata.failed_sources says why - never a partial total.
    """
    client = app_state(ctx).client
    start, end, _ = resolve_bucket_range(
        start_time, end_time, "1d", advice="Choose a later start_time or an earlier end_time."
    )
    filters: dict[str, Any] = {"project_ids": project_ids, "api_key_ids": api_key_ids}
    usage_query = UsageQuery(start, end, "1d", ("user_id", "model"), filters)
    cost_query = UsageQuery(start, end, "1d", (), filters)
    # A source failing with an API error is nulled in the result; anything else (a bug, a cancel) stops them all.
    usage, costs, members = await concurrently(
        or_api_error(client.usage("completions", usage_query, on_page=page_progress(ctx, "usage page"))),
        or_api_error(client.usage("costs", cost_query)),
        or_api_error(client.all_users()),
    )
    outcomes = (usage, costs, members)
    if all(isinstance(outcome, AdminAPIError) for outcome in outcomes):
        reasons = "\n".join(f"- {o.describe()}" for o in outcomes if isinstance(o, AdminAPIError))
        raise AdminAPIError(f"Every source of the metrics failed:\n{reasons}", hint="")
    return compute_metrics(
        start_time=start,
        end_time=end,
        usage=usage,
        costs=costs,
        members=members,
        scope={key: value for key, value in filters.items() if value},
    )


TOOLS = [ToolSpec(codex_get_normalized_metrics, "Normalized coding-tool metrics", READ)]
