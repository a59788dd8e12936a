"""How the simulated API speaks: OpenAI-shaped errors, query parsing, request body validation, endpoint groups."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import httpx

from codex_mcp.demo.entities import Project, User
from codex_mcp.demo.sample_common import ALNUM
from codex_mcp.demo.sample_org import SampleOrg

JSON = dict[str, Any]
Handler = Callable[..., JSON]
Route = tuple[str, str, Handler]  # (method, path pattern under /v1, handler(request, query, *path groups))
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ApiError(Exception):
    """An error answered as an OpenAI-shaped body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: JSON = {"error": {"message": message, "type": type_, "param": param, "code": code}}


def bad(message: str, param: str | None = None, code: str | None = "invalid_value") -> ApiError:
    """A 400 naming the offending parameter."""
    return ApiError(400, message, param=param, code=code)


def not_found(message: str, code: str) -> ApiError:
    return ApiError(404, message, code=code)


def redact_key(key: str) -> str:
    """A form of a key that is safe to show: its first 4 and last 3 characters at most."""
    if len(key) < 12:
        return "*" * len(key)
    return f"{key[:4]}...{key[-3:]}"


# --------------------------------------------------------------------------- query parsing


class Query:
    """Query parameters parsed from the raw query string (arrays are repeated parameters)."""

    def __init__(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace")
        for part in text.split("&"):
            name, _, value = part.partition("=")
            # The live API rejects a cursor whose '=' padding arrives percent-encoded.
            if unquote_plus(name) == "page" and "%3d" in value.lower():
                raise ApiError(
                    400,
                    "Invalid page cursor: the cursor was modified (its '=' padding arrived percent-encoded as %3D).",
                    param="page",
                )
        self.pairs = parse_qsl(text, keep_blank_values=True)

    def allow(self, names: Collection[str]) -> None:
        """Reject parameter names this endpoint does not know."""
        for name, _ in self.pairs:
            if name not in names:
                raise bad(f"Unrecognized query parameter: '{name}'.", name, "unknown_parameter")

    def one(self, name: str) -> str | None:
        values = self.many(name)
        return values[-1] if values else None

    def many(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def integer(self, name: str) -> int | None:
        value = self.one(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise bad(f"Invalid value for '{name}': expected an integer, got '{value[:40]}'.", name) from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
        return value

    def limit(self, *, default: int, maximum: int, minimum: int = 1, context: str = "") -> int:
        value = self.integer("limit")
        if value is None:
            return default
        if not minimum <= value <= maximum:
            raise bad(
                f"Invalid value for 'limit': must be between {minimum} and {maximum}{context}, got {value}.", "limit"
            )
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.one(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise bad(f"Invalid value for '{name}': expected 'true' or 'false', got '{value[:40]}'.", name)
        return value.lower() == "true"

    def choice(self, name: str, options: Sequence[str], default: str | None = None) -> str | None:
        value = self.one(name)
        if value is None:
            return default
        if value not in options:
            raise bad(f"Invalid value for '{name}': '{value[:40]}'. Supported values are: {', '.join(options)}.", name)
        return value


# --------------------------------------------------------------------------- request bodies

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
}


@dataclass(frozen=True)
class Field:
    """What a request body field accepts; `required` fields must be present and not null."""

    kind: str  # string, integer, boolean, array or object
    required: bool = False
    enum: tuple[Any, ...] = ()
    minimum: int | None = None
    non_empty: bool = False  # strings: at least one non-blank character
    items: Field | None = None  # arrays: what each item accepts
    properties: Mapping[str, Field] = field(default_factory=dict)  # objects: their fields (no others allowed)


def read_body(request: httpx.Request, fields: Mapping[str, Field]) -> JSON:
    """The request's JSON object body, validated against `fields`; a 400 naming the param otherwise.

    Null counts as absent. Nested params are named like the API does: `notification_channel.recipients[0]`.
    """
    try:
        body = json.loads(request.read() or b"")
    except (ValueError, UnicodeDecodeError):
        raise bad(
            "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.", None, None
        ) from None
    if not isinstance(body, dict):
        raise bad("The request body must be a JSON object.", None, None)
    _check_object(body, fields, "")
    return body


def _check_object(value: dict[str, Any], fields: Mapping[str, Field], prefix: str) -> None:
    for name in value:
        if name not in fields:
            raise bad(f"Unrecognized request argument supplied: {prefix}{name}", prefix + name, "unknown_parameter")
    for name, spec in fields.items():
        param = prefix + name
        item = value.get(name)
        if item is None:
            if spec.required:
                raise bad(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
            continue
        _check_value(item, spec, param)


def _check_value(value: Any, spec: Field, param: str) -> None:
    checks: dict[str, Callable[[Any], bool]] = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if not checks[spec.kind](value):
        got = "null" if value is None else type(value).__name__
        raise bad(
            f"Invalid type for '{param}': expected {_TYPE_NAMES[spec.kind]}, but got {got} instead.",
            param,
            "invalid_type",
        )
    if spec.non_empty and not value.strip():
        raise bad(f"Invalid value for '{param}': expected a non-empty string.", param)
    if spec.enum and value not in spec.enum:
        supported = ", ".join(map(str, spec.enum))
        raise bad(f"Invalid value for '{param}': {str(value)[:40]!r}. Supported values are: {supported}.", param)
    if spec.minimum is not None and value < spec.minimum:
        raise bad(f"Invalid value for '{param}': must be at least {spec.minimum}, got {value}.", param)
    if spec.items is not None:
        for index, item in enumerate(value):
            _check_value(item, spec.items, f"{param}[{index}]")
    if spec.kind == "object":
        _check_object(value, spec.properties, param + ".")


# --------------------------------------------------------------------------- endpoint groups


class EndpointGroup:
    """Handlers of one area of the API over the shared sample organization."""

    def __init__(self, org: SampleOrg) -> None:
        self.org = org

    @property
    def now(self) -> int:
        return self.org.now

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def new_id(self, prefix: str, length: int) -> str:
        """A deterministic id for an object created through the API."""
        return prefix + "".join(self.org.next_write_rng().choices(ALNUM, k=length))

    def project(self, project_id: str) -> Project:
        """A project by id (archived ones included); 404 when there is none."""
        project = self.org.project(project_id)
        if project is None:
            raise not_found("Project not found", "project_not_found")
        return project

    def live_user(self, user_id: str) -> User:
        """A member of the organization (not deleted); 404 when there is none."""
        user = self.org.user(user_id)
        if user is None or user.deleted:
            raise not_found(f"No such user: {user_id[:80]}", "user_not_found")
        return user

    def active_project(self, project_id: str) -> Project:
        """A project that is not archived; 400 when it is."""
        project = self.project(project_id)
        if project.archived_at is not None:
            raise bad(f"Project {project.id} is archived.", None, "project_archived")
        return project
