"""Command line: serve MCP on stdio (default), or list tools, call one, check the key."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from codex_mcp import __version__
from codex_mcp.logs import configure_logging
from codex_mcp.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codex-mcp",
        description="MCP server for the OpenAI Admin API. With no command it serves MCP on stdio (Claude Desktop).",
    )
    parser.add_argument("--version", action="version", version=f"codex-mcp {__version__}")
    parser.add_argument("--demo", action="store_true", help="answer from a built-in sample organization (no key)")
    parser.add_argument("--read-only", action="store_true", help="leave out every tool that changes the organization")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by command-line flags."""
    overrides: dict[str, object] = {}
    if args.demo:
        overrides["demo"] = True
    if args.read_only:
        overrides["read_only"] = True
    if args.log_level:
        overrides["log_level"] = args.log_level
    return Settings().model_copy(update=overrides) if overrides else Settings()


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args)
    except ValueError as exc:
        print(f"codex-mcp: invalid configuration: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    from codex_mcp.server import create_server

    create_server(settings).run("stdio")
    return 0
