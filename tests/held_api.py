"""The API simulator on 127.0.0.1, where chosen requests are held unanswered until released, and a held request
whose client hangs up is recorded as abandoned: the proof that a cancelled call cancels its API requests.

Not a test module (pytest collects only test_*.py).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import httpx

from codex_mcp.demo import AdminAPISimulator
from tests.conftest import TEST_KEY

HoldRule = Callable[[httpx.Request], bool]


class HeldAPI:
    """Answers from the simulator, except that requests matching `hold` wait until `release()`.

    `held` and `abandoned` list "METHOD /path?query" of requests that were held, and of held requests whose client
    closed the connection before an answer was sent; `answered` lists (path, has_more) of every answer sent.
    """

    def __init__(self, hold: HoldRule, *, admin_key: str = TEST_KEY) -> None:
        self.simulator = AdminAPISimulator(admin_key=admin_key)
        self.hold = hold
        self.held: list[str] = []
        self.abandoned: list[str] = []
        self.answered: list[tuple[str, bool]] = []
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> HeldAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def finished(self, path: str) -> int:
        """How many pages of `path` were answered, once its last page (has_more false) was; else 0."""
        with self._lock:
            pages = [has_more for answered, has_more in self.answered if answered == path]
        return len(pages) if pages and not pages[-1] else 0

    def read_by_server(self, paths: tuple[str, ...], server_log: str) -> bool:
        """Whether the server has read the last page of every path: it logs (at DEBUG) each answer after reading it,
        and a source's fetch then completes without awaiting anything else."""
        return all(0 < self.finished(path) <= server_log.count(f"GET {path} -> 200") for path in paths)

    def release(self) -> None:
        """Answer every held request, and hold nothing from now on."""
        self._released.set()

    def _record(self, where: list[Any], what: Any) -> None:
        with self._lock:
            where.append(what)

    def _wait_for_release(self, connection: socket.socket, what: str) -> bool:
        """Hold the request; False when the client hung up first (recorded as abandoned)."""
        self._record(self.held, what)
        while not self._released.wait(0.02):
            if _peer_closed(connection):
                self._record(self.abandoned, what)
                return False
        return True


async def eventually(condition: Callable[[], bool], *, within_s: float = 20) -> None:
    """Wait (bounded) until `condition()` holds, e.g. `lambda: bool(api.abandoned)`."""
    with anyio.fail_after(within_s):
        while not condition():  # noqa: ASYNC110 - set by other threads and processes, not by an event of ours
            await anyio.sleep(0.02)


def _peer_closed(connection: socket.socket) -> bool:
    """Whether the client closed its end: readable with nothing to read (httpx sends nothing more on a request)."""
    readable, _, _ = select.select([connection], [], [], 0)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up are the point here; say nothing."""


def _handler(api: HeldAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            request = httpx.Request(
                self.command,
                f"http://{self.headers.get('host')}{self.path}",
                headers=list(self.headers.items()),
                content=body,
            )
            what = f"{self.command} {self.path.removeprefix('/v1')}"
            if api.hold(request) and not api._released.is_set() and not api._wait_for_release(self.connection, what):
                self.close_connection = True
                return
            response = api.simulator.handle(request)
            has_more = response.is_success and bool(response.json().get("has_more"))
            api._record(api.answered, (request.url.path.removeprefix("/v1"), has_more))
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(response.content)
                self.wfile.flush()

        do_POST = do_DELETE = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output clean."""

    return Handler
