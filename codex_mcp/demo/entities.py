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
