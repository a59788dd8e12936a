"""The cache of closed periods: a repeated range asks for nothing, an overlapping one only for the windows it lacks,
open buckets and the 48-hour boundary, eviction at the bound, `0` turns it off, two keys never share, and through
the tools a repeated 90-day question makes one request and says what came from memory."""

from __future__ import annotations

import math
import zlib
from typing import Any

import pydantic_core
import pytest
from mcp import Client

from codex_mcp.client.cache import ENTRY_OVERHEAD_BYTES, BucketCache
from codex_mcp.models import UsageQuery
from codex_mcp.server import create_server
from tests.conftest import make_settings, result_text
from tests.usage_api import DAY, HOUR, MIB, NOW, TODAY, UsageAPI, expected_windows, usage_client


def days(first: int, last: int) -> UsageQuery:
    """Daily completions from `first` to `last` days before today (UTC), grouped by model."""
    return UsageQuery(TODAY - first * DAY, TODAY - last * DAY, "1d", ["model"])


# ---- through the client ----------------------------------------------------------------------------------------


async def test_a_repeated_closed_range_asks_for_nothing() -> None:
    api = UsageAPI()
    async with usage_client(api) as client:
        first = await client.usage("completions", days(60, 10))
        assert api.windows == expected_windows(TODAY - 60 * DAY, TODAY - 10 * DAY, DAY, 31)
        again = await client.usage("completions", days(60, 10))

    assert api.requests == 2
    assert (again.pages, again.cached_buckets, first.cached_buckets) == (0, 50, 0)
    assert [b.model_dump() for b in again.buckets] == [b.model_dump() for b in first.buckets]


async def test_an_overlapping_range_asks_only_for_the_windows_it_lacks() -> None:
    api = UsageAPI()
    async with usage_client(api) as client:
        await client.usage("completions", days(100, 40))
        asked = len(api.windows)
        overlapping = await client.usage("completions", days(70, 5))
    async with usage_client(UsageAPI(), cache_mb=0) as fresh:
        reference = await fresh.usage("completions", days(70, 5))

    # Days 70-40 before today are at hand; days 40-5 are asked for, in windows of 31 from their first day.
    assert api.windows[asked:] == [(TODAY - 40 * DAY, TODAY - 9 * DAY), (TODAY - 9 * DAY, TODAY - 5 * DAY)]
    assert (overlapping.pages, overlapping.cached_buckets) == (2, 30)
    assert [b.model_dump() for b in overlapping.buckets] == [b.model_dump() for b in reference.buckets]


async def test_open_buckets_are_asked_for_again_and_the_rest_comes_from_memory() -> None:
    """Now is 10:30: hourly buckets ending before 10:30 two days ago are closed, the later ones are asked again."""
    api = UsageAPI()
    query = UsageQuery(NOW - 4 * DAY - NOW % HOUR, NOW, "1h", ["project_id"])
    async with usage_client(api) as client:
        await client.usage("completions", query)
        asked = len(api.windows)
        again = await client.usage("completions", query)

    first_open = TODAY - 2 * DAY + 10 * HOUR  # [10:00, 11:00) two days ago ends after 10:30
    assert api.windows[asked:] == [(first_open, NOW)]
    assert again.cached_buckets == (first_open - query.start_time) // HOUR
    assert len(again.buckets) == 4 * 24 + 1


@pytest.mark.parametrize(("now", "asked_from"), [(TODAY, TODAY - 3 * DAY), (TODAY + 1, TODAY - 2 * DAY)])
async def test_a_bucket_is_kept_only_once_it_ended_more_than_48_hours_ago(now: int, asked_from: int) -> None:
    """At midnight, the day that ended exactly 48 hours ago is still open; one second later it is closed."""
    api = UsageAPI()
    query = UsageQuery(TODAY - 10 * DAY, TODAY, "1d")
    async with usage_client(api, clock=now) as client:
        await client.usage("completions", query)
        again = await client.usage("completions", query)

    assert api.windows == [(TODAY - 10 * DAY, TODAY), (asked_from, TODAY)]
    assert again.cached_buckets == (asked_from - query.start_time) // DAY


