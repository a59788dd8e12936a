"""Time arguments: Unix seconds, ISO-8601 and relative forms, resolved against a fixed `now`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from codex_mcp.errors import InvalidArgumentError
from codex_mcp.timeparse import (
    TIME_FORMS,
    TimeInputError,
    iso,
    iso_date,
    parse_instant,
    resolve_optional_range,
    resolve_range,
)


def ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp())


# Wednesday 2026-03-18 15:30:45 UTC.
NOW = ts(2026, 3, 18, 15, 30, 45)
# Wednesday 2026-01-14 10:00:00 UTC, for the year boundary.
JANUARY = ts(2026, 1, 14, 10)
# Sunday 2026-03-22 23:00:00 UTC: still in the week that began on Monday the 16th.
SUNDAY = ts(2026, 3, 22, 23)
HOUR, DAY, WEEK = 3600, 86400, 7 * 86400


def at(value: int | str, now: int = NOW) -> int:
    return parse_instant(value, field="start_time", now=now).at


# ---- single instants ---------------------------------------------------------------------------------------------


def test_unix_seconds_as_int_and_digit_string() -> None:
    assert at(1767225600) == 1767225600
    assert at("1767225600") == 1767225600
    assert at(" 1767225600 ") == 1767225600


@pytest.mark.parametrize("value", [1767225600000, "1767225600000"])
def test_milliseconds_refused_with_a_hint(value: int | str) -> None:
    with pytest.raises(TimeInputError) as caught:
        parse_instant(value, field="start_time", now=NOW)
    message = str(caught.value)
    assert "milliseconds" in message
    assert "1767225600" in message.replace("1767225600000", "")  # suggests the value in seconds
    assert message.startswith("start_time")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", ts(2026, 3, 1)),
        ("2026-03-01T09:15:00Z", ts(2026, 3, 1, 9, 15)),
        ("2026-03-01T09:15:00z", ts(2026, 3, 1, 9, 15)),
        ("2026-03-01T09:15:00+02:00", ts(2026, 3, 1, 7, 15)),
        ("2026-03-01T01:00:00-05:30", ts(2026, 3, 1, 6, 30)),
        ("2026-03-01T09:15:00", ts(2026, 3, 1, 9, 15)),  # naive: UTC
        ("2026-03-01 09:15", ts(2026, 3, 1, 9, 15)),
    ],
)
def test_iso_dates_and_datetimes(text: str, expected: int) -> None:
    assert at(text) == expected


@pytest.mark.parametrize(
    ("text", "seconds_ago"),
    [
        ("7d", 7 * DAY),
        ("24h", 24 * HOUR),
        ("90min", 90 * 60),
        ("30 mins", 30 * 60),
        ("1 minute", 60),
        ("45 minutes ago", 45 * 60),
        ("2w", 2 * WEEK),
        ("3 days ago", 3 * DAY),
        ("12 HOURS", 12 * HOUR),
        ("0d", 0),
    ],
)
def test_relative_forms_count_back_from_now(text: str, seconds_ago: int) -> None:
    assert at(text) == NOW - seconds_ago


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("1mo", NOW, ts(2026, 2, 18, 15, 30, 45)),  # same day of month and time of day
        ("3mo", NOW, ts(2025, 12, 18, 15, 30, 45)),  # across the year boundary
        ("2 months ago", NOW, ts(2026, 1, 18, 15, 30, 45)),
        ("1 Month", NOW, ts(2026, 2, 18, 15, 30, 45)),
        ("12mo", NOW, ts(2025, 3, 18, 15, 30, 45)),
        ("1mo", ts(2026, 3, 31, 8), ts(2026, 2, 28, 8)),  # clamped to the last day of February
        ("1mo", ts(2024, 3, 31, 8), ts(2024, 2, 29, 8)),  # ... which is the 29th in a leap year
        ("3mo", ts(2026, 5, 31, 8), ts(2026, 2, 28, 8)),
        ("1mo", ts(2026, 5, 31, 8), ts(2026, 4, 30, 8)),
        ("0mo", NOW, NOW),
    ],
)
def test_months_are_calendar_months_before_now(text: str, now: int, expected: int) -> None:
    assert at(text, now=now) == expected


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("1y", NOW, ts(2025, 3, 18, 15, 30, 45)),
        ("2 years ago", NOW, ts(2024, 3, 18, 15, 30, 45)),
        ("1 YEAR", NOW, ts(2025, 3, 18, 15, 30, 45)),
        ("1y", ts(2028, 2, 29, 12), ts(2027, 2, 28, 12)),  # Feb 29 becomes Feb 28 in a common year
        ("4y", ts(2028, 2, 29, 12), ts(2024, 2, 29, 12)),  # ... and stays Feb 29 in a leap year
    ],
)
def test_years_are_calendar_years_before_now(text: str, now: int, expected: int) -> None:
    assert at(text, now=now) == expected


@pytest.mark.parametrize(("text", "count"), [("3m", 3), ("90m", 90), ("3 M", 3), ("6m ago", 6)])
def test_bare_m_is_ambiguous_and_suggests_both_readings(text: str, count: int) -> None:
    with pytest.raises(TimeInputError) as caught:
        parse_instant(text, field="start_time", now=NOW)
    message = str(caught.value)
    assert message.startswith("start_time")
    assert "ambiguous" in message
    assert f"'{count}min'" in message
    assert "minutes" in message
    assert f"'{count}mo'" in message
    assert "months" in message


def test_relative_forms_reaching_past_the_calendar_are_time_errors() -> None:
    for text in ("999999d", "999999w", "999999mo", "999999y"):
        with pytest.raises(TimeInputError, match="before 2020-01-01"):
            resolve_range(text, None, now=NOW)


def test_time_forms_list_the_new_units() -> None:
    for form in ("'7d'", "'24h'", "'30min'", "'2w'", "'3mo'", "'1y'", "'this year'", "'last year'"):
        assert form in TIME_FORMS
    assert "'90m'" not in TIME_FORMS


def test_now() -> None:
    assert at("now") == NOW
    assert at("now", now=JANUARY) == JANUARY


@pytest.mark.parametrize(
    ("text", "now", "start", "end"),
    [
        ("today", NOW, ts(2026, 3, 18), ts(2026, 3, 19)),
        ("yesterday", NOW, ts(2026, 3, 17), ts(2026, 3, 18)),
        ("this week", NOW, ts(2026, 3, 16), ts(2026, 3, 23)),  # weeks start on Monday
        ("this week", SUNDAY, ts(2026, 3, 16), ts(2026, 3, 23)),
        ("last week", NOW, ts(2026, 3, 9), ts(2026, 3, 16)),
        ("this month", NOW, ts(2026, 3, 1), ts(2026, 4, 1)),
        ("last month", NOW, ts(2026, 2, 1), ts(2026, 3, 1)),
        ("last month", JANUARY, ts(2025, 12, 1), ts(2026, 1, 1)),
        ("this month", ts(2025, 12, 31, 23), ts(2025, 12, 1), ts(2026, 1, 1)),
        ("this year", NOW, ts(2026, 1, 1), ts(2027, 1, 1)),
        ("last year", NOW, ts(2025, 1, 1), ts(2026, 1, 1)),
        ("last year", JANUARY, ts(2025, 1, 1), ts(2026, 1, 1)),
        ("  Last   Month ", NOW, ts(2026, 2, 1), ts(2026, 3, 1)),
    ],
)
def test_named_periods(text: str, now: int, start: int, end: int) -> None:
    instant = parse_instant(text, field="start_time", now=now)
    assert (instant.at, instant.period_end) == (start, end)


def test_plain_instants_have_no_period_end() -> None:
    assert parse_instant("7d", field="start_time", now=NOW).period_end is None
    assert parse_instant("2026-03-01", field="start_time", now=NOW).period_end is None


@pytest.mark.parametrize("text", ["next tuesday", "soonish", "2026-13-45", "1e9", "7 fortnights"])
def test_garbage_refused_with_the_forms_listed(text: str) -> None:
    with pytest.raises(TimeInputError) as caught:
        parse_instant(text, field="end_time", now=NOW)
    message = str(caught.value)
    assert message.startswith("end_time")
    assert repr(text) in message
    for form in ("Unix seconds", "ISO-8601", "7d", "yesterday", "last month"):
        assert form in message


@pytest.mark.parametrize("value", ["", "   ", True, -5, "-5"])
def test_empty_boolean_and_negative_refused(value: int | str | bool) -> None:
    with pytest.raises(TimeInputError, match="start_time"):
        parse_instant(value, field="start_time", now=NOW)


def test_time_errors_are_invalid_argument_errors() -> None:
    with pytest.raises(InvalidArgumentError):
        parse_instant("whenever", field="start_time", now=NOW)


# ---- ranges ------------------------------------------------------------------------------------------------------


def test_last_month_alone_covers_exactly_last_month() -> None:
    assert resolve_range("last month", None, now=NOW) == (ts(2026, 2, 1), ts(2026, 3, 1))
    assert resolve_range("last month", None, now=JANUARY) == (ts(2025, 12, 1), ts(2026, 1, 1))


def test_current_period_alone_ends_now() -> None:
    assert resolve_range("this month", None, now=NOW) == (ts(2026, 3, 1), NOW)
    assert resolve_range("today", None, now=NOW) == (ts(2026, 3, 18), NOW)


def test_relative_start_ends_now() -> None:
    assert resolve_range("7d", None, now=NOW) == (NOW - 7 * DAY, NOW)
    assert resolve_range("3mo", None, now=NOW) == (ts(2025, 12, 18, 15, 30, 45), NOW)
    assert resolve_range("1y", "1mo", now=NOW) == (ts(2025, 3, 18, 15, 30, 45), ts(2026, 2, 18, 15, 30, 45))


def test_explicit_end_and_named_end() -> None:
    assert resolve_range("2026-03-01", "2026-03-10", now=NOW) == (ts(2026, 3, 1), ts(2026, 3, 10))
    # A named period as end_time runs to that period's end.
    assert resolve_range("2026-03-01", "yesterday", now=NOW) == (ts(2026, 3, 1), ts(2026, 3, 18))
    assert resolve_range(ts(2026, 3, 2), "3d", now=NOW) == (ts(2026, 3, 2), NOW - 3 * DAY)


@pytest.mark.parametrize(("start", "end"), [("2026-03-10", "2026-03-01"), ("2026-03-10", "2026-03-10")])
def test_end_not_after_start_refused(start: str, end: str) -> None:
    with pytest.raises(TimeInputError, match="must be before end_time"):
        resolve_range(start, end, now=NOW)


@pytest.mark.parametrize("start", ["2019-12-31", ts(2019, 6, 1), "2019-12-31T23:59:59Z"])
def test_before_2020_refused(start: int | str) -> None:
    with pytest.raises(TimeInputError, match="before 2020-01-01"):
        resolve_range(start, None, now=NOW)


def test_2020_itself_is_accepted() -> None:
    assert resolve_range("2020-01-01", "2020-02-01", now=NOW) == (ts(2020, 1, 1), ts(2020, 2, 1))


def test_start_in_the_future_refused() -> None:
    with pytest.raises(TimeInputError, match="in the future"):
        resolve_range(NOW + HOUR, None, now=NOW)
    with pytest.raises(TimeInputError, match="in the future"):
        resolve_range("2026-04-01", "2026-05-01", now=NOW)


def test_end_more_than_a_year_ahead_refused() -> None:
    with pytest.raises(TimeInputError, match="more than a year in the future"):
        resolve_range("2026-03-01", "2028-01-01", now=NOW)


def test_range_errors_name_custom_fields() -> None:
    with pytest.raises(TimeInputError, match="effective_at_start"):
        resolve_range("gibberish", None, now=NOW, start_field="effective_at_start", end_field="effective_at_end")


def test_optional_range_open_on_both_sides() -> None:
    assert resolve_optional_range(None, None, start_field="s", end_field="e", now=NOW) == (None, None)


def test_optional_range_named_start_alone_covers_that_period() -> None:
    assert resolve_optional_range("last week", None, start_field="s", end_field="e", now=NOW) == (
        ts(2026, 3, 9),
        ts(2026, 3, 16),
    )
    assert resolve_optional_range("this week", None, start_field="s", end_field="e", now=NOW) == (
        ts(2026, 3, 16),
        NOW,
    )


def test_optional_range_relative_start_stays_open_ended() -> None:
    assert resolve_optional_range("7d", None, start_field="s", end_field="e", now=NOW) == (NOW - 7 * DAY, None)


def test_optional_range_end_only() -> None:
    assert resolve_optional_range(None, "2026-03-01", start_field="s", end_field="e", now=NOW) == (
        None,
        ts(2026, 3, 1),
    )
    assert resolve_optional_range(None, "last month", start_field="s", end_field="e", now=NOW) == (
        None,
        ts(2026, 3, 1),
    )


def test_optional_range_refusals() -> None:
    with pytest.raises(TimeInputError, match=r"^e .*before 2020-01-01"):
        resolve_optional_range(None, "2019-01-01", start_field="s", end_field="e", now=NOW)
    with pytest.raises(TimeInputError, match="must be before e"):
        resolve_optional_range("2026-03-10", "2026-03-01", start_field="s", end_field="e", now=NOW)
    with pytest.raises(TimeInputError, match=r"^s .*in the future"):
        resolve_optional_range(NOW + DAY, None, start_field="s", end_field="e", now=NOW)


# ---- output ------------------------------------------------------------------------------------------------------


def test_iso_output_format() -> None:
    assert iso(ts(2026, 11, 1)) == "2026-11-01T00:00:00Z"
    assert iso(NOW) == "2026-03-18T15:30:45Z"
    assert iso(NOW + 0.9) == "2026-03-18T15:30:45Z"
    assert iso(None) is None
    assert iso_date(NOW) == "2026-03-18"


def test_iso_round_trips_through_parse() -> None:
    text = iso(NOW)
    assert text is not None
    assert at(text) == NOW
