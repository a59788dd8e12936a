"""The command line's grammar: the parser, settings from flags and environment, and tool arguments typed from the
tool's own input schema."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from codex_mcp import __version__
from codex_mcp.cli.serving import serving_overrides, serving_parser
from codex_mcp.settings import Settings

EXAMPLES = """\
examples:
  codex-mcp                                   serve MCP on stdio (what Claude Desktop runs)
  codex-mcp --demo tools                      list the tools (--toolsets all: every toolset)
  codex-mcp --demo tools codex_get_cost_breakdown     one tool's arguments and an example call
  codex-mcp --demo call codex_get_cost_breakdown start_time=30d group_by=project_id --pretty
  codex-mcp --demo call codex_get_cost_breakdown start_time="last month" group_by=project_id --format csv
  codex-mcp call codex_list_audit_events '{"event_types": ["api_key.created"], "effective_at_start": "7d"}'
  codex-mcp check                             verify OPENAI_ADMIN_KEY and show what it can see"""
FORMATS = ("csv", "json", "table")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="use the built-in demo organization (no key)"
    )
    common.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="leave out every tool that changes the organization",
    )
    common.add_argument(
        "--toolsets",
        default=argparse.SUPPRESS,
        metavar="NAMES",
        help="comma-separated toolsets to serve, or 'all' (default: core)",
    )
    common.add_argument(
        "--dynamic-toolsets",
        action="store_true",
        default=argparse.SUPPRESS,
        help="start with the default toolsets plus codex_list_toolsets and codex_enable_toolset",
    )
    common.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        default=argparse.SUPPRESS,
        help="log level on stderr (default INFO when serving, WARNING for commands)",
    )
    parser = argparse.ArgumentParser(
        prog="codex-mcp",
        description="MCP server for the OpenAI Admin API. With no command it serves MCP on stdio (Claude Desktop).",
        epilog=f"{EXAMPLES}\n\n{environment_help()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common, serving_parser()],
    )
    parser.add_argument("--version", action="version", version=f"codex-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "serve", parents=[common, serving_parser()], help="serve MCP on stdio (the default) or HTTP (--transport http)"
    )
    tools = commands.add_parser(
        "tools", parents=[common], help="list the tools, or show one tool's arguments", description=None
    )
    tools.add_argument("name", nargs="?", help="a tool name: show its arguments and an example call")
    tools.add_argument("--json", action="store_true", help="full definitions (schemas, annotations) as JSON")
    call = commands.add_parser(
        "call",
        parents=[common],
        add_help=False,
        help="call one tool and print its result",
        description="Arguments: key=value pairs (values typed from the tool's schema; comma lists for arrays) or "
        "one JSON object. Without --format the result is printed exactly as an MCP client receives it (within "
        "the result budget); --format csv|json|table prints every row, unbudgeted. Exits 1 when the tool "
        "returns an error (printed on stderr).",
    )
    call.add_argument("tool", nargs="?", help="tool name, e.g. codex_list_users")
    call.add_argument("arguments", nargs="*", help="key=value ... or one JSON object")
    call.add_argument(
        "--format",
        choices=FORMATS,
        help="every row, no result budget: csv (one table; see --table), json (everything), table (for people)",
    )
    call.add_argument(
        "--table",
        choices=("buckets", "groups", "group_rows"),
        help="with --format csv, which table of a usage report (default: the most detailed one it has)",
    )
    call.add_argument("--pretty", action="store_true", help="human-readable tables (the same as --format table)")
    call.add_argument("-h", "--help", action="store_true", help="show this help, or with a tool name its arguments")
    call.set_defaults(print_call_help=call.print_help)
    commands.add_parser("check", parents=[common], help="verify the key with cheap calls and say what it can see")
    return parser


def environment_help() -> str:
    """The environment variables for --help, from the settings' own descriptions."""
    lines = ["environment:"]
    for field in Settings.model_fields.values():
        description = str(field.description or "").replace("`", "")
        lines.append(f"  {field.validation_alias}\n      {description}")
    return "\n".join(lines)


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by command-line flags (validated alike)."""
    overrides: dict[str, Any] = {}
    if getattr(args, "demo", False):
        overrides["demo"] = True
    if getattr(args, "read_only", False):
        overrides["read_only"] = True
    if getattr(args, "toolsets", None):
        overrides["toolsets"] = args.toolsets
    if getattr(args, "dynamic_toolsets", False):
        overrides["dynamic_toolsets"] = True
    overrides.update(serving_overrides(args))
    level = getattr(args, "log_level", None)
    if level:
        overrides["log_level"] = level
    elif args.command not in (None, "serve"):
        overrides["log_level"] = "WARNING"
    # Values given to the constructor win over the environment and are validated alike (a bad --toolsets is
    # refused like a bad CODEX_MCP_TOOLSETS); the environment is read once.
    return Settings(**overrides)


def describe_settings_error(error: ValidationError) -> str:
    """Which environment variable is wrong and why, without echoing values (one of them may be the key)."""
    lines = ["codex-mcp: invalid configuration:"]
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"]) or "settings"
        lines.append(f"  {where}: {str(item['msg']).removeprefix('Value error, ')}")
    return "\n".join(lines)


class RawValue(str):
    """A value typed on the command line as key=value, to be typed from the tool's input schema."""


def parse_arguments(items: Sequence[str]) -> dict[str, Any]:
    """`key=value ...` (values stay strings until typed from the tool's schema) or one JSON object."""
    if len(items) == 1 and items[0].lstrip().startswith("{"):
        try:
            value = json.loads(items[0])
        except json.JSONDecodeError as exc:
            raise ValueError(f"the JSON argument is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError("the JSON argument must be an object")
        return value
    arguments: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"expected key=value or one JSON object, got {item!r}")
        arguments[key] = RawValue(raw)
    return arguments


def type_arguments(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Give key=value strings the types the tool's input schema asks for (numbers, booleans, arrays)."""
    properties = schema.get("properties", {})
    typed: dict[str, Any] = {}
    for key, value in arguments.items():
        if not isinstance(value, RawValue):
            typed[key] = value
            continue
        typed[key] = _typed(str(value), schema_types(properties.get(key, {})))
    return typed


def schema_types(prop: dict[str, Any]) -> set[str]:
    """The JSON types a property's schema admits ('anyOf' branches included)."""
    kinds = {prop["type"]} if isinstance(prop.get("type"), str) else set(prop.get("type") or [])
    for option in prop.get("anyOf", []):
        kinds |= schema_types(option)
    return kinds


def _typed(raw: str, kinds: set[str]) -> Any:
    if "array" in kinds:
        if raw.startswith("["):
            try:
                return json.loads(raw)
            except json.JSONDecodeError:
                return raw
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kinds & {"integer", "number", "boolean", "object"}:
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            return raw
        if isinstance(parsed, bool) and "boolean" in kinds:
            return parsed
        if isinstance(parsed, int | float) and not isinstance(parsed, bool) and kinds & {"integer", "number"}:
            return parsed
        if isinstance(parsed, dict) and "object" in kinds:
            return parsed
    return raw
