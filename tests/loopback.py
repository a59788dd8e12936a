"""Shared helpers for the reliability and security suites: the API simulator served on 127.0.0.1, fault scripts,
settings pointing at it, and an in-memory MCP session over the real server.

Not a test module (pytest collects only test_*.py).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from mcp import Client

from codex_mcp.demo import AdminAPISimulator, Fault, LoopbackServer
from codex_mcp.demo.loopback import FaultHook
from codex_mcp.server import create_server
from codex_mcp.settings import Settings
from tests.conftest import TEST_KEY, make_settings

# Small enough that a slow answer costs little, large enough that a loaded 2-core machine never trips them.
FAST = {
    "read_timeout_s": 2.0,
    "connect_timeout_s": 1.0,
    "request_deadline_s": 20.0,
    "backoff_initial_s": 0.0,
    "backoff_max_s": 0.0,
    "max_retries": 2,
}


class FaultScript:
    """A LoopbackServer fault hook: the n-th request matching `match` gets `faults[n-1]` (None: answer normally);
    matching requests after those get `then` (None: answer normally). `stop()` turns every fault off.

    Thread-safe: the loopback server calls it from its handler threads. `seen` records "METHOD /path?query" of
    every request, matched or not, in arrival order.
    """

    def __init__(
        self,
        *faults: Fault | None,
        then: Fault | None = None,
        match: Callable[[httpx.Request], bool] | None = None,
    ) -> None:
        self.faults = list(faults)
        self.then = then
        self.match = match
        self.matched = 0
        self.applied = 0
        self.seen: list[str] = []
        self._active = True
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request, index: int) -> Fault | None:
        with self._lock:
            query = f"?{request.url.query.decode()}" if request.url.query else ""
            self.seen.append(f"{request.method} {request.url.path}{query}")
            if not self._active or (self.match is not None and not self.match(request)):
                return None
            self.matched += 1
            fault = self.faults[self.matched - 1] if self.matched <= len(self.faults) else self.then
            if fault is not None:
                self.applied += 1
            return fault

    def stop(self) -> None:
        with self._lock:
            self._active = False


def path_contains(fragment: str) -> Callable[[httpx.Request], bool]:
    """A FaultScript `match` for requests whose path contains `fragment`."""
    return lambda request: fragment in request.url.path


@contextmanager
def running_loopback(
    *, fault: FaultHook | None = None, admin_key: str = TEST_KEY, delay_s: float = 0.0
) -> Iterator[LoopbackServer]:
    """The simulator (accepting `admin_key`) served on 127.0.0.1 for the duration of the block."""
    server = LoopbackServer(AdminAPISimulator(admin_key=admin_key), fault=fault)
    server.delay_s = delay_s
    with server:
        yield server


def loopback_settings(server: LoopbackServer | str, **overrides: Any) -> Settings:
    """Test settings (fake key, zero backoff, short timeouts) with OPENAI_BASE_URL at the loopback server."""
    base_url = server if isinstance(server, str) else server.base_url
    return make_settings(**{**FAST, "base_url": base_url, **overrides})


@dataclass
class Loopback:
    """An in-memory MCP session over the real server, whose API is the simulator on a real local socket."""

    client: Client
    server: LoopbackServer
    settings: Settings
    first_request: int = 0  # the server's request_count when the session started

    @property
    def simulator(self) -> AdminAPISimulator:
        return self.server.simulator

    @property
    def requests(self) -> int:
        """Requests the loopback server received since this session started."""
        return self.server.request_count - self.first_request

    def fault_request_id(self, n: int) -> str:
        """The x-request-id the loopback server puts on a Fault answering this session's n-th request."""
        return f"req_fault{self.first_request + n:023x}"


@asynccontextmanager
async def loopback_session(
    server: LoopbackServer | None = None,
    *,
    fault: FaultHook | None = None,
    admin_key: str = TEST_KEY,
    delay_s: float = 0.0,
    **overrides: Any,
) -> AsyncIterator[Loopback]:
    """One MCP session over create_server(settings pointing at the loopback API).

    With `server`, reuse that running LoopbackServer (its simulator keeps its state between sessions) and install
    `fault` on it for the session; otherwise start a fresh one.
    """
    if server is None:
        with running_loopback(fault=fault, admin_key=admin_key, delay_s=delay_s) as fresh:
            async with loopback_session(fresh, fault=fault, delay_s=delay_s, **overrides) as session:
                yield session
        return
    server.fault, server.delay_s = fault, delay_s
    try:
        settings = loopback_settings(server, **overrides)
        async with Client(create_server(settings)) as client:
            yield Loopback(client, server, settings, server.request_count)
    finally:
        server.fault, server.delay_s = None, 0.0


@contextmanager
def loopback_on_port(port: int, *, admin_key: str = TEST_KEY) -> Iterator[LoopbackServer]:
    """Like running_loopback, but listening on a given port (to bring an API back where a connection was refused)."""
    with LoopbackServer(AdminAPISimulator(admin_key=admin_key), port=port) as server:
        yield server


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released), so connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class TricklingAPI:
    """What `trickling_api` yields: where it listens, and "METHOD /path" of each request it received."""

    base_url: str
    requests: list[str]


@contextmanager
def trickling_api(body: bytes, *, byte_every_s: float) -> Iterator[TricklingAPI]:
    """A hostile API on 127.0.0.1: it answers every request at once with status 200 and its headers, then sends
    `body` one byte every `byte_every_s`, so no single read ever waits long enough to time out.
    """
    stop = threading.Event()
    received: list[str] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1.0)
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                method, target, _ = request.split(b"\r\n", 1)[0].decode().split(" ", 2)
                received.append(f"{method} {target.split('?')[0]}")
                head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
                conn.sendall(head.encode())
                for byte in body:
                    if stop.wait(byte_every_s):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up and closed the connection

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, name="codex-mcp-trickle", daemon=True)
    thread.start()
    try:
        yield TricklingAPI(f"http://127.0.0.1:{listener.getsockname()[1]}/v1", received)
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
