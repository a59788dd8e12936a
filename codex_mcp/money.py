"""US dollars and the Admin API's integer cents, converted exactly (Decimal): no float drift, no fraction of a cent."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")
CENTS_PER_DOLLAR = 100
# The largest amount a tool accepts: $10 million a month is 10^9 cents, well inside a 32-bit integer. Anything
# larger is a slip (cents given as dollars, a stray digit), not a budget.
MAX_USD = Decimal("10000000")
# Text a person or model may write for an amount: 1234.56, $1234.56 or $1,234.56 (commas only between thousands,
# so '1,5' is never read as 15).
_AMOUNT_TEXT = re.compile(r"-?\$?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)")

# An amount of US dollars in a result: exact inside (Decimal), a JSON number on the wire. Amounts are whole cents
# of at most 10 digits, so the number's shortest text is the exact amount ("1234.56", not "1234.5599999").
USD = Annotated[
    Decimal, PlainSerializer(float, return_type=float, when_used="json"), WithJsonSchema({"type": "number"})
]


def parse_usd(value: object) -> Decimal:
    """An amount of US dollars given as a JSON number or as text, exactly as written: whole cents from $0 to MAX_USD,
    returned with two decimal places; ValueError saying what to give otherwise.

    A float is read through its shortest text (the number as it was written in JSON), so 0.29 is 0.29 and not
    0.28999999999999998002.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected an amount in US dollars such as 1234.56, got the boolean {str(value).lower()}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str) and _AMOUNT_TEXT.fullmatch(value.strip()):
        amount = Decimal(value.strip().replace("$", "").replace(",", ""))
    else:
        raise ValueError(f"expected an amount in US dollars such as 1234.56, got {_shown(value)}")
    if not amount.is_finite():
        raise ValueError(f"expected an amount in US dollars such as 1234.56, got {_shown(value)}")
    if amount < 0:
        raise ValueError(f"an amount of US dollars cannot be negative, got {_plain(amount)}")
    if amount > MAX_USD:
        raise ValueError(
            f"{_plain(amount)} dollars is more than the {format_usd(MAX_USD)} a month this tool accepts; amounts "
            "are in US dollars, not cents"
        )
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise ValueError(
            f"{_plain(amount)} dollars has a fraction of a cent: amounts are whole cents, at most two decimal "
            "places (e.g. 1234.56)"
        )
    return amount.quantize(CENT)


def usd_to_cents(amount: Decimal) -> int:
    """Whole cents for an amount of dollars; ValueError when it has a fraction of a cent (never rounded)."""
    cents = amount * CENTS_PER_DOLLAR
    if cents != cents.to_integral_value():
        raise ValueError(f"{_plain(amount)} dollars has a fraction of a cent")
    return int(cents)


def cents_to_usd(cents: int) -> Decimal:
    """Dollars for whole cents, with exactly two decimal places: 123456 -> Decimal('1234.56')."""
    return Decimal(cents).scaleb(-2)


def format_usd(amount: Decimal) -> str:
    """Dollars as a person reads them: '$1,234.56', '-$0.50'."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _plain(amount: Decimal) -> str:
    """A Decimal in plain notation (0.001, not 1E-3), as a person wrote it."""
    return f"{amount:f}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:39]}…"
