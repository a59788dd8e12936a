"""Logging to stderr only, with every record redacted: stdout belongs to the MCP protocol."""

from __future__ import annotations

import logging
import sys

from codex_mcp.redaction import RedactingFilter


def configure_logging(level: str) -> None:
    """Send all logging (ours and every library's) to stderr, redacted, at `level` for codex_mcp."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("codex_mcp").setLevel(level)
    # httpx logs full URLs at INFO; our client logs method, path and status itself at DEBUG.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.captureWarnings(True)
