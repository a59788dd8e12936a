"""Shape usage and cost buckets into a report a model can read: ISO times, flat rows, totals per group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from codex_mcp.client import BucketSeries
from codex_mcp.models import Lean, UsageBucket
from codex_mcp.timeparse import iso

Number = int | float
# One flat JSON type list instead of anyOf: clients that validate results against outputSchema do it 2-3x faster.
RowValue = Annotated[int | float | str | bool, WithJsonSchema({"type": ["number", "string", "boolean"]})]
BUCKET_SECONDS = {"1m": 60, "1h": 3600, "1d": 86400}
# At most this many buckets per call per width (2 years of days, 31 days of hours, 1 day of minutes).
MAX_BUCKETS = {"1d": 732, "1h": 744, "1m": 1440}
# Fields summed per group; quantity only makes sense within one line item, so it is summed per line item only.
NOT_SUMMED = frozenset({"batch", "quantity"})


class ReportBucket(Lean):
    """One time bucket: [start_time, end_time) in Unix seconds and ISO-8601 UTC, with its rows."""

    start_time: int
    start_time_iso: str
    end_time: int
    end_time_iso: str
    results: list[dict[str, RowValue]] = Field(
        description="One row per group (one row when ungrouped); empty when there was no usage."
    )


class GroupTotal(Lean):
    """Totals over the whole range for one group (one value of each group_by field)."""

    group: dict[str, RowValue | None]
    project_name: str | None = Field(None, description="The project's name, when grouped by project_id.")
    totals: dict[str, Number]


class UsageReport(Lean):
    """Every bucket of a usage or cost query over [start_time, end_time), with totals."""

    source: str = Field(description="The Admin API endpoint the data came from.")
    demo_data: bool | None = Field(None, description="True when the data comes from the built-in demo organization.")
    start_time: int
    start_time_iso: str
    end_time: int
    end_time_iso: str
    bucket_width: str
    group_by: list[str] | None = None
    filters: dict[str, Any] | None = None
    units: str = Field(description="What the numbers measure.")
    complete: bool = Field(True, description="True: every page was fetched; all buckets in the range are here.")
    pages_fetched: int
    bucket_count: int
    totals: dict[str, Number] = Field(description="Sums over all buckets and groups.")
    groups: list[GroupTotal] | None = Field(None, description="Totals per group, largest first (when grouped).")
    notes: list[str] | None = Field(None, description="Anything worth knowing about this result.")
    buckets: list[ReportBucket]


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
    """Sum every numeric field of the rows; money and other floats are summed exactly in decimal."""
    totals: dict[str, Decimal | int] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if key in NOT_SUMMED and not (include_quantity and key == "quantity"):
                continue
            addend: Decimal | int = value if isinstance(value, int) else Decimal(repr(value))
            totals[key] = totals.get(key, 0) + addend
    return {key: float(value) if isinstance(value, Decimal) else value for key, value in totals.items()}


def build_report(
    series: BucketSeries,
    *,
    source: str,
    start_time: int,
    end_time: int,
    bucket_width: str,
    group_by: Sequence[str],
    filters: dict[str, Any],
    units: str,
    sort_key: str,
    project_names: dict[str, str] | None = None,
    notes: list[str] | None = None,
    demo: bool = False,
) -> UsageReport:
    """Turn fetched buckets into a UsageReport with overall and per-group totals."""
    buckets = [_report_bucket(bucket) for bucket in sorted(series.buckets, key=lambda b: b.start_time)]
    rows = [row for bucket in buckets for row in bucket.results]
    return UsageReport(
        source=source,
        demo_data=True if demo else None,
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
        totals=sum_rows(rows),
        groups=group_totals(rows, group_by, sort_key=sort_key, project_names=project_names) if group_by else None,
        notes=notes or None,
        buckets=buckets,
    )


def group_totals(
    rows: Sequence[dict[str, RowValue]],
    group_by: Sequence[str],
    *,
    sort_key: str,
    project_names: dict[str, str] | None = None,
) -> list[GroupTotal]:
    """Totals per distinct combination of the group_by fields, largest `sort_key` first, projects named."""
    names = project_names or {}
    grouped: dict[tuple[RowValue | None, ...], list[dict[str, RowValue]]] = {}
    for row in rows:
        grouped.setdefault(tuple(row.get(field) for field in group_by), []).append(row)
    include_quantity = "line_item" in group_by
    totals = [
        GroupTotal(
            group=(group := dict(zip(group_by, key, strict=True))),
            project_name=names.get(str(group.get("project_id"))),
            totals=sum_rows(members, include_quantity=include_quantity),
        )
        for key, members in grouped.items()
    ]
    return sorted(totals, key=lambda g: (-g.totals.get(sort_key, 0), str(list(g.group.values()))))


def bucket_count(start_time: int, end_time: int, bucket_width: str) -> int:
    """How many buckets the API returns for the range (buckets are aligned to the width, in UTC)."""
    width = BUCKET_SECONDS[bucket_width]
    first = start_time - start_time % width
    return -(-(end_time - first) // width)


def _report_bucket(bucket: UsageBucket) -> ReportBucket:
    return ReportBucket(
        start_time=bucket.start_time,
        start_time_iso=iso(bucket.start_time) or "",
        end_time=bucket.end_time,
        end_time_iso=iso(bucket.end_time) or "",
        results=[flatten_row(result) for result in bucket.results],
    )
