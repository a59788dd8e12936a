"""What the CLI prints: results as tables for people (--pretty / --format table), every row as CSV or JSON for
scripts and finance hand-offs (--format csv|json), and one tool's arguments (codex-mcp tools NAME)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from typing import Any

from mcp.types import Tool

MAX_CELL = 60
DEMO_BANNER = "DEMO DATA from the built-in sample organization (not a real OpenAI account)"
TABLE_PREFERENCE = ("group_rows", "groups", "buckets")


def say(text: str) -> None:
    """Write one line of a CLI command's output. Only CLI commands own stdout; the MCP server never calls this."""
    sys.stdout.write(f"{text}\n")


# ---- for people ------------------------------------------------------------------------------------------------


def render(payload: dict[str, Any]) -> str:
    """A report, a page of objects, metrics or an object as text tables; the demo banner on each."""
    if isinstance(payload.get("buckets"), dict) and "totals" in payload:
        body = _report(payload)
    elif "total_usd" in payload and "anomalies" in payload:
        body = _insights(payload)
    elif isinstance(payload.get("data"), list):
        body = _page(payload)
    elif "tool_name" in payload and "metadata" in payload:
        body = _metrics(payload)
    else:
        body = _fields(payload)
    return f"{DEMO_BANNER}\n\n{body}" if payload.get("demo_data") else body


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, footer: Sequence[Any] | None = None) -> str:
    """A plain text table with aligned columns (numbers right-aligned), and an optional footer row (totals)."""
    money = [_is_money(header) for header in headers]
    cells = [[_cell(value, money[i]) for i, value in enumerate(row)] for row in rows]
    foot = [_cell(value, money[i]) for i, value in enumerate(footer)] if footer is not None else None
    every = [*cells, *([foot] if foot else [])]
    widths = [max([len(h), *(len(row[i]) for row in every)]) for i, h in enumerate(headers)]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths, strict=True))

    lines = [line(list(headers)), "  ".join("-" * w for w in widths), *(line(row) for row in cells)]
    if foot is not None:
        lines += ["  ".join("=" * w for w in widths), line(foot).rstrip()]
    return "\n".join(line.rstrip() for line in lines)


def _report(report: dict[str, Any]) -> str:
    title = (
        f"{report['source']}  {report['start_time_iso'][:10]} .. {report['end_time_iso'][:10]} (UTC, end "
        f"exclusive)  {report['bucket_count']} x {report['bucket_width']} buckets"
    )
    name = next(name for name in TABLE_PREFERENCE if report.get(name))
    shown = report[name]
    columns = list(shown["columns"])
    rows = [list(row) for row in shown["rows"]]
    partial = shown.get("partial_from")
    if partial and columns and columns[0] == "start":
        rows = [[f"{row[0]} *" if str(row[0]) >= partial else row[0], *row[1:]] for row in rows]
    if name == "groups" and shown.get("other"):
        other = shown["other"]
        rows.append(
            [other["totals"].get(c, f"(other: {other['groups']})" if i == 0 else None) for i, c in enumerate(columns)]
        )
    totals = report["totals"]
    footer = [totals.get(c, "TOTAL" if i == 0 else None) for i, c in enumerate(columns)]
    lines = [title, "", f"{_label(name)}:", table(columns, rows, footer=footer)]
    if partial and columns and columns[0] == "start":
        lines.append(f"* partial: the period from {partial} has not ended or its data may still arrive")
    if shown.get("same_as"):
        lines.append("(" + "; ".join(f"{a} = {b} in every row" for a, b in shown["same_as"].items()) + ")")
    hidden = [key for key in totals if key not in columns]
    if hidden:
        lines.append("Other totals: " + ", ".join(f"{key}={_cell(totals[key], _is_money(key))}" for key in hidden))
    lines += [f"NOTE: {note}" for note in report.get("notes", [])]
    return "\n".join(lines)


