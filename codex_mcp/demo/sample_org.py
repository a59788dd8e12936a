"""Deterministic generation of the sample organization served by the Admin API simulator."""

from __future__ import annotations

import random
from functools import cached_property
from typing import Any

from codex_mcp.demo.audit_event_types import AUDIT_EVENT_TYPES
from codex_mcp.demo.audit_history import AuditHistory, make_event
from codex_mcp.demo.catalog import (
    CODE_INTERPRETER_LINE_ITEM,
    CODE_INTERPRETER_SESSION_PRICE,
    COMPLETION_MODELS,
    EMBEDDING_MODELS,
    LINE_ITEM_INDEX,
    LINE_ITEMS,
    SERVICE_TIERS,
    TokenPrice,
    completion_cost,
    line_item_unit,
)
from codex_mcp.demo.entities import ApiKey, AuditEvent, Invite, Project, ServiceAccount, User
from codex_mcp.demo.sample_access import AccessData
from codex_mcp.demo.sample_budgets import BudgetData
from codex_mcp.demo.sample_common import ALNUM, DAY, HOUR, PICO, WINDOW_DAYS, day_factor, hash_int, rand_id
from codex_mcp.demo.sample_names import (
    ARCHIVED_PROJECT_NAMES,
    FIRST_NAMES,
    KEY_NAMES,
    LAST_NAMES,
    PROJECT_NAMES,
    RECENT_PROJECT_NAMES,
    SERVICE_ACCOUNT_NAMES,
)
from codex_mcp.demo.usage_history import (
    SPIKE_PROJECT_NAME,
    DayRecords,
    DayUsage,
    Record,
    UsageHistory,
    UsageSource,
)

__all__ = [  # names that other modules and tests import from here
    "AUDIT_EVENT_TYPES",
    "CODE_INTERPRETER_LINE_ITEM",
    "CODE_INTERPRETER_SESSION_PRICE",
    "COMPLETION_MODELS",
    "DAY",
    "EMBEDDING_MODELS",
    "LINE_ITEMS",
    "LINE_ITEM_INDEX",
    "PICO",
    "SERVICE_TIERS",
    "ApiKey",
    "AuditEvent",
    "DayRecords",
    "DayUsage",
    "Invite",
    "Project",
    "Record",
    "SampleOrg",
    "ServiceAccount",
    "TokenPrice",
    "User",
    "completion_cost",
    "day_factor",
    "line_item_unit",
]


