"""Normalized metrics: service-account members take no seat and are not "non-members", usage without a model is
'unknown', and the period names the right days for the shortest ranges."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from codex_mcp.metrics import compute_metrics
from codex_mcp.models import BucketSeries
from tests.builders import usage_page
from tests.test_metrics import COSTS_URL, DAY, NOV_1, USAGE_URL, USERS_URL, member, metrics, row


def members_page(*members: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "data": list(members), "last_id": members[-1]["id"], "has_more": False}


def one_day(*results: dict[str, Any]) -> dict[str, Any]:
    return {"object": "bucket", "start_time": NOV_1, "end_time": NOV_1 + DAY, "results": list(results)}


async def test_a_service_account_member_with_usage_is_neither_a_seat_nor_a_non_member(httpx_mock: HTTPXMock) -> None:
    service_account = {**member("user-svc"), "is_service_account": True}
    httpx_mock.add_response(url=USERS_URL, json=members_page(member("user-1"), member("user-2"), service_account))
    usage = [row("o3", "user-1", 2, 10, 1, 0), row("o3", "user-svc", 5, 50, 5, 0), row("o3", "user-gone", 1, 1, 1, 0)]
    httpx_mock.add_response(url=USAGE_URL, json=usage_page([one_day(*usage)]))
    httpx_mock.add_response(url=COSTS_URL, json=usage_page([one_day()]))

    out = await metrics({"start_time": NOV_1, "end_time": NOV_1 + DAY})

    assert (out["total_seats"], out["active_seats"], out["inactive_seats"]) == (2, 1, 1)
    assert out["seat_utilization_pct"] == 50.0
    assert out["metadata"]["service_account_members_excluded"] == 1
    assert out["metadata"]["active_non_members"] == 1  # user-gone only: the service account is a member
    assert out["total_chat_interactions"] == 8


async def test_usage_without_a_model_is_counted_under_unknown(httpx_mock: HTTPXMock) -> None:
    without_key = row("o3", "user-1", 4, 40, 4, 0)
    del without_key["model"]
    usage = [
        row("o3", "user-1", 1, 10, 1, 1),
        {**row("o3", "user-1", 2, 20, 2, 0), "model": None},
        without_key,
        row("", "user-1", 3, 3, 3, 3),
    ]
    httpx_mock.add_response(url=USERS_URL, json=members_page(member("user-1")))
    httpx_mock.add_response(url=USAGE_URL, json=usage_page([one_day(*usage)]))
    httpx_mock.add_response(url=COSTS_URL, json=usage_page([one_day()]))

    out = await metrics({"start_time": NOV_1, "end_time": NOV_1 + DAY})

    assert out["usage_by_model"] == {
        "unknown": {"requests": 9, "input_tokens": 63, "output_tokens": 9, "input_cached_tokens": 3},
        "o3": {"requests": 1, "input_tokens": 10, "output_tokens": 1, "input_cached_tokens": 1},
    }
    assert out["total_chat_interactions"] == 10


@pytest.mark.parametrize(
    ("end_time", "period"),
    [
        (NOV_1 + DAY, "2024-11-01/2024-11-01"),  # one whole day: its last day is the first
        (NOV_1 + 1, "2024-11-01/2024-11-01"),  # one second
        (NOV_1 + DAY + 1, "2024-11-01/2024-11-02"),  # one second into the next day
    ],
)
async def test_the_period_names_the_first_and_last_day_touched(
    httpx_mock: HTTPXMock, end_time: int, period: str
) -> None:
    httpx_mock.add_response(url=USERS_URL, json=members_page(member("user-1")))
    httpx_mock.add_response(url=USAGE_URL, json=usage_page([one_day()]))
    httpx_mock.add_response(url=COSTS_URL, json=usage_page([one_day()]))

    out = await metrics({"start_time": NOV_1, "end_time": end_time})

    assert out["period"] == period


def test_an_empty_range_names_its_one_day_not_the_day_before() -> None:
    empty = BucketSeries("/organization/costs", [], 1)

    out = compute_metrics(start_time=NOV_1, end_time=NOV_1, usage=empty, costs=empty, members=[])

    assert out.period == "2024-11-01/2024-11-01"
