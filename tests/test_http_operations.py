"""Running HTTP replicas: many concurrent calls over two of them, a graceful SIGTERM, --no-auth on loopback."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from pathlib import Path

import anyio
import httpx
from mcp import Client

from codex_mcp.demo import AdminAPISimulator, Fault, LoopbackServer
from tests.http_server import (
    TOKEN,
    bearer,
    demo_env,
    mcp_client,
    payload,
    rpc,
    running_server,
    server_env,
    start_server,
)

TOTAL_CALLS = 500
CLIENTS_PER_REPLICA = 2
API_KEY = "sk-admin-OPERATIONS0123456789abcdef"
SLOW_CALL_S = 3.0  # long enough for SIGTERM to arrive mid-call; the test waits for events, not for this


async def test_500_concurrent_calls_over_two_replicas_all_answered(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{TOKEN}\n")  # the trailing newline is stripped
    with (
        running_server("--demo", env=demo_env()) as first,
        running_server("--demo", "--http-token-file", str(token_file), env=server_env()) as second,
    ):
        replicas = [first, second]
        answers: list[tuple[int, str, str]] = []

        async def one_call(replica: int, client: Client, project_id: str) -> None:
            data = payload(await client.call_tool("codex_get_project", {"project_id": project_id}))
            answers.append((replica, project_id, data["id"]))

        async with contextlib.AsyncExitStack() as stack:
            clients = [
                (replica, await stack.enter_async_context(mcp_client(server.url)))
                for replica, server in enumerate(replicas)
                for _ in range(CLIENTS_PER_REPLICA)
            ]
            ids = {replica: await project_ids(client) for replica, client in clients}
            async with anyio.create_task_group() as tg:
                for number in range(TOTAL_CALLS):
                    replica, client = clients[number % len(clients)]
                    tg.start_soon(one_call, replica, client, ids[replica][number % len(ids[replica])])

        assert len(answers) == TOTAL_CALLS
        assert all(asked == got for _, asked, got in answers)
        for replica, server in enumerate(replicas):
            assert sum(1 for number, _, _ in answers if number == replica) == TOTAL_CALLS // 2
            assert len(server.logged('"POST /mcp" 200', count=TOTAL_CALLS // 2)) >= TOTAL_CALLS // 2


async def project_ids(client: Client) -> list[str]:
    listed = payload(await client.call_tool("codex_list_projects", {"limit": 10}))
    return [project["id"] for project in listed["data"]]


async def test_sigterm_lets_a_slow_call_finish_refuses_new_requests_and_exits_0() -> None:
    reached = threading.Event()
    slow: list[str] = []

    def slow_project(request: httpx.Request, _: int) -> Fault | None:
        if slow and request.url.path.endswith(f"/projects/{slow[0]}"):
            reached.set()
            return Fault(delay_s=SLOW_CALL_S)
        return None

    with LoopbackServer(AdminAPISimulator(admin_key=API_KEY), fault=slow_project) as upstream:
        env = server_env(OPENAI_BASE_URL=upstream.base_url, OPENAI_ADMIN_KEY=API_KEY, CODEX_MCP_HTTP_TOKEN=TOKEN)
        server = start_server(env=env)
        try:
            async with mcp_client(server.url) as client:
                slow.append((await project_ids(client))[0])
                answers: list[dict[str, object]] = []

                async def slow_call() -> None:
                    answers.append(payload(await client.call_tool("codex_get_project", {"project_id": slow[0]})))

                async with anyio.create_task_group() as tg:
                    tg.start_soon(slow_call)
                    assert await anyio.to_thread.run_sync(reached.wait, 60), "the slow call never reached the API"
                    server.process.send_signal(signal.SIGTERM)
                    late = await anyio.to_thread.run_sync(refusal, server.base)
            status = server.process.wait(timeout=60)
        finally:
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait()
    log = server.log()
    assert server.release() == b""
    assert late in ("refused", "503")
    assert [answer["id"] for answer in answers] == slow
    assert status == 0, log[-3000:]
    after_sigterm = log.split("shutting down", 1)[1]
    assert '"POST /mcp" 200' in after_sigterm  # the slow call, answered during the drain


def refusal(base: str) -> str:
    """How the server answers a new request once SIGTERM is sent: 'refused' (connection) or '503' (draining)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status = rpc(base, "tools/list", **bearer()).status_code
        except httpx.TransportError:
            return "refused"
        if status == 503:
            return "503"
        time.sleep(0.05)
    raise AssertionError("the server kept answering new requests after SIGTERM")


def test_no_auth_on_loopback_serves_without_a_token_but_keeps_host_checks() -> None:
    with running_server("--demo", "--no-auth", env=server_env()) as server:
        assert rpc(server.base, "tools/list").status_code == 200
        assert rpc(server.base, "tools/list", Host="evil.example").status_code == 421
        assert "NO AUTH" in server.log()
