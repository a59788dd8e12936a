"""Keep API keys out of everything the server writes: results, error texts and logs."""

from __future__ import annotations

import logging
import re

# OpenAI secret keys: sk-admin-..., sk-proj-..., sk-svcacct-..., legacy sk-...; also bearer headers.
_KEY_PATTERN = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
_BEARER_PATTERN = re.compile(r"(?i)(bearer\s+)[^\s'\",]+")
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
