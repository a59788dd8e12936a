"""The result budget: a result that fits is sent whole; one byte more is condensed (reports), shortened (list pages) or
cut (anything else), always within the budget, with exact totals, and said in a note."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from codex_mcp.budget import _ReportFitter, fit_report
from codex_mcp.result_fit import fit_structured
from codex_mcp.server import create_server
from codex_mcp.usage_report import ReportData
from tests.builders import DAY, NOV_1, bucket, completions, cost, daily_buckets, daily_report, usage_page
from tests.conftest import call_tool, make_settings, result_text

BUDGET = 1000  # the smallest max_result_tokens: 4,000 bytes
REPORT_LIMIT = BUDGET * 4 - 256  # what a report may use: room is kept for what the server adds after the tool
USERS_URL = "https://api.openai.com/v1/organization/users"


def size(value: Any) -> int:
    """Bytes of the compact JSON a client receives."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def query(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode("ascii")))


async def call_text(name: str, arguments: dict[str, Any], **overrides: Any) -> tuple[dict[str, Any], str]:
    result = await call_tool(make_settings(**overrides), name, arguments)
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    return result.structured_content, result_text(result)


# ---- usage and cost reports ------------------------------------------------------------------------------------


class OneModelDay:
    """Answers a completions request with one day of one model, named `name` (changed between calls)."""

    def __init__(self) -> None:
        self.name = "m"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        row = completions(model=self.name, num_model_requests=3, input_tokens=40, output_tokens=5)
        return httpx.Response(200, json=usage_page([bucket(NOV_1, [row])]))


