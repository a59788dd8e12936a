"""Keep API keys out of everything the server writes: results, error texts and logs."""

from __future__ import annotations

import logging
import re
from typing import Any

# OpenAI secret keys: sk-admin-..., sk-proj-..., sk-svcacct-..., legacy sk-...; also bearer headers.
_KEY_PATTERN = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
_BEARER_PATTERN = re.compile(r"(?i)(bearer\s+)[^\s'\",]+")
_MAYBE_SECRET = re.compile(r"sk-|(?i:bearer)")
_known_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    """Remember a secret so `redact` removes it verbatim, whatever its shape (surrounding whitespace aside)."""
    secret = secret.strip()
    if len(secret) >= 6:
        _known_secrets.add(secret)


def redact(text: str) -> str:
    """Replace registered secrets, sk-... keys and bearer tokens with a placeholder."""
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    text = _KEY_PATTERN.sub("sk-[redacted]", text)
    return _BEARER_PATTERN.sub(r"\1[redacted]", text)


def needs_redaction(text: str) -> bool:
    """Cheap test: could `redact` change this text? (A registered secret, or anything shaped like a key.)"""
    return _MAYBE_SECRET.search(text) is not None or any(secret in text for secret in _known_secrets)


def redact_tree(value: Any) -> Any:
    """`redact` applied to every string (keys included) of a JSON-like value."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_tree(key): redact_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_tree(item) for item in value]
    return value


class RedactingFilter(logging.Filter):
    """Log filter that renders each record's message once and redacts it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info:
            # The formatter would print the traceback unredacted; render and redact it here instead.
            formatted = logging.Formatter().formatException(record.exc_info)
            cleaned = f"{cleaned}\n{redact(formatted)}"
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = cleaned, None
        return True
