"""AdminClient: the one async path to the OpenAI Admin API (auth, retries, errors, paging) and its typed methods."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from codex_mcp import __version__
from codex_mcp.errors import (
    AdminAPIError,
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    PaginationError,
    sentence,
    status_error,
)
from codex_mcp.models import (
    AuditEvent,
    BucketSeries,
    Invite,
    ListPage,
    Page,
    Project,
    ProjectApiKey,
    ServiceAccount,
    UsageBucket,
    UsagePage,
    UsageQuery,
    User,
    UserDeleted,
)
from codex_mcp.redaction import register_secret
from codex_mcp.request_key import client_admin_key
from codex_mcp.settings import Settings
from codex_mcp.usage_endpoints import USAGE_ENDPOINTS

log = logging.getLogger("codex_mcp.client")

Query = Sequence[tuple[str, str]]
ModelT = TypeVar("ModelT", bound=BaseModel)
PageCallback = Callable[[int], Awaitable[None]]
# A usage kind of USAGE_ENDPOINTS ('completions', 'images', ..., or 'costs').
UsageSource = str

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_PAGES = 2000
LIST_PAGE_LIMIT = 100


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


class AdminClient:
    """Thin async client for the OpenAI Admin API. Knows nothing of MCP."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
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

    async def __aenter__(self) -> AdminClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ---- the one request path -------------------------------------------------------------------------------

    def _authorization(self) -> str:
        if (client_key := client_admin_key()) is not None:
            return f"Bearer {client_key}"  # gateway mode: the request's own key, checked by the HTTP layer
        key = self._settings.admin_key.get_secret_value().strip() if self._settings.admin_key else ""
        if not key:
            raise ConfigurationError("OPENAI_ADMIN_KEY is not set, so the OpenAI Admin API cannot be called.")
        if key.startswith("sk-proj-"):
            raise ConfigurationError(
                "OPENAI_ADMIN_KEY holds a project key (sk-proj-...); the Admin API only accepts Admin keys."
            )
        return f"Bearer {key}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: dict[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one API request with retries and return its parsed JSON body; raise an AdminAPIError otherwise.

        Retried: 408/409/429/5xx and connection failures, with exponential backoff and jitter or the server's
        Retry-After, within max_retries and the per-request deadline. A non-idempotent request (a POST that
        creates something) is retried only when it provably was not processed: 429 or a failed connect.
        """
        authorization = self._authorization()
        retry_everything = method in ("GET", "DELETE") if idempotent is None else idempotent
        url = f"{self._settings.base_url}{path}"
        if query:
            url = f"{url}?{encode_query(query)}"
        headers = {"Authorization": authorization}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        deadline = time.monotonic() + self._settings.request_deadline_s
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            started = time.monotonic()
            remaining = max(deadline - started, 0.001)
            # No attempt may outlast the deadline: it bounds the whole request, retries and waits included.
            timeout = httpx.Timeout(
                min(self._settings.read_timeout_s, remaining), connect=min(self._settings.connect_timeout_s, remaining)
            )
            try:
                async with self._slots:
                    response = await self._http.request(method, url, headers=headers, content=content, timeout=timeout)
            except httpx.TimeoutException as exc:
                error: AdminAPIError = APITimeoutError(f"{method} {path} timed out ({type(exc).__name__}).")
                retryable = retry_everything or isinstance(exc, httpx.ConnectTimeout)
            except httpx.TransportError as exc:
                error = APIConnectionError(f"Could not reach the OpenAI API for {method} {path}: {exc or type(exc)}.")
                retryable = retry_everything or isinstance(exc, httpx.ConnectError)
            else:
                elapsed_ms = (time.monotonic() - started) * 1000
                log.debug("%s %s -> %s (%.0f ms)", method, path, response.status_code, elapsed_ms)
                if response.is_success:
                    return _parse_json(response, method, path)
                error = status_error(response)
                status = response.status_code
                if status == 404 and method == "DELETE" and attempt > 1:
                    note = "An earlier attempt got no answer and may already have deleted it: list to check."
                    error.args = (sentence(error.message, note),)
                retryable = status in RETRY_STATUSES and (retry_everything or status == 429)
                retry_after = _retry_after_seconds(response.headers.get("retry-after"))
            if not retryable:
                raise _with_attempts(error, attempt, exhausted=False)
            if attempt > self._settings.max_retries:
                raise _with_attempts(error, attempt)
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            if time.monotonic() + delay > deadline:
                raise _with_attempts(error, attempt, note="the next retry would pass the request deadline")
            log.warning("%s %s failed (%s); retry %d in %.1fs", method, path, _short(error), attempt, delay)
            await self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._settings.backoff_max_s, self._settings.backoff_initial_s * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + random.random() / 2)

    # ---- paging ---------------------------------------------------------------------------------------------

    async def list_page(
        self, path: str, model: type[ModelT], *, limit: int, after: str | None, query: Query = ()
    ) -> Page[ModelT]:
        """Fetch one page of a list endpoint."""
        params = [*query, ("limit", str(limit))]
        if after:
            params.append(("after", after))
        raw = _validate(ListPage, await self.request("GET", path, query=params), path)
        items = [_validate(model, item, path) for item in raw.data]
        last_item_id = raw.data[-1].get("id") if raw.data else None
        next_after = raw.last_id or (last_item_id if isinstance(last_item_id, str) else None)
        if raw.has_more and (not next_after or next_after == after):
            raise PaginationError(f"{path} said has_more but gave no new cursor to continue from.")
        return Page(items, raw.has_more, next_after if raw.has_more else None)

    async def list_all(self, path: str, model: type[ModelT], *, query: Query = ()) -> list[ModelT]:
        """Fetch every item of a list endpoint, following `after` to the end."""
        items: list[ModelT] = []
        after: str | None = None
        for number in range(1, MAX_PAGES + 1):
            page = await _page_step(
                number, self.list_page(path, model, limit=LIST_PAGE_LIMIT, after=after, query=query)
            )
            items.extend(page.items)
            if not page.has_more:
                return items
            if not page.next_after or page.next_after == after:
                raise PaginationError(f"{path} said has_more but gave no new cursor after page {number}.")
            after = page.next_after
        raise PaginationError(f"{path} returned more than {MAX_PAGES} pages; stopped.")

    async def fetch_all_buckets(
        self, path: str, query: Query, *, page_limit: int, on_page: PageCallback | None = None
    ) -> BucketSeries:
        """Fetch every bucket of a usage or costs query, following `next_page` to the end."""
        buckets: list[UsageBucket] = []
        cursor: str | None = None
        seen: set[str] = set()
        for number in range(1, MAX_PAGES + 1):
            params = [*query, ("limit", str(page_limit))]
            if cursor is not None:
                params.append(("page", cursor))
            raw = await _page_step(number, self.request("GET", path, query=params))
            page = _validate(UsagePage, raw, path)
            buckets.extend(page.data)
            if on_page is not None:
                await on_page(number)
            if not page.has_more:
                return BucketSeries(path, buckets, number)
            if not page.next_page or page.next_page in seen:
                raise PaginationError(f"{path} said has_more but gave no new next_page after page {number}.")
            seen.add(page.next_page)
            cursor = page.next_page
        raise PaginationError(f"{path} returned more than {MAX_PAGES} pages; stopped.")

    # ---- typed endpoints ------------------------------------------------------------------------------------

    async def usage(
        self, source: UsageSource, query: UsageQuery, *, on_page: PageCallback | None = None
    ) -> BucketSeries:
        """Every bucket of a usage query (completions, embeddings, code_interpreter_sessions) or of costs."""
        endpoint = USAGE_ENDPOINTS[source]
        limit = endpoint.page_limit(query.bucket_width)
        return await self.fetch_all_buckets(endpoint.path, _usage_params(query), page_limit=limit, on_page=on_page)

    async def list_users(self, *, limit: int, after: str | None, emails: Sequence[str] = ()) -> Page[User]:
        """One page of organization members, optionally only those with the given emails."""
        return await self.list_page(
            "/organization/users", User, limit=limit, after=after, query=[("emails", e) for e in emails]
        )

    async def all_users(self) -> list[User]:
        """Every organization member, all pages."""
        return await self.list_all("/organization/users", User)

    async def get_user(self, *, user_id: str) -> User:
        """One member by id."""
        return _validate(User, await self.request("GET", f"/organization/users/{path_id(user_id)}"), "user")

    async def modify_user(self, *, user_id: str, role: str) -> User:
        """Set a member's organization role (idempotent, so retried like a GET)."""
        raw = await self.request(
            "POST", f"/organization/users/{path_id(user_id)}", body={"role": role}, idempotent=True
        )
        return _validate(User, raw, "user")

    async def delete_user(self, *, user_id: str) -> UserDeleted:
        """Remove a member from the organization."""
        raw = await self.request("DELETE", f"/organization/users/{path_id(user_id)}")
        return _validate(UserDeleted, raw, "user deletion")

    async def list_invites(self, *, limit: int, after: str | None) -> Page[Invite]:
        """One page of invites."""
        return await self.list_page("/organization/invites", Invite, limit=limit, after=after)

    async def create_invite(self, *, email: str, role: str, projects: list[dict[str, str]] | None) -> Invite:
        """Invite someone; `projects=None` leaves the field out (the default project), `[]` sends it empty."""
        body: dict[str, Any] = {"email": email, "role": role}
        if projects is not None:
            body["projects"] = projects
        return _validate(Invite, await self.request("POST", "/organization/invites", body=body), "invite")

    async def list_projects(self, *, limit: int, after: str | None, include_archived: bool) -> Page[Project]:
        """One page of projects."""
        query = [("include_archived", flag(include_archived))] if include_archived else []
        return await self.list_page("/organization/projects", Project, limit=limit, after=after, query=query)

    async def all_projects(self) -> list[Project]:
        """Every project, archived ones included."""
        return await self.list_all("/organization/projects", Project, query=[("include_archived", "true")])

    async def get_project(self, *, project_id: str) -> Project:
        """One project by id."""
        raw = await self.request("GET", f"/organization/projects/{path_id(project_id)}")
        return _validate(Project, raw, "project")

    async def create_project(self, *, name: str) -> Project:
        """Create a project (not retried unless provably unprocessed, so never duplicated)."""
        return _validate(Project, await self.request("POST", "/organization/projects", body={"name": name}), "project")

    async def list_project_api_keys(
        self, *, project_id: str, limit: int, after: str | None, owner_project_access: str | None
    ) -> Page[ProjectApiKey]:
        """One page of a project's API keys."""
        query = [("owner_project_access", owner_project_access)] if owner_project_access else []
        path = f"/organization/projects/{path_id(project_id)}/api_keys"
        return await self.list_page(path, ProjectApiKey, limit=limit, after=after, query=query)

    async def list_service_accounts(self, *, project_id: str, limit: int, after: str | None) -> Page[ServiceAccount]:
        """One page of a project's service accounts."""
        path = f"/organization/projects/{path_id(project_id)}/service_accounts"
        return await self.list_page(path, ServiceAccount, limit=limit, after=after)

    async def list_audit_events(
        self,
        *,
        limit: int,
        after: str | None,
        effective_at_gte: int | None = None,
        effective_at_lt: int | None = None,
        project_ids: Sequence[str] = (),
        event_types: Sequence[str] = (),
        actor_ids: Sequence[str] = (),
        actor_emails: Sequence[str] = (),
        resource_ids: Sequence[str] = (),
        tenant_only: bool | None = None,
    ) -> Page[AuditEvent]:
        """One page of audit-log events, newest first (filters use the API's `name[]` and `effective_at[op]` forms)."""
        query: list[tuple[str, str]] = []
        if effective_at_gte is not None:
            query.append(("effective_at[gte]", str(effective_at_gte)))
        if effective_at_lt is not None:
            query.append(("effective_at[lt]", str(effective_at_lt)))
        for name, values in (
            ("project_ids[]", project_ids),
            ("event_types[]", event_types),
            ("actor_ids[]", actor_ids),
            ("actor_emails[]", actor_emails),
            ("resource_ids[]", resource_ids),
        ):
            query.extend((name, value) for value in values)
        if tenant_only is not None:
            query.append(("tenant_only", flag(tenant_only)))
        return await self.list_page("/organization/audit_logs", AuditEvent, limit=limit, after=after, query=query)


