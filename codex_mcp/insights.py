"""Cost insights from daily costs by project and line item: totals over complete days, the previous period, top
contributors and movers, month-to-date with a projection, the budget, and anomalous days. Exact Decimal dollars."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from statistics import median

from pydantic import Field

from codex_mcp.models import Lean
from codex_mcp.rows import model_of

DAY_S = 86400
BASELINE_DAYS = 28
RUN_RATE_DAYS = 7
Z_THRESHOLD = Decimal("3.5")
MAD_SCALE = Decimal("1.4826")
ZERO_MAD_MARGIN = Decimal("0.01")  # with no spread, a day more than 1% above the median counts
ZERO = Decimal(0)
FORMULAS = {
    "total_usd": "sum of the daily costs of the complete UTC days of the range (days before today)",
    "previous_total_usd": "the same sum over the complete days just before, as many as the range has",
    "change_pct": "(total_usd - previous_total_usd) / previous_total_usd * 100",
    "daily_run_rate_usd": f"mean of the last {RUN_RATE_DAYS} complete UTC days before today",
    "projected_month_end_usd": "month_to_date_usd + daily_run_rate_usd * (days in month - complete days so far)",
    "anomaly": f"a complete day whose total is more than {Z_THRESHOLD} robust z-scores above the median of the "
    f"{BASELINE_DAYS} complete days before it: z = (x - median) / ({MAD_SCALE} * MAD); with a MAD of zero, any "
    "day more than 1% above the median",
    "model": "derived from line items: 'gpt-4o-2024-08-06, input' and '..., output' sum to gpt-4o-2024-08-06; a "
    "line item that names no model (e.g. 'code interpreter sessions') is its own entry",
}


@dataclass
class DailyCosts:
    """Costs per UTC day (start, Unix seconds) by (project_id, line_item), exact."""

    days: dict[int, dict[tuple[str | None, str | None], Decimal]] = field(default_factory=dict)

    def add(self, day: int, project_id: str | None, line_item: str | None, amount: Decimal) -> None:
        cells = self.days.setdefault(day, {})
        key = (project_id, line_item)
        cells[key] = cells.get(key, ZERO) + amount

    def total(self, day: int) -> Decimal:
        return sum(self.days.get(day, {}).values(), ZERO)

    def by(self, days: Iterable[int], dimension: str) -> dict[str, Decimal]:
        """Sums over `days` per project id, model or line item."""
        sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for day in days:
            for (project_id, line_item), amount in self.days.get(day, {}).items():
                sums[_key(dimension, project_id, line_item)] += amount
        return dict(sums)


def _key(dimension: str, project_id: str | None, line_item: str | None) -> str:
    if dimension == "project":
        return project_id or "(no project)"
    if dimension == "model":
        return model_of(line_item)
    return line_item or "(no line item)"


# ---- results ---------------------------------------------------------------------------------------------------


class Contributor(Lean):
    """One project, model or line item: its spend in the range and in the previous period."""

    dimension: str = Field(description="'project', 'model' or 'line_item'.")
    key: str = Field(description="The project id, model or line item.")
    name: str | None = Field(None, description="The project's name (with its id when two projects share it).")
    amount_usd: float
    previous_usd: float
    change_usd: float
    change_pct: float | None = Field(None, description="Absent when the previous amount is zero.")


class MonthToDate(Lean):
    """This month so far and where it is heading."""

    month: str
    month_to_date_usd: float = Field(description="Spend over the complete days of this month (before today).")
    complete_days: int
    days_in_month: int
    daily_run_rate_usd: float = Field(description=FORMULAS["daily_run_rate_usd"])
    run_rate_days: list[str] = Field(description="The complete days the run rate is the mean of.")
    projected_month_end_usd: float = Field(description=FORMULAS["projected_month_end_usd"])


class SpendAlertStatus(Lean):
    """A spend alert against this month's spend."""

    threshold_usd: float
    crossed: bool = Field(description="This month's spend so far (today's partial amount included) reached it.")
    projected_to_cross: bool = Field(description="Not crossed yet, but the month-end projection reaches it.")


