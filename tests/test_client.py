"""AdminClient on its own: auth, retries and backoff, deadlines, error mapping, query encoding, paging, concurrency."""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from codex_mcp.client import AdminClient, encode_query
from codex_mcp.errors import (
    KEY_HELP,
    AdminAPIError,
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
)
from codex_mcp.models import UsageQuery
from codex_mcp.settings import Settings
from tests.conftest import BASE_URL, TEST_KEY, make_settings

COSTS_QUERY = UsageQuery(start_time=1767225600, end_time=1767225600 + 7 * 86400)
COSTS_QUERY_BY_LINE_ITEM = UsageQuery(start_time=1767225600, end_time=1767225600 + 7 * 86400, group_by=["line_item"])

Step = Callable[[httpx.Request], httpx.Response]

USER = {"object": "organization.user", "id": "user-abc", "name": "Ada", "email": "ada@example.com", "role": "reader"}
PROJECT = {"object": "organization.project", "id": "proj_new", "name": "New", "status": "active"}


# ---- helpers ---------------------------------------------------------------------------------------------------


def ok(body: Any = None, *, headers: dict[str, str] | None = None) -> Step:
    return lambda request: httpx.Response(200, json=USER if body is None else body, headers=headers)


def status(http_status: int, /, *, message: str = "boom", headers: dict[str, str] | None = None, **error: Any) -> Step:
    payload = {"error": {"message": message, "type": "invalid_request_error", **error}}
    return lambda request: httpx.Response(http_status, json=payload, headers=headers)


def raises(exc_type: type[httpx.TransportError]) -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        raise exc_type(f"simulated {exc_type.__name__}", request=request)

    return step


class Script:
    """A MockTransport handler answering with the given steps in order; the last step repeats."""

    def __init__(self, *steps: Step) -> None:
        self.steps = steps
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.steps[min(len(self.requests), len(self.steps)) - 1](request)

    @property
    def count(self) -> int:
        return len(self.requests)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


class Sleeps(list[float]):
    """A fake `sleep` that records every delay instead of waiting."""

    async def __call__(self, delay: float) -> None:
        self.append(delay)


def make_client(script: Script, settings: Settings | None = None, **overrides: Any) -> tuple[AdminClient, Sleeps]:
    sleeps = Sleeps()
    client = AdminClient(settings or make_settings(**overrides), transport=script.transport(), sleep=sleeps)
    return client, sleeps


def query_of(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.url.query.decode(), keep_blank_values=True)


def usage_page(start: int, *, has_more: bool, next_page: str | None) -> dict[str, Any]:
    bucket = {"object": "bucket", "start_time": start, "end_time": start + 86400, "results": []}
    return {"object": "page", "data": [bucket], "has_more": has_more, "next_page": next_page}


# ---- retries -----------------------------------------------------------------------------------------------------


async def test_429_with_retry_after_seconds_waits_that_long() -> None:
    script = Script(status(429, headers={"Retry-After": "7"}), ok())
    client, sleeps = make_client(script)
    async with client:
        user = await client.get_user(user_id="user-abc")
    assert user.id == "user-abc"
    assert script.count == 2
    assert sleeps == [7.0]


async def test_429_with_http_date_retry_after() -> None:
    moment = datetime.now(UTC) + timedelta(seconds=30)
    script = Script(status(429, headers={"Retry-After": email.utils.format_datetime(moment, usegmt=True)}), ok())
    client, sleeps = make_client(script)
    async with client:
        await client.get_user(user_id="user-abc")
    assert script.count == 2
    assert len(sleeps) == 1
    assert 27.0 < sleeps[0] <= 30.0


async def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    script = Script(status(503, headers={"Retry-After": "soon-ish"}), ok())
    client, sleeps = make_client(script, backoff_initial_s=2.0, backoff_max_s=8.0)
    async with client:
        await client.get_user(user_id="user-abc")
    assert script.count == 2
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 2.0


async def test_5xx_then_success_counts_requests_exactly() -> None:
    script = Script(status(500), status(502), status(503), ok())
    client, sleeps = make_client(script, max_retries=3)
    async with client:
        user = await client.get_user(user_id="user-abc")
    assert user.email == "ada@example.com"
    assert script.count == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize("code", [408, 409, 504])
async def test_other_retryable_statuses_on_get(code: int) -> None:
    script = Script(status(code), ok())
    client, _ = make_client(script)
    async with client:
        await client.get_user(user_id="user-abc")
    assert script.count == 2


