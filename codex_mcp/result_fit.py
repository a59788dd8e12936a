"""Fit any tool result into the token budget: the server's last step before a result leaves.

Tokens are estimated as UTF-8 bytes / 4 of the compact JSON, which is both the structuredContent and the text block.
Reports are condensed beforehand by codex_mcp.budget, in their own terms (roll-ups, top groups); this module shortens
list pages (with a cursor to the rest) and cuts anything else, saying so.
"""

from __future__ import annotations

import json
from typing import Any

BYTES_PER_TOKEN = 4
# Room kept free for what the server adds after a tool returns (the demo label, redaction placeholders).
RESERVE_BYTES = 256


def json_text(value: Any) -> str:
    """The compact JSON a client receives."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_size(value: Any) -> int:
    return len(json_text(value).encode())


def tokens(size: int) -> int:
    return -(-size // BYTES_PER_TOKEN)


def limit_bytes(max_tokens: int) -> int:
    return max_tokens * BYTES_PER_TOKEN - RESERVE_BYTES


def export_hint(tool: str) -> str:
    return (
        "For every row, narrow start_time/end_time or add filters, or export it all without a budget from the "
        f"command line: codex-mcp call {tool} ... --format csv (or --format json)."
    )


def fit_structured(structured: dict[str, Any], *, max_tokens: int, tool: str) -> dict[str, Any]:
    """Any result within the budget: a list page is shortened (with a cursor to the rest); anything else has its
    longest strings and lists cut, with a note. Results that fit are returned unchanged; ResultTooLargeError when
    nothing would fit."""
    limit = max_tokens * BYTES_PER_TOKEN
    size = json_size(structured)
    if size <= limit:
        return structured
    if isinstance(structured.get("data"), list) and "has_more" in structured:
        shortened = _shorten_page(structured, limit, size, max_tokens)
        if shortened is not None:
            return shortened
    return _cut_values(structured, limit, size, max_tokens, tool)


def _shorten_page(page: dict[str, Any], limit: int, size: int, max_tokens: int) -> dict[str, Any] | None:
    items: list[Any] = page["data"]
    note_room = 600
    base = json_size({**page, "data": []}) + note_room
    kept = 0
    used = base
    for item in items:
        used += json_size(item) + 1
        if used > limit:
            break
        kept += 1
    last = items[kept - 1] if kept else None
    if kept == 0 or not isinstance(last, dict) or not isinstance(last.get("id"), str):
        return None
    note = (
        f"This page was shortened to its first {kept} of {len(items)} items to fit the {max_tokens:,}-token result "
        f"budget (in full about {tokens(size):,} tokens). Call again with after={last['id']!r} for the rest, or "
        "with a smaller limit."
    )
    notes = [*page.get("notes", []), note]
    return {**page, "data": items[:kept], "count": kept, "has_more": True, "next_after": last["id"], "notes": notes}


class ResultTooLargeError(Exception):
    """Even cut down, a result would not fit the budget; the message says how to ask for less."""


def _cut_values(value: dict[str, Any], limit: int, size: int, max_tokens: int, tool: str) -> dict[str, Any]:
    for cap in (4000, 1000, 200, 40):
        cut: dict[str, Any] = {key: _cap(item, cap) for key, item in value.items()}
        note = (
            f"This result was cut to fit the {max_tokens:,}-token result budget (in full about {tokens(size):,} "
            f"tokens): strings longer than {cap} characters end in '…' and their length, and lists longer than "
            f"{cap} items keep their first {cap}. {export_hint(tool)}"
        )
        cut["notes"] = [*(cut.get("notes") or []), note]
        if json_size(cut) <= limit:
            return cut
    raise ResultTooLargeError(
        f"The result of {tool} is too large to return within the {max_tokens:,}-token result budget (about "
        f"{tokens(size):,} tokens). {export_hint(tool)} CODEX_MCP_MAX_RESULT_TOKENS raises the budget."
    )


def _cap(value: Any, cap: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= cap else f"{value[:cap]}… ({len(value):,} characters)"
    if isinstance(value, list):
        return [_cap(item, cap) for item in value[:cap]]
    if isinstance(value, dict):
        return {key: _cap(item, cap) for key, item in value.items()}
    return value
