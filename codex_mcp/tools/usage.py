"""Usage and cost tools: completions, embeddings, code interpreter sessions, and costs."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.client import Query, flag
from codex_mcp.errors import AdminAPIError, InvalidArgumentError
from codex_mcp.params import ApiKeyIds, EndTime, Models, ProjectIds, StartTime, UsageBucketWidth, UserIds
from codex_mcp.state import app_state
from codex_mcp.timeparse import iso, resolve_range
from codex_mcp.usage_report import BUCKET_SECONDS, MAX_BUCKETS, UsageReport, bucket_count, build_report

CompletionsGroup = Literal["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"]
EmbeddingsGroup = Literal["project_id", "user_id", "api_key_id", "model"]
CostsGroup = Literal["project_id", "line_item", "api_key_id"]

_GROUP_HELP = "Group the rows by these fields (any combination); totals per group come back in `groups`."


def _window(start_time: int | str, end_time: int | str | None, bucket_width: str) -> tuple[int, int]:
    start, end = resolve_range(start_time, end_time)
    count = bucket_count(start, end, bucket_width)
    if count > MAX_BUCKETS[bucket_width]:
        seconds = MAX_BUCKETS[bucket_width] * BUCKET_SECONDS[bucket_width]
        span = f"{seconds // 86400} days" if seconds >= 2 * 86400 else f"{seconds // 3600} hours"
        raise InvalidArgumentError(
            f"{iso(start)} to {iso(end)} at bucket_width '{bucket_width}' is {count} buckets; at most "
            f"{MAX_BUCKETS[bucket_width]} ({span}) per call. Use a wider bucket_width or a shorter range."
        )
    return start, end


def _filters(**values: list[str] | bool | None) -> Query:
    query: list[tuple[str, str]] = []
    for name, value in values.items():
        if isinstance(value, bool):
            query.append((name, flag(value)))
        elif value:
            query.extend((name, item) for item in value)
    return query


async def _usage(
    ctx: Context,
    kind: str,
    *,
    start_time: int | str,
    end_time: int | str | None,
    bucket_width: str,
    group_by: list[str] | None,
    units: str,
    sort_key: str,
    **filters: list[str] | bool | None,
) -> UsageReport:
    state = app_state(ctx)
    start, end = _window(start_time, end_time, bucket_width)
    groups = list(dict.fromkeys(group_by or []))
    query = [
        ("start_time", str(start)),
        ("end_time", str(end)),
        ("bucket_width", bucket_width),
        *_filters(**filters),
        *(("group_by", field) for field in groups),
    ]
    if kind == "costs":
        fetch = state.client.costs(query)
        source = "/organization/costs"
    else:
        fetch = state.client.usage(kind, query, bucket_width=bucket_width)
        source = f"/organization/usage/{kind}"
    notes: list[str] = []
    project_names: dict[str, str] | None = None
    if "project_id" in groups:
        # Names make "spend per project" readable; fetched alongside the data, and optional.
        series, projects = await asyncio.gather(fetch, state.client.all_projects(), return_exceptions=True)
        if isinstance(series, BaseException):
            raise series
        if isinstance(projects, AdminAPIError):
            notes.append(f"Project names could not be fetched, so groups show ids only: {projects.message}")
        elif isinstance(projects, BaseException):
            raise projects
        else:
            project_names = {project.id: project.name for project in projects if project.name}
    else:
        series = await fetch
    return build_report(
        series,
        source=source,
        start_time=start,
        end_time=end,
        bucket_width=bucket_width,
        group_by=groups,
        filters=filters,
        units=units,
        sort_key=sort_key,
        project_names=project_names,
        notes=notes,
        demo=state.settings.demo,
    )


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
    group_by: Annotated[list[CompletionsGroup] | None, Field(description=_GROUP_HELP)] = None,
) -> UsageReport:
    """Token usage of chat/completions/responses models for the organization, per time bucket (UTC).

    Returns buckets [start_time, end_time) with input_tokens, output_tokens, input_cached_tokens (and the other
    token counters the API reports) and num_model_requests per row, plus `totals` over the whole range and, when
    grouped, `groups` with totals per project (named)/user/API key/model, largest first. Counts are tokens and
    requests; for money use codex_get_cost_breakdown. Rows of usage made with service-account keys have no
    user_id. Usage data can lag by a few minutes. All pages are fetched: every bucket in the range is returned.
    """
    return await _usage(
        ctx,
        "completions",
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        group_by=list(group_by or []),
        units="tokens and model requests",
        sort_key="num_model_requests",
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
    group_by: Annotated[list[EmbeddingsGroup] | None, Field(description=_GROUP_HELP)] = None,
) -> UsageReport:
    """Embeddings usage for the organization, per time bucket (UTC): input_tokens and num_model_requests per row.

    Returns every bucket in [start_time, end_time) (all pages fetched), `totals` over the range and, when grouped,
    per-group totals in `groups`, largest first. Counts are tokens and requests, not money.
    """
    return await _usage(
        ctx,
        "embeddings",
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        group_by=list(group_by or []),
        units="tokens and model requests",
        sort_key="num_model_requests",
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
    group_by: Annotated[list[Literal["project_id"]] | None, Field(description=_GROUP_HELP)] = None,
) -> UsageReport:
    """Code interpreter sessions for the organization, per time bucket (UTC): num_sessions per row.

    Returns every bucket in [start_time, end_time) (all pages fetched), `totals` and, when grouped by project_id,
    per-project totals in `groups`, largest first.
    """
    return await _usage(
        ctx,
        "code_interpreter_sessions",
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        group_by=list(group_by or []),
        units="code interpreter sessions",
        sort_key="num_sessions",
        project_ids=project_ids,
    )


async def codex_get_cost_breakdown(
    ctx: Context,
    start_time: StartTime,
    end_time: EndTime = None,
    bucket_width: Annotated[
        str, Field(description="Only '1d' (UTC days): the Costs API has daily buckets only.")
    ] = "1d",
    project_ids: ProjectIds = None,
    api_key_ids: ApiKeyIds = None,
    group_by: Annotated[list[CostsGroup] | None, Field(description=_GROUP_HELP)] = None,
) -> UsageReport:
    """What the organization spent, in US dollars, per UTC day.

    Each row has amount_usd (dollars, not cents) and, grouped by line_item, the line item (e.g.
    'gpt-4o-2024-08-06, input') with its quantity. `totals.amount_usd` is the spend over [start_time, end_time);
    `groups` gives spend per project (with project_name)/line item/API key, largest first. Answers "what did we
    spend per project last month?" with start_time='last month', group_by=['project_id']. Costs can lag usage by
    up to a day. All pages are fetched: every day in the range is returned.
    """
    if bucket_width != "1d":
        raise InvalidArgumentError(
            f"bucket_width {bucket_width!r} is not available for costs: the Costs API only has daily buckets, "
            "so use '1d' (or omit it). For hourly detail use codex_get_completions_usage, which counts tokens."
        )
    return await _usage(
        ctx,
        "costs",
        start_time=start_time,
        end_time=end_time,
        bucket_width="1d",
        group_by=list(group_by or []),
        units="US dollars (amount_usd)",
        sort_key="amount_usd",
        project_ids=project_ids,
        api_key_ids=api_key_ids,
    )


READ_TOOLS = [
    (codex_get_completions_usage, "Completions usage"),
    (codex_get_cost_breakdown, "Cost breakdown"),
    (codex_get_embeddings_usage, "Embeddings usage"),
    (codex_get_code_interpreter_usage, "Code interpreter usage"),
]
WRITE_TOOLS: list[tuple[object, str]] = []
