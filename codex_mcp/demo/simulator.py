"""In-process simulator of the OpenAI Admin API, answering from the sample organization."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import string
import struct
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import httpx

from codex_mcp.demo.sample_org import (
    AUDIT_EVENT_TYPES,
    COMPLETION_MODELS,
    DAY,
    EMBEDDING_MODELS,
    LINE_ITEMS,
    PICO,
    SERVICE_TIERS,
    ApiKey,
    AuditEvent,
    DayRecords,
    DayUsage,
    Invite,
    Project,
    Record,
    SampleOrg,
    ServiceAccount,
    User,
    line_item_unit,
)

DEMO_ADMIN_KEY = "demo-admin-key"

JSON = dict[str, Any]
LIST_LIMIT_MAX = 100
LIST_LIMIT_DEFAULT = 20
WIDTHS = {"1m": 60, "1h": 3_600, "1d": DAY}
USAGE_LIMITS = {"1m": (60, 1440), "1h": (24, 168), "1d": (7, 31)}  # (default, max) buckets per page
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURSOR_KEY = b"codex-mcp-demo-page"


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


def _bad(message: str, param: str | None = None, code: str | None = "invalid_value") -> ApiError:
    return ApiError(400, message, param=param, code=code)


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
                raise _bad(f"Unrecognized query parameter: '{name}'.", name, "unknown_parameter")

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
            raise _bad(f"Invalid value for '{name}': expected an integer, got '{value[:40]}'.", name) from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise _bad(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
        return value

    def limit(self, *, default: int, maximum: int, context: str = "") -> int:
        value = self.integer("limit")
        if value is None:
            return default
        if not 1 <= value <= maximum:
            raise _bad(f"Invalid value for 'limit': must be between 1 and {maximum}{context}, got {value}.", "limit")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.one(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise _bad(f"Invalid value for '{name}': expected 'true' or 'false', got '{value[:40]}'.", name)
        return value.lower() == "true"

    def choice(self, name: str, options: Sequence[str], default: str | None = None) -> str | None:
        value = self.one(name)
        if value is None:
            return default
        if value not in options:
            raise _bad(f"Invalid value for '{name}': '{value[:40]}'. Supported values are: {', '.join(options)}.", name)
        return value


def _json_body(request: httpx.Request, allowed: Collection[str]) -> JSON:
    """The request's JSON object body, with unknown fields rejected."""
    try:
        body = json.loads(request.read() or b"")
    except (ValueError, UnicodeDecodeError):
        raise _bad(
            "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.", None, None
        ) from None
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object.", None, None)
    for name in body:
        if name not in allowed:
            raise _bad(f"Unrecognized request argument supplied: {name}", name, "unknown_parameter")
    return body


def _required_str(body: JSON, name: str) -> str:
    value = body.get(name)
    if value is None:
        raise _bad(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"Invalid value for '{name}': expected a non-empty string.", name)
    return value


# --------------------------------------------------------------------------- usage endpoints


@dataclass(frozen=True)
class UsageEndpoint:
    """How one usage (or costs) endpoint reads its per-day records."""

    object: str
    records: Callable[[DayUsage], DayRecords]
    group_fields: dict[str, int]  # group_by name -> record index
    filters: dict[str, str]  # array query parameter -> group field it filters on
    values: tuple[int, ...]  # record indices summed into each result
    widths: tuple[str, ...] = ("1m", "1h", "1d")
    boolean_filters: tuple[str, ...] = ()


COMPLETIONS = UsageEndpoint(
    object="organization.usage.completions.result",
    records=lambda d: d.completions,
    group_fields={"project_id": 1, "user_id": 2, "api_key_id": 3, "model": 4, "batch": 5, "service_tier": 6},
    filters={"project_ids": "project_id", "user_ids": "user_id", "api_key_ids": "api_key_id", "models": "model"},
    values=(7, 8, 9, 10),
    boolean_filters=("batch",),
)
EMBEDDINGS = UsageEndpoint(
    object="organization.usage.embeddings.result",
    records=lambda d: d.embeddings,
    group_fields={"project_id": 1, "user_id": 2, "api_key_id": 3, "model": 4},
    filters={"project_ids": "project_id", "user_ids": "user_id", "api_key_ids": "api_key_id", "models": "model"},
    values=(5, 6),
)
CODE_INTERPRETER = UsageEndpoint(
    object="organization.usage.code_interpreter_sessions.result",
    records=lambda d: d.code_interpreter_sessions,
    group_fields={"project_id": 1},
    filters={"project_ids": "project_id"},
    values=(3,),
)
COSTS = UsageEndpoint(
    object="organization.costs.result",
    records=lambda d: d.costs,
    group_fields={"project_id": 1, "api_key_id": 2, "line_item": 3},
    filters={"project_ids": "project_id", "api_key_ids": "api_key_id"},
    values=(4, 5),
    widths=("1d",),
)
USAGE_ENDPOINTS = {"completions": COMPLETIONS, "embeddings": EMBEDDINGS, "code_interpreter_sessions": CODE_INTERPRETER}