async def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    script = Script(status(503))
    client, sleeps = make_client(script, max_retries=6, backoff_initial_s=1.0, backoff_max_s=8.0)
    async with client:
        with pytest.raises(InternalServerError):
            await client.get_user(user_id="user-abc")
    assert script.count == 7
    ceilings = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(sleeps) == len(ceilings)
    for delay, ceiling in zip(sleeps, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling, (delay, ceiling)


async def test_persistent_5xx_gives_up_after_max_retries_plus_one() -> None:
    script = Script(status(503, message="upstream overloaded", headers={"x-request-id": "req_123"}))
    client, sleeps = make_client(script, max_retries=2)
    async with client:
        with pytest.raises(InternalServerError) as caught:
            await client.get_user(user_id="user-abc")
    error = caught.value
    assert script.count == 3
    assert len(sleeps) == 2
    assert error.status_code == 503
    assert error.attempts == 3
    assert str(error) == (
        "OpenAI API error 503 on GET /v1/organization/users/user-abc: upstream overloaded. "
        "Request id: req_123. Gave up after 3 attempts."
    )


async def test_non_retryable_answer_after_a_retry_failed_not_gave_up() -> None:
    """Retrying stopped because the answer could not be retried, not because the retries ran out."""
    script = Script(status(503), status(400, message="bad limit", headers={"x-request-id": "req_400"}), ok())
    client, sleeps = make_client(script, max_retries=5)
    async with client:
        with pytest.raises(BadRequestError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 2
    assert len(sleeps) == 1
    assert caught.value.attempts == 2
    assert str(caught.value) == (
        "OpenAI API error 400 on GET /v1/organization/users/user-abc: bad limit. "
        "Request id: req_400. Failed after 2 attempts."
    )


async def test_max_retries_zero_means_one_attempt() -> None:
    script = Script(status(500))
    client, sleeps = make_client(script, max_retries=0)
    async with client:
        with pytest.raises(InternalServerError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 1
    assert sleeps == []
    assert "gave up" not in str(caught.value).lower()


async def test_create_post_not_retried_on_500() -> None:
    script = Script(status(500), ok(PROJECT))
    client, sleeps = make_client(script)
    async with client:
        with pytest.raises(InternalServerError):
            await client.create_project(name="New")
    assert script.count == 1
    assert sleeps == []


async def test_create_post_not_retried_on_read_timeout() -> None:
    script = Script(raises(httpx.ReadTimeout), ok(PROJECT))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APITimeoutError):
            await client.create_project(name="New")
    assert script.count == 1


async def test_create_post_not_retried_on_dropped_connection() -> None:
    script = Script(raises(httpx.RemoteProtocolError), ok(PROJECT))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIConnectionError):
            await client.create_project(name="New")
    assert script.count == 1


async def test_create_post_retried_on_429() -> None:
    script = Script(status(429, headers={"Retry-After": "1"}), ok(PROJECT))
    client, sleeps = make_client(script)
    async with client:
        project = await client.create_project(name="New")
    assert project.id == "proj_new"
    assert script.count == 2
    assert sleeps == [1.0]
    assert [json.loads(r.content) for r in script.requests] == [{"name": "New"}, {"name": "New"}]


@pytest.mark.parametrize("exc_type", [httpx.ConnectError, httpx.ConnectTimeout])
async def test_create_post_retried_when_connect_failed(exc_type: type[httpx.TransportError]) -> None:
    script = Script(raises(exc_type), ok({**PROJECT}))
    client, _ = make_client(script)
    async with client:
        project = await client.create_project(name="New")
    assert project.name == "New"
    assert script.count == 2


async def test_create_invite_not_retried_on_502() -> None:
    script = Script(status(502), ok({"id": "invite-1", "email": "a@example.com", "role": "reader"}))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(InternalServerError):
            await client.create_invite(email="a@example.com", role="reader", projects=None)
    assert script.count == 1


async def test_idempotent_post_modify_user_retried_on_500() -> None:
    script = Script(status(500), ok({**USER, "role": "owner"}))
    client, _ = make_client(script)
    async with client:
        user = await client.modify_user(user_id="user-abc", role="owner")
    assert user.role == "owner"
    assert script.count == 2
    assert all(r.method == "POST" for r in script.requests)
    assert json.loads(script.requests[1].content) == {"role": "owner"}


async def test_delete_404_after_an_unanswered_attempt_says_it_may_be_deleted_already() -> None:
    script = Script(raises(httpx.ReadTimeout), status(404, message="No such user: user-abc"))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(NotFoundError) as caught:
            await client.delete_user(user_id="user-abc")
    assert script.count == 2
    assert [r.method for r in script.requests] == ["DELETE", "DELETE"]
    assert str(caught.value) == (
        "OpenAI API error 404 on DELETE /v1/organization/users/user-abc: No such user: user-abc. "
        "An earlier attempt got no answer and may already have deleted it: list to check. Failed after 2 attempts."
    )


async def test_delete_404_on_the_first_attempt_is_a_plain_not_found() -> None:
    script = Script(status(404, message="No such user: user-abc"))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(NotFoundError) as caught:
            await client.delete_user(user_id="user-abc")
    assert script.count == 1
    assert str(caught.value) == "OpenAI API error 404 on DELETE /v1/organization/users/user-abc: No such user: user-abc"


async def test_delete_retried_on_503() -> None:
    script = Script(status(503), ok({"object": "organization.user.deleted", "id": "user-abc", "deleted": True}))
    client, _ = make_client(script)
    async with client:
        deleted = await client.delete_user(user_id="user-abc")
    assert deleted.deleted is True
    assert script.count == 2


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, BadRequestError),
    ],
)
async def test_client_errors_not_retried(code: int, error_type: type[AdminAPIError]) -> None:
    script = Script(status(code, message="nope", code="bad_thing", param="limit", headers={"x-request-id": "req_9"}))
    client, sleeps = make_client(script)
    async with client:
        with pytest.raises(error_type) as caught:
            await client.get_user(user_id="user-abc")
    error = caught.value
    assert script.count == 1
    assert sleeps == []
    assert error.status_code == code
    assert (error.code, error.param, error.request_id) == ("bad_thing", "limit", "req_9")
    assert "nope" in error.message
    assert "/organization/users/user-abc" in error.message
    assert error.hint
    assert error.hint in error.describe()


