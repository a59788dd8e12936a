"""`codex-mcp --transport http`: the app served by uvicorn until SIGTERM, then a graceful drain and exit status 0."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Iterator

import uvicorn
from uvicorn.server import HANDLED_SIGNALS

from codex_mcp.http import MCP_PATH, ServingState, build_app
from codex_mcp.http_auth import HTTPConfigError
from codex_mcp.settings import Settings

GRACE_S = 30  # requests in flight get this long to finish after SIGTERM

log = logging.getLogger("codex_mcp.http")


def serve(settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT, let requests in flight finish (up to GRACE_S), then return 0.

    Returns 2 for a configuration that must not serve, 1 when the address cannot be bound (said on stderr).
    """
    state = ServingState()
    try:
        app = build_app(settings, state=state)
    except HTTPConfigError as exc:
        print(f"codex-mcp: {exc}", file=sys.stderr)
        return 2
    try:
        sock = listening_socket(settings.http_host, settings.http_port)
    except OSError as exc:
        print(f"codex-mcp: cannot listen on {settings.http_host}:{settings.http_port}: {exc.strerror}", file=sys.stderr)
        return 1
    host = f"[{settings.http_host}]" if ":" in settings.http_host else settings.http_host
    url = f"http://{host}:{sock.getsockname()[1]}{MCP_PATH}"
    config = uvicorn.Config(
        app,
        log_config=None,  # logging is already set up: stderr, redacted
        access_log=False,  # AccessLog writes ours, with the duration
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACE_S,
    )
    DrainingServer(config, state, f"{url} ({summary(settings)})").run(sockets=[sock])
    return 0


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port, for uvicorn to listen on."""
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so, and without it every response
    # (headers, then body) waits ~40 ms for the client's delayed ACK.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def summary(settings: Settings) -> str:
    """How this server is configured, for the start-up line."""
    parts = ["stateless", "NO AUTH (loopback only)" if settings.http_no_auth else "clients must send the token"]
    if settings.allow_client_keys:
        parts.append("gateway mode: clients may send their own Admin key")
    if settings.demo:
        parts.append("demo organization")
    if settings.read_only:
        parts.append("read-only")
    parts.append(f"toolsets {','.join(settings.toolsets)}")
    return "; ".join(parts)


class DrainingServer(uvicorn.Server):
    """uvicorn's server, except that a signal ends it with status 0 once drained (uvicorn re-raises the signal, so
    the process would die of it), and that AccessLog learns of the drain to answer newcomers with 503."""

    def __init__(self, config: uvicorn.Config, state: ServingState, where: str) -> None:
        super().__init__(config)
        self.state = state
        self.where = where

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            log.info("serving MCP over Streamable HTTP at %s", self.where)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Requests that came in since the signal (within one 0.1 s tick) are served; from here on any newcomer
        # (one already on its way over an open connection) gets 503, which a load balancer may retry elsewhere.
        self.state.draining = True
        in_flight = self.state.in_flight
        log.info("shutting down: listener closed, %d request(s) in flight get up to %d s", in_flight, GRACE_S)
        await super().shutdown(sockets=sockets)
        log.info("stopped")
