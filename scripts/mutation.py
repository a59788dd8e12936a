"""Mutation testing with mutmut, one module (or package) at a time with the tests that exercise it; prints the score.

Usage: scripts/mutation.sh [TARGET ...] [--jobs N] [--timeout S] [--survivors | --resume] [--tests FILE ...]
                           [--root DIR] [--out DIR] [--report-only] [--no-type-check]

TARGET is a name from TARGETS below (`client`, `timeparse`, `server`, ...), or a module path such as
codex_mcp/client/retry.py to mutate that module alone with its target's tests; with none, every target runs. Each
runs in build/mutation/<name>/: a copy of codex_mcp/ and tests/ and a pyproject.toml whose [tool.mutmut] is this
project's with `only_mutate` set to the target's modules and the stats run limited to the target's test files.
mutmut's stats run then maps each function to the tests that call it, and each mutant runs only those. mypy
(strict, as CI runs it) first rejects the mutants that do not type-check; they count as caught, since CI would
catch them.

The report (build/mutation/report.md, report.json and the same summary on stdout) gives per module and overall:
caught (killed by a test, rejected by mypy, or timed out) / total, and lists every surviving mutant with its diff.
Survivors judged equivalent (no input changes what a user sees) are listed in scripts/mutation-equivalent.toml with
the reason; the report counts them apart and flags entries that no longer match a survivor.

--survivors keeps the last results and retests only the mutants that survived (or had no test): run it after adding
a test to see that it kills them. --resume tests only the mutants a stopped run (--timeout) left unchecked. --root
mutates another checkout (for example an older commit in a temporary worktree) with this script's targets and
settings; test files missing there are skipped.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "scripts" / "mutation-equivalent.toml"
PACKAGE = "codex_mcp"


@dataclass(frozen=True)
class Target:
    """Modules mutated together, and the test files whose tests may kill their mutants."""

    mutate: tuple[str, ...]
    tests: tuple[str, ...]


# Tests that drive the tools end to end in-process (an in-memory MCP session against pytest-httpx or the loopback
# API). Tests that start subprocesses (stdio, HTTP replicas, the CLI export) are left out: they cost seconds each
# and the same code paths are covered in-process.
USAGE_TOOL_TESTS = ("test_tools_usage.py", "test_tools_usage_kinds.py", "test_result_budget.py")
DIRECTORY_TOOL_TESTS = (
    "test_tools_directory.py",
    "test_tools_keys.py",
    "test_tools_access.py",
    "test_tools_budgets.py",
    "test_tools_governance.py",
)

TARGETS: dict[str, Target] = {
    "client": Target(
        # codex_mcp/client.py is where the client lived before it became a package (for --root on old commits).
        mutate=("codex_mcp/client/*", "codex_mcp/client.py"),
        tests=(
            "test_client.py",
            "test_client_mutants.py",
            "test_client_endpoints.py",
            "test_faults.py",
            "test_fanout.py",
            "test_request_key.py",
            "test_server_errors.py",
            "test_windows.py",
            "test_windows_property.py",
            "test_usage_cache.py",
            *USAGE_TOOL_TESTS,
            *DIRECTORY_TOOL_TESTS,
            "test_metrics.py",
            "test_insights.py",
        ),
    ),
    "usage_report": Target(
        mutate=("codex_mcp/usage_report.py",),
        tests=("test_usage_report.py", "test_usage_report_mutants.py", "test_budget.py", *USAGE_TOOL_TESTS),
    ),
    "rows": Target(
        mutate=("codex_mcp/rows.py",),
        tests=(
            "test_rows.py",
            "test_usage_report.py",
            "test_usage_report_mutants.py",
            "test_metrics.py",
            "test_insights.py",
            "test_insights_mutants.py",
            *USAGE_TOOL_TESTS,
        ),
    ),
    "budget": Target(
        # result_fit.py held the generic fitting before it left budget.py; they are tested together.
        mutate=("codex_mcp/budget.py", "codex_mcp/result_fit.py"),
        tests=("test_budget.py", "test_budget_mutants.py", "test_result_budget.py", "test_tools_usage.py"),
    ),
    "metrics": Target(
        mutate=("codex_mcp/metrics.py",),
        tests=("test_metrics.py", "test_metrics_seats.py", "test_metrics_mutants.py"),
    ),
    "insights": Target(
        mutate=("codex_mcp/insights.py",),
        tests=("test_insights.py", "test_insights_mutants.py", "test_prompts_resources.py"),
    ),
    "timeparse": Target(
        mutate=("codex_mcp/timeparse.py",),
        tests=(
            "test_timeparse.py",
            "test_timeparse_boundaries.py",
            "test_timeparse_mutants.py",
            "test_tools_usage.py",
            "test_tools_directory.py",
            "test_insights.py",
        ),
    ),
    "params": Target(
        mutate=("codex_mcp/params.py",),
        tests=("test_bad_input.py", "test_params.py", "test_server.py", *DIRECTORY_TOOL_TESTS, "test_tools_usage.py"),
    ),
    "redaction": Target(
        mutate=("codex_mcp/redaction.py",),
        tests=("test_redaction.py", "test_redaction_mutants.py", "test_server_errors.py", "test_client.py"),
    ),
    "money": Target(
        mutate=("codex_mcp/money.py",),
        tests=("test_money.py", "test_money_mutants.py", "test_tools_budgets.py", "test_insights.py"),
    ),
    "server": Target(
        mutate=("codex_mcp/server.py",),
        tests=(
            "test_server.py",
            "test_server_errors.py",
            "test_server_mutants.py",
            "test_bad_input.py",
            "test_annotations.py",
            "test_toolsets.py",
            "test_confirm.py",
            "test_budget.py",
            "test_result_budget.py",
            "test_protocol.py",
            "test_prompts_resources.py",
            "test_redaction.py",
            "test_faults.py",
        ),
    ),
    "toolsets": Target(
        mutate=("codex_mcp/toolsets.py",),
        tests=("test_toolsets.py", "test_toolsets_mutants.py", "test_annotations.py", "test_server.py"),
    ),
    "confirm": Target(
        mutate=("codex_mcp/tools/confirm.py",),
        tests=("test_confirm.py", "test_confirm_mutants.py", *DIRECTORY_TOOL_TESTS),
    ),
}

# mutmut's statuses (mutmut.stats.status_by_exit_code) as the report counts them: a mutant whose tests were killed
# by a signal (mutmut says "segfault") ran past its CPU limit, like a timeout.
COLUMN_OF_STATUS = {"segfault": "timeout"}
CAUGHT = ("killed", "caught by type check", "timeout")
COLUMNS = ("killed", "caught by type check", "timeout", "survived", "no tests", "other")


@dataclass
class Outcome:
    """What happened to one target's mutmut run."""

    target: str
    status: str = "not run"
    seconds: float = 0.0
    skipped_tests: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help=f"targets or module paths (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per target before its run is stopped")
    parser.add_argument("--survivors", action="store_true", help="retest only the last run's surviving mutants")
    parser.add_argument("--resume", action="store_true", help="test only the mutants a stopped run left unchecked")
    parser.add_argument("--report-only", action="store_true", help="report the last run's results, run nothing")
    parser.add_argument(
        "--tests", nargs="+", metavar="FILE", help="only these test files (names under tests/), not the target's"
    )
    parser.add_argument("--no-type-check", action="store_true", help="do not let mypy reject mutants first")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to mutate (default: this one)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "mutation", help="work and report directory")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))

    try:
        chosen = [select(t) for t in args.targets] or list(TARGETS.items())
    except KeyError as unknown:
        parser.error(f"unknown target {unknown}; known: {', '.join(TARGETS)} or their module paths")
    if args.tests:
        chosen = [(name, Target(target.mutate, tuple(args.tests))) for name, target in chosen]
    root: Path = args.root.resolve()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    outcomes = []
    for name, target in chosen:
        if args.report_only:
            outcomes.append(Outcome(name, status="reported from the last run"))
            continue
        outcome = run_target(name, target, root=root, out=out, args=args)
        print(f"{name}: {outcome.status} in {outcome.seconds:.0f}s", flush=True)
        outcomes.append(outcome)
    report = build_report(outcomes, root=root, out=out)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    text = render_report(report)
    (out / "report.md").write_text(text, encoding="utf-8")
    print(summary_only(text))
    print(f"Full report with every survivor's diff: {out / 'report.md'}")
    return 0 if all(o.status == "done" for o in outcomes) else 1


