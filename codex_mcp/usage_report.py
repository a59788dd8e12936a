"""Shape usage and cost buckets into a report a model can read: exact totals, and tables of rows under columns."""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Self, TypeVar

from pydantic import Field, WithJsonSchema

from codex_mcp.errors import InvalidArgumentError
from codex_mcp.models import BucketSeries, Lean
from codex_mcp.rows import (
    ExactSums,
    Number,
    Row,
    UnreadableValues,
    add_rows,
    add_sums,
    exact_number,
    exact_numbers,
    flatten_row,
    model_of,
    sum_rows,
)
from codex_mcp.timeparse import iso, resolve_range
from codex_mcp.usage_endpoints import WIDTH_SECONDS

T = TypeVar("T")
# One flat JSON type list instead of anyOf: clients that validate results against outputSchema do it 2-3x faster.
Cell = Annotated[int | float | str | bool | None, WithJsonSchema({"type": ["number", "string", "boolean", "null"]})]
BUCKET_SECONDS = WIDTH_SECONDS
# The longest range one call may ask for, per width, in whole days (None: any, back to 2020-01-01, which time parsing
# enforces).
# Long ranges are fetched in concurrent windows and rolled up to fit the budget; these keep one call under about
# 10,000 buckets (a year of hours is 8,784, a week of minutes 10,080), which bounds its memory and requests.
MAX_SPAN_SECONDS: dict[str, int | None] = {"1d": None, "1h": 366 * 86400, "1m": 7 * 86400}
# Widths rows can be rolled up to when a result must be condensed, finest first.
WIDTHS = ("1m", "1h", "1d", "1w", "1mo")
WIDTH_NAMES = {"1m": "minutes", "1h": "hours", "1d": "UTC days", "1w": "weeks from Monday, UTC", "1mo": "months"}
# Counters always reported; any other counter that is zero over the whole range is left out as noise.
MAIN_COUNTERS = ("amount_usd", "num_model_requests", "num_sessions", "input_tokens", "output_tokens")
START = "start"
# Group fields whose ids get a readable label column in per-group totals (null when the lookup has none).
LABEL_COLUMNS = {"project_id": "project_name", "user_id": "user_email"}
MIN_ROWS_TO_FOLD = 8


class Table(Lean):
    """Rows of values under `columns` (given once). A time series has `width`: each row covers
    [start, start + width), `start` being ISO-8601 UTC."""

    columns: list[str]
    rows: list[list[Cell]]
    width: str | None = Field(None, description="Each row covers [start, start + width) (time series only).")
    same_as: dict[str, str] | None = Field(
        None,
        description="Counters left out of `columns` because in every row they equal the named column "
        "(e.g. input_text_tokens equal to input_tokens when all input is text).",
    )
    partial_from: str | None = Field(
        None,
        description="Rows starting here or later are not complete yet (the period has not ended, or its data can "
        "still arrive): their figures may still grow.",
    )

    @classmethod
    def folded(cls, columns: list[str], rows: list[list[Cell]], *, measures_from: int, **fields: Any) -> Self:
        """A table whose counter columns that repeat an earlier column in every row are listed in `same_as`
        instead of repeated (the numbers are not lost: they are the named column's)."""
        same_as: dict[str, str] = {}
        if len(rows) < MIN_ROWS_TO_FOLD:  # in a few rows equal numbers are likely coincidence: show them
            return cls(columns=columns, rows=rows, **fields)
        for index in range(measures_from, len(columns)):
            for earlier in range(measures_from, index):
                if columns[earlier] in same_as:
                    continue
                if all(row[index] == row[earlier] for row in rows):
                    same_as[columns[index]] = columns[earlier]
                    break
        if not same_as:
            return cls(columns=columns, rows=rows, **fields)
        keep = [i for i, name in enumerate(columns) if name not in same_as]
        return cls(
            columns=[columns[i] for i in keep],
            rows=[[row[i] for i in keep] for row in rows],
            same_as=same_as,
            **fields,
        )


class OtherGroups(Lean):
    """The groups left out of a condensed table, summed."""

    groups: int = Field(description="How many groups are summed here.")
    totals: dict[str, Number]


class GroupsTable(Table):
    """Totals per group over the whole range, largest first; `other` sums the groups left out (condensed only)."""

    other: OtherGroups | None = None


