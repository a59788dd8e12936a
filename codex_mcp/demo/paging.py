"""Paging as the API does it: id cursors for lists, opaque page tokens for usage buckets."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from codex_mcp.demo.protocol import JSON, ApiError, Query, bad

_CURSOR_KEY = b"codex-mcp-demo-page"


@dataclass(frozen=True)
class Paging:
    """How one list endpoint pages, as its spec operation says."""

    default: int = 20
    maximum: int = 100
    minimum: int = 1
    order: str | None = None  # the default of `order` when the endpoint takes one ('asc' is oldest first)
    before: bool = False  # takes a `before` cursor too
    next_cursor: bool = False  # answers {has_more, next} instead of {first_id, last_id, has_more}

    @property
    def params(self) -> set[str]:
        """The query parameters this paging reads."""
        names = {"limit", "after"}
        if self.order is not None:
            names.add("order")
        if self.before:
            names.add("before")
        return names


def list_page(
    items: Sequence[Any],
    query: Query,
    paging: Paging,
    render: Callable[[Any], JSON],
    *,
    visible: Callable[[Any], bool] = lambda _item: True,
    id_of: Callable[[Any], str] = lambda item: str(item.id),
) -> JSON:
    """One page of `items` (given in ascending order) after or before a cursor id, filtered by `visible`.

    An unknown cursor id is a 400. Hidden items (deleted users, say) keep their place, so paging past one works.
    """
    limit = query.limit(default=paging.default, maximum=paging.maximum, minimum=paging.minimum)
    ordered = list(items)
    if paging.order is not None and query.choice("order", ("asc", "desc"), paging.order) == "desc":
        ordered.reverse()
    after = query.one("after")
    before = query.one("before") if paging.before else None
    if after is not None and before is not None:
        raise bad("Only one of 'after' and 'before' may be given.", "before")
    positions = {id_of(item): i for i, item in enumerate(ordered)}
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None and cursor not in positions:
            raise bad(f"Invalid value for '{name}': no object with id {cursor[:80]}.", name)
    if before is not None:
        matching = [item for item in ordered[: positions[before]] if visible(item)]
        page, has_more = (matching[-limit:] if limit else []), len(matching) > limit
    else:
        begin = 0 if after is None else positions[after] + 1
        page, has_more = [], False
        for item in ordered[begin:]:
            if visible(item):
                if len(page) == limit:
                    has_more = True
                    break
                page.append(item)
    data = [render(item) for item in page]
    if paging.next_cursor:
        # With limit=0 the page is empty: continuing means starting where this page started.
        resume = id_of(page[-1]) if page else after
        return {"object": "list", "data": data, "has_more": has_more, "next": resume if has_more else None}
    return {
        "object": "list",
        "data": data,
        "first_id": id_of(page[0]) if page else None,
        "last_id": id_of(page[-1]) if page else None,
        "has_more": has_more,
    }


def encode_cursor(bucket_start: int) -> str:
    """An opaque page token: 'page_' + urlsafe base64 of (bucket start, MAC); always ends in '='."""
    packed = struct.pack(">Q", bucket_start)
    mac = hashlib.blake2b(packed, key=_CURSOR_KEY, digest_size=12).digest()
    return "page_" + base64.urlsafe_b64encode(packed + mac).decode()


def decode_cursor(token: str) -> int:
    """The bucket start inside a page token; 400 when it is not one of ours."""
    invalid = ApiError(400, f"Invalid page cursor: '{token[:60]}'.", param="page")
    if not token.startswith("page_") or not re.fullmatch(r"[A-Za-z0-9_\-]+=*", token[5:]):
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token[5:])
    except (binascii.Error, ValueError):
        raise invalid from None
    if len(raw) != 20 or hashlib.blake2b(raw[:8], key=_CURSOR_KEY, digest_size=12).digest() != raw[8:]:
        raise invalid
    return int(struct.unpack(">Q", raw[:8])[0])