class Budget(Lean):
    """The spend limit and alerts, in dollars, against this month's spend and projection."""

    scope: str = Field(description="'organization' or 'project <id>'.")
    available: bool = Field(description="False when the key cannot read spend limits and alerts (see note).")
    note: str | None = None
    limit_usd: float | None = Field(None, description="The monthly spend limit; absent when none is set.")
    spent_this_month_usd: float | None = None
    spent_pct_of_limit: float | None = None
    projected_pct_of_limit: float | None = None
    alerts: list[SpendAlertStatus] | None = None


class LineItemExcess(Lean):
    """A line item on an anomalous day against its own baseline."""

    line_item: str
    amount_usd: float
    baseline_median_usd: float
    excess_usd: float


class Anomaly(Lean):
    """A day that spent far more than the days before it."""

    day: str
    amount_usd: float
    baseline_median_usd: float = Field(description=f"Median of the {BASELINE_DAYS} complete days before it.")
    z: float | None = Field(None, description="Robust z-score; absent when the baseline has no spread (MAD 0).")
    mad_zero: bool | None = Field(None, description="True when the baseline's MAD is zero (the 1% rule applied).")
    top_line_items: list[LineItemExcess]


class CostInsights(Lean):
    """What the organization spent over a range and what stands out, exact to the cent and beyond."""

    demo_data: bool | None = None
    start_time_iso: str
    end_time_iso: str = Field(description="End of the range asked for, exclusive.")
    complete_through: str | None = Field(None, description="The last complete UTC day counted (before today).")
    complete_days: int
    total_usd: float = Field(description=FORMULAS["total_usd"])
    today_partial_usd: float | None = Field(None, description="Today's spend so far (not in total_usd).")
    previous_start_iso: str
    previous_end_iso: str
    previous_total_usd: float = Field(description=FORMULAS["previous_total_usd"])
    change_usd: float
    change_pct: float | None = Field(None, description=FORMULAS["change_pct"] + "; absent when previous is 0.")
    top_projects: list[Contributor]
    top_models: list[Contributor] = Field(description=FORMULAS["model"])
    top_line_items: list[Contributor]
    movers: list[Contributor] = Field(description="Projects and models with the largest absolute change.")
    month_to_date: MonthToDate | None = Field(None, description="When the range is the current month.")
    budget: Budget | None = None
    anomalies: list[Anomaly] = Field(description=FORMULAS["anomaly"])
    filters: dict[str, list[str]] | None = None
    notes: list[str]


@dataclass(frozen=True)
class Period:
    """[start, end) in whole UTC days (Unix seconds at 00:00)."""

    start: int
    end: int

    @property
    def days(self) -> list[int]:
        return list(range(self.start, self.end, DAY_S))


def plan_days(start: int, end: int, today: int) -> tuple[Period, Period, Period]:
    """The complete days of [start, end) (before `today`), the previous period of as many days, and every day the
    insights need data for (the previous period, 28 baseline days before the range, the run-rate week)."""
    first = start - start % DAY_S
    last = min(end + (-end) % DAY_S, today)
    complete = Period(first, max(first, last))
    length = complete.end - complete.start
    previous = Period(complete.start - length, complete.start)
    fetch_start = min(previous.start, complete.start - BASELINE_DAYS * DAY_S, today - RUN_RATE_DAYS * DAY_S)
    fetch_end = min(end + (-end) % DAY_S, today + DAY_S)
    return complete, previous, Period(fetch_start, max(fetch_end, complete.end))


