"""The mutation check stays runnable: every logic module has a target whose test files exist, the weekly workflow
pins its actions like release.yml, and the report counts what it says it counts."""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import load_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "mutation.py"
WORKFLOW = ROOT / ".github" / "workflows" / "mutation.yml"
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
# The modules that hold logic (the list and the ones added since): each must be mutated by some target.
LOGIC_MODULES = [
    "codex_mcp/client/request.py",
    "codex_mcp/client/paging.py",
    "codex_mcp/client/retry.py",
    "codex_mcp/usage_report.py",
    "codex_mcp/rows.py",
    "codex_mcp/budget.py",
    "codex_mcp/metrics.py",
    "codex_mcp/insights.py",
    "codex_mcp/timeparse.py",
    "codex_mcp/params.py",
    "codex_mcp/redaction.py",
    "codex_mcp/money.py",
    "codex_mcp/server.py",
    "codex_mcp/toolsets.py",
    "codex_mcp/tools/confirm.py",
]


@pytest.fixture(scope="module")
def mutation() -> ModuleType:
    return load_script(SCRIPT, "mutation_script")


def mutated_by(mutation: ModuleType, path: str) -> list[str]:
    return [name for name, t in mutation.TARGETS.items() if any(fnmatch.fnmatch(path, m) for m in t.mutate)]


@pytest.mark.parametrize("path", LOGIC_MODULES)
def test_every_logic_module_is_mutated_by_exactly_one_target(mutation: ModuleType, path: str) -> None:
    assert (ROOT / path).is_file(), f"{path} moved: update LOGIC_MODULES and scripts/mutation.py"
    assert len(mutated_by(mutation, path)) == 1, f"{path} is mutated by {mutated_by(mutation, path)}"
    assert mutation.target_name(path) == mutated_by(mutation, path)[0]


def test_every_target_mutates_something_and_names_only_test_files_that_exist(mutation: ModuleType) -> None:
    sources = [str(p.relative_to(ROOT)) for p in (ROOT / "codex_mcp").rglob("*.py")]
    for name, target in mutation.TARGETS.items():
        assert any(fnmatch.fnmatch(s, m) for s in sources for m in target.mutate), f"{name} mutates nothing"
        missing = [t for t in target.tests if not (ROOT / "tests" / t).is_file()]
        assert not missing, f"target {name} names test files that do not exist: {missing}"
        assert len(set(target.tests)) == len(target.tests), f"target {name} names a test file twice"


def test_a_module_path_runs_that_module_alone_with_its_targets_tests(mutation: ModuleType) -> None:
    name, target = mutation.select("codex_mcp/client/retry.py")
    assert name == "client.retry"
    assert target.mutate == ("codex_mcp/client/retry.py",)
    assert target.tests == mutation.TARGETS["client"].tests
    assert mutation.select("codex_mcp/client") == ("client", mutation.TARGETS["client"])
    assert mutation.select("./codex_mcp/timeparse.py") == ("timeparse", mutation.TARGETS["timeparse"])


