"""Spend limits, spend alerts and rate limits of the sample organization (amounts in cents).

Thresholds follow this month's spend as of `now`, so that in any month some alerts have already fired, one
fires if the month ends as it is going, and the limits sit above the month's projection.
"""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from codex_mcp.demo.entities import Project, RateLimit, SpendAlert, SpendLimit
from codex_mcp.demo.sample_common import DAY, PICO, rand_id
from codex_mcp.demo.usage_history import SPIKE_PROJECT_NAME

if TYPE_CHECKING:
    from codex_mcp.demo.sample_org import SampleOrg

CENTS_PER_PICODOLLAR = PICO // 100
FINANCE_EMAIL = "finance@example.com"
ALERT_SUBJECT_PREFIX = "[OpenAI spend]"
RPM, TPM, BATCH = "max_requests_per_1_minute", "max_tokens_per_1_minute", "batch_1_day_max_input_tokens"
IMAGES, AUDIO_MB = "max_images_per_1_minute", "max_audio_megabytes_per_1_minute"
# The organization's own limit per model; a project's limit starts there and may only be lowered.
MODEL_RATE_LIMITS: dict[str, dict[str, int]] = {
    "gpt-4o-2024-08-06": {RPM: 10_000, TPM: 30_000_000, BATCH: 5_000_000_000},
    "gpt-4o-mini-2024-07-18": {RPM: 30_000, TPM: 150_000_000, BATCH: 15_000_000_000},
    "o3-mini-2025-01-31": {RPM: 10_000, TPM: 30_000_000, BATCH: 5_000_000_000},
    "gpt-4.1-2025-04-14": {RPM: 10_000, TPM: 30_000_000, BATCH: 5_000_000_000},
    "gpt-4.1-mini-2025-04-14": {RPM: 30_000, TPM: 150_000_000, BATCH: 15_000_000_000},
    "gpt-4.1-nano-2025-04-14": {RPM: 30_000, TPM: 150_000_000, BATCH: 15_000_000_000},
    "o4-mini-2025-04-16": {RPM: 30_000, TPM: 150_000_000, BATCH: 15_000_000_000},
    "text-embedding-3-small": {RPM: 10_000, TPM: 10_000_000, BATCH: 4_000_000_000},
    "text-embedding-3-large": {RPM: 10_000, TPM: 10_000_000, BATCH: 4_000_000_000},
    "gpt-image-1": {RPM: 5_000, TPM: 8_000_000, IMAGES: 250},
    "gpt-4o-transcribe": {RPM: 10_000, TPM: 10_000_000, AUDIO_MB: 500},
    "omni-moderation-2024-09-26": {RPM: 5_000, TPM: 500_000, "max_requests_per_1_day": 500_000},
}
# Projects whose limits were lowered: name -> (share of the organization's limit, the models it applies to).
LOWERED_RATE_LIMITS: dict[str, tuple[float, tuple[str, ...]]] = {
    "Research Sandbox": (0.1, tuple(MODEL_RATE_LIMITS)),
    "Marketing Copy": (0.05, ("gpt-4o-2024-08-06", "gpt-4.1-2025-04-14")),
}


def month_bounds(ts: int) -> tuple[int, int]:
    """Start of the UTC month containing `ts` and start of the next one."""
    moment = datetime.fromtimestamp(ts, UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    following = datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)
    return int(start.timestamp()), int(following.timestamp())


def floor_2sig(cents: int) -> int:
    """Rounded down to two significant digits: 75_321 -> 75_000."""
    step = int(10 ** max(0, len(str(cents)) - 2))
    return cents // step * step


