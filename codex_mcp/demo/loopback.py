"""Serve the Admin API simulator over real HTTP on 127.0.0.1, with optional fault injection."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from codex_mcp.demo.simulator import AdminAPISimulator

_FAULT_ERRORS: dict[int, tuple[str, str | None]] = {
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    502: ("server_error", None),
    503: ("server_error", None),
    504: ("server_error", None),
}


@dataclass
class Fault:
    """What the server does instead of (or before) answering a request normally."""

    status: int | None = None  # answer with this status and an OpenAI-shaped error body
    body: bytes | None = None  # raw body to send (with `status`, default 200)
    headers: dict[str, str] = field(default_factory=dict)  # response headers to add, e.g. Retry-After
    delay_s: float = 0.0  # sleep before answering
    drop_connection: bool = False  # close the socket without answering

    def response(self) -> tuple[int, dict[str, str], bytes] | None:
        """The status, headers and body to send, or None to answer normally after the delay."""
        if self.status is None and self.body is None:
            return None
        status = self.status if self.status is not None else 200
        body = self.body if self.body is not None else _error_body(status)
        return status, {"content-type": "application/json", **self.headers}, body


FaultHook = Callable[[httpx.Request, int], Fault | None]


def _error_body(status: int) -> bytes:
    type_, code = _FAULT_ERRORS.get(status, ("invalid_request_error" if status < 500 else "server_error", None))
    message = f"Simulated fault: HTTP {status}."
    return json.dumps({"error": {"message": message, "type": type_, "param": None, "code": code}}).encode()


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 answering from `simulator`, for end-to-end, fault and load tests.

    Use as a context manager; `base_url` ends in `/v1`. `fault(request, n)` sees every request (n is 1-based)
    and may return a `Fault` to apply instead of the normal answer.
    """

    def __init__(self, simulator: AdminAPISimulator, *, fault: FaultHook | None = None, port: int = 0) -> None:
        self.simulator = simulator
        self.port = port
        self.fault = fault
        self.delay_s: float = 0.0
        self.request_count = 0
        self.max_in_flight = 0
        self._in_flight = 0
        self._counter_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("LoopbackServer is not running; use it as a context manager.")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Bind to `port` (0: a free one) and serve in a daemon thread."""
        server = _QuietServer(("127.0.0.1", self.port), _make_handler(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="codex-mcp-loopback", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    # Called from handler threads.

    def _enter_request(self) -> int:
        with self._counter_lock:
            self.request_count += 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return self.request_count

    def _leave_request(self) -> None:
        with self._counter_lock:
            self._in_flight -= 1


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that time out or hang up mid-answer are expected in fault tests; say nothing."""


def _make_handler(owner: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; without TCP_NODELAY the body waits ~40 ms for a delayed ACK.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve()

        do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output clean."""

        def _serve(self) -> None:
            number = owner._enter_request()
            try:
                request = self._rebuild_request()
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                fault = owner.fault(request, number) if owner.fault else None
                if fault is not None and self._apply_fault(fault, number):
                    return
                response = owner.simulator.handle(request)
                extra = fault.headers if fault is not None else {}
                self._send(response.status_code, {**response.headers, **extra}, response.content)
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
                self.close_connection = True
            finally:
                owner._leave_request()

        def _rebuild_request(self) -> httpx.Request:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            host = self.headers.get("host") or urlsplit(owner.base_url).netloc
            return httpx.Request(
                self.command, f"http://{host}{self.path}", headers=list(self.headers.items()), content=body
            )

        def _apply_fault(self, fault: Fault, number: int) -> bool:
            """Apply a fault; True when it produced the answer (or the lack of one)."""
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.drop_connection:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return True
            answer = fault.response()
            if answer is None:
                return False
            status, headers, body = answer
            headers.setdefault("x-request-id", f"req_fault{number:023x}")
            self._send(status, headers, body)
            return True

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            skip = {"content-length", "transfer-encoding", "connection", "content-encoding"}
            for name, value in headers.items():
                if name.lower() not in skip:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

    return Handler
