"""The shared parameter types refuse bad values with the exact sentence a model reads: what was given, what fits.

Found by mutation testing (scripts/mutation.sh params): these messages and the 200-character limit of a name could
change without a test noticing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from codex_mcp.params import EndTime, FilterValue, OpenAIId, StartTime, printable_name
from codex_mcp.timeparse import TIME_FORMS


def refusal(kind: Any, value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    (error,) = caught.value.errors()
    return str(error["msg"]).removeprefix("Value error, ")


def test_a_bad_id_is_quoted_with_what_ids_look_like() -> None:
    assert refusal(OpenAIId, "user 1") == (
        "'user 1' is not an OpenAI id: ids look like 'user-abc123', 'proj_abc123' or 'key_abc123' (letters, digits, "
        "'-' and '_' only, at most 128 characters). List the objects to find the right id"
    )


def test_a_blank_filter_value_is_quoted() -> None:
    assert refusal(FilterValue, "   ") == "'   ' is not a usable filter value (1-256 printable characters)"


@pytest.mark.parametrize("kind", [StartTime, EndTime])
@pytest.mark.parametrize(("value", "spelled"), [(True, "true"), (False, "false")])
def test_a_boolean_time_is_refused_spelled_as_json_spells_it(kind: Any, value: bool, spelled: str) -> None:
    assert refusal(kind, value) == f"expected a time, got the boolean {spelled}. Use {TIME_FORMS}"


def test_a_name_is_trimmed_and_may_have_200_characters_not_201() -> None:
    assert printable_name("  Chat Widget \n") == "Chat Widget"
    assert printable_name("n" * 200) == "n" * 200
    message = "the name must be 1-200 characters with no control characters (newlines, tabs, ...)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        printable_name("n" * 201)


@pytest.mark.parametrize("name", ["", "  \t "])
def test_an_empty_name_is_refused_saying_so(name: str) -> None:
    with pytest.raises(ValueError, match=r"^the name is empty; give 1-200 printable characters$"):
        printable_name(name)


def test_a_name_with_a_newline_inside_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^the name must be 1-200 characters with no control characters"):
        printable_name("Chat\nWidget")
