"""The retry policy: which failures are retried, and how long to wait before the next attempt."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


def is_idempotent(method: str, idempotent: bool | None) -> bool:
    """Whether repeating the request is harmless: GET and DELETE are, unless the caller says otherwise."""
    return method in ("GET", "DELETE") if idempotent is None else idempotent


def should_retry(status: int | None, method: str, idempotent: bool | None, *, sent: bool = True) -> bool:
    """Whether a failed attempt may be repeated.

    `status` is None when no answer came (a timeout or a lost connection); `sent` is False when the request
    provably never reached the API (the connection could not be made). A request that is not idempotent (a POST
    that creates something) is repeated only when it provably was not processed: never sent, or a 429.
    """
    if not sent:
        return True
    if status is None:
        return is_idempotent(method, idempotent)
    return status in RETRY_STATUSES and (status == 429 or is_idempotent(method, idempotent))


def may_have_been_processed(status: int | None) -> bool:
    """Whether a request that failed and is not retried may still have taken effect: no answer came after it was
    sent (None), or the server failed (5xx, 408). A request that provably never reached the API is always retried."""
    return status is None or status >= 500 or status == 408


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """A Retry-After header as seconds to wait (never negative): a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits between half and all of min(max_s, initial_s * 2^(n-1))."""

    initial_s: float
    max_s: float
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt `attempt`: the server's Retry-After when it gave one."""
        if retry_after is not None:
            return retry_after
        ceiling = min(self.max_s, self.initial_s * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + self.jitter() / 2)
