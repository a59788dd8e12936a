"""Time arguments at their edges: a start at exactly now, the 2020-01-01 floor, a year ahead, the millisecond
threshold and the number of digits a time may have, as functions and through the tools."""

from __future__ import annotations

import types
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from codex_mcp.timeparse import (
    EARLIEST,
    MILLISECONDS_FROM,
    TimeInputError,
    parse_instant,
    resolve_optional_range,
    resolve_range,
)
from tests.conftest import call_tool, make_settings, result_text
from tests.test_timeparse import NOW, ts

YEAR_AHEAD = 366 * 86400


def at(value: int | str) -> int:
    return parse_instant(value, field="start_time", now=NOW).at


def refusal(value: int | str) -> str:
    with pytest.raises(TimeInputError) as caught:
        parse_instant(value, field="start_time", now=NOW)
    return str(caught.value)


# ---- now, the floor and the ceiling --------------------------------------------------------------------------------


def test_a_start_at_exactly_now_is_accepted_and_one_second_later_is_not() -> None:
    assert resolve_range(NOW, NOW + 60, now=NOW) == (NOW, NOW + 60)
    with pytest.raises(TimeInputError, match=r"^start_time \(2026-03-18T15:30:46Z\) is in the future"):
        resolve_range(NOW + 1, NOW + 60, now=NOW)


def test_an_open_ended_start_at_exactly_now_is_accepted_and_one_second_later_is_not() -> None:
    assert resolve_optional_range(NOW, None, start_field="s", end_field="e", now=NOW) == (NOW, None)
    with pytest.raises(TimeInputError, match=r"^s \(2026-03-18T15:30:46Z\) is in the future"):
        resolve_optional_range(NOW + 1, None, start_field="s", end_field="e", now=NOW)


def test_an_end_at_exactly_2020_is_refused_and_one_second_later_is_not() -> None:
    with pytest.raises(TimeInputError, match=r"^e \(2020-01-01T00:00:00Z\) is before 2020-01-01"):
        resolve_optional_range(None, EARLIEST, start_field="s", end_field="e", now=NOW)
    assert resolve_optional_range(None, EARLIEST + 1, start_field="s", end_field="e", now=NOW) == (None, EARLIEST + 1)


def test_a_start_at_exactly_2020_is_accepted_and_one_second_earlier_is_not() -> None:
    assert resolve_range(EARLIEST, EARLIEST + 1, now=NOW) == (EARLIEST, EARLIEST + 1)
    with pytest.raises(TimeInputError, match="before 2020-01-01"):
        resolve_range(EARLIEST - 1, EARLIEST + 1, now=NOW)


def test_an_end_exactly_a_year_ahead_is_accepted_and_one_second_more_is_not() -> None:
    assert resolve_range(NOW, NOW + YEAR_AHEAD, now=NOW) == (NOW, NOW + YEAR_AHEAD)
    with pytest.raises(TimeInputError, match="more than a year in the future"):
        resolve_range(NOW, NOW + YEAR_AHEAD + 1, now=NOW)


async def test_an_audit_search_from_exactly_now_is_sent(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("codex_mcp.timeparse.time", types.SimpleNamespace(time=lambda: NOW + 0.5))
    httpx_mock.add_response(json={"object": "list", "data": [], "has_more": False})

    result = await call_tool(make_settings(), "codex_list_audit_events", {"effective_at_start": "now"})

    assert not result.is_error, result_text(result)
    [request] = httpx_mock.get_requests()
    assert request.url.params["effective_at[gte]"] == str(NOW)


# ---- numbers: seconds, milliseconds, too many digits ---------------------------------------------------------------


@pytest.mark.parametrize("value", [MILLISECONDS_FROM, str(MILLISECONDS_FROM)])
def test_the_millisecond_threshold_itself_is_read_as_seconds(value: int | str) -> None:
    assert at(value) == 10**11


@pytest.mark.parametrize("value", [MILLISECONDS_FROM + 1, str(MILLISECONDS_FROM + 1)])
def test_one_above_the_millisecond_threshold_is_taken_for_milliseconds(value: int | str) -> None:
    assert refusal(value) == "start_time: 100000000001 looks like milliseconds; pass Unix seconds (100000000)."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1767225600000", "start_time: 1767225600000 looks like milliseconds; pass Unix seconds (1767225600)."),
        ("17672256000000", "start_time: 17672256000000 looks like milliseconds; pass Unix seconds (17672256000)."),
        (17672256000000, "start_time: 17672256000000 looks like milliseconds; pass Unix seconds (17672256000)."),
        (10**14, "start_time: that number is far too large to be a Unix time (seconds)."),
        (-(10**14), "start_time: that number is far too large to be a Unix time (seconds)."),
        ("176722560000000", "start_time: '176722560000000' is not a Unix time: it has 15 digits."),
        ("1" * 5000, "start_time: '1111111111111111111111111111111111111111111111111111111111111111111111111111"),
    ],
)
def test_numbers_with_too_many_digits_are_refused_as_times(value: int | str, message: str) -> None:
    assert refusal(value).startswith(message)


async def test_a_5000_digit_time_is_refused_as_a_time_through_the_tool(httpx_mock: HTTPXMock) -> None:
    """Python refuses to read a 5,000-digit int; the time parser must say so in its own words, not crash."""
    result = await call_tool(make_settings(), "codex_get_cost_breakdown", {"start_time": "1" * 5000})

    assert result.is_error
    text = result_text(result)
    assert text.startswith("Invalid arguments for codex_get_cost_breakdown: start_time: '1111")
    assert "… (5,000 characters) is not a Unix time: it has 5,000 digits." in text
    assert "bug" not in text
    assert len(text) < 1000
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"start_time": ts(2026, 3, 1), "end_time": MILLISECONDS_FROM}, "end_time (5138-11-16T09:46:40Z) is more than"),
        ({"start_time": ts(2026, 3, 1), "end_time": MILLISECONDS_FROM + 1}, "looks like milliseconds"),
    ],
)
async def test_the_millisecond_threshold_through_the_tool(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch, arguments: dict[str, Any], message: str
) -> None:
    monkeypatch.setattr("codex_mcp.timeparse.time", types.SimpleNamespace(time=lambda: NOW))

    result = await call_tool(make_settings(), "codex_get_completions_usage", arguments)

    assert result.is_error
    assert message in result_text(result)
    assert httpx_mock.get_requests() == []
