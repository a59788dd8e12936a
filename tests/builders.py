"""Builders of Admin API answers for tests (pages, buckets, results, errors as the spec shapes them), and helpers to
read the requests tests send. Not a test module."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
from pytest_httpx import HTTPXMock

from codex_mcp.models import BucketSeries, UsageBucket
from codex_mcp.usage_report import ReportData
from tests.conftest import BASE_URL, TEST_KEY

NOV_1 = 1730419200  # 2024-11-01T00:00:00Z, the start_time of the spec's examples
DAY = 86400
NOV_4 = NOV_1 + 3 * DAY  # Monday 2024-11-04
OCT_1 = int(datetime(2024, 10, 1, tzinfo=UTC).timestamp())
TOKENS = ["page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=", "page_AAAAAGdHBgMiJdKOAAAAAGdGxdE=="]
DATA_URL = re.compile(r"^https://api\.openai\.com/v1/organization/(usage/[a-z_]+|costs)\?")
PROJECTS_URL = re.compile(r"^https://api\.openai\.com/v1/organization/projects\?")


def pairs(request: httpx.Request) -> list[tuple[str, str]]:
    """The query as sent, in order, repeated names kept, parsed from the raw (still-encoded) query string."""
    return parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)


def bucket(start: int, results: list[dict[str, Any]], width: int = DAY) -> dict[str, Any]:
    return {"object": "bucket", "start_time": start, "end_time": start + width, "results": results}


def usage_page(buckets: list[dict[str, Any]], next_page: str | None = None) -> dict[str, Any]:
    return {"object": "page", "data": buckets, "has_more": next_page is not None, "next_page": next_page}


def cost(value: float, **fields: Any) -> dict[str, Any]:
    """A costs result shaped like the spec's example (unset group fields are null, as the API sends them)."""
    return {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": "usd"},
        "line_item": None,
        "project_id": None,
        "api_key_id": None,
        "quantity": None,
        "quantity_unit": None,
        **fields,
    }


def completions(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"object": "organization.usage.completions.result"}
    row.update(dict.fromkeys(("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")))
    row.update(fields)
    return row


def add_projects(httpx_mock: HTTPXMock, names: dict[str, str]) -> None:
    """Answer the project-name lookup that grouping by project_id makes beside the data request."""
    data = [
        {"object": "organization.project", "id": pid, "name": name, "created_at": NOV_1, "status": "active"}
        for pid, name in names.items()
    ]
    last = data[-1]["id"] if data else None
    page = {"object": "list", "data": data, "first_id": data[0]["id"] if data else None, "last_id": last}
    httpx_mock.add_response(url=PROJECTS_URL, json={**page, "has_more": False})


USERS_URL = re.compile(r"^https://api\.openai\.com/v1/organization/users\?")


def add_users(httpx_mock: HTTPXMock, emails: dict[str, str]) -> None:
    """Answer the member lookup that grouping by user_id makes beside the data request (emails beside ids)."""
    data = [
        {"object": "organization.user", "id": uid, "name": uid, "email": email, "role": "reader", "added_at": NOV_1}
        for uid, email in emails.items()
    ]
    page = {"object": "list", "data": data, "first_id": None, "last_id": None, "has_more": False}
    httpx_mock.add_response(url=USERS_URL, json=page)


def assert_projects_lookup(httpx_mock: HTTPXMock) -> None:
    [lookup] = httpx_mock.get_requests(url=PROJECTS_URL)
    assert pairs(lookup) == [("include_archived", "true"), ("limit", "100")]


def assert_get(request: httpx.Request, path: str) -> None:
    assert request.method == "GET"
    assert request.url.path == f"/v1{path}"
    assert str(request.url).startswith(f"{BASE_URL}{path}?")
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"
    assert request.content == b""


ALERT = "alert_abc123"


def spend_limit(cents: int, *, project_id: str | None = None, status: str = "inactive") -> dict[str, Any]:
    kind = "organization" if project_id is None else "project"
    return {
        "object": f"{kind}.spend_limit",
        "threshold_amount": cents,
        "currency": "USD",
        "interval": "month",
        "enforcement": {"status": status},
    }


def alert(
    alert_id: str = ALERT,
    cents: int = 100000,
    *,
    project_id: str | None = None,
    recipients: tuple[str, ...] = ("finance@example.com",),
    prefix: str | None = "OpenAI spend alert",
) -> dict[str, Any]:
    kind = "organization" if project_id is None else "project"
    return {
        "id": alert_id,
        "object": f"{kind}.spend_alert",
        "threshold_amount": cents,
        "currency": "USD",
        "interval": "month",
        "notification_channel": {"type": "email", "recipients": list(recipients), "subject_prefix": prefix},
    }


def listing(data: list[dict[str, Any]], *, has_more: bool = False, last_id: str | None = None) -> dict[str, Any]:
    """A list page of the {first_id, last_id, has_more} kind; last_id defaults to the last item's id."""
    first = data[0]["id"] if data else None
    last = last_id or (data[-1]["id"] if data else None)
    return {"object": "list", "data": data, "first_id": first, "last_id": last, "has_more": has_more}


def api_error(
    status: int, message: str, code: str | None = None, request_id: str = "req_abc123", **fields: Any
) -> dict[str, Any]:
    """httpx_mock.add_response arguments for an API error answer; `fields`: more of the error object (param=...)."""
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": code, **fields}
    return {"status_code": status, "json": {"error": error}, "headers": {"x-request-id": request_id}}


def daily_buckets(days: int, results: Callable[[int], list[dict[str, Any]]]) -> list[UsageBucket]:
    """`days` day buckets from Monday 2024-11-04; day d holds results(d)."""
    return [
        UsageBucket(start_time=NOV_4 + d * DAY, end_time=NOV_4 + (d + 1) * DAY, results=results(d)) for d in range(days)
    ]


def daily_report(
    buckets: list[UsageBucket],
    *,
    source: str = "/organization/usage/completions",
    group_by: Sequence[str] = (),
    cached_buckets: int = 0,
    **options: Any,
) -> ReportData:
    """The report the tools build of these day buckets (the whole range they span, no filters): costs in US dollars
    sorted by amount, usage in tokens and model requests sorted by requests. `options`: include_group_rows, now, ..."""
    costs = source == "/organization/costs"
    return ReportData.of(
        BucketSeries(source, buckets, 1, cached_buckets=cached_buckets),
        start_time=buckets[0].start_time,
        end_time=buckets[-1].end_time,
        bucket_width="1d",
        group_by=list(group_by),
        filters={},
        units="US dollars" if costs else "tokens and model requests",
        sort_key="amount_usd" if costs else "num_model_requests",
        **options,
    )
