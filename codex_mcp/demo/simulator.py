"""In-process simulator of the OpenAI Admin API, answering from the sample organization."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time

import httpx

from codex_mcp.demo import DEMO_ADMIN_KEY
from codex_mcp.demo.access_endpoints import AccessEndpoints
from codex_mcp.demo.audit_log_endpoints import AuditLogEndpoints
from codex_mcp.demo.budget_endpoints import BudgetEndpoints
from codex_mcp.demo.directory_endpoints import DirectoryEndpoints
from codex_mcp.demo.governance_endpoints import GovernanceEndpoints
from codex_mcp.demo.key_endpoints import KeyEndpoints
from codex_mcp.demo.protocol import JSON, ApiError, EndpointGroup, Handler, Query, redact_key
from codex_mcp.demo.sample_org import SampleOrg
from codex_mcp.demo.usage_endpoints import UsageEndpoints

ENDPOINT_GROUPS: tuple[type[EndpointGroup], ...] = (
    UsageEndpoints,
    DirectoryEndpoints,
    KeyEndpoints,
    AccessEndpoints,
    BudgetEndpoints,
    GovernanceEndpoints,
    AuditLogEndpoints,
)


class AdminAPISimulator:
    """A deterministic, thread-safe stand-in for the OpenAI Admin API (`/v1/organization/...`)."""

    def __init__(self, *, admin_key: str = DEMO_ADMIN_KEY, now: int | None = None, seed: int = 7) -> None:
        self._admin_key = admin_key
        self.now = int(time.time()) if now is None else now
        self.seed = seed
        self.org = SampleOrg(seed=seed, now=self.now)
        self.request_count = 0
        self.requests: list[httpx.Request] = []  # the most recent requests (bounded)
        self._lock = threading.Lock()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            (method, re.compile(f"/v1{pattern}"), handler)
            for group in ENDPOINT_GROUPS
            for method, pattern, handler in group(self.org).routes()
        ]

    def transport(self) -> httpx.MockTransport:
        """A transport answering every request in-process (works under sync and async clients)."""
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request like the Admin API would."""
        with self._lock:
            self.request_count += 1
            number = self.request_count
            self.requests.append(request)
            if len(self.requests) > 200:
                del self.requests[:100]
            try:
                self._authenticate(request)
                status, body = 200, self._dispatch(request)
            except ApiError as exc:
                status, body = exc.status, exc.body
            except Exception:  # keep a bug in the simulator from hanging a client: answer like the API would
                status = 500
                body = ApiError(
                    500, "The server had an error while processing your request.", type_="server_error"
                ).body
        request_id = "req_" + hashlib.blake2b(f"{self.seed}:{number}".encode(), digest_size=16).hexdigest()
        return httpx.Response(
            status,
            content=json.dumps(body).encode(),
            headers={"content-type": "application/json", "x-request-id": request_id},
            request=request,
        )

    def _authenticate(self, request: httpx.Request) -> None:
        header = request.headers.get("authorization")
        if not header:
            raise ApiError(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code="invalid_api_key",
            )
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or key != self._admin_key:
            raise ApiError(401, f"Incorrect API key provided: {redact_key(key)}.", code="invalid_api_key")

    def _dispatch(self, request: httpx.Request) -> JSON:
        path = request.url.path.rstrip("/") or "/"
        method = request.method.upper()
        matched = False
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            matched = True
            if route_method == method:
                return handler(request, Query(request.url.query), *match.groups())
        if matched:
            raise ApiError(405, f"Invalid method for URL ({method} {path}).", code="method_not_allowed")
        raise ApiError(404, f"Invalid URL ({method} {path})", code="unknown_url")
