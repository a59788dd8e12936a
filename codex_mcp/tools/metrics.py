"""The normalized metrics tool for comparing AI coding tools."""

from __future__ import annotations

import asyncio

from mcp.server.mcpserver import Context

from codex_mcp.errors import AdminAPIError, InvalidArgumentError
from codex_mcp.metrics import CodingToolMetrics, compute_metrics
from codex_mcp.params import EndTime, StartTime
from codex_mcp.state import app_state
from codex_mcp.timeparse import iso, resolve_range
from codex_mcp.usage_report import MAX_BUCKETS, bucket_count


async def codex_get_normalized_metrics(
    ctx: Context, start_time: StartTime, end_time: EndTime = None
) -> CodingToolMetrics:
    """One vendor-neutral CodingToolMetrics summary of OpenAI usage over a period, for comparing coding tools.

    Seats (members, active, inactive, utilization %), daily active users (mean of distinct users per UTC day),
    total_chat_interactions (model requests), total_cost_usd (US dollars) and cost per active user, usage_by_model
    (requests and tokens). Built from complete daily completions usage, costs and the member list, fetched
    concurrently. Fields the API cannot give (suggestions, acceptances, lines, language, editor) are null and
    listed in metadata.unavailable_fields; metadata.derivations says how each figure is computed. If a source
    fails, its fields are null and metadata.failed_sources says why - never a partial total.
    """
    state = app_state(ctx)
    start, end = resolve_range(start_time, end_time)
    if bucket_count(start, end, "1d") > MAX_BUCKETS["1d"]:
        raise InvalidArgumentError(
            f"start_time to end_time ({iso(start)} to {iso(end)}) is longer than {MAX_BUCKETS['1d']} days; "
            "choose a later start_time or an earlier end_time."
        )
    span = [("start_time", str(start)), ("end_time", str(end)), ("bucket_width", "1d")]
    usage_query = [*span, ("group_by", "user_id"), ("group_by", "model")]
    results = await asyncio.gather(
        state.client.usage("completions", usage_query, bucket_width="1d"),
        state.client.costs(span),
        state.client.all_users(),
        return_exceptions=True,
    )
    for outcome in results:
        if isinstance(outcome, BaseException) and not isinstance(outcome, AdminAPIError):
            raise outcome
    if all(isinstance(outcome, BaseException) for outcome in results):
        raise results[0]  # type: ignore[misc]
    usage, costs, members = results
    return compute_metrics(
        start_time=start, end_time=end, usage=usage, costs=costs, members=members, demo=state.settings.demo
    )


READ_TOOLS = [(codex_get_normalized_metrics, "Normalized coding-tool metrics")]
WRITE_TOOLS: list[tuple[object, str]] = []