async def test_status_error_with_non_json_body_keeps_its_text() -> None:
    script = Script(lambda request: httpx.Response(404, text="<h1>Not here</h1>"))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(NotFoundError, match="Not here"):
            await client.get_user(user_id="user-abc")


async def test_409_on_get_retried_but_surfaces_as_conflict() -> None:
    script = Script(status(409, message="busy"))
    client, _ = make_client(script, max_retries=1)
    async with client:
        with pytest.raises(ConflictError):
            await client.get_user(user_id="user-abc")
    assert script.count == 2


async def test_persistent_429_is_rate_limit_error() -> None:
    script = Script(status(429))
    client, _ = make_client(script, max_retries=1)
    async with client:
        with pytest.raises(RateLimitError) as caught:
            await client.get_user(user_id="user-abc")
    assert caught.value.attempts == 2
    assert script.count == 2


async def test_connect_error_on_get_retried_then_connection_error() -> None:
    script = Script(raises(httpx.ConnectError))
    client, sleeps = make_client(script, max_retries=2)
    async with client:
        with pytest.raises(APIConnectionError) as caught:
            await client.get_user(user_id="user-abc")
    assert type(caught.value) is APIConnectionError
    assert script.count == 3
    assert len(sleeps) == 2
    assert "gave up after 3 attempts" in str(caught.value).lower()


async def test_read_timeout_on_get_retried_then_timeout_error() -> None:
    script = Script(raises(httpx.ReadTimeout))
    client, _ = make_client(script, max_retries=2)
    async with client:
        with pytest.raises(APITimeoutError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 3
    assert "timed out" in str(caught.value)
    assert "CODEX_MCP_READ_TIMEOUT" in caught.value.describe()


async def test_connection_error_then_success() -> None:
    script = Script(raises(httpx.ConnectError), raises(httpx.ReadTimeout), ok())
    client, _ = make_client(script, max_retries=2)
    async with client:
        user = await client.get_user(user_id="user-abc")
    assert user.id == "user-abc"
    assert script.count == 3


async def test_backoff_delays_are_jittered_within_half_to_all_of_the_ceiling() -> None:
    """Clients that all wait the same backoff retry in lockstep; each delay is drawn from [ceiling/2, ceiling]."""
    script = Script(status(503))
    client, sleeps = make_client(script, max_retries=10, backoff_initial_s=4.0, backoff_max_s=4.0)
    async with client:
        with pytest.raises(InternalServerError, match="Gave up after 11 attempts"):
            await client.get_user(user_id="user-abc")
    assert len(sleeps) == 10
    assert all(2.0 <= delay <= 4.0 for delay in sleeps), sleeps
    assert len(set(sleeps)) > 1, f"every wait was the same: {sleeps}"


@pytest.mark.parametrize("value", ["-5", "-0.5", "Wed, 21 Oct 2015 07:28:00 GMT"], ids=["-5", "-0.5", "past-date"])
async def test_retry_after_in_the_past_means_retry_at_once(value: str) -> None:
    script = Script(status(429, headers={"Retry-After": value}), ok())
    client, sleeps = make_client(script)
    async with client:
        await client.get_user(user_id="user-abc")
    assert script.count == 2
    assert sleeps == [0.0]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda client: client.get_user(user_id="user-abc"), id="GET"),
        pytest.param(lambda client: client.modify_user(user_id="user-abc", role="owner"), id="POST-idempotent"),
    ],
)
async def test_404_after_an_unanswered_attempt_only_says_deleted_for_a_delete(call: Callable[[Any], Any]) -> None:
    script = Script(raises(httpx.ReadTimeout), status(404, message="No such user: user-abc"))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(NotFoundError) as caught:
            await call(client)
    assert script.count == 2
    assert str(caught.value).endswith(": No such user: user-abc. Failed after 2 attempts.")
    assert "deleted it" not in caught.value.describe()


@pytest.mark.parametrize(
    ("create", "what", "tool"),
    [
        (lambda client: client.create_project(name="New"), "project", "codex_list_projects"),
        (
            lambda client: client.create_invite(email="a@example.com", role="reader", projects=None),
            "invite",
            "codex_list_invites",
        ),
    ],
    ids=["project", "invite"],
)
@pytest.mark.parametrize(
    ("step", "error_type", "why"),
    [
        (raises(httpx.ReadTimeout), APITimeoutError, "No answer came back after the request was sent"),
        (raises(httpx.RemoteProtocolError), APIConnectionError, "No answer came back after the request was sent"),
        (raises(httpx.WriteError), APIConnectionError, "No answer came back after the request was sent"),
        (status(502), InternalServerError, "OpenAI reported a failure"),
    ],
    ids=["read-timeout", "dropped", "write-error", "502"],
)
async def test_create_with_an_unknown_outcome_says_list_first_not_try_again(
    create: Callable[[Any], Any], what: str, tool: str, step: Step, error_type: type[AdminAPIError], why: str
) -> None:
    script = Script(step, ok(PROJECT))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(error_type) as caught:
            await create(client)
    assert script.count == 1
    hint = caught.value.hint
    assert hint.startswith(
        f"{why}, so the {what} may have been created anyway. Do not simply repeat the call: list first ({tool}) "
        "and create it only if it is not there."
    )
    assert "try again" not in caught.value.describe().lower()


