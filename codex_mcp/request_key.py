"""The Admin key of the request being served: a client's own (HTTP gateway mode) or, by default, the server's.

The HTTP layer sets it for one request (a context variable, so concurrent requests never see each other's key);
AdminClient reads it where it builds the `Authorization` header; anything cached per key must be keyed on
`key_partition(key)` of the key actually sent, never shared between keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_client_key: ContextVar[str | None] = ContextVar("codex_mcp_client_admin_key", default=None)


def client_admin_key() -> str | None:
    """The key the current request brought (gateway mode), or None: use the server's own key."""
    return _client_key.get()


@contextmanager
def use_client_admin_key(key: str) -> Iterator[None]:
    """Send `key` instead of the server's for everything the current request does (its tasks included)."""
    token = _client_key.set(key)
    try:
        yield
    finally:
        _client_key.reset(token)


def key_partition(key: str) -> str:
    """A stable name for a key that reveals nothing of it: the partition of any cache filled with its answers."""
    return hashlib.sha256(b"codex-mcp cache partition\0" + key.encode()).hexdigest()