def compute_insights(
    costs: DailyCosts,
    *,
    start: int,
    end: int,
    today: int,
    project_names: Mapping[str, str],
    top_n: int,
    budget: Budget | None,
    limit: Decimal | None = None,
    alerts: Sequence[Decimal] = (),
    filters: dict[str, list[str]] | None = None,
) -> CostInsights:
    """Every figure of CostInsights from the daily costs (which must cover `plan_days(...)[2]`)."""
    complete, previous, _ = plan_days(start, end, today)
    total = sum((costs.total(day) for day in complete.days), ZERO)
    previous_total = sum((costs.total(day) for day in previous.days), ZERO)
    names = _display_names(project_names)
    tops = {
        dimension: _contributors(costs, complete, previous, dimension, names)
        for dimension in ("project", "model", "line_item")
    }
    movers = sorted(
        [*tops["project"], *tops["model"]], key=lambda c: (-abs(Decimal(repr(c.change_usd))), c.dimension, c.key)
    )
    month = _month_to_date(costs, start, end, today)
    partial = costs.total(today) if start <= today < end else None
    notes = [
        "Costs can lag up to a day: the latest complete day may still grow. Days are UTC; "
        f"complete days are those before today ({_day(today)})."
    ]
    if partial is not None:
        notes.append("Today's spend so far is in today_partial_usd, not in total_usd.")
    return CostInsights(
        start_time_iso=_iso(start),
        end_time_iso=_iso(end),
        complete_through=_day(complete.end - DAY_S) if complete.end > complete.start else None,
        complete_days=len(complete.days),
        total_usd=float(total),
        today_partial_usd=float(partial) if partial is not None else None,
        previous_start_iso=_iso(previous.start),
        previous_end_iso=_iso(previous.end),
        previous_total_usd=float(previous_total),
        change_usd=float(total - previous_total),
        change_pct=_pct(total - previous_total, previous_total),
        top_projects=tops["project"][:top_n],
        top_models=tops["model"][:top_n],
        top_line_items=tops["line_item"][:top_n],
        movers=movers[:top_n],
        month_to_date=month,
        budget=_budget(budget, limit, alerts, month, costs, today) if budget is not None else None,
        anomalies=[a for day in complete.days if (a := _anomaly(costs, day)) is not None],
        filters=filters or None,
        notes=notes,
    )


def _contributors(
    costs: DailyCosts, complete: Period, previous: Period, dimension: str, names: Mapping[str, str]
) -> list[Contributor]:
    now = costs.by(complete.days, dimension)
    before = costs.by(previous.days, dimension)
    entries = []
    for key in now.keys() | before.keys():
        amount, prior = now.get(key, ZERO), before.get(key, ZERO)
        entries.append(
            Contributor(
                dimension=dimension,
                key=key,
                name=names.get(key) if dimension == "project" else None,
                amount_usd=float(amount),
                previous_usd=float(prior),
                change_usd=float(amount - prior),
                change_pct=_pct(amount - prior, prior),
            )
        )
    return sorted(entries, key=lambda c: (-Decimal(repr(c.amount_usd)), c.key))


def _month_to_date(costs: DailyCosts, start: int, end: int, today: int) -> MonthToDate | None:
    """Only when [start, end) is the current month: it starts on the 1st and reaches today (or the month's end)."""
    when = datetime.fromtimestamp(today, UTC)
    month_start = calendar.timegm((when.year, when.month, 1, 0, 0, 0))
    days_in_month = calendar.monthrange(when.year, when.month)[1]
    if start != month_start or not today < end <= month_start + days_in_month * DAY_S:
        return None
    complete_days = (today - month_start) // DAY_S
    month_to_date = sum((costs.total(month_start + i * DAY_S) for i in range(complete_days)), ZERO)
    week = [today - i * DAY_S for i in range(RUN_RATE_DAYS, 0, -1)]
    rate = sum((costs.total(day) for day in week), ZERO) / RUN_RATE_DAYS
    return MonthToDate(
        month=f"{when.year:04d}-{when.month:02d}",
        month_to_date_usd=float(month_to_date),
        complete_days=complete_days,
        days_in_month=days_in_month,
        daily_run_rate_usd=float(rate),
        run_rate_days=[_day(day) for day in week],
        projected_month_end_usd=float(month_to_date + rate * (days_in_month - complete_days)),
    )