async def test_create_refused_with_a_4xx_keeps_its_own_hint() -> None:
    script = Script(status(400, message="name too long"))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(BadRequestError) as caught:
            await client.create_project(name="New")
    assert caught.value.hint == BadRequestError.hint


# ---- deadline ----------------------------------------------------------------------------------------------------


class FakeClock:
    """The client's monotonic clock in a test: the fake sleep moves it forward."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_deadline_stops_retries_when_next_delay_would_pass_it() -> None:
    clock = FakeClock()
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)
        clock.now += delay

    script = Script(status(503, headers={"Retry-After": "4"}))
    settings = make_settings(max_retries=10, request_deadline_s=10.0)
    async with AdminClient(settings, transport=script.transport(), sleep=sleep, clock=clock) as client:
        with pytest.raises(InternalServerError) as caught:
            await client.get_user(user_id="user-abc")
    # t=0 fail, wait 4; t=4 fail, wait 4; t=8 fail: another 4 s would end at 12 > 10, so stop.
    assert script.count == 3
    assert delays == [4.0, 4.0]
    assert "deadline" in str(caught.value)
    assert caught.value.attempts == 3


async def test_each_attempt_timeout_is_capped_by_the_time_left() -> None:
    clock = FakeClock()

    async def sleep(delay: float) -> None:
        clock.now += delay

    script = Script(status(503, headers={"Retry-After": "4"}), status(503, headers={"Retry-After": "4"}), ok())
    settings = make_settings(max_retries=5, request_deadline_s=10.0, read_timeout_s=30.0, connect_timeout_s=5.0)
    async with AdminClient(settings, transport=script.transport(), sleep=sleep, clock=clock) as client:
        await client.get_user(user_id="user-abc")
    # 10 s, then 6 s and 2 s left: read/write/pool are capped by each; connect only once it is under 5 s.
    timeouts = [r.extensions["timeout"] for r in script.requests]
    assert timeouts == [
        {"connect": 5.0, "read": 10.0, "write": 10.0, "pool": 10.0},
        {"connect": 5.0, "read": 6.0, "write": 6.0, "pool": 6.0},
        {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0},
    ]


async def test_retry_after_longer_than_deadline_fails_at_once() -> None:
    script = Script(status(429, headers={"Retry-After": "3600"}), ok())
    client, sleeps = make_client(script, request_deadline_s=60.0)
    async with client:
        with pytest.raises(RateLimitError, match="deadline"):
            await client.get_user(user_id="user-abc")
    assert script.count == 1
    assert sleeps == []


class Trickle(httpx.AsyncByteStream):
    """A response body that arrives one byte at a time."""

    def __init__(self, body: bytes, byte_every_s: float) -> None:
        self.body = body
        self.byte_every_s = byte_every_s

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for byte in self.body:
            await asyncio.sleep(self.byte_every_s)
            yield bytes([byte])


async def test_a_body_that_trickles_in_is_cut_off_at_the_request_deadline() -> None:
    body = json.dumps(USER).encode()  # ~100 bytes at 0.02 s each: 2 s, ten times the deadline
    script = Script(lambda request: httpx.Response(200, stream=Trickle(body, 0.02)))
    client, sleeps = make_client(script, request_deadline_s=0.2, max_retries=3)
    async with client:
        with pytest.raises(APITimeoutError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 1
    assert sleeps == []
    assert str(caught.value) == (
        "GET /organization/users/user-abc hit the request deadline of 0.2 s before its answer had fully arrived."
    )
    assert "raise CODEX_MCP_REQUEST_DEADLINE" in caught.value.hint


# ---- bad responses ---------------------------------------------------------------------------------------------


async def test_malformed_json_200_is_response_error() -> None:
    script = Script(
        lambda request: httpx.Response(
            200, content=b"<html>gateway</html>", headers={"content-type": "text/html", "x-request-id": "req_html"}
        )
    )
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIResponseError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 1
    assert "not valid JSON" in str(caught.value)
    assert "req_html" in str(caught.value)


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get_user", {"object": "organization.user", "name": "no id"}),
        ("get_user", ["not", "an", "object"]),
        ("list_users", {"object": "list", "data": "nope"}),
        ("list_users", {"object": "list", "data": [{"name": "item without id"}], "has_more": False}),
    ],
)
async def test_unexpected_shape_is_response_error(method: str, body: Any) -> None:
    script = Script(ok(body))
    client, _ = make_client(script)
    async with client:
        calls = {
            "get_user": lambda: client.get_user(user_id="user-abc"),
            "list_users": lambda: client.list_users(limit=5, after=None),
        }
        with pytest.raises(APIResponseError, match="unexpected shape"):
            await calls[method]()
    assert script.count == 1


async def test_usage_page_of_unexpected_shape_is_response_error() -> None:
    script = Script(ok({"object": "page", "data": [{"start_time": "yesterday"}]}))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIResponseError, match="unexpected shape"):
            await client.usage("costs", COSTS_QUERY)


@pytest.mark.parametrize("depth", [101, 900, 100_000])  # 900 parses, but the result could not be serialized
async def test_json_nested_too_deeply_is_an_unreadable_response(depth: int) -> None:
    deep = b"[" * depth + b"]" * depth
    headers = {"content-type": "application/json", "x-request-id": "req_deep"}
    script = Script(lambda request: httpx.Response(200, content=deep, headers=headers))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIResponseError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 1
    assert str(caught.value) == (
        "OpenAI answered GET /organization/users/user-abc with status 200 but the body could not be read: its JSON "
        f"is nested more than 100 levels deep (application/json, {2 * depth} bytes). Request id: req_deep"
    )


async def test_error_body_nested_too_deeply_still_reads_as_the_status_error() -> None:
    deep = b'{"error": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    script = Script(lambda request: httpx.Response(503, content=deep, headers={"x-request-id": "req_deep"}))
    client, _ = make_client(script, max_retries=1)
    async with client:
        with pytest.raises(InternalServerError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 2
    message = str(caught.value)
    assert message.startswith('OpenAI API error 503 on GET /v1/organization/users/user-abc: {"error": [[[[')
    assert message.endswith("Request id: req_deep. Gave up after 2 attempts.")
    assert len(message) < 400


async def test_a_huge_api_message_is_cut_short() -> None:
    script = Script(status(400, message="x" * 100_000))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(BadRequestError) as caught:
            await client.get_user(user_id="user-abc")
    assert caught.value.api_message == "x" * 2000 + "... (98000 more characters)"


# ---- query encoding --------------------------------------------------------------------------------------------


def test_encode_query_keeps_equals_and_slash_and_encodes_the_rest() -> None:
    encoded = encode_query([("page", "abc=="), ("path", "a/b"), ("q", "a+b&c d"), ("group_by[]", "model")])
    assert encoded == "page=abc==&path=a/b&q=a%2Bb%26c%20d&group_by[]=model"
    # What the server decodes is exactly what was given.
    assert parse_qsl(encoded) == [("page", "abc=="), ("path", "a/b"), ("q", "a+b&c d"), ("group_by[]", "model")]


async def test_page_cursor_with_equals_goes_on_the_wire_literally() -> None:
    script = Script(
        ok(usage_page(1767225600, has_more=True, next_page="abc=")),
        ok(usage_page(1767312000, has_more=False, next_page=None)),
    )
    client, _ = make_client(script)
    async with client:
        series = await client.usage("costs", COSTS_QUERY_BY_LINE_ITEM)
    assert series.pages == 2
    raw = script.requests[1].url.query.decode()
    assert "page=abc=" in raw.split("&")
    assert "%3D" not in raw
    assert script.requests[1].url.path == "/v1/organization/costs"


async def test_query_values_with_plus_and_ampersand_survive_the_wire() -> None:
    script = Script(ok({"object": "list", "data": [], "has_more": False}))
    client, _ = make_client(script)
    async with client:
        await client.list_users(limit=5, after=None, emails=["a+b@example.com", "x&y@example.com"])
    raw = script.requests[0].url.query.decode()
    assert raw == "emails=a%2Bb%40example.com&emails=x%26y%40example.com&limit=5"
    assert query_of(script.requests[0]) == [
        ("emails", "a+b@example.com"),
        ("emails", "x&y@example.com"),
        ("limit", "5"),
    ]


# ---- paging ------------------------------------------------------------------------------------------------------


async def test_bucket_paging_follows_next_page_to_the_end() -> None:
    day = 86400
    script = Script(
        ok(usage_page(1767225600, has_more=True, next_page="p2")),
        ok(usage_page(1767225600 + day, has_more=True, next_page="p3")),
        ok(usage_page(1767225600 + 2 * day, has_more=False, next_page=None)),
    )
    client, _ = make_client(script)
    pages_seen: list[int] = []

    async def on_page(number: int) -> None:
        pages_seen.append(number)

    query = UsageQuery(1767225600, 1767225600 + 3 * day, "1d", ("model",))
    async with client:
        series = await client.usage("completions", query, on_page=on_page)
    assert (series.source, series.pages) == ("/organization/usage/completions", 3)
    assert [b.start_time for b in series.buckets] == [1767225600, 1767225600 + day, 1767225600 + 2 * day]
    assert pages_seen == [1, 2, 3]
    span = [("start_time", "1767225600"), ("end_time", str(1767225600 + 3 * day)), ("bucket_width", "1d")]
    assert [query_of(r) for r in script.requests] == [
        [*span, ("group_by", "model"), ("limit", "31")],
        [*span, ("group_by", "model"), ("limit", "31"), ("page", "p2")],
        [*span, ("group_by", "model"), ("limit", "31"), ("page", "p3")],
    ]
    assert all(r.url.path == "/v1/organization/usage/completions" for r in script.requests)


@pytest.mark.parametrize(
    ("source", "width", "path", "limit"),
    [
        ("completions", "1h", "/organization/usage/completions", "168"),
        ("embeddings", "1m", "/organization/usage/embeddings", "1440"),
        ("code_interpreter_sessions", "1d", "/organization/usage/code_interpreter_sessions", "31"),
        ("costs", "1d", "/organization/costs", "180"),
    ],
)
async def test_usage_query_becomes_the_api_query(source: Any, width: str, path: str, limit: str) -> None:
    script = Script(ok(usage_page(1767225600, has_more=False, next_page=None)))
    client, _ = make_client(script)
    filters = {"project_ids": ["proj_a", "proj_b"], "user_ids": None, "models": [], "batch": True}
    query = UsageQuery(1767225600, 1767312000, width, ("project_id", "user_id"), filters)
    async with client:
        series = await client.usage(source, query)
    assert (series.source, series.pages, len(series.buckets)) == (path, 1, 1)
    [request] = script.requests
    assert request.url.path == f"/v1{path}"
    assert query_of(request) == [
        ("start_time", "1767225600"),
        ("end_time", "1767312000"),
        ("bucket_width", width),
        ("project_ids", "proj_a"),
        ("project_ids", "proj_b"),
        ("batch", "true"),
        ("group_by", "project_id"),
        ("group_by", "user_id"),
        ("limit", limit),
    ]


async def test_bucket_paging_without_next_page_is_pagination_error() -> None:
    script = Script(ok(usage_page(1767225600, has_more=True, next_page=None)))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError, match="next_page"):
            await client.usage("costs", COSTS_QUERY)
    assert script.count == 1


async def test_bucket_paging_with_repeating_next_page_is_pagination_error() -> None:
    script = Script(
        ok(usage_page(1767225600, has_more=True, next_page="p2")),
        ok(usage_page(1767312000, has_more=True, next_page="p3")),
        ok(usage_page(1767398400, has_more=True, next_page="p2")),
    )
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError, match="page 3"):
            await client.usage("costs", COSTS_QUERY)
    assert script.count == 3


async def test_failure_on_page_3_says_earlier_pages_were_discarded() -> None:
    script = Script(
        ok(usage_page(1767225600, has_more=True, next_page="p2")),
        ok(usage_page(1767312000, has_more=True, next_page="p3")),
        status(400, message="cursor expired"),
    )
    client, _ = make_client(script)
    async with client:
        with pytest.raises(BadRequestError) as caught:
            await client.usage("costs", COSTS_QUERY)
    message = str(caught.value)
    assert "cursor expired" in message
    assert "page 3" in message
    assert "2 pages before it were discarded" in message


async def test_retried_failure_on_a_later_page_says_attempts_page_and_why_it_stopped() -> None:
    """Attempts, the page, and the reason retrying stopped compose into one reading, in that order."""
    script = Script(
        ok(usage_page(1767225600, has_more=True, next_page="p2")),
        status(503, message="overloaded", headers={"x-request-id": "req_p2", "Retry-After": "30"}),
        status(503, message="overloaded", headers={"x-request-id": "req_p2b", "Retry-After": "30"}),
    )
    clock = FakeClock()
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)
        clock.now += delay

    settings = make_settings(request_deadline_s=45.0)
    async with AdminClient(settings, transport=script.transport(), sleep=sleep, clock=clock) as client:
        with pytest.raises(InternalServerError) as caught:
            await client.usage("costs", COSTS_QUERY)
    assert script.count == 3
    assert sleeps == [30.0]
    assert (caught.value.attempts, caught.value.page) == (2, 2)
    assert str(caught.value) == (
        "OpenAI API error 503 on GET /v1/organization/costs: overloaded. Request id: req_p2b. "
        "Gave up after 2 attempts on page 2; the page before it was discarded. "
        "Stopped: the next retry would pass the request deadline."
    )


@pytest.mark.parametrize(("wraps", "readable"), [(97, True), (98, False)])
async def test_json_up_to_100_levels_deep_is_read(wraps: int, readable: bool) -> None:
    nested: Any = "bottom"
    for _ in range(wraps):  # page, data, item: 3 levels; the item's field adds `wraps` more
        nested = [nested]
    script = Script(ok(_list_page(["user-1"], has_more=False, extra=nested)))
    client, _ = make_client(script)
    async with client:
        if readable:
            page = await client.list_users(limit=1, after=None)
            assert [user.id for user in page.items] == ["user-1"]
        else:
            with pytest.raises(APIResponseError, match="nested more than 100 levels deep"):
                await client.list_users(limit=1, after=None)


def _list_page(ids: list[str], *, has_more: bool, last_id: str | None = "default", extra: Any = None) -> dict[str, Any]:
    users = [{**USER, "id": i, **({"extra": extra} if extra is not None else {})} for i in ids]
    page: dict[str, Any] = {"object": "list", "data": users, "has_more": has_more}
    if last_id == "default":
        page["last_id"] = ids[-1] if ids else None
    elif last_id is not None:
        page["last_id"] = last_id
    return page


async def test_list_all_follows_after_last_id() -> None:
    script = Script(
        ok(_list_page(["user-1", "user-2"], has_more=True)),
        ok(_list_page(["user-3", "user-4"], has_more=True)),
        ok(_list_page(["user-5"], has_more=False)),
    )
    client, _ = make_client(script)
    async with client:
        users = await client.all_users()
    assert [u.id for u in users] == ["user-1", "user-2", "user-3", "user-4", "user-5"]
    afters = [dict(query_of(r)).get("after") for r in script.requests]
    assert afters == [None, "user-2", "user-4"]
    assert all(dict(query_of(r))["limit"] == "100" for r in script.requests)


async def test_list_page_falls_back_to_last_item_id_for_cursor() -> None:
    script = Script(ok(_list_page(["user-1", "user-9"], has_more=True, last_id=None)))
    client, _ = make_client(script)
    async with client:
        page = await client.list_users(limit=2, after="user-0")
    assert page.has_more is True
    assert page.next_after == "user-9"
    assert dict(query_of(script.requests[0])) == {"limit": "2", "after": "user-0"}


async def test_list_page_on_last_page_has_no_cursor() -> None:
    script = Script(ok(_list_page(["user-1"], has_more=False)))
    client, _ = make_client(script)
    async with client:
        page = await client.list_users(limit=2, after=None)
    assert page.next_after is None
    assert [u.id for u in page.items] == ["user-1"]


async def test_list_all_with_has_more_but_no_cursor_is_pagination_error() -> None:
    script = Script(ok(_list_page([], has_more=True, last_id=None)))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError) as caught:
            await client.all_users()
    assert str(caught.value) == "/organization/users said has_more but gave no new cursor to continue from."
    assert script.count == 1


@pytest.mark.parametrize(
    ("page", "after"),
    [
        (_list_page([], has_more=True, last_id=None), None),
        (_list_page(["user-1"], has_more=True, last_id="user-0"), "user-0"),  # the cursor it was given
    ],
    ids=["no-cursor", "same-cursor"],
)
async def test_list_page_with_has_more_but_no_new_cursor_is_pagination_error(
    page: dict[str, Any], after: str | None
) -> None:
    script = Script(ok(page))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError, match="said has_more but gave no new cursor to continue from"):
            await client.list_users(limit=5, after=after)
    assert script.count == 1


async def test_list_all_with_repeating_cursor_is_pagination_error() -> None:
    script = Script(ok(_list_page(["user-1"], has_more=True)), ok(_list_page(["user-1"], has_more=True)))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError) as caught:
            await client.all_users()
    assert str(caught.value).startswith("/organization/users said has_more but gave no new cursor to continue from.")
    assert "on page 2" in str(caught.value)
    assert script.count == 2


async def test_list_all_failure_on_later_page_says_pages_discarded() -> None:
    script = Script(ok(_list_page(["user-1"], has_more=True)), ok(_list_page(["user-2"], has_more=True)), status(404))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(NotFoundError, match="the 2 pages before it were discarded"):
            await client.all_users()


async def test_list_all_past_max_pages_is_an_error_not_a_truncated_list() -> None:
    script = Script(*(ok(_list_page([f"user-{n}"], has_more=True)) for n in range(1, 10)))
    client, _ = make_client(script)
    client.max_pages = 3
    async with client:
        with pytest.raises(PaginationError) as caught:
            await client.all_users()
    assert script.count == 3
    assert caught.value.describe() == (
        "/organization/users has more than 3 pages; stopped there rather than return part of the data.\n"
        f"Hint: {PaginationError.hint}"
    )
    assert "Nothing partial was returned" in caught.value.describe()


async def test_usage_past_max_pages_is_an_error_not_a_truncated_series() -> None:
    day = 86400
    script = Script(
        *(ok(usage_page(1767225600 + n * day, has_more=True, next_page=f"p{n + 1}")) for n in range(9)),
    )
    client, _ = make_client(script)
    client.max_pages = 3
    pages_seen: list[int] = []

    async def on_page(number: int) -> None:
        pages_seen.append(number)

    async with client:
        with pytest.raises(PaginationError, match="more than 3 pages; stopped there rather than return part"):
            await client.usage("costs", COSTS_QUERY, on_page=on_page)
    assert script.count == 3
    assert pages_seen == [1, 2, 3]


async def test_list_all_with_a_cursor_cycle_is_pagination_error() -> None:
    """A -> B -> A would fetch the same pages again and again; the walk stops at the first cursor it saw before."""
    script = Script(
        ok(_list_page(["user-1"], has_more=True, last_id="A")),
        ok(_list_page(["user-2"], has_more=True, last_id="B")),
        ok(_list_page(["user-1"], has_more=True, last_id="A")),
    )
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError) as caught:
            await client.all_users()
    assert script.count == 3
    assert str(caught.value) == (
        "/organization/users said has_more but gave no new cursor to continue from. "
        "Failed on page 3; the 2 pages before it were discarded."
    )


async def test_list_audit_events_puts_each_filter_in_the_api_syntax() -> None:
    script = Script(ok({"object": "list", "data": [], "has_more": False}))
    client, _ = make_client(script)
    async with client:
        page = await client.list_audit_events(
            limit=10,
            after="audit_log-1",
            effective_at_gte=1719792000,
            effective_at_lt=1722470400,
            project_ids=["proj_a"],
            event_types=["api_key.created", "project.archived"],
            actor_ids=["user-1"],
            actor_emails=["a@example.com"],
            resource_ids=["key_1"],
            tenant_only=True,
        )
        bare = await client.list_audit_events(limit=5, after=None)
    assert (page.items, page.has_more, page.next_after) == ([], False, None)
    assert bare.items == []
    first, second = script.requests
    assert query_of(first) == [
        ("effective_at[gte]", "1719792000"),
        ("effective_at[lt]", "1722470400"),
        ("project_ids[]", "proj_a"),
        ("event_types[]", "api_key.created"),
        ("event_types[]", "project.archived"),
        ("actor_ids[]", "user-1"),
        ("actor_emails[]", "a@example.com"),
        ("resource_ids[]", "key_1"),
        ("tenant_only", "true"),
        ("limit", "10"),
        ("after", "audit_log-1"),
    ]
    assert first.url.query.decode().startswith("effective_at[gte]=1719792000&effective_at[lt]=1722470400&")
    assert query_of(second) == [("limit", "5")]
    assert all(r.url.path == "/v1/organization/audit_logs" for r in script.requests)


# ---- keys, auth and redaction ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "   "])
async def test_missing_key_is_configuration_error_before_any_request(key: str | None) -> None:
    script = Script(ok())
    client, _ = make_client(script, admin_key=key)
    async with client:
        with pytest.raises(ConfigurationError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 0
    assert "OPENAI_ADMIN_KEY" in caught.value.describe()
    assert "Admin key" in caught.value.describe()


async def test_project_key_is_configuration_error() -> None:
    project_key = "sk-proj-abcdefghijklmnop0123456789"
    script = Script(ok())
    client, _ = make_client(script, admin_key=project_key)
    async with client:
        with pytest.raises(ConfigurationError, match="project key") as caught:
            await client.list_users(limit=1, after=None)
    assert script.count == 0
    assert project_key not in caught.value.describe()


async def test_api_message_echoing_keys_is_redacted() -> None:
    other_key = "sk-svcacct-ABCDEFGHIJKLMNOP0123456789"
    script = Script(
        status(
            401,
            message=f"Key {TEST_KEY} is revoked; {other_key} belongs to another org",
            code=f"bad_{TEST_KEY}",
            headers={"x-request-id": f"req_{TEST_KEY}"},
        )
    )
    client, _ = make_client(script)
    async with client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get_user(user_id="user-abc")
    error = caught.value
    assert error.api_message == "Key [redacted] is revoked; sk-[redacted] belongs to another org"
    for text in (error.api_message, error.code, error.request_id, str(error), error.describe(), repr(error)):
        assert text is not None
        assert TEST_KEY not in text
        assert other_key not in text
        assert "ABCDEFGHIJKLMNOP" not in text


@pytest.mark.parametrize("key", ["paste-your-admin-key-here", "  PASTE-YOUR-ADMIN-KEY-HERE\n"])
async def test_example_placeholder_key_is_refused_before_any_request(key: str) -> None:
    script = Script(ok())
    client, _ = make_client(script, admin_key=key)
    async with client:
        with pytest.raises(ConfigurationError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 0
    assert caught.value.describe() == (
        "OPENAI_ADMIN_KEY still holds the placeholder from the example configuration, not a key; nothing was sent.\n"
        f"Hint: {KEY_HELP} To try the server without a key, start it with --demo (or CODEX_MCP_DEMO=1): it then "
        "answers from a built-in sample organization."
    )


async def test_authorization_header_is_bearer_key() -> None:
    script = Script(ok())
    client, _ = make_client(script)
    async with client:
        await client.get_user(user_id="user-abc")
    request = script.requests[0]
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"
    assert str(request.url) == f"{BASE_URL}/organization/users/user-abc"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("codex-mcp/")


async def test_authorization_header_strips_whitespace_around_key() -> None:
    script = Script(ok())
    client, _ = make_client(script, admin_key=f"  {TEST_KEY}\n")
    async with client:
        await client.get_user(user_id="user-abc")
    assert script.requests[0].headers["Authorization"] == f"Bearer {TEST_KEY}"


@pytest.mark.parametrize(
    "key",
    [
        TEST_KEY,
        "adminsecret-QWERTY-0987654321",  # not sk-shaped: only the registered-secret redaction catches it
        "tokenWithNewline-5544332211\n",  # pasted with a trailing newline
    ],
)
async def test_key_echoed_by_the_api_is_redacted(key: str) -> None:
    bare = key.strip()
    script = Script(
        status(401, message=f"Incorrect API key provided: {bare}. Authorization: Bearer {bare}", code="invalid_key")
    )
    client, _ = make_client(script, admin_key=key)
    async with client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get_user(user_id="user-abc")
    error = caught.value
    assert script.requests[0].headers["Authorization"] == f"Bearer {bare}"
    for text in (str(error), error.describe(), repr(error)):
        assert bare not in text
    assert "[redacted]" in str(error)
    assert "Incorrect API key provided" in str(error)


async def test_key_in_transport_error_is_redacted() -> None:
    def leak(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy refused {request.headers['Authorization']}", request=request)

    script = Script(leak)
    client, _ = make_client(script, max_retries=0)
    async with client:
        with pytest.raises(APIConnectionError) as caught:
            await client.get_user(user_id="user-abc")
    assert TEST_KEY not in str(caught.value)


async def test_ids_are_escaped_in_the_path() -> None:
    script = Script(ok())
    client, _ = make_client(script)
    async with client:
        await client.get_user(user_id="../projects")
    assert script.requests[0].url.raw_path == b"/v1/organization/users/..%2Fprojects"


# ---- concurrency -------------------------------------------------------------------------------------------------


async def test_max_concurrency_caps_in_flight_requests() -> None:
    in_flight = 0
    peak = 0
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.01)
        finally:
            in_flight -= 1
        user_id = request.url.path.rsplit("/", 1)[-1]
        seen.append(user_id)
        return httpx.Response(200, json={**USER, "id": user_id})

    settings = make_settings(max_concurrency=3)
    async with AdminClient(settings, transport=httpx.MockTransport(handler)) as client:
        users = await asyncio.gather(*(client.get_user(user_id=f"user-{n}") for n in range(20)))
    assert [u.id for u in users] == [f"user-{n}" for n in range(20)]
    assert sorted(seen) == sorted(f"user-{n}" for n in range(20))
    assert peak <= 3
    assert peak == 3  # the cap was actually reached, so the test measured something
