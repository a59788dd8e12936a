"""The real stdio server as a client launches it: `python -m codex_mcp` in a subprocess, driven by the official MCP
stdio client, with a recognisable fake Admin key and its API on 127.0.0.1.

Checked from the raw bytes: stdout carries nothing but JSON-RPC messages; stderr carries DEBUG lines for every API
request (method, path, status) and never the key or an Authorization header; no tool result holds the key, even
when the API echoes it back. Also: read-only mode lists 13 tools and refuses writes, and a project key (sk-proj-)
is refused with a clear error before any request is sent.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.types import CallToolResult

from codex_mcp.demo import Fault, LoopbackServer
from tests.conftest import READ_TOOLS, WRITE_TOOLS, result_text
from tests.loopback import running_loopback

ROOT = Path(__file__).resolve().parents[1]
CANARY = "LEAKCANARY"
SECRET_PART = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
ADMIN_KEY = f"sk-admin-{CANARY}{SECRET_PART}"
PROJECT_KEY = f"sk-proj-{CANARY}{SECRET_PART}"
ECHO_401_USER = "user-echoes401"  # the loopback API answers this user with a 401 that echoes the Authorization header

LOG_LINE = re.compile(r" DEBUG codex_mcp\.client: (GET|POST|DELETE) (/organization/\S*) -> (\d{3}) \(\d+ ms\)$")


def leaks(text: str) -> int:
    """How many times any recognisable part of either key appears in `text`."""
    return sum(text.count(part) for part in (CANARY, SECRET_PART, SECRET_PART[:12], SECRET_PART[-12:]))


def echo_authorization(request: httpx.Request, _index: int) -> Fault | None:
    """A hostile API: its 401 for one user quotes the whole Authorization header back in the error message."""
    if not request.url.path.endswith(f"/organization/users/{ECHO_401_USER}"):
        return None
    message = f"Incorrect API key provided: {request.headers.get('authorization')}. Check the key {ADMIN_KEY}."
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}
    return Fault(status=401, body=json.dumps(body).encode())


@pytest.fixture(scope="module")
def api() -> Iterator[LoopbackServer]:
    with running_loopback(fault=echo_authorization, admin_key=ADMIN_KEY) as server:
        yield server


@dataclass
class StdioRun:
    """What one server process wrote, and what its client saw."""

    stdout: Path
    stderr: Path
    results: list[tuple[str, CallToolResult]] = field(default_factory=list)

    def stdout_text(self) -> str:
        return self.stdout.read_text(encoding="utf-8")

    def stderr_text(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def stdio_server(env: dict[str, str], tmp_path: Path) -> AsyncIterator[tuple[ClientSession, StdioRun]]:
    """`python -m codex_mcp` over stdio, its stdout teed to a file byte for byte and its stderr to another."""
    run = StdioRun(tmp_path / "stdout.jsonl", tmp_path / "stderr.log")
    params = StdioServerParameters(
        command="sh",
        args=["-c", '"$0" -m codex_mcp | tee "$1"', sys.executable, str(run.stdout)],
        env={"CODEX_MCP_BACKOFF_INITIAL": "0", "CODEX_MCP_BACKOFF_MAX": "0", **env},
        cwd=ROOT,
    )
    with run.stderr.open("w", encoding="utf-8") as errlog, anyio.fail_after(60):
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield session, run


async def call(session: ClientSession, run: StdioRun, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    result = await session.call_tool(tool, arguments)
    run.results.append((tool, result))
    return result


def ok(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error is not True, result_text(result)[:500]
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def assert_stdout_is_only_json_rpc(run: StdioRun, *, at_least: int) -> list[dict[str, Any]]:
    raw = run.stdout_text()
    assert raw.endswith("\n"), "every message ends its line"
    messages = []
    for number, line in enumerate(raw.split("\n")[:-1], 1):
        try:
            message = json.loads(line)
        except ValueError:
            pytest.fail(f"stdout line {number} is not JSON: {line[:200]!r}")
        assert isinstance(message, dict), f"stdout line {number} is not a JSON-RPC object: {line[:200]!r}"
        assert message.get("jsonrpc") == "2.0", f"stdout line {number} is not JSON-RPC 2.0: {line[:200]!r}"
        assert "id" in message or "method" in message, f"stdout line {number}: {line[:200]!r}"
        messages.append(message)
    assert len(messages) >= at_least, f"only {len(messages)} messages on stdout"
    return messages


def assert_no_key_anywhere(run: StdioRun) -> None:
    for where, text in (("stdout", run.stdout_text()), ("stderr", run.stderr_text())):
        assert leaks(text) == 0, f"the key leaked on {where}"
        assert "bearer sk-" not in text.lower(), f"a bearer token appears on {where}"
    assert "authorization" not in run.stderr_text().lower(), "an Authorization header was logged"
    for tool, result in run.results:
        shown = result_text(result) + json.dumps(result.structured_content)
        assert leaks(shown) == 0, f"the key leaked in the result of {tool}"


# ---- every tool, with the key in play ---------------------------------------------------------------------------


async def test_every_tool_over_stdio_leaks_no_key_and_logs_only_to_stderr(api: LoopbackServer, tmp_path: Path) -> None:
    org = api.simulator.org
    members = [user for user in org.users if not user.deleted]
    reader = next(user for user in members[20:] if user.role == "reader")
    leaver = next(user for user in members[30:] if user.id != reader.id)
    project = next(p for p in org.projects if p.archived_at is None and p is not org.default_project)
    env = {"OPENAI_ADMIN_KEY": ADMIN_KEY, "OPENAI_BASE_URL": api.base_url, "CODEX_MCP_LOG_LEVEL": "DEBUG"}
    first_request = api.request_count

    async with stdio_server(env, tmp_path) as (session, run):
        names = {tool.name for tool in (await session.list_tools()).tools}
        assert names == READ_TOOLS | WRITE_TOOLS

        users = ok(await call(session, run, "codex_list_users", {"limit": 5}))
        assert users["count"] == 5
        assert ok(await call(session, run, "codex_get_user", {"user_id": reader.id}))["email"] == reader.email
        changed = ok(await call(session, run, "codex_modify_user", {"user_id": reader.id, "role": "owner"}))
        assert changed["role"] == "owner"
        removed = ok(await call(session, run, "codex_delete_user", {"user_id": leaver.id}))
        assert removed == {"object": "organization.user.deleted", "id": leaver.id, "deleted": True}
        assert ok(await call(session, run, "codex_list_invites", {"limit": 5}))["count"] == 5
        invite = ok(await call(session, run, "codex_create_invite", {"email": "canary@example.com", "role": "reader"}))
        assert invite["status"] == "pending"
        assert ok(await call(session, run, "codex_list_projects", {"limit": 5}))["count"] == 5
        assert ok(await call(session, run, "codex_get_project", {"project_id": project.id}))["name"] == project.name
        created = ok(await call(session, run, "codex_create_project", {"name": "Canary Project"}))
        assert created["name"] == "Canary Project"
        keys = ok(
            await call(
                session, run, "codex_list_project_api_keys", {"project_id": project.id, "owner_project_access": "any"}
            )
        )
        assert keys["count"] == min(20, sum(key.project_id == project.id for key in org.api_keys))
        accounts = ok(await call(session, run, "codex_list_service_accounts", {"project_id": project.id}))
        assert accounts["count"] == min(20, sum(a.project_id == project.id for a in org.service_accounts))
        assert ok(await call(session, run, "codex_list_audit_events", {"limit": 5}))["count"] == 5
        usage = ok(await call(session, run, "codex_get_completions_usage", {"start_time": "7d", "group_by": ["model"]}))
        assert usage["totals"]["num_model_requests"] > 0
        ok(await call(session, run, "codex_get_embeddings_usage", {"start_time": "7d"}))
        ok(await call(session, run, "codex_get_code_interpreter_usage", {"start_time": "7d"}))
        costs = ok(await call(session, run, "codex_get_cost_breakdown", {"start_time": "30d"}))
        assert costs["totals"]["amount_usd"] > 0
        metrics = ok(await call(session, run, "codex_get_normalized_metrics", {"start_time": "30d"}))
        assert metrics["total_seats"] == len(members) - 1  # one member was just removed
        insights = ok(await call(session, run, "codex_get_cost_insights", {}))
        assert insights["total_usd"] > 0
        called = {tool for tool, _ in run.results}
        assert called == READ_TOOLS | WRITE_TOOLS, f"not called: {sorted((READ_TOOLS | WRITE_TOOLS) - called)}"

        # Failures: an unknown id (404), an API that echoes the key in its 401, and arguments refused locally.
        missing = await call(session, run, "codex_get_user", {"user_id": "user-doesnotexist"})
        assert missing.is_error is True
        assert "404" in result_text(missing)
        assert "No such user: user-doesnotexist" in result_text(missing)
        echoed = await call(session, run, "codex_get_user", {"user_id": ECHO_401_USER})
        assert echoed.is_error is True
        for fragment in ("401", "Incorrect API key provided", "Bearer [redacted]", "OPENAI_ADMIN_KEY"):
            assert fragment in result_text(echoed)
        before = api.request_count
        refused = await call(session, run, "codex_get_user", {"user_id": "../organization/projects"})
        assert refused.is_error is True
        assert "user_id" in result_text(refused)
        assert api.request_count == before
        sent = api.request_count - first_request

    messages = assert_stdout_is_only_json_rpc(run, at_least=len(run.results) + 1)
    assert sum(1 for m in messages if m.get("result", {}).get("isError")) == 3
    assert_no_key_anywhere(run)

    stderr = run.stderr_text()
    logged = [LOG_LINE.search(line) for line in stderr.splitlines()]
    requests = [(m.group(1), m.group(2), m.group(3)) for m in logged if m]
    assert len(requests) == sent, f"{sent} requests reached the API but {len(requests)} were logged"
    for expected in [
        ("GET", "/organization/users", "200"),
        ("GET", f"/organization/users/{reader.id}", "200"),
        ("POST", f"/organization/users/{reader.id}", "200"),
        ("DELETE", f"/organization/users/{leaver.id}", "200"),
        ("POST", "/organization/invites", "200"),
        ("POST", "/organization/projects", "200"),
        ("GET", f"/organization/projects/{project.id}/api_keys", "200"),
        ("GET", f"/organization/projects/{project.id}/service_accounts", "200"),
        ("GET", "/organization/audit_logs", "200"),
        ("GET", "/organization/usage/completions", "200"),
        ("GET", "/organization/usage/embeddings", "200"),
        ("GET", "/organization/usage/code_interpreter_sessions", "200"),
        ("GET", "/organization/costs", "200"),
        ("GET", "/organization/users/user-doesnotexist", "404"),
        ("GET", f"/organization/users/{ECHO_401_USER}", "401"),
    ]:
        assert expected in requests, f"no DEBUG line for {expected}"
    assert "Traceback" not in stderr


# ---- read-only mode ----------------------------------------------------------------------------------------------


async def test_read_only_mode_lists_13_tools_and_refuses_writes(api: LoopbackServer, tmp_path: Path) -> None:
    user = next(user for user in api.simulator.org.users if not user.deleted and not user.is_default)
    env = {
        "OPENAI_ADMIN_KEY": ADMIN_KEY,
        "OPENAI_BASE_URL": api.base_url,
        "CODEX_MCP_LOG_LEVEL": "DEBUG",
        "CODEX_MCP_READ_ONLY": "1",
    }
    before = api.request_count
    async with stdio_server(env, tmp_path) as (session, run):
        tools = (await session.list_tools()).tools
        assert len(tools) == len(READ_TOOLS)
        assert {tool.name for tool in tools} == READ_TOOLS
        for tool, arguments in [
            ("codex_delete_user", {"user_id": user.id}),
            ("codex_modify_user", {"user_id": user.id, "role": "owner"}),
            ("codex_create_project", {"name": "Not Allowed"}),
        ]:
            result = await call(session, run, tool, arguments)
            assert result.is_error is True
            text = result_text(result)
            assert f"{tool} changes the organization and is disabled" in text
            assert "read-only mode" in text
            assert "CODEX_MCP_READ_ONLY" in text
        assert api.request_count == before, "a refused write reached the API"
        assert not user.deleted
        reads = ok(await call(session, run, "codex_get_user", {"user_id": user.id}))
        assert reads["id"] == user.id
        assert api.request_count == before + 1
    assert_stdout_is_only_json_rpc(run, at_least=len(run.results) + 1)
    assert_no_key_anywhere(run)


# ---- a project key ----------------------------------------------------------------------------------------------


async def test_project_key_is_refused_before_any_request(api: LoopbackServer, tmp_path: Path) -> None:
    env = {"OPENAI_ADMIN_KEY": PROJECT_KEY, "OPENAI_BASE_URL": api.base_url, "CODEX_MCP_LOG_LEVEL": "DEBUG"}
    before = api.request_count
    async with stdio_server(env, tmp_path) as (session, run):
        for tool, arguments in [
            ("codex_list_users", {"limit": 2}),
            ("codex_get_cost_breakdown", {"start_time": "7d"}),
            ("codex_create_project", {"name": "Nope"}),
        ]:
            result = await call(session, run, tool, arguments)
            assert result.is_error is True
            text = result_text(result)
            assert "project key (sk-proj-...)" in text
            assert "only accepts Admin keys" in text
            assert "Organization settings -> Admin keys" in text
        assert api.request_count == before, "a project key was sent to the API"
    assert_stdout_is_only_json_rpc(run, at_least=len(run.results) + 1)
    assert_no_key_anywhere(run)
    assert not LOG_LINE.search(run.stderr_text()), "no request may be logged: none was sent"