def _usage_params(query: UsageQuery) -> list[tuple[str, str]]:
    """A UsageQuery in the API's query syntax: arrays as repeated names, booleans as true/false."""
    params = [
        ("start_time", str(query.start_time)),
        ("end_time", str(query.end_time)),
        ("bucket_width", query.bucket_width),
    ]
    for name, value in query.filters.items():
        if isinstance(value, bool):
            params.append((name, flag(value)))
        elif value:
            params.extend((name, item) for item in value)
    params.extend(("group_by", field) for field in query.group_by)
    return params


async def _page_step(number: int, step: Awaitable[Any]) -> Any:
    """Await one page; a failure after the first page says that nothing partial is returned."""
    try:
        return await step
    except AdminAPIError as exc:
        if number > 1:
            earlier = "the page before it was" if number == 2 else f"the {number - 1} pages before it were"
            exc.args = (f"{exc.message} (on page {number}; {earlier} discarded)",)
        raise


def _parse_json(response: httpx.Response, method: str, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        request_id = response.headers.get("x-request-id")
        kind = response.headers.get("content-type", "no content type")
        raise APIResponseError(
            f"OpenAI answered {method} {path} with status {response.status_code} but the body is not valid JSON "
            f"({kind}, {len(response.content)} bytes)" + (f". Request id: {request_id}" if request_id else ".")
        ) from None


def _validate(model: type[ModelT], raw: Any, what: str) -> ModelT:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:3])
        raise APIResponseError(f"OpenAI returned a {what} response of an unexpected shape ({problems}).") from None


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
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
    return max(0.0, moment.timestamp() - time.time())


def _with_attempts(
    error: AdminAPIError, attempts: int, *, exhausted: bool = True, note: str | None = None
) -> AdminAPIError:
    """Say how many attempts were made, and why retrying stopped."""
    if isinstance(error, APIStatusError):
        error.attempts = attempts
    if attempts > 1:
        done = f"Gave up after {attempts} attempts." if exhausted else f"Failed after {attempts} attempts."
        error.args = (sentence(error.message, done),)
    if note:
        error.args = (sentence(error.message, f"Stopped: {note}."),)
    return error


def _short(error: AdminAPIError) -> str:
    return f"HTTP {error.status_code}" if isinstance(error, APIStatusError) else type(error).__name__
