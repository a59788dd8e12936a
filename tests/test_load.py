"""Load: 200 concurrent tool calls through ONE MCP session against the loopback API, bounded by max_concurrency."""

from __future__ import annotations

import time
from typing import Any

import anyio

from tests.conftest import result_text
from tests.loopback import loopback_session

CALLS = 200
MAX_CONCURRENCY = 8
DELAY_S = 0.02  # every answer takes this long, so calls overlap


async def test_200_concurrent_calls_in_one_session_stay_within_max_concurrency() -> None:
    async with loopback_session(delay_s=DELAY_S, max_concurrency=MAX_CONCURRENCY) as lb:
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

        started = time.monotonic()
        with anyio.fail_after(20):
            async with anyio.create_task_group() as group:
                for n in range(CALLS):
                    group.start_soon(call, n)
        elapsed = time.monotonic() - started

        failures = [(plan[n][0], result_text(r)[:200]) for n, r in enumerate(results) if r.is_error]
        assert not failures, f"{len(failures)} of {CALLS} calls failed, e.g. {failures[:3]}"
        for n, result in enumerate(results):
            tool, arguments, expected = plan[n]
            data = result.structured_content
            assert isinstance(data, dict), f"call {n} ({tool}) returned no structured content"
            assert {key: data.get(key) for key in expected} == expected, f"call {n} ({tool} {arguments}) got {data}"

        assert lb.requests == CALLS
        assert lb.server.max_in_flight <= MAX_CONCURRENCY, f"{lb.server.max_in_flight} requests were in flight"
        assert lb.server.max_in_flight > 1, "the calls never overlapped"
        # Serial would take at least CALLS * DELAY_S (4 s); bounded concurrency needs about CALLS / 8 * DELAY_S.
        assert elapsed < CALLS * DELAY_S, f"200 calls took {elapsed:.1f}s: no faster than one at a time"

        # The session is still healthy afterwards.
        after = await lb.client.call_tool("codex_list_projects", {"limit": 1})
        assert after.is_error is not True
        assert lb.requests == CALLS + 1
