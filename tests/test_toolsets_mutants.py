"""Unknown toolset names are refused in one sentence that names them (singular or plural) and every valid one.

Found by mutation testing (scripts/mutation.sh toolsets): the plural could change without a test noticing.
"""

from __future__ import annotations

import re

import pytest

from codex_mcp.toolsets import TOOLSETS, parse_toolsets

VALID = "valid toolsets: core, insights, usage, keys, access, budgets, governance (or 'all')"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("core,billing", f"unknown toolset 'billing'; {VALID}"),
        ("billing, Admin ,core", f"unknown toolsets 'billing', 'admin'; {VALID}"),
        (" , ", f"no toolset named; {VALID}"),
    ],
)
def test_unknown_toolsets_are_named_with_the_valid_ones(value: str, message: str) -> None:
    assert list(TOOLSETS) == ["core", "insights", "usage", "keys", "access", "budgets", "governance"]
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_toolsets(value)
