"""Usage and cost tools: completions, embeddings, code interpreter sessions, and costs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.budget import fit_report
from codex_mcp.client import UsageSource
from codex_mcp.errors import AdminAPIError, InvalidArgumentError, shown
from codex_mcp.models import UsageQuery
from codex_mcp.params import (
    ApiKeyIds,
    EndTime,
    GroupBy,
    IncludeGroupRows,
    Models,
    ProjectIds,
    StartTime,
    UsageBucketWidth,
    UserIds,
)
from codex_mcp.state import app_state, page_progress
from codex_mcp.tools import READ, ToolSpec
from codex_mcp.tools.core.labels import missing_note
from codex_mcp.tools.core.unmatched import unmatched_note
from codex_mcp.tools.fanout import concurrently
from codex_mcp.usage_endpoints import USAGE_ENDPOINTS
from codex_mcp.usage_report import LABEL_COLUMNS, ReportData, UsageReport, resolve_bucket_range

CompletionsGroup = Literal["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"]
EmbeddingsGroup = Literal["project_id", "user_id", "api_key_id", "model"]
CostsGroup = Literal["project_id", "line_item", "api_key_id", "model"]


async def _bucket_report(
    ctx: Context,
    source: UsageSource,
    *,
    tool: str,
    start_time: int | str,
    end_time: int | str | None,
    bucket_width: str,
    group_by: Sequence[str] | None,
    include_group_rows: bool,
    **filters: list[str] | bool | None,
) -> UsageReport:
    """Fetch every bucket of the range (and project names when grouped by project) and build the report."""
    client = app_state(ctx).client
    start, end, aligned_note = resolve_bucket_range(start_time, end_time, bucket_width)
    groups = list(dict.fromkeys(group_by or []))
    query = UsageQuery(start, end, bucket_width, _api_groups(source, groups), filters)
    fetch = client.usage(source, query, on_page=page_progress(ctx, "page"))
    notes = [aligned_note] if aligned_note else []
    labelled = [group for group in LABEL_COLUMNS if group in groups]
    # Names and emails make "spend per project" readable; fetched alongside the data, optional and cached.
    series, project_labels, user_labels = await concurrently(
        fetch,
        _labels(ctx, "project_id") if "project_id" in labelled else _none(),
        _labels(ctx, "user_id") if "user_id" in labelled else _none(),
    )
    nothing = not any(bucket.results for bucket in series.buckets)
    if nothing and (note := await unmatched_note(client, source, start, end, dict(filters))):
        notes.append(note)
    labels: dict[str, dict[str, str]] = {}
    for group_field, found in (("project_id", project_labels), ("user_id", user_labels)):
        if isinstance(found, AdminAPIError):
            notes.append(missing_note(group_field, found))
        elif found is not None:
            labels[group_field] = found
    endpoint = USAGE_ENDPOINTS[source]
    data = ReportData.of(
        series,
        start_time=start,
        end_time=end,
        bucket_width=bucket_width,
        group_by=groups,
        filters=filters,
        units=endpoint.units,
        sort_key=endpoint.sort_key,
        include_group_rows=include_group_rows,
        labels=labels,
        notes=notes,
        lag_s=endpoint.lag_s,
    )
    return fit_report(data, max_tokens=app_state(ctx).settings.max_result_tokens, tool=tool)


def _api_groups(source: str, groups: list[str]) -> list[str]:
    """What to ask the API to group by: costs have no model grouping, so it is derived from line items."""
    if source != "costs" or "model" not in groups:
        return groups
    return list(dict.fromkeys("line_item" if group == "model" else group for group in groups))


async def _labels(ctx: Context, group_field: str) -> dict[str, str] | AdminAPIError:
    state = app_state(ctx)
    return await state.labels.labels(state.client, state.settings, group_field)


async def _none() -> None:
    return None


async def codex_get_completions_usage(
    ctx: Context,
    start_time: StartTime,
    end_time: EndTime = None,
    bucket_width: UsageBucketWidth = "1d",
    project_ids: ProjectIds = None,
    user_ids: UserIds = None,
    api_key_ids: ApiKeyIds = None,
    models: Models = None,
    batch: Annotated[
        bool | None, Field(description="true: batch jobs only; false: non-batch only; omit: both.")
    ] = None,
    group_by: GroupBy[CompletionsGroup] = None,
    include_group_rows: IncludeGroupRows = False,
) -> UsageReport:
    """Token usage of chat/completions/responses models for the organization, per time bucket (UTC).

    Returns `totals` over [start_time, end_time) (input_tokens, output_tokens, input_cached_tokens,
    num_model_requests and any other non-zero token counter), the totals of every bucket, and, when grouped,
    `groups` with totals per project (named)/user/API key/model, largest first. Counts are tokens and requests;
    for money use codex_get_cost_breakdown. Usage made with service-account keys has no user_id (group null).
    Usage can lag by a few minutes. All pages are fetched: every bucket in the range is returned.
    """
    return await _bucket_report(
        ctx,
        "completions",
        tool="codex_get_completions_usage",
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        group_by=group_by,
        include_group_rows=include_group_rows,
        project_ids=project_ids,
        user_ids=user_ids,
        api_key_ids=api_key_ids,
        models=models,
        batch=batch,
    )


async def codex_get_embeddings_usage(
    ctx: Context,
    start_time: StartTime,
    end_time: EndTime = None,
    bucket_width: UsageBucketWidth = "1d",
    project_ids: ProjectIds = None,
    user_ids: UserIds = None,
    api_key_ids: ApiKeyIds = None,
    models: Models = None,
    group_by: GroupBy[EmbeddingsGroup] = None,
    include_group_rows: IncludeGroupRows = False,
) -> UsageReport:
    """Embeddings usage for the organization, per time bucket (UTC): input_tokens and num_model_requests.

    Returns `totals` over [start_time, end_time), the totals of every bucket (all pages fetched) and, when
    grouped, per-group totals in `groups`, largest first. Counts are tokens and requests, not money.
    """
    return await _bucket_report(
        ctx,
        "embeddings",
        tool="codex_get_embeddings_usage",
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        group_by=group_by,
        include_group_rows=include_group_rows,
        project_ids=project_ids,
        user_ids=user_ids,
        api_key_ids=api_key_ids,
        models=models,
    )


async def codex_get_code_interpreter_usage(
    ctx: Context,
    start_time: StartTime,
    end_time: EndTime = None,
    bucket_width: UsageBucketWidth = "1d",
    project_ids: ProjectIds = None,
    group_by: GroupBy[Literal["project_id"]] = None,
    include_group_rows: IncludeGroupRows = False,
) -> UsageReport:
    """Code interpreter sessions for the organization, per time bucket (UTC): num_sessions.

    Returns `totals` over [start_time, end_time), the totals of every bucket (all pages fetched) and, when
    grouped by project_id, per-project totals in `groups` (with project names), largest first.
    """
    return await _bucket_report(
        ctx,
        "code_interpreter_sessions",
        tool="codex_get_code_interpreter_usage",
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        group_by=group_by,
        include_group_rows=include_group_rows,
        project_ids=project_ids,
    )


async def codex_get_cost_breakdown(
    ctx: Context,
    start_time: StartTime,
    end_time: EndTime = None,
    bucket_width: Annotated[
        str,
        Field(
            description="Only '1d' (UTC days): the Costs API has daily buckets only.",
            json_schema_extra={"enum": ["1d"]},
        ),
    ] = "1d",
    project_ids: ProjectIds = None,
    api_key_ids: ApiKeyIds = None,
    group_by: GroupBy[CostsGroup] = None,
    include_group_rows: IncludeGroupRows = False,
) -> UsageReport:
    """What the organization spent, in US dollars, per UTC day.

    `totals.amount_usd` is the spend over [start_time, end_time) (dollars, not cents); every day's total is a row
    of the `buckets` table; `groups` gives spend per project (with project_name)/line item (e.g.
    'gpt-4o-2024-08-06, input', with its quantity)/API key/model, largest first. group_by 'model' is derived from
    line items ('gpt-4o-2024-08-06, input' and '..., output' sum to gpt-4o-2024-08-06; a line item naming no model
    is its own entry). "What did we spend per project last month?" is start_time='last month',
    group_by=['project_id']; "which models cost the most?" is group_by=['model']. Costs can lag usage by up to a
    day; the latest days are marked partial. All pages are fetched: every day in the range is returned (condensed
    with a note only when it would not fit the result budget).
    """
    if bucket_width != "1d":
        raise InvalidArgumentError(
            f"bucket_width {shown(bucket_width)} is not available for costs: the Costs API only has daily buckets, "
            "so use '1d' (or omit it). For hourly detail use codex_get_completions_usage, which counts tokens."
        )
    return await _bucket_report(
        ctx,
        "costs",
        tool="codex_get_cost_breakdown",
        start_time=start_time,
        end_time=end_time,
        bucket_width="1d",
        group_by=group_by,
        include_group_rows=include_group_rows,
        project_ids=project_ids,
        api_key_ids=api_key_ids,
    )


TOOLS = [
    ToolSpec(codex_get_completions_usage, "Completions usage", READ),
    ToolSpec(codex_get_cost_breakdown, "Cost breakdown", READ),
    ToolSpec(codex_get_embeddings_usage, "Embeddings usage", READ),
    ToolSpec(codex_get_code_interpreter_usage, "Code interpreter usage", READ),
]
