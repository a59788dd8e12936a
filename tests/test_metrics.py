"""codex_get_normalized_metrics over multi-page sources, its partial-failure behaviour, and compute_metrics itself."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from codex_mcp.errors import InternalServerError
from codex_mcp.metrics import UNAVAILABLE_FIELDS, CodingToolMetrics, compute_metrics
from codex_mcp.models import BucketSeries, UsageBucket, User
from tests.builders import pairs, usage_page
from tests.conftest import BASE_URL, TEST_KEY, call_tool, make_settings, result_text

DAY = 86400
NOV_1 = 1730419200  # 2024-11-01T00:00:00Z
DEC_1 = NOV_1 + 30 * DAY  # 2024-12-01T00:00:00Z
TOKEN = "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="
USAGE_URL = re.compile(re.escape(f"{BASE_URL}/organization/usage/completions?") + ".*")
COSTS_URL = re.compile(re.escape(f"{BASE_URL}/organization/costs?") + ".*")
USERS_URL = re.compile(re.escape(f"{BASE_URL}/organization/users?") + ".*")
MEMBERS = ["user-1", "user-2", "user-3", "user-4", "user-5"]


# ---- a 30-day organization -----------------------------------------------------------------------------------------
# user-1: gpt-4o every day (2 requests); user-2: gpt-4o-mini on even days (3 requests); user-3: a zero-request row on
# day 5 (not active); a service-account row without user_id on day 0 (7 requests, counted but not a user).
# Costs: 0.1 + 0.2 a day for 30 days = 9.0 exactly.


def row(model: str, user_id: str | None, requests: int, inp: int, out: int, cached: int) -> dict[str, Any]:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": inp,
        "output_tokens": out,
        "input_cached_tokens": cached,
        "num_model_requests": requests,
        "user_id": user_id,
        "model": model,
        "project_id": None,
        "api_key_id": None,
        "batch": None,
    }


def usage_day(i: int) -> dict[str, Any]:
    results = [row("gpt-4o", "user-1", 2, 100, 50, 10)]
    if i % 2 == 0:
        results.append(row("gpt-4o-mini", "user-2", 3, 30, 20, 0))
    if i == 5:
        results.append(row("gpt-4o-mini", "user-3", 0, 0, 0, 0))
    if i == 0:
        results.append(row("gpt-4o", None, 7, 70, 7, 0))
    return {"object": "bucket", "start_time": NOV_1 + i * DAY, "end_time": NOV_1 + (i + 1) * DAY, "results": results}


def cost_day(i: int) -> dict[str, Any]:
    results = [
        {"object": "organization.costs.result", "amount": {"value": v, "currency": "usd"}, "project_id": p}
        for v, p in ((0.1, "proj_a"), (0.2, "proj_b"))
    ]
    return {"object": "bucket", "start_time": NOV_1 + i * DAY, "end_time": NOV_1 + (i + 1) * DAY, "results": results}


def member(user_id: str) -> dict[str, Any]:
    return {
        "object": "organization.user",
        "id": user_id,
        "name": user_id,
        "email": f"{user_id}@example.com",
        "role": "reader",
        "added_at": 1711471533,
    }


def add_usage(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=USAGE_URL, json=usage_page([usage_day(i) for i in range(20)], TOKEN))
    httpx_mock.add_response(url=USAGE_URL, json=usage_page([usage_day(i) for i in range(20, 30)]))


def add_costs(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=COSTS_URL, json=usage_page([cost_day(i) for i in range(30)]))


def add_users(httpx_mock: HTTPXMock) -> None:
    first = {"object": "list", "data": [member(u) for u in MEMBERS[:3]], "last_id": "user-3", "has_more": True}
    httpx_mock.add_response(url=USERS_URL, json=first)
    last = {"object": "list", "data": [member(u) for u in MEMBERS[3:]], "last_id": "user-5", "has_more": False}
    httpx_mock.add_response(url=USERS_URL, json=last)


def requests_to(httpx_mock: HTTPXMock, url: re.Pattern[str]) -> list[httpx.Request]:
    return httpx_mock.get_requests(url=url)


async def metrics(arguments: dict[str, Any], **overrides: Any) -> Any:
    result = await call_tool(make_settings(**overrides), "codex_get_normalized_metrics", arguments)
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    return result.structured_content


USAGE_BY_MODEL = {
    "gpt-4o": {"requests": 60 + 7, "input_tokens": 3000 + 70, "output_tokens": 1500 + 7, "input_cached_tokens": 300},
    "gpt-4o-mini": {"requests": 45, "input_tokens": 450, "output_tokens": 300, "input_cached_tokens": 0},
}


# ---- through the tool ----------------------------------------------------------------------------------------------


async def test_thirty_days_from_every_page_of_every_source(httpx_mock: HTTPXMock) -> None:
    add_usage(httpx_mock)
    add_costs(httpx_mock)
    add_users(httpx_mock)

    out = await metrics({"start_time": "2024-11-01", "end_time": "2024-12-01"})

    span = [("start_time", str(NOV_1)), ("end_time", str(DEC_1)), ("bucket_width", "1d")]
    usage_1, usage_2 = requests_to(httpx_mock, USAGE_URL)
    assert pairs(usage_1) == [*span, ("group_by", "user_id"), ("group_by", "model"), ("limit", "31")]
    assert pairs(usage_2) == [*pairs(usage_1), ("page", TOKEN)]
    assert usage_2.url.query.decode().endswith(f"&page={TOKEN}")
    [costs] = requests_to(httpx_mock, COSTS_URL)
    assert pairs(costs) == [*span, ("limit", "180")]
    users_1, users_2 = requests_to(httpx_mock, USERS_URL)
    assert pairs(users_1) == [("limit", "100")]
    assert pairs(users_2) == [("limit", "100"), ("after", "user-3")]
    assert all(r.method == "GET" for r in httpx_mock.get_requests())
    assert all(r.headers["Authorization"] == f"Bearer {TEST_KEY}" for r in httpx_mock.get_requests())

    assert out["tool_name"] == "openai_codex"
    assert out["period"] == "2024-11-01/2024-11-30"
    assert out["total_chat_interactions"] == 112  # 30*2 + 15*3 + 0 + 7
    assert out["usage_by_model"] == USAGE_BY_MODEL
    assert list(out["usage_by_model"]) == ["gpt-4o", "gpt-4o-mini"]  # most requests first
    assert out["total_cost_usd"] == 9.0  # a float running sum gives 8.999999999999996
    assert out["total_seats"] == 5
    assert out["active_seats"] == 2  # user-3's zero-request row and the service account do not count
    assert out["inactive_seats"] == 3
    assert out["seat_utilization_pct"] == 40.0
    assert out["daily_active_users"] == 1.5  # (15 days x 2 users + 15 days x 1) / 30
    assert out["cost_per_user_usd"] == 4.5
    for field in UNAVAILABLE_FIELDS:
        assert field in out, f"{field} must be present (null), so every connector gives the same keys"
        assert out[field] is None
    assert set(out) == {*CodingToolMetrics.model_fields}, "the whole schema, in every result"
    meta = out["metadata"]
    assert set(meta["unavailable_fields"]) == {
        "total_suggestions",
        "total_acceptances",
        "acceptance_rate_pct",
        "total_lines_suggested",
        "total_lines_accepted",
        "cost_per_accepted_suggestion_usd",
        "usage_by_language",
        "usage_by_editor",
    }
    assert (meta["start_time_iso"], meta["end_time_iso"]) == ("2024-11-01T00:00:00Z", "2024-12-01T00:00:00Z")
    assert (meta["usage_days"], meta["usage_pages_fetched"], meta["cost_days"], meta["cost_pages_fetched"]) == (
        30,
        2,
        30,
        1,
    )
    assert meta["total_input_tokens"] == 3520
    assert meta["total_output_tokens"] == 1807
    assert meta["total_tokens"] == 3520 + 1807
    assert meta["distinct_active_user_ids"] == 2
    assert meta["complete"] is True
    assert "failed_sources" not in meta
    assert "active_non_members" not in meta
    assert "service_account_members_excluded" not in meta
    assert meta["scope"] == "organization-wide: all projects, users and API keys"
    assert "demo_data" not in meta
    assert "demo_data" not in out  # only the demo organization's results are marked


async def test_project_and_key_filters_narrow_usage_and_costs_but_not_seats(httpx_mock: HTTPXMock) -> None:
    add_usage(httpx_mock)
    add_costs(httpx_mock)
    add_users(httpx_mock)

    out = await metrics(
        {
            "start_time": "2024-11-01T15:30:00Z",  # the period starts at 00:00 UTC of that day
            "end_time": "2024-12-01",
            "project_ids": ["proj_a", "proj_b", "proj_a"],
            "api_key_ids": "key_1",
        }
    )

    span = [("start_time", str(NOV_1)), ("end_time", str(DEC_1)), ("bucket_width", "1d")]
    filters = [("project_ids", "proj_a"), ("project_ids", "proj_b"), ("api_key_ids", "key_1")]
    usage_1, usage_2 = requests_to(httpx_mock, USAGE_URL)
    assert pairs(usage_1) == [*span, *filters, ("group_by", "user_id"), ("group_by", "model"), ("limit", "31")]
    assert pairs(usage_2) == [*pairs(usage_1), ("page", TOKEN)]
    [costs] = requests_to(httpx_mock, COSTS_URL)
    assert pairs(costs) == [*span, *filters, ("limit", "180")]
    assert [pairs(r) for r in requests_to(httpx_mock, USERS_URL)] == [
        [("limit", "100")],
        [("limit", "100"), ("after", "user-3")],
    ]
    meta = out["metadata"]
    assert meta["scope"] == {
        "filters": {"project_ids": ["proj_a", "proj_b"], "api_key_ids": ["key_1"]},
        "note": "usage and costs filtered; seats are organization-wide",
    }
    assert (meta["start_time"], meta["start_time_iso"]) == (NOV_1, "2024-11-01T00:00:00Z")
    assert out["period"] == "2024-11-01/2024-11-30"
    assert (out["total_seats"], out["active_seats"], out["total_cost_usd"]) == (5, 2, 9.0)


async def test_demo_metrics_are_marked_at_the_top_level() -> None:
    result = await call_tool(make_settings(demo=True), "codex_get_normalized_metrics", {"start_time": "30d"})

    assert not result.is_error, result_text(result)
    out = result.structured_content
    assert out is not None
    assert out["demo_data"] is True
    assert "demo_data" not in out["metadata"]
    assert out["metadata"]["complete"] is True


async def test_failed_costs_leave_cost_fields_empty_but_keep_the_rest(httpx_mock: HTTPXMock) -> None:
    add_usage(httpx_mock)
    add_users(httpx_mock)
    error = {"error": {"message": "The server had an error processing your request.", "type": "server_error"}}
    for attempt in range(2):
        httpx_mock.add_response(url=COSTS_URL, status_code=500, json=error, headers={"x-request-id": f"req_c{attempt}"})

    out = await metrics({"start_time": NOV_1, "end_time": DEC_1}, max_retries=1)

    assert len(requests_to(httpx_mock, COSTS_URL)) == 2
    assert out.get("total_cost_usd") is None
    assert out.get("cost_per_user_usd") is None
    assert out["total_chat_interactions"] == 112
    assert out["usage_by_model"] == USAGE_BY_MODEL
    assert (out["total_seats"], out["active_seats"], out["inactive_seats"]) == (5, 2, 3)
    assert out["daily_active_users"] == 1.5
    meta = out["metadata"]
    assert meta["complete"] is False
    assert list(meta["failed_sources"]) == ["costs"]
    reason = meta["failed_sources"]["costs"]
    assert "The server had an error processing your request." in reason
    assert "req_c1" in reason
    assert "costs" in meta["note"]
    assert "cost_days" not in meta
    assert TEST_KEY not in str(out)


async def test_failed_user_list_leaves_member_based_fields_empty(httpx_mock: HTTPXMock) -> None:
    """Seats that need the member list are null; active seats and cost per user come from usage alone."""
    add_usage(httpx_mock)
    add_costs(httpx_mock)
    httpx_mock.add_response(
        url=USERS_URL,
        status_code=403,
        json={"error": {"message": "Missing scope: api.management.read", "type": "invalid_request_error"}},
        headers={"x-request-id": "req_users"},
    )

    out = await metrics({"start_time": NOV_1, "end_time": DEC_1})

    for field in ("total_seats", "inactive_seats", "seat_utilization_pct"):
        assert out.get(field) is None, field
    assert out["active_seats"] == 2
    assert out["cost_per_user_usd"] == 4.5
    assert out["total_cost_usd"] == 9.0
    assert out["total_chat_interactions"] == 112
    assert list(out["metadata"]["failed_sources"]) == ["users"]
    assert "Missing scope: api.management.read" in out["metadata"]["failed_sources"]["users"]


async def test_when_every_source_fails_it_is_a_tool_error(httpx_mock: HTTPXMock) -> None:
    error = {"error": {"message": "Your key lacks the api.usage.read scope.", "type": "invalid_request_error"}}
    for url in (USAGE_URL, COSTS_URL, USERS_URL):
        httpx_mock.add_response(url=url, status_code=403, json=error, headers={"x-request-id": "req_403"})

    result = await call_tool(make_settings(), "codex_get_normalized_metrics", {"start_time": NOV_1, "end_time": DEC_1})

    assert result.is_error
    text = result_text(result)
    assert text.startswith("codex_get_normalized_metrics failed: Every source of the metrics failed:\n")
    # Each source's own reason, not just the first one's.
    reasons = [line for line in text.splitlines() if line.startswith("- ")]
    assert reasons == [
        f"- OpenAI API error 403 on GET /v1/organization/{path}: Your key lacks the api.usage.read scope. "
        "Request id: req_403"
        for path in ("usage/completions", "costs", "users")
    ]
    assert text.count("Hint: The key lacks organization admin access") == 3
    assert TEST_KEY not in text
    assert len(httpx_mock.get_requests()) == 3


async def test_no_key_is_a_tool_error_and_sends_nothing(httpx_mock: HTTPXMock) -> None:
    result = await call_tool(
        make_settings(admin_key=None), "codex_get_normalized_metrics", {"start_time": NOV_1, "end_time": DEC_1}
    )

    assert result.is_error
    assert "OPENAI_ADMIN_KEY" in result_text(result)
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"start_time": "2019-12-31", "end_time": "2024-01-01"}, "before 2020-01-01"),  # daily: any range from 2020
        ({"start_time": DEC_1, "end_time": NOV_1}, "must be before end_time"),
    ],
)
async def test_bad_periods_are_refused_before_any_request(
    httpx_mock: HTTPXMock, arguments: dict[str, Any], message: str
) -> None:
    result = await call_tool(make_settings(), "codex_get_normalized_metrics", arguments)

    assert result.is_error
    assert message in result_text(result)
    assert httpx_mock.get_requests() == []


# ---- compute_metrics directly ---------------------------------------------------------------------------------------


def series(days: list[list[dict[str, Any]]], pages: int = 1, source: str = "/organization/costs") -> BucketSeries:
    buckets = [
        UsageBucket(start_time=NOV_1 + i * DAY, end_time=NOV_1 + (i + 1) * DAY, results=results)
        for i, results in enumerate(days)
    ]
    return BucketSeries(source, buckets, pages)


def usage_series(days: list[list[dict[str, Any]]], pages: int = 1) -> BucketSeries:
    return series(days, pages, source="/organization/usage/completions")


def users(*ids: str) -> list[User]:
    return [User(id=user_id) for user_id in ids]


def test_usage_by_people_who_left_is_noted_but_takes_no_seat() -> None:
    usage = usage_series([[row("o3", "user-1", 1, 1, 1, 0), row("o3", "user-gone", 4, 1, 1, 0)], []])
    costs = series([[{"amount": {"value": 0.5, "currency": "usd"}}], [{"amount": {"value": 0.25}}]])

    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + 2 * DAY, usage=usage, costs=costs, members=users("user-1", "user-2")
    )

    assert (out.total_seats, out.active_seats, out.inactive_seats) == (2, 1, 1)
    assert out.seat_utilization_pct == 50.0
    assert out.daily_active_users == 1.0  # two user_ids on day one (the former member's too), none on day two
    assert out.total_chat_interactions == 5
    assert out.total_cost_usd == 0.75
    assert out.cost_per_user_usd == 0.75  # per active seat
    assert out.metadata["distinct_active_user_ids"] == 2
    assert out.metadata["active_non_members"] == 1
    assert out.metadata["active_non_members_note"] == "user_ids with usage that are not current members (not seats)"
    assert out.period == "2024-11-01/2024-11-02"


def test_service_account_members_take_no_seat() -> None:
    usage = usage_series([[row("o3", "user-1", 2, 1, 1, 0)]])
    members = [*users("user-1", "user-2", "user-3"), User(id="user-svc", is_service_account=True)]

    out = compute_metrics(start_time=NOV_1, end_time=NOV_1 + DAY, usage=usage, costs=series([[]]), members=members)

    assert (out.total_seats, out.active_seats, out.inactive_seats) == (3, 1, 2)
    assert out.seat_utilization_pct == 33.33
    assert out.metadata["service_account_members_excluded"] == 1
    assert "active_non_members" not in out.metadata


def test_without_the_member_list_active_seats_are_the_distinct_users_with_usage() -> None:
    error = InternalServerError("OpenAI API error 500 on GET /v1/organization/users", status_code=500)
    usage = usage_series([[row("o3", "user-1", 1, 1, 1, 0), row("o3", "user-gone", 4, 1, 1, 0)]])

    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + DAY, usage=usage, costs=series([[{"amount": {"value": 3.0}}]]), members=error
    )

    assert out.active_seats == 2
    assert (out.total_seats, out.inactive_seats, out.seat_utilization_pct) == (None, None, None)
    assert out.cost_per_user_usd == 1.5
    assert "active_non_members" not in out.metadata
    assert list(out.metadata["failed_sources"]) == ["users"]


def test_scope_names_the_filters_and_says_seats_are_org_wide() -> None:
    scope = {"project_ids": ["proj_a"], "api_key_ids": ["key_1"]}

    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + DAY, usage=usage_series([[]]), costs=series([[]]), members=[], scope=scope
    )

    assert out.metadata["scope"] == {
        "filters": {"project_ids": ["proj_a"], "api_key_ids": ["key_1"]},
        "note": "usage and costs filtered; seats are organization-wide",
    }


def test_failed_usage_keeps_seats_and_costs() -> None:
    error = InternalServerError("OpenAI API error 500 on GET /v1/organization/usage/completions", status_code=500)

    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + DAY, usage=error, costs=series([[]]), members=users("user-1")
    )

    assert out.total_seats == 1
    assert out.total_cost_usd == 0.0
    assert (out.active_seats, out.inactive_seats, out.total_chat_interactions, out.usage_by_model) == (
        None,
        None,
        None,
        None,
    )
    assert out.cost_per_user_usd is None
    assert "error 500" in out.metadata["failed_sources"]["completions_usage"]
    assert "status.openai.com" in out.metadata["failed_sources"]["completions_usage"]


def test_no_usage_at_all_gives_zeroes_not_division_errors() -> None:
    out = compute_metrics(
        start_time=NOV_1,
        end_time=NOV_1 + 3 * DAY,
        usage=usage_series([[], [], []]),
        costs=series([[], [], []]),
        members=[],
    )

    assert (out.total_seats, out.active_seats, out.inactive_seats) == (0, 0, 0)
    assert out.seat_utilization_pct == 0.0
    assert out.daily_active_users == 0.0
    assert out.total_cost_usd == 0.0
    assert out.cost_per_user_usd is None
    assert out.usage_by_model == {}


def test_partial_day_period_names_the_days_it_touches() -> None:
    out = compute_metrics(
        start_time=NOV_1 + 3600, end_time=NOV_1 + DAY + 60, usage=usage_series([]), costs=series([]), members=[]
    )

    assert out.period == "2024-11-01/2024-11-02"


def test_a_period_ending_at_midnight_excludes_that_day() -> None:
    out = compute_metrics(start_time=NOV_1, end_time=DEC_1, usage=usage_series([]), costs=series([]), members=[])

    assert out.period == "2024-11-01/2024-11-30"


def test_every_field_is_serialized_null_where_the_api_cannot_give_it() -> None:
    out = compute_metrics(
        start_time=NOV_1, end_time=NOV_1 + DAY, usage=usage_series([[]]), costs=series([[]]), members=users("user-1")
    )

    dumped = out.model_dump(mode="json")
    assert list(dumped) == list(CodingToolMetrics.model_fields)
    # null: what the API cannot give, and cost per user when no one was active (no division by zero).
    assert {key for key, value in dumped.items() if value is None} == {*UNAVAILABLE_FIELDS, "cost_per_user_usd"}
    assert dumped["metadata"]["unavailable_fields"] == UNAVAILABLE_FIELDS
    assert dumped["total_seats"] == 1
