"""What each usage and cost endpoint of the Admin API accepts and returns: one table that drives the client's paths
and page sizes, argument validation, tool descriptions, error texts and the codex://capabilities resource."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

USAGE_WIDTHS = ("1m", "1h", "1d")
WIDTH_SECONDS = {"1m": 60, "1h": 3600, "1d": 86400}
# Buckets per page at most, per width (the spec's `limit` maxima); costs pages hold up to 180 days.
USAGE_PAGE_LIMITS = {"1d": 31, "1h": 168, "1m": 1440}
COSTS_PAGE_LIMIT = 180
ID_FILTERS = ("project_ids", "user_ids", "api_key_ids")
USAGE_LAG_S = 15 * 60
COSTS_LAG_S = 24 * 3600


@dataclass(frozen=True)
class UsageEndpoint:
    """One usage (or the costs) endpoint: its path, the filters and group_by values it accepts, its widths and
    page limits, and the counters its results carry."""

    kind: str
    path: str
    title: str
    filters: tuple[str, ...]
    group_by: tuple[str, ...]
    counters: tuple[str, ...]
    units: str
    sort_key: str
    widths: tuple[str, ...] = USAGE_WIDTHS
    filter_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How long after a bucket ends its figures can still grow (usage lags minutes; costs up to a day).
    lag_s: int = USAGE_LAG_S

    def page_limit(self, width: str) -> int:
        return COSTS_PAGE_LIMIT if self.kind == "costs" else USAGE_PAGE_LIMITS[width]

    def accepts(self) -> str:
        """One sentence: what this endpoint accepts, for descriptions and refusals."""
        filters = ", ".join(self.filters) or "no filters"
        return f"filters {filters}; group_by {', '.join(self.group_by)}; bucket_width {', '.join(self.widths)}"

    def capability(self) -> dict[str, Any]:
        """This endpoint as the codex://capabilities resource shows it."""
        return {
            "kind": self.kind,
            "path": self.path,
            "filters": list(self.filters),
            "filter_values": {name: list(values) for name, values in self.filter_values.items()},
            "group_by": list(self.group_by),
            "bucket_widths": list(self.widths),
            "lag_seconds": self.lag_s,
            "buckets_per_page": {width: self.page_limit(width) for width in self.widths},
            "counters": list(self.counters),
            "units": self.units,
        }


_MODEL_USAGE = (*ID_FILTERS, "models")
_MODEL_GROUPS = ("project_id", "user_id", "api_key_id", "model")

USAGE_ENDPOINTS: dict[str, UsageEndpoint] = {
    endpoint.kind: endpoint
    for endpoint in (
        UsageEndpoint(
            "completions",
            "/organization/usage/completions",
            "Completions usage",
            (*_MODEL_USAGE, "batch"),
            (*_MODEL_GROUPS, "batch", "service_tier"),
            (
                "input_tokens",
                "output_tokens",
                "input_cached_tokens",
                "input_audio_tokens",
                "output_audio_tokens",
                "num_model_requests",
            ),
            "tokens and model requests",
            "num_model_requests",
        ),
        UsageEndpoint(
            "embeddings",
            "/organization/usage/embeddings",
            "Embeddings usage",
            _MODEL_USAGE,
            _MODEL_GROUPS,
            ("input_tokens", "num_model_requests"),
            "tokens and model requests",
            "num_model_requests",
        ),
        UsageEndpoint(
            "moderations",
            "/organization/usage/moderations",
            "Moderations usage",
            _MODEL_USAGE,
            _MODEL_GROUPS,
            ("input_tokens", "num_model_requests"),
            "tokens and model requests",
            "num_model_requests",
        ),
        UsageEndpoint(
            "images",
            "/organization/usage/images",
            "Images usage",
            ("sources", "sizes", *_MODEL_USAGE),
            (*_MODEL_GROUPS, "size", "source"),
            ("images", "num_model_requests"),
            "images and model requests",
            "images",
            filter_values={
                "sources": ("image.generation", "image.edit", "image.variation"),
                "sizes": ("256x256", "512x512", "1024x1024", "1792x1792", "1024x1792"),
            },
        ),
        UsageEndpoint(
            "audio_speeches",
            "/organization/usage/audio_speeches",
            "Audio speeches usage",
            _MODEL_USAGE,
            _MODEL_GROUPS,
            ("characters", "num_model_requests"),
            "characters and model requests",
            "characters",
        ),
        UsageEndpoint(
            "audio_transcriptions",
            "/organization/usage/audio_transcriptions",
            "Audio transcriptions usage",
            _MODEL_USAGE,
            _MODEL_GROUPS,
            ("seconds", "num_model_requests"),
            "seconds of audio and model requests",
            "seconds",
        ),
        UsageEndpoint(
            "vector_stores",
            "/organization/usage/vector_stores",
            "Vector stores usage",
            ("project_ids",),
            ("project_id",),
            ("usage_bytes",),
            "bytes stored (usage_bytes)",
            "usage_bytes",
        ),
        UsageEndpoint(
            "file_search_calls",
            "/organization/usage/file_search_calls",
            "File search calls usage",
            (*ID_FILTERS, "vector_store_ids"),
            ("project_id", "user_id", "api_key_id", "vector_store_id"),
            ("num_requests",),
            "file search calls (num_requests)",
            "num_requests",
        ),
        UsageEndpoint(
            "web_search_calls",
            "/organization/usage/web_search_calls",
            "Web search calls usage",
            (*_MODEL_USAGE, "context_levels"),
            (*_MODEL_GROUPS, "context_level"),
            ("num_requests", "num_model_requests"),
            "web search calls (num_requests) and model requests",
            "num_requests",
            filter_values={"context_levels": ("low", "medium", "high")},
        ),
        UsageEndpoint(
            "code_interpreter_sessions",
            "/organization/usage/code_interpreter_sessions",
            "Code interpreter usage",
            ("project_ids",),
            ("project_id",),
            ("num_sessions",),
            "code interpreter sessions",
            "num_sessions",
        ),
        UsageEndpoint(
            "costs",
            "/organization/costs",
            "Costs",
            ("project_ids", "api_key_ids"),
            ("project_id", "line_item", "api_key_id"),
            ("amount_usd",),
            "US dollars (amount_usd)",
            "amount_usd",
            widths=("1d",),
            lag_s=COSTS_LAG_S,
        ),
    )
}
# The kinds codex_get_usage serves: those without a tool of their own in the core toolset.
OTHER_USAGE_KINDS = (
    "moderations",
    "images",
    "audio_speeches",
    "audio_transcriptions",
    "vector_stores",
    "file_search_calls",
    "web_search_calls",
)
