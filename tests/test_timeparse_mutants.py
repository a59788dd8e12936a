"""Time arguments read the same on a server whose clock is not set to UTC, and the refusals quote what was typed.

Found by mutation testing (scripts/mutation.sh timeparse): every `UTC` in timeparse.py could be dropped without a
test noticing, because the suite ran on UTC machines only. Here the process time zone is Tokyo (UTC+9, no summer
time) while NOW (2026-03-18T15:30:45Z) is already the 19th there.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from codex_mcp.timeparse import TimeInputError, iso, iso_date, parse_instant, resolve_optional_range, resolve_range
from tests.test_timeparse import NOW, ts


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "JST-9")  # POSIX form: needs no time zone database
    time.tzset()
    assert time.localtime(NOW).tm_mday == 19, "the test needs a local date that differs from the UTC one"
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_shown_in_utc_whatever_the_server_zone(tokyo: None) -> None:
    assert iso(NOW) == "2026-03-18T15:30:45Z"
    assert iso_date(NOW) == "2026-03-18"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-01", "2026-03-01T00:00:00Z"),
        ("2026-03-01Z", "2026-03-01T00:00:00Z"),
        ("2026-03-01T09:00:00", "2026-03-01T09:00:00Z"),
        ("2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"),
        ("2026-03-01T09:00:00+02:00", "2026-03-01T07:00:00Z"),
        ("20260301T09", "2026-03-01T09:00:00Z"),  # ISO-8601 basic format, 11 characters
    ],
)
def test_iso_times_without_an_offset_are_utc_whatever_the_server_zone(tokyo: None, typed: str, expected: str) -> None:
    assert iso(parse_instant(typed, field="start_time", now=NOW).at) == expected


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("today", "2026-03-18T00:00:00Z", "2026-03-18T15:30:45Z"),
        ("yesterday", "2026-03-17T00:00:00Z", "2026-03-18T00:00:00Z"),
        ("this week", "2026-03-16T00:00:00Z", "2026-03-18T15:30:45Z"),
        ("this month", "2026-03-01T00:00:00Z", "2026-03-18T15:30:45Z"),
        ("last year", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    ],
)
def test_named_periods_are_utc_days_whatever_the_server_zone(tokyo: None, typed: str, start: str, end: str) -> None:
    first, last = resolve_range(typed, None, now=NOW)
    assert (iso(first), iso(last)) == (start, end)


def test_relative_and_now_are_the_same_instant_whatever_the_server_zone(tokyo: None) -> None:
    assert parse_instant("now", field="start_time", now=NOW).at == NOW
    assert iso(parse_instant("7d", field="start_time", now=NOW).at) == "2026-03-11T15:30:45Z"
    assert iso(parse_instant("1mo", field="start_time", now=NOW).at) == "2026-02-18T15:30:45Z"


def test_unix_zero_is_refused_as_before_2020_not_as_negative() -> None:
    assert parse_instant(0, field="start_time", now=NOW).at == 0
    with pytest.raises(TimeInputError) as caught:
        resolve_range(0, None, now=NOW)
    assert str(caught.value).startswith("start_time (1970-01-01T00:00:00Z) is before 2020-01-01")
    with pytest.raises(TimeInputError, match=r"^start_time: -1 is negative"):
        parse_instant(-1, field="start_time", now=NOW)


def test_a_start_in_the_future_says_what_now_is() -> None:
    with pytest.raises(TimeInputError) as caught:
        resolve_range(NOW + 3600, None, now=NOW)
    assert str(caught.value) == "start_time (2026-03-18T16:30:45Z) is in the future (now is 2026-03-18T15:30:45Z)."


def test_an_open_range_starting_now_ends_nowhere() -> None:
    assert resolve_optional_range(NOW, None, start_field="s", end_field="e", now=NOW) == (NOW, None)
    assert resolve_optional_range(ts(2026, 3, 18), None, start_field="s", end_field="e", now=NOW) == (
        ts(2026, 3, 18),
        None,
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("5m", "start_time: '5m' is ambiguous, 'm' could mean minutes or months. Use '5min' for minutes or '5mo'"),
        ("999999y", "start_time: '999999y' reaches back before 2020-01-01; the Admin API has no data that old."),
    ],
)
def test_refusals_of_relative_times_quote_what_was_typed(typed: str, message: str) -> None:
    with pytest.raises(TimeInputError) as caught:
        parse_instant(typed, field="start_time", now=NOW)
    assert str(caught.value).startswith(message)
