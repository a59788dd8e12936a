"""Shape usage and cost buckets into a report a model can read: ISO times, totals per bucket and per group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from codex_mcp.errors import InvalidArgumentError
from codex_mcp.models import BucketSeries, Lean, UsageBucket
from codex_mcp.timeparse import iso, resolve_range

Number = int | float
# One flat JSON type list instead of anyOf: clients that validate results against outputSchema do it 2-3x faster.
RowValue = Annotated[int | float | str | bool, WithJsonSchema({"type": ["number", "string", "boolean"]})]
BUCKET_SECONDS = {"1m": 60, "1h": 3600, "1d": 86400}
# At most this many buckets per call per width (2 years of days, 31 days of hours, 1 day of minutes).
MAX_BUCKETS = {"1d": 732, "1h": 744, "1m": 1440}
# Counters always reported; any other counter that is zero over the whole range is left out as noise.
MAIN_COUNTERS = frozenset({"amount_usd", "num_model_requests", "num_sessions", "input_tokens", "output_tokens"})


class ReportBucket(Lean):
    """One time bucket: [start_time, end_time) in Unix seconds and ISO-8601 UTC, with its totals."""

    start_time: int
    start_time_iso: str
    end_time: int
    end_time_iso: str
    totals: dict[str, Number] = Field(description="Sums over this bucket's rows; empty when there was no usage.")
    results: list[dict[str, RowValue]] | None = Field(
        None, description="The bucket's rows, one per group (only with include_group_rows=true)."
    )


class GroupTotal(Lean):
    """Totals over the whole range for one group (one value of each group_by field)."""

    group: dict[str, RowValue | None] = Field(description="The group's field values; null: not attributed.")
    project_name: str | None = Field(None, description="The project's name, when grouped by project_id.")
    totals: dict[str, Number]


class UsageReport(Lean):
    """Every bucket of a usage or cost query over [start_time, end_time), with totals."""

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
    pages_fetched: int
    bucket_count: int
    totals: dict[str, Number] = Field(description="Sums over all buckets and groups.")
    groups: list[GroupTotal] | None = Field(None, description="Totals per group, largest first (when grouped).")
    notes: list[str] | None = Field(None, description="Anything worth knowing about this result.")
    buckets: list[ReportBucket]


def resolve_bucket_range(
    start_time: int | str,
    end_time: int | str | None,
    bucket_width: str,
    *,
    advice: str = "Use a wider bucket_width or a shorter range.",
) -> tuple[int, int, str | None]:
    """The [start, end) to query: start aligned down to the bucket width (as the API aligns its buckets), at most
    MAX_BUCKETS buckets (else refused, ending with `advice`). Returns a note when the start moved."""
    start, end = resolve_range(start_time, end_time)
    width = BUCKET_SECONDS[bucket_width]
    aligned = start - start % width
    count = -(-(end - aligned) // width)
    if count > MAX_BUCKETS[bucket_width]:
        seconds = MAX_BUCKETS[bucket_width] * width
        span = f"{seconds // 86400} days" if seconds >= 2 * 86400 else f"{seconds // 3600} hours"
        raise InvalidArgumentError(
            f"start_time to end_time ({iso(aligned)} to {iso(end)}) is {count} '{bucket_width}' buckets, longer "
            f"than {span} (at most {MAX_BUCKETS[bucket_width]} buckets per call). {advice}"
        )
    note = None
    if aligned != start:
        note = (
            f"start_time {iso(start)} was aligned down to the start of its {bucket_width} bucket, {iso(aligned)}: "
            "buckets are whole UTC days/hours/minutes, so the first bucket covers all of it."
        )
    return aligned, end, note


def flatten_row(result: dict[str, Any]) -> dict[str, RowValue]:
    """One API result as a flat row: no `object`, no nulls; a cost's amount becomes `amount_usd`."""
    row: dict[str, RowValue] = {}
    for key, value in result.items():
        if key == "object" or value is None:
            continue
        if key == "amount" and isinstance(value, dict):
            currency = str(value.get("currency") or "usd").lower()
            amount = value.get("value")
            if isinstance(amount, int | float):
                row["amount_usd" if currency == "usd" else f"amount_{currency}"] = amount
            continue
        if isinstance(value, int | float | str | bool):
            row[key] = value
    return row


