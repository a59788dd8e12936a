"""The one request path: build the request, make one attempt, and repeat it by the retry policy within the deadline."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from codex_mcp import __version__
from codex_mcp.client import failures
from codex_mcp.client.query import Query, encode_query
from codex_mcp.client.retry import Backoff, may_have_been_processed, retry_after_seconds, should_retry
from codex_mcp.errors import AdminAPIError, APIStatusError, ConfigurationError
from codex_mcp.redaction import register_secret
from codex_mcp.request_key import client_admin_key
from codex_mcp.settings import Settings

log = logging.getLogger("codex_mcp.client")

# Keys that are known not to be keys: the placeholder of the example configuration (README, example JSON).
PLACEHOLDER_KEYS = frozenset({"paste-your-admin-key-here"})


@dataclass(frozen=True)
class Creation:
    """What a create request (a POST that is not idempotent) makes, and the tool that lists such objects."""

    what: str
    listed_by: str


@dataclass(frozen=True)
class Call:
    """One request as every attempt sends it."""

    method: str
    path: str
    url: str
    headers: dict[str, str]
    content: bytes | None
    idempotent: bool | None
    creates: Creation | None


@dataclass(frozen=True)
class Failed:
    """A failed attempt: the error it would raise, and what the retry policy needs to know about it."""

    error: AdminAPIError
    retryable: bool
    status: int | None = None  # None: no answer came
    retry_after: float | None = None
    deadline_hit: bool = False


class RequestPath:
    """Owns the HTTP connection pool, auth, retries, the deadline and error mapping. Knows nothing of MCP."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._backoff = Backoff(settings.backoff_initial_s, settings.backoff_max_s)
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        if settings.admin_key is not None:
            register_secret(settings.admin_key.get_secret_value())
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            limits=httpx.Limits(
                max_connections=settings.max_concurrency, max_keepalive_connections=settings.max_concurrency
            ),
            headers={"User-Agent": f"codex-mcp/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> RequestPath:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: dict[str, Any] | None = None,
        idempotent: bool | None = None,
        creates: Creation | None = None,
    ) -> Any:
        """Send one API request with retries and return its parsed JSON body; raise an AdminAPIError otherwise.

        Retried: 408/409/429/5xx and connection failures, with exponential backoff and jitter or the server's
        Retry-After, within max_retries and the request deadline, which bounds the whole request (every attempt,
        its body and the waits). A request that is not idempotent (a POST that creates something) is retried only
        when it provably was not processed: 429 or a failed connect; `creates` names what it makes, for the hint
        when its outcome is unknown.
        """
        call = self._build(method, path, query, body, idempotent, creates)
        deadline = self._clock() + self._settings.request_deadline_s
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._attempt(call, attempt, deadline)
            if isinstance(outcome, httpx.Response):
                return failures.read_json(outcome, method, path)
            error = outcome.error
            error.attempts = attempt
            if not outcome.retryable:
                if call.creates is not None and may_have_been_processed(outcome.status):
                    what, listed_by = call.creates.what, call.creates.listed_by
                    failures.unknown_outcome(error, what, listed_by, deadline_hit=outcome.deadline_hit)
                error.gave_up = outcome.deadline_hit
                raise error
            error.gave_up = True
            if attempt > self._settings.max_retries:
                raise error
            delay = self._backoff.delay(attempt, outcome.retry_after)
            if self._clock() + delay > deadline:
                error.stopped = "the next retry would pass the request deadline"
                raise error
            log.warning("%s %s failed (%s); retry %d in %.1fs", method, path, _short(error), attempt, delay)
            await self._sleep(delay)

    def credential_id(self) -> str:
        """A digest of the Authorization header the next request would send: whatever is kept from answers (the
        cache of closed periods) is partitioned by it, so two keys never share anything."""
        return hashlib.sha256(self._authorization().encode()).hexdigest()

    def _authorization(self) -> str:
        if (client_key := client_admin_key()) is not None:
            return f"Bearer {client_key}"  # gateway mode: the request's own key, checked by the HTTP layer
        key = self._settings.admin_key.get_secret_value().strip() if self._settings.admin_key else ""
        if not key:
            raise ConfigurationError("OPENAI_ADMIN_KEY is not set, so the OpenAI Admin API cannot be called.")
        if key.lower() in PLACEHOLDER_KEYS:
            raise ConfigurationError(
                "OPENAI_ADMIN_KEY still holds the placeholder from the example configuration, not a key; "
                "nothing was sent."
            )
        if key.startswith("sk-proj-"):
            raise ConfigurationError(
                "OPENAI_ADMIN_KEY holds a project key (sk-proj-...); the Admin API only accepts Admin keys."
            )
        return f"Bearer {key}"

    def _build(
        self,
        method: str,
        path: str,
        query: Query,
        body: dict[str, Any] | None,
        idempotent: bool | None,
        creates: Creation | None,
    ) -> Call:
        """The request every attempt sends; refuses at once (ConfigurationError) when there is no usable key."""
        headers = {"Authorization": self._authorization()}
        url = f"{self._settings.base_url}{path}"
        if query:
            url = f"{url}?{encode_query(query)}"
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return Call(method, path, url, headers, content, idempotent, creates)

    async def _attempt(self, call: Call, attempt: int, deadline: float) -> httpx.Response | Failed:
        """One attempt, its body included, bounded by the time left before the deadline."""
        started = self._clock()
        remaining = max(deadline - started, 0.001)
        # httpx bounds each read, so a body that trickles in byte by byte would escape its timeouts; the cancel
        # scope bounds the whole attempt (waiting for a slot, connecting, sending, reading all of the body).
        timeout = httpx.Timeout(
            min(self._settings.read_timeout_s, remaining), connect=min(self._settings.connect_timeout_s, remaining)
        )
        response: httpx.Response | None = None
        try:
            with anyio.move_on_after(remaining):
                async with self._slots:
                    response = await self._http.request(
                        call.method, call.url, headers=call.headers, content=call.content, timeout=timeout
                    )
        except httpx.TransportError as exc:
            unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            retryable = should_retry(None, call.method, call.idempotent, sent=not unsent)
            return Failed(failures.transport_error(exc, call.method, call.path), retryable)
        if response is None:
            late = failures.deadline_error(call.method, call.path, self._settings.request_deadline_s)
            return Failed(late, retryable=False, deadline_hit=True)
        log.debug(
            "%s %s -> %s (%.0f ms)", call.method, call.path, response.status_code, (self._clock() - started) * 1000
        )
        if response.is_success:
            return response
        error = failures.status_error(response)
        status = response.status_code
        if status == 404 and call.method == "DELETE" and attempt > 1:
            error.notes.append(failures.DELETED_ALREADY)
        retry_after = retry_after_seconds(response.headers.get("retry-after"), time.time())
        return Failed(error, should_retry(status, call.method, call.idempotent), status, retry_after)


def _short(error: AdminAPIError) -> str:
    return f"HTTP {error.status_code}" if isinstance(error, APIStatusError) else type(error).__name__
