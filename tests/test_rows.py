"""How an unreadable value is named in a result's note: the field, the day when there is one, and the value quoted
whole up to 40 characters.

Also how rows add up: group values kept as text, quantity never summed unless asked (wherever it sits in the row),
whole counts summed as integers.

Found by mutation testing (scripts/mutation.sh rows): each of these could change without a test noticing.
"""

from __future__ import annotations

import json
from decimal import Decimal

from codex_mcp.rows import UnreadableValues, flatten_row, shown_value, sum_rows


def test_a_value_without_a_day_is_named_by_its_field_alone() -> None:
    problems = UnreadableValues()
    assert flatten_row({"input_tokens": "lots", "model": "gpt-4o"}, problems) == {"model": "gpt-4o"}
    assert problems.examples == ["input_tokens ('lots')"]


def test_a_value_is_quoted_whole_up_to_40_characters_and_cut_with_its_length_after() -> None:
    forty = "x" * 38  # its repr, quotes included, is 40 characters
    assert shown_value(forty) == f"'{forty}'"
    assert shown_value("x" * 39) == f"'{'x' * 36}... (41 characters)"


def test_a_group_value_that_is_not_text_is_kept_as_its_text() -> None:
    row = flatten_row({"model": "gpt-4o", "size": 1.5, "project_id": ["proj_a"], "batch": True, "input_tokens": 3})
    assert row == {"model": "gpt-4o", "size": "1.5", "project_id": "['proj_a']", "batch": True, "input_tokens": 3}


def test_quantity_is_skipped_wherever_it_sits_in_the_row_and_the_rest_still_adds_up() -> None:
    rows = [
        {"quantity": Decimal("2.5"), "amount_usd": Decimal("1.25"), "line_item": "x"},
        {"amount_usd": Decimal("0.75"), "quantity": Decimal(4), "input_tokens": 7},
    ]
    assert sum_rows(rows) == {"amount_usd": 2.0, "input_tokens": 7}
    assert sum_rows(rows, include_quantity=True) == {"quantity": 6.5, "amount_usd": 2.0, "input_tokens": 7}


def test_sums_of_whole_counts_stay_integers_in_the_json_a_client_reads() -> None:
    totals = sum_rows([{"input_tokens": 2, "amount_usd": Decimal("0.10")}, {"input_tokens": 3, "amount_usd": 1}])
    assert json.dumps(totals) == '{"input_tokens": 5, "amount_usd": 1.1}'
