"""Fit a usage or cost report into the token budget: exact totals always, detail condensed only when it would not
fit, and said (any other result is fitted by codex_mcp.result_fit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codex_mcp.result_fit import export_hint, json_size, limit_bytes, tokens
from codex_mcp.usage_report import WIDTH_NAMES, WIDTHS, Condensed, GroupsTable, ReportData, UsageReport

GROUP_ROW_KEEPS = (20, 10, 5)
LAST_RESORT_KEEPS = (3, 1)
MIN_ROW_BYTES = 3  # '[],' at least, plus two bytes per cell


# ---- usage and cost reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """One way to present a report: how wide its rows are and how many groups it keeps."""

    bucket_width: str
    groups_keep: int | None = None
    rows_width: str | None = None
    rows_keep: int | None = None


def fit_report(data: ReportData, *, max_tokens: int, tool: str) -> UsageReport:
    """The full report when it fits in `max_tokens` (0: no limit); else the least condensed shape that does, saying
    how."""
    full = data.full_report()
    if not max_tokens:
        return full
    limit = limit_bytes(max_tokens)
    full_size = json_size(full.model_dump(mode="json"))
    if full_size <= limit:
        return full
    fitter = _ReportFitter(data, limit, max_tokens, full_size, tool)
    return fitter.fit()


class _ReportFitter:
    """Tries report shapes from the least condensed to the most and keeps the first that fits."""

    def __init__(self, data: ReportData, limit: int, max_tokens: int, full_size: int, tool: str) -> None:
        self.data = data
        self.limit = limit
        self.max_tokens = max_tokens
        self.full_size = full_size
        self.tool = tool
        self.widths = WIDTHS[WIDTHS.index(data.bucket_width) :]
        self.want_rows = data.include_group_rows and bool(data.group_by)

    def fit(self) -> UsageReport:
        groups_keep = self._groups_keep()
        bucket_width = next((w for w in self.widths if self._fits(_Shape(w, groups_keep))), self.widths[-1])
        shape = _Shape(bucket_width, groups_keep)
        if self.want_rows:
            shape = self._with_group_rows(shape) or shape
        # Even the most condensed shape can exceed the limit only in pathological cases (thousands of months, huge
        # names); the server's last check (fit_structured) cuts such a result further, or refuses it.
        return self._build(shape)

    def _groups_keep(self) -> int | None:
        """None when every group fits beside the widest bucket table; else the most groups that do."""
        if not self.data.group_by or self._fits(_Shape(self.widths[-1])):
            return None
        low, high = 0, len(self.data.overall_groups)  # low always fits (an empty table); high does not
        while high - low > 1:
            middle = (low + high) // 2
            if self._fits(_Shape(self.widths[-1], middle)):
                low = middle
            else:
                high = middle
        return low

    def _with_group_rows(self, shape: _Shape) -> _Shape | None:
        rows_widths = self.widths[self.widths.index(shape.bucket_width) :]
        for width in rows_widths:
            keeps: Sequence[int | None] = (None, *GROUP_ROW_KEEPS)
            if width == rows_widths[-1]:
                keeps = (*keeps, *LAST_RESORT_KEEPS)
            for keep in keeps:
                candidate = _Shape(shape.bucket_width, shape.groups_keep, width, keep)
                if self._cannot_fit_rows(width, keep):
                    continue
                if self._fits(candidate):
                    return candidate
        return None

    def _cannot_fit_rows(self, width: str, keep: int | None) -> bool:
        """Skip shapes whose group rows alone are surely over the limit (saves building huge tables)."""
        # The rows the table would have: one per group of each period (its raw rows may be many more), at most
        # `keep` and one '(other)' row; never more than the real count, or a shape that fits would be passed over.
        count = 0
        for _, rows in self.data.periods(width):
            groups = len({tuple(row.get(field) for field in self.data.group_by) for row in rows})
            count += groups if keep is None or groups <= keep else keep + 1
        cells = len(self.data.group_by) + len(self.data.counters) + 1
        return count * (MIN_ROW_BYTES + 2 * cells) > self.limit

    def _fits(self, shape: _Shape) -> bool:
        return self._size(self._build(shape)) <= self.limit

    def _size(self, report: UsageReport) -> int:
        return json_size(report.model_dump(mode="json"))

    def _build(self, shape: _Shape) -> UsageReport:
        data = self.data
        groups: GroupsTable | None = data.groups_table(shape.groups_keep) if data.group_by else None
        group_rows = None
        if shape.rows_width is not None:
            group_rows = data.group_rows_table(shape.rows_width, shape.rows_keep)
        steps = self._steps(shape, groups)
        condensed = Condensed(budget_tokens=self.max_tokens, full_tokens=tokens(self.full_size), steps=steps)
        note = (
            f"This answer was condensed to fit the {self.max_tokens:,}-token result budget (in full it is about "
            f"{tokens(self.full_size):,} tokens): {' '.join(steps)} Totals and per-group totals are exact. "
            f"{export_hint(self.tool)}"
        )
        return data.report(
            buckets=data.bucket_table(shape.bucket_width),
            groups=groups,
            group_rows=group_rows,
            condensed=condensed,
            notes=[note],
        )

    def _steps(self, shape: _Shape, groups: GroupsTable | None) -> list[str]:
        data = self.data
        steps: list[str] = []
        if groups is not None and groups.other is not None:
            steps.append(
                f"`groups` lists the largest {len(groups.rows)} of {len(data.overall_groups)} groups; the other "
                f"{groups.other.groups} are summed in groups.other."
            )
        if shape.bucket_width != data.bucket_width:
            steps.append(
                f"`buckets` are rolled up from {data.bucket_width} to {shape.bucket_width} "
                f"({WIDTH_NAMES[shape.bucket_width]}; the first and last may be partial)."
            )
        if not self.want_rows:
            return steps
        if shape.rows_width is None:
            steps.append(
                "`group_rows` (include_group_rows) are left out: even the largest group per period would not fit."
            )
            return steps
        if shape.rows_width != data.bucket_width:
            steps.append(f"`group_rows` are rolled up to {shape.rows_width} ({WIDTH_NAMES[shape.rows_width]}).")
        if shape.rows_keep is not None:
            steps.append(
                f"`group_rows` keep the largest {shape.rows_keep} groups of each period; the rest of each period is "
                "summed in one row whose group values read '(other: N)'."
            )
        return steps