def ceil_1sig(cents: int) -> int:
    """Rounded up to one significant digit: 285_000 -> 300_000."""
    step = int(10 ** max(0, len(str(cents)) - 1))
    return -(-cents // step) * step


class BudgetData:
    """The organization's and its projects' spend limits and alerts, and each project's rate limits."""

    def __init__(self, org: SampleOrg) -> None:
        self.org = org
        rng = random.Random(f"codex-mcp-demo:{org.seed}:budgets")
        month_start, month_end = month_bounds(org.now)
        elapsed = max(org.now - month_start, 1)
        self._month_to_date = org.usage.project_costs(month_start, org.now)  # project index -> picodollars
        self.month_share = elapsed / (month_end - month_start)
        recent = [org.usage.day_cost(org.today - i * DAY) for i in range(1, 29)]
        typical_month = int(30 * statistics.median(recent)) // CENTS_PER_PICODOLLAR
        spent = self.spent_this_month()
        projected = self.project_cents(spent)
        self.spend_limit: SpendLimit | None = SpendLimit(ceil_1sig(max(3 * typical_month // 2, 5 * projected // 4)))
        recipients = [FINANCE_EMAIL, org.default_user.email]
        thresholds = _alert_thresholds(spent, projected, self.spend_limit.threshold_amount)
        self.spend_alerts = sorted((self._alert(rng, t, recipients) for t in thresholds), key=_created)
        self.project_limits: dict[str, SpendLimit] = {}
        self.project_alerts: dict[str, list[SpendAlert]] = {p.id: [] for p in org.projects}
        window = org.usage.project_costs(org.today - 28 * DAY, org.today)
        for index in self._budgeted_projects():
            project = org.projects[index]
            spent = self.spent_this_month(project)
            typical = 30 * window.get(index, 0) // 28 // CENTS_PER_PICODOLLAR
            limit = SpendLimit(ceil_1sig(max(3 * typical // 2, 5 * self.project_cents(spent) // 4, 100)))
            self.project_limits[project.id] = limit
            owners = [org.user(u) for u, role in project.members.items() if role == "owner"]
            emails = [u.email for u in owners if u is not None][:2] or recipients
            crossed = [floor_2sig(4 * spent // 5)] if spent >= 100 else []
            alerts = [self._alert(rng, t, emails) for t in [*crossed, floor_2sig(4 * limit.threshold_amount // 5)]]
            self.project_alerts[project.id] = sorted(alerts, key=_created)
        self._rate_limits: dict[str, list[RateLimit]] = {}

    def project_cents(self, spent: int) -> int:
        """The month's spend if it goes on as it went so far."""
        return round(spent / self.month_share)

    def _budgeted_projects(self) -> list[int]:
        """The anomaly's project and the month's biggest spender (or the next one when they are the same)."""
        names = [p.name for p in self.org.projects]
        chosen = [names.index(SPIKE_PROJECT_NAME)] if SPIKE_PROJECT_NAME in names else []
        by_spend = sorted(self._month_to_date, key=lambda p: (-self._month_to_date[p], p))
        chosen += [p for p in by_spend if p not in chosen][:1]
        return chosen

    def _alert(self, rng: random.Random, threshold: int, recipients: list[str]) -> SpendAlert:
        created = self.org.today - rng.randint(20, 300) * DAY + rng.randrange(DAY)
        return SpendAlert(rand_id(rng, "alert_", 24), threshold, list(recipients), ALERT_SUBJECT_PREFIX, created)

    def spent_this_month(self, project: Project | None = None) -> int:
        """Cents spent this month so far, by the organization or by one project."""
        if project is None:
            spent = sum(self._month_to_date.values())
        else:
            spent = self._month_to_date.get(self.org.project_index[project.id], 0)
        return round(spent / CENTS_PER_PICODOLLAR)

    def limit_of(self, project: Project | None) -> SpendLimit | None:
        """The organization's (project None) or a project's hard spend limit, if one is set."""
        return self.spend_limit if project is None else self.project_limits.get(project.id)

    def set_limit(self, project: Project | None, limit: SpendLimit | None) -> None:
        if project is None:
            self.spend_limit = limit
        elif limit is None:
            self.project_limits.pop(project.id, None)
        else:
            self.project_limits[project.id] = limit

    def alerts_of(self, project: Project | None) -> list[SpendAlert]:
        """The organization's (project None) or a project's spend alerts, oldest first (the list itself)."""
        return self.spend_alerts if project is None else self.project_alerts.setdefault(project.id, [])

    def rate_limits(self, project: Project) -> list[RateLimit]:
        """The project's rate limits, one per model (made on first use, then kept with their updates)."""
        limits = self._rate_limits.get(project.id)
        if limits is None:
            share, models = LOWERED_RATE_LIMITS.get(project.name, (1.0, ()))
            limits = [
                RateLimit(
                    id=f"rl-{model}",
                    model=model,
                    limits={k: max(1, int(v * share)) if model in models else v for k, v in defaults.items()},
                )
                for model, defaults in MODEL_RATE_LIMITS.items()
            ]
            self._rate_limits[project.id] = limits
        return limits


def _alert_thresholds(spent: int, projected: int, limit: int) -> list[int]:
    """Two thresholds already crossed, one the projection crosses, one near the limit (distinct, ascending)."""
    halfway = spent + (projected - spent) // 2
    rounded = [floor_2sig(halfway), -(-halfway // 1000) * 1000, -(-(spent + 1) // 100) * 100]
    between = next((t for t in rounded if spent < t <= projected), projected)
    candidates = [floor_2sig(spent // 2), floor_2sig(9 * spent // 10), between, floor_2sig(4 * limit // 5)]
    return sorted({t for t in candidates if t > 0})


def _created(alert: SpendAlert) -> tuple[int, str]:
    return alert.created_at, alert.id
