"""The one place errors are built: what each failure on the wire (status, timeout, lost connection, unreadable or
unexpected body) becomes, written for the reader."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from codex_mcp.errors import (
    AdminAPIError,
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    sentence,
    status_class,
)

ModelT = TypeVar("ModelT", bound=BaseModel)

# The Admin API's bodies are a few levels deep; a deeper one is hostile, and would fail later, outside the client,
# where pydantic or json refuse to serialize the result ("Error executing tool").
MAX_JSON_DEPTH = 100
MESSAGE_CHARS = 2000  # an API's own message is kept whole up to this; a hostile one could be megabytes
DELETED_ALREADY = "An earlier attempt got no answer and may already have deleted it: list to check."


def status_error(response: httpx.Response) -> APIStatusError:
    """The error for an HTTP error answer, keeping the API's own message, code and request id."""
    status = response.status_code
    request_id = response.headers.get("x-request-id")
    api_message, code, param = _error_body(response)
    request = response.request
    head = f"OpenAI API error {status} on {request.method} {request.url.path}"
    if code:
        head += f" (code: {code})"
    if param:
        head += f" (param: {param})"
    text = f"{head}: {api_message}"
    if request_id:
        text = sentence(text, f"Request id: {request_id}")
    return status_class(status)(
        text, status_code=status, request_id=request_id, code=code, param=param, api_message=api_message
    )


def transport_error(exc: httpx.TransportError, method: str, path: str) -> AdminAPIError:
    """The error for an attempt that got no answer: a timeout, or a connection that failed or was lost."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{method} {path} timed out ({type(exc).__name__}).")
    return APIConnectionError(f"Could not reach the OpenAI API for {method} {path}: {exc or type(exc)}.")


def deadline_error(method: str, path: str, deadline_s: float) -> APITimeoutError:
    """The error for a request whose answer had not fully arrived when the request deadline passed."""
    return APITimeoutError(
        f"{method} {path} hit the request deadline of {deadline_s:g} s before its answer had fully arrived.",
        hint=(
            "OpenAI answered too slowly: the request deadline (CODEX_MCP_REQUEST_DEADLINE) bounds each request, "
            "body and retries included. Narrow the time range, or raise CODEX_MCP_REQUEST_DEADLINE."
        ),
    )


def unknown_outcome(error: AdminAPIError, what: str, listed_by: str, *, deadline_hit: bool) -> None:
    """Say that a create whose answer was lost or failed may still have happened, so the reader checks first."""
    lost = not isinstance(error, APIStatusError)
    why = "No answer came back after the request was sent" if lost else "OpenAI reported a failure"
    error.hint = (
        f"{why}, so the {what} may have been created anyway. Do not simply repeat the call: list first "
        f"({listed_by}) and create it only if it is not there."
    )
    if isinstance(error, APITimeoutError):
        knob = "CODEX_MCP_REQUEST_DEADLINE" if deadline_hit else "CODEX_MCP_READ_TIMEOUT"
        error.hint += f" If OpenAI is often this slow, raise {knob}."


def read_json(response: httpx.Response, method: str, path: str) -> Any:
    """The parsed body of a successful answer, or an APIResponseError saying why it cannot be read."""
    too_deep = f"could not be read: its JSON is nested more than {MAX_JSON_DEPTH} levels deep"
    try:
        body = response.json()
    except RecursionError:
        problem = too_deep
    except ValueError:
        problem = "is not valid JSON"
    else:
        if not _deeper_than(body, MAX_JSON_DEPTH):
            return body
        problem = too_deep
    request_id = response.headers.get("x-request-id")
    kind = response.headers.get("content-type", "no content type")
    raise APIResponseError(
        f"OpenAI answered {method} {path} with status {response.status_code} but the body {problem} "
        f"({kind}, {len(response.content)} bytes)" + (f". Request id: {request_id}" if request_id else ".")
    ) from None


def validate(model: type[ModelT], raw: Any, what: str) -> ModelT:
    """`raw` as a `model`, or an APIResponseError naming the first fields that do not fit."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:3])
        raise APIResponseError(f"OpenAI returned a {what} response of an unexpected shape ({problems}).") from None


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether parsed JSON nests lists or objects more than `limit` levels deep (level by level: no recursion)."""
    # A tuple, not `dict | list`: this looks at every value of every answer, and a union type checks ~5x slower.
    containers = (dict, list)
    level = [value] if isinstance(value, containers) else []
    for _ in range(limit):
        inner: list[Any] = []
        for container in level:
            items = container.values() if isinstance(container, dict) else container
            inner += [item for item in items if isinstance(item, containers)]
        if not inner:
            return False
        level = inner
    return True


def _error_body(response: httpx.Response) -> tuple[str, str | None, str | None]:
    """The API's own message, code and param from an error body, or a description of what came instead."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        snippet = response.text.strip()[:200]
        return (snippet or response.reason_phrase or "no message"), None, None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("message") or response.reason_phrase or "no message"
        code = error.get("code")
        param = error.get("param")
        return _text(message, MESSAGE_CHARS), _text(code, 200) if code else None, _text(param, 200) if param else None
    if isinstance(error, str):
        return _text(error, MESSAGE_CHARS), None, None
    return _text(body, 200), None, None


def _text(value: object, limit: int) -> str:
    """A value from an error body as text of at most `limit` characters (a nested value may be too deep to print)."""
    try:
        text = str(value)
    except RecursionError:
        return f"(a {type(value).__name__} nested too deeply to show)"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"
