"""`codex-mcp --transport http` over real HTTP: every core tool through the official client, the bearer token,
Host/Origin checks, methods, /healthz and the access log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.http_server import (
    TOKEN,
    ServerProcess,
    bearer,
    demo_env,
    mcp_client,
    payload,
    rpc,
    running_server,
)

DEFAULT_TOOLS = 18  # core (17) and insights (1)
APP_ORIGIN = "https://app.example.com"
LB_HOST = "mcp.example.com"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    """One demo server with a token, an allowed origin and a load balancer's host name."""
    with running_server(
        "--demo", "--allowed-origins", APP_ORIGIN, "--allowed-hosts", LB_HOST, env=demo_env()
    ) as process:
        yield process


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_every_core_tool_over_http(server: ServerProcess, mode: str) -> None:
    """The 17 core tools, called through the official client (2026 stateless protocol and the 2025 handshake)."""
    async with mcp_client(server.url, mode=mode) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        called: dict[str, dict[str, Any]] = {}

        async def call(tool: str, **arguments: Any) -> dict[str, Any]:
            called[tool] = data = payload(await client.call_tool(tool, arguments))
            assert data.get("demo_data") is True, tool
            return data

        users = (await call("codex_list_users", limit=3))["data"]
        await call("codex_get_user", user_id=users[0]["id"])
        await call("codex_modify_user", user_id=users[1]["id"], role="reader")
        await call("codex_delete_user", user_id=users[2]["id"])
        await call("codex_list_invites", limit=2)
        await call("codex_create_invite", email=f"http-{mode}@example.com", role="reader")
        projects = (await call("codex_list_projects", limit=2))["data"]
        project = await call("codex_get_project", project_id=projects[0]["id"])
        assert project["id"] == projects[0]["id"]
        await call("codex_list_project_api_keys", project_id=projects[0]["id"])
        await call("codex_list_service_accounts", project_id=projects[0]["id"])
        await call("codex_create_project", name=f"http {mode}")
        await call("codex_list_audit_events", limit=3)
        await call("codex_get_completions_usage", start_time="7d")
        await call("codex_get_embeddings_usage", start_time="7d")
        await call("codex_get_code_interpreter_usage", start_time="7d")
        cost = await call("codex_get_cost_breakdown", start_time="30d", group_by=["project_id"])
        assert cost["totals"]["amount_usd"] > 0
        await call("codex_get_normalized_metrics", start_time="30d")
        insights = await call("codex_get_cost_insights")
        assert insights["total_usd"] > 0
    assert len(listed) == DEFAULT_TOOLS
    assert set(called) == listed


def test_requests_without_the_right_token_get_401(server: ServerProcess) -> None:
    assert rpc(server.base, "tools/list", **bearer()).status_code == 200
    wrong = [{}, bearer("wrong-token-0123456789abcdef"), bearer(TOKEN[:-1]), {"Authorization": f"Basic {TOKEN}"}]
    for headers in wrong:
        response = rpc(server.base, "tools/list", **headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert TOKEN not in response.text


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "OPTIONS"])
def test_every_method_needs_the_token(server: ServerProcess, method: str) -> None:
    refused = httpx.request(method, f"{server.base}/mcp")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert httpx.request(method, f"{server.base}/mcp", headers=bearer()).status_code == 405


def test_other_paths_need_the_token_too(server: ServerProcess) -> None:
    assert httpx.get(f"{server.base}/nothing-here").status_code == 401
    assert httpx.get(f"{server.base}/nothing-here", headers=bearer()).status_code == 404


def test_healthz_needs_no_token(server: ServerProcess) -> None:
    response = httpx.get(f"{server.base}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "evil.example"}, 421),
        ({"Host": "evil.example:80"}, 421),
        ({"Host": LB_HOST}, 200),
        ({"Host": f"{LB_HOST}:443"}, 200),
        ({"Host": "localhost:8000"}, 200),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "http://localhost:3000"}, 403),  # loopback pages are browsers too: only listed origins
        ({"Origin": APP_ORIGIN}, 200),
    ],
)
def test_host_and_origin_checks(server: ServerProcess, headers: dict[str, str], status: int) -> None:
    """A foreign Host (DNS rebinding) or Origin is refused even with the token; listed ones are served."""
    assert rpc(server.base, "tools/list", **bearer(), **headers).status_code == status


def test_browser_preflight_for_an_allowed_origin(server: ServerProcess) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = httpx.options(f"{server.base}/mcp", headers={"Origin": APP_ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    refused = httpx.options(f"{server.base}/mcp", headers={"Origin": "https://evil.example", **preflight})
    assert refused.status_code >= 400
    answered = rpc(server.base, "tools/list", Origin=APP_ORIGIN, **bearer())
    assert answered.headers["access-control-allow-origin"] == APP_ORIGIN


def test_client_key_header_refused_without_gateway_mode(server: ServerProcess) -> None:
    key = "sk-admin-CLIENTKEY0123456789abcdef"
    response = rpc(server.base, "tools/list", **bearer(), **{"X-OpenAI-Admin-Key": key})
    assert response.status_code == 400
    assert "CODEX_MCP_ALLOW_CLIENT_KEYS" in response.json()["error_description"]
    assert key not in server.log()


def test_access_log_one_line_per_request_never_headers(server: ServerProcess) -> None:
    secret_headers = {"Authorization": f"Bearer {TOKEN}", "X-Trace": "zzz"}
    httpx.get(f"{server.base}/marker-served?secret=query", headers=secret_headers)
    httpx.get(f"{server.base}/marker-refused", headers={"X-OpenAI-Admin-Key": "sk-admin-LOGGEDKEY0123456789"})
    for _ in range(2):
        httpx.post(f"{server.base}/marker-twice", headers=bearer())
    served, refused = server.logged("/marker-served"), server.logged("/marker-refused")
    twice = server.logged("/marker-twice", count=2)
    assert len(served) == len(refused) == 1
    assert len(twice) == 2
    assert '"GET /marker-served" 404 ' in served[0]
    assert '"GET /marker-refused" 401 ' in refused[0]  # refused requests are logged too
    assert all('"POST /marker-twice" 404 ' in line for line in twice)
    assert all(re.search(r' 127\.0\.0\.1:\d+ "', line) and line.endswith("ms") for line in served + refused + twice)
    log = server.log()
    for secret in (TOKEN, "secret=query", "zzz", "LOGGEDKEY"):
        assert secret not in log
