"""Who may talk to the HTTP server: the bearer token, Host/Origin checks (DNS rebinding) and gateway-mode keys.

`resolve_access(settings)` decides at start (and refuses unsafe configurations); `AccessGuard` applies it to every
request but the open paths (`/healthz`).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
from dataclasses import dataclass, field

from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from codex_mcp.redaction import redact, register_secret
from codex_mcp.request_key import use_client_admin_key
from codex_mcp.settings import Settings

CLIENT_KEY_HEADER = "X-OpenAI-Admin-Key"
MIN_TOKEN_LENGTH = 16
MAX_CLIENT_KEY_LENGTH = 512
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_TOKEN_HINT = 'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(32))"'

log = logging.getLogger("codex_mcp.http")


class HTTPConfigError(ValueError):
    """The HTTP server's configuration is unsafe or inconsistent; it does not start."""


@dataclass(frozen=True)
class Access:
    """What the HTTP server admits, decided once at start."""

    token: str | None = field(repr=False)  # None: --no-auth on loopback
    allow_client_keys: bool
    security: TransportSecuritySettings


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server reachable from this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_access(settings: Settings) -> Access:
    """The token, Host and Origin rules for `settings`, or HTTPConfigError saying what to change."""
    if settings.dynamic_toolsets:
        raise HTTPConfigError(
            "--dynamic-toolsets is not available over HTTP: enabling a toolset would change one replica for every "
            "client. Choose the toolsets at start with --toolsets (or CODEX_MCP_TOOLSETS)."
        )
    token = _token(settings)
    loopback = is_loopback(settings.http_host)
    if settings.http_no_auth:
        if token is not None:
            raise HTTPConfigError("--no-auth and a bearer token were both given: keep one.")
        if not loopback:
            raise HTTPConfigError(
                f"--no-auth is only allowed on loopback (127.0.0.1, ::1, localhost), not on {settings.http_host}: "
                f"set CODEX_MCP_HTTP_TOKEN or --http-token-file ({_TOKEN_HINT})."
            )
    elif token is None:
        raise HTTPConfigError(
            "Serving over HTTP needs a bearer token: set CODEX_MCP_HTTP_TOKEN or --http-token-file "
            f"({_TOKEN_HINT}); on loopback only, --no-auth serves without one."
        )
    if token is not None:
        register_secret(token)
    if settings.http_host in WILDCARD_HOSTS and not settings.allowed_hosts:
        log.warning(
            "Bound to %s: requests are answered only for Host 127.0.0.1, localhost or [::1] (others get 421); name "
            "this machine or your load balancer with --allowed-hosts.",
            settings.http_host,
        )
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=allowed_hosts(settings.http_host, settings.allowed_hosts),
        allowed_origins=list(settings.allowed_origins),
    )
    return Access(token=token, allow_client_keys=settings.allow_client_keys, security=security)


def _token(settings: Settings) -> str | None:
    from_env = settings.http_token.get_secret_value() if settings.http_token is not None else None
    if from_env is not None and settings.http_token_file is not None:
        raise HTTPConfigError("Both CODEX_MCP_HTTP_TOKEN and --http-token-file are set: keep one.")
    token = from_env
    if settings.http_token_file is not None:
        try:
            token = settings.http_token_file.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
        except (OSError, UnicodeDecodeError) as exc:
            raise HTTPConfigError(
                f"Cannot read the token file {settings.http_token_file}: {type(exc).__name__}"
            ) from None
    if token is None:
        return None
    if len(token) < MIN_TOKEN_LENGTH or not _VISIBLE_ASCII.fullmatch(token):
        raise HTTPConfigError(
            f"The HTTP bearer token must be at least {MIN_TOKEN_LENGTH} visible ASCII characters without spaces "
            f"({_TOKEN_HINT})."
        )
    admin_key = settings.admin_key.get_secret_value().strip() if settings.admin_key is not None else ""
    if admin_key and hmac.compare_digest(token.encode(), admin_key.encode()):
        raise HTTPConfigError(
            "The HTTP bearer token is the OpenAI admin key: every client would hold the admin key. Use a separate "
            f"token ({_TOKEN_HINT})."
        )
    return token


