"""Deterministic generation of the sample organization served by the Admin API simulator."""

from __future__ import annotations

import hashlib
import random
import string
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

DAY = 86_400
HOUR = 3_600
WINDOW_DAYS = 180
PICO = 10**12  # amounts are kept as integer picodollars so that every sum is exact

# --------------------------------------------------------------------------- prices and line items


@dataclass(frozen=True)
class TokenPrice:
    """A model and its list price in picodollars per token (input, cached input, output)."""

    model: str
    input: int
    cached: int
    output: int


COMPLETION_MODELS: tuple[TokenPrice, ...] = (
    TokenPrice("gpt-4o-2024-08-06", 2_500_000, 1_250_000, 10_000_000),
    TokenPrice("gpt-4o-mini-2024-07-18", 150_000, 75_000, 600_000),
    TokenPrice("o3-mini-2025-01-31", 1_100_000, 550_000, 4_400_000),
    TokenPrice("gpt-4.1-2025-04-14", 2_000_000, 500_000, 8_000_000),
    TokenPrice("gpt-4.1-mini-2025-04-14", 400_000, 100_000, 1_600_000),
    TokenPrice("gpt-4.1-nano-2025-04-14", 100_000, 25_000, 400_000),
    TokenPrice("o4-mini-2025-04-16", 1_100_000, 275_000, 4_400_000),
)
EMBEDDING_MODELS: tuple[TokenPrice, ...] = (
    TokenPrice("text-embedding-3-small", 20_000, 0, 0),
    TokenPrice("text-embedding-3-large", 130_000, 0, 0),
    TokenPrice("text-embedding-ada-002-v2", 100_000, 0, 0),
)
CODE_INTERPRETER_SESSION_PRICE = 30_000_000_000  # $0.03 per session
SERVICE_TIERS: tuple[str, ...] = ("default", "flex")
DISCOUNT_DIVISOR = 2  # batch and flex requests are billed at half price

COMPLETION_KINDS: tuple[str, ...] = ("input", "cached input", "output")
PRICE_PREFIXES: tuple[str, ...] = ("", "batch ", "flex ")  # indexed by _price_class(batch, tier)
CODE_INTERPRETER_LINE_ITEM = "code interpreter sessions"


def _build_line_items() -> tuple[str, ...]:
    items = [
        f"{price.model}, {prefix}{kind}"
        for price in COMPLETION_MODELS
        for prefix in PRICE_PREFIXES
        for kind in COMPLETION_KINDS
    ]
    items += [f"{price.model}, input" for price in EMBEDDING_MODELS]
    items.append(CODE_INTERPRETER_LINE_ITEM)
    return tuple(items)


LINE_ITEMS: tuple[str, ...] = _build_line_items()
LINE_ITEM_INDEX: dict[str, int] = {name: i for i, name in enumerate(LINE_ITEMS)}


def line_item_unit(line_item: str) -> str:
    """The quantity unit reported for a line item."""
    return "sessions" if line_item == CODE_INTERPRETER_LINE_ITEM else "tokens"


def completion_cost(model: str, *, batch: bool, service_tier: str, input_tokens: int, cached: int, output: int) -> int:
    """Cost in picodollars of completions usage; the price table every cost in the sample is derived from."""
    price = next(p for p in COMPLETION_MODELS if p.model == model)
    divisor = DISCOUNT_DIVISOR if batch or service_tier == "flex" else 1
    uncached = input_tokens - cached
    return (uncached * price.input + cached * price.cached + output * price.output) // divisor


# --------------------------------------------------------------------------- record layouts

# Completions: (ts, project, user (-1 = none), api_key, model, batch, tier, input, cached, output, requests)
# Embeddings:  (ts, project, user, api_key, model, input, requests)
# Code interpreter sessions: (ts, project, api_key, sessions)
# Costs (one row per day and (project, api_key, line item)): (day, project, api_key, line_item, picodollars, quantity)
Record = tuple[int, ...]


class DayRecords(NamedTuple):
    """Records of one kind for one UTC day, sorted by timestamp, with the timestamps alongside for bisecting."""

    rows: list[Record]
    times: list[int]

    def between(self, start: int, end: int) -> list[Record]:
        """Rows with start <= ts < end."""
        return self.rows[bisect_left(self.times, start) : bisect_left(self.times, end)]


EMPTY_DAY = DayRecords([], [])


