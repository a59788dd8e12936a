"""Check one line from an MCP client before the SDK reads it, so that every request carrying an id gets an answer.

The SDK's stdio reader (mcp/server/stdio.py, `stdin_reader`) hands a line its parser rejects to the dispatcher,
which logs it at DEBUG and drops it: `params` that are a list or a string, a lone UTF-16 surrogate ("\\ud800"),
bytes that are not UTF-8, a number too large or nesting too deep for its parser, invalid JSON. A request whose id
is a float, a boolean or null parses as a notification and is never answered either. The client waits forever.

`check_line` answers those the way JSON-RPC 2.0 says: -32700 for what is not JSON (id null), -32600 for a request
that is not a valid request (id null when the id itself is the problem), -32602 for params MCP cannot take. What the
SDK parses as a request goes to it unchanged, and the SDK answers it; malformed notifications and responses cannot be
answered, so they are only logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from mcp_types import INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError

MAX_DIGITS = 4300  # Python's own limit for int(str); longer integers are left unconverted
MAX_DEPTH = 200  # the SDK's parser refuses nesting somewhere above this; only used to explain a refusal


@dataclass(frozen=True)
class Forward:
    """A valid message: hand `text` to the SDK unchanged."""

    text: str


@dataclass(frozen=True)
class Refuse:
    """A request the SDK would drop: answer it with `error` instead."""

    error: JSONRPCError


@dataclass(frozen=True)
class Ignore:
    """Nothing to answer: a blank line, or a malformed notification or response (log `reason`)."""

    reason: str


Verdict = Forward | Refuse | Ignore


@dataclass(frozen=True)
class _LongInteger:
    """An integer literal too long to convert, left as its digits so the rest of the line can still be checked."""

    digits: str


def check_line(raw: bytes) -> Verdict:
    """What to do with one line read from the client."""
    # Bytes that are not UTF-8 become lone surrogates, so they are refused like "\ud800" (and located: in params).
    text = raw.decode("utf-8", errors="surrogateescape")
    if not text.strip():
        return Ignore("blank line")
    try:
        message = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        return _refuse(PARSE_ERROR, None, f"Parse error: not valid JSON ({exc.msg}, column {exc.colno}).")
    except RecursionError:
        return _refuse(PARSE_ERROR, None, "Parse error: nested too deeply to read.")
    if not isinstance(message, dict):
        shape = "a batch (array), which MCP does not use" if isinstance(message, list) else type(message).__name__
        return _refuse(INVALID_REQUEST, None, f"Invalid Request: expected one JSON-RPC message object, got {shape}.")
    if "id" not in message:
        method = message.get("method")
        return _forward_or_ignore(text, f"notification {method[:60]!r}" if isinstance(method, str) else "message")
    if "method" not in message and ("result" in message or "error" in message):
        return _forward_or_ignore(text, "response")
    request_id = message["id"]
    if not _is_request_id(request_id):
        return _refuse(INVALID_REQUEST, None, "Invalid Request: id must be a string or an integer.")
    if problem := _request_problem(message):
        code, reason = problem
        return _refuse(code, request_id, reason)
    if _parses_as_request(text):
        return Forward(text)
    reason = _unreadable(message.get("params")) or "they contain a value this server cannot read"
    return _refuse(INVALID_PARAMS, request_id, f"Invalid params: {reason}.")


def _request_problem(message: dict[str, Any]) -> tuple[int, str] | None:
    """The first thing that makes `message` (which has a valid id) an invalid MCP request: (code, message)."""
    if message.get("jsonrpc") != "2.0":
        return INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0".'
    method = message.get("method")
    if not isinstance(method, str) or not _is_text(method):
        return INVALID_REQUEST, "Invalid Request: method must be a string."
    params = message.get("params")
    if isinstance(params, list):
        return INVALID_PARAMS, "Invalid params: MCP params are an object of named values, not an array."
    if params is not None and not isinstance(params, dict):
        return INVALID_REQUEST, f"Invalid Request: params must be an object, not {_json_type(params)}."
    return None


def _unreadable(value: Any) -> str | None:
    """Why the SDK's parser refused `value`, when it is something we can name (a lone surrogate, a number or
    nesting beyond its limits), else None."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"they are nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, _LongInteger):
            return f"they contain an integer of more than {MAX_DIGITS} digits"
        if isinstance(item, str) and not _is_text(item):
            return "they contain a lone UTF-16 surrogate or bytes that are not UTF-8, which is not text"
        if isinstance(item, dict):
            for key in item:
                if not _is_text(key):
                    return "they contain a lone UTF-16 surrogate or bytes that are not UTF-8, which is not text"
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
    return None


def _forward_or_ignore(text: str, what: str) -> Verdict:
    try:
        types.jsonrpc_message_adapter.validate_json(text, by_name=False)
    except ValueError:
        return Ignore(f"a malformed {what} (nothing to answer)")
    return Forward(text)


def _parses_as_request(text: str) -> bool:
    try:
        message = types.jsonrpc_message_adapter.validate_json(text, by_name=False)
    except ValueError:
        return False
    return isinstance(message, types.JSONRPCRequest)


def _refuse(code: int, request_id: str | int | None, message: str) -> Refuse:
    return Refuse(JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message)))


def _is_request_id(value: Any) -> bool:
    if isinstance(value, str):
        return _is_text(value)
    return isinstance(value, int) and not isinstance(value, bool)  # a _LongInteger is neither


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _integer(literal: str) -> int | _LongInteger:
    return int(literal) if len(literal.lstrip("-")) <= MAX_DIGITS else _LongInteger(literal)


def _json_type(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "a number", float: "a number", _LongInteger: "a number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)
