"""Stdio smoke client: drive an installed codex-mcp server through the official MCP Python client.

Usage:
    python tests/stdio_smoke.py [--timeout SECONDS] -- COMMAND [ARGS...]

COMMAND is how an MCP client would start the server, in demo mode, e.g.
    python tests/stdio_smoke.py -- .venv/bin/codex-mcp --demo
    python tests/stdio_smoke.py -- uvx --from dist/codex_mcp-0.1.0-py3-none-any.whl codex-mcp --demo
    python tests/stdio_smoke.py -- python -m codex_mcp --demo

It spawns the server with `mcp.client.stdio.stdio_client`, initializes a `ClientSession`, lists the tools
(at least 17, all expected names present) and calls one tool per area against the demo organization, checking
each answer. Any line on the server's stdout that is not a JSON-RPC message fails the run. Exits 0 with a
one-line summary, or 1 with the reason (and the tail of the server's stderr). Needs no network: the server must
run in demo mode, which every result confirms (`demo_data: true`).

This file is a script, not a pytest module (pytest collects only test_*.py); tests/test_stdio_smoke.py runs it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from typing import Any

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

EXPECTED_TOOLS = frozenset(
    {
        "codex_get_completions_usage",
        "codex_get_cost_breakdown",
        "codex_get_embeddings_usage",
        "codex_get_code_interpreter_usage",
        "codex_list_users",
        "codex_get_user",
        "codex_modify_user",
        "codex_delete_user",
        "codex_list_invites",
        "codex_create_invite",
        "codex_list_projects",
        "codex_get_project",
        "codex_list_project_api_keys",
        "codex_list_service_accounts",
        "codex_create_project",
        "codex_list_audit_events",
        "codex_get_normalized_metrics",
    }
)

# Environment passed to the server on top of the SDK's safe defaults (HOME, PATH, ...): what installers such as
# uvx need to find packages and certificates. Never the admin key or a base URL: the server runs in demo mode.
PASSTHROUGH_PREFIXES = ("UV_", "PIP_", "XDG_")
PASSTHROUGH_NAMES = (
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)


class SmokeFailure(Exception):
    """A check failed; the message says which and what was seen."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.startswith(PASSTHROUGH_PREFIXES) or k in PASSTHROUGH_NAMES}
    # A base URL nobody listens on: if demo mode were somehow off, calls fail fast instead of reaching a network.
    env["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"
    return env


def payload(result: Any, tool: str) -> dict[str, Any]:
    """The JSON object a tool returned (structured content, else the text block), after checking it succeeded."""
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    if result.is_error:
        raise SmokeFailure(f"{tool} returned an error: {' '.join(texts)[:500]}")
    data = result.structured_content
    if not isinstance(data, dict):
        check(texts, f"{tool} returned neither structured content nor text")
        try:
            data = json.loads(texts[0])
        except ValueError as exc:
            raise SmokeFailure(f"{tool} text content is not JSON: {texts[0][:200]!r}") from exc
    check(isinstance(data, dict), f"{tool} returned {type(data).__name__}, expected a JSON object")
    # The server marks every demo result at the top level, metrics included (never only in its metadata).
    check(data.get("demo_data") is True, f"{tool} result is not marked demo_data (is the server in --demo mode?)")
    return data


async def smoke(command: list[str], stdout_errors: list[str], errlog: Any, limit_s: float) -> str:
    with anyio.fail_after(limit_s):
        return await session_checks(command, stdout_errors, errlog)


async def session_checks(command: list[str], stdout_errors: list[str], errlog: Any) -> str:
    params = StdioServerParameters(command=command[0], args=command[1:], env=server_env())

    async def on_message(message: Any) -> None:
        # The stdio transport hands lines it cannot parse as JSON-RPC to the session as exceptions.
        if isinstance(message, Exception):
            lines = [line.strip() for line in str(message).splitlines() if line.strip()]
            detail = next((line for line in lines if "input_value=" in line), lines[-1] if lines else "")
            stdout_errors.append(f"{type(message).__name__}: {detail}")

    async with (
        stdio_client(params, errlog=errlog) as (read, write),
        ClientSession(read, write, message_handler=on_message) as session,
    ):
        init = await session.initialize()
        server = f"{init.server_info.name} {init.server_info.version} (protocol {init.protocol_version})"

        listing = await session.list_tools()
        names = [tool.name for tool in listing.tools]
        check(len(names) >= 17, f"tools/list returned {len(names)} tools, expected >= 17: {sorted(names)}")
        missing = sorted(EXPECTED_TOOLS - set(names))
        check(not missing, f"tools/list is missing {missing}")
        check(len(names) == len(set(names)), f"tools/list has duplicate names: {sorted(names)}")

        seen: list[str] = []

        async def call(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
            data = payload(await session.call_tool(tool, arguments), tool)
            seen.append(tool)
            return data

        cost = await call("codex_get_cost_breakdown", {"start_time": "30d", "group_by": ["project_id"]})
        amount = (cost.get("totals") or {}).get("amount_usd")
        check(isinstance(amount, int | float) and amount > 0, f"cost totals.amount_usd is {amount!r}, expected > 0")
        groups = (cost.get("groups") or {}).get("rows")
        check(isinstance(groups, list) and groups, f"cost breakdown by project_id has no group rows: {cost!r:.300}")

        usage = await call("codex_get_completions_usage", {"start_time": "7d"})
        table = usage.get("buckets") or {}
        buckets = table.get("rows")
        check(isinstance(buckets, list) and len(buckets) == 8, f"completions usage over 7d: {table!r:.300}")
        check(isinstance(usage.get("totals"), dict), "completions usage has no totals")
        width = len(table.get("columns") or [])
        check(width > 1 and all(len(row) == width for row in buckets), "completions usage rows do not fit columns")

        users = await call("codex_list_users", {"limit": 3})
        user_list = users.get("data")
        check(isinstance(user_list, list) and len(user_list) == 3, f"list_users limit=3 returned {user_list!r:.200}")
        check(all(str(u.get("id", "")).startswith("user-") for u in user_list), "list_users entries lack user ids")
        check(users.get("has_more") is True, f"list_users limit=3 has_more is {users.get('has_more')!r}")

        projects = await call("codex_list_projects", {})
        check(projects.get("data"), "list_projects returned no projects")

        audit = await call("codex_list_audit_events", {"limit": 5})
        events = audit.get("data")
        check(isinstance(events, list) and 0 < len(events) <= 5, f"list_audit_events limit=5 returned {events!r:.200}")

        metrics = await call("codex_get_normalized_metrics", {"start_time": "30d"})
        seats = metrics.get("total_seats")
        if seats is None:  # tolerate a nested layout, e.g. {"seats": {"total_seats": ...}}
            seats = next((v.get("total_seats") for v in metrics.values() if isinstance(v, dict)), None)
        check(isinstance(seats, int | float) and seats > 0, f"normalized metrics total_seats is {seats!r}")

    check(not stdout_errors, f"server wrote non-JSON-RPC output on stdout: {stdout_errors[:3]}")
    return (
        f"{server}, {len(names)} tools; called {len(seen)} tools OK "
        f"(30d cost ${amount:,.2f} over {len(groups)} projects, users has_more, {seats} seats)"
    )


def leaves(exc: BaseException) -> list[BaseException]:
    """The innermost exceptions of a (possibly nested) exception group."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in leaves(sub)]
    return [exc]


def describe(exc: BaseException, timeout: float) -> str:
    parts = []
    for leaf in leaves(exc):
        if isinstance(leaf, SmokeFailure):
            parts.append(str(leaf))
        elif isinstance(leaf, TimeoutError):
            parts.append(f"no complete session within {timeout:g}s")
        else:
            parts.append(f"{type(leaf).__name__}: {leaf}")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv:
        print("usage: stdio_smoke.py [--timeout SECONDS] -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="stdio_smoke.py")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for the whole session (default 120)")
    options = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        print("stdio smoke: no server command after --", file=sys.stderr)
        return 2

    # The SDK logs each unparseable stdout line with a traceback; the summary below reports them instead.
    logging.getLogger("mcp.client.stdio").setLevel(logging.CRITICAL)
    stdout_errors: list[str] = []
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errlog:
        failure: str | None = None
        try:
            summary = anyio.run(smoke, command, stdout_errors, errlog, options.timeout)
        except Exception as exc:
            failure = describe(exc, options.timeout)
            if stdout_errors and "non-JSON-RPC" not in failure:
                failure += f"; non-JSON-RPC output on stdout: {stdout_errors[:3]}"
        if failure is None:
            print(f"stdio smoke OK: {summary}")
            return 0
        errlog.seek(0)
        tail = errlog.read()[-3000:].strip()
    print(f"stdio smoke FAILED ({' '.join(command)}): {failure}", file=sys.stderr)
    if tail:
        print("--- server stderr (tail) ---", file=sys.stderr)
        print(tail, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
