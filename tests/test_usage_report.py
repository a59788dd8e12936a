"""Usage and cost reports as a user sees them: rows in time order, ties in a stable order, money per currency, the
range limits of each bucket width, and every unreadable value named in a note (never summed, never silent)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from codex_mcp.rows import read_number
from tests.builders import (
    DATA_URL,
    DAY,
    NOV_1,
    PROJECTS_URL,
    TOKENS,
    add_projects,
    add_users,
    bucket,
    completions,
    cost,
    usage_page,
)
from tests.conftest import call_tool, make_settings, result_text
from tests.test_tools_usage import call

HOUR = 3600
JAN_1_2022 = int(datetime(2022, 1, 1, tzinfo=UTC).timestamp())
NOTE_END = "Totals exclude those values; the API sent them that way, so check again later or report it to OpenAI."


# ---- order -------------------------------------------------------------------------------------------------------


async def test_buckets_the_api_sends_out_of_order_come_back_in_time_order(httpx_mock: HTTPXMock) -> None:
    """Pages and buckets within a page may arrive in any order; every table's rows are in time order."""

    def day(i: int, requests: int) -> dict[str, Any]:
        return bucket(NOV_1 + i * DAY, [completions(model="o3", num_model_requests=requests)])

    httpx_mock.add_response(json=usage_page([day(3, 4), day(1, 2)], TOKENS[0]))
    httpx_mock.add_response(json=usage_page([day(2, 3), day(0, 1)]))

    out = await call(
        "codex_get_completions_usage",
        {"start_time": NOV_1, "end_time": NOV_1 + 4 * DAY, "group_by": ["model"], "include_group_rows": True},
    )

    days = ["2024-11-01", "2024-11-02", "2024-11-03", "2024-11-04"]
    assert [row[:2] for row in out["buckets"]["rows"]] == [[d, n] for d, n in zip(days, (1, 2, 3, 4), strict=True)]
    assert [row[:3] for row in out["group_rows"]["rows"]] == [
        [d, "o3", n] for d, n in zip(days, (1, 2, 3, 4), strict=True)
    ]


async def test_groups_with_equal_totals_come_in_value_order_with_nulls_last(httpx_mock: HTTPXMock) -> None:
    """Largest first; equal totals by group value (field by field), not attributed (null) after every value."""
    rows = [
        completions(api_key_id=None, user_id=None, num_model_requests=5),
        completions(api_key_id="key_b", user_id="user-2", num_model_requests=5),
        completions(api_key_id="key_a", user_id=None, num_model_requests=5),
        completions(api_key_id="key_a", user_id="user-2", num_model_requests=5),
        completions(api_key_id="key_a", user_id="user-1", num_model_requests=5),
        completions(api_key_id="key_z", user_id="user-9", num_model_requests=9),
    ]
    httpx_mock.add_response(url=DATA_URL, json=usage_page([bucket(NOV_1, rows)]))
    add_users(httpx_mock, {"user-1": "u1@example.com", "user-2": "u2@example.com"})  # user-9 has left

    out = await call(
        "codex_get_completions_usage",
        {
            "start_time": NOV_1,
            "end_time": NOV_1 + DAY,
            "group_by": ["api_key_id", "user_id"],
            "include_group_rows": True,
        },
    )

    expected = [
        ["key_z", "user-9", None, 9],
        ["key_a", "user-1", "u1@example.com", 5],
        ["key_a", "user-2", "u2@example.com", 5],
        ["key_a", None, None, 5],
        ["key_b", "user-2", "u2@example.com", 5],
        [None, None, None, 5],
    ]
    assert out["groups"]["rows"] == expected
    # group rows carry ids only (labels are in the per-group totals)
    assert [row[1:] for row in out["group_rows"]["rows"]] == [[k, u, n] for k, u, _, n in expected]


# ---- money -------------------------------------------------------------------------------------------------------


async def test_each_currency_is_summed_in_its_own_column_whatever_its_case(httpx_mock: HTTPXMock) -> None:
    def amount(value: Any, currency: Any) -> dict[str, Any]:
        return {**cost(0), "amount": {"value": value, "currency": currency}}

    first_day = [amount(1.5, "usd"), amount(2.25, "USD"), amount(3.0, "eur"), amount(0.1, " Usd ")]
    second_day = [amount(1.0, "EUR"), amount(0.2, None), amount("0.7", "usd"), {**cost(0), "amount": {"value": 0.5}}]
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, first_day), bucket(NOV_1 + DAY, second_day)]))

    out = await call("codex_get_cost_breakdown", {"start_time": NOV_1, "end_time": NOV_1 + 2 * DAY})

    assert out["totals"] == {"amount_usd": 5.25, "amount_eur": 4.0}  # US dollars never include the euros
    assert out["buckets"] == {
        "columns": ["start", "amount_usd", "amount_eur"],
        "rows": [["2024-11-01", 3.85, 3.0], ["2024-11-02", 1.4, 1.0]],
        "width": "1d",
    }
    assert "notes" not in out


