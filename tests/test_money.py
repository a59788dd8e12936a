"""Dollars <-> cents: exact both ways, whole cents only, nothing negative or absurd, and the JSON number a result
carries is the exact amount."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from codex_mcp.money import MAX_USD, USD, cents_to_usd, format_usd, parse_usd, usd_to_cents


def test_1234_56_dollars_is_123456_cents_both_ways() -> None:
    assert usd_to_cents(parse_usd(1234.56)) == 123456
    assert usd_to_cents(Decimal("1234.56")) == 123456
    assert cents_to_usd(123456) == Decimal("1234.56")
    assert str(cents_to_usd(123456)) == "1234.56"
    assert parse_usd("$1,234.56") == Decimal("1234.56")


@pytest.mark.parametrize(
    ("given", "cents"),
    [
        (0.1, 10),
        (0.2, 20),
        (0.3, 30),
        (0.29, 29),  # 0.29 * 100 == 28.999999999999996 in floats
        (19.99, 1999),  # 19.99 * 100 == 1998.9999999999998
        (1.15, 115),  # 1.15 * 100 == 114.99999999999999
        (4.35, 435),  # 4.35 * 100 == 434.99999999999994
        (0.07, 7),
        (5000, 500000),
        (5000.0, 500000),
        ("5000", 500000),
        (" 249.99 ", 24999),
        ("$5,000", 500000),
        ("10,000,000.00", 1_000_000_000),
        (".5", 50),
        (Decimal("12.3"), 1230),
    ],
)
def test_amounts_convert_exactly_without_float_drift(given: Any, cents: int) -> None:
    assert usd_to_cents(parse_usd(given)) == cents


def test_sums_of_parsed_amounts_are_exact() -> None:
    assert parse_usd(0.1) + parse_usd(0.2) == parse_usd(0.3)
    assert sum(usd_to_cents(parse_usd(v)) for v in (0.1, 0.2)) == usd_to_cents(parse_usd(0.3))


def test_parsed_amounts_have_two_decimal_places() -> None:
    assert str(parse_usd(5)) == "5.00"
    assert str(parse_usd(0.1)) == "0.10"
    assert str(parse_usd(Decimal("1E+2"))) == "100.00"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (1e-3, "0.001 dollars has a fraction of a cent"),
        (0.001, "fraction of a cent"),
        (0.005, "fraction of a cent"),
        (1.005, "fraction of a cent"),
        (2.675, "fraction of a cent"),
        (1234.567, "fraction of a cent"),
        (0.1 + 0.2, "0.30000000000000004 dollars has a fraction of a cent"),
        ("0.001", "fraction of a cent"),
        (Decimal("0.009"), "fraction of a cent"),
        (-0.01, "cannot be negative, got -0.01"),
        (-1, "cannot be negative"),
        ("-$5", "cannot be negative"),
        (1e20, "not cents"),
        (10_000_000.01, "more than the $10,000,000.00 a month"),
        (10**12, "not cents"),
        (float("nan"), "such as 1234.56"),
        (float("inf"), "such as 1234.56"),
        (True, "the boolean true"),
        (False, "the boolean false"),
        (None, "such as 1234.56, got None"),
        ("abc", "such as 1234.56, got 'abc'"),
        ("1,5", "got '1,5'"),  # never read as 15
        ("12.3.4", "such as 1234.56"),
        ("1e3", "such as 1234.56"),
        ("", "such as 1234.56"),
        ([5], "such as 1234.56"),
    ],
)
def test_bad_amounts_are_refused_saying_why(given: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_usd(given)


def test_the_bounds_themselves_are_accepted() -> None:
    assert parse_usd(0) == Decimal("0.00")
    assert parse_usd(0.01) == Decimal("0.01")
    assert parse_usd(MAX_USD) == MAX_USD
    assert usd_to_cents(parse_usd(MAX_USD)) == 1_000_000_000
    assert Decimal("10000000") == MAX_USD


def test_usd_to_cents_never_rounds() -> None:
    assert usd_to_cents(Decimal("0.01")) == 1
    assert usd_to_cents(Decimal("12.30")) == 1230
    assert usd_to_cents(Decimal("0")) == 0
    for amount in ("0.001", "0.005", "0.019", "1.999"):
        with pytest.raises(ValueError, match="fraction of a cent"):
            usd_to_cents(Decimal(amount))


@pytest.mark.parametrize(
    ("cents", "dollars"),
    [(0, "0.00"), (1, "0.01"), (5, "0.05"), (10, "0.10"), (99, "0.99"), (100, "1.00"), (400000, "4000.00")],
)
def test_cents_to_usd_is_exact_with_two_places(cents: int, dollars: str) -> None:
    assert str(cents_to_usd(cents)) == dollars
    assert usd_to_cents(cents_to_usd(cents)) == cents


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1234.56", "$1,234.56"),
        ("5000", "$5,000.00"),
        ("0.05", "$0.05"),
        ("0", "$0.00"),
        ("10000000", "$10,000,000.00"),
        ("-0.5", "-$0.50"),
    ],
)
def test_format_usd(amount: str, text: str) -> None:
    assert format_usd(Decimal(amount)) == text


class Priced(BaseModel):
    amount_usd: USD


def test_results_carry_the_exact_amount_as_a_json_number() -> None:
    text = Priced(amount_usd=cents_to_usd(123456)).model_dump_json()
    assert text == '{"amount_usd":1234.56}'
    assert Priced.model_json_schema(mode="serialization")["properties"]["amount_usd"]["type"] == "number"
    assert Priced.model_json_schema(mode="validation")["properties"]["amount_usd"]["type"] == "number"
    assert Priced(amount_usd=Decimal("1.50")).model_dump() == {"amount_usd": Decimal("1.50")}  # exact in Python


def test_every_amount_up_to_the_maximum_reads_back_exactly_from_json() -> None:
    rng = random.Random(7)
    samples = [rng.randrange(0, 1_000_000_001) for _ in range(20_000)] + [0, 1, 999_999_999, 1_000_000_000]
    for cents in samples:
        number = json.loads(Priced(amount_usd=cents_to_usd(cents)).model_dump_json())["amount_usd"]
        assert usd_to_cents(parse_usd(number)) == cents
