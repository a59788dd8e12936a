"""The usage endpoints (`/organization/usage/{kind}`) and costs: time buckets of summed records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

import httpx

from codex_mcp.demo.catalog import (
    COMPLETION_MODELS,
    CONTEXT_LEVELS,
    EMBEDDING_MODELS,
    IMAGE_MODELS,
    IMAGE_SIZES,
    IMAGE_SOURCES,
    LINE_ITEMS,
    MODERATION_MODELS,
    SERVICE_TIERS,
    SPEECH_MODELS,
    TRANSCRIPTION_MODELS,
    WEB_SEARCH_MODELS,
    line_item_unit,
)
from codex_mcp.demo.paging import decode_cursor, encode_cursor
from codex_mcp.demo.protocol import JSON, EndpointGroup, Query, Route, bad
from codex_mcp.demo.sample_common import DAY, PICO
from codex_mcp.demo.usage_history import DayRecords, DayUsage, Record

WIDTHS = {"1m": 60, "1h": 3_600, "1d": DAY}
USAGE_LIMITS = {"1m": (60, 1440), "1h": (24, 168), "1d": (7, 31)}  # (default, max) buckets per page
COSTS_LIMIT = (7, 180)
PROJECT_USER_KEY = {"project_id": 1, "user_id": 2, "api_key_id": 3}  # where most kinds keep these
FILTERS = {"project_ids": "project_id", "user_ids": "user_id", "api_key_ids": "api_key_id", "models": "model"}
Render = Callable[["UsageEndpoint", list[int], JSON, list[str]], JSON]


@dataclass(frozen=True)
class UsageEndpoint:
    """How one usage (or costs) endpoint reads its per-day records."""

    object: str
    records: Callable[[DayUsage], DayRecords]
    group_fields: dict[str, int]  # group_by name -> record index
    filters: dict[str, str]  # array query parameter -> group field it filters on
    counters: tuple[tuple[str, int], ...]  # result field -> record index summed into it
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> the names its record index picks
    enum_filters: tuple[str, ...] = ()  # filters whose values must be among the names (the spec lists them)
    boolean_filters: tuple[str, ...] = ()
    widths: tuple[str, ...] = ("1m", "1h", "1d")
    limits: Callable[[str], tuple[int, int]] = USAGE_LIMITS.__getitem__
    render: Render | None = None  # for results that are more than their counters

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(index for _name, index in self.counters)


def _completions_result(endpoint: UsageEndpoint, values: list[int], fields: JSON, _group_by: list[str]) -> JSON:
    input_tokens, cached, output, requests = values
    return {
        "object": endpoint.object,
        "input_tokens": input_tokens,
        "input_cached_tokens": cached,
        "input_cache_write_tokens": 0,
        "input_uncached_tokens": input_tokens - cached,
        "output_tokens": output,
        "input_text_tokens": input_tokens - cached,
        "output_text_tokens": output,
        "input_cached_text_tokens": cached,
        "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0,
        "output_audio_tokens": 0,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": requests,
        **fields,
    }


def _costs_result(endpoint: UsageEndpoint, values: list[int], fields: JSON, group_by: list[str]) -> JSON:
    by_line_item = "line_item" in group_by
    return {
        "object": endpoint.object,
        "amount": {"value": round(values[0] / PICO, 6), "currency": "usd"},
        **fields,
        "quantity": values[1] if by_line_item else None,
        "quantity_unit": line_item_unit(fields["line_item"]) if by_line_item else None,
    }


def _people(model: int, extra: dict[str, int] | None = None) -> dict[str, int]:
    """Group fields of a kind recorded as (ts, project, user, api_key, model, ...)."""
    return {**PROJECT_USER_KEY, "model": model, **(extra or {})}


COMPLETIONS = UsageEndpoint(
    object="organization.usage.completions.result",
    records=lambda d: d.completions,
    group_fields=_people(4, {"batch": 5, "service_tier": 6}),
    filters=FILTERS,
    counters=(("input_tokens", 7), ("input_cached_tokens", 8), ("output_tokens", 9), ("num_model_requests", 10)),
    names={"model": tuple(m.model for m in COMPLETION_MODELS), "service_tier": SERVICE_TIERS},
    boolean_filters=("batch",),
    render=_completions_result,
)
EMBEDDINGS = UsageEndpoint(
    object="organization.usage.embeddings.result",
    records=lambda d: d.embeddings,
    group_fields=_people(4),
    filters=FILTERS,
    counters=(("input_tokens", 5), ("num_model_requests", 6)),
    names={"model": tuple(m.model for m in EMBEDDING_MODELS)},
)
MODERATIONS = UsageEndpoint(
    object="organization.usage.moderations.result",
    records=lambda d: d.moderations,
    group_fields=_people(4),
    filters=FILTERS,
    counters=(("input_tokens", 5), ("num_model_requests", 6)),
    names={"model": MODERATION_MODELS},
)
IMAGES = UsageEndpoint(
    object="organization.usage.images.result",
    records=lambda d: d.images,
    group_fields=_people(4, {"size": 5, "source": 6}),
    filters={**FILTERS, "sources": "source", "sizes": "size"},
    counters=(("images", 7), ("num_model_requests", 8)),
    names={"model": IMAGE_MODELS, "size": IMAGE_SIZES, "source": IMAGE_SOURCES},
    enum_filters=("sources", "sizes"),
)
AUDIO_SPEECHES = UsageEndpoint(
    object="organization.usage.audio_speeches.result",
    records=lambda d: d.audio_speeches,
    group_fields=_people(4),
    filters=FILTERS,
    counters=(("characters", 5), ("num_model_requests", 6)),
    names={"model": SPEECH_MODELS},
)
AUDIO_TRANSCRIPTIONS = UsageEndpoint(
    object="organization.usage.audio_transcriptions.result",
    records=lambda d: d.audio_transcriptions,
    group_fields=_people(4),
    filters=FILTERS,
    counters=(("seconds", 5), ("num_model_requests", 6)),
    names={"model": TRANSCRIPTION_MODELS},
)
VECTOR_STORES = UsageEndpoint(
    object="organization.usage.vector_stores.result",
    records=lambda d: d.vector_stores,
    group_fields={"project_id": 1},
    filters={"project_ids": "project_id"},
    counters=(("usage_bytes", 2),),
)
CODE_INTERPRETER = UsageEndpoint(
    object="organization.usage.code_interpreter_sessions.result",
    records=lambda d: d.code_interpreter_sessions,
    group_fields={"project_id": 1},
    filters={"project_ids": "project_id"},
    counters=(("num_sessions", 3),),
)
FILE_SEARCH_CALLS = UsageEndpoint(
    object="organization.usage.file_searches.result",
    records=lambda d: d.file_search_calls,
    group_fields={**PROJECT_USER_KEY, "vector_store_id": 4},
    filters={**{k: v for k, v in FILTERS.items() if k != "models"}, "vector_store_ids": "vector_store_id"},
    counters=(("num_requests", 5),),
)
WEB_SEARCH_CALLS = UsageEndpoint(
    object="organization.usage.web_searches.result",
    records=lambda d: d.web_search_calls,
    group_fields=_people(4, {"context_level": 5}),
    filters={**FILTERS, "context_levels": "context_level"},
    counters=(("num_model_requests", 6), ("num_requests", 7)),
    names={"model": WEB_SEARCH_MODELS, "context_level": CONTEXT_LEVELS},
    enum_filters=("context_levels",),
)
COSTS = UsageEndpoint(
    object="organization.costs.result",
    records=lambda d: d.costs,
    group_fields={"project_id": 1, "api_key_id": 2, "line_item": 3},
    filters={"project_ids": "project_id", "api_key_ids": "api_key_id"},
    counters=(("amount", 4), ("quantity", 5)),
    names={"line_item": LINE_ITEMS},
    widths=("1d",),
    limits=lambda _width: COSTS_LIMIT,
    render=_costs_result,
)
USAGE_ENDPOINTS = {
    "completions": COMPLETIONS,
    "embeddings": EMBEDDINGS,
    "moderations": MODERATIONS,
    "images": IMAGES,
    "audio_speeches": AUDIO_SPEECHES,
    "audio_transcriptions": AUDIO_TRANSCRIPTIONS,
    "vector_stores": VECTOR_STORES,
    "code_interpreter_sessions": CODE_INTERPRETER,
    "file_search_calls": FILE_SEARCH_CALLS,
    "web_search_calls": WEB_SEARCH_CALLS,
}


class UsageEndpoints(EndpointGroup):
    """`GET /organization/usage/{kind}` and `GET /organization/costs`."""

    def routes(self) -> list[Route]:
        kinds = "|".join(USAGE_ENDPOINTS)
        return [
            ("GET", rf"/organization/usage/({kinds})", self._usage),
            ("GET", r"/organization/costs", self._costs),
        ]

    def _usage(self, _request: httpx.Request, query: Query, kind: str) -> JSON:
        return self._bucket_page(USAGE_ENDPOINTS[kind], query)

    def _costs(self, _request: httpx.Request, query: Query) -> JSON:
        return self._bucket_page(COSTS, query)

    def _bucket_page(self, endpoint: UsageEndpoint, query: Query) -> JSON:
        names = {"start_time", "end_time", "bucket_width", "group_by", "limit", "page"}
        query.allow(names | set(endpoint.filters) | set(endpoint.boolean_filters))
        start, end = self._time_range(query)
        width_name = query.choice("bucket_width", endpoint.widths, default="1d") or "1d"
        width = WIDTHS[width_name]
        default, maximum = endpoint.limits(width_name)
        context = f" for bucket_width={width_name}" if endpoint is not COSTS else ""
        limit = query.limit(default=default, maximum=maximum, context=context)
        group_by = self._group_by(endpoint, query)
        filters = self._filters(endpoint, query)
        first = start - start % width  # buckets are aligned to the width in UTC
        page = query.one("page")
        cursor = first if page is None else max(first, decode_cursor(page) // width * width)
        bucket_starts = range(cursor, min(end, cursor + limit * width), width)
        data = [self._bucket(endpoint, b, min(b + width, end), b + width, group_by, filters) for b in bucket_starts]
        next_start = cursor + limit * width
        has_more = next_start < end
        return {
            "object": "page",
            "data": data,
            "has_more": has_more,
            "next_page": encode_cursor(next_start) if has_more else None,
        }

    def _time_range(self, query: Query) -> tuple[int, int]:
        """`start_time` (required) and `end_time` (default: now), validated."""
        start = query.required_integer("start_time")
        if start < 0:
            raise bad("Invalid value for 'start_time': must be a non-negative Unix timestamp.", "start_time")
        end = query.integer("end_time")
        end = self.now if end is None else end
        if end <= start:
            raise bad("Invalid value for 'end_time': must be greater than start_time.", "end_time")
        return start, end

    def _group_by(self, endpoint: UsageEndpoint, query: Query) -> list[str]:
        fields: list[str] = []
        for value in query.many("group_by"):
            if value not in endpoint.group_fields:
                supported = ", ".join(endpoint.group_fields)
                raise bad(
                    f"Invalid value for 'group_by': '{value[:40]}'. Supported values are: {supported}.", "group_by"
                )
            if value not in fields:
                fields.append(value)
        return fields

    def _filters(self, endpoint: UsageEndpoint, query: Query) -> list[tuple[int, set[int]]]:
        filters: list[tuple[int, set[int]]] = []
        for param, field_name in endpoint.filters.items():
            values = query.many(param)
            if not values:
                continue
            lookup = self._lookup(endpoint, field_name)
            if param in endpoint.enum_filters:
                unknown = [v for v in values if v not in lookup]
                if unknown:
                    supported = ", ".join(endpoint.names[field_name])
                    raise bad(
                        f"Invalid value for '{param}': '{unknown[0][:40]}'. Supported values are: {supported}.", param
                    )
            # Unknown ids and model names match nothing, as on the live API.
            filters.append((endpoint.group_fields[field_name], {lookup[v] for v in values if v in lookup}))
        for param in endpoint.boolean_filters:
            flag = query.boolean(param)
            if flag is not None:
                filters.append((endpoint.group_fields[param], {int(flag)}))
        return filters

    def _lookup(self, endpoint: UsageEndpoint, field_name: str) -> dict[str, int]:
        """Record index of every id or name a field can take."""
        org = self.org
        if field_name == "project_id":
            return org.project_index
        if field_name == "user_id":
            return org.user_index
        if field_name == "api_key_id":
            return org.key_index
        if field_name == "vector_store_id":
            return {store.id: i for i, store in enumerate(org.usage.vector_stores)}
        return {name: i for i, name in enumerate(endpoint.names[field_name])}

    def _bucket(
        self,
        endpoint: UsageEndpoint,
        start: int,
        cut: int,
        end: int,
        group_by: list[str],
        filters: list[tuple[int, set[int]]],
    ) -> JSON:
        day = start - start % DAY
        records = endpoint.records(self.org.day(day))
        rows = records.rows if start == day and cut >= day + DAY else records.between(start, cut)
        key_of = _key_function([endpoint.group_fields[f] for f in group_by])
        groups = _aggregate(rows, key_of, endpoint.values, filters)
        results = [self._result(endpoint, group_by, key, values) for key, values in sorted(groups.items())]
        return {"object": "bucket", "start_time": start, "end_time": end, "results": results}

    def _result(self, endpoint: UsageEndpoint, group_by: list[str], key: tuple[int, ...], values: list[int]) -> JSON:
        fields: JSON = dict.fromkeys(endpoint.group_fields)
        for name, index in zip(group_by, key, strict=True):
            fields[name] = self._field_value(endpoint, name, index)
        if endpoint.render is not None:
            return endpoint.render(endpoint, values, fields, group_by)
        counters = {name: value for (name, _index), value in zip(endpoint.counters, values, strict=True)}
        return {"object": endpoint.object, **counters, **fields}

    def _field_value(self, endpoint: UsageEndpoint, name: str, index: int) -> str | bool | None:
        org = self.org
        if name == "project_id":
            return org.projects[index].id
        if name == "user_id":
            return None if index < 0 else org.users[index].id
        if name == "api_key_id":
            return org.api_keys[index].id
        if name == "vector_store_id":
            return org.usage.vector_stores[index].id
        if name == "batch":
            return bool(index)
        return endpoint.names[name][index]


def _aggregate(
    rows: list[Record],
    key_of: Callable[[Record], tuple[int, ...]],
    values: tuple[int, ...],
    filters: list[tuple[int, set[int]]],
) -> dict[tuple[int, ...], list[int]]:
    """Sum the value columns of `rows` per group key, skipping rows that fail a filter."""
    out: dict[tuple[int, ...], list[int]] = {}
    get_values = itemgetter(*values)
    single = len(values) == 1
    for row in rows:
        if filters and not all(row[i] in allowed for i, allowed in filters):
            continue
        key = key_of(row)
        vals = (get_values(row),) if single else get_values(row)
        acc = out.get(key)
        if acc is None:
            out[key] = list(vals)
        else:
            for j, v in enumerate(vals):
                acc[j] += v
    return out


def _key_function(indices: Sequence[int]) -> Callable[[Record], tuple[int, ...]]:
    if not indices:
        return lambda _row: ()
    if len(indices) == 1:
        i = indices[0]
        return lambda row: (row[i],)
    return itemgetter(*indices)