# ---- the range each bucket width allows ------------------------------------------------------------------------


RANGE_LIMITS = [
    # width, aligned start, offset of the start given, the longest range, how the refusal names it
    ("1h", NOV_1, 0, 366 * DAY, "366 days"),
    ("1h", NOV_1, 30 * 60, 366 * DAY, "366 days"),
    ("1m", NOV_1, 0, 7 * DAY, "7 days"),
    ("1m", NOV_1, 30, 7 * DAY, "7 days"),
]


class EmptyWindows:
    """Answers every window of a long range with no usage, recording (start_time, end_time) of each request."""

    def __init__(self) -> None:
        self.windows: list[tuple[int, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        window = (int(request.url.params["start_time"]), int(request.url.params["end_time"]))
        self.windows.append(window)
        return httpx.Response(200, json=usage_page([]))


@pytest.mark.parametrize(("width", "aligned", "offset", "longest", "_"), RANGE_LIMITS)
async def test_the_longest_range_of_a_bucket_width_is_accepted(
    httpx_mock: HTTPXMock, width: str, aligned: int, offset: int, longest: int, _: str
) -> None:
    """Measured from the start given: aligning it down then adds part of a bucket, which is still asked for, in
    windows of the API's largest page that cover the range exactly."""
    api = EmptyWindows()
    httpx_mock.add_callback(api, is_reusable=True)
    start = aligned + offset

    out = await call(
        "codex_get_completions_usage", {"start_time": start, "end_time": start + longest, "bucket_width": width}
    )

    windows = sorted(api.windows)
    assert windows[0][0] == aligned
    assert windows[-1][1] == start + longest
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows)), "windows are contiguous"
    assert (out["start_time"], out["end_time"]) == (aligned, start + longest)
    assert any("aligned down" in note for note in out.get("notes", [])) == bool(offset)


@pytest.mark.parametrize(("width", "aligned", "offset", "longest", "limit"), RANGE_LIMITS)
async def test_one_second_more_than_the_longest_range_is_refused(
    httpx_mock: HTTPXMock, width: str, aligned: int, offset: int, longest: int, limit: str
) -> None:
    start = aligned + offset
    result = await call_tool(
        make_settings(),
        "codex_get_completions_usage",
        {"start_time": start, "end_time": start + longest + 1, "bucket_width": width},
    )

    assert result.is_error
    text = result_text(result)
    assert f"is longer than {limit}, the most one call can ask for at bucket_width '{width}'" in text
    assert text.endswith("Use a wider bucket_width or a shorter range.")
    assert httpx_mock.get_requests() == []


async def test_daily_buckets_have_no_range_limit_but_2020(httpx_mock: HTTPXMock) -> None:
    api = EmptyWindows()
    httpx_mock.add_callback(api, is_reusable=True)

    out = await call("codex_get_cost_breakdown", {"start_time": "2020-01-01", "end_time": "2026-01-01"})

    assert out["bucket_count"] == 0
    assert len(api.windows) == -(-2192 // 180)  # 2,192 days in windows of 180
    result = await call_tool(make_settings(), "codex_get_cost_breakdown", {"start_time": "2019-12-31"})
    assert result.is_error
    assert "before 2020-01-01" in result_text(result)


# ---- reading numbers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42, 42),
        (2.5, Decimal("2.5")),
        ("42", 42),
        ("-3", -3),
        (" 3 ", 3),
        ("7.25", Decimal("7.25")),
        ("1.0", Decimal("1.0")),
        ("1e3", 1000),
        ("0" * 63 + "1", 1),  # 64 characters: still read
    ],
)
def test_numbers_and_numeric_strings_are_read(value: Any, expected: int | Decimal) -> None:
    number = read_number(value)
    assert number == expected
    # '42' is the integer 42; '1.0' and 2.5 are exact Decimals (sums stay exact)
    assert type(number) is type(expected)


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1e999",
        "-1e999",
        "1.5e999",
        float("nan"),
        float("inf"),
        float("-inf"),
        True,
        False,
        None,
        "",
        "abc",
        "0" * 64 + "1",  # 65 characters: not read, however numeric
        [1],
        {"value": 1},
    ],
)
def test_values_that_are_not_finite_numbers_are_not_read(value: Any) -> None:
    assert read_number(value) is None


# ---- unreadable values are named, with the day, and left out of the totals ---------------------------------------


def without_amount() -> dict[str, Any]:
    row = cost(0)
    del row["amount"]
    return row


