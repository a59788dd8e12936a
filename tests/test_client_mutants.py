"""The client at the edges the main tests leave out: a create answered 408 (a request timeout: it may have been
processed) is not repeated and says so, a 409 is no such warning; backoff spans half to all of its ceiling; a page
with more but nothing to continue from; and how failures read (no body, a body that is not JSON, the API's message
up to 2,000 characters, the hints of a deadline and of a create that timed out); a body too deep in any of its items;
a create cut off by the request deadline names that setting; an attempt that starts past the deadline gets only a
moment, and a retry whose wait ends exactly at the deadline is still made; what the log says of each answer and each
retry; the headers every request carries, redirects not followed, and no key refused before anything is sent; and a
bug in a window fetched beside others is raised as itself, two such bugs together; an empty range is still one
request (for the API to refuse); the cache keeps a run exactly its size and a run that only touches another, finds
every run a range overlaps, refreshes only those, and says it kept nothing when it is off or a bucket has no start.

Found by mutation testing (scripts/mutation.sh client): each of these could change without a test noticing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from pydantic import BaseModel

from codex_mcp import __version__
from codex_mcp.client import AdminClient, failures
from codex_mcp.client.cache import BucketCache
from codex_mcp.client.retry import Backoff
from codex_mcp.client.windows import Window, fetch_windows, plan_windows
from codex_mcp.errors import APIResponseError, APIStatusError, APITimeoutError, ConfigurationError, PaginationError
from tests.conftest import BASE_URL, make_settings
from tests.test_client import PROJECT, USER, FakeClock, Script, Trickle, make_client, ok, raises, status
from tests.test_usage_cache import compressed_size, run
from tests.usage_api import DAY, NOW, TODAY

LIST_FIRST = (
    "OpenAI reported a failure, so the project may have been created anyway. Do not simply repeat the call: list "
    "first (codex_list_projects) and create it only if it is not there."
)


async def test_a_create_answered_408_is_not_repeated_and_says_it_may_have_happened() -> None:
    script = Script(status(408), ok(PROJECT))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIStatusError) as caught:
            await client.create_project(name="New")
    assert script.count == 1
    assert caught.value.hint == LIST_FIRST


async def test_a_create_answered_409_was_not_processed_and_keeps_its_own_hint() -> None:
    script = Script(status(409), ok(PROJECT))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIStatusError) as caught:
            await client.create_project(name="New")
    assert script.count == 1
    assert "may have been created anyway" not in caught.value.hint


@pytest.mark.parametrize(("jitter", "delay"), [(0.0, 2.0), (0.5, 3.0), (1.0, 4.0)])
def test_backoff_waits_between_half_and_all_of_its_ceiling(jitter: float, delay: float) -> None:
    backoff = Backoff(initial_s=1.0, max_s=30.0, jitter=lambda: jitter)
    assert backoff.delay(3, None) == delay  # ceiling 1 s * 2^(3-1) = 4 s
    assert backoff.delay(3, 0.25) == 0.25  # the server's Retry-After wins


class Named(BaseModel):
    name: str


async def test_a_page_with_more_but_no_string_id_to_continue_from_is_a_paging_error() -> None:
    """Without last_id, the cursor is the last item's id, and only a string can be sent back as `after`."""
    script = Script(ok({"object": "list", "data": [{"id": 7, "name": "a"}], "has_more": True}))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError, match="said has_more but gave no new cursor"):
            await client.list_page("/organization/things", Named, limit=1, after=None)


# ---- how failures read ---------------------------------------------------------------------------------------------


def error_for(status_code: int, **body: Any) -> str:
    request = httpx.Request("GET", "https://api.openai.com/v1/organization/users")
    return str(failures.status_error(httpx.Response(status_code, request=request, **body)))


def test_an_error_without_a_body_reads_by_its_status() -> None:
    assert error_for(502, content=b"") == "OpenAI API error 502 on GET /v1/organization/users: Bad Gateway"
    assert error_for(599, content=b"") == "OpenAI API error 599 on GET /v1/organization/users: no message"


def test_an_error_body_that_is_not_json_is_quoted_up_to_200_characters() -> None:
    assert error_for(500, text="x" * 300) == f"OpenAI API error 500 on GET /v1/organization/users: {'x' * 200}"


def test_the_apis_own_message_is_kept_whole_up_to_2000_characters() -> None:
    whole = error_for(400, json={"error": {"message": "m" * 2000}})
    assert whole.endswith(": " + "m" * 2000)
    cut = error_for(400, json={"error": {"message": "m" * 2001}})
    assert cut.endswith(": " + "m" * 2000 + "... (1 more characters)")


def test_a_value_nested_too_deeply_to_print_is_named_by_its_type() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    assert failures._text(deep, 200) == "(a list nested too deeply to show)"