def _insights(insights: dict[str, Any]) -> str:
    """Cost insights for people: the totals, month-end projection and budget as lines, the rest as tables."""
    usd = _usd
    lines = [
        f"Cost insights {insights['start_time_iso'][:10]} .. {insights['end_time_iso'][:10]} (UTC, end exclusive); "
        f"complete through {insights.get('complete_through', 'no complete day')} "
        f"({insights['complete_days']} day{'' if insights['complete_days'] == 1 else 's'})",
        "",
        f"Total          {usd(insights['total_usd'])}   previous period {usd(insights['previous_total_usd'])}, "
        f"change {_signed(insights['change_usd'])}{_pct(insights.get('change_pct'))}",
    ]
    if "today_partial_usd" in insights:
        lines.append(f"Today so far   {usd(insights['today_partial_usd'])} (not in the total)")
    if month := insights.get("month_to_date"):
        lines.append(
            f"Month to date  {usd(month['month_to_date_usd'])} over {month['complete_days']} days; run rate "
            f"{usd(month['daily_run_rate_usd'])}/day; projected month end {usd(month['projected_month_end_usd'])}"
        )
    if budget := insights.get("budget"):
        lines += ["", *_budget_lines(budget)]
    for key, title in (
        ("top_projects", "Top projects"),
        ("top_models", "Top models"),
        ("top_line_items", "Top line items"),
        ("movers", "Biggest movers"),
    ):
        rows = [
            [
                c.get("name") or c["key"],
                *([c["dimension"]] if key == "movers" else []),
                c["amount_usd"],
                c["previous_usd"],
                _signed(c["change_usd"]),
                _pct(c.get("change_pct")).strip(" ()") or "new",
            ]
            for c in insights.get(key, [])
        ]
        headers = ["name", *(["kind"] if key == "movers" else []), "amount_usd", "previous_usd", "change", "change %"]
        lines += ["", f"{title}:", table(headers, rows)]
    anomalies = insights.get("anomalies", [])
    lines += ["", "Anomalous days:" if anomalies else "Anomalous days: none"]
    if anomalies:
        rows = [
            [
                a["day"],
                a["amount_usd"],
                a["baseline_median_usd"],
                a.get("z", "MAD 0"),
                "; ".join(f"{i['line_item']} +{usd(i['excess_usd'])}" for i in a["top_line_items"]),
            ]
            for a in anomalies
        ]
        lines.append(table(["day", "amount_usd", "median_usd", "z", "line items above their median"], rows))
    lines += ["", *(f"NOTE: {note}" for note in insights.get("notes", []))]
    return "\n".join(lines)


def _budget_lines(budget: dict[str, Any]) -> list[str]:
    if not budget.get("available"):
        return [f"Budget ({budget['scope']}): {budget.get('note', 'not available')}"]
    limit = budget.get("limit_usd")
    head = f"Budget ({budget['scope']}): " + (f"limit {_usd(limit)}" if limit is not None else "no spend limit set")
    if "spent_this_month_usd" in budget:
        head += f"; spent this month {_usd(budget['spent_this_month_usd'])}"
        if "spent_pct_of_limit" in budget:
            head += f" ({budget['spent_pct_of_limit']:.2f}% of it, projected {budget['projected_pct_of_limit']:.2f}%)"
    lines = [head]
    for alert in budget.get("alerts") or []:
        state = (
            "crossed" if alert["crossed"] else "projected to cross" if alert["projected_to_cross"] else "not reached"
        )
        lines.append(f"  alert at {_usd(alert['threshold_usd'])}: {state}")
    return lines


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}${abs(value):,.2f}"


def _pct(value: float | None) -> str:
    return f" ({value:+.2f}%)" if value is not None else ""


def _label(name: str) -> str:
    return {"group_rows": "Per bucket and group", "groups": "Per group", "buckets": "Per bucket"}[name]


def _page(page: dict[str, Any]) -> str:
    items = page["data"]
    columns: list[str] = []
    for item in items:
        for key, value in item.items():
            if key in columns or key == "object" or isinstance(value, dict | list) or f"{key}_iso" in item:
                continue
            columns.append(key)
    if any(isinstance(item.get("owner"), dict) for item in items):
        columns.append("owner")
    rows = [[_owner(item) if c == "owner" else item.get(c) for c in columns] for item in items]
    lines = [table(columns, rows)] if items else ["(no items)"]
    count = page.get("count", len(items))
    more = f"more: call again with after={page['next_after']}" if page.get("has_more") else "last page"
    lines.append(f"\n{count} item{'' if count == 1 else 's'}; {more}")
    lines += [f"NOTE: {note}" for note in page.get("notes", [])]
    return "\n".join(lines)


def _owner(item: dict[str, Any]) -> str | None:
    """Who owns an API key, in a few words: the user's email or the service account's name."""
    owner = item.get("owner")
    if not isinstance(owner, dict):
        return None
    who = owner.get("user") or owner.get("service_account") or {}
    label = who.get("email") or who.get("name") or who.get("id")
    return f"{label} ({owner.get('type', '?')})" if label else owner.get("type")


