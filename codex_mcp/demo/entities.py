"""The sample organization's entities: users, projects, keys, invites and the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass
class User:
    """An organization member."""

    id: str
    name: str
    email: str
    role: str
    added_at: int
    is_default: bool = False
    deleted: bool = False


@dataclass
class Project:
    """A project with its members (user id -> project role)."""

    id: str
    name: str
    created_at: int
    archived_at: int | None = None
    members: dict[str, str] = field(default_factory=dict)
    member_added_at: dict[str, int] = field(default_factory=dict)  # user id -> when they joined the project

    @property
    def status(self) -> str:
        return "archived" if self.archived_at is not None else "active"


@dataclass
class ServiceAccount:
    """A project service account."""

    id: str
    project_id: str
    name: str
    role: str
    created_at: int
    deleted: bool = False


@dataclass
class ApiKey:
    """A project API key owned by a user or by a service account."""

    id: str
    project_id: str
    name: str
    redacted_value: str
    created_at: int
    owner_user_id: str | None = None
    owner_service_account_id: str | None = None
    deleted: bool = False


@dataclass
class Invite:
    """An invitation to join the organization."""

    id: str
    email: str
    role: str
    status: str
    created_at: int
    expires_at: int | None
    accepted_at: int | None
    projects: list[dict[str, str]] = field(default_factory=list)
    deleted: bool = False


class AuditEvent(NamedTuple):
    """An audit log entry with the fields the list filters look at, and its API body."""

    effective_at: int
    id: str
    type: str
    project_id: str | None
    actor_ids: tuple[str, ...]
    actor_email: str | None
    resource_id: str | None
    body: dict[str, Any]


@dataclass
class AdminApiKey:
    """An organization admin API key, owned by an organization owner."""

    id: str
    name: str
    redacted_value: str
    created_at: int
    expires_at: int | None
    last_used_at: int | None
    owner_user_id: str
    deleted: bool = False


@dataclass(frozen=True)
class Role:
    """An organization role: predefined (owner, reader) or custom."""

    id: str
    name: str
    description: str
    permissions: tuple[str, ...]
    predefined: bool
    created_at: int
    created_by: str | None  # user id; None for predefined roles
    resource_type: str = "api.organization"


@dataclass
class Group:
    """A group of users; it may hold organization roles and have access to projects."""

    id: str
    name: str
    created_at: int
    is_scim_managed: bool
    members: dict[str, int] = field(default_factory=dict)  # user id -> when they joined the group
    projects: dict[str, int] = field(default_factory=dict)  # project id -> when the group got access
    role_ids: list[str] = field(default_factory=list)


@dataclass
class Certificate:
    """An uploaded mTLS certificate, active for the organization and/or for some projects."""

    id: str
    name: str
    created_at: int
    valid_at: int
    expires_at: int
    active: bool
    active_projects: set[str] = field(default_factory=set)


@dataclass
class SpendLimit:
    """A hard monthly spend limit, in cents."""

    threshold_amount: int
    currency: str = "USD"
    interval: str = "month"


@dataclass
class SpendAlert:
    """An email alert when the month's spend reaches a threshold, in cents."""

    id: str
    threshold_amount: int
    recipients: list[str]
    subject_prefix: str | None
    created_at: int
    currency: str = "USD"
    interval: str = "month"


@dataclass
class RateLimit:
    """A project's limits for one model (`max_requests_per_1_minute` and the like)."""

    id: str
    model: str
    limits: dict[str, int]
