"""Usage ranges fetched in concurrent windows: the exact windows asked for, the fewest requests, buckets merged in
order, pages followed inside a window, all or nothing when a window fails, every window abandoned on cancel, and never
more requests in flight than the bound; and long ranges through the tools."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from codex_mcp.client import AdminClient
from codex_mcp.client.usage import usage_params
from codex_mcp.client.windows import Window, plan_windows
from codex_mcp.demo import Fault
from codex_mcp.errors import BadRequestError
from codex_mcp.models import UsageQuery
from codex_mcp.server import create_server
from tests.conftest import make_settings, result_text
from tests.held_api import eventually
from tests.loopback import FaultScript, loopback_settings, path_contains, running_loopback
from tests.usage_api import DAY, HOUR, MINUTE, NOW, TODAY, UsageAPI, expected_windows, usage_client

BASE = TODAY - 200 * DAY


@pytest.mark.parametrize(
    ("start", "end", "width", "limit", "have", "windows"),
    [
        pytest.param(BASE, BASE + 90 * DAY, DAY, 31, (), [(0, 31), (31, 62), (62, 90)], id="90-days"),
        pytest.param(BASE, BASE + 31 * DAY, DAY, 31, (), [(0, 31)], id="one-page-exactly"),
        pytest.param(BASE, BASE + 10 * DAY, DAY, 31, {3, 4}, [(0, 3), (5, 10)], id="a-hole-at-hand"),
        pytest.param(BASE, BASE + 10 * DAY, DAY, 3, {4}, [(0, 3), (3, 4), (5, 8), (8, 10)], id="runs-cut-by-limit"),
        pytest.param(BASE, BASE + 3 * DAY, DAY, 31, {0, 1, 2}, [], id="all-at-hand"),
    ],
)
def test_plan_windows_in_days(
    start: int, end: int, width: int, limit: int, have: set[int], windows: list[tuple[int, int]]
) -> None:
    at_hand = {BASE + day * DAY for day in have}
    assert plan_windows(start, end, width, limit, at_hand) == [
        Window(BASE + first * DAY, BASE + last * DAY) for first, last in windows
    ]


def test_plan_windows_keep_an_unaligned_start_and_end() -> None:
    """The first window asks from the start given (the API aligns its bucket down), the last up to the end given."""
    start, end = BASE + 5 * HOUR, BASE + 2 * DAY + 7 * HOUR
    assert plan_windows(start, end, DAY, 1) == [
        Window(start, BASE + DAY),
        Window(BASE + DAY, BASE + 2 * DAY),
        Window(BASE + 2 * DAY, end),
    ]
    # The first bucket starts before `start`, so it is never one at hand: it is always asked for.
    assert plan_windows(start, end, DAY, 31, {BASE, BASE + DAY, BASE + 2 * DAY}) == [
        Window(start, BASE + DAY),
        Window(BASE + 2 * DAY, end),
    ]
    assert plan_windows(end, start, DAY, 31) == [Window(end, start)]  # the API says what is wrong with it


@pytest.mark.parametrize(
    ("kind", "width", "seconds", "start", "windows"),
    [
        pytest.param("completions", "1h", HOUR, TODAY - 365 * DAY, 53, id="one-year-hourly"),
        pytest.param("completions", "1h", HOUR, NOW - 120 * DAY - NOW % HOUR, 18, id="120-days-hourly"),
        pytest.param("embeddings", "1d", DAY, TODAY - 730 * DAY, 24, id="two-years-daily"),
        pytest.param("costs", "1d", DAY, TODAY - 730 * DAY, 5, id="two-years-of-costs"),
        pytest.param("moderations", "1m", MINUTE, NOW - 7 * DAY, 7, id="a-week-of-minutes"),
    ],
)
async def test_a_range_takes_the_fewest_windows_and_merges_them_in_order(
    kind: str, width: str, seconds: int, start: int, windows: int
) -> None:
    api = UsageAPI()
    limit = {"1h": 168, "1m": 1440, "1d": 180 if kind == "costs" else 31}[width]
    async with usage_client(api, cache_mb=0) as client:
        series = await client.usage(kind, UsageQuery(start, NOW, width))

    planned = expected_windows(start, NOW, seconds, limit)
    assert len(planned) == windows == series.pages
    assert sorted(api.windows) == planned  # each window asks for its own start and end, once
    assert all(dict(query)["limit"] == str(limit) for query in api.queries)
    starts = [bucket.start_time for bucket in series.buckets]
    assert starts == list(range(start - start % seconds, NOW, seconds))  # every bucket, once, in time order
    assert series.cached_buckets == 0


async def test_merged_windows_equal_the_sequential_walk() -> None:
    api = UsageAPI()
    query = UsageQuery(TODAY - 100 * DAY, NOW, "1d", ["model", "project_id"], {"batch": False})
    async with usage_client(api, cache_mb=0) as client:
        windowed = await client.usage("completions", query)
        walked = await client.fetch_all_buckets("/organization/usage/completions", usage_params(query), page_limit=31)
    assert [bucket.model_dump() for bucket in windowed.buckets] == [bucket.model_dump() for bucket in walked.buckets]
    assert windowed.pages == walked.pages == 4


async def test_a_window_the_api_pages_anyway_is_followed_to_its_end_with_progress_for_every_page() -> None:
    """The API answers 10 buckets a page, so each window of 31 days takes 4 pages (the last 3 of 28 days takes 3)."""
    api = UsageAPI(page_limit=10)
    progress: list[int] = []

    async def on_page(pages: int) -> None:
        progress.append(pages)

    start = TODAY - 120 * DAY
    async with usage_client(api, cache_mb=0) as client:
        series = await client.usage("completions", UsageQuery(start, start + 90 * DAY, "1d"), on_page=on_page)

    assert series.pages == api.requests == 4 + 4 + 3
    assert sorted(set(api.windows)) == expected_windows(start, start + 90 * DAY, DAY, 31)
    pages = [dict(query).get("page") for query in api.queries]
    assert pages.count(None) == 3  # one first page per window; the others follow next_page
    assert progress == list(range(1, 12))  # one report per page, the count only growing
    assert [bucket.start_time for bucket in series.buckets] == list(range(start, start + 90 * DAY, DAY))


async def test_a_failing_window_fails_the_call_and_is_named() -> None:
    start = TODAY - 120 * DAY
    second = start + 31 * DAY
    api = UsageAPI(fail=lambda window_start: 400 if window_start == second else None)
    async with usage_client(api, cache_mb=0, max_concurrency=1) as client:
        with pytest.raises(BadRequestError) as raised:
            await client.usage("completions", UsageQuery(start, start + 90 * DAY, "1d"))

    assert api.windows == expected_windows(start, start + 90 * DAY, DAY, 31)[:2]  # window 3 never asked
    text = raised.value.describe()
    assert "Window" in text
    assert "on window 2 of 3 (2025-12-16T00:00:00Z to 2026-01-16T00:00:00Z)" in text
    assert "the other windows were cancelled or discarded" in text


async def test_a_failing_window_is_a_tool_error_with_nothing_partial() -> None:
    start = TODAY - 120 * DAY
    api = UsageAPI(fail=lambda window_start: 400 if window_start == start + 62 * DAY else None)
    server = create_server(make_settings(), transport=api.transport())
    async with Client(server) as client:
        result = await client.call_tool(
            "codex_get_completions_usage", {"start_time": start, "end_time": start + 90 * DAY, "group_by": ["model"]}
        )
    assert result.is_error
    assert result.structured_content is None
    assert "on window 3 of 3 (2026-01-16T00:00:00Z to 2026-02-13T00:00:00Z)" in result_text(result)
    assert sorted(api.windows) == expected_windows(start, start + 90 * DAY, DAY, 31)


async def test_by_default_120_days_hourly_are_two_rounds_of_16_windows_in_flight() -> None:
    """The shipped bound: 120 days hourly (2,880 buckets, 18 windows of 168) go out 16 at once, then the last 2."""
    api = UsageAPI(hold=True)
    start = TODAY - 120 * DAY
    async with usage_client(api, cache_mb=0) as client, anyio.create_task_group() as group:
        group.start_soon(client.usage, "completions", UsageQuery(start, TODAY, "1h"))
        await eventually(lambda: len(api.held) == 16)
        await anyio.sleep(0.05)
        assert api.requests == 16, "no more than the bound in flight"
        api.release.set()
    assert api.requests == 18
    assert sorted(api.windows) == expected_windows(start, TODAY, HOUR, 168)


async def test_a_cancelled_fan_out_abandons_every_window_in_flight_and_asks_for_no_more() -> None:
    api = UsageAPI(hold=True)
    start = TODAY - 150 * DAY  # 5 windows, 3 at a time
    async with usage_client(api, max_concurrency=3) as client:
        async with anyio.create_task_group() as group:
            group.start_soon(client.usage, "completions", UsageQuery(start, TODAY, "1d"))
            await eventually(lambda: len(api.held) == 3)
            group.cancel_scope.cancel()
        assert sorted(api.abandoned) == sorted(api.held) == expected_windows(start, TODAY, DAY, 31)[:3]
        assert api.requests == 3

        api.release.set()
        series = await client.usage("completions", UsageQuery(start, TODAY, "1d"))
    assert len(series.buckets) == 150


async def test_a_cancelled_tool_call_abandons_its_windows_and_the_next_call_is_served() -> None:
    api = UsageAPI(hold=True)
    arguments = {"start_time": TODAY - 150 * DAY, "end_time": TODAY}
    server = create_server(make_settings(max_concurrency=2), transport=api.transport())
    async with Client(server, mode="legacy") as client:
        async with anyio.create_task_group() as calls:
            calls.start_soon(client.call_tool, "codex_get_completions_usage", arguments)
            await eventually(lambda: len(api.held) == 2)
            calls.cancel_scope.cancel()
        await eventually(lambda: len(api.abandoned) == 2)
        assert sorted(api.abandoned) == sorted(api.held)
        api.release.set()
        result = await client.call_tool("codex_get_completions_usage", arguments)
    assert result.is_error is not True, result_text(result)[:300]
    assert api.requests == 2 + 5


async def test_never_more_requests_in_flight_than_the_bound_over_real_http() -> None:
    start = NOW - 60 * DAY  # hourly: 1441 buckets, 9 windows
    with running_loopback(delay_s=0.02) as server:
        settings = loopback_settings(server, max_concurrency=3, cache_mb=0)
        async with AdminClient(settings) as client:
            series = await client.usage("completions", UsageQuery(start, NOW, "1h"))
    assert server.request_count == series.pages == 9
    assert 1 <= server.max_in_flight <= 3


async def test_a_429_in_one_window_is_waited_out_and_asks_for_the_same_window_again() -> None:
    script = FaultScript(None, Fault(status=429, headers={"Retry-After": "0"}), match=path_contains("/usage/"))
    start = NOW - 60 * DAY
    with running_loopback(fault=script) as server:
        async with AdminClient(loopback_settings(server, cache_mb=0)) as client:
            series = await client.usage("completions", UsageQuery(start, NOW, "1h"))
    assert server.request_count == 9 + 1
    assert series.pages == 9
    repeated = [line for line in script.seen if script.seen.count(line) == 2]
    assert len(repeated) == 2, "the window that got the 429, asked twice"
    assert len(set(script.seen)) == 9


# ---- long ranges through the tools ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "pages", "buckets", "condensed"),
    [
        pytest.param(
            "codex_get_completions_usage",
            {"start_time": TODAY - 365 * DAY, "end_time": TODAY, "bucket_width": "1h", "group_by": ["model"]},
            53,
            365 * 24,
            True,
            id="one-year-hourly-by-model",
        ),
        pytest.param(
            "codex_get_cost_breakdown",
            {"start_time": TODAY - 730 * DAY, "end_time": TODAY, "group_by": ["project_id"]},
            5,
            730,
            False,
            id="two-years-of-daily-costs",
        ),
        pytest.param(
            "codex_get_embeddings_usage",
            {"start_time": NOW - 7 * DAY, "end_time": NOW, "bucket_width": "1m"},
            7,
            7 * 1440,
            True,
            id="a-week-of-minutes",
        ),
    ],
)
async def test_long_ranges_are_answered_whole_and_shaped_by_the_budget(
    tool: str, arguments: dict[str, Any], pages: int, buckets: int, condensed: bool
) -> None:
    api = UsageAPI()
    server = create_server(make_settings(), transport=api.transport())
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error is not True, result_text(result)[:500]
    out = result.structured_content
    assert out is not None
    assert (out["pages_fetched"], out["bucket_count"], api.requests) == (pages, buckets, pages)
    assert ("condensed" in out) is condensed
    if condensed:  # rolled up to a wider width to fit the budget, every figure still an exact sum
        assert out["buckets"]["width"] != arguments["bucket_width"]
        assert "rolled up" in out["condensed"]["steps"][0]
