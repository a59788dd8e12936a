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
    if name == "groups" and shown.get("other"):
        other = shown["other"]
        rows.append(
            [other["totals"].get(c, f"(other: {other['groups']})" if i == 0 else None) for i, c in enumerate(columns)]
        )
    totals = report["totals"]
    footer = [totals.get(c, "TOTAL" if i == 0 else None) for i, c in enumerate(columns)]
    lines = [title, "", f"{_label(name)}:", table(columns, rows, footer=footer)]
    if shown.get("same_as"):
        lines.append("(" + "; ".join(f"{a} = {b} in every row" for a, b in shown["same_as"].items()) + ")")
    hidden = [key for key in totals if key not in columns]
    if hidden:
        lines.append("Other totals: " + ", ".join(f"{key}={_cell(totals[key], _is_money(key))}" for key in hidden))
    lines += [f"NOTE: {note}" for note in report.get("notes", [])]
    return "\n".join(lines)


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