def _metrics(metrics: dict[str, Any]) -> str:
    scalar = {k: v for k, v in metrics.items() if not isinstance(v, dict) and k != "demo_data"}
    width = max(len(key) for key in scalar)
    lines = [f"{key:<{width}}  {_cell(value, _is_money(key))}" for key, value in scalar.items()]
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
    shown = {key: value for key, value in payload.items() if key != "demo_data"}
    if all(not isinstance(v, dict | list) for v in shown.values()):
        width = max((len(k) for k in shown), default=0)
        return "\n".join(f"{key:<{width}}  {_cell(value, _is_money(key))}" for key, value in shown.items())
    return json.dumps(shown, indent=2)


def _is_money(name: str) -> bool:
    return name.endswith("_usd") or name.startswith("amount_")


def _cell(value: Any, money: bool = False) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = str(value).lower()
    elif money and isinstance(value, int | float):
        text = f"{value:,.2f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.4f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


# ---- for scripts -----------------------------------------------------------------------------------------------


def export(payload: dict[str, Any], output: str, table_name: str | None) -> str:
    """Every row: `json` the whole result (indented); `csv` one table (a report's most detailed, or `table_name`;
    a list page's items; an object's fields), with a header row."""
    if output == "json":
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    columns, rows = _csv_table(payload, table_name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return buffer.getvalue()


def _csv_table(payload: dict[str, Any], table_name: str | None) -> tuple[list[str], list[list[Any]]]:
    if isinstance(payload.get("buckets"), dict):
        name = table_name or next(name for name in TABLE_PREFERENCE if payload.get(name))
        shown = payload.get(name)
        if not shown:
            raise SystemExit(
                f"codex-mcp call: this result has no {name} table (group_rows needs include_group_rows=true)"
            )
        columns = list(shown["columns"])
        rows = [list(row) for row in shown["rows"]]
        # Counters folded into same_as are written out again: a spreadsheet should not need to know.
        for folded, kept in (shown.get("same_as") or {}).items():
            index = columns.index(kept)
            columns.append(folded)
            for row in rows:
                row.append(row[index])
        return columns, rows
    if isinstance(payload.get("data"), list):
        items = payload["data"]
        columns = list(dict.fromkeys(key for item in items for key in item))
        return columns, [[_flat(item.get(c)) for c in columns] for item in items]
    columns = list(payload)
    return columns, [[_flat(payload[c]) for c in columns]]


def _flat(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


# ---- one tool --------------------------------------------------------------------------------------------------


def describe_tool(tool: Tool) -> str:
    """A tool's arguments for people: name, type, allowed values, default, description, and an example call."""
    schema = tool.input_schema
    required = set(schema.get("required", []))
    lines = [f"{tool.name}: {tool.title or ''}", "", (tool.description or "").strip(), "", "Arguments:"]
    example: list[str] = []
    for name, prop in schema.get("properties", {}).items():
        kind, choices = _kind(prop)
        default = "required" if name in required else f"default {json.dumps(prop.get('default'))}"
        lines.append(f"  {name} ({kind}; {default})")
        if choices:
            lines.append(f"      one of: {', '.join(map(str, choices))}")
        if prop.get("description"):
            lines.append(f"      {prop['description']}")
        if name in required:
            example.append(f"{name}={_example_value(name, kind, choices)}")
    lines += ["", "Example:", f"  codex-mcp call {tool.name} {' '.join(example)}".rstrip()]
    return "\n".join(lines)


def _kind(prop: dict[str, Any]) -> tuple[str, list[Any]]:
    """A property's type in a few words and its allowed values (enums, array items' enums)."""
    options = prop.get("anyOf") or [prop]
    kinds: list[str] = []
    choices: list[Any] = []
    for option in options:
        kind = option.get("type")
        if kind == "null":
            continue
        if kind == "array":
            item = option.get("items", {})
            kinds.append(f"list of {item.get('type', 'values')}")
            choices += item.get("enum", [])
        else:
            kinds.append(str(kind) if isinstance(kind, str) else "/".join(kind or ["value"]))
            choices += option.get("enum", [])
    return " or ".join(dict.fromkeys(kinds)) or "value", choices


def _example_value(name: str, kind: str, choices: list[Any]) -> str:
    if choices:
        return str(choices[0])
    if "time" in name:
        return "30d"
    if name.endswith("_id"):
        return {"user_id": "user-abc123", "project_id": "proj_abc123"}.get(name, f"{name.removesuffix('_id')}_abc123")
    return "true" if kind == "boolean" else "1" if kind == "integer" else "..."