def sum_rows(rows: Iterable[dict[str, RowValue]], *, include_quantity: bool = False) -> dict[str, Number]:
    """Sum every numeric field of the rows; money and other floats are summed exactly in decimal.

    `quantity` is only meaningful within one line item (its unit varies), so it is summed only when asked.
    """
    totals: dict[str, Decimal | int] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if key == "quantity" and not include_quantity:
                continue
            addend: Decimal | int = value if isinstance(value, int) else Decimal(repr(value))
            totals[key] = totals.get(key, 0) + addend
    return {key: float(value) if isinstance(value, Decimal) else value for key, value in totals.items()}


def build_report(
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
    project_names: dict[str, str] | None = None,
    notes: Sequence[str] = (),
) -> UsageReport:
    """Turn fetched buckets into a UsageReport: totals per bucket, overall and per group."""
    ordered = sorted(series.buckets, key=lambda b: b.start_time)
    rows_by_bucket = [[flatten_row(result) for result in bucket.results] for bucket in ordered]
    rows = [row for bucket_rows in rows_by_bucket for row in bucket_rows]
    totals = sum_rows(rows)
    kept = {key for key, value in totals.items() if value or key in MAIN_COUNTERS}
    buckets = [
        _report_bucket(bucket, bucket_rows, kept, include_rows=include_group_rows)
        for bucket, bucket_rows in zip(ordered, rows_by_bucket, strict=True)
    ]
    groups = None
    if group_by:
        groups = group_totals(rows, group_by, sort_key=sort_key, project_names=project_names, kept=kept)
    return UsageReport(
        source=series.source,
        start_time=start_time,
        start_time_iso=iso(start_time) or "",
        end_time=end_time,
        end_time_iso=iso(end_time) or "",
        bucket_width=bucket_width,
        group_by=list(group_by) or None,
        filters={key: value for key, value in filters.items() if value not in (None, [], ())} or None,
        units=units,
        pages_fetched=series.pages,
        bucket_count=len(buckets),
        totals=_only(totals, kept),
        groups=groups,
        notes=list(notes) or None,
        buckets=buckets,
    )


def group_totals(
    rows: Sequence[dict[str, RowValue]],
    group_by: Sequence[str],
    *,
    sort_key: str,
    project_names: dict[str, str] | None = None,
    kept: set[str] | None = None,
) -> list[GroupTotal]:
    """Totals per distinct combination of the group_by fields, largest `sort_key` first, projects named."""
    names = project_names or {}
    grouped: dict[tuple[RowValue | None, ...], list[dict[str, RowValue]]] = {}
    for row in rows:
        grouped.setdefault(tuple(row.get(field) for field in group_by), []).append(row)
    include_quantity = "line_item" in group_by
    totals = []
    for key, members in grouped.items():
        group = dict(zip(group_by, key, strict=True))
        sums = sum_rows(members, include_quantity=include_quantity)
        totals.append(
            GroupTotal(
                group=group,
                project_name=names.get(str(group.get("project_id"))),
                totals=_only(sums, kept | {"quantity"}) if kept is not None else sums,
            )
        )
    return sorted(totals, key=lambda g: (-g.totals.get(sort_key, 0), str(list(g.group.values()))))


def _only(totals: dict[str, Number], keys: set[str]) -> dict[str, Number]:
    return {key: value for key, value in totals.items() if key in keys}


def _report_bucket(
    bucket: UsageBucket, rows: list[dict[str, RowValue]], kept: set[str], *, include_rows: bool
) -> ReportBucket:
    return ReportBucket(
        start_time=bucket.start_time,
        start_time_iso=iso(bucket.start_time) or "",
        end_time=bucket.end_time,
        end_time_iso=iso(bucket.end_time) or "",
        totals=_only(sum_rows(rows), kept),
        results=rows if include_rows else None,
    )