def encode_cursor(bucket_start: int) -> str:
    """An opaque page token: 'page_' + urlsafe base64 of (bucket start, MAC); always ends in '='."""
    packed = struct.pack(">Q", bucket_start)
    mac = hashlib.blake2b(packed, key=_CURSOR_KEY, digest_size=12).digest()
    return "page_" + base64.urlsafe_b64encode(packed + mac).decode()


def decode_cursor(token: str) -> int:
    """The bucket start inside a page token; 400 when it is not one of ours."""
    invalid = ApiError(400, f"Invalid page cursor: '{token[:60]}'.", param="page")
    if not token.startswith("page_") or not re.fullmatch(r"[A-Za-z0-9_\-]+=*", token[5:]):
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token[5:])
    except (binascii.Error, ValueError):
        raise invalid from None
    if len(raw) != 20 or hashlib.blake2b(raw[:8], key=_CURSOR_KEY, digest_size=12).digest() != raw[8:]:
        raise invalid
    return int(struct.unpack(">Q", raw[:8])[0])


def _aggregate(
    rows: list[Record],
    key_of: Callable[[Record], tuple[int, ...]],
    values: tuple[int, ...],
    filters: list[tuple[int, set[int]]],
) -> dict[tuple[int, ...], list[int]]:
    """Sum the value columns of `rows` per group key, skipping rows that fail a filter."""
    out: dict[tuple[int, ...], list[int]] = {}
    get_values = itemgetter(*values)
    single = len(values) == 1
    for row in rows:
        if filters and not all(row[i] in allowed for i, allowed in filters):
            continue
        key = key_of(row)
        vals = (get_values(row),) if single else get_values(row)
        acc = out.get(key)
        if acc is None:
            out[key] = list(vals)
        else:
            for j, v in enumerate(vals):
                acc[j] += v
    return out


def _key_function(indices: Sequence[int]) -> Callable[[Record], tuple[int, ...]]:
    if not indices:
        return lambda _row: ()
    if len(indices) == 1:
        i = indices[0]
        return lambda row: (row[i],)
    return itemgetter(*indices)


# --------------------------------------------------------------------------- the simulator


Handler = Callable[..., JSON]


