"""scripts/refresh_spec.py: the kept spec copy names its source, and a refresh reports what changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import SPEC_PATH, load_script, load_spec

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "refresh_spec.py"


@pytest.fixture(scope="module")
def refresh() -> ModuleType:
    return load_script(SCRIPT, "refresh_spec")


def test_the_copy_is_where_the_script_writes_and_its_readme_names_the_source(refresh: ModuleType) -> None:
    assert refresh.COPY == SPEC_PATH
    description = load_spec()["info"]["description"]
    assert "openai/openai-openapi" in description
    assert refresh.README.read_text(encoding="utf-8") == refresh.readme_text(load_spec())


def test_check_against_the_copy_itself_is_up_to_date(refresh: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert refresh.main([str(SPEC_PATH), "--check"]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_check_reports_each_change_and_writes_nothing(
    refresh: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed: dict[str, Any] = copy.deepcopy(load_spec())
    del changed["paths"]["/organization/certificates"]["post"]
    changed["paths"]["/organization/things"] = {"get": {"operationId": "list-things"}}
    changed["components"]["schemas"]["Project"]["description"] = "changed"
    changed["components"]["schemas"]["Thing"] = {"type": "object"}
    changed["info"]["description"] = "Source: elsewhere"
    source = tmp_path / "spec.json"
    source.write_text(json.dumps(changed), encoding="utf-8")
    before = SPEC_PATH.read_bytes()

    assert refresh.main([str(source), "--check"]) == 1

    assert SPEC_PATH.read_bytes() == before
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines == [
        "  + operation GET /organization/things",
        "  - operation POST /organization/certificates",
        "  + schema Thing",
        "  ~ schema Project",
        "  ~ top-level info",
        "  ~ tests/spec/README.md",
    ]


def test_a_missing_or_foreign_source_is_refused(
    refresh: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert refresh.main([str(tmp_path / "absent.json")]) == 2
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    assert refresh.main([str(other)]) == 2
    assert "not an OpenAPI document" in capsys.readouterr().err