class Condensed(Lean):
    """How a result was condensed to fit the token budget."""

    budget_tokens: int
    full_tokens: int = Field(description="Estimated tokens of the full answer (UTF-8 bytes / 4).")
    steps: list[str]


class UsageReport(Lean):
    """Every bucket of a usage or cost query over [start_time, end_time), with exact totals."""

    source: str = Field(description="The Admin API endpoint the data came from.")
    demo_data: bool | None = Field(None, description="True when the data comes from the built-in demo organization.")
    start_time: int = Field(description="Start of the range, aligned down to a bucket boundary (Unix seconds).")
    start_time_iso: str
    end_time: int = Field(description="End of the range, exclusive (Unix seconds).")
    end_time_iso: str
    bucket_width: str
    group_by: list[str] | None = None
    filters: dict[str, Any] | None = None
    units: str = Field(description="What the numbers measure; counters absent from totals are zero.")
    pages_fetched: int = Field(description="Pages requested from the API for this answer.")
    cached_buckets: int | None = Field(
        None, description="Buckets answered from memory: closed periods an earlier call fetched (see notes)."
    )
    bucket_count: int = Field(description="Buckets in the range as the API gave them (before any roll-up).")
    totals: dict[str, Number] = Field(description="Exact sums over all buckets and groups.")
    groups: GroupsTable | None = Field(None, description="Totals per group, largest first (when grouped).")
    buckets: Table = Field(description="Totals per bucket: columns `start` and the counters.")
    group_rows: Table | None = Field(None, description="Each bucket's rows per group (with include_group_rows=true).")
    condensed: Condensed | None = Field(None, description="Present when detail was condensed to fit; see notes.")
    notes: list[str] | None = Field(None, description="Anything worth knowing about this result.")


def resolve_bucket_range(
    start_time: int | str,
    end_time: int | str | None,
    bucket_width: str,
    *,
    advice: str = "Use a wider bucket_width or a shorter range.",
) -> tuple[int, int, str | None]:
    """The [start, end) to query: start aligned down to the bucket width (as the API aligns its buckets). The range
    asked for may span at most MAX_SPAN_SECONDS (else refused, ending with `advice`). Returns a note when the start
    moved."""
    start, end = resolve_range(start_time, end_time)
    width = BUCKET_SECONDS[bucket_width]
    span = MAX_SPAN_SECONDS[bucket_width]
    if span is not None and end - start > span:
        raise InvalidArgumentError(
            f"start_time to end_time ({iso(start)} to {iso(end)}) is longer than {span // 86400} days, the most one "
            f"call can ask for at bucket_width '{bucket_width}' (about 10,000 buckets at most). {advice}"
        )
    aligned = start - start % width
    note = None
    if aligned != start:
        note = (
            f"start_time {iso(start)} was aligned down to the start of its {bucket_width} bucket, {iso(aligned)}: "
            "buckets are whole UTC days/hours/minutes, so the first bucket covers all of it."
        )
    return aligned, end, note


def period_start(moment: int, width: str) -> int:
    """The start of the `width` period (UTC) that holds `moment`."""
    if width in BUCKET_SECONDS:
        return moment - moment % BUCKET_SECONDS[width]
    day = moment - moment % 86400
    if width == "1w":
        return day - datetime.fromtimestamp(day, UTC).weekday() * 86400
    if width == "1mo":
        when = datetime.fromtimestamp(day, UTC)
        return calendar.timegm((when.year, when.month, 1, 0, 0, 0))
    raise ValueError(f"unknown width {width!r}")


def start_label(moment: int, width: str) -> str:
    """A row's start: an ISO-8601 date for days and wider, an ISO-8601 UTC time to the minute for hours and minutes
    ('2026-10-01T09:00Z')."""
    text = iso(moment) or ""
    return text[:10] if width not in ("1m", "1h") else f"{text[:16]}Z"


@dataclass(frozen=True)
class GroupEntry:
    """One group: its values (in group_by order), its exact totals and the rows they were summed from."""

    key: tuple[Cell, ...]
    totals: dict[str, Number]
    members: list[Row]


