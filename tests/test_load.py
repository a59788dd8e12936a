"""Load: 200 concurrent tool calls through ONE MCP session against the loopback API, bounded by max_concurrency.

Nothing here depends on how fast the machine is: overlap is proven by holding the first requests at a gate on the
server until MAX_CONCURRENCY of them are in flight at once, not by timing the run.
"""

from __future__ import annotations

import threading
from typing import Any

import anyio
import httpx

from codex_mcp.demo import Fault
from tests.conftest import result_text
from tests.loopback import loopback_session

CALLS = 200
MAX_CONCURRENCY = 8
DELAY_S = 0.02  # every answer takes this long, so calls keep overlapping after the gate opens
GATE_TIMEOUT_S = 30.0  # only reached when fewer than MAX_CONCURRENCY requests can ever be in flight at once
HANG_GUARD_S = 120.0  # a deadlock guard, far above any real run; not a speed requirement


class FirstWaveGate:
    """A loopback fault hook that holds each of the first `size` requests until all of them are in flight."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.barrier = threading.Barrier(size)
        self.broken = False

    def __call__(self, _request: httpx.Request, number: int) -> Fault | None:
        if number <= self.size:
            try:
                self.barrier.wait(timeout=GATE_TIMEOUT_S)
            except threading.BrokenBarrierError:
                self.broken = True  # fewer than `size` ever overlapped; the test says so below
        return None


async def test_200_concurrent_calls_in_one_session_stay_within_max_concurrency() -> None:
    gate = FirstWaveGate(MAX_CONCURRENCY)
    async with loopback_session(
        fault=gate, delay_s=DELAY_S, max_concurrency=MAX_CONCURRENCY, read_timeout_s=GATE_TIMEOUT_S + 30
    ) as lb:
        members = [user for user in lb.simulator.org.users if not user.deleted]
        projects = lb.simulator.org.projects
        # Mixed load: member lookups, project lookups and one-page lists, each exactly one API request.
        plan: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for n in range(CALLS):
            if n % 4 == 3:
                project = projects[n % len(projects)]
                plan.append(("codex_get_project", {"project_id": project.id}, {"id": project.id, "name": project.name}))
            elif n % 10 == 9:
                plan.append(("codex_list_users", {"limit": 2}, {"count": 2}))
            else:
                user = members[n % len(members)]
                plan.append(("codex_get_user", {"user_id": user.id}, {"id": user.id, "email": user.email}))
        assert lb.server.max_in_flight == 0

        results: list[Any] = [None] * CALLS

        async def call(n: int) -> None:
            tool, arguments, _ = plan[n]
            results[n] = await lb.client.call_tool(tool, arguments)

        with anyio.fail_after(HANG_GUARD_S):
            async with anyio.create_task_group() as group:
                for n in range(CALLS):
                    group.start_soon(call, n)

        failures = [(plan[n][0], result_text(r)[:200]) for n, r in enumerate(results) if r.is_error]
        assert not failures, f"{len(failures)} of {CALLS} calls failed, e.g. {failures[:3]}"
        for n, result in enumerate(results):
            tool, arguments, expected = plan[n]
            data = result.structured_content
            assert isinstance(data, dict), f"call {n} ({tool}) returned no structured content"
            assert {key: data.get(key) for key in expected} == expected, f"call {n} ({tool} {arguments}) got {data}"

        assert lb.requests == CALLS
        # Never more than the bound at once, and the calls did overlap: the gate held the first wave until
        # MAX_CONCURRENCY requests were in flight together.
        assert lb.server.max_in_flight <= MAX_CONCURRENCY, f"{lb.server.max_in_flight} requests were in flight"
        assert lb.server.max_in_flight > 1, "the calls never overlapped"
        assert not gate.broken, f"only {lb.server.max_in_flight} requests were ever in flight at once"
        assert lb.server.max_in_flight == MAX_CONCURRENCY

        # The session is still healthy afterwards.
        after = await lb.client.call_tool("codex_list_projects", {"limit": 1})
        assert after.is_error is not True
        assert lb.requests == CALLS + 1
