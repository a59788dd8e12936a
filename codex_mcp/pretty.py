"""Human-readable rendering of tool results for `codex-mcp call --pretty`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

MAX_CELL = 48
MAX_ROWS = 200


def render(payload: dict[str, Any]) -> str:
    """A report, a page of objects, or an object, as text tables; anything else as indented JSON."""
    if isinstance(payload.get("buckets"), dict) and "totals" in payload:
        return _report(payload)
    if isinstance(payload.get("data"), list):
        return _page(payload)
    if "tool_name" in payload and "metadata" in payload:
        return _metrics(payload)
    return _fields(payload)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain text table with aligned columns."""
    cells = [[_cell(value) for value in row] for row in rows[:MAX_ROWS]]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    if len(rows) > MAX_ROWS:
        lines.append(f"... {len(rows) - MAX_ROWS} more rows (use JSON output for all)")
    return "\n".join(lines)


def _report(report: dict[str, Any]) -> str:
    title = (
        f"{report['source']}  {report['start_time_iso']} .. {report['end_time_iso']} (UTC, end exclusive)  "
        f"buckets: {report['bucket_count']} x {report['bucket_width']}  pages: {report['pages_fetched']}"
    )
    lines = [title]
    if report.get("demo_data"):
        lines.append("DEMO DATA from the built-in sample organization")
    groups = report.get("groups")
    shown = groups if groups else report["buckets"]
    columns = list(shown["columns"])
    rows = [[_round(value) for value in row] for row in shown["rows"]]
    if groups and groups.get("other"):
        other = groups["other"]
        label = f"(other: {other['groups']} groups)"
        rows.append([other["totals"].get(c, label if i == 0 else None) for i, c in enumerate(columns)])
    lines += ["", table(columns, rows)]
    totals = "  ".join(
        f"{k}={_cell(_round(v))}" for k, v in sorted(report["totals"].items(), key=lambda i: _metric_order(i[0]))
    )
    lines += ["", f"TOTAL  {totals}", *(f"NOTE: {note}" for note in report.get("notes", []))]
    return "\n".join(lines)


def _page(page: dict[str, Any]) -> str:
    items = page["data"]
    columns: list[str] = []
    for item in items:
        for key, value in item.items():
            if key in columns or key == "object" or isinstance(value, dict | list):
                continue
            if f"{key}_iso" in item:
                continue
            columns.append(key)
    columns = columns[:8]
    lines = [table(columns, [[item.get(c) for c in columns] for item in items])] if items else ["(no items)"]
    more = f"more: call again with after={page['next_after']}" if page.get("has_more") else "last page"
    lines.append(f"\n{page['count']} items; {more}")
    return "\n".join(lines)


def _metrics(metrics: dict[str, Any]) -> str:
    scalar = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    lines = [f"{key}: {_cell(value)}" for key, value in scalar.items()]
    if by_model := metrics.get("usage_by_model"):
        headers = ["model", "requests", "input_tokens", "output_tokens", "input_cached_tokens"]
        rows = [[model, *(usage.get(h) for h in headers[1:])] for model, usage in by_model.items()]
        lines += ["", table(headers, rows)]
    meta = metrics.get("metadata", {})
    if meta.get("failed_sources"):
        lines += ["", "FAILED SOURCES:", *(f"  {k}: {v}" for k, v in meta["failed_sources"].items())]
    lines += ["", f"unavailable from the API: {', '.join(meta.get('unavailable_fields', []))}"]
    return "\n".join(lines)


def _fields(payload: dict[str, Any]) -> str:
    if all(not isinstance(v, dict | list) for v in payload.values()):
        width = max((len(k) for k in payload), default=0)
        return "\n".join(f"{key:<{width}}  {_cell(value)}" for key, value in payload.items())
    return json.dumps(payload, indent=2)


def _metric_order(name: str) -> tuple[int, str]:
    preferred = [
        "amount_usd",
        "num_model_requests",
        "num_sessions",
        "input_tokens",
        "output_tokens",
        "input_cached_tokens",
        "quantity",
    ]
    return (preferred.index(name) if name in preferred else len(preferred), name)


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _cell(value: Any) -> str:
    text = (
        "" if value is None else f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    )
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()
