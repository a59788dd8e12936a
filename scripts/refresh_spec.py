"""Refresh tests/spec/openapi-organization.json (the OpenAPI subset the tests check requests against).

Usage: python scripts/refresh_spec.py [SOURCE] [--check]

SOURCE defaults to ../shared/openai/openapi-organization.json beside the checkout. The copy is replaced byte for
byte, tests/spec/README.md is rewritten from the spec's `info.description` (its source and date), and what changed
is reported: operations, component schemas and other top-level parts added, removed or changed. With --check
nothing is written and the exit status is 1 when the copy differs from SOURCE.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COPY = ROOT / "tests" / "spec" / "openapi-organization.json"
README = COPY.with_name("README.md")
DEFAULT_SOURCE = ROOT.parent / "shared" / "openai" / "openapi-organization.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def operations(spec: dict[str, Any]) -> dict[str, Any]:
    """'METHOD /path' -> the operation, with the path-level parameters it inherits."""
    found: dict[str, Any] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                found[f"{method.upper()} {path}"] = {"shared": item.get("parameters"), "operation": item[method]}
    return found


def compare(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per key of `old`/`new` that was added, removed or changed."""
    lines = [f"  + {label} {key}" for key in sorted(new.keys() - old.keys())]
    lines += [f"  - {label} {key}" for key in sorted(old.keys() - new.keys())]
    lines += [f"  ~ {label} {key}" for key in sorted(old.keys() & new.keys()) if old[key] != new[key]]
    return lines


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two specs, as readable lines (empty when they are equal as JSON)."""
    lines = compare("operation", operations(old), operations(new))
    old_parts, new_parts = old.get("components", {}), new.get("components", {})
    lines += compare("schema", old_parts.get("schemas", {}), new_parts.get("schemas", {}))
    lines += compare(
        "components",
        {k: v for k, v in old_parts.items() if k != "schemas"},
        {k: v for k, v in new_parts.items() if k != "schemas"},
    )
    top_old = {k: v for k, v in old.items() if k not in ("paths", "components")}
    top_new = {k: v for k, v in new.items() if k not in ("paths", "components")}
    lines += compare("top-level", top_old, top_new)
    # Path-level keys other than the operations (summary, servers...) change nothing the tests read, but say so.
    if not lines and old != new:
        lines.append("  ~ other path-level fields")
    return lines


def readme_text(spec: dict[str, Any]) -> str:
    description = spec.get("info", {}).get("description", "(the spec has no info.description)")
    return (
        "# OpenAPI spec subset used by the tests\n\n"
        "`openapi-organization.json` is a copy of the OpenAI OpenAPI spec's `/organization` subset. The tests check\n"
        "every mocked request against it (`tests/spec_conformance.py`) and the simulator's answers against its\n"
        "schemas, so the suite needs nothing outside this repository.\n\n"
        f"Source, from the spec's `info.description`: {description}\n\n"
        "Refresh it with `python scripts/refresh_spec.py [SOURCE]` (SOURCE defaults to\n"
        "`../shared/openai/openapi-organization.json`); the script reports what changed and rewrites this file.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="the spec to copy from")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the copy is out of date")
    args = parser.parse_args(argv)
    source: Path = args.source
    if not source.is_file():
        print(f"refresh_spec: no spec at {source}; pass the path of openapi-organization.json", file=sys.stderr)
        return 2
    raw = source.read_bytes()
    try:
        new = json.loads(raw)
    except ValueError as error:
        print(f"refresh_spec: {source} is not JSON: {error}", file=sys.stderr)
        return 2
    if not isinstance(new, dict) or "paths" not in new or "openapi" not in new:
        print(f"refresh_spec: {source} is not an OpenAPI document (no 'openapi' and 'paths')", file=sys.stderr)
        return 2

    old_raw = COPY.read_bytes() if COPY.exists() else None
    old = json.loads(old_raw) if old_raw is not None else {}
    readme = readme_text(new)
    readme_current = README.exists() and README.read_text(encoding="utf-8") == readme
    where = COPY.relative_to(ROOT)
    if old_raw == raw and readme_current:
        print(f"{where} is up to date with {source} ({len(operations(new))} operations)")
        return 0
    lines = changes(old, new) if old_raw is not None else [f"  + {len(operations(new))} operations (new copy)"]
    if old_raw is not None and not lines and old_raw != raw:
        lines = ["  ~ formatting only (same JSON)"]
    if not readme_current:
        lines.append(f"  ~ {README.relative_to(ROOT)}")
    if args.check:
        print(f"{where} differs from {source}:", *lines, sep="\n")
        return 1
    COPY.parent.mkdir(parents=True, exist_ok=True)
    COPY.write_bytes(raw)
    README.write_text(readme, encoding="utf-8")
    print(f"{where} refreshed from {source}:", *lines, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
