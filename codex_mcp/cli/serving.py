"""Flags that choose how the server is served (stdio or Streamable HTTP), for `codex-mcp` and `codex-mcp serve`."""

from __future__ import annotations

import argparse
from typing import Any

# flag attribute -> Settings field; each flag defaults to SUPPRESS so the environment shows through.
HTTP_FLAGS = {
    "host": "http_host",
    "port": "http_port",
    "http_token_file": "http_token_file",
    "no_auth": "http_no_auth",
    "allowed_hosts": "allowed_hosts",
    "allowed_origins": "allowed_origins",
    "allow_client_keys": "allow_client_keys",
}


def serving_parser() -> argparse.ArgumentParser:
    """A parent parser with --transport and the HTTP flags."""
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("serving over HTTP (--transport http)")
    hide = argparse.SUPPRESS
    group.add_argument(
        "--transport", choices=("stdio", "http"), default=hide, help="stdio (default) or http: Streamable HTTP at /mcp"
    )
    group.add_argument("--host", default=hide, help="address to bind (default 127.0.0.1)")
    group.add_argument("--port", type=int, default=hide, help="port (default 8000; 0: any free port)")
    group.add_argument(
        "--http-token-file", default=hide, metavar="PATH", help="file holding the bearer token clients must send"
    )
    group.add_argument("--no-auth", action="store_true", default=hide, help="no token; only allowed on loopback")
    group.add_argument(
        "--allowed-hosts", default=hide, metavar="HOSTS", help="extra Host names to answer, e.g. a load balancer's"
    )
    group.add_argument(
        "--allowed-origins", default=hide, metavar="ORIGINS", help="browser origins to admit, comma-separated"
    )
    group.add_argument(
        "--allow-client-keys",
        action="store_true",
        default=hide,
        help="gateway mode: a request may bring its own Admin key in X-OpenAI-Admin-Key",
    )
    return parser


def serving_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Settings fields set by these flags."""
    overrides = {field: getattr(args, flag) for flag, field in HTTP_FLAGS.items() if hasattr(args, flag)}
    if hasattr(args, "transport"):
        overrides["transport"] = args.transport
    return overrides


def misplaced_http_flags(args: argparse.Namespace, transport: str) -> str | None:
    """An error for serving flags that would be silently ignored: HTTP flags without HTTP, any with a command."""
    given = [f"--{flag.replace('_', '-')}" for flag in ("transport", *HTTP_FLAGS) if hasattr(args, flag)]
    if args.command not in (None, "serve"):
        return f"codex-mcp: {_listed(given)} only for serving, not for '{args.command}'" if given else None
    given = [flag for flag in given if flag != "--transport"]
    if not given or transport == "http":
        return None
    return f"codex-mcp: {_listed(given)} only for --transport http (or CODEX_MCP_TRANSPORT=http)"


def _listed(flags: list[str]) -> str:
    return f"{', '.join(flags)} {'is' if len(flags) == 1 else 'are'}"