def test_a_request_past_its_deadline_says_which_setting_bounds_it() -> None:
    error = failures.deadline_error("GET", "/v1/organization/costs", 30)
    assert (
        str(error) == "GET /v1/organization/costs hit the request deadline of 30 s before its answer had fully arrived."
    )
    assert error.hint == (
        "OpenAI answered too slowly: the request deadline (CODEX_MCP_REQUEST_DEADLINE) bounds each request, body and "
        "retries included. Narrow the time range, or raise CODEX_MCP_REQUEST_DEADLINE."
    )


@pytest.mark.parametrize(
    ("deadline_hit", "knob"), [(False, "CODEX_MCP_READ_TIMEOUT"), (True, "CODEX_MCP_REQUEST_DEADLINE")]
)
def test_a_create_that_timed_out_names_the_setting_to_raise(deadline_hit: bool, knob: str) -> None:
    error = APITimeoutError("POST /v1/organization/projects timed out (ReadTimeout).")
    failures.unknown_outcome(error, "project", "codex_list_projects", deadline_hit=deadline_hit)
    assert error.hint.endswith(f"create it only if it is not there. If OpenAI is often this slow, raise {knob}.")


class Project(BaseModel):
    id: str
    name: str
    owner: Named
    status: str


def test_a_body_of_unexpected_shape_names_its_first_three_problems() -> None:
    with pytest.raises(APIResponseError) as caught:
        failures.validate(Project, {"owner": {}, "extra": 1}, "project")
    assert str(caught.value) == (
        "OpenAI returned a project response of an unexpected shape (id: Field required; name: Field required; "
        "owner.name: Field required)."
    )
    with pytest.raises(APIResponseError) as caught:
        failures.validate(Project, [1, 2], "project")
    assert str(caught.value) == (
        "OpenAI returned a project response of an unexpected shape (body: Input should be a valid dictionary or "
        "instance of Project)."
    )


def test_a_json_body_that_is_a_plain_value_is_read_as_it_is() -> None:
    request = httpx.Request("GET", "https://api.openai.com/v1/organization/users")
    assert failures.read_json(httpx.Response(200, json=5, request=request), "GET", "/organization/users") == 5


@pytest.mark.parametrize(
    ("status_code", "body", "shown"),
    [
        (502, {"error": {"code": "upstream"}}, " (code: upstream): Bad Gateway"),
        (599, {"error": {"code": "upstream"}}, " (code: upstream): no message"),
        (400, {"error": "quota exceeded"}, ": quota exceeded"),
        (400, [1, 2], ": [1, 2]"),
        (400, {"detail": "d" * 300}, f": {str({'detail': 'd' * 300})[:200]}... (114 more characters)"),
        (400, {"error": {"message": "m", "code": "c" * 201}}, f" (code: {'c' * 200}... (1 more characters)): m"),
        (400, {"error": {"message": "m", "param": "p" * 201}}, f" (param: {'p' * 200}... (1 more characters)): m"),
    ],
    ids=["no-message", "no-message-nor-reason", "error-text", "a-list", "no-error-key", "long-code", "long-param"],
)
def test_whatever_the_error_body_holds_the_error_reads_well(status_code: int, body: Any, shown: str) -> None:
    assert error_for(status_code, json=body) == f"OpenAI API error {status_code} on GET /v1/organization/users{shown}"


@pytest.mark.parametrize(
    ("headers", "tail"),
    [({}, "(no content type, 3 bytes)."), ({"x-request-id": "req_1"}, "(no content type, 3 bytes). Request id: req_1")],
)
def test_a_success_whose_body_is_not_json_says_what_came(headers: dict[str, str], tail: str) -> None:
    request = httpx.Request("GET", "https://api.openai.com/v1/organization/users")
    response = httpx.Response(200, content=b"abc", headers=headers, request=request)
    with pytest.raises(APIResponseError) as caught:
        failures.read_json(response, "GET", "/organization/users")
    assert (
        str(caught.value)
        == f"OpenAI answered GET /organization/users with status 200 but the body is not valid JSON {tail}"
    )


async def test_a_body_nested_too_deeply_in_any_item_is_unreadable_not_only_in_the_last() -> None:
    nested: Any = "bottom"
    for _ in range(98):  # page, data, item: 3 levels; the first item's field adds 98 more
        nested = [nested]
    users = [{**USER, "id": "user-1", "extra": nested}, {**USER, "id": "user-2"}]
    script = Script(ok({"object": "list", "data": users, "has_more": False}))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIResponseError, match="nested more than 100 levels deep"):
            await client.list_users(limit=2, after=None)


