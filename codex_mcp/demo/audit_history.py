"""The sample organization's audit log: lifecycle events of its entities plus daily background activity."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from codex_mcp.demo.entities import ApiKey, AuditEvent, Project, User
from codex_mcp.demo.sample_common import DAY, HOUR, day_factor, hash_int, rand_id, timestamp_in_day

if TYPE_CHECKING:
    from codex_mcp.demo.sample_org import SampleOrg

USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5"

# Background audit events per day: (type, weight).
NOISE_EVENTS: tuple[tuple[str, int], ...] = (
    ("login.succeeded", 36),
    ("logout.succeeded", 10),
    ("login.failed", 5),
    ("api_key.updated", 6),
    ("api_key.created", 4),
    ("project.updated", 3),
    ("user.updated", 4),
    ("rate_limit.updated", 3),
    ("service_account.updated", 2),
    ("organization.updated", 1),
    ("group.created", 1),
    ("role.assignment.created", 1),
    ("ip_allowlist.updated", 1),
    ("certificate.created", 1),
)


class AuditHistory:
    """Builds the audit log of an organization from its entities and a hash of (seed, day)."""

    def __init__(self, org: SampleOrg) -> None:
        self.org = org

    def build(self) -> list[AuditEvent]:
        """The events of the window, oldest first."""
        raw: list[tuple[int, str, dict[str, Any]]] = []
        raw += self._lifecycle_events()
        day = self.org.window_start
        while day <= self.org.today:
            raw += self._noise_events(day)
            day += DAY
        raw = [e for e in raw if self.org.window_start <= e[0] <= self.org.now]
        raw.sort(key=lambda e: (e[0], e[1], str(e[2]["details"].get("id"))))
        seen: set[str] = set()
        events: list[AuditEvent] = []
        for ts, event_type, parts in raw:
            n = 0
            while (suffix := _audit_suffix(self.org.seed, ts, event_type, parts, n)) in seen:
                n += 1
            seen.add(suffix)
            events.append(make_event(ts, event_type, parts, suffix))
        return events

    def _session(self, rng: random.Random, user: User) -> dict[str, Any]:
        ip = f"{rng.choice(('203.0.113', '198.51.100'))}.{rng.randint(2, 250)}"
        return {
            "type": "session",
            "session": {"user": {"id": user.id, "email": user.email}, "ip_address": ip, "user_agent": USER_AGENT},
        }

    def _key_actor(self, key: ApiKey) -> dict[str, Any]:
        if key.owner_service_account_id is not None:
            return {
                "type": "api_key",
                "api_key": {
                    "id": key.id,
                    "type": "service_account",
                    "service_account": {"id": key.owner_service_account_id},
                },
            }
        user = self.org.user(key.owner_user_id or "")
        assert user is not None
        return {
            "type": "api_key",
            "api_key": {"id": key.id, "type": "user", "user": {"id": user.id, "email": user.email}},
        }

    def _lifecycle_events(self) -> list[tuple[int, str, dict[str, Any]]]:
        """Events implied by the entities: creations, archives, invites and members joining in the window."""
        rng = random.Random(f"codex-mcp-demo:{self.org.seed}:lifecycle")
        owners = [u for u in self.org.users if u.role == "owner"]
        out: list[tuple[int, str, dict[str, Any]]] = []
        for p in self.org.projects:
            actor = self._session(rng, rng.choice(owners))
            out.append(
                (p.created_at, "project.created", _parts(actor, p, p.id, data={"name": p.name, "title": p.name}))
            )
            if p.archived_at is not None:
                out.append((p.archived_at, "project.archived", _parts(actor, p, p.id)))
        for key in self.org.api_keys:
            project = self.org.project(key.project_id)
            data: dict[str, Any] = {"scopes": ["api.all"]}
            out.append(
                (
                    key.created_at,
                    "api_key.created",
                    _parts(self._session(rng, rng.choice(owners)), project, key.id, data=data),
                )
            )
        for sa in self.org.service_accounts:
            project = self.org.project(sa.project_id)
            actor = self._session(rng, rng.choice(owners))
            out.append(
                (sa.created_at, "service_account.created", _parts(actor, project, sa.id, data={"role": sa.role}))
            )
        for inv in self.org.invites:
            actor = self._session(rng, rng.choice(owners))
            data = {"email": inv.email, "role": inv.role}
            out.append((inv.created_at, "invite.sent", _parts(actor, None, inv.id, data=data)))
            if inv.accepted_at is not None:
                out.append((inv.accepted_at, "invite.accepted", _parts(actor, None, inv.id)))
        for user in self.org.users:
            actor = self._session(rng, user)
            out.append((user.added_at, "user.added", _parts(actor, None, user.id, data={"role": user.role})))
        return out

    def _noise_events(self, day: int) -> list[tuple[int, str, dict[str, Any]]]:
        """Background activity of one day (logins, key and setting changes), from a hash of (seed, day)."""
        rng = random.Random(hash_int("codex-mcp-demo", self.org.seed, "audit", day // DAY))
        count = max(0, round(rng.gauss(12, 2) * day_factor(day)))
        types = rng.choices([t for t, _ in NOISE_EVENTS], weights=[w for _, w in NOISE_EVENTS], k=count)
        out: list[tuple[int, str, dict[str, Any]]] = []
        for event_type in types:
            ts = timestamp_in_day(rng, day)
            out.extend(self._noise_event(rng, ts, event_type))
        return out

    def _noise_event(self, rng: random.Random, ts: int, event_type: str) -> list[tuple[int, str, dict[str, Any]]]:
        user = self.org.users[rng.choice(self.org.developers)] if rng.random() < 0.8 else rng.choice(self.org.users)
        session = self._session(rng, user)
        key = rng.choice(self.org.api_keys)
        project = self.org.project(key.project_id)
        if event_type.startswith(("login.", "logout.")):
            details = {"error_code": "invalid_credentials", "error_message": "Wrong email or password."}
            return [(ts, event_type, {"actor": session, "details": details if event_type.endswith("failed") else {}})]
        if event_type == "api_key.created":  # a short-lived key: created, then deleted a few hours later
            temp_id = rand_id(rng, "key_", 16)
            data = {"scopes": ["api.model.request"]}
            return [
                (ts, "api_key.created", _parts(session, project, temp_id, data=data)),
                (ts + rng.randint(HOUR, 8 * HOUR), "api_key.deleted", _parts(session, project, temp_id)),
            ]
        if event_type == "api_key.updated":
            actor = self._key_actor(key) if rng.random() < 0.3 else session
            changes: dict[str, Any] = {"scopes": rng.choice((["api.model.request"], ["api.all"], ["api.model.read"]))}
            return [(ts, event_type, _parts(actor, project, key.id, changes=changes))]
        if event_type == "project.updated":
            return [
                (
                    ts,
                    event_type,
                    _parts(
                        session,
                        project,
                        project.id if project else None,
                        changes={"title": project.name if project else ""},
                    ),
                )
            ]
        if event_type == "user.updated":
            target = rng.choice(self.org.users)
            return [(ts, event_type, _parts(session, None, target.id, changes={"role": target.role}))]
        if event_type == "rate_limit.updated":
            changes = {"max_requests_per_1_minute": rng.choice((500, 1000, 5000))}
            return [(ts, event_type, _parts(session, project, rand_id(rng, "rl-", 12), changes=changes))]
        if event_type == "service_account.updated" and self.org.service_accounts:
            sa = rng.choice(self.org.service_accounts)
            project = self.org.project(sa.project_id)
            return [(ts, event_type, _parts(session, project, sa.id, changes={"role": sa.role}))]
        simple_details: dict[str, dict[str, Any]] = {
            "organization.updated": {"id": "org-demo", "changes_requested": {"title": "Example Corp"}},
            "group.created": {"id": rand_id(rng, "group_", 12), "data": {"group_name": "ml-platform"}},
            "role.assignment.created": {
                "id": rand_id(rng, "ra_", 12),
                "principal_id": user.id,
                "principal_type": "user",
                "resource_id": project.id if project else "",
                "resource_type": "project",
            },
            "ip_allowlist.updated": {"id": "ipal_demo", "allowed_ips": ["203.0.113.0/24", "198.51.100.0/24"]},
            "certificate.created": {"id": rand_id(rng, "cert_", 12), "name": "mtls-client"},
        }
        return [(ts, event_type, {"actor": session, "details": simple_details.get(event_type, {})})]


def make_event(ts: int, event_type: str, parts: dict[str, Any], suffix: str) -> AuditEvent:
    """An audit log entry from its parts: actor, project and the details under the event type."""
    date = datetime.fromtimestamp(ts, UTC).strftime("%Y%m%d")
    event_id = f"audit_log-{suffix}_{date}"
    body: dict[str, Any] = {"id": event_id, "type": event_type, "effective_at": ts}
    actor = parts.get("actor")
    body["actor"] = actor
    project: Project | None = parts.get("project")
    if project is not None:
        body["project"] = {"id": project.id, "name": project.name}
    details = parts.get("details", {})
    body[event_type] = details
    actor_ids, actor_email = _actor_identity(actor)
    return AuditEvent(
        effective_at=ts,
        id=event_id,
        type=event_type,
        project_id=project.id if project else None,
        actor_ids=actor_ids,
        actor_email=actor_email,
        resource_id=details.get("id"),
        body=body,
    )


def _parts(
    actor: dict[str, Any],
    project: Project | None,
    resource_id: str | None,
    *,
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    details: dict[str, Any] = {"id": resource_id}
    if data is not None:
        details["data"] = data
    if changes is not None:
        details["changes_requested"] = changes
    return {"actor": actor, "project": project, "details": details}


def _audit_suffix(seed: int, ts: int, event_type: str, parts: dict[str, Any], n: int) -> str:
    """A stable id suffix derived from the event's content."""
    return f"{hash_int(seed, ts, event_type, parts['details'].get('id'), str(parts['actor']), n):016x}"


def _actor_identity(actor: dict[str, Any] | None) -> tuple[tuple[str, ...], str | None]:
    """The ids an `actor_ids[]` filter matches, and the email an `actor_emails[]` filter matches."""
    if not actor:
        return (), None
    if actor["type"] == "session":
        user = actor["session"]["user"]
        return (user["id"],), user["email"]
    key = actor["api_key"]
    owner = key.get("user") or key.get("service_account") or {}
    ids = tuple(i for i in (key.get("id"), owner.get("id")) if i)
    return ids, owner.get("email")