class DayUsage(NamedTuple):
    """Everything recorded on one UTC day."""

    completions: DayRecords
    embeddings: DayRecords
    code_interpreter_sessions: DayRecords
    costs: DayRecords


# --------------------------------------------------------------------------- entities


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


@dataclass(frozen=True)
class UsageSource:
    """An API key that generates usage, with its habits."""

    project: int
    user: int  # -1 when the key belongs to a service account
    key: int
    weight: float
    models: tuple[int, ...]
    batch_share: float
    flex_share: float
    scale: float
    embeddings: bool
    code_interpreter: bool


# The AuditLogEventType enum of the spec, used to validate `event_types[]`.
AUDIT_EVENT_TYPES: frozenset[str] = frozenset(
    [
        "api_key.created",
        "api_key.updated",
        "api_key.deleted",
        "certificate.created",
        "certificate.updated",
        "certificate.deleted",
        "certificates.activated",
        "certificates.deactivated",
        "checkpoint.permission.created",
        "checkpoint.permission.deleted",
        "external_key.registered",
        "external_key.removed",
        "group.created",
        "group.updated",
        "group.deleted",
        "invite.sent",
        "invite.accepted",
        "invite.deleted",
        "ip_allowlist.created",
        "ip_allowlist.updated",
        "ip_allowlist.deleted",
        "ip_allowlist.config.activated",
        "ip_allowlist.config.deactivated",
        "login.succeeded",
        "login.failed",
        "logout.succeeded",
        "logout.failed",
        "organization.updated",
        "project.created",
        "project.updated",
        "project.archived",
        "project.deleted",
        "rate_limit.updated",
        "rate_limit.deleted",
        "resource.deleted",
        "tunnel.created",
        "tunnel.updated",
        "tunnel.deleted",
        "workload_identity_provider.created",
        "workload_identity_provider.updated",
        "workload_identity_provider.deleted",
        "workload_identity_provider_mapping.created",
        "workload_identity_provider_mapping.updated",
        "workload_identity_provider_mapping.deleted",
        "role.created",
        "role.updated",
        "role.deleted",
        "role.assignment.created",
        "role.assignment.deleted",
        "role.bound_to_resource",
        "role.unbound_from_resource",
        "scim.enabled",
        "scim.disabled",
        "service_account.created",
        "service_account.updated",
        "service_account.deleted",
        "user.added",
        "user.updated",
        "user.deleted",
        "tenant.metadata.updated",
        "tenant.microsoft_entra_mapping.upserted",
        "tenant.microsoft_entra_mapping.deleted",
        "tenant.workload_identity.provider.created",
        "tenant.workload_identity.provider.updated",
        "tenant.workload_identity.provider.archived",
        "tenant.workload_identity.mapping.created",
        "tenant.workload_identity.mapping.updated",
        "tenant.workload_identity.mapping.archived",
        "tenant.workload_identity.binding.created",
        "tenant.workload_identity.principal.provisioned",
        "tenant.workload_identity.access_token.issued",
        "tenant.admin_api_key.created",
        "tenant.admin_api_key.updated",
        "tenant.admin_api_key.deleted",
        "tenant.project_api_key.created",
        "tenant.chatgpt_access_token.revoked",
        "tenant.migration.completed",
        "tenant.sso.migrated",
        "tenant.domains.migrated",
        "tenant.sso_connection.created",
        "tenant.sso_connection.updated",
        "tenant.sso_connection.deleted",
        "tenant.sso_connection.setup.started",
        "tenant.policy.created",
        "tenant.policy.updated",
        "tenant.policy.deleted",
        "tenant.policy.attached",
        "tenant.policy.detached",
        "tenant.principal_authentication_policy.resolved",
        "tenant.scim.setup.started",
        "tenant.scim.deletion.requested",
        "tenant.scim.directory.created",
        "tenant.product_access_policy.updated",
        "tenant.resource_share_grant.created",
        "tenant.resource_share_grant.updated",
        "tenant.resource_share_grant.accepted",
        "tenant.resource_share_grant.declined",
        "tenant.resource_share_grant.revoked",
        "tenant.resource_share_grant.deleted",
        "tenant.service_account.updated",
        "tenant.service_account.deleted",
        "tenant.service_account.token.revoked",
        "tenant.billing.overage_limit.updated",
        "tenant.billing.alerts.updated",
        "tenant.billing.info.updated",
        "tenant.usage_limit.workspace.updated",
        "tenant.usage_limit.group.updated",
        "tenant.usage_limit.user.updated",
        "tenant.usage_limit.increase_request.updated",
        "tenant.usage_limit.increase_request.resolved",
        "tenant.group.created",
        "tenant.group.updated",
        "tenant.group.deleted",
        "tenant.group.member.added",
        "tenant.group.member.removed",
        "tenant.migration_rollout.status.updated",
        "tenant.migration_rollout.tier.updated",
        "tenant.role.metadata.updated",
        "tenant.custom_role.created",
        "tenant.custom_role.updated",
        "tenant.custom_role.deleted",
        "tenant.role_assignment.created",
        "tenant.role_assignment.deleted",
        "tenant.resource_role_assignment.created",
        "tenant.resource_role_assignment.deleted",
        "tenant.resource_access.updated",
        "tenant.resource_access.deleted",
        "tenant.ads_account.onboarding.redemption",
        "tenant.session_policy.created",
        "tenant.session_policy.updated",
        "tenant.session_policy.deleted",
        "tenant.session_revocation.started",
        "tenant.third_party_app_policy.updated",
        "tenant.user.added",
        "tenant.user.updated",
        "tenant.user.removed",
        "tenant.user.looked_up",
        "tenant.user.invited",
        "tenant.membership.revoked",
        "tenant.api_organization_invite.upserted",
        "tenant.api_organization_invite.deleted",
        "tenant.chatgpt_workspace_invite.upserted",
        "tenant.membership.accepted",
        "tenant.membership.declined",
        "tenant.workspace_invite_email_settings.updated",
    ]
)