def _budget(
    budget: Budget,
    limit: Decimal | None,
    alerts: Sequence[Decimal],
    month: MonthToDate | None,
    costs: DailyCosts,
    today: int,
) -> Budget:
    if not budget.available:
        return budget
    update: dict[str, object] = {"limit_usd": float(limit) if limit is not None else None}
    if month is None:
        update["note"] = (budget.note + " " if budget.note else "") + (
            "This month's spend and projection are compared with it only when the range is the current month "
            "(the default)."
        )
        update["alerts"] = [
            SpendAlertStatus(threshold_usd=float(a), crossed=False, projected_to_cross=False) for a in sorted(alerts)
        ] or None
        return budget.model_copy(update=update)
    spent = Decimal(repr(month.month_to_date_usd)) + costs.total(today)
    projected = Decimal(repr(month.projected_month_end_usd))
    update["spent_this_month_usd"] = float(spent)
    if limit:
        update["spent_pct_of_limit"] = _pct(spent, limit)
        update["projected_pct_of_limit"] = _pct(projected, limit)
    update["alerts"] = [
        SpendAlertStatus(
            threshold_usd=float(threshold),
            crossed=spent >= threshold,
            projected_to_cross=spent < threshold <= projected,
        )
        for threshold in sorted(alerts)
    ] or None
    return budget.model_copy(update=update)


def _anomaly(costs: DailyCosts, day: int) -> Anomaly | None:
    baseline_days = [day - i * DAY_S for i in range(BASELINE_DAYS, 0, -1)]
    baseline = [costs.total(d) for d in baseline_days]
    amount = costs.total(day)
    middle = Decimal(median(baseline))
    mad = Decimal(median(abs(x - middle) for x in baseline))
    z: Decimal | None = None
    if mad == 0:
        flagged = amount > middle * (1 + ZERO_MAD_MARGIN) and amount > middle
    else:
        z = (amount - middle) / (MAD_SCALE * mad)
        flagged = z > Z_THRESHOLD
    if not flagged:
        return None
    return Anomaly(
        day=_day(day),
        amount_usd=float(amount),
        baseline_median_usd=float(middle),
        z=round(float(z), 2) if z is not None else None,
        mad_zero=True if z is None else None,
        top_line_items=_excess_line_items(costs, day, baseline_days),
    )


def _excess_line_items(costs: DailyCosts, day: int, baseline_days: list[int]) -> list[LineItemExcess]:
    today = costs.by([day], "line_item")
    excess = []
    for item, amount in today.items():
        usual = Decimal(median(costs.by([d], "line_item").get(item, ZERO) for d in baseline_days))
        if amount > usual:
            excess.append(
                LineItemExcess(
                    line_item=item,
                    amount_usd=float(amount),
                    baseline_median_usd=float(usual),
                    excess_usd=float(amount - usual),
                )
            )
    return sorted(excess, key=lambda e: (-Decimal(repr(e.excess_usd)), e.line_item))[:3]


def _display_names(project_names: Mapping[str, str]) -> dict[str, str]:
    """Project names as shown: a name two projects share gets its id, so they are never merged or confused."""
    counts: dict[str, int] = defaultdict(int)
    for name in project_names.values():
        counts[name] += 1
    return {pid: f"{name} ({pid})" if counts[name] > 1 else name for pid, name in project_names.items()}


def _pct(part: Decimal, whole: Decimal) -> float | None:
    return None if whole == 0 else round(float(part / whole * 100), 2)


def _iso(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(moment: int) -> str:
    return (date(1970, 1, 1) + timedelta(seconds=moment)).isoformat()