@dataclass
class ReportData:
    """Everything a report is made from: the flattened rows of every bucket, in time order, and how to label them.

    Tables at any width (rolled up) and with any number of group rows per bucket are computed from the raw rows,
    so every figure in any shape of the report is an exact sum."""

    source: str
    start_time: int
    end_time: int
    bucket_width: str
    group_by: list[str]
    filters: dict[str, Any]
    units: str
    sort_key: str
    pages: int
    starts: list[int]
    rows: list[list[Row]]
    problems: UnreadableValues
    labels: dict[str, dict[str, str]]  # per group_by field (LABEL_COLUMNS), each id's label
    notes: list[str]
    include_group_rows: bool
    complete_before: int
    cached_buckets: int = 0
    _period_groups: dict[str, list[tuple[int, list[GroupEntry]]]] = field(default_factory=dict, repr=False)
    _bucket_tables: dict[str, Table] = field(default_factory=dict, repr=False)

    @classmethod
    def of(
        cls,
        series: BucketSeries,
        *,
        start_time: int,
        end_time: int,
        bucket_width: str,
        group_by: Sequence[str],
        filters: dict[str, Any],
        units: str,
        sort_key: str,
        include_group_rows: bool = False,
        labels: dict[str, dict[str, str]] | None = None,
        notes: Sequence[str] = (),
        lag_s: int = 0,
        now: float | None = None,
    ) -> ReportData:
        """`lag_s`: how long after a bucket ends its data can still arrive; buckets ending after now - lag_s are
        partial. Grouped by `model` on costs, each row's model is derived from its line item."""
        problems = UnreadableValues()
        ordered = sorted(series.buckets, key=lambda b: b.start_time)
        rows = [[flatten_row(r, problems, day=b.start_time) for r in b.results] for b in ordered]
        if "model" in group_by and series.source.endswith("/costs"):
            for row in (row for bucket_rows in rows for row in bucket_rows):
                line_item = row.get("line_item")
                row["model"] = model_of(line_item if isinstance(line_item, str) else None)
        return cls(
            source=series.source,
            start_time=start_time,
            end_time=end_time,
            bucket_width=bucket_width,
            group_by=list(group_by),
            filters={key: value for key, value in filters.items() if value not in (None, [], ())},
            units=units,
            sort_key=sort_key,
            pages=series.pages,
            starts=[b.start_time for b in ordered],
            rows=rows,
            problems=problems,
            labels=labels or {},
            notes=list(notes),
            include_group_rows=include_group_rows,
            complete_before=int(time.time() if now is None else now) - lag_s,
            cached_buckets=series.cached_buckets,
        )

    # ---- what every shape shares -----------------------------------------------------------------------------

    def all_rows(self) -> list[Row]:
        return [row for bucket_rows in self.rows for row in bucket_rows]

    @cached_property
    def bucket_sums(self) -> list[ExactSums]:
        """Each bucket's exact sums, made once: the totals and the bucket table at every width add these up instead
        of every row again."""
        return [add_rows({}, rows) for rows in self.rows]

    @cached_property
    def totals(self) -> dict[str, Number]:
        total: ExactSums = {}
        for sums in self.bucket_sums:
            add_sums(total, sums)
        return exact_numbers(total)

    @cached_property
    def counters(self) -> list[str]:
        """The counters worth a column: the one groups are ranked by, the main ones present, then any other that is
        not zero over the range."""
        totals = self.totals
        present = [key for key in totals if totals[key] or key in MAIN_COUNTERS or key == self.sort_key]
        order = (self.sort_key, *MAIN_COUNTERS)
        return sorted(present, key=lambda key: (order.index(key) if key in order else len(order), key))

    def all_notes(self) -> list[str]:
        problem = self.problems.note("costs" if self.source.endswith("/costs") else "usage")
        return [*self.notes, *([problem] if problem else []), *self._partial_note(), *self._cached_note()]

    def _cached_note(self) -> list[str]:
        if not self.cached_buckets:
            return []
        return [
            f"{self.cached_buckets} of {len(self.starts)} buckets came from memory: they ended over 48 hours ago, "
            "when their figures are final, and an earlier call fetched them; the rest were fetched now."
        ]

    def _partial_note(self) -> list[str]:
        if self.first_partial is None:
            return []
        costs = self.source.endswith("/costs")
        why = "costs can arrive up to a day after the day ends" if costs else "the period has not ended yet"
        return [
            f"Buckets from {start_label(self.first_partial, self.bucket_width)} on are partial ({why}): their "
            "figures may still grow, so do not compare them with complete ones. Tables mark it as partial_from."
        ]

    # ---- tables ----------------------------------------------------------------------------------------------

    def periods(self, width: str) -> list[tuple[int, list[Row]]]:
        """The buckets' rows, rolled up to `width` (the bucket width itself: unchanged), in time order."""
        return self._rolled_up(width, self.rows, list, list.extend)

    def _rolled_up(
        self, width: str, per_bucket: Sequence[T], empty: Callable[[], T], add: Callable[[T, T], object]
    ) -> list[tuple[int, T]]:
        """One value per bucket, rolled up to `width` (`add` merges a bucket's into its period's, which starts
        `empty`), in time order; at the bucket width itself, unchanged."""
        buckets = list(zip(self.starts, per_bucket, strict=True))
        if width == self.bucket_width:
            return buckets
        rolled: dict[int, T] = {}
        for start, value in buckets:
            add(rolled.setdefault(period_start(start, width), empty()), value)
        return sorted(rolled.items())

    @cached_property
    def first_partial(self) -> int | None:
        """The start of the first bucket that ends after `complete_before` (None: every bucket is complete)."""
        width = BUCKET_SECONDS[self.bucket_width]
        return next((start for start in self.starts if start + width > self.complete_before), None)

    def partial_label(self, width: str) -> str | None:
        """Where a table at `width` starts to hold partial rows."""
        first = self.first_partial
        return None if first is None else start_label(period_start(first, width), width)

    def bucket_table(self, width: str) -> Table:
        """Each period's totals at `width`, made once per width (the full report and every condensed shape share it)."""
        if width not in self._bucket_tables:
            self._bucket_tables[width] = self._make_bucket_table(width)
        return self._bucket_tables[width]

    def _make_bucket_table(self, width: str) -> Table:
        counters = self.counters
        rows: list[list[Cell]] = [
            [start_label(start, width), *(exact_number(sums.get(key, 0)) for key in counters)]
            for start, sums in self._rolled_up(width, self.bucket_sums, dict, add_sums)
        ]
        return Table.folded(
            [START, *counters], rows, measures_from=1, width=width, partial_from=self.partial_label(width)
        )

    def group_entries(self, rows: Sequence[Row]) -> list[GroupEntry]:
        """One entry per distinct group of `rows`, largest `sort_key` first, equal ones in group-value order."""
        grouped: dict[tuple[Cell, ...], list[Row]] = {}
        for row in rows:
            grouped.setdefault(tuple(_dimension(row, field) for field in self.group_by), []).append(row)
        include_quantity = "line_item" in self.group_by
        entries = [
            GroupEntry(key, sum_rows(members, include_quantity=include_quantity), members)
            for key, members in grouped.items()
        ]
        return sorted(entries, key=lambda entry: (-entry.totals.get(self.sort_key, 0), _order_key(entry.key)))

    @property
    def labelled(self) -> list[str]:
        """The group_by fields that get a label column (project names, user emails), in LABEL_COLUMNS order."""
        return [name for name in LABEL_COLUMNS if name in self.group_by]

    def group_columns(self) -> list[str]:
        counters = self.counters
        quantity = ["quantity"] if "line_item" in self.group_by else []
        labels = [LABEL_COLUMNS[field] for field in self.labelled]
        return [*self.group_by, *labels, *counters, *quantity]

    def groups_table(self, keep: int | None = None) -> GroupsTable:
        """Totals per group; with `keep`, only the largest `keep` groups and the rest summed as `other`."""
        entries = self.overall_groups
        counters = self.counters
        table_rows = [self._group_row(entry, counters) for entry in entries[:keep]]
        other = None
        if keep is not None and len(entries) > keep:
            rest = entries[keep:]
            other = OtherGroups(groups=len(rest), totals=_sum_members(rest, counters))
        columns = self.group_columns()
        return GroupsTable.folded(
            columns, table_rows, measures_from=columns.index(counters[0]) if counters else len(columns), other=other
        )

    @cached_property
    def overall_groups(self) -> list[GroupEntry]:
        """Every group over the whole range, largest first."""
        return self.group_entries(self.all_rows())

    def period_groups(self, width: str) -> list[tuple[int, list[GroupEntry]]]:
        """Each period's groups, largest first (computed once per width)."""
        if width not in self._period_groups:
            self._period_groups[width] = [(start, self.group_entries(rows)) for start, rows in self.periods(width)]
        return self._period_groups[width]

    def group_rows_table(self, width: str, keep: int | None = None) -> Table:
        """Each period's rows per group (largest first); with `keep`, the largest `keep` per period and the rest
        summed per period as one row whose group values read '(other: N)'."""
        counters = self.counters
        quantity = ["quantity"] if "line_item" in self.group_by else []
        measures = [*counters, *quantity]
        rows: list[list[Cell]] = []
        for start, entries in self.period_groups(width):
            label = start_label(start, width)
            for entry in entries[:keep]:
                rows.append([label, *entry.key, *(entry.totals.get(m, 0) for m in measures)])
            if keep is not None and len(entries) > keep:
                rest = _sum_members(entries[keep:], counters)
                other_label = f"(other: {len(entries) - keep})"
                # quantity is left empty: it cannot be summed across line items (their units differ).
                other_row: list[Cell] = [label, *([other_label] * len(self.group_by))]
                rows.append([*other_row, *(rest.get(c, 0) for c in counters), *([None] * len(quantity))])
        columns = [START, *self.group_by, *measures]
        return Table.folded(
            columns, rows, measures_from=1 + len(self.group_by), width=width, partial_from=self.partial_label(width)
        )

    def _group_row(self, entry: GroupEntry, counters: list[str]) -> list[Cell]:
        labels: list[Cell] = []
        for name in self.labelled:
            value = entry.key[self.group_by.index(name)]
            labels.append(self.labels.get(name, {}).get(str(value)) if value is not None else None)
        quantity = [entry.totals.get("quantity", 0)] if "line_item" in self.group_by else []
        return [*entry.key, *labels, *(entry.totals.get(c, 0) for c in counters), *quantity]

    # ---- the report ------------------------------------------------------------------------------------------

    def report(
        self,
        *,
        buckets: Table,
        groups: GroupsTable | None = None,
        group_rows: Table | None = None,
        condensed: Condensed | None = None,
        notes: Sequence[str] = (),
    ) -> UsageReport:
        totals = self.totals
        counters = self.counters
        return UsageReport(
            source=self.source,
            start_time=self.start_time,
            start_time_iso=iso(self.start_time) or "",
            end_time=self.end_time,
            end_time_iso=iso(self.end_time) or "",
            bucket_width=self.bucket_width,
            group_by=self.group_by or None,
            filters=self.filters or None,
            units=self.units,
            pages_fetched=self.pages,
            cached_buckets=self.cached_buckets or None,
            bucket_count=len(self.starts),
            totals={key: totals.get(key, 0) for key in counters},
            groups=groups,
            buckets=buckets,
            group_rows=group_rows,
            condensed=condensed,
            notes=[*notes, *self.all_notes()] or None,
        )

    def full_report(self) -> UsageReport:
        """Every row: each bucket's totals, every group, and (when asked) every group row of every bucket."""
        return self.report(
            buckets=self.bucket_table(self.bucket_width),
            groups=self.groups_table() if self.group_by else None,
            group_rows=self.group_rows_table(self.bucket_width) if self.include_group_rows and self.group_by else None,
        )


def _sum_members(entries: Sequence[GroupEntry], keys: Sequence[str]) -> dict[str, Number]:
    """Exact sums over the raw rows of several groups, for `keys`."""
    sums = sum_rows(row for entry in entries for row in entry.members)
    return {key: sums.get(key, 0) for key in keys}


def _dimension(row: Row, name: str) -> Cell:
    """A row's value of a group_by field (dimensions are read as str, bool or int; absent is None)."""
    value = row.get(name)
    return value if not isinstance(value, Decimal) else float(value)


def _order_key(key: tuple[Cell, ...]) -> tuple[tuple[int, str], ...]:
    """Groups with equal totals in a stable order: nulls (not attributed) last, then by value."""
    return tuple((1, "") if value is None else (0, str(value)) for value in key)