# --------------------------------------------------------------------------- vocabulary

FIRST_NAMES = [
    "ada",
    "alan",
    "alice",
    "amara",
    "anna",
    "arjun",
    "ben",
    "carla",
    "chen",
    "chloe",
    "dana",
    "david",
    "diego",
    "elena",
    "emil",
    "emma",
    "farah",
    "felix",
    "grace",
    "hana",
    "hugo",
    "ines",
    "ivan",
    "jack",
    "jana",
    "jonas",
    "julia",
    "kai",
    "kenji",
    "lara",
    "leo",
    "lina",
    "lucas",
    "maya",
    "mei",
    "mila",
    "nadia",
    "noah",
    "nora",
    "omar",
    "oscar",
    "paula",
    "priya",
    "rafael",
    "rosa",
    "sam",
    "sara",
    "sofia",
    "tariq",
    "theo",
    "uma",
    "vera",
    "wei",
    "yara",
    "yusuf",
    "zoe",
]
LAST_NAMES = [
    "abbott",
    "adams",
    "alvarez",
    "bauer",
    "becker",
    "brooks",
    "castro",
    "chen",
    "costa",
    "dubois",
    "ferreira",
    "fischer",
    "garcia",
    "gomez",
    "hansen",
    "hoffmann",
    "ivanova",
    "jensen",
    "kim",
    "kowalski",
    "lambert",
    "larsen",
    "lee",
    "lopez",
    "martin",
    "meyer",
    "moreau",
    "murphy",
    "nakamura",
    "novak",
    "okafor",
    "olsen",
    "park",
    "patel",
    "petrov",
    "quinn",
    "rossi",
    "santos",
    "schmidt",
    "silva",
    "tanaka",
    "torres",
    "vargas",
    "wagner",
    "walsh",
    "weber",
    "yamamoto",
    "young",
    "zhang",
]
PROJECT_NAMES = (
    "Support Copilot",
    "Search Ranking",
    "Document Intake",
    "Sales Assistant",
    "Fraud Review",
    "Contract Analyzer",
    "Knowledge Base",
    "Onboarding Bot",
    "Marketing Copy",
    "Data Labeling",
    "Code Review Assistant",
    "Internal Tools",
    "Mobile App",
    "Translation Service",
    "Email Triage",
    "Analytics Q&A",
    "Recruiting Helper",
    "Release Notes",
    "Voice Agent",
    "Catalog Enrichment",
    "Claims Processing",
    "Meeting Notes",
    "Research Sandbox",
    "Compliance Monitor",
    "Product Recommendations",
    "Forecasting",
    "Chat Widget",
    "QA Automation",
    "Partner Portal",
    "Billing Assistant",
)
ARCHIVED_PROJECT_NAMES = (
    "Hackathon 2024",
    "Legacy Chatbot",
    "Pilot - Retail",
    "Old Playground",
    "Prototype Summarizer",
    "Q3 Experiment",
)
RECENT_PROJECT_NAMES = ("Agents Platform", "Evaluation Harness", "Realtime Demo")
KEY_NAMES = ("prod-backend", "staging", "local-dev", "notebook", "eval", "batch-jobs", "ci", "worker", "prototype")
SERVICE_ACCOUNT_NAMES = ("ci-runner", "batch-worker", "etl-pipeline", "eval-harness", "slack-bot", "ingest-service")
USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5"
HOUR_WEIGHTS = (2, 2, 2, 2, 2, 3, 4, 6, 8, 9, 9, 9, 9, 10, 10, 10, 10, 9, 8, 7, 5, 4, 3, 2)
CACHE_SHARES = (0.0, 0.0, 0.1, 0.3, 0.5, 0.7)
ALNUM = string.ascii_letters + string.digits

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