async def test_zero_turns_the_cache_off() -> None:
    api = UsageAPI()
    async with usage_client(api, clock=None, cache_mb=0) as client:
        assert not client.bucket_cache.enabled
        await client.usage("completions", days(60, 10))
        again = await client.usage("completions", days(60, 10))
    assert api.windows == 2 * expected_windows(TODAY - 60 * DAY, TODAY - 10 * DAY, DAY, 31)
    assert again.cached_buckets == 0


async def test_the_settings_size_the_cache() -> None:
    async with usage_client(UsageAPI(), clock=None, cache_mb=3) as client:
        assert client.bucket_cache.max_bytes == 3 * MIB


async def test_two_keys_never_share_what_was_cached() -> None:
    """Partitioned by the Authorization each request will use: another key in settings, or the header a gateway
    would put on the request, finds nothing the first key fetched."""
    api = UsageAPI()
    first = usage_client(api, admin_key="sk-admin-FIRSTKEY0123456789")
    second = usage_client(api, admin_key="sk-admin-SECONDKEY012345678")
    second.bucket_cache = first.bucket_cache  # even one cache shared by both clients
    async with first, second:
        await first.usage("completions", days(60, 10))
        other_key = await second.usage("completions", days(60, 10))
        same_key = await first.usage("completions", days(60, 10))
        first._authorization = lambda: "Bearer sk-admin-PERREQUESTKEY0123"  # type: ignore[method-assign]
        gateway_key = await first.usage("completions", days(60, 10))

    assert (other_key.pages, other_key.cached_buckets) == (2, 0)
    assert (same_key.pages, same_key.cached_buckets) == (0, 50)
    assert (gateway_key.pages, gateway_key.cached_buckets) == (2, 0)
    assert api.requests == 6
    assert api.keys[-1] == "Bearer sk-admin-PERREQUESTKEY0123"


async def test_filters_grouping_and_width_are_part_of_the_key_but_their_order_is_not() -> None:
    api = UsageAPI()
    base = UsageQuery(TODAY - 40 * DAY, TODAY - 10 * DAY, "1d", ["model", "project_id"], {"batch": True})
    async with usage_client(api) as client:
        await client.usage("completions", base)
        reordered = await client.usage(
            "completions", UsageQuery(base.start_time, base.end_time, "1d", ["project_id", "model"], {"batch": True})
        )
        other_filter = await client.usage(
            "completions", UsageQuery(base.start_time, base.end_time, "1d", ["model", "project_id"], {"batch": False})
        )
        other_grouping = await client.usage("completions", UsageQuery(base.start_time, base.end_time, "1d", ["model"]))
        other_endpoint = await client.usage(
            "embeddings", UsageQuery(base.start_time, base.end_time, "1d", ["model", "project_id"])
        )
    assert reordered.cached_buckets == 30
    assert other_filter.cached_buckets == other_grouping.cached_buckets == other_endpoint.cached_buckets == 0


# ---- the cache itself ------------------------------------------------------------------------------------------


def bucket(start: int, value: int = 1, width: int = DAY) -> dict[str, Any]:
    return {"object": "bucket", "start_time": start, "end_time": start + width, "results": [{"n": value}]}


def run(first_day: int, count: int) -> list[dict[str, Any]]:
    return [bucket(TODAY - (first_day - i) * DAY, first_day * 1000 + i) for i in range(count)]


def compressed_size(buckets: list[dict[str, Any]]) -> int:
    return len(zlib.compress(pydantic_core.to_json(buckets, inf_nan_mode="constants"), 1)) + ENTRY_OVERHEAD_BYTES


def test_each_run_is_counted_as_its_compressed_bytes_and_the_least_recently_used_go_first() -> None:
    a, b, c = run(90, 20), run(60, 20), run(30, 20)
    sizes = [compressed_size(r) for r in (a, b, c)]
    cache = BucketCache(sizes[0] + sizes[1] + sizes[2] - 1, clock=lambda: NOW)
    for buckets in (a, b):
        cache.put("p", buckets, TODAY - 100 * DAY, TODAY, DAY)
    assert (len(cache), cache.size_bytes) == (2, sizes[0] + sizes[1])

    assert len(cache.get("p", TODAY - 90 * DAY, TODAY - 89 * DAY, DAY)) == 1  # a is now used more recently than b
    cache.put("p", c, TODAY - 100 * DAY, TODAY, DAY)

    assert cache.size_bytes == sizes[0] + sizes[2] <= cache.max_bytes
    assert sorted(cache.get("p", TODAY - 100 * DAY, TODAY, DAY)) == sorted(x["start_time"] for x in [*a, *c])


