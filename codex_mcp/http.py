"""MCP over Streamable HTTP for a team: stateless JSON at /mcp behind a bearer token, /healthz, an access log.

`codex-mcp --transport http` serves it (`codex_mcp.http_serve`). `codex_mcp.http:app` is the same ASGI app configured
from the environment, for uvicorn or gunicorn workers; it is built on first access, so importing this is cheap.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codex_mcp.settings import Settings

if TYPE_CHECKING:
    import httpx
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
MAX_LOGGED_PATH = 200

access_log = logging.getLogger("codex_mcp.http.access")


@dataclass
class ServingState:
    """Shared by the app and the server loop: requests in flight, and whether a shutdown has begun."""

    in_flight: int = 0
    draining: bool = False


def build_app(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None, state: ServingState | None = None
) -> ASGIApp:
    """The ASGI app around create_server(settings): access log and drain outermost, then CORS (only with allowed
    origins), then the access guard, then the SDK's stateless Streamable HTTP app with JSON responses.

    Raises HTTPConfigError for a configuration that must not serve (no token off loopback, and the like).
    """
    from codex_mcp.http_auth import AccessGuard, resolve_access
    from codex_mcp.server import create_server

    access = resolve_access(settings)
    server = create_server(settings, transport=transport)
    sdk_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        transport_security=access.security,
        host=settings.http_host,
    )
    app: ASGIApp = AccessGuard(sdk_app, access, mcp_path=MCP_PATH, open_paths=(HEALTH_PATH,))
    if settings.allowed_origins:
        app = _cors(app, settings.allowed_origins)
    return AccessLog(app, state or ServingState())


def _cors(app: ASGIApp, origins: tuple[str, ...]) -> ASGIApp:
    """Answer browser preflights for the allowed origins ('http://localhost:*' wildcards included)."""
    from starlette.middleware.cors import CORSMiddleware

    exact = [origin for origin in origins if not origin.endswith(":*")]
    wildcards = [re.escape(origin[:-2]) + r":\d+" for origin in origins if origin.endswith(":*")]
    return CORSMiddleware(
        app,
        allow_origins=exact,
        allow_origin_regex="|".join(wildcards) or None,
        allow_methods=["POST"],
        allow_headers=["*"],
    )


class AccessLog:
    """ASGI middleware: one stderr line per request (client, method, path, status, duration; never headers or the
    query string), /healthz, and 503 for requests that arrive once a shutdown has begun."""

    def __init__(self, app: ASGIApp, state: ServingState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.state.in_flight += 1
        try:
            if self.state.draining:
                await send_json(noting_status, 503, {"status": "draining"}, {"connection": "close"})
            elif scope["path"] == HEALTH_PATH:
                if scope["method"] in ("GET", "HEAD"):
                    await send_json(noting_status, 200, {"status": "ok"})
                else:
                    await send_json(noting_status, 405, {"error": "method_not_allowed"}, {"allow": "GET, HEAD"})
            else:
                await self.app(scope, receive, noting_status)
        finally:
            self.state.in_flight -= 1
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info(
                '%s "%s %s" %s %.1fms', _client(scope), scope["method"], _path(scope), status or "-", elapsed_ms
            )


async def send_json(send: Send, status: int, body: dict[str, str], headers: dict[str, str] | None = None) -> None:
    """Answer with a small JSON body."""
    content = json.dumps(body).encode()
    fields = {"content-type": "application/json", "content-length": str(len(content)), **(headers or {})}
    raw_headers = [(name.encode(), value.encode()) for name, value in fields.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": content})


def _client(scope: Scope) -> str:
    client = scope.get("client")
    if not client:
        return "-"
    host, port = client
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return f"{shown}:{port}" if port else shown  # no port: the address came from X-Forwarded-For


def _path(scope: Scope) -> str:
    """The path as sent (still percent-encoded, so nothing in it can break the line), without the query string."""
    raw = scope.get("raw_path") or scope["path"].encode()
    return str(raw.decode("ascii", "backslashreplace"))[:MAX_LOGGED_PATH]


_app: ASGIApp | None = None


def __getattr__(name: str) -> Any:
    """`app`: the ASGI app configured from the environment, built on first access (`uvicorn codex_mcp.http:app`)."""
    global _app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _app is None:
        from codex_mcp.logs import configure_logging

        settings = Settings()
        configure_logging(settings.log_level)
        _app = build_app(settings)
    return _app
