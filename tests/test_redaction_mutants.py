"""Registered secrets of any shape (an HTTP access token, a key the API does not shape like sk-...) are redacted from
6 characters up, and the cheap pre-check never lets a text holding one skip redaction.

Found by mutation testing (scripts/mutation.sh redaction): the 6-character floor and the pre-check's test for a
registered secret could be changed without a test noticing.
"""

from __future__ import annotations

import pytest

from codex_mcp import redaction
from codex_mcp.redaction import needs_redaction, redact, register_secret

SIX = "Q7#zP!"  # shaped like nothing the patterns know: only registering it can hide it


@pytest.fixture(autouse=True)
def no_registered_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test registers into an empty set of its own (the real one is process-wide)."""
    monkeypatch.setattr(redaction, "_known_secrets", set())


def test_a_registered_secret_of_6_characters_is_redacted_and_one_of_5_is_not() -> None:
    register_secret(f"  {SIX}\n")
    register_secret("Q7#zP")
    assert redact(f"token {SIX} used") == "token [redacted] used"
    assert redact("short Q7#zP stays") == "short Q7#zP stays"


def test_a_text_holding_a_registered_secret_needs_redaction_whatever_its_shape() -> None:
    register_secret(SIX)
    assert needs_redaction(f"the token is {SIX}")
    assert not needs_redaction("nothing secret here")
    register_secret("another-secret-token")
    assert needs_redaction(f"the token is {SIX}"), "one registered secret present is enough"
    assert not needs_redaction("still nothing secret here")