def test_an_unknown_target_is_refused_with_the_known_ones(
    mutation: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        mutation.main(["nosuchmodule"])
    assert exited.value.code == 2
    assert "unknown target 'nosuchmodule'; known: client, " in capsys.readouterr().err


def test_mutmut_is_configured_for_the_package_without_the_demo_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    settings = pyproject["tool"]["mutmut"]
    assert settings["source_paths"] == ["codex_mcp"]
    assert settings["do_not_mutate"] == ["codex_mcp/demo/*"]
    assert "mypy" in settings["type_check_command"], "mutmut recognises mypy's JSON output by the word 'mypy'"
    extra = pyproject["project"]["optional-dependencies"]["mutation"]
    assert any(re.fullmatch(r"mutmut==\d+\.\d+\.\d+", requirement) for requirement in extra), extra
    assert "codex-mcp[test]" in extra


def test_the_shell_entry_point_is_executable_and_niced() -> None:
    script = ROOT / "scripts" / "mutation.sh"
    assert os.access(script, os.X_OK)
    assert re.search(
        r'exec nice -n "\$\{MUTATION_NICE:-10\}" "\$python" scripts/mutation\.py "\$@"', script.read_text()
    )


def test_equivalent_mutants_each_say_which_change_and_why(mutation: ModuleType) -> None:
    for name, entry in mutation.load_equivalents().items():
        assert re.fullmatch(r"codex_mcp(\.\w+)+\.x[_ǁ]\S+__mutmut_\d+", name), name
        assert entry.get("change", "").strip(), f"{name}: no `change` (the mutated line, to recognise the mutant)"
        if "killed_by" in entry:
            assert entry["killed_by"].startswith("tests/test_"), f"{name}: name the test that kills it"
            continue
        assert len(entry.get("reason", "")) > 20, f"{name}: say why no user can tell the difference"


def test_the_workflow_runs_each_target_weekly_and_on_demand_with_actions_pinned_as_in_release(
    mutation: ModuleType,
) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert re.search(r"^on:\n  schedule:\n    - cron: \"[^\"]+\"", text, flags=re.MULTILINE)
    assert re.search(r"^  workflow_dispatch:$", text, flags=re.MULTILINE)
    assert "push:" not in text, "too slow for every push"
    assert "pull_request" not in text, "too slow for every pull request"
    release_pins = dict(re.findall(r"uses: (\S+)@(\S+ # v\S+)", RELEASE.read_text(encoding="utf-8")))
    uses = re.findall(r"uses: (\S+)@(\S+ # v\S+)", text)
    assert {action for action, _ in uses} == {"actions/checkout", "actions/setup-python", "actions/upload-artifact"}
    for action, pin in uses:
        assert re.fullmatch(r"[0-9a-f]{40} # v\d+\.\d+\.\d+", pin), f"{action} is not pinned to a commit"
        assert pin == release_pins[action], f"{action} is pinned apart from release.yml"
    assert "scripts/mutation.sh" in text
    assert "build/mutation/report.md" in text
    matrix = re.search(r"target: \[([^\]]*)\]", text)
    assert matrix is not None, "one job per target"
    assert [name.strip() for name in matrix.group(1).split(",")] == list(mutation.TARGETS)
    assert re.search(r"^permissions:\n  contents: read$", text, flags=re.MULTILINE)


def counts(**given: int) -> dict[str, int]:
    keys = ("killed", "caught by type check", "timeout", "survived", "no tests", "other", "equivalent")
    return {key: given.get(key.replace(" ", "_"), 0) for key in keys} | {"total": sum(given.values())}


def test_the_report_scores_caught_over_total_leaving_equivalents_out(mutation: ModuleType) -> None:
    report: dict[str, Any] = {
        "root": "/checkout",
        "targets": [{"target": "money", "status": "done", "seconds": 12, "missing_tests": []}],
        "modules": {
            "codex_mcp/money.py": counts(killed=6, caught_by_type_check=2, timeout=1, survived=1, equivalent=2)
        },
        "overall": counts(killed=6, caught_by_type_check=2, timeout=1, survived=1, equivalent=2),
        "survivors": [{"mutant": "codex_mcp.money.x_cents__mutmut_3", "status": "survived", "diff": "-a\n+b"}],
        "equivalent": [],
        "stale_equivalents": ["codex_mcp.money.x_gone__mutmut_1"],
    }
    text = mutation.render_report(report)
    summary = mutation.summary_only(text)
    assert "| `codex_mcp/money.py` | 9 / 10 |  90.0% | 6 | 2 | 1 | 1 | 0 | 0 | 2 |" in summary
    assert "| **overall** | 9 / 10 |  90.0% |" in summary
    assert "- `codex_mcp.money.x_cents__mutmut_3` (survived)" in summary
    assert "- `codex_mcp.money.x_gone__mutmut_1`" in summary
    assert "```diff\n-a\n+b\n```" in text
    assert "```diff" not in summary


def test_a_survivor_is_recognised_as_equivalent_by_its_mutated_line(mutation: ModuleType) -> None:
    diff = "--- codex_mcp/x.py\n+++ codex_mcp/x.py\n@@ -1,2 +1,2 @@\n def f():\n-    return a + 1\n+    return a + 2"
    assert mutation.changed_lines(diff) == "return a + 2"


def test_a_survivor_that_only_removes_lines_is_recognised_by_them(mutation: ModuleType) -> None:
    diff = "--- codex_mcp/x.py\n+++ codex_mcp/x.py\n@@ -1,3 +1,2 @@\n f(\n-    a=1,\n-    b=2,\n )"
    assert mutation.changed_lines(diff) == "-a=1,\n-b=2,"
