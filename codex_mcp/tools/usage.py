"""The `usage` toolset: one tool for the usage endpoints the core tools do not cover (images, audio, moderations,
vector stores, file search and web search calls), each accepting exactly what its endpoint accepts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from codex_mcp.errors import InvalidArgumentError
from codex_mcp.params import (
    ApiKeyIds,
    ChoiceFilter,
    EndTime,
    GroupBy,
    IdFilter,
    IncludeGroupRows,
    Models,
    ProjectIds,
    StartTime,
    UsageBucketWidth,
    UserIds,
)
from codex_mcp.tools import READ, ToolSpec
from codex_mcp.tools.core.usage import _bucket_report
from codex_mcp.usage_endpoints import OTHER_USAGE_KINDS, USAGE_ENDPOINTS
from codex_mcp.usage_report import UsageReport

UsageKind = Literal[
    "moderations",
    "images",
    "audio_speeches",
    "audio_transcriptions",
    "vector_stores",
    "file_search_calls",
    "web_search_calls",
]
# Every group_by value of every usage endpoint, so a value another kind accepts is refused in words that say which
# values this kind accepts (checked against the endpoint table before any request).
AnyGroup = Literal[
    "project_id",
    "user_id",
    "api_key_id",
    "model",
    "size",
    "source",
    "vector_store_id",
    "context_level",
    "batch",
    "service_tier",
    "line_item",
]
ImageSource = Literal["image.generation", "image.edit", "image.variation"]
ImageSize = Literal["256x256", "512x512", "1024x1024", "1792x1792", "1024x1792"]
ContextLevel = Literal["low", "medium", "high"]


def _capability_lines() -> str:
    return "\n".join(
        f"- {kind}: {USAGE_ENDPOINTS[kind].accepts()}; counts {USAGE_ENDPOINTS[kind].units}."
        for kind in OTHER_USAGE_KINDS
    )


async def codex_get_usage(
    ctx: Context,
    kind: Annotated[UsageKind, Field(description="Which usage endpoint: " + ", ".join(OTHER_USAGE_KINDS) + ".")],
    start_time: StartTime,
    end_time: EndTime = None,
    bucket_width: UsageBucketWidth = "1d",
    project_ids: ProjectIds = None,
    user_ids: UserIds = None,
    api_key_ids: ApiKeyIds = None,
    models: Models = None,
    sources: Annotated[ChoiceFilter[ImageSource], Field(description="images only: these sources.")] = None,
    sizes: Annotated[ChoiceFilter[ImageSize], Field(description="images only: these sizes.")] = None,
    context_levels: Annotated[
        ChoiceFilter[ContextLevel], Field(description="web_search_calls only: these search context levels.")
    ] = None,
    vector_store_ids: Annotated[IdFilter, Field(description="file_search_calls only: these vector store ids.")] = None,
    group_by: GroupBy[AnyGroup] = None,
    include_group_rows: IncludeGroupRows = False,
) -> UsageReport:
    """Usage of images, audio, moderations, vector stores, file search or web search calls, per time bucket (UTC).

    Same report as the other usage tools: exact `totals` over [start_time, end_time), a `buckets` table (one row
    per bucket), per-group totals in `groups` (largest first, projects named) and with include_group_rows each
    bucket's rows per group; condensed with a note only when it would not fit. Every page is fetched. Each kind
    accepts only its endpoint's filters and group_by values:
    {capabilities}
    """
    endpoint = USAGE_ENDPOINTS[kind]
    filters: dict[str, Any] = {
        "project_ids": project_ids,
        "user_ids": user_ids,
        "api_key_ids": api_key_ids,
        "models": models,
        "sources": sources,
        "sizes": sizes,
        "context_levels": context_levels,
        "vector_store_ids": vector_store_ids,
    }
    refused = [name for name, value in filters.items() if value and name not in endpoint.filters]
    if refused:
        raise InvalidArgumentError(
            f"{refused[0]}: {kind} does not accept the filter {refused[0]}; it accepts {', '.join(endpoint.filters)}."
        )
    if bad_groups := [group for group in group_by or [] if group not in endpoint.group_by]:
        raise InvalidArgumentError(
            f"group_by: {kind} does not accept group_by {bad_groups[0]!r}; it accepts {', '.join(endpoint.group_by)}."
        )
    return await _bucket_report(
        ctx,
        kind,
        tool="codex_get_usage",
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        group_by=group_by,
        include_group_rows=include_group_rows,
        **{name: value for name, value in filters.items() if name in endpoint.filters},
    )


assert codex_get_usage.__doc__ is not None
codex_get_usage.__doc__ = codex_get_usage.__doc__.replace("{capabilities}", _capability_lines().replace("\n", "\n    "))

TOOLS = [ToolSpec(codex_get_usage, "Other usage (images, audio, search, ...)", READ)]
