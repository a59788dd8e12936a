"""codex-mcp: an MCP server for the OpenAI Admin API."""

from __future__ import annotations

__version__ = "0.1.0"


def main() -> None:
    """Console entry point: `codex-mcp` (stdio MCP server, or a CLI subcommand)."""
    from codex_mcp.cli import run

    raise SystemExit(run())