async def test_a_create_cut_off_by_the_request_deadline_says_to_raise_that_deadline() -> None:
    script = Script(lambda request: httpx.Response(200, stream=Trickle(json.dumps(PROJECT).encode(), 0.02)))
    client, _ = make_client(script, request_deadline_s=0.1)
    async with client:
        with pytest.raises(APITimeoutError) as caught:
            await client.create_project(name="New")
    assert script.count == 1
    assert caught.value.hint is not None
    assert caught.value.hint.endswith("If OpenAI is often this slow, raise CODEX_MCP_REQUEST_DEADLINE.")


async def test_an_attempt_that_starts_past_the_deadline_gets_only_a_moment() -> None:
    """The wait before a retry overran the deadline (as a sleep may): the retry is cut off at once rather than given
    the ~0.1 s its answer takes to arrive."""
    clock = FakeClock()

    async def overrunning_sleep(delay: float) -> None:
        clock.now += delay + 6.5

    body = json.dumps(USER).encode()
    script = Script(
        status(503, headers={"Retry-After": "4"}),
        lambda request: httpx.Response(200, stream=Trickle(body, 0.001)),
    )
    settings = make_settings(max_retries=3, request_deadline_s=10.0)
    async with AdminClient(settings, transport=script.transport(), sleep=overrunning_sleep, clock=clock) as client:
        with pytest.raises(APITimeoutError, match="hit the request deadline of 10 s"):
            await client.get_user(user_id="user-abc")
    assert script.count == 2


async def test_each_retry_is_logged_with_what_failed(caplog: pytest.LogCaptureFixture) -> None:
    script = Script(status(503), raises(httpx.ReadTimeout), ok())
    client, _ = make_client(script)
    with caplog.at_level(logging.WARNING, logger="codex_mcp.client"):
        async with client:
            await client.get_user(user_id="user-abc")
    assert [r.getMessage() for r in caplog.records if r.name == "codex_mcp.client"] == [
        "GET /organization/users/user-abc failed (HTTP 503); retry 1 in 0.0s",
        "GET /organization/users/user-abc failed (APITimeoutError); retry 2 in 0.0s",
    ]


async def test_each_answer_is_logged_at_debug_with_how_long_it_took(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()

    def ticking() -> float:  # each reading 1.5 s after the one before
        clock.now += 1.5
        return clock.now

    client = AdminClient(make_settings(), transport=Script(ok()).transport(), clock=ticking)
    with caplog.at_level(logging.DEBUG, logger="codex_mcp.client"):
        async with client:
            await client.get_user(user_id="user-abc")
    assert [r.getMessage() for r in caplog.records if r.name == "codex_mcp.client"] == [
        "GET /organization/users/user-abc -> 200 (1500 ms)"
    ]


async def test_a_retry_whose_wait_ends_exactly_at_the_deadline_is_still_made() -> None:
    clock = FakeClock()
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)
        clock.now += delay

    script = Script(status(503, headers={"Retry-After": "5"}), status(503, headers={"Retry-After": "5"}), ok())
    settings = make_settings(max_retries=5, request_deadline_s=10.0)
    async with AdminClient(settings, transport=script.transport(), sleep=sleep, clock=clock) as client:
        user = await client.get_user(user_id="user-abc")
    # t=0 fail, wait 5; t=5 fail, wait 5: the wait ends at 10, the deadline itself, so the third attempt is made.
    assert user.id == "user-abc"
    assert delays == [5.0, 5.0]
    assert script.count == 3


async def test_every_request_says_who_sends_it_and_that_it_wants_json() -> None:
    script = Script(ok())
    client, _ = make_client(script)
    async with client:
        await client.get_user(user_id="user-abc")
    [request] = script.requests
    assert request.headers["user-agent"] == f"codex-mcp/{__version__}"
    assert request.headers["accept"] == "application/json"


async def test_a_redirect_is_not_followed() -> None:
    """An answer that points elsewhere is reported, not followed: the key is never sent to another address."""
    moved = Script(lambda request: httpx.Response(307, headers={"location": f"{BASE_URL}/elsewhere"}), ok())
    client, _ = make_client(moved)
    async with client:
        with pytest.raises(APIStatusError) as caught:
            await client.get_user(user_id="user-abc")
    assert moved.count == 1
    assert caught.value.status_code == 307


