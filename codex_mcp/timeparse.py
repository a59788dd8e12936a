"""Turn the times people and models type (Unix seconds, ISO-8601, '7d', '3mo', 'last month') into Unix seconds, UTC."""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from codex_mcp.errors import InvalidArgumentError, shown

TIME_FORMS = (
    "Unix seconds (1730419200), an ISO-8601 date or datetime ('2026-10-01', '2026-10-01T09:00:00Z'; UTC unless an "
    "offset is given), a span before now ('7d', '24h', '30min', '2w', '3mo', '1y'), or 'now', 'today', "
    "'yesterday', 'this week', 'last week', 'this month', 'last month', 'this year', 'last year'"
)
_USE = f"Use {TIME_FORMS}."
EARLIEST = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
# Unix seconds above this (the year 5138) are taken for milliseconds; more digits than MAX_DIGITS are no time at all.
MILLISECONDS_FROM = 10**11
MAX_DIGITS = 14
MAX_FUTURE_S = 366 * 86400

_RELATIVE = re.compile(r"^(\d{1,6})\s*([a-z]+)(?:\s+ago)?$")
_UNITS = {
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "week", "weeks"), "weeks"),
    **dict.fromkeys(("mo", "month", "months"), "months"),
    **dict.fromkeys(("y", "year", "years"), "years"),
}
_FIXED_SPANS = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
    "weeks": timedelta(weeks=1),
}
_CALENDAR_MONTHS = {"months": 1, "years": 12}


class TimeInputError(InvalidArgumentError):
    """A time argument that cannot be understood; the message says which forms work."""


@dataclass(frozen=True)
class Instant:
    """A parsed time: its Unix seconds and, for a named period ('last month'), where that period ends."""

    at: int
    period_end: int | None = None


def iso(ts: int | float | None) -> str | None:
    """Unix seconds as ISO-8601 UTC ('2026-11-01T00:00:00Z')."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(ts: int) -> str:
    """Unix seconds as an ISO-8601 UTC date."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def parse_instant(value: int | str, *, field: str, now: float | None = None) -> Instant:
    """Parse one time argument; raise TimeInputError with a message naming `field` when it can't be read."""
    current = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    if isinstance(value, bool):
        raise TimeInputError(f"{field}: expected a time, got a boolean. Use {TIME_FORMS}.")
    if isinstance(value, int | float):
        return Instant(_unix(int(value), field))
    text = value.strip().lower()
    if not text:
        raise TimeInputError(f"{field} is empty. Use {TIME_FORMS}.")
    if re.fullmatch(r"-?\d+", text):
        if len(text) > MAX_DIGITS:
            raise TimeInputError(f"{field}: {shown(text)} is not a Unix time: it has {len(text):,} digits. {_USE}")
        return Instant(_unix(int(text), field))
    if text == "now":
        return Instant(int(current.timestamp()))
    if (relative := _relative(text, current, field)) is not None:
        return Instant(relative)
    if (period := _named_period(text, current)) is not None:
        start, end = period
        return Instant(_ts(start), _ts(end))
    return Instant(_parse_iso(value.strip(), field))


def resolve_range(
    start: int | str,
    end: int | str | None,
    *,
    now: float | None = None,
    start_field: str = "start_time",
    end_field: str = "end_time",
) -> tuple[int, int]:
    """Resolve a [start, end) pair; end defaults to the end of a named start period, else now."""
    current = int(time.time() if now is None else now)
    first = parse_instant(start, field=start_field, now=current)
    if end is None:
        last = min(first.period_end, current) if first.period_end is not None else current
    else:
        parsed = parse_instant(end, field=end_field, now=current)
        last = parsed.period_end if parsed.period_end is not None else parsed.at
    check_range(first.at, last, now=current, start_field=start_field, end_field=end_field)
    return first.at, last


