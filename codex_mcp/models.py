"""Pydantic models of the objects the OpenAI Admin API returns, lean when serialized."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from codex_mcp.timeparse import iso


class Lean(BaseModel):
    """Base model whose JSON leaves out null fields, so results carry no null noise."""

    @model_serializer(mode="wrap")
    def _drop_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value is not None}


class ApiObject(Lean):
    """An API object: unknown fields pass through, and every `<x>_iso` field mirrors the Unix-seconds field `<x>`."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="after")
    def _fill_iso(self) -> ApiObject:
        for name in type(self).model_fields:
            if name.endswith("_iso") and getattr(self, name) is None:
                seconds = getattr(self, name.removesuffix("_iso"), None)
                if isinstance(seconds, int | float) and not isinstance(seconds, bool):
                    setattr(self, name, iso(seconds))
        return self


class User(ApiObject):
    """A member of the organization."""

    object: str = "organization.user"
    id: str
    name: str | None = None
    email: str | None = None
    role: str | None = Field(None, description="`owner` or `reader`.")
    added_at: int | None = Field(None, description="When the user joined, Unix seconds.")
    added_at_iso: str | None = Field(None, description="`added_at` as ISO-8601 UTC.")
    created: int | None = Field(None, description="When the user account was created, Unix seconds.")
    created_iso: str | None = None
    is_default: bool | None = None
    is_service_account: bool | None = None
    api_key_last_used_at: int | None = None
    api_key_last_used_at_iso: str | None = None


class UserDeleted(ApiObject):
    """Confirmation that a user was removed from the organization."""

    object: str = "organization.user.deleted"
    id: str
    deleted: bool


class InviteProject(Lean):
    """A project membership granted when an invite is accepted."""

    id: str
    role: str = Field(description="`member` or `owner`.")


class Invite(ApiObject):
    """An invitation to join the organization."""

    object: str = "organization.invite"
    id: str
    email: str
    role: str = Field(description="`owner` or `reader`.")
    status: str | None = Field(None, description="`pending`, `accepted` or `expired`.")
    created_at: int | None = None
    created_at_iso: str | None = None
    expires_at: int | None = None
    expires_at_iso: str | None = None
    accepted_at: int | None = None
    accepted_at_iso: str | None = None
    projects: list[InviteProject] | None = None


class Project(ApiObject):
    """A project in the organization."""

    object: str = "organization.project"
    id: str
    name: str | None = None
    status: str | None = Field(None, description="`active` or `archived`.")
    created_at: int | None = None
    created_at_iso: str | None = None
    archived_at: int | None = None
    archived_at_iso: str | None = None


class ApiKeyOwner(Lean):
    """Who owns a project API key: a user or a service account."""

    model_config = ConfigDict(extra="allow")

    type: str | None = Field(None, description="`user` or `service_account`.")
    user: dict[str, Any] | None = None
    service_account: dict[str, Any] | None = None


class ProjectApiKey(ApiObject):
    """A project API key (its secret is never returned, only a redacted form)."""

    object: str = "organization.project.api_key"
    id: str
    name: str | None = None
    redacted_value: str | None = None
    created_at: int | None = None
    created_at_iso: str | None = None
    last_used_at: int | None = None
    last_used_at_iso: str | None = None
    owner_project_access: str | None = None
    owner: ApiKeyOwner | None = None


class ServiceAccount(ApiObject):
    """A project service account."""

    object: str = "organization.project.service_account"
    id: str
    name: str | None = None
    role: str | None = Field(None, description="`owner`, `member` or `none`.")
    created_at: int | None = None
    created_at_iso: str | None = None


class AuditEvent(ApiObject):
    """One audit-log event; the type-specific payload (the API's key named after the type) is in `details`."""

    id: str
    type: str
    effective_at: int
    effective_at_iso: str | None = None
    actor: dict[str, Any] | None = None
    actor_summary: str | None = Field(None, description="Who did it, in one line (email or id, and how).")
    project: dict[str, Any] | None = None
    details: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift_details(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("type"), str) and raw["type"] in raw:
            raw = dict(raw)
            raw["details"] = raw.pop(raw["type"]) or None
        if isinstance(raw, dict) and raw.get("actor_summary") is None:
            raw = {**raw, "actor_summary": _actor_summary(raw.get("actor"))}
        return raw


def _actor_summary(actor: Any) -> str | None:
    if not isinstance(actor, dict):
        return None
    kind = actor.get("type")
    if kind == "session":
        session = actor.get("session") or {}
        user = session.get("user") or {}
        who = user.get("email") or user.get("id") or "unknown user"
        ip = session.get("ip_address")
        return f"{who} (web session{', from ' + ip if ip else ''})"
    if kind == "api_key":
        key = actor.get("api_key") or {}
        owner = key.get("user") or key.get("service_account") or {}
        who = owner.get("email") or owner.get("id") or "unknown owner"
        return f"{who} (API key {key.get('id', '?')}, {key.get('type', 'user')})"
    return str(kind) if kind else None


class ListPage(BaseModel):
    """One page of a list endpoint as the API returns it."""

    model_config = ConfigDict(extra="allow")

    data: list[dict[str, Any]]
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None


class UsageBucket(BaseModel):
    """One time bucket of a usage or costs response."""

    model_config = ConfigDict(extra="allow")

    start_time: int
    end_time: int
    results: list[dict[str, Any]] = Field(default_factory=list)


class UsagePage(BaseModel):
    """One page of a usage or costs response."""

    model_config = ConfigDict(extra="allow")

    data: list[UsageBucket]
    has_more: bool = False
    next_page: str | None = None


ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a list endpoint: its items and the cursor for the next page (None when there is none)."""

    items: list[ItemT]
    has_more: bool
    next_after: str | None


@dataclass(frozen=True)
class UsageQuery:
    """What to ask a usage or costs endpoint for: a [start, end) range, bucket width, grouping and filters."""

    start_time: int
    end_time: int
    bucket_width: str = "1d"
    group_by: Sequence[str] = ()
    filters: Mapping[str, Sequence[str] | bool | None] = field(default_factory=dict)


@dataclass(frozen=True)
class BucketSeries:
    """Every bucket of a usage or costs query, gathered from all its pages (and from the cache of closed periods)."""

    source: str
    buckets: list[UsageBucket]
    pages: int  # pages requested from the API
    cached_buckets: int = 0  # buckets answered from memory instead of the API
