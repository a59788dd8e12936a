"""Fan-out under structured concurrency: tools/fanout.py, and the tools that use it through an in-memory session.

A failing source cancels the others and is raised as itself; a cancelled caller cancels every source; a cancelled
tool call abandons its in-flight API requests (the in-process API's handler sees the cancel) and the next call is
served; optional sources (project names; each metrics source) still fail softly with an API error.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.errors import AdminAPIError
from codex_mcp.server import create_server
from codex_mcp.tools.fanout import concurrently, or_api_error
from tests.conftest import TEST_KEY, make_settings, result_text
from tests.held_api import eventually


class Boom(Exception):
    """A failure that is not an API error."""


async def test_a_failure_cancels_the_other_calls_and_is_raised_as_itself() -> None:
    cancelled: list[str] = []

    async def slow() -> int:
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            cancelled.append("slow")
            raise
        return 1  # pragma: no cover

    async def failing() -> int:
        await anyio.sleep(0.01)
        raise Boom("no")

    with pytest.raises(Boom, match="no"):
        await concurrently(slow(), failing())
    assert cancelled == ["slow"]


async def test_an_api_error_is_raised_as_itself_so_the_server_can_describe_it() -> None:
    async def failing() -> int:
        raise AdminAPIError("the API said no", hint="")

    async def fine() -> int:
        return 2

    with pytest.raises(AdminAPIError, match="the API said no") as raised:
        await concurrently(fine(), failing())
    assert raised.value.__context__ is None, "no exception group chained onto it"


async def test_results_come_back_in_order_and_api_errors_as_values_when_asked() -> None:
    async def value(result: int, delay: float) -> int:
        await anyio.sleep(delay)
        return result

    async def failing() -> int:
        raise AdminAPIError("the API said no", hint="")

    assert await concurrently(value(1, 0.02), value(2, 0)) == (1, 2)
    first, second, third = await concurrently(value(1, 0), or_api_error(failing()), value(3, 0))
    assert (first, third) == (1, 3)
    assert isinstance(second, AdminAPIError)


async def test_a_cancelled_caller_cancels_every_call() -> None:
    started: list[str] = []
    cancelled: list[str] = []

    async def forever(name: str) -> None:
        started.append(name)
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            cancelled.append(name)
            raise

    with anyio.move_on_after(0.05) as scope:
        await concurrently(forever("a"), forever("b"), forever("c"))
    assert scope.cancelled_caught, "the cancel reached the caller"
    assert sorted(started) == sorted(cancelled) == ["a", "b", "c"]


# ---- through the server ---------------------------------------------------------------------------------------


class InProcessAPI:
    """An async MockTransport handler: the simulator, except that requests to `held` wait for `release`; one
    cancelled while waiting (its caller gave up) is recorded in `abandoned`."""

    def __init__(self, held: str) -> None:
        self.simulator = AdminAPISimulator(admin_key=TEST_KEY)
        self.held_path = held
        self.held: list[str] = []
        self.abandoned: list[str] = []
        self.release = anyio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if path == self.held_path and not self.release.is_set():
            self.held.append(path)
            try:
                await self.release.wait()
            except anyio.get_cancelled_exc_class():
                self.abandoned.append(path)
                raise
        return self.simulator.handle(request)


@pytest.mark.parametrize(
    ("tool", "arguments", "held"),
    [
        ("codex_get_normalized_metrics", {"start_time": "30d"}, "/organization/usage/completions"),
        ("codex_get_cost_breakdown", {"start_time": "30d", "group_by": ["project_id"]}, "/organization/costs"),
        ("codex_get_completions_usage", {"start_time": "7d", "group_by": ["project_id"]}, "/organization/projects"),
    ],
)
async def test_a_cancelled_call_abandons_its_api_requests_and_the_next_call_is_served(
    tool: str, arguments: dict[str, Any], held: str
) -> None:
    api = InProcessAPI(held)
    async with Client(create_server(make_settings(), transport=httpx.MockTransport(api)), mode="legacy") as client:
        async with anyio.create_task_group() as calls:
            calls.start_soon(client.call_tool, tool, arguments)
            await eventually(lambda: bool(api.held))
            calls.cancel_scope.cancel()
        await eventually(lambda: bool(api.abandoned))
        assert api.abandoned == api.held == [held]
        api.release.set()
        result = await client.call_tool(tool, arguments)
        assert result.is_error is not True, result_text(result)[:300]


async def test_project_names_stay_optional() -> None:
    simulator = AdminAPISimulator(admin_key=TEST_KEY)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/organization/projects"):
            body = {"error": {"message": "Missing scope", "type": "invalid_request_error", "param": None, "code": None}}
            return httpx.Response(403, content=json.dumps(body).encode(), headers={"content-type": "application/json"})
        return simulator.handle(request)

    server = create_server(make_settings(), transport=httpx.MockTransport(handle))
    async with Client(server) as client:
        result = await client.call_tool("codex_get_cost_breakdown", {"start_time": "7d", "group_by": ["project_id"]})
    assert result.is_error is not True, result_text(result)[:300]
    assert isinstance(result.structured_content, dict)
    assert "Project names could not be fetched" in json.dumps(result.structured_content)