def target_name(argument: str) -> str:
    """A target's name from its name or the path of one of its modules."""
    if argument in TARGETS:
        return argument
    path = argument.removeprefix("./")
    for name, target in TARGETS.items():
        if any(fnmatch.fnmatch(path, pattern) or path == pattern.removesuffix("/*") for pattern in target.mutate):
            return name
    raise KeyError(argument)


def select(argument: str) -> tuple[str, Target]:
    """What to run for one argument: a whole target by its name (or its package's folder), or one module by its path
    (named like 'client.request', with its target's tests)."""
    if argument in TARGETS:
        return argument, TARGETS[argument]
    path = argument.removeprefix("./").rstrip("/")
    name = target_name(path)
    target = TARGETS[name]
    if path in target.mutate or f"{path}/*" in target.mutate:
        return name, target
    return path.removeprefix(f"{PACKAGE}/").removesuffix(".py").replace("/", "."), Target((path,), target.tests)


def run_target(name: str, target: Target, *, root: Path, out: Path, args: argparse.Namespace) -> Outcome:
    outcome = Outcome(name)
    work = out / name
    tests = [f"tests/{t}" for t in target.tests if (root / "tests" / t).is_file()]
    outcome.skipped_tests = [t for t in target.tests if not (root / "tests" / t).is_file()]
    if not any(fnmatch.fnmatch(str(p.relative_to(root)), m) for m in target.mutate for p in source_files(root)):
        outcome.status = "no such module here"
        return outcome
    if not tests:
        outcome.status = "none of its test files exist here"
        return outcome

    retest: list[str] = []
    earlier: dict[Path, dict[str, Any]] = {}
    if args.survivors or args.resume:
        earlier = read_metas(work)
        wanted = ("survived", "no tests") if args.survivors else ("not checked",)
        retest = [m for m, (_, status) in mutant_statuses(work).items() if status in wanted]
        if not retest:
            outcome.status = "done (nothing to retest)"
            return outcome
    else:
        shutil.rmtree(work, ignore_errors=True)
    prepare(work, root=root, target=target, tests=tests, type_check=not args.no_type_check)

    bin_dir = Path(sys.executable).parent
    mutmut = shutil.which("mutmut", path=str(bin_dir)) or shutil.which("mutmut")
    if mutmut is None:
        sys.exit('mutmut is not installed: .venv/bin/pip install -e ".[mutation]"')
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [mutmut, "run", "--max-children", str(args.jobs), *retest]
    started = time.monotonic()
    with (work / "mutmut.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=args.timeout)
            outcome.status = "done" if code == 0 else f"mutmut failed (exit {code}; see {work / 'mutmut.log'})"
        except subprocess.TimeoutExpired:
            stop(process)
            outcome.status = f"stopped after {args.timeout}s (partial: the rest is 'not checked')"
        except BaseException:  # Ctrl-C, or SIGTERM (see main): take mutmut's workers down too
            stop(process)
            raise
    outcome.seconds = time.monotonic() - started
    keep_earlier_results(earlier)
    return outcome


def read_metas(work: Path) -> dict[Path, dict[str, Any]]:
    """mutmut's .meta file for each module of work/'s last run: exit codes by mutant, hashes by function."""
    return {
        meta: json.loads(meta.read_text(encoding="utf-8")) for meta in sorted((work / "mutants").rglob("*.py.meta"))
    }


def keep_earlier_results(earlier: dict[Path, dict[str, Any]]) -> None:
    """Put back the results mutmut dropped when it retested only the survivors.

    mutmut forgets every result when its test selection changes (as it does when a new test file joins a target),
    though a mutant caught before stays caught: more tests catch no fewer mutants. Only mutants of functions whose
    code is unchanged get their result back (a changed function's mutants are new, and numbered anew)."""
    for meta, before in earlier.items():
        if not meta.is_file():
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        now = data.get("exit_code_by_key", {})
        for mutant, code in before.get("exit_code_by_key", {}).items():
            function = mutant.partition("__mutmut_")[0].rpartition(".")[2]
            same_code = before["hash_by_function_name"].get(function) == data["hash_by_function_name"].get(function)
            if mutant in now and now[mutant] is None and same_code:
                now[mutant] = code
        meta.write_text(json.dumps(data, indent=4), encoding="utf-8")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End mutmut and every worker it forked (they share its process group)."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def source_files(root: Path) -> list[Path]:
    return sorted((root / PACKAGE).rglob("*.py"))


def prepare(work: Path, *, root: Path, target: Target, tests: list[str], type_check: bool) -> None:
    """Lay out work/ for mutmut: the package, the tests and a pyproject.toml configured for this target.

    Files are copied with their modification times, so an unchanged module keeps its mutants and results when
    --survivors runs again in the same place."""
    work.mkdir(parents=True, exist_ok=True)
    for folder in (PACKAGE, "tests"):
        shutil.rmtree(work / folder, ignore_errors=True)
        shutil.copytree(root / folder, work / folder, ignore=shutil.ignore_patterns("__pycache__"))
    settings = mutmut_settings()
    settings["only_mutate"] = list(target.mutate)
    settings["pytest_add_cli_args_test_selection"] = tests
    if not type_check:
        settings.pop("type_check_command", None)
    pyproject = without_mutmut_section((root / "pyproject.toml").read_text(encoding="utf-8"))
    (work / "pyproject.toml").write_text(pyproject + "\n" + toml_section("tool.mutmut", settings), encoding="utf-8")


def mutmut_settings() -> dict[str, Any]:
    """This project's [tool.mutmut] (the settings every target shares)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(data["tool"]["mutmut"])


def without_mutmut_section(text: str) -> str:
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.strip() == "[tool.mutmut]"
        if not skipping:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n"


def toml_section(name: str, values: dict[str, Any]) -> str:
    """A TOML table of strings, numbers, booleans and lists of strings (JSON spells those the TOML way)."""
    lines = [f"[{name}]"]
    for key, value in values.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def mutant_statuses(work: Path) -> dict[str, tuple[str, str]]:
    """Every mutant of work/'s last run: its module's path and its status, read from mutmut's .meta files."""
    from mutmut.stats import status_by_exit_code

    mutants = work / "mutants"
    found: dict[str, tuple[str, str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = str(meta.relative_to(mutants)).removesuffix(".meta")
        data = json.loads(meta.read_text(encoding="utf-8"))
        for mutant, code in data.get("exit_code_by_key", {}).items():
            found[mutant] = (module, status_by_exit_code[code])
    return found


def mutant_diff(work: Path, mutant: str, module_path: str) -> str:
    from mutmut.configuration import reset_config
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    previous = Path.cwd()
    os.chdir(work)
    try:
        reset_config()
        return get_diff_for_mutant(mutant, path=module_path)
    except Exception as error:  # a report with one diff missing beats no report
        return f"(no diff: {error})"
    finally:
        os.chdir(previous)


def changed_lines(diff: str) -> str:
    """The mutated line(s) of a diff, stripped: how scripts/mutation-equivalent.toml recognises a mutant. A mutant
    that only removes lines (an argument left out) is recognised by them, each marked with a leading '-'."""
    lines = diff.splitlines()
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    if added:
        return "\n".join(added)
    return "\n".join(f"-{line[1:].strip()}" for line in lines if line.startswith("-") and not line.startswith("---"))


def module_name(mutant: str) -> str:
    """'codex_mcp.timeparse.x_iso__mutmut_4' -> 'codex_mcp.timeparse' (function names start x_, methods xǁ)."""
    parts = mutant.split(".")
    while parts and not parts[-1].startswith(("x_", "xǁ")):
        parts.pop()
    return ".".join(parts[:-1])


def load_equivalents() -> dict[str, dict[str, str]]:
    if not EQUIVALENT.is_file():
        return {}
    data = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8"))
    return {entry["mutant"]: entry for entry in data.get("equivalent", [])}


def build_report(outcomes: list[Outcome], *, root: Path, out: Path) -> dict[str, Any]:
    equivalents = load_equivalents()
    modules: dict[str, dict[str, int]] = {}
    survivors: list[dict[str, str]] = []
    equivalent: list[dict[str, str]] = []
    outside: list[dict[str, str]] = []
    matched: set[str] = set()
    for outcome in outcomes:
        work = out / outcome.target
        if not (work / "mutants").is_dir():
            continue
        for mutant, (module, status) in mutant_statuses(work).items():
            counts = modules.setdefault(module, dict.fromkeys((*COLUMNS, "equivalent", "total"), 0))
            counts["total"] += 1
            if status in ("survived", "no tests"):
                diff = mutant_diff(work, mutant, module)
                entry = equivalents.get(mutant)
                if entry is not None and entry.get("change", "").strip() == changed_lines(diff):
                    matched.add(mutant)
                    if "killed_by" in entry:  # by tests mutmut cannot run, checked by hand
                        counts["killed"] += 1
                        outside.append({"mutant": mutant, "killed_by": entry["killed_by"], "diff": diff})
                        continue
                    counts["equivalent"] += 1
                    equivalent.append({"mutant": mutant, "reason": entry.get("reason", ""), "diff": diff})
                    continue
                survivors.append({"mutant": mutant, "status": status, "diff": diff})
            column = COLUMN_OF_STATUS.get(status, status)
            counts[column if column in COLUMNS else "other"] += 1
    reported = {module.removesuffix(".py").replace("/", ".").removesuffix(".__init__") for module in modules}
    stale = sorted(name for name in set(equivalents) - matched if module_name(name) in reported)
    return {
        "root": str(root),
        "targets": [
            {"target": o.target, "status": o.status, "seconds": round(o.seconds), "missing_tests": o.skipped_tests}
            for o in outcomes
        ],
        "modules": dict(sorted(modules.items())),
        "overall": {key: sum(c[key] for c in modules.values()) for key in (*COLUMNS, "equivalent", "total")},
        "survivors": survivors,
        "equivalent": equivalent,
        "killed_outside": outside,
        "stale_equivalents": stale,
    }


def caught(counts: dict[str, int]) -> int:
    return sum(counts[key] for key in CAUGHT)


def score_line(name: str, counts: dict[str, int]) -> str:
    judged = counts["total"] - counts["equivalent"]
    score = f"{100 * caught(counts) / judged:5.1f}%" if judged else "  n/a"
    return (
        f"| {name} | {caught(counts)} / {judged} | {score} | {counts['killed']} | {counts['caught by type check']} | "
        f"{counts['timeout']} | {counts['survived']} | {counts['no tests']} | {counts['other']} | "
        f"{counts['equivalent']} |"
    )


def render_report(report: dict[str, Any]) -> str:
    lines = [
        "# Mutation score",
        "",
        f"Checkout: `{report['root']}`. Caught = killed by a test + rejected by mypy (strict, as CI runs it) + timed "
        "out. Equivalent survivors (scripts/mutation-equivalent.toml) are left out of the total.",
        "",
        "| module | caught / total | score | killed | mypy | timeout | survived | no tests | other | equivalent |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [score_line(f"`{module}`", counts) for module, counts in report["modules"].items()]
    lines.append(score_line("**overall**", report["overall"]))
    lines += ["", "Targets:"]
    for t in report["targets"]:
        missing = f" (test files not in this checkout: {', '.join(t['missing_tests'])})" if t["missing_tests"] else ""
        lines.append(f"- {t['target']}: {t['status']}, {t['seconds']}s{missing}")
    lines += ["", f"## Survivors ({len(report['survivors'])})", ""]
    lines += [f"- `{s['mutant']}` ({s['status']})" for s in report["survivors"]]
    if report["stale_equivalents"]:
        lines += ["", "Equivalents listed but no longer matching a survivor (update scripts/mutation-equivalent.toml):"]
        lines += [f"- `{name}`" for name in report["stale_equivalents"]]
    lines += ["", "<!-- end of summary -->", "", "## Survivor diffs", ""]
    for s in report["survivors"]:
        lines += [f"### `{s['mutant']}` ({s['status']})", "", "```diff", s["diff"], "```", ""]
    if report.get("killed_outside"):
        lines += [f"## Killed by tests mutmut cannot run, checked by hand ({len(report['killed_outside'])})", ""]
        for k in report["killed_outside"]:
            lines += [f"### `{k['mutant']}`", "", f"Killed by {k['killed_by']}.", "", "```diff", k["diff"], "```", ""]
    lines += [f"## Equivalent ({len(report['equivalent'])})", ""]
    for e in report["equivalent"]:
        lines += [f"### `{e['mutant']}`", "", e["reason"], "", "```diff", e["diff"], "```", ""]
    return "\n".join(lines) + "\n"


def summary_only(text: str) -> str:
    return text.split("<!-- end of summary -->", 1)[0].rstrip()


if __name__ == "__main__":
    sys.exit(main())
