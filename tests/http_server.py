"""Helpers for the HTTP suites: `codex-mcp --transport http` as a real process on an ephemeral loopback port, an
official MCP client over Streamable HTTP, and a mock Admin API that records which key each request carried.

Not a test module (pytest collects only test_*.py).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from codex_mcp.demo import AdminAPISimulator

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "test-http-token-0123456789abcdef"
READY = re.compile(r"serving MCP over Streamable HTTP at (http://\S+/mcp)")
START_LIMIT_S = 90.0  # a loaded 2-core machine can take a while to import and build the demo organization
STOP_LIMIT_S = 60.0


@dataclass
class ServerProcess:
    """One `codex-mcp --transport http` process; its stderr goes to `log_path`."""

    process: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""  # http://127.0.0.1:PORT/mcp once ready

    @property
    def base(self) -> str:
        return self.url.removesuffix("/mcp")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def logged(self, fragment: str, *, count: int = 1) -> list[str]:
        """The access-log lines containing `fragment`, once there are `count` of them (a bounded wait: a line is
        written just after its response is sent, so it may trail the answer the client already holds)."""
        deadline = time.monotonic() + 30
        while True:
            lines = [line for line in self.log().splitlines() if "codex_mcp.http.access" in line and fragment in line]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def release(self) -> bytes:
        """After the process ended: what it wrote on stdout (should be nothing); its pipe closed, its log removed."""
        stdout = b""
        if self.process.stdout is not None:
            stdout = self.process.stdout.read()
            self.process.stdout.close()
        self.log_path.unlink(missing_ok=True)
        return stdout

    def stop(self) -> int:
        """SIGTERM, then the exit status (killed, and the test failed, if it does not exit in time)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_LIMIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            tail = self.log()[-3000:]
            raise AssertionError(f"server did not exit {STOP_LIMIT_S:g}s after SIGTERM:\n{tail}") from None


def server_env(**extra: str) -> dict[str, str]:
    """The environment for a server process: this one's, less every OPENAI_/CODEX_MCP_ variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_MCP_"))}
    env["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"  # nobody listens: a stray real request fails at once
    return {**env, **extra}


def start_server(*args: str, env: dict[str, str] | None = None) -> ServerProcess:
    """Start `python -m codex_mcp --transport http --port 0 ARGS` and wait for its start-up line."""
    log = Path(tempfile.mkstemp(prefix="codex-mcp-http-", suffix=".log")[1])
    command = [sys.executable, "-m", "codex_mcp", "--transport", "http", "--port", "0", *args]
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env or server_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
        )
    server = ServerProcess(process, log)
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        if found := READY.search(server.log()):
            server.url = found.group(1)
            return server
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode} before serving:\n{server.log()[-3000:]}")
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise AssertionError(f"server not ready after {START_LIMIT_S:g}s:\n{server.log()[-3000:]}")


@contextmanager
def running_server(*args: str, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """A server for the block; afterwards it is stopped with SIGTERM, must exit 0 and must have written nothing
    on stdout (logs belong on stderr)."""
    server = start_server(*args, env=env)
    try:
        yield server
    finally:
        status = server.stop()
        log = server.log()
        stdout = server.release()
        assert status == 0, f"server exited with {status}:\n{log[-3000:]}"
        assert stdout == b"", f"server wrote on stdout: {stdout[:300]!r}"


def demo_env(**extra: str) -> dict[str, str]:
    return server_env(CODEX_MCP_HTTP_TOKEN=TOKEN, **extra)


@asynccontextmanager
async def mcp_client(
    url: str, *, token: str | None = TOKEN, headers: dict[str, str] | None = None, mode: str = "auto"
) -> AsyncIterator[Client]:
    """The official MCP client over Streamable HTTP, sending the bearer token (and any extra headers)."""
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers={**sent, **(headers or {})}, timeout=httpx2.Timeout(60.0)) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


def payload(result: CallToolResult) -> dict[str, Any]:
    """A successful tool result's JSON object (the test fails with the error text otherwise)."""
    text = " ".join(getattr(block, "text", "") for block in result.content)
    assert not result.is_error, text[:500]
    assert isinstance(result.structured_content, dict), text[:300]
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    assert result.is_error, "expected a tool error"
    return " ".join(getattr(block, "text", "") for block in result.content)


def rpc(base: str, method: str, params: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
    """One raw JSON-RPC POST to /mcp (stateless: no initialize needed), with the given headers."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        body["params"] = params
    sent = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers}
    return httpx.post(f"{base}/mcp", content=json.dumps(body), headers=sent, timeout=30)


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class KeyRecordingAPI(AdminAPISimulator):
    """The simulator answering any of `accepted` keys (as if each were its own), recording `(key, path)` of every
    request it receives, in arrival order."""

    def __init__(self, accepted: Iterable[str]) -> None:
        super().__init__()
        self.accepted = frozenset(accepted)
        self.seen: list[tuple[str, str]] = []
        self._seen_lock = threading.Lock()

    def handle(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._seen_lock:
            self.seen.append((key, request.url.path))
        if key in self.accepted:
            request.headers["authorization"] = f"Bearer {self._admin_key}"
        return super().handle(request)

    def keys_for(self, fragment: str) -> set[str]:
        """The keys that requests whose path contains `fragment` carried."""
        with self._seen_lock:
            return {key for key, path in self.seen if fragment in path}