async def test_without_an_admin_key_nothing_is_sent() -> None:
    script = Script(ok())
    client, _ = make_client(script, admin_key=None)
    async with client:
        with pytest.raises(ConfigurationError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 0
    assert str(caught.value) == "OPENAI_ADMIN_KEY is not set, so the OpenAI Admin API cannot be called."


async def test_a_project_key_is_refused_before_anything_is_sent() -> None:
    script = Script(ok())
    client, _ = make_client(script, admin_key="sk-proj-abcdefghijklmnop")
    async with client:
        with pytest.raises(ConfigurationError) as caught:
            await client.get_user(user_id="user-abc")
    assert script.count == 0
    assert str(caught.value) == (
        "OPENAI_ADMIN_KEY holds a project key (sk-proj-...); the Admin API only accepts Admin keys."
    )


WINDOWS = [Window(0, 86400), Window(86400, 2 * 86400)]


async def test_a_bug_in_one_window_is_raised_as_itself() -> None:
    """The server then names the bug's own exception (KeyError), not a group of one."""

    async def fetch(window: Window) -> int:
        if window.start == 0:
            raise KeyError("start")
        await anyio.lowlevel.checkpoint()
        return window.start

    with pytest.raises(KeyError):
        await fetch_windows(WINDOWS, fetch, workers=2)


async def test_bugs_in_two_windows_are_raised_together() -> None:
    async def fetch(window: Window) -> int:
        with anyio.CancelScope(shield=True):  # both windows get as far as failing
            await anyio.sleep(0.01)
        raise KeyError("start") if window.start == 0 else ValueError("end")

    with pytest.raises(BaseExceptionGroup) as caught:
        await fetch_windows(WINDOWS, fetch, workers=2)
    assert sorted(type(e).__name__ for e in caught.value.exceptions) == ["KeyError", "ValueError"]


def test_an_empty_range_is_still_one_request_for_the_api_to_refuse() -> None:
    assert plan_windows(86400, 86400, 86400, 31) == [Window(86400, 86400)]
    assert plan_windows(2 * 86400, 86400, 86400, 31) == [Window(2 * 86400, 86400)]


def test_a_run_exactly_as_large_as_the_cache_is_kept() -> None:
    buckets = run(90, 20)
    cache = BucketCache(compressed_size(buckets), clock=lambda: NOW)
    cache.put("p", buckets, TODAY - 100 * DAY, TODAY, DAY)
    assert (len(cache), cache.size_bytes) == (1, cache.max_bytes)
    assert len(cache.get("p", TODAY - 100 * DAY, TODAY, DAY)) == 20


def test_a_run_that_ends_where_another_starts_replaces_nothing() -> None:
    cache = BucketCache(2**20, clock=lambda: NOW)
    cache.put("p", run(10, 5), TODAY - 30 * DAY, TODAY, DAY)  # days -10 to -6
    cache.put("p", run(15, 5), TODAY - 30 * DAY, TODAY, DAY)  # days -15 to -11, ending where the first starts
    assert len(cache) == 2
    assert len(cache.get("p", TODAY - 15 * DAY, TODAY - 5 * DAY, DAY)) == 10


def test_a_range_finds_a_later_run_past_one_it_does_not_overlap() -> None:
    cache = BucketCache(2**20, clock=lambda: NOW)
    cache.put("p", run(30, 5), TODAY - 40 * DAY, TODAY, DAY)  # days -30 to -26
    cache.put("p", run(10, 5), TODAY - 40 * DAY, TODAY, DAY)  # days -10 to -6
    assert len(cache.get("p", TODAY - 12 * DAY, TODAY - 5 * DAY, DAY)) == 5


@pytest.mark.parametrize("side", ["range-starts-where-the-run-ends", "range-ends-where-the-run-starts"])
def test_a_range_that_only_touches_a_run_does_not_make_it_recently_used(side: str) -> None:
    """a and b are kept, b the more recently used; a range touching a (not overlapping it) is asked for; c then needs
    room: a, still the least recently used, goes."""
    a, b, c = run(90, 20), run(60, 20), run(30, 20)  # days -90 to -71, -60 to -41, -30 to -11
    cache = BucketCache(sum(compressed_size(r) for r in (a, b, c)) - 1, clock=lambda: NOW)
    for buckets in (a, b):
        cache.put("p", buckets, TODAY - 100 * DAY, TODAY, DAY)
    if side == "range-starts-where-the-run-ends":
        assert cache.get("p", TODAY - 70 * DAY, TODAY - 69 * DAY, DAY) == {}
    else:
        assert cache.get("p", TODAY - 91 * DAY, TODAY - 90 * DAY, DAY) == {}
    cache.put("p", c, TODAY - 100 * DAY, TODAY, DAY)
    assert cache.get("p", TODAY - 90 * DAY, TODAY - 70 * DAY, DAY) == {}
    assert len(cache.get("p", TODAY - 60 * DAY, TODAY, DAY)) == 40


def test_a_cache_that_is_off_or_a_bucket_without_a_start_keeps_nothing() -> None:
    off = BucketCache(0, clock=lambda: NOW)
    assert off.put("p", run(10, 5), TODAY - 40 * DAY, TODAY, DAY) == 0
    assert len(off) == 0
    cache = BucketCache(2**20, clock=lambda: NOW)
    no_start = [*run(10, 2), {"object": "bucket", "start_time": "x", "end_time": TODAY, "results": []}]
    assert cache.put("p", no_start, TODAY - 40 * DAY, TODAY, DAY) == 0
    assert len(cache) == 0