def _hash_int(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _rand_id(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choices(ALNUM, k=length))


def day_factor(day: int) -> float:
    """Activity level of a UTC day: quieter weekends plus a slow quarterly wave."""
    day_number = day // DAY
    weekday = (day_number + 3) % 7  # 1970-01-01 was a Thursday; Monday == 0
    weekly = (1.0, 1.05, 1.1, 1.05, 0.9, 0.35, 0.25)[weekday]
    wave = 1.0 + 0.15 * ((day_number % 91) / 91 - 0.5)
    return weekly * wave


# --------------------------------------------------------------------------- the organization


class SampleOrg:
    """The sample organization: entities, audit log and lazily generated per-day usage.

    Entity ids and names depend only on `seed`; timestamps are relative to the UTC day containing `now`.
    Usage for a calendar day depends only on (seed, day), so a date always shows the same numbers.
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
        self.sources: list[UsageSource] = []
        self.audit_events: list[AuditEvent] = []
        self._developers: list[int] = []
        self._make_users(rng)
        self._make_projects(rng)
        self._make_invites(rng)
        self._reindex()
        self._make_sources(rng)
        self._source_cum = _cumulative([s.weight for s in self.sources])
        self._embedding_sources = [s for s in self.sources if s.embeddings]
        self._embedding_cum = _cumulative([s.weight for s in self._embedding_sources])
        self._ci_sources = [s for s in self.sources if s.code_interpreter]
        self._ci_cum = _cumulative([s.weight for s in self._ci_sources])
        self._days: dict[int, DayUsage] = {}
        self._source_keys = {s.key for s in self.sources}
        self._last_used: dict[int, int | None] = {}
        self._write_seq = 0
        self._make_audit_log(rng)

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
                id=_rand_id(rng, "user-", 24),
                name=f"{first.title()} {last.title()}",
                email=f"{first}.{last}@example.com",
                role="owner" if i in owners else "reader",
                added_at=added,
                is_default=i == 0,
            )
            people.append((user, i in developers))
        people.sort(key=lambda entry: (entry[0].added_at, entry[0].id))
        self.users = [user for user, _ in people]
        self._developers = [i for i, (_, is_dev) in enumerate(people) if is_dev]

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
            project = Project(id=_rand_id(rng, "proj_", 24), name=name, created_at=created, archived_at=archived)
            kinds[project.id] = kind
            self.projects.append(project)
        self.projects.sort(key=lambda p: (p.created_at, p.id))
        for project in self.projects:
            self._populate_project(rng, project, kinds[project.id])

    def _populate_project(self, rng: random.Random, project: Project, kind: str) -> None:
        devs = [self.users[i] for i in self._developers]
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
                id=_rand_id(rng, "svc_acct_", 24),
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
            id=_rand_id(rng, "key_", 16),
            project_id=project.id,
            name=rng.choice(KEY_NAMES),
            redacted_value="sk-..." + "".join(rng.choices(ALNUM, k=4)),
            created_at=rng.randint(earliest, max(earliest, latest)),
        )
        if accounts and rng.random() < 0.35:
            key.owner_service_account_id = rng.choice(accounts).id
        elif rng.random() < 0.08:  # owner has since left the project: shows as owner_project_access=inactive
            outsiders = [self.users[i].id for i in self._developers if self.users[i].id not in project.members]
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
            invite.id = _rand_id(rng, "invite-", 24)

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

    def _make_sources(self, rng: random.Random) -> None:
        for key_idx, key in enumerate(self.api_keys):
            project = self.projects[self.project_index[key.project_id]]
            if project.archived_at is not None or project.created_at > self.window_start:
                continue
            if not self.owner_has_access(key) or rng.random() < 0.1:
                continue
            service = key.owner_service_account_id is not None
            self.sources.append(
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

    # ------------------------------------------------------------------ per-day usage

    def day(self, day: int) -> DayUsage:
        """All usage recorded on the UTC day starting at `day` (cached; empty outside the 180-day window)."""
        cached = self._days.get(day)
        if cached is None:
            cached = self._generate_day(day)
            self._days[day] = cached
        return cached

    def _generate_day(self, day: int) -> DayUsage:
        if day < self.window_start or day > self.today:
            return DayUsage(EMPTY_DAY, EMPTY_DAY, EMPTY_DAY, EMPTY_DAY)
        rng = random.Random(_hash_int("codex-mcp-demo", self.seed, "usage", day // DAY))
        factor = day_factor(day)
        completions = self._completion_rows(rng, day, factor)
        embeddings = self._embedding_rows(rng, day, factor)
        sessions = self._code_interpreter_rows(rng, day, factor)
        cut = [[r for r in rows if r[0] < self.now] for rows in (completions, embeddings, sessions)]
        costs = _cost_rows(day, *cut)
        return DayUsage(*(_day_records(rows) for rows in (*cut, costs)))

    def _timestamp(self, rng: random.Random, day: int) -> int:
        hour = rng.choices(range(24), cum_weights=_HOUR_CUM)[0]
        return day + hour * HOUR + rng.randrange(HOUR)

    def _completion_rows(self, rng: random.Random, day: int, factor: float) -> list[Record]:
        count = max(0, round(rng.gauss(150, 12) * factor))
        rows: list[Record] = []
        for src in rng.choices(self.sources, cum_weights=self._source_cum, k=count):
            batch = 1 if rng.random() < src.batch_share else 0
            tier = 1 if not batch and rng.random() < src.flex_share else 0
            requests = 1 + int(rng.expovariate(1 / (600 if batch else 120)) * src.scale)
            input_tokens = requests * rng.randint(400, 3000)
            cached = 0 if batch else int(input_tokens * rng.choice(CACHE_SHARES))
            output = requests * rng.randint(100, 900)
            model = src.models[rng.randrange(len(src.models))]
            ts = self._timestamp(rng, day)
            rows.append(
                (ts, src.project, src.user, src.key, model, batch, tier, input_tokens, cached, output, requests)
            )
        return rows

    def _embedding_rows(self, rng: random.Random, day: int, factor: float) -> list[Record]:
        count = max(0, round(rng.gauss(28, 4) * factor))
        rows: list[Record] = []
        for src in rng.choices(self._embedding_sources, cum_weights=self._embedding_cum, k=count):
            requests = 1 + int(rng.expovariate(1 / 200))
            model = rng.choices((0, 1, 2), weights=(6, 2, 1))[0]
            ts = self._timestamp(rng, day)
            rows.append((ts, src.project, src.user, src.key, model, requests * rng.randint(200, 1500), requests))
        return rows

    def _code_interpreter_rows(self, rng: random.Random, day: int, factor: float) -> list[Record]:
        count = max(0, round(rng.gauss(10, 3) * factor))
        rows: list[Record] = []
        for src in rng.choices(self._ci_sources, cum_weights=self._ci_cum, k=count):
            rows.append((self._timestamp(rng, day), src.project, src.key, 1 + int(rng.expovariate(1 / 3))))
        return rows

    def key_last_used(self, key_index: int) -> int | None:
        """Timestamp of the key's most recent usage record in the window, or None."""
        if key_index not in self._last_used:
            self._last_used[key_index] = self._find_last_use(key_index) if key_index in self._source_keys else None
        return self._last_used[key_index]

    def _find_last_use(self, key_index: int) -> int | None:
        day = self.today
        while day >= self.window_start:
            usage = self.day(day)
            times = [r[0] for r in usage.completions.rows if r[3] == key_index]
            times += [r[0] for r in usage.embeddings.rows if r[3] == key_index]
            times += [r[0] for r in usage.code_interpreter_sessions.rows if r[2] == key_index]
            if times:
                return max(times)
            day -= DAY
        return None

    # ------------------------------------------------------------------ writes

    def next_write_rng(self) -> random.Random:
        """A deterministic RNG for ids created by writes (the n-th write always gets the same ids)."""
        self._write_seq += 1
        return random.Random(f"codex-mcp-demo:{self.seed}:write:{self._write_seq}")

    def add_project(self, project: Project) -> None:
        self.projects.append(project)
        self.project_index[project.id] = len(self.projects) - 1

    # ------------------------------------------------------------------ audit log

    def _make_audit_log(self, rng: random.Random) -> None:
        raw: list[tuple[int, str, dict[str, Any]]] = []
        raw += self._lifecycle_events()
        day = self.window_start
        while day <= self.today:
            raw += self._noise_events(day)
            day += DAY
        raw = [e for e in raw if self.window_start <= e[0] <= self.now]
        raw.sort(key=lambda e: (e[0], e[1], str(e[2]["details"].get("id"))))
        seen: set[str] = set()
        for ts, event_type, parts in raw:
            n = 0
            while (suffix := _audit_suffix(self.seed, ts, event_type, parts, n)) in seen:
                n += 1
            seen.add(suffix)
            self.audit_events.append(self._event(ts, event_type, parts, suffix))

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
        suffix = f"{_hash_int(self.seed, 'audit-write', len(self.audit_events)):016x}"
        event = self._event(self.now, event_type, parts, suffix)
        self.audit_events.append(event)
        return event

    def _event(self, ts: int, event_type: str, parts: dict[str, Any], suffix: str) -> AuditEvent:
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
        user = self.user(key.owner_user_id or "")
        assert user is not None
        return {
            "type": "api_key",
            "api_key": {"id": key.id, "type": "user", "user": {"id": user.id, "email": user.email}},
        }

    def _lifecycle_events(self) -> list[tuple[int, str, dict[str, Any]]]:
        """Events implied by the entities: creations, archives, invites and members joining in the window."""
        rng = random.Random(f"codex-mcp-demo:{self.seed}:lifecycle")
        owners = [u for u in self.users if u.role == "owner"]
        out: list[tuple[int, str, dict[str, Any]]] = []
        for p in self.projects:
            actor = self._session(rng, rng.choice(owners))
            out.append(
                (p.created_at, "project.created", _parts(actor, p, p.id, data={"name": p.name, "title": p.name}))
            )
            if p.archived_at is not None:
                out.append((p.archived_at, "project.archived", _parts(actor, p, p.id)))
        for key in self.api_keys:
            project = self.project(key.project_id)
            data: dict[str, Any] = {"scopes": ["api.all"]}
            out.append(
                (
                    key.created_at,
                    "api_key.created",
                    _parts(self._session(rng, rng.choice(owners)), project, key.id, data=data),
                )
            )
        for sa in self.service_accounts:
            project = self.project(sa.project_id)
            actor = self._session(rng, rng.choice(owners))
            out.append(
                (sa.created_at, "service_account.created", _parts(actor, project, sa.id, data={"role": sa.role}))
            )
        for inv in self.invites:
            actor = self._session(rng, rng.choice(owners))
            data = {"email": inv.email, "role": inv.role}
            out.append((inv.created_at, "invite.sent", _parts(actor, None, inv.id, data=data)))
            if inv.accepted_at is not None:
                out.append((inv.accepted_at, "invite.accepted", _parts(actor, None, inv.id)))
        for user in self.users:
            actor = self._session(rng, user)
            out.append((user.added_at, "user.added", _parts(actor, None, user.id, data={"role": user.role})))
        return out

    def _noise_events(self, day: int) -> list[tuple[int, str, dict[str, Any]]]:
        """Background activity of one day (logins, key and setting changes), from a hash of (seed, day)."""
        rng = random.Random(_hash_int("codex-mcp-demo", self.seed, "audit", day // DAY))
        count = max(0, round(rng.gauss(12, 2) * day_factor(day)))
        types = rng.choices([t for t, _ in NOISE_EVENTS], weights=[w for _, w in NOISE_EVENTS], k=count)
        out: list[tuple[int, str, dict[str, Any]]] = []
        for event_type in types:
            ts = self._timestamp(rng, day)
            out.extend(self._noise_event(rng, ts, event_type))
        return out

    def _noise_event(self, rng: random.Random, ts: int, event_type: str) -> list[tuple[int, str, dict[str, Any]]]:
        user = self.users[rng.choice(self._developers)] if rng.random() < 0.8 else rng.choice(self.users)
        session = self._session(rng, user)
        key = rng.choice(self.api_keys)
        project = self.project(key.project_id)
        if event_type.startswith(("login.", "logout.")):
            details = {"error_code": "invalid_credentials", "error_message": "Wrong email or password."}
            return [(ts, event_type, {"actor": session, "details": details if event_type.endswith("failed") else {}})]
        if event_type == "api_key.created":  # a short-lived key: created, then deleted a few hours later
            temp_id = _rand_id(rng, "key_", 16)
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
            target = rng.choice(self.users)
            return [(ts, event_type, _parts(session, None, target.id, changes={"role": target.role}))]
        if event_type == "rate_limit.updated":
            changes = {"max_requests_per_1_minute": rng.choice((500, 1000, 5000))}
            return [(ts, event_type, _parts(session, project, _rand_id(rng, "rl-", 12), changes=changes))]
        if event_type == "service_account.updated" and self.service_accounts:
            sa = rng.choice(self.service_accounts)
            return [(ts, event_type, _parts(session, self.project(sa.project_id), sa.id, changes={"role": sa.role}))]
        simple_details: dict[str, dict[str, Any]] = {
            "organization.updated": {"id": "org-demo", "changes_requested": {"title": "Example Corp"}},
            "group.created": {"id": _rand_id(rng, "group_", 12), "data": {"group_name": "ml-platform"}},
            "role.assignment.created": {
                "id": _rand_id(rng, "ra_", 12),
                "principal_id": user.id,
                "principal_type": "user",
                "resource_id": project.id if project else "",
                "resource_type": "project",
            },
            "ip_allowlist.updated": {"id": "ipal_demo", "allowed_ips": ["203.0.113.0/24", "198.51.100.0/24"]},
            "certificate.created": {"id": _rand_id(rng, "cert_", 12), "name": "mtls-client"},
        }
        return [(ts, event_type, {"actor": session, "details": simple_details.get(event_type, {})})]


# --------------------------------------------------------------------------- helpers


_HOUR_CUM = [sum(HOUR_WEIGHTS[: i + 1]) for i in range(24)]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _day_records(rows: list[Record]) -> DayRecords:
    rows.sort()
    return DayRecords(rows, [r[0] for r in rows])


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
    return f"{_hash_int(seed, ts, event_type, parts['details'].get('id'), str(parts['actor']), n):016x}"


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


def _cost_rows(day: int, completions: list[Record], embeddings: list[Record], sessions: list[Record]) -> list[Record]:
    """Aggregate one day's usage into (day, project, api_key, line_item, picodollars, quantity) rows."""
    totals: dict[tuple[int, int, int], list[int]] = {}

    def add(project: int, key: int, item: int, amount: int, quantity: int) -> None:
        acc = totals.setdefault((project, key, item), [0, 0])
        acc[0] += amount
        acc[1] += quantity

    width = len(PRICE_PREFIXES) * len(COMPLETION_KINDS)
    for _ts, project, _user, key, model, batch, tier, input_tokens, cached, output, _requests in completions:
        price = COMPLETION_MODELS[model]
        price_class = 1 if batch else (2 if tier == 1 else 0)
        divisor = DISCOUNT_DIVISOR if price_class else 1
        base = model * width + price_class * len(COMPLETION_KINDS)
        uncached = input_tokens - cached
        add(project, key, base, uncached * price.input // divisor, uncached)
        if cached:
            add(project, key, base + 1, cached * price.cached // divisor, cached)
        add(project, key, base + 2, output * price.output // divisor, output)
    embedding_base = len(COMPLETION_MODELS) * width
    for _ts, project, _user, key, model, input_tokens, _requests in embeddings:
        add(project, key, embedding_base + model, input_tokens * EMBEDDING_MODELS[model].input, input_tokens)
    ci_item = LINE_ITEM_INDEX[CODE_INTERPRETER_LINE_ITEM]
    for _ts, project, key, count in sessions:
        add(project, key, ci_item, count * CODE_INTERPRETER_SESSION_PRICE, count)
    return [(day, p, k, item, amount, qty) for (p, k, item), (amount, qty) in totals.items()]