class AdminAPISimulator:
    """A deterministic, thread-safe stand-in for the OpenAI Admin API (`/v1/organization/...`)."""

    def __init__(self, *, admin_key: str = DEMO_ADMIN_KEY, now: int | None = None, seed: int = 7) -> None:
        self._admin_key = admin_key
        self.now = int(time.time()) if now is None else now
        self.seed = seed
        self.org = SampleOrg(seed=seed, now=self.now)
        self.request_count = 0
        self.requests: list[httpx.Request] = []  # the most recent requests (bounded)
        self._lock = threading.Lock()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = self._build_routes()

    def transport(self) -> httpx.MockTransport:
        """A transport answering every request in-process (works under sync and async clients)."""
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request like the Admin API would."""
        with self._lock:
            self.request_count += 1
            number = self.request_count
            self.requests.append(request)
            if len(self.requests) > 200:
                del self.requests[:100]
            try:
                self._authenticate(request)
                status, body = 200, self._dispatch(request)
            except ApiError as exc:
                status, body = exc.status, exc.body
            except Exception:  # keep a bug in the simulator from hanging a client: answer like the API would
                status = 500
                body = ApiError(
                    500, "The server had an error while processing your request.", type_="server_error"
                ).body
        request_id = "req_" + hashlib.blake2b(f"{self.seed}:{number}".encode(), digest_size=16).hexdigest()
        return httpx.Response(
            status,
            content=json.dumps(body).encode(),
            headers={"content-type": "application/json", "x-request-id": request_id},
            request=request,
        )

    # ------------------------------------------------------------------ plumbing

    def _authenticate(self, request: httpx.Request) -> None:
        header = request.headers.get("authorization")
        if not header:
            raise ApiError(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code="invalid_api_key",
            )
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or key != self._admin_key:
            raise ApiError(401, f"Incorrect API key provided: {redact_key(key)}.", code="invalid_api_key")

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/organization/usage/(completions|embeddings|code_interpreter_sessions)", self._usage),
            ("GET", r"/organization/costs", self._costs),
            ("GET", r"/organization/users", self._list_users),
            ("GET", r"/organization/users/([^/]+)", self._get_user),
            ("POST", r"/organization/users/([^/]+)", self._update_user),
            ("DELETE", r"/organization/users/([^/]+)", self._delete_user),
            ("GET", r"/organization/invites", self._list_invites),
            ("POST", r"/organization/invites", self._create_invite),
            ("GET", r"/organization/invites/([^/]+)", self._get_invite),
            ("GET", r"/organization/projects", self._list_projects),
            ("POST", r"/organization/projects", self._create_project),
            ("GET", r"/organization/projects/([^/]+)", self._get_project),
            ("POST", r"/organization/projects/([^/]+)", self._update_project),
            ("GET", r"/organization/projects/([^/]+)/api_keys", self._list_api_keys),
            ("GET", r"/organization/projects/([^/]+)/api_keys/([^/]+)", self._get_api_key),
            ("GET", r"/organization/projects/([^/]+)/service_accounts", self._list_service_accounts),
            ("GET", r"/organization/audit_logs", self._list_audit_logs),
        ]
        return [(method, re.compile(f"/v1{pattern}"), handler) for method, pattern, handler in table]

    def _dispatch(self, request: httpx.Request) -> JSON:
        path = request.url.path.rstrip("/") or "/"
        method = request.method.upper()
        matched = False
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            matched = True
            if route_method == method:
                return handler(request, Query(request.url.query), *match.groups())
        if matched:
            raise ApiError(405, f"Invalid method for URL ({method} {path}).", code="method_not_allowed")
        raise ApiError(404, f"Invalid URL ({method} {path})", code="unknown_url")

    def _new_id(self, prefix: str, length: int) -> str:
        """A deterministic id for an object created through the API."""
        return prefix + "".join(self.org.next_write_rng().choices(string.ascii_letters + string.digits, k=length))

    # ------------------------------------------------------------------ usage and costs

    def _usage(self, _request: httpx.Request, query: Query, kind: str) -> JSON:
        return self._bucket_page(USAGE_ENDPOINTS[kind], query)

    def _costs(self, _request: httpx.Request, query: Query) -> JSON:
        return self._bucket_page(COSTS, query)

    def _bucket_page(self, endpoint: UsageEndpoint, query: Query) -> JSON:
        names = {"start_time", "end_time", "bucket_width", "group_by", "limit", "page"}
        query.allow(names | set(endpoint.filters) | set(endpoint.boolean_filters))
        start, end = self._time_range(query)
        width_name = query.choice("bucket_width", endpoint.widths, default="1d") or "1d"
        width = WIDTHS[width_name]
        if endpoint is COSTS:
            limit = query.limit(default=7, maximum=180)
        else:
            default, maximum = USAGE_LIMITS[width_name]
            limit = query.limit(default=default, maximum=maximum, context=f" for bucket_width={width_name}")
        group_by = self._group_by(endpoint, query)
        filters = self._usage_filters(endpoint, query)
        first = start - start % width  # buckets are aligned to the width in UTC
        page = query.one("page")
        cursor = first if page is None else max(first, decode_cursor(page) // width * width)
        bucket_starts = range(cursor, min(end, cursor + limit * width), width)
        data = [self._bucket(endpoint, b, min(b + width, end), b + width, group_by, filters) for b in bucket_starts]
        next_start = cursor + limit * width
        has_more = next_start < end
        return {
            "object": "page",
            "data": data,
            "has_more": has_more,
            "next_page": encode_cursor(next_start) if has_more else None,
        }

    def _time_range(self, query: Query) -> tuple[int, int]:
        """`start_time` (required) and `end_time` (default: now), validated."""
        start = query.required_integer("start_time")
        if start < 0:
            raise _bad("Invalid value for 'start_time': must be a non-negative Unix timestamp.", "start_time")
        end = query.integer("end_time")
        end = self.now if end is None else end
        if end <= start:
            raise _bad("Invalid value for 'end_time': must be greater than start_time.", "end_time")
        return start, end

    def _group_by(self, endpoint: UsageEndpoint, query: Query) -> list[str]:
        fields: list[str] = []
        for value in query.many("group_by"):
            if value not in endpoint.group_fields:
                supported = ", ".join(endpoint.group_fields)
                raise _bad(
                    f"Invalid value for 'group_by': '{value[:40]}'. Supported values are: {supported}.", "group_by"
                )
            if value not in fields:
                fields.append(value)
        return fields

    def _usage_filters(self, endpoint: UsageEndpoint, query: Query) -> list[tuple[int, set[int]]]:
        filters: list[tuple[int, set[int]]] = []
        for param, field_name in endpoint.filters.items():
            values = query.many(param)
            if values:
                filters.append((endpoint.group_fields[field_name], self._indices(endpoint, field_name, values)))
        for param in endpoint.boolean_filters:
            flag = query.boolean(param)
            if flag is not None:
                filters.append((endpoint.group_fields[param], {int(flag)}))
        return filters

    def _indices(self, endpoint: UsageEndpoint, field_name: str, values: list[str]) -> set[int]:
        """Record indices of the ids or names in a filter; unknown ones match nothing."""
        org = self.org
        lookup: dict[str, int]
        if field_name == "project_id":
            lookup = org.project_index
        elif field_name == "user_id":
            lookup = org.user_index
        elif field_name == "api_key_id":
            lookup = org.key_index
        else:
            models = COMPLETION_MODELS if endpoint is COMPLETIONS else EMBEDDING_MODELS
            lookup = {m.model: i for i, m in enumerate(models)}
        return {lookup[v] for v in values if v in lookup}

    def _bucket(
        self,
        endpoint: UsageEndpoint,
        start: int,
        cut: int,
        end: int,
        group_by: list[str],
        filters: list[tuple[int, set[int]]],
    ) -> JSON:
        day = start - start % DAY
        records = endpoint.records(self.org.day(day))
        rows = records.rows if start == day and cut >= day + DAY else records.between(start, cut)
        key_of = _key_function([endpoint.group_fields[f] for f in group_by])
        groups = _aggregate(rows, key_of, endpoint.values, filters)
        results = [self._result(endpoint, group_by, key, values) for key, values in sorted(groups.items())]
        return {"object": "bucket", "start_time": start, "end_time": end, "results": results}

    def _result(self, endpoint: UsageEndpoint, group_by: list[str], key: tuple[int, ...], values: list[int]) -> JSON:
        fields: JSON = dict.fromkeys(endpoint.group_fields)
        for name, index in zip(group_by, key, strict=True):
            fields[name] = self._field_value(endpoint, name, index)
        if endpoint is COMPLETIONS:
            return _completions_result(values, fields)
        if endpoint is EMBEDDINGS:
            return {"object": endpoint.object, "input_tokens": values[0], "num_model_requests": values[1], **fields}
        if endpoint is CODE_INTERPRETER:
            return {"object": endpoint.object, "num_sessions": values[0], **fields}
        grouped_by_line_item = "line_item" in group_by
        return {
            "object": endpoint.object,
            "amount": {"value": round(values[0] / PICO, 6), "currency": "usd"},
            **fields,
            "quantity": values[1] if grouped_by_line_item else None,
            "quantity_unit": line_item_unit(fields["line_item"]) if grouped_by_line_item else None,
        }

    def _field_value(self, endpoint: UsageEndpoint, name: str, index: int) -> str | bool | None:
        org = self.org
        if name == "project_id":
            return org.projects[index].id
        if name == "user_id":
            return None if index < 0 else org.users[index].id
        if name == "api_key_id":
            return org.api_keys[index].id
        if name == "model":
            return (COMPLETION_MODELS if endpoint is COMPLETIONS else EMBEDDING_MODELS)[index].model
        if name == "batch":
            return bool(index)
        if name == "service_tier":
            return SERVICE_TIERS[index]
        return LINE_ITEMS[index]

    # ------------------------------------------------------------------ users

    def _live_user(self, user_id: str) -> User:
        user = self.org.user(user_id)
        if user is None or user.deleted:
            raise ApiError(404, f"No such user: {user_id[:80]}", code="user_not_found")
        return user

    def _list_users(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow({"limit", "after", "emails"})
        emails = {e.lower() for e in query.many("emails")}

        def visible(user: User) -> bool:
            return not user.deleted and (not emails or user.email.lower() in emails)

        return self._list(self.org.users, visible, query, _user_json)

    def _get_user(self, _request: httpx.Request, query: Query, user_id: str) -> JSON:
        query.allow(())
        return _user_json(self._live_user(user_id))

    def _update_user(self, request: httpx.Request, query: Query, user_id: str) -> JSON:
        query.allow(())
        user = self._live_user(user_id)
        body = _json_body(request, {"role", "role_id", "technical_level", "developer_persona"})
        role = body.get("role")
        if role is None:
            raise _bad("Missing required parameter: 'role'.", "role", "missing_required_parameter")
        if role not in ("owner", "reader"):
            raise _bad(f"Invalid value for 'role': {str(role)[:40]!r}. Supported values are: owner, reader.", "role")
        user.role = role
        details = {"id": user.id, "changes_requested": {"role": role}}
        self.org.append_audit_event("user.updated", {"details": details})
        return _user_json(user)

    def _delete_user(self, _request: httpx.Request, query: Query, user_id: str) -> JSON:
        query.allow(())
        user = self._live_user(user_id)
        user.deleted = True
        self.org.append_audit_event("user.deleted", {"details": {"id": user.id}})
        return {"object": "organization.user.deleted", "id": user.id, "deleted": True}

    # ------------------------------------------------------------------ invites

    def _list_invites(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow({"limit", "after"})
        return self._list(self.org.invites, lambda _i: True, query, _invite_json)

    def _get_invite(self, _request: httpx.Request, query: Query, invite_id: str) -> JSON:
        query.allow(())
        invite = next((i for i in self.org.invites if i.id == invite_id), None)
        if invite is None:
            raise ApiError(404, f"No such invite: {invite_id[:80]}", code="invite_not_found")
        return _invite_json(invite)

    def _create_invite(self, request: httpx.Request, query: Query) -> JSON:
        query.allow(())
        body = _json_body(request, {"email", "role", "projects"})
        email = _required_str(body, "email").strip()
        role = _required_str(body, "role")
        if not EMAIL_RE.match(email):
            raise _bad(f"Invalid value for 'email': {email[:80]!r} is not an email address.", "email")
        if role not in ("reader", "owner"):
            raise _bad(f"Invalid value for 'role': {role[:40]!r}. Supported values are: reader, owner.", "role")
        projects = self._invite_projects(body.get("projects", []))
        lowered = email.lower()
        if any(u.email.lower() == lowered and not u.deleted for u in self.org.users):
            raise _bad(f"{email} is already a member of this organization.", "email", "user_already_member")
        if any(i.email.lower() == lowered and i.status == "pending" for i in self.org.invites):
            raise _bad(f"There is already a pending invite for {email}.", "email", "invite_already_pending")
        invite_id = self._new_id("invite-", 24)
        invite = Invite(invite_id, email, role, "pending", self.now, self.now + 7 * DAY, None, projects)
        self.org.invites.append(invite)
        details = {"id": invite.id, "data": {"email": email, "role": role}}
        self.org.append_audit_event("invite.sent", {"details": details})
        return _invite_json(invite)

    def _invite_projects(self, raw: object) -> list[dict[str, str]]:
        if not isinstance(raw, list):
            raise _bad("Invalid value for 'projects': expected an array.", "projects")
        projects: list[dict[str, str]] = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise _bad("Invalid value for 'projects': each item needs an 'id' and a 'role'.", "projects")
            if item.get("role") not in ("member", "owner"):
                raise _bad("Invalid value for 'projects[].role': supported values are: member, owner.", "projects")
            project = self.org.project(item["id"])
            if project is None or project.archived_at is not None:
                raise _bad(f"Invalid value for 'projects': no active project {item['id'][:80]}.", "projects")
            projects.append({"id": project.id, "role": item["role"]})
        return projects

    # ------------------------------------------------------------------ projects

    def _project(self, project_id: str) -> Project:
        project = self.org.project(project_id)
        if project is None:
            raise ApiError(404, "Project not found", code="project_not_found")
        return project

    def _list_projects(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow({"limit", "after", "include_archived"})
        include_archived = bool(query.boolean("include_archived"))
        return self._list(self.org.projects, lambda p: include_archived or p.archived_at is None, query, _project_json)

    def _get_project(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        return _project_json(self._project(project_id))

    def _create_project(self, request: httpx.Request, query: Query) -> JSON:
        query.allow(())
        body = _json_body(request, {"name", "residency", "external_key_id"})
        name = _required_str(body, "name")
        project = Project(id=self._new_id("proj_", 24), name=name, created_at=self.now)
        project.members[self.org.default_user.id] = "owner"
        self.org.add_project(project)
        details = {"id": project.id, "data": {"name": name, "title": name}}
        self.org.append_audit_event("project.created", {"details": details, "project": project})
        return _project_json(project)

    def _update_project(self, request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        project = self._project(project_id)
        body = _json_body(request, {"name", "external_key_id"})
        if project is self.org.default_project:
            raise _bad("The default project cannot be updated.", None, None)
        name = body.get("name")
        if name is not None:
            project.name = _required_str(body, "name")
            details = {"id": project.id, "changes_requested": {"title": project.name}}
            self.org.append_audit_event("project.updated", {"details": details, "project": project})
        return _project_json(project)

    def _list_api_keys(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow({"limit", "after", "owner_project_access"})
        project = self._project(project_id)
        access = query.choice("owner_project_access", ("active", "inactive", "any"))
        keys = [k for k in self.org.api_keys if k.project_id == project.id]

        def visible(key: ApiKey) -> bool:
            active = self.org.owner_has_access(key)
            return access == "any" or (access == "inactive" and not active) or (access in (None, "active") and active)

        return self._list(keys, visible, query, self._api_key_json)

    def _get_api_key(self, _request: httpx.Request, query: Query, project_id: str, key_id: str) -> JSON:
        query.allow(())
        project = self._project(project_id)
        key = next((k for k in self.org.api_keys if k.id == key_id and k.project_id == project.id), None)
        if key is None:
            raise ApiError(404, f"No such API key: {key_id[:80]}", code="api_key_not_found")
        return self._api_key_json(key)

    def _list_service_accounts(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow({"limit", "after"})
        project = self._project(project_id)
        if project.archived_at is not None:
            raise _bad(f"Project {project.id} is archived.", None, "project_archived")
        accounts = [s for s in self.org.service_accounts if s.project_id == project.id]
        return self._list(accounts, lambda _s: True, query, _service_account_json)

    def _api_key_json(self, key: ApiKey) -> JSON:
        org = self.org
        if key.owner_service_account_id is not None:
            account = org.service_account(key.owner_service_account_id)
            assert account is not None
            owner: JSON = {
                "type": "service_account",
                "service_account": {
                    "id": account.id,
                    "name": account.name,
                    "created_at": account.created_at,
                    "role": account.role,
                },
            }
        else:
            user = org.user(key.owner_user_id or "")
            assert user is not None
            project = org.project(key.project_id)
            role = project.members.get(user.id, "member") if project else "member"
            owner = {
                "type": "user",
                "user": {
                    "id": user.id,
                    "email": user.email,
                    "name": user.name,
                    "created_at": user.added_at,
                    "role": role,
                },
            }
        return {
            "object": "organization.project.api_key",
            "redacted_value": key.redacted_value,
            "name": key.name,
            "created_at": key.created_at,
            "last_used_at": org.key_last_used(org.key_index[key.id]),
            "id": key.id,
            "owner_project_access": "active" if org.owner_has_access(key) else "inactive",
            "owner": owner,
        }

    # ------------------------------------------------------------------ audit logs

    def _list_audit_logs(self, _request: httpx.Request, query: Query) -> JSON:
        array_names = ("project_ids[]", "event_types[]", "actor_ids[]", "actor_emails[]", "resource_ids[]")
        range_names = tuple(f"effective_at[{op}]" for op in ("gt", "gte", "lt", "lte"))
        query.allow({*array_names, *range_names, "tenant_only", "limit", "after", "before"})
        limit = query.limit(default=LIST_LIMIT_DEFAULT, maximum=LIST_LIMIT_MAX)
        event_types = set(query.many("event_types[]"))
        unknown = sorted(event_types - AUDIT_EVENT_TYPES)
        if unknown:
            raise _bad(f"Invalid value for 'event_types[]': '{unknown[0][:60]}'.", "event_types[]")
        bounds = {name: query.integer(name) for name in range_names}
        projects, actors = set(query.many("project_ids[]")), set(query.many("actor_ids[]"))
        emails = {e.lower() for e in query.many("actor_emails[]")}
        resources = set(query.many("resource_ids[]"))
        tenant_only = bool(query.boolean("tenant_only"))
        after, before = query.one("after"), query.one("before")
        if after is not None and before is not None:
            raise _bad("Only one of 'after' and 'before' may be given.", "before")

        def visible(event: AuditEvent) -> bool:
            ts = event.effective_at
            return (
                (bounds["effective_at[gt]"] is None or ts > bounds["effective_at[gt]"])
                and (bounds["effective_at[gte]"] is None or ts >= bounds["effective_at[gte]"])
                and (bounds["effective_at[lt]"] is None or ts < bounds["effective_at[lt]"])
                and (bounds["effective_at[lte]"] is None or ts <= bounds["effective_at[lte]"])
                and (not event_types or event.type in event_types)
                and (not projects or event.project_id in projects)
                and (not actors or not actors.isdisjoint(event.actor_ids))
                and (not emails or (event.actor_email or "").lower() in emails)
                and (not resources or event.resource_id in resources)
                and (event.type.startswith("tenant.") == tenant_only)
            )

        newest_first = self.org.audit_events[::-1]
        positions = {e.id: i for i, e in enumerate(newest_first)}
        cursor = after if after is not None else before
        if cursor is not None and cursor not in positions:
            raise _bad(f"Invalid cursor: no audit log with id {cursor[:80]}.", "after" if after else "before")
        if before is not None:
            matching = [e for e in newest_first[: positions[before]] if visible(e)]
            page, has_more = matching[-limit:], len(matching) > limit
        else:
            begin = 0 if after is None else positions[after] + 1
            page, has_more = [], False
            for event in newest_first[begin:]:
                if visible(event):
                    if len(page) == limit:
                        has_more = True
                        break
                    page.append(event)
        return _list_json([e.body for e in page], has_more)

    # ------------------------------------------------------------------ list helper

    def _list(
        self, items: Sequence[Any], visible: Callable[[Any], bool], query: Query, render: Callable[[Any], JSON]
    ) -> JSON:
        """One page of a cursor list: items after the `after` id (in the full order), filtered by `visible`.

        An unknown `after` id is a 400. Deleted users keep their place, so paging past one still works.
        """
        limit = query.limit(default=LIST_LIMIT_DEFAULT, maximum=LIST_LIMIT_MAX)
        after = query.one("after")
        begin = 0
        if after is not None:
            ids = [item.id for item in items]
            if after not in ids:
                raise _bad(f"Invalid value for 'after': no object with id {after[:80]}.", "after")
            begin = ids.index(after) + 1
        page: list[JSON] = []
        has_more = False
        for item in items[begin:]:
            if visible(item):
                if len(page) == limit:
                    has_more = True
                    break
                page.append(render(item))
        return _list_json(page, has_more)


# --------------------------------------------------------------------------- serialization


def _list_json(data: list[JSON], has_more: bool) -> JSON:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def _completions_result(values: list[int], fields: JSON) -> JSON:
    input_tokens, cached, output, requests = values
    return {
        "object": COMPLETIONS.object,
        "input_tokens": input_tokens,
        "input_cached_tokens": cached,
        "input_cache_write_tokens": 0,
        "input_uncached_tokens": input_tokens - cached,
        "output_tokens": output,
        "input_text_tokens": input_tokens - cached,
        "output_text_tokens": output,
        "input_cached_text_tokens": cached,
        "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0,
        "output_audio_tokens": 0,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": requests,
        **fields,
    }


def _user_json(user: User) -> JSON:
    return {
        "object": "organization.user",
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "added_at": user.added_at,
        "is_default": user.is_default,
    }


def _invite_json(invite: Invite) -> JSON:
    return {
        "object": "organization.invite",
        "id": invite.id,
        "email": invite.email,
        "role": invite.role,
        "status": invite.status,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "accepted_at": invite.accepted_at,
        "projects": [dict(p) for p in invite.projects],
    }


def _project_json(project: Project) -> JSON:
    return {
        "id": project.id,
        "object": "organization.project",
        "name": project.name,
        "created_at": project.created_at,
        "archived_at": project.archived_at,
        "status": project.status,
        "external_key_id": None,
    }


def _service_account_json(account: ServiceAccount) -> JSON:
    return {
        "object": "organization.project.service_account",
        "id": account.id,
        "name": account.name,
        "role": account.role,
        "created_at": account.created_at,
    }
