"""Command line: serve MCP on stdio (default), list the tools or show one, call one, or check the configured key."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

import anyio
from pydantic import ValidationError

from codex_mcp.cli.arguments import RawValue, build_parser, describe_settings_error, load_settings, parse_arguments
from codex_mcp.cli.serving import misplaced_http_flags
from codex_mcp.logs import configure_logging
from codex_mcp.settings import Settings

__all__ = ["RawValue", "parse_arguments", "run"]

TERMINAL_NOTE = (
    "codex-mcp: waiting for an MCP client on stdin/stdout (this is what Claude Desktop runs). "
    "To try it by hand: codex-mcp --help, or codex-mcp --demo tools. Ctrl-C quits."
)


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args)
    except ValidationError as exc:
        print(describe_settings_error(exc), file=sys.stderr)
        return 2
    if problem := misplaced_http_flags(args, settings.transport):
        print(problem, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command in (None, "serve"):
        if settings.transport == "http":
            from codex_mcp.http_serve import serve as serve_http

            return serve_http(settings)
        return serve(settings)
    from codex_mcp.cli import commands

    try:
        if args.command == "tools":
            return anyio.run(commands.tools, settings, args.name, args.json)
        if args.command == "call":
            if args.tool is None:
                args.print_call_help(sys.stdout if args.help else sys.stderr)
                return 0 if args.help else 2
            if args.help:
                return anyio.run(commands.tools, settings, args.tool, False)
            try:
                arguments = parse_arguments(args.arguments)
            except ValueError as exc:
                print(f"codex-mcp call: {exc}", file=sys.stderr)
                return 2
            output = "table" if args.pretty and args.format is None else args.format
            return anyio.run(commands.call, settings, args.tool, arguments, output, args.table)
        from codex_mcp.cli.check import check

        return anyio.run(check, settings)
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def serve(settings: Settings) -> int:
    """Serve MCP on stdio until the client closes stdin (exit 0) or Ctrl-C (exit 130, quietly)."""
    try:
        from codex_mcp.server import create_server

        server = create_server(settings)
        previous = signal.signal(signal.SIGINT, _quit_at_once)
    except KeyboardInterrupt:
        return 130
    try:
        if sys.stdin is not None and sys.stdin.isatty():
            print(TERMINAL_NOTE, file=sys.stderr, flush=True)
        server.run("stdio")
    finally:
        signal.signal(signal.SIGINT, previous)
    return 0


def _quit_at_once(signum: int, frame: object) -> None:
    """Ctrl-C while serving: exit 130 at once, quietly. Unwinding instead has windows (the event loop being built or
    torn down, interpreter shutdown) where the interrupt became a traceback, a death by signal, or under load a hang;
    and nothing needs it: every message is flushed as it is written, and the API requests in flight die with us."""
    os._exit(130)
