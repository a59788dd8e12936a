"""Read usage and cost results into flat rows of numbers, exactly, and never lose a value silently."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from codex_mcp.timeparse import iso_date

Number = int | float
# In a row, fractional numbers are Decimals (read exactly once), so sums stay exact and cheap.
RowValue = int | Decimal | str | bool
Row = dict[str, RowValue]

# Fields that name a group rather than count something (every usage and cost result of the spec).
DIMENSIONS = frozenset(
    {
        "project_id",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
        "line_item",
        "source",
        "size",
        "context_level",
        "vector_store_id",
        "quantity_unit",
    }
)
MAX_PROBLEM_EXAMPLES = 3


@dataclass
class UnreadableValues:
    """Values that could not be read as finite numbers, counted per field, with a few examples for the note."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, what: str, day: int | None, value: Any) -> None:
        self.count += 1
        if len(self.examples) < MAX_PROBLEM_EXAMPLES:
            on = f" on {iso_date(day)}" if day is not None else ""
            self.examples.append(f"{what}{on} ({shown_value(value)})")

    def note(self, kind: str) -> str | None:
        """One sentence for the result's notes, or None when every value was read."""
        if not self.count:
            return None
        rows = "1 row" if self.count == 1 else f"{self.count} rows"
        more = f", and {self.count - len(self.examples)} more" if self.count > len(self.examples) else ""
        return (
            f"{rows} of {kind} had a value that is not a finite number: {'; '.join(self.examples)}{more}. Totals "
            "exclude those values; the API sent them that way, so check again later or report it to OpenAI."
        )


def shown_value(value: Any) -> str:
    """A value as shown in a note: its repr, at most 40 characters."""
    if value is _MISSING:
        return "missing"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}... ({len(text)} characters)"


_MISSING = object()
_TEXT = (str, bool)  # a tuple, not `str | bool`: sum_rows checks every value of every row, and a union is slower
ExactSums = dict[str, Decimal | int]


def read_number(value: Any) -> int | Decimal | None:
    """A finite number from an API value (numeric strings included), exact: an int, or a Decimal of the value as
    written; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str) and len(value) <= 64:
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None
        if not parsed.is_finite() or not math.isfinite(float(parsed)):  # '1e999': beyond any float, not a count
            return None
        return int(parsed) if parsed == parsed.to_integral_value() and "." not in value else parsed
    return None


def flatten_row(result: dict[str, Any], problems: UnreadableValues | None = None, *, day: int | None = None) -> Row:
    """One API result as a flat row: no `object`, no nulls; a cost's amount becomes `amount_usd` (or
    `amount_<currency>`). A counter or amount that is not a finite number is left out and recorded in `problems`."""
    row: Row = {}
    for key, value in result.items():
        if key == "object" or (value is None and key != "amount"):
            continue
        if key == "amount":
            _read_amount(value, row, problems, day)
        elif key in DIMENSIONS:
            row[key] = value if isinstance(value, str | bool | int) else str(value)
        elif (number := read_number(value)) is not None:
            row[key] = number
        elif problems is not None:
            problems.add(key, day, value)
    if "amount" not in result and result.get("object") == "organization.costs.result" and problems is not None:
        problems.add("amount", day, _MISSING)
    return row


def _read_amount(value: Any, row: Row, problems: UnreadableValues | None, day: int | None) -> None:
    if not isinstance(value, dict):
        if problems is not None:
            problems.add("amount", day, value)
        return
    currency = str(value.get("currency") or "usd").strip().lower()
    number = read_number(value.get("value", _MISSING))
    if number is None:
        if problems is not None:
            problems.add(f"amount ({currency})", day, value.get("value", _MISSING))
        return
    row[f"amount_{currency}"] = number  # US dollars: amount_usd


def model_of(line_item: str | None) -> str:
    """The model a cost line item is for ('gpt-4o-2024-08-06, input' -> 'gpt-4o-2024-08-06'); a line item that
    names no model ('code interpreter sessions') is its own entry."""
    if not line_item:
        return "(no line item)"
    return line_item.partition(", ")[0]


def sum_rows(rows: Iterable[Row], *, include_quantity: bool = False) -> dict[str, Number]:
    """Sum every numeric field of the rows; money and other floats are summed exactly in decimal.

    `quantity` is only meaningful within one line item (its unit varies), so it is summed only when asked.
    """
    return exact_numbers(add_rows({}, rows, include_quantity=include_quantity))


def add_rows(totals: ExactSums, rows: Iterable[Row], *, include_quantity: bool = False) -> ExactSums:
    """Add every numeric field of the rows into `totals` (exact: ints, and decimals for money and other floats)."""
    for row in rows:
        for key, value in row.items():
            if key in DIMENSIONS or isinstance(value, _TEXT) or (key == "quantity" and not include_quantity):
                continue
            totals[key] = totals.get(key, 0) + value
    return totals


def add_sums(totals: ExactSums, more: ExactSums) -> ExactSums:
    """Add exact sums into `totals` (the sums of a set of rows added up are the sums of all their rows)."""
    for key, value in more.items():
        totals[key] = totals.get(key, 0) + value
    return totals


def exact_numbers(totals: ExactSums) -> dict[str, Number]:
    return {key: exact_number(value) for key, value in totals.items()}


def exact_number(value: Decimal | int) -> Number:
    """An exact decimal sum as JSON can carry it: int when whole and from ints, else the nearest float."""
    return value if isinstance(value, int) else float(value)
