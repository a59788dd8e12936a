"""How arguments go on the wire: query strings, booleans and path ids."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

Query = Sequence[tuple[str, str]]


def encode_query(pairs: Query) -> str:
    """Encode query pairs, leaving '=' and '/' in values and '[]' in names literal.

    Page cursors are opaque base64 tokens that may end in '='; the live API has been reported to reject them
    percent-encoded ('%3D'), and a literal '=' is valid inside a query value (RFC 3986), so it stays as received.
    """
    return "&".join(f"{quote(name, safe='[]')}={quote(value, safe='=/:,')}" for name, value in pairs)


def flag(value: bool) -> str:
    """A boolean as the API's query syntax spells it."""
    return "true" if value else "false"


def path_id(value: str) -> str:
    """Escape an id for a URL path segment (ids are validated earlier; this is the last line of defence)."""
    return quote(value, safe="")