@pytest.mark.parametrize("over", [0, 1])
async def test_a_report_exactly_at_the_budget_is_whole_and_one_byte_more_is_condensed(
    httpx_mock: HTTPXMock, over: int
) -> None:
    api = OneModelDay()
    httpx_mock.add_callback(api, is_reusable=True)
    arguments = {"start_time": NOV_1, "end_time": NOV_1 + DAY, "group_by": ["model"]}
    api.name = "m" * 10
    _, probe = await call_text("codex_get_completions_usage", arguments)
    api.name = "m" * (10 + REPORT_LIMIT + over - len(probe.encode()))  # the whole report is now REPORT_LIMIT + over

    out, text = await call_text("codex_get_completions_usage", arguments, max_result_tokens=BUDGET)

    totals = {"num_model_requests": 3, "input_tokens": 40, "output_tokens": 5}
    assert out["totals"] == totals
    if not over:
        assert len(text.encode()) == REPORT_LIMIT
        assert "condensed" not in out
        assert "notes" not in out
        assert out["groups"]["rows"] == [[api.name, 3, 40, 5]]
        return
    assert len(text.encode()) <= REPORT_LIMIT
    assert out["condensed"] == {
        "budget_tokens": BUDGET,
        "full_tokens": -(-(REPORT_LIMIT + 1) // 4),
        "steps": ["`groups` lists the largest 0 of 1 groups; the other 1 are summed in groups.other."],
    }
    assert out["groups"]["rows"] == []
    assert out["groups"]["other"] == {"groups": 1, "totals": totals}
    [note] = out["notes"]
    assert note.startswith(
        f"This answer was condensed to fit the 1,000-token result budget (in full it is about "
        f"{-(-(REPORT_LIMIT + 1) // 4)} tokens): `groups` lists the largest 0 of 1 groups;"
    )
    assert "Totals and per-group totals are exact." in note
    assert "codex-mcp call codex_get_completions_usage ... --format csv" in note


class WindowedDays:
    """Answers each usage or costs request with the given buckets that fall in its [start_time, end_time) (the
    client asks for a long range in concurrent windows)."""

    def __init__(self, buckets: list[dict[str, Any]]) -> None:
        self.buckets = buckets

    def __call__(self, request: httpx.Request) -> httpx.Response:
        start, end = int(request.url.params["start_time"]), int(request.url.params["end_time"])
        return httpx.Response(200, json=usage_page([b for b in self.buckets if start <= b["start_time"] < end]))


def ninety_days() -> WindowedDays:
    """90 days of completions usage (a different count every day)."""
    return WindowedDays(
        [
            bucket(NOV_1 + i * DAY, [completions(num_model_requests=i + 1, input_tokens=1000 + 3 * i, output_tokens=7)])
            for i in range(90)
        ]
    )


def model_filters(characters: int) -> list[str]:
    """Twelve model names, `characters` long in all (their count fixed, so only their length changes the size)."""
    return [f"m{i}-".ljust(characters // 12 + (i < characters % 12), "m") for i in range(12)]


@pytest.mark.parametrize(("over", "width"), [(0, "1w"), (1, "1mo")])
async def test_a_condensed_shape_exactly_at_the_budget_is_used_and_one_byte_more_is_not(
    httpx_mock: HTTPXMock, over: int, width: str
) -> None:
    """Days do not fit, so they roll up to weeks: a week table ending exactly at the budget is sent; one byte more
    (in the echoed filters) and it rolls up to months."""
    httpx_mock.add_callback(ninety_days(), is_reusable=True)
    arguments: dict[str, Any] = {"start_time": NOV_1, "end_time": NOV_1 + 90 * DAY, "models": model_filters(1600)}
    probe, text = await call_text("codex_get_completions_usage", arguments, max_result_tokens=BUDGET)
    assert probe["buckets"]["width"] == "1w"
    arguments["models"] = model_filters(1600 + REPORT_LIMIT + over - len(text.encode()))

    out, text = await call_text("codex_get_completions_usage", arguments, max_result_tokens=BUDGET)

    assert out["buckets"]["width"] == width
    assert len(text.encode()) == REPORT_LIMIT if not over else len(text.encode()) < REPORT_LIMIT
    assert out["filters"] == {"models": arguments["models"]}
    assert out["totals"] == {"num_model_requests": 4095, "input_tokens": 90 * 1000 + 3 * 4005, "output_tokens": 630}


def report_data(*, days: int, models: int, name_length: int, include_group_rows: bool) -> ReportData:
    """Completions usage of `models` models on each of `days` days from Monday 2024-11-04, grouped by model; every
    model has a different request count, so the order of groups is fixed."""

    def row(day: int, index: int) -> dict[str, Any]:
        name = f"model-{index:02d}-".ljust(name_length, "x")
        return completions(model=name, num_model_requests=100 + 7 * index + day, input_tokens=1000 + 13 * index)

    buckets = daily_buckets(days, lambda d: [row(d, i) for i in range(models)])
    return daily_report(buckets, group_by=["model"], include_group_rows=include_group_rows)


def sweep(data: ReportData, budgets: range) -> list[tuple[int, dict[str, Any]]]:
    """The report at each budget, checked to fit it and to carry the exact totals."""
    full = data.full_report().model_dump(mode="json")
    reports = []
    for budget in budgets:
        out = fit_report(data, max_tokens=budget, tool="codex_get_completions_usage").model_dump(mode="json")
        assert size(out) <= budget * 4 - 256, budget
        assert out["totals"] == full["totals"]
        reports.append((budget, out))
    return reports


def changes(states: list[Any]) -> list[Any]:
    return [state for index, state in enumerate(states) if index == 0 or states[index - 1] != state]


def test_group_rows_go_down_the_ladder_widths_first_then_fewer_groups() -> None:
    """24 models on Monday to Wednesday with include_group_rows: as the budget shrinks, each day keeps its largest
    20, 10, then 5 groups; then days roll up to their week (10, 5 groups); only at the widest width (a month) are
    3, then 1 group kept. Each period's other groups are summed exactly in one '(other: N)' row."""
    data = report_data(days=3, models=24, name_length=100, include_group_rows=True)
    full = data.full_report().model_dump(mode="json")
    day_totals = {row[0]: row[1:] for row in full["buckets"]["rows"]}

    states = []
    reports = sweep(data, range(1000, 4000, 20))
    for _, out in reports:
        rows = out.get("group_rows")
        if rows is None:
            states.append(None)
            continue
        by_period: dict[str, list[list[Any]]] = {}
        for row in rows["rows"]:
            by_period.setdefault(row[0], []).append(row)
        kept = {sum(1 for row in period if not str(row[1]).startswith("(other")) for period in by_period.values()}
        assert len(kept) == 1
        states.append((rows["width"], kept.pop(), len(by_period)))
        for label, period in by_period.items():
            other = [row for row in period if str(row[1]).startswith("(other")]
            if rows["width"] == "1d":  # each day's rows, kept and other, add up to the day's total exactly
                assert [sum(column) for column in zip(*(row[2:] for row in period), strict=True)] == day_totals[label]
            assert [row[1] for row in other] == ([f"(other: {24 - len(period) + 1})"] if other else [])

    assert changes([s for s in states if s is not None]) == [
        ("1mo", 1, 1),
        ("1mo", 3, 1),
        ("1w", 5, 1),
        ("1w", 10, 1),
        ("1d", 5, 3),
        ("1d", 10, 3),
        ("1d", 20, 3),
        ("1d", 24, 3),  # every row: the whole report fits
    ]
    assert states[0] is None  # at first not even one group per month fits beside the groups table: left out
    assert "condensed" not in reports[-1][1]


def test_the_most_groups_that_fit_are_kept_one_more_at_a_time() -> None:
    """Three groups with long names: from none to all, every count is the largest that fits at some budget."""
    data = report_data(days=1, models=3, name_length=2500, include_group_rows=False)
    full = data.full_report().model_dump(mode="json")

    kept = []
    for budget, out in sweep(data, range(1000, 3200, 25)):
        if "condensed" not in out:
            assert out == full
            assert size(full) <= budget * 4 - 256
            kept.append(3)
            continue
        groups = out["groups"]
        count = len(groups["rows"])
        assert groups["rows"] == full["groups"]["rows"][:count]  # the largest, in order
        rest = full["groups"]["rows"][count:]
        assert groups["other"] == {
            "groups": len(rest),
            "totals": {"num_model_requests": sum(r[1] for r in rest), "input_tokens": sum(r[2] for r in rest)},
        }
        assert out["condensed"]["steps"][0] == (
            f"`groups` lists the largest {count} of 3 groups; the other {len(rest)} are summed in groups.other."
        )
        kept.append(count)

    assert changes(kept) == [0, 1, 2, 3]


def test_every_group_of_each_week_is_kept_when_the_weeks_fit() -> None:
    """30 models a day for 30 days: the days' group rows do not fit, the weeks' do, all 30 groups of each. (A week
    holds 7 times more raw rows than groups; counting those once made the fitter pass over this shape.)"""
    data = report_data(days=30, models=30, name_length=1, include_group_rows=True)

    out = fit_report(data, max_tokens=2200, tool="codex_get_completions_usage").model_dump(mode="json")

    assert out["condensed"]["steps"] == ["`group_rows` are rolled up to 1w (weeks from Monday, UTC)."]
    assert out["group_rows"]["width"] == "1w"
    weeks = ["2024-11-04", "2024-11-11", "2024-11-18", "2024-11-25", "2024-12-02"]
    assert [row[0] for row in out["group_rows"]["rows"]] == [week for week in weeks for _ in range(30)]
    assert not any(str(row[1]).startswith("(other") for row in out["group_rows"]["rows"])


def test_group_rows_are_skipped_unbuilt_only_when_they_surely_cannot_fit() -> None:
    """The fitter skips building group-row tables it estimates to be over the limit (a speed-up): the estimate
    must never exceed the real size, or shapes that fit would be passed over. Rows as small as they come:
    ['2024-11-04','a',1,1]."""
    buckets = daily_buckets(
        30, lambda d: [completions(model=m, num_model_requests=1, input_tokens=d % 10) for m in "abcdefghijkl"]
    )
    data = daily_report(buckets, group_by=["model"], include_group_rows=True)
    for width in ("1d", "1w", "1mo"):
        for keep in (None, 20, 10, 5, 3, 1):
            rows_size = size(data.group_rows_table(width, keep).model_dump(mode="json")["rows"])
            fitter = _ReportFitter(data, rows_size, BUDGET, rows_size, "codex_get_completions_usage")
            assert not fitter._cannot_fit_rows(width, keep), (width, keep)


class CostsByKey:
    """One day of costs for 200 API keys: amounts 0.1, 0.2 or 0.3 (floats whose sums are inexact in binary)."""

    def __init__(self) -> None:
        self.keys = [f"key_{index:03d}_abcdefghijklmnop" for index in range(200)]

    @staticmethod
    def amount(index: int) -> float:
        return (0.1, 0.2, 0.3)[index % 3]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        rows = [cost(self.amount(i), api_key_id=key) for i, key in enumerate(self.keys)]
        return httpx.Response(200, json=usage_page([bucket(NOV_1, rows)]))


async def test_groups_other_sums_exactly_the_groups_left_out(httpx_mock: HTTPXMock) -> None:
    api = CostsByKey()
    httpx_mock.add_callback(api)

    out, text = await call_text(
        "codex_get_cost_breakdown",
        {"start_time": NOV_1, "end_time": NOV_1 + DAY, "group_by": ["api_key_id"]},
        max_result_tokens=BUDGET,
    )

    ranked = sorted(((Decimal(str(api.amount(i))), key) for i, key in enumerate(api.keys)), key=lambda g: (-g[0], g[1]))
    rows = out["groups"]["rows"]
    assert 0 < len(rows) < 200
    assert rows == [[key, float(amount)] for amount, key in ranked[: len(rows)]]
    rest = ranked[len(rows) :]
    assert out["groups"]["other"] == {"groups": len(rest), "totals": {"amount_usd": float(sum(a for a, _ in rest))}}
    assert out["totals"] == {"amount_usd": float(sum(a for a, _ in ranked))}
    assert out["totals"] == {"amount_usd": 39.9}  # 67 * 0.1 + 67 * 0.2 + 66 * 0.3, exactly
    assert out["condensed"]["steps"][0] == (
        f"`groups` lists the largest {len(rows)} of 200 groups; the other {len(rest)} are summed in groups.other."
    )
    assert len(text.encode()) <= BUDGET * 4


@pytest.mark.parametrize(
    ("first_day", "days", "amounts", "width"),
    [
        (datetime(2024, 9, 4, tzinfo=UTC), 240, (0.1, 0.2), "1w"),  # a Wednesday: the first week is partial
        (datetime(2022, 1, 13, tzinfo=UTC), 732, (0.1, 0.2, 0.0123456789), "1mo"),
    ],
)
async def test_rolled_up_rows_sum_their_days_exactly(
    httpx_mock: HTTPXMock, first_day: datetime, days: int, amounts: tuple[float, ...], width: str
) -> None:
    """Days of 0.1 + 0.2 dollars roll up to weeks from Monday or to months, each the exact sum of its days (a float
    running sum would give 2.0999999999999996 for a week)."""
    start = int(first_day.timestamp())
    days_of_costs = [bucket(start + i * DAY, [cost(a) for a in amounts]) for i in range(days)]
    httpx_mock.add_callback(WindowedDays(days_of_costs), is_reusable=True)

    out, text = await call_text(
        "codex_get_cost_breakdown", {"start_time": start, "end_time": start + days * DAY}, max_result_tokens=BUDGET
    )

    expected: dict[str, Decimal] = {}
    for i in range(days):
        day = (first_day + timedelta(days=i)).date()
        period = day - timedelta(days=day.weekday()) if width == "1w" else day.replace(day=1)
        expected[period.isoformat()] = expected.get(period.isoformat(), Decimal(0)) + sum(
            Decimal(str(a)) for a in amounts
        )
    assert out["buckets"] == {
        "columns": ["start", "amount_usd"],
        "rows": [[label, float(total)] for label, total in expected.items()],
        "width": width,
    }
    assert out["totals"] == {"amount_usd": float(sum(Decimal(str(a)) for a in amounts) * days)}
    assert out["bucket_count"] == days
    names = {"1w": "weeks from Monday, UTC", "1mo": "months"}
    assert out["condensed"]["steps"] == [
        f"`buckets` are rolled up from 1d to {width} ({names[width]}; the first and last may be partial)."
    ]
    assert len(text.encode()) <= BUDGET * 4


# ---- list pages ------------------------------------------------------------------------------------------------


class UsersAPI:
    """GET /organization/users over a fixed member list, honouring `limit` and `after` as the API does."""

    def __init__(self, count: int, name_length: int) -> None:
        self.users = [
            {
                "object": "organization.user",
                "id": f"user-{index:03d}",
                "name": f"Member {index:03d} ".ljust(name_length, "n"),
                "email": f"member{index:03d}@example.com",
                "role": "reader",
                "added_at": NOV_1,
            }
            for index in range(count)
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = query(request)
        ids = [user["id"] for user in self.users]
        first = ids.index(params["after"]) + 1 if "after" in params else 0
        data = self.users[first : first + int(params.get("limit", "20"))]
        has_more = first + len(data) < len(self.users)
        page = {"object": "list", "data": data, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
        return httpx.Response(200, json={**page, "has_more": has_more})


@pytest.mark.parametrize("over", [0, 1])
async def test_a_list_page_exactly_at_the_budget_is_whole_and_one_byte_more_is_shortened(
    httpx_mock: HTTPXMock, over: int
) -> None:
    api = UsersAPI(count=12, name_length=20)
    httpx_mock.add_callback(api, is_reusable=True)
    _, probe = await call_text("codex_list_users", {"limit": 100})
    api.users[5]["name"] += "n" * (BUDGET * 4 + over - len(probe.encode()))

    out, text = await call_text("codex_list_users", {"limit": 100}, max_result_tokens=BUDGET)

    if not over:
        assert len(text.encode()) == BUDGET * 4
        assert out == {**json.loads(probe), "data": out["data"]}
        assert [user["id"] for user in out["data"]] == [user["id"] for user in api.users]
        assert out["has_more"] is False
        assert "notes" not in out
        return
    assert len(text.encode()) <= BUDGET * 4
    kept = out["count"]
    assert 0 < kept < 12
    assert [user["id"] for user in out["data"]] == [user["id"] for user in api.users[:kept]]
    assert (out["has_more"], out["next_after"]) == (True, api.users[kept - 1]["id"])
    [note] = out["notes"]
    assert note.startswith(f"This page was shortened to its first {kept} of 12 items to fit the 1,000-token")
    assert f"Call again with after='{api.users[kept - 1]['id']}' for the rest" in note


async def test_a_shortened_page_continues_exactly_after_its_last_item(httpx_mock: HTTPXMock) -> None:
    """Even the last page of the API is shortened with has_more true; following next_after gets every member once."""
    api = UsersAPI(count=60, name_length=90)
    httpx_mock.add_callback(api, is_reusable=True)

    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    arguments: dict[str, Any] = {"limit": 100}
    async with Client(create_server(make_settings(max_result_tokens=BUDGET))) as client:
        for _ in range(20):
            result = await client.call_tool("codex_list_users", arguments)
            assert not result.is_error, result_text(result)
            out = result.structured_content
            assert out is not None
            assert len(result_text(result).encode()) <= BUDGET * 4
            assert out["count"] == len(out["data"])
            seen += [user["id"] for user in out["data"]]
            pages.append(out)
            if not out["has_more"]:
                break
            assert out["next_after"] == out["data"][-1]["id"]
            arguments = {"limit": 100, "after": out["next_after"]}

    assert seen == [user["id"] for user in api.users]  # none lost, none repeated, in order
    assert len(pages) > 2
    assert all("notes" in page for page in pages[:-1])
    assert [query(r).get("after") for r in httpx_mock.get_requests()] == [None, *seen_lasts(pages)]


def seen_lasts(pages: list[dict[str, Any]]) -> list[str]:
    return [page["data"][-1]["id"] for page in pages[:-1]]


def test_a_structured_result_exactly_at_the_budget_is_returned_unchanged() -> None:
    base = {"id": "proj_a", "name": ""}
    exact = {**base, "name": "n" * (BUDGET * 4 - size(base))}
    assert size(exact) == BUDGET * 4

    assert fit_structured(exact, max_tokens=BUDGET, tool="codex_get_project") is exact
    over = {**exact, "name": exact["name"] + "n"}
    assert fit_structured(over, max_tokens=BUDGET, tool="codex_get_project") != over


@pytest.mark.parametrize(("over", "kept"), [(0, 5), (1, 4)])
def test_a_shortened_page_keeps_the_items_that_fill_the_room_exactly(over: int, kept: int) -> None:
    """Items are kept while the page, its items (each with its comma) and 600 bytes for the note fit: five items
    ending exactly at the budget are kept; one byte more and the fifth is not."""
    page: dict[str, Any] = {"data": [], "count": 10, "has_more": False}
    items = [{"id": f"user-{i}", "name": "n" * 300} for i in range(10)]
    room = BUDGET * 4 - size(page) - 600
    items[4]["name"] += "n" * (room + over - sum(size(item) + 1 for item in items[:5]))

    out = fit_structured({**page, "data": items}, max_tokens=BUDGET, tool="codex_list_users")

    assert [item["id"] for item in out["data"]] == [f"user-{i}" for i in range(kept)]
    assert (out["count"], out["has_more"], out["next_after"]) == (kept, True, f"user-{kept - 1}")
    assert size(out) <= BUDGET * 4


@pytest.mark.parametrize("id_length", [8, 64, 128])
def test_a_shortened_page_fits_the_budget_whatever_its_ids_and_items(id_length: int) -> None:
    """The note names the cursor twice (in the note and as next_after): with ids as long as this server accepts
    (128 characters) and items leaving any amount of room unused, the shortened page still fits."""
    for name_length in range(100, 500, 7):
        items = [{"id": f"{i:03d}-".ljust(id_length, "i"), "name": "n" * name_length} for i in range(40)]
        page = {"data": items, "count": 40, "has_more": True, "next_after": items[-1]["id"]}

        out = fit_structured(page, max_tokens=BUDGET, tool="codex_list_users")

        assert size(out) <= BUDGET * 4, name_length
        assert out["next_after"] == out["data"][-1]["id"]
        assert out["count"] == len(out["data"]) < 40


# ---- anything else ---------------------------------------------------------------------------------------------


PROJECT = {"object": "organization.project", "id": "proj_a", "name": "Assistant", "status": "active"}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"name": "p" * 50_000}, {"name": "p" * 1000 + "… (50,000 characters)"}),
        ({"labels": [f"label-{i:04d}" for i in range(3000)]}, {"labels": [f"label-{i:04d}" for i in range(200)]}),
    ],
)
async def test_a_result_too_large_has_its_longest_strings_and_lists_cut(
    httpx_mock: HTTPXMock, extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    httpx_mock.add_response(json={**PROJECT, **extra})

    out, text = await call_text("codex_get_project", {"project_id": "proj_a"}, max_result_tokens=BUDGET)

    assert len(text.encode()) <= BUDGET * 4
    assert {key: out[key] for key in expected} == expected
    assert (out["id"], out["status"]) == ("proj_a", "active")
    cap = 1000 if "name" in extra else 200
    [note] = out["notes"]
    assert note.startswith("This result was cut to fit the 1,000-token result budget (in full about ")
    assert f"strings longer than {cap} characters end in '…' and their length, and lists longer than {cap}" in note


@pytest.mark.parametrize(("over", "cap"), [(0, 1000), (1, 200)])
async def test_a_cut_result_exactly_at_the_budget_is_sent_and_one_byte_more_is_cut_further(
    httpx_mock: HTTPXMock, over: int, cap: int
) -> None:
    fields = ["purpose", "owner_note", "billing_note", "review_note"]  # each under 1,000 characters

    def project(length: int) -> dict[str, Any]:
        share = [length // len(fields) + (i < length % len(fields)) for i in range(len(fields))]
        return {**PROJECT, "name": "p" * 50_000, **{f: "s" * n for f, n in zip(fields, share, strict=True)}}

    httpx_mock.add_response(json=project(400))
    _, probe = await call_text("codex_get_project", {"project_id": "proj_a"}, max_result_tokens=BUDGET)
    sent = project(400 + BUDGET * 4 + over - len(probe.encode()))
    httpx_mock.add_response(json=sent)

    out, text = await call_text("codex_get_project", {"project_id": "proj_a"}, max_result_tokens=BUDGET)

    assert out["name"] == "p" * cap + "… (50,000 characters)"
    assert len(text.encode()) == BUDGET * 4 if not over else len(text.encode()) < BUDGET * 4
    if not over:
        assert {f: out[f] for f in fields} == {f: sent[f] for f in fields}  # under 1,000 characters: whole


async def test_a_result_that_cannot_be_cut_to_fit_is_an_error_saying_how_to_ask_for_less(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(json={**PROJECT, "settings": {f"setting_{i:04d}": i for i in range(2000)}})

    result = await call_tool(make_settings(max_result_tokens=BUDGET), "codex_get_project", {"project_id": "proj_a"})

    assert result.is_error
    text = result_text(result)
    assert text.startswith("The result of codex_get_project is too large to return within the 1,000-token result")
    assert "CODEX_MCP_MAX_RESULT_TOKENS raises the budget." in text
    assert len(text) < 1000