def allowed_hosts(bind_host: str, extra: tuple[str, ...]) -> list[str]:
    """Host header values the server answers: its bind address (loopback names on loopback), plus `extra`.

    A wildcard bind (0.0.0.0, ::) names no host, so only loopback names and `extra` are accepted there.
    """
    names: list[str] = []
    if is_loopback(bind_host) or bind_host in WILDCARD_HOSTS:
        names.extend(LOOPBACK_NAMES)
    if bind_host not in WILDCARD_HOSTS:
        names.append(f"[{bind_host}]" if ":" in bind_host and not bind_host.startswith("[") else bind_host)
    names.extend(extra)
    patterns: list[str] = []
    for name in dict.fromkeys(names):
        patterns.append(name)
        if not _has_port(name):
            patterns.append(f"{name}:*")
    return patterns


def _has_port(host: str) -> bool:
    return host.rsplit("]", 1)[-1].count(":") == 1


class AccessGuard:
    """ASGI middleware: Host/Origin checks (421/403), the bearer token (401), the gateway key header (400), and
    POST only at `mcp_path` (405: stateless, no GET stream or session to delete). `open_paths` pass untouched."""

    def __init__(self, app: ASGIApp, access: Access, *, mcp_path: str, open_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.access = access
        self.mcp_path = mcp_path
        self.open_paths = open_paths
        self._rebinding = TransportSecurityMiddleware(access.security)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        refusal = await self._rebinding.validate_request(Request(scope))
        if refusal is None:
            refusal = self._authenticate(scope)
        client_key: str | None = None
        if refusal is None:
            client_key, refusal = self._client_key(scope)
        if refusal is None and scope["path"] == self.mcp_path and scope["method"] in ("GET", "DELETE"):
            refusal = _error(
                405, "method_not_allowed", "This server is stateless: send MCP messages with POST.", {"Allow": "POST"}
            )
        if refusal is not None:
            await refusal(scope, receive, send)
        elif client_key is None:
            await self.app(scope, receive, send)
        else:
            with use_client_admin_key(client_key):
                await self.app(scope, receive, send)

    def _authenticate(self, scope: Scope) -> Response | None:
        if self.access.token is None:
            return None
        values = _header_values(scope, b"authorization")
        scheme, _, given = values[0].partition(" ") if len(values) == 1 else ("", "", "")
        expected = self.access.token.encode()
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected):
            return None
        error = "invalid_token" if values else "missing_token"
        challenge = 'Bearer realm="codex-mcp"' + (', error="invalid_token"' if values else "")
        return _error(
            401,
            error,
            "Send the server's bearer token: Authorization: Bearer <CODEX_MCP_HTTP_TOKEN>.",
            {"WWW-Authenticate": challenge},
        )

    def _client_key(self, scope: Scope) -> tuple[str | None, Response | None]:
        values = _header_values(scope, CLIENT_KEY_HEADER.lower().encode())
        if not values:
            return None, None
        if not self.access.allow_client_keys:
            return None, _error(
                400,
                "client_keys_not_allowed",
                f"This server uses its own Admin key and refuses {CLIENT_KEY_HEADER}; drop the header, or start "
                "the server with CODEX_MCP_ALLOW_CLIENT_KEYS=1 to let each request bring its key.",
            )
        key = values[0].strip()
        if len(values) > 1 or not _VISIBLE_ASCII.fullmatch(key) or len(key) > MAX_CLIENT_KEY_LENGTH:
            return None, _error(400, "invalid_client_key", f"{CLIENT_KEY_HEADER} must hold one Admin key.")
        if key.startswith("sk-proj-"):
            return None, _error(
                400,
                "invalid_client_key",
                f"{CLIENT_KEY_HEADER} holds a project key (sk-proj-...); the Admin API only accepts Admin keys.",
            )
        if key in redact(key):  # not shaped like an OpenAI key, so redact() would not catch it by itself
            register_secret(key)
        return key, None


def _header_values(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


def _error(status: int, code: str, description: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": code, "error_description": description})
    return Response(body, status_code=status, media_type="application/json", headers=headers)
