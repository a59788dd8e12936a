"""The refusals of a dollar amount, word for word: what was given (cut at 40 characters), and what to give instead.

Found by mutation testing (scripts/mutation.sh money): these texts, and where a long value is cut, could change
without a test noticing.
"""

from __future__ import annotations

import pytest

from codex_mcp.money import parse_usd


def refusal(value: object) -> str:
    try:
        parse_usd(value)
    except ValueError as refused:
        return str(refused)
    raise AssertionError(f"{value!r} was accepted")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("inf"), "expected an amount in US dollars such as 1234.56, got inf"),
        (float("nan"), "expected an amount in US dollars such as 1234.56, got nan"),
        (
            12_000_000,
            "12000000 dollars is more than the $10,000,000.00 a month this tool accepts; amounts are in US dollars, "
            "not cents",
        ),
        (
            "1.005",
            "1.005 dollars has a fraction of a cent: amounts are whole cents, at most two decimal places "
            "(e.g. 1234.56)",
        ),
    ],
)
def test_each_refusal_says_what_was_given_and_what_to_give(value: object, message: str) -> None:
    assert refusal(value) == message


def test_a_value_is_quoted_whole_up_to_40_characters_and_cut_after() -> None:
    forty = "a" * 38  # its repr, quotes included, is 40 characters
    assert refusal(forty) == f"expected an amount in US dollars such as 1234.56, got '{forty}'"
    forty_one = "a" * 39
    assert refusal(forty_one) == f"expected an amount in US dollars such as 1234.56, got '{'a' * 38}…"