def test_a_run_larger_than_the_whole_cache_is_not_kept() -> None:
    buckets = run(90, 20)
    cache = BucketCache(compressed_size(buckets) - 1, clock=lambda: NOW)
    assert cache.put("p", buckets, TODAY - 100 * DAY, TODAY, DAY) == 20  # closed: offered, but too big to keep
    assert (len(cache), cache.size_bytes) == (0, 0)


@pytest.mark.parametrize(
    ("buckets", "kept"),
    [
        pytest.param([bucket(TODAY - 5 * DAY), bucket(TODAY - 5 * DAY)], 0, id="a-bucket-twice-keeps-nothing"),
        pytest.param([bucket(TODAY - 5 * DAY), {**bucket(TODAY - 4 * DAY), "end_time": TODAY}], 1, id="cut-short"),
        pytest.param([bucket(TODAY - 5 * DAY + HOUR)], 0, id="not-aligned"),
        pytest.param([bucket(TODAY - 11 * DAY)], 0, id="outside-the-window"),
        pytest.param([bucket(TODAY - 5 * DAY), bucket(TODAY - 3 * DAY)], 2, id="two-runs"),
    ],
)
def test_only_whole_closed_buckets_of_the_window_are_kept(buckets: list[dict[str, Any]], kept: int) -> None:
    cache = BucketCache(MIB, clock=lambda: NOW)
    assert cache.put("p", buckets, TODAY - 10 * DAY, TODAY, DAY) == kept
    assert len(cache.get("p", TODAY - 10 * DAY, TODAY, DAY)) == kept


def test_a_cached_bucket_is_exactly_the_bucket_that_came() -> None:
    """What json read from the answer (NaN, huge integers, floats at the edges, odd text) comes back the same."""
    values = {"nan": math.nan, "inf": -math.inf, "big": 2**70, "tiny": 5e-324, "third": 1 / 3, "text": 'a\u2028"b'}
    sent = [{**bucket(TODAY - 5 * DAY), "results": [values], "extra": {"nested": [1, None, True]}}]
    cache = BucketCache(MIB, clock=lambda: NOW)
    cache.put("p", sent, TODAY - 10 * DAY, TODAY, DAY)
    [back] = cache.get("p", TODAY - 10 * DAY, TODAY, DAY).values()
    assert repr(back) == repr(sent[0])


def test_replacing_an_overlapping_run_keeps_the_accounting_exact() -> None:
    cache = BucketCache(MIB, clock=lambda: NOW)
    cache.put("p", run(20, 10), TODAY - 30 * DAY, TODAY, DAY)
    cache.put("p", run(15, 10), TODAY - 30 * DAY, TODAY, DAY)  # two calls fetched the same days at once
    assert (len(cache), cache.size_bytes) == (1, compressed_size(run(15, 10)))
    cache.clear()
    assert (len(cache), cache.size_bytes) == (0, 0)


# ---- through the tools -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tool", "windows"), [("codex_get_completions_usage", 3), ("codex_get_cost_breakdown", 1)])
async def test_a_repeated_90_day_question_makes_one_request_and_says_what_came_from_memory(
    tool: str, windows: int
) -> None:
    """On the real clock: the last three days are open (yesterday ended under 48 hours ago), the rest is kept."""
    api = UsageAPI(live=True)
    server = create_server(make_settings(), transport=api.transport())
    async with Client(server) as client:
        first = await client.call_tool(tool, {"start_time": "90d"})
        asked = api.requests
        second = await client.call_tool(tool, {"start_time": "90d"})

    assert first.is_error is not True, result_text(first)[:300]
    assert second.is_error is not True, result_text(second)[:300]
    before, after = first.structured_content, second.structured_content
    assert before is not None
    assert after is not None
    assert (asked, api.requests - asked) == (windows, 1)
    assert "cached_buckets" not in before
    assert (after["pages_fetched"], after["cached_buckets"], after["bucket_count"]) == (1, 88, 91)
    assert any(note.startswith("88 of 91 buckets came from memory") for note in after["notes"])
    assert after["totals"] == before["totals"]
    assert after["buckets"]["rows"][:-3] == before["buckets"]["rows"][:-3]