def resolve_optional_range(
    start: int | str | None, end: int | str | None, *, start_field: str, end_field: str, now: float | None = None
) -> tuple[int | None, int | None]:
    """Like resolve_range, but either side may be open (for filters such as audit-log effective_at)."""
    current = int(time.time() if now is None else now)
    first = parse_instant(start, field=start_field, now=current) if start is not None else None
    last: int | None = None
    if end is not None:
        parsed = parse_instant(end, field=end_field, now=current)
        last = parsed.period_end if parsed.period_end is not None else parsed.at
    elif first is not None and first.period_end is not None:
        last = min(first.period_end, current)
    if first is not None and last is not None:
        check_range(first.at, last, now=current, start_field=start_field, end_field=end_field)
    elif first is not None:
        check_range(first.at, current + 1, now=current, start_field=start_field, end_field=end_field)
    elif last is not None and last <= EARLIEST:
        raise TimeInputError(f"{end_field} ({iso(last)}) is before 2020-01-01; the Admin API has no data that old.")
    return (first.at if first else None), last


def check_range(start: int, end: int, *, now: int, start_field: str, end_field: str) -> None:
    """Refuse ranges that are empty, reversed, before 2020 or far in the future."""
    if start < EARLIEST:
        raise TimeInputError(f"{start_field} ({iso(start)}) is before 2020-01-01; the Admin API has no data that old.")
    if start > now:
        raise TimeInputError(f"{start_field} ({iso(start)}) is in the future (now is {iso(now)}).")
    if end <= start:
        raise TimeInputError(
            f"{start_field} ({iso(start)}) must be before {end_field} ({iso(end)}); {end_field} is exclusive."
        )
    if end > now + MAX_FUTURE_S:
        raise TimeInputError(f"{end_field} ({iso(end)}) is more than a year in the future.")


def _unix(value: int, field: str) -> int:
    if abs(value) >= 10**MAX_DIGITS:
        raise TimeInputError(f"{field}: that number is far too large to be a Unix time (seconds). {_USE}")
    if value > MILLISECONDS_FROM:
        raise TimeInputError(f"{field}: {value} looks like milliseconds; pass Unix seconds ({value // 1000}).")
    if value < 0:
        raise TimeInputError(f"{field}: {value} is negative. Use {TIME_FORMS}.")
    return value


def _parse_iso(text: str, field: str) -> int:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        if len(candidate) == 10:
            return _ts(datetime.combine(date.fromisoformat(candidate), datetime.min.time(), UTC))
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        raise TimeInputError(f"{field}: cannot read {shown(text)} as a time. Use {TIME_FORMS}.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _ts(parsed)


def _relative(text: str, now: datetime, field: str) -> int | None:
    """'7d', '30min', '3mo ago', ...: that long before `now`; None when `text` is not a relative form."""
    match = _RELATIVE.match(text)
    if match is None:
        return None
    count, unit = int(match.group(1)), match.group(2)
    if unit == "m":
        raise TimeInputError(
            f"{field}: {shown(text)} is ambiguous, 'm' could mean minutes or months. "
            f"Use '{count}min' for minutes or '{count}mo' for months."
        )
    if unit not in _UNITS:
        return None
    try:
        return _ts(_count_back(now, count, _UNITS[unit]))
    except (OverflowError, ValueError):
        raise TimeInputError(
            f"{field}: {shown(text)} reaches back before 2020-01-01; the Admin API has no data that old."
        ) from None


def _count_back(moment: datetime, count: int, unit: str) -> datetime:
    """`count` units before `moment`; months and years are calendar steps, clamped to the month's last day."""
    if unit in _CALENDAR_MONTHS:
        return _add_month(moment, -count * _CALENDAR_MONTHS[unit])
    return moment - count * _FIXED_SPANS[unit]


def _named_period(text: str, now: datetime) -> tuple[datetime, datetime] | None:
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    year = month.replace(month=1)
    periods = {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "this week": (week, week + timedelta(days=7)),
        "last week": (week - timedelta(days=7), week),
        "this month": (month, _add_month(month)),
        "last month": (_add_month(month, -1), month),
        "this year": (year, year.replace(year=year.year + 1)),
        "last year": (year.replace(year=year.year - 1), year),
    }
    return periods.get(" ".join(text.split()))


def _add_month(moment: datetime, months: int = 1) -> datetime:
    """Step whole calendar months; a day the target month lacks becomes its last day (May 31 - 3 months = Feb 28)."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())
