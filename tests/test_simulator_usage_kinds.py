"""The seven other usage endpoints (moderations, images, audio, vector stores, file and web search) follow the spec."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.demo.sample_org import DAY
from tests.conftest import load_spec
from tests.simulator_support import (
    TODAY,
    Pairs,
    error_of,
    get,
    ok,
    schema_errors,
    simulator_fixtures,
    walk_buckets,
)

WEEK = [("start_time", TODAY - 7 * DAY), ("end_time", TODAY)]
# kind -> (result object, counters)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "moderations": ("organization.usage.moderations.result", ("input_tokens", "num_model_requests")),
    "images": ("organization.usage.images.result", ("images", "num_model_requests")),
    "audio_speeches": ("organization.usage.audio_speeches.result", ("characters", "num_model_requests")),
    "audio_transcriptions": ("organization.usage.audio_transcriptions.result", ("seconds", "num_model_requests")),
    "vector_stores": ("organization.usage.vector_stores.result", ("usage_bytes",)),
    "file_search_calls": ("organization.usage.file_searches.result", ("num_requests",)),
    "web_search_calls": ("organization.usage.web_searches.result", ("num_model_requests", "num_requests")),
}


sim, client = simulator_fixtures("module")


def spec_query(kind: str) -> dict[str, dict[str, Any]]:
    """The query parameters the spec lists for a usage operation, by name, with their schemas."""
    operation = load_spec()["paths"][f"/organization/usage/{kind}"]["get"]
    return {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}


def group_by_values(kind: str) -> list[str]:
    values: list[str] = spec_query(kind)["group_by"]["items"]["enum"]
    return values


def results(page: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for bucket in page["data"] for r in bucket["results"]]


def totals(rows: list[dict[str, Any]], counters: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(sum(r[c] for r in rows) for c in counters)


@pytest.mark.parametrize("kind", KINDS)
def test_every_group_by_of_the_spec_gives_the_spec_result_shape(client: httpx.Client, kind: str) -> None:
    obj, counters = KINDS[kind]
    path = f"/organization/usage/{kind}"
    every = group_by_values(kind)
    page = ok(client, path, [*WEEK, *(("group_by", g) for g in every)])
    assert schema_errors("GET", path, page) == []
    rows = results(page)
    assert rows, f"no {kind} usage in the last week"
    assert {r["object"] for r in rows} == {obj}
    assert all(r[g] is not None for r in rows for g in every if g != "user_id")  # service-account keys have no user
    for bucket in page["data"]:
        keys = [tuple(r[g] for g in every) for r in bucket["results"]]
        assert len(keys) == len(set(keys))
    plain = ok(client, path, WEEK)
    assert schema_errors("GET", path, plain) == []
    assert all(len(b["results"]) <= 1 for b in plain["data"])
    assert all(r[g] is None for r in results(plain) for g in every)
    assert totals(results(plain), counters) == totals(rows, counters)
    for field in every:  # each grouping alone partitions the same totals
        by_one = results(ok(client, path, [*WEEK, ("group_by", field)]))
        assert totals(by_one, counters) == totals(rows, counters), field


@pytest.mark.parametrize("kind", KINDS)
def test_exactly_the_spec_query_parameters_are_accepted(
    client: httpx.Client, sim: AdminAPISimulator, kind: str
) -> None:
    path = f"/organization/usage/{kind}"
    known = spec_query(kind)
    samples: dict[str, str | int] = {
        "project_ids": sim.org.projects[3].id,
        "user_ids": sim.org.users[0].id,
        "api_key_ids": sim.org.api_keys[0].id,
        "vector_store_ids": "vs_nothing",
        "models": "no-such-model",
        "bucket_width": "1h",
        "limit": 2,
        "group_by": group_by_values(kind)[0],
    }
    for name, schema in known.items():
        if name in ("start_time", "end_time", "page"):
            continue
        enum = schema.get("items", schema).get("enum")
        value = enum[0] if enum else samples[name]
        assert get(client, path, [*WEEK, (name, value)]).status_code == 200, name
    every_filter = {"project_ids", "user_ids", "api_key_ids", "models", "vector_store_ids"}
    every_filter |= {"sources", "sizes", "context_levels", "batch"}
    for name in sorted(every_filter - set(known)):
        error = error_of(get(client, path, [*WEEK, (name, "x")]), 400)
        assert error["param"] == name
        assert error["code"] == "unknown_parameter"
    foreign = next(g for g in ("batch", "service_tier", "size", "context_level", "line_item") if g not in known)
    assert error_of(get(client, path, [*WEEK, ("group_by", foreign)]), 400)["param"] == "group_by"


@pytest.mark.parametrize(
    ("kind", "param", "value"),
    [
        ("images", "sizes", "640x480"),
        ("images", "sources", "image.upscale"),
        ("web_search_calls", "context_levels", "max"),
    ],
)
def test_enumerated_filters_reject_values_outside_the_spec(
    client: httpx.Client, kind: str, param: str, value: str
) -> None:
    error = error_of(get(client, f"/organization/usage/{kind}", [*WEEK, (param, value)]), 400)
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("kind", "param", "field"),
    [
        ("images", "sizes", "size"),
        ("images", "sources", "source"),
        ("web_search_calls", "context_levels", "context_level"),
        ("file_search_calls", "vector_store_ids", "vector_store_id"),
        ("moderations", "models", "model"),
        ("audio_speeches", "project_ids", "project_id"),
        ("vector_stores", "project_ids", "project_id"),
    ],
)
def test_filters_select_their_group(client: httpx.Client, kind: str, param: str, field: str) -> None:
    path = f"/organization/usage/{kind}"
    _obj, counters = KINDS[kind]
    grouped = results(ok(client, path, [*WEEK, ("group_by", field)]))
    values = sorted({r[field] for r in grouped})
    assert len(values) >= 2, f"{kind} needs variety in {field}"
    chosen = values[:2]
    filtered = results(ok(client, path, [*WEEK, *((param, v) for v in chosen), ("group_by", field)]))
    assert {r[field] for r in filtered} == set(chosen)
    assert totals(filtered, counters) == totals([r for r in grouped if r[field] in chosen], counters)
    if param not in ("sizes", "sources", "context_levels"):  # ids and model names: unknown ones match nothing
        assert results(ok(client, path, [*WEEK, (param, "unknown-id")])) == []


@pytest.mark.parametrize("kind", KINDS)
def test_buckets_page_by_the_spec_limits(client: httpx.Client, kind: str) -> None:
    path = f"/organization/usage/{kind}"
    month = [("start_time", TODAY - 30 * DAY), ("end_time", TODAY)]
    buckets, pages = walk_buckets(client, path, [*month, ("limit", 7)])
    assert [b["start_time"] for b in buckets] == [TODAY - (30 - i) * DAY for i in range(30)]
    assert pages == 5
    assert len(ok(client, path, month)["data"]) == 7  # default for 1d
    hours = ok(client, path, [("start_time", TODAY - DAY), ("bucket_width", "1h")])
    assert len(hours["data"]) == 24  # default for 1h
    minutes = ok(client, path, [("start_time", TODAY - DAY), ("bucket_width", "1m")])
    assert len(minutes["data"]) == 60  # default for 1m
    for width, maximum in (("1d", 31), ("1h", 168), ("1m", 1440)):
        pairs: Pairs = [("start_time", TODAY - 40 * DAY), ("bucket_width", width)]
        assert len(ok(client, path, [*pairs, ("limit", maximum)])["data"]) == maximum
        assert error_of(get(client, path, [*pairs, ("limit", maximum + 1)]), 400)["param"] == "limit"
    assert error_of(get(client, path, [("start_time", TODAY), ("bucket_width", "1w")]), 400)["param"] == "bucket_width"
    assert error_of(get(client, path, [("limit", 3)]), 400)["param"] == "start_time"


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "vector_stores"])
def test_hourly_buckets_add_up_to_the_day(client: httpx.Client, kind: str) -> None:
    path = f"/organization/usage/{kind}"
    _obj, counters = KINDS[kind]
    day = TODAY - 4 * DAY
    daily = results(ok(client, path, [("start_time", day), ("end_time", day + DAY)]))
    hourly = results(ok(client, path, [("start_time", day), ("end_time", day + DAY), ("bucket_width", "1h")]))
    assert totals(hourly, counters) == totals(daily, counters)


def test_vector_store_bytes_are_a_daily_measure_that_grows(client: httpx.Client) -> None:
    month = ok(client, "/organization/usage/vector_stores", [("start_time", TODAY - 30 * DAY), ("limit", 30)])
    sizes = [b["results"][0]["usage_bytes"] for b in month["data"]]
    assert all(s > 10_000_000 for s in sizes)
    assert sizes == sorted(sizes)
    by_project = results(ok(client, "/organization/usage/vector_stores", [*WEEK, ("group_by", "project_id")]))
    assert len({r["project_id"] for r in by_project}) >= 3


def test_file_searches_name_vector_stores_of_their_own_project(client: httpx.Client) -> None:
    pairs = [*WEEK, ("group_by", "project_id"), ("group_by", "vector_store_id")]
    rows = results(ok(client, "/organization/usage/file_search_calls", pairs))
    stores: dict[str, set[str]] = {}
    for r in rows:
        assert r["vector_store_id"].startswith("vs_")
        stores.setdefault(r["vector_store_id"], set()).add(r["project_id"])
    assert all(len(projects) == 1 for projects in stores.values())
    stored = results(ok(client, "/organization/usage/vector_stores", [*WEEK, ("group_by", "project_id")]))
    assert {p for ps in stores.values() for p in ps} <= {r["project_id"] for r in stored}


def test_web_search_calls_count_at_least_one_search_per_model_request(client: httpx.Client) -> None:
    rows = results(ok(client, "/organization/usage/web_search_calls", [*WEEK, ("group_by", "context_level")]))
    assert {r["context_level"] for r in rows} == {"low", "medium", "high"}
    assert all(r["num_requests"] >= r["num_model_requests"] > 0 for r in rows)


def test_adding_the_other_kinds_left_completions_as_they_were(client: httpx.Client) -> None:
    """Figures of the three older kinds that an earlier version of the sample served (pinned)."""
    day = [("start_time", TODAY - 20 * DAY), ("end_time", TODAY - 19 * DAY)]
    [completions] = results(ok(client, "/organization/usage/completions", day))
    [embeddings] = results(ok(client, "/organization/usage/embeddings", day))
    assert (completions["num_model_requests"], embeddings["input_tokens"]) == PINNED_OLDER_KINDS


PINNED_OLDER_KINDS = (21849, 4935720)
