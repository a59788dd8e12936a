"""Property: for random ranges, widths, filters and groupings, the concurrent windows (with the cache holding part of
the range from an earlier, overlapping question) give the same report as one plain sequential walk of the pages."""

from __future__ import annotations

from typing import Any

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_mcp.client.usage import usage_params
from codex_mcp.models import BucketSeries, UsageQuery
from codex_mcp.usage_endpoints import USAGE_ENDPOINTS, WIDTH_SECONDS
from codex_mcp.usage_report import ReportData
from tests.usage_api import NOW, UsageAPI, simulator, usage_client

KINDS = ("completions", "embeddings", "images", "web_search_calls", "code_interpreter_sessions", "costs")
# Most buckets one example asks for, per width: enough for several windows, few enough to stay quick.
MOST_BUCKETS = {"1d": 400, "1h": 700, "1m": 3200}
FILTER_VALUES: dict[str, list[Any]] = {
    "models": ["gpt-4o", "gpt-4o-mini", "o3", "text-embedding-3-small", "gpt-image-1", "no-such-model"],
    "sources": ["image.generation", "image.edit", "image.variation"],
    "sizes": ["1024x1024", "1792x1792"],
    "context_levels": ["low", "medium", "high"],
}


@st.composite
def questions(draw: st.DrawFn) -> tuple[str, UsageQuery, UsageQuery]:
    """A kind and two queries of the same shape (width, filters, grouping): the first fills the cache, the second
    (overlapping it, or not) is the one compared."""
    kind = draw(st.sampled_from(KINDS))
    endpoint = USAGE_ENDPOINTS[kind]
    width = draw(st.sampled_from(endpoint.widths))
    seconds = WIDTH_SECONDS[width]
    org = simulator().org
    filters: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(endpoint.filters), unique=True, max_size=2)):
        if name == "batch":
            filters[name] = draw(st.booleans())
        elif name == "project_ids":
            filters[name] = draw(st.lists(st.sampled_from([p.id for p in org.projects[:8]]), min_size=1, max_size=3))
        elif name == "api_key_ids":
            filters[name] = draw(st.lists(st.sampled_from([k.id for k in org.api_keys[:8]]), min_size=1, max_size=3))
        elif name == "user_ids":
            filters[name] = draw(st.lists(st.sampled_from([u.id for u in org.users[:8]]), min_size=1, max_size=3))
        elif name in FILTER_VALUES:
            filters[name] = draw(st.lists(st.sampled_from(FILTER_VALUES[name]), min_size=1, max_size=3))
    group_by = draw(st.lists(st.sampled_from(endpoint.group_by), unique=True, max_size=2))

    inside_a_bucket = st.one_of(st.just(0), st.integers(0, seconds - 1))

    def query() -> UsageQuery:
        buckets = draw(st.integers(1, MOST_BUCKETS[width]))
        ends_before_now = draw(st.integers(0, MOST_BUCKETS[width])) * seconds
        end = NOW - ends_before_now - draw(inside_a_bucket)  # NOW itself is 10:30, inside an hour and a day
        start = end - buckets * seconds + draw(inside_a_bucket)
        return UsageQuery(start, end, width, group_by, filters)

    return kind, query(), query()


def tables(kind: str, query: UsageQuery, series: BucketSeries) -> dict[str, Any]:
    """Everything a report is made of: totals and every table, at the bucket width and rolled up a step."""
    endpoint = USAGE_ENDPOINTS[kind]
    data = ReportData.of(
        series,
        start_time=query.start_time,
        end_time=query.end_time,
        bucket_width=query.bucket_width,
        group_by=query.group_by,
        filters=dict(query.filters),
        units=endpoint.units,
        sort_key=endpoint.sort_key,
        include_group_rows=True,
        lag_s=endpoint.lag_s,
        now=NOW,
    )
    wider = {"1m": "1h", "1h": "1d", "1d": "1w"}[query.bucket_width]
    shown: dict[str, Any] = {"totals": data.totals, "starts": data.starts, "problems": data.all_notes()}
    for width in (query.bucket_width, wider):
        shown[f"buckets {width}"] = data.bucket_table(width).model_dump()
        if query.group_by:
            shown[f"group rows {width}"] = data.group_rows_table(width).model_dump()
    if query.group_by:
        shown["groups"] = data.groups_table().model_dump()
    return shown


async def compare(kind: str, warm: UsageQuery, query: UsageQuery) -> None:
    endpoint = USAGE_ENDPOINTS[kind]
    limit = endpoint.page_limit(query.bucket_width)
    async with usage_client(UsageAPI()) as client:
        for asked in (warm, query):  # the first leaves its closed buckets in the cache for the second
            windowed = await client.usage(kind, asked)
            walked = await client.fetch_all_buckets(endpoint.path, usage_params(asked), page_limit=limit)
            if asked is warm:  # nothing at hand: the fewest requests, as many as the walk's pages
                assert (windowed.pages, windowed.cached_buckets) == (walked.pages, 0)
            shown, expected = tables(kind, asked, windowed), tables(kind, asked, walked)
            cached_note = [note for note in shown["problems"] if "came from memory" in note]
            shown["problems"] = [note for note in shown["problems"] if note not in cached_note]
            assert shown == expected
            assert bool(cached_note) == (windowed.cached_buckets > 0)


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(questions())
def test_concurrent_windows_and_the_cache_give_the_report_of_a_sequential_walk(
    question: tuple[str, UsageQuery, UsageQuery],
) -> None:
    anyio.run(compare, *question)