@pytest.mark.parametrize(
    ("bad_row", "named"),
    [
        (cost("NaN"), "amount (usd) on 2024-11-02 ('NaN')"),
        (cost("Infinity"), "amount (usd) on 2024-11-02 ('Infinity')"),
        (cost("1e999"), "amount (usd) on 2024-11-02 ('1e999')"),
        (cost("abc"), "amount (usd) on 2024-11-02 ('abc')"),
        (cost(True), "amount (usd) on 2024-11-02 (True)"),
        ({**cost(0), "amount": {"value": "NaN", "currency": "EUR"}}, "amount (eur) on 2024-11-02 ('NaN')"),
        ({**cost(0), "amount": {"currency": "usd"}}, "amount (usd) on 2024-11-02 (missing)"),
        (without_amount(), "amount on 2024-11-02 (missing)"),
        ({**cost(0), "amount": None}, "amount on 2024-11-02 (None)"),
        ({**cost(0), "amount": "5"}, "amount on 2024-11-02 ('5')"),
        (cost("x" * 100), "amount (usd) on 2024-11-02 ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (102 characters))"),
    ],
)
async def test_an_unreadable_cost_is_named_with_its_day_and_left_out(
    httpx_mock: HTTPXMock, bad_row: dict[str, Any], named: str
) -> None:
    first_day = [cost("7.25")]  # a numeric string is a number
    second_day = [cost(1.0), bad_row]
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, first_day), bucket(NOV_1 + DAY, second_day)]))

    out = await call("codex_get_cost_breakdown", {"start_time": NOV_1, "end_time": NOV_1 + 2 * DAY})

    assert out["totals"] == {"amount_usd": 8.25}
    assert out["buckets"]["rows"] == [["2024-11-01", 7.25], ["2024-11-02", 1.0]]
    assert out["notes"] == [f"1 row of costs had a value that is not a finite number: {named}. {NOTE_END}"]


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("NaN", "input_tokens on 2024-11-02 ('NaN')"),
        ("Infinity", "input_tokens on 2024-11-02 ('Infinity')"),
        ("1e999", "input_tokens on 2024-11-02 ('1e999')"),
        ("abc", "input_tokens on 2024-11-02 ('abc')"),
        (True, "input_tokens on 2024-11-02 (True)"),
        ([3], "input_tokens on 2024-11-02 ([3])"),
    ],
)
async def test_an_unreadable_usage_counter_is_named_with_its_day_and_left_out(
    httpx_mock: HTTPXMock, value: Any, named: str
) -> None:
    first_day = [completions(model="o3", input_tokens="12", num_model_requests=1)]
    second_day = [completions(model="o3", input_tokens=30, num_model_requests=1), completions(input_tokens=value)]
    httpx_mock.add_response(json=usage_page([bucket(NOV_1, first_day), bucket(NOV_1 + DAY, second_day)]))

    out = await call("codex_get_completions_usage", {"start_time": NOV_1, "end_time": NOV_1 + 2 * DAY})

    assert out["totals"] == {"num_model_requests": 2, "input_tokens": 42}
    assert out["notes"] == [f"1 row of usage had a value that is not a finite number: {named}. {NOTE_END}"]


async def test_many_unreadable_values_name_the_first_three_and_count_the_rest(httpx_mock: HTTPXMock) -> None:
    days = [bucket(NOV_1 + i * DAY, [cost(1.0), cost("NaN")]) for i in range(5)]
    httpx_mock.add_response(json=usage_page(days))

    out = await call("codex_get_cost_breakdown", {"start_time": NOV_1, "end_time": NOV_1 + 5 * DAY})

    assert out["totals"] == {"amount_usd": 5.0}
    named = "; ".join(f"amount (usd) on 2024-11-0{i} ('NaN')" for i in (1, 2, 3))
    assert out["notes"] == [f"5 rows of costs had a value that is not a finite number: {named}, and 2 more. {NOTE_END}"]


# ---- a failed data request in a report grouped by project ----------------------------------------------------------


@pytest.mark.parametrize("lookup", ["answers", "fails"])
async def test_grouped_by_project_a_failed_data_request_is_the_error_not_a_partial_report(
    httpx_mock: HTTPXMock, lookup: str
) -> None:
    """The project-name lookup runs beside the data request; when the data fails, the call fails with its message."""
    httpx_mock.add_response(
        url=DATA_URL,
        status_code=400,
        json={"error": {"message": "group_by project_id is not allowed here.", "type": "invalid_request_error"}},
        headers={"x-request-id": "req_data"},
    )
    if lookup == "answers":
        add_projects(httpx_mock, {"proj_a": "Assistant"})
    else:
        httpx_mock.add_response(url=PROJECTS_URL, status_code=403, json={"error": {"message": "Missing scope"}})

    result = await call_tool(
        make_settings(),
        "codex_get_cost_breakdown",
        {"start_time": NOV_1, "end_time": NOV_1 + DAY, "group_by": ["project_id"]},
    )

    assert result.is_error
    assert result.structured_content is None
    text = result_text(result)
    assert text.startswith("codex_get_cost_breakdown failed:")
    assert "group_by project_id is not allowed here." in text
    assert "req_data" in text
    assert "Missing scope" not in text
    assert "Project names" not in text
    assert "bug" not in text
    assert len(httpx_mock.get_requests(url=DATA_URL)) == 1  # a 400 is not retried