class SampleOrg:
    """The sample organization: entities, audit log and lazily generated per-day usage.

    Entity ids and names depend only on `seed`; timestamps are relative to the UTC day containing `now`.
    Usage for a calendar day depends only on (seed, day), so a date always shows the same numbers (the anomaly
    day, a fixed number of days before `now`, excepted: see usage_history).
    """

    def __init__(self, *, seed: int, now: int) -> None:
        self.seed = seed
        self.now = now
        self.today = now - now % DAY
        self.window_start = self.today - (WINDOW_DAYS - 1) * DAY
        rng = random.Random(f"codex-mcp-demo:{seed}:org")
        self.users: list[User] = []
        self.projects: list[Project] = []
        self.service_accounts: list[ServiceAccount] = []
        self.api_keys: list[ApiKey] = []
        self.invites: list[Invite] = []
        self.developers: list[int] = []  # indices of the users whose keys generate usage
        self._make_users(rng)
        self._make_projects(rng)
        self._make_invites(rng)
        self._reindex()
        spike_project = next((i for i, p in enumerate(self.projects) if p.name == SPIKE_PROJECT_NAME), None)
        self.usage = UsageHistory(seed=seed, now=now, sources=self._make_sources(rng), spike_project=spike_project)
        self._write_seq = 0
        self.audit_events: list[AuditEvent] = AuditHistory(self).build()
        self.access = AccessData(self)

    # ------------------------------------------------------------------ lookups

    def _reindex(self) -> None:
        self.user_index = {u.id: i for i, u in enumerate(self.users)}
        self.project_index = {p.id: i for i, p in enumerate(self.projects)}
        self.key_index = {k.id: i for i, k in enumerate(self.api_keys)}
        self.service_account_index = {s.id: i for i, s in enumerate(self.service_accounts)}

    def user(self, user_id: str) -> User | None:
        """A user by id, deleted ones included."""
        i = self.user_index.get(user_id)
        return None if i is None else self.users[i]

    def project(self, project_id: str) -> Project | None:
        i = self.project_index.get(project_id)
        return None if i is None else self.projects[i]

    def service_account(self, service_account_id: str) -> ServiceAccount | None:
        i = self.service_account_index.get(service_account_id)
        return None if i is None else self.service_accounts[i]

    @property
    def default_user(self) -> User:
        return next(u for u in self.users if u.is_default)

    @property
    def default_project(self) -> Project:
        return self.projects[0]

    # ------------------------------------------------------------------ entities

    def _days_ago(self, rng: random.Random, low: int, high: int) -> int:
        """A timestamp between `low` and `high` whole days before today, never after `now`."""
        return min(self.today - rng.randint(low, high) * DAY + rng.randrange(DAY), self.now - 1)

    def _make_users(self, rng: random.Random) -> None:
        names = rng.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], 300)
        developers = {0, *rng.sample(range(1, 300), 80)}  # the users whose keys generate usage
        owners = {0, *rng.sample(sorted(developers - {0}), 7)}
        people: list[tuple[User, bool]] = []
        for i, (first, last) in enumerate(names):
            if i == 0:
                added = self.today - 760 * DAY + 9 * HOUR
            elif i in developers:  # developers joined before the window so their usage never predates them
                added = self._days_ago(rng, WINDOW_DAYS + 1, 730)
            else:
                added = self._days_ago(rng, 1, 730)
            user = User(
                id=rand_id(rng, "user-", 24),
                name=f"{first.title()} {last.title()}",
                email=f"{first}.{last}@example.com",
                role="owner" if i in owners else "reader",
                added_at=added,
                is_default=i == 0,
            )
            people.append((user, i in developers))
        people.sort(key=lambda entry: (entry[0].added_at, entry[0].id))
        self.users = [user for user, _ in people]
        self.developers = [i for i, (_, is_dev) in enumerate(people) if is_dev]

    def _make_projects(self, rng: random.Random) -> None:
        specs: list[tuple[str, str]] = [("Default project", "default")]
        specs += [(n, "usage") for n in PROJECT_NAMES]
        specs += [(n, "archived") for n in ARCHIVED_PROJECT_NAMES]
        specs += [(n, "recent") for n in RECENT_PROJECT_NAMES]
        kinds: dict[str, str] = {}
        for name, kind in specs:
            if kind == "default":
                created, archived = self.today - 760 * DAY + 9 * HOUR + 60, None
            elif kind == "usage":
                created, archived = self._days_ago(rng, 200, 720), None
            elif kind == "archived":
                created, archived = self._days_ago(rng, 200, 720), self._days_ago(rng, 3, WINDOW_DAYS - 5)
            else:
                created, archived = self._days_ago(rng, 3, 150), None
            project = Project(id=rand_id(rng, "proj_", 24), name=name, created_at=created, archived_at=archived)
            kinds[project.id] = kind
            self.projects.append(project)
        self.projects.sort(key=lambda p: (p.created_at, p.id))
        for project in self.projects:
            self._populate_project(rng, project, kinds[project.id])

    def _populate_project(self, rng: random.Random, project: Project, kind: str) -> None:
        devs = [self.users[i] for i in self.developers]
        owners = [u for u in devs if u.role == "owner"]
        members = rng.sample(devs, rng.randint(3, 12))
        for user in [*rng.sample(owners, 1), *members]:
            project.members.setdefault(user.id, "owner" if user.role == "owner" or rng.random() < 0.15 else "member")
        busy = kind in ("usage", "default")
        earliest = project.created_at + DAY
        # Keys and accounts that generate usage exist before the window starts.
        latest = self.window_start - DAY if busy else (project.archived_at or self.now) - HOUR
        sa_count = rng.randint(0, 4) if busy else rng.randint(0, 1)
        accounts = [
            ServiceAccount(
                id=rand_id(rng, "svc_acct_", 24),
                project_id=project.id,
                name=rng.choice(SERVICE_ACCOUNT_NAMES),
                role="owner" if rng.random() < 0.2 else "member",
                created_at=rng.randint(earliest, max(earliest, latest)),
            )
            for _ in range(sa_count)
        ]
        self.service_accounts.extend(accounts)
        key_count = rng.randint(1, 8) if busy else rng.randint(0, 3)
        for _ in range(key_count):
            self.api_keys.append(self._make_key(rng, project, accounts, earliest, latest))
        self.service_accounts.sort(key=lambda s: (s.created_at, s.id))

    def _make_key(
        self, rng: random.Random, project: Project, accounts: list[ServiceAccount], earliest: int, latest: int
    ) -> ApiKey:
        key = ApiKey(
            id=rand_id(rng, "key_", 16),
            project_id=project.id,
            name=rng.choice(KEY_NAMES),
            redacted_value="sk-..." + "".join(rng.choices(ALNUM, k=4)),
            created_at=rng.randint(earliest, max(earliest, latest)),
        )
        if accounts and rng.random() < 0.35:
            key.owner_service_account_id = rng.choice(accounts).id
        elif rng.random() < 0.08:  # owner has since left the project: shows as owner_project_access=inactive
            outsiders = [self.users[i].id for i in self.developers if self.users[i].id not in project.members]
            key.owner_user_id = rng.choice(outsiders)
        else:
            key.owner_user_id = rng.choice(sorted(project.members))
        return key

    def _make_invites(self, rng: random.Random) -> None:
        taken = {u.email for u in self.users}
        recent_users = [u for u in self.users[1:] if u.added_at > self.today - 400 * DAY]
        for user in rng.sample(recent_users, 18):
            sent = user.added_at - rng.randint(HOUR, 6 * DAY)
            self.invites.append(
                Invite(
                    "",
                    user.email,
                    user.role,
                    "accepted",
                    sent,
                    sent + 7 * DAY,
                    user.added_at,
                    self._invite_projects(rng),
                )
            )
        fresh = [f"{f}.{last}@example.com" for f in FIRST_NAMES for last in LAST_NAMES]
        fresh = rng.sample([e for e in fresh if e not in taken], 12)
        for i, email in enumerate(fresh):
            pending = i < 7
            sent = self._days_ago(rng, 0, 5) if pending else self._days_ago(rng, 10, WINDOW_DAYS - 1)
            status = "pending" if pending else "expired"
            role = "owner" if rng.random() < 0.1 else "reader"
            self.invites.append(Invite("", email, role, status, sent, sent + 7 * DAY, None, self._invite_projects(rng)))
        self.invites.sort(key=lambda inv: inv.created_at)
        for invite in self.invites:
            invite.id = rand_id(rng, "invite-", 24)

    def _invite_projects(self, rng: random.Random) -> list[dict[str, str]]:
        active = [p for p in self.projects if p.archived_at is None]
        chosen = rng.sample(active, rng.choice((0, 0, 1, 1, 2)))
        return [{"id": p.id, "role": "owner" if rng.random() < 0.2 else "member"} for p in chosen]

    def owner_has_access(self, key: ApiKey) -> bool:
        """Whether the key's owner currently has access to the key's project."""
        if key.owner_service_account_id is not None:
            return True
        user = self.user(key.owner_user_id or "")
        project = self.project(key.project_id)
        return user is not None and not user.deleted and project is not None and user.id in project.members

    # ------------------------------------------------------------------ usage sources

    def _make_sources(self, rng: random.Random) -> list[UsageSource]:
        sources: list[UsageSource] = []
        for key_idx, key in enumerate(self.api_keys):
            project = self.projects[self.project_index[key.project_id]]
            if project.archived_at is not None or project.created_at > self.window_start:
                continue
            if not self.owner_has_access(key) or rng.random() < 0.1:
                continue
            service = key.owner_service_account_id is not None
            sources.append(
                UsageSource(
                    project=self.project_index[key.project_id],
                    user=-1 if service else self.user_index[key.owner_user_id or ""],
                    key=key_idx,
                    weight=rng.paretovariate(1.3),
                    models=tuple(rng.sample(range(len(COMPLETION_MODELS)), rng.randint(1, 3))),
                    batch_share=rng.choice((0.0, 0.3, 0.6)) if service else rng.choice((0.0, 0.0, 0.05)),
                    flex_share=rng.choice((0.0, 0.0, 0.2)),
                    scale=rng.uniform(0.5, 2.0),
                    embeddings=rng.random() < 0.35,
                    code_interpreter=rng.random() < 0.2,
                )
            )
        return sources

    # ------------------------------------------------------------------ usage

    @property
    def sources(self) -> list[UsageSource]:
        return self.usage.sources

    def day(self, day: int) -> DayUsage:
        """All usage recorded on the UTC day starting at `day` (cached; empty outside the 180-day window)."""
        return self.usage.day(day)

    def key_last_used(self, key_index: int) -> int | None:
        """Timestamp of the key's most recent usage record in the window, or None."""
        return self.usage.key_last_used(key_index)

    @cached_property
    def budgets(self) -> BudgetData:
        """Spend limits, alerts and rate limits (made on first use: the thresholds need this month's costs)."""
        return BudgetData(self)

    # ------------------------------------------------------------------ writes

    def next_write_rng(self) -> random.Random:
        """A deterministic RNG for ids created by writes (the n-th write always gets the same ids)."""
        self._write_seq += 1
        return random.Random(f"codex-mcp-demo:{self.seed}:write:{self._write_seq}")

    def add_project(self, project: Project) -> None:
        self.projects.append(project)
        self.project_index[project.id] = len(self.projects) - 1

    # ------------------------------------------------------------------ audit log

    def append_audit_event(self, event_type: str, parts: dict[str, Any]) -> AuditEvent:
        """Record an event caused by a write through the API (actor: the admin API key)."""
        admin = self.default_user
        parts.setdefault(
            "actor",
            {
                "type": "api_key",
                "api_key": {
                    "id": "key_demoadminkey0001",
                    "type": "user",
                    "user": {"id": admin.id, "email": admin.email},
                },
            },
        )
        parts.setdefault("project", self.default_project)
        suffix = f"{hash_int(self.seed, 'audit-write', len(self.audit_events)):016x}"
        event = make_event(self.now, event_type, parts, suffix)
        self.audit_events.append(event)
        return event
