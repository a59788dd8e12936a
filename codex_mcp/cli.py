"""Command line: serve MCP on stdio (default), list the tools, call one, or check the configured key."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import anyio
from pydantic import ValidationError

from codex_mcp import __version__
from codex_mcp.logs import configure_logging
from codex_mcp.settings import Settings

EPILOG = """\
examples:
  codex-mcp                                   serve MCP on stdio (what Claude Desktop runs)
  codex-mcp --demo tools                      list the tools
  codex-mcp --demo call codex_get_cost_breakdown start_time=30d group_by=project_id --pretty
  codex-mcp call codex_list_audit_events '{"event_types": ["api_key.created"], "effective_at_start": "7d"}'
  codex-mcp check                             verify OPENAI_ADMIN_KEY and show what it can see

environment: OPENAI_ADMIN_KEY (an Admin key), OPENAI_BASE_URL, CODEX_MCP_DEMO, CODEX_MCP_READ_ONLY,
CODEX_MCP_LOG_LEVEL, CODEX_MCP_MAX_RETRIES, CODEX_MCP_MAX_CONCURRENCY (see README)."""

TERMINAL_NOTE = (
    "codex-mcp: waiting for an MCP client on stdin/stdout (this is what Claude Desktop runs). "
    "To try it by hand: codex-mcp --help, or codex-mcp --demo tools. Ctrl-C quits."
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="use the built-in demo organization (no key)"
    )
    common.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="leave out every tool that changes the organization",
    )
    common.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        default=argparse.SUPPRESS,
        help="log level on stderr (default INFO when serving, WARNING for commands)",
    )
    parser = argparse.ArgumentParser(
        prog="codex-mcp",
        description="MCP server for the OpenAI Admin API. With no command it serves MCP on stdio (Claude Desktop).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"codex-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", parents=[common], help="serve MCP on stdio (the default)")
    tools = commands.add_parser("tools", parents=[common], help="list the tools")
    tools.add_argument("--json", action="store_true", help="full definitions (schemas, annotations) as JSON")
    call = commands.add_parser(
        "call",
        parents=[common],
        help="call one tool and print its result as JSON",
        description="Arguments: key=value pairs (values parsed as JSON when they can be; comma lists for arrays) "
        "or one JSON object. Exits 1 when the tool returns an error (printed on stderr).",
    )
    call.add_argument("tool", help="tool name, e.g. codex_list_users")
    call.add_argument("arguments", nargs="*", help="key=value ... or one JSON object")
    call.add_argument("--pretty", action="store_true", help="human-readable tables instead of JSON")
    commands.add_parser("check", parents=[common], help="verify the key with cheap calls and say what it can see")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by command-line flags."""
    settings = Settings()
    overrides: dict[str, Any] = {}
    if getattr(args, "demo", False):
        overrides["demo"] = True
    if getattr(args, "read_only", False):
        overrides["read_only"] = True
    level = getattr(args, "log_level", None)
    if level:
        overrides["log_level"] = level
    elif args.command not in (None, "serve"):
        overrides["log_level"] = "WARNING"
    return settings.model_copy(update=overrides) if overrides else settings


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args)
    except ValidationError as exc:
        print(describe_settings_error(exc), file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command in (None, "serve"):
        return serve(settings)
    try:
        return _command(args, settings)
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def serve(settings: Settings) -> int:
    """Serve MCP on stdio until the client closes stdin (exit 0) or Ctrl-C (exit 130, quietly)."""
    try:
        from codex_mcp.server import create_server

        server = create_server(settings)
        if sys.stdin is not None and sys.stdin.isatty():
            print(TERMINAL_NOTE, file=sys.stderr, flush=True)
        server.run("stdio")
    except KeyboardInterrupt:
        return 130
    return 0


def _command(args: argparse.Namespace, settings: Settings) -> int:
    from codex_mcp import commands

    if args.command == "tools":
        return anyio.run(commands.list_tools, settings, args.json)
    if args.command == "call":
        try:
            arguments = parse_arguments(args.arguments)
        except ValueError as exc:
            print(f"codex-mcp call: {exc}", file=sys.stderr)
            return 2
        return anyio.run(commands.call, settings, args.tool, arguments, args.pretty)
    return anyio.run(commands.check, settings)


def describe_settings_error(error: ValidationError) -> str:
    """Which environment variable is wrong and why, without echoing values (one of them may be the key)."""
    lines = ["codex-mcp: invalid configuration:"]
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"]) or "settings"
        lines.append(f"  {where}: {str(item['msg']).removeprefix('Value error, ')}")
    return "\n".join(lines)


def parse_arguments(items: Sequence[str]) -> dict[str, Any]:
    """`key=value ...` (values stay strings; commands.call types them from the tool's schema) or one JSON object."""
    if len(items) == 1 and items[0].lstrip().startswith("{"):
        try:
            value = json.loads(items[0])
        except json.JSONDecodeError as exc:
            raise ValueError(f"the JSON argument is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError("the JSON argument must be an object")
        return value
    arguments: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"expected key=value or one JSON object, got {item!r}")
        arguments[key] = RawValue(raw)
    return arguments


class RawValue(str):
    """A value typed on the command line as key=value, to be typed from the tool's input schema."""
