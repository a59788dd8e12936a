"""CI and the release workflow fetch only pinned things: no @latest, exact tool versions, actions pinned to commits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CI_FILES = [ROOT / ".ci" / "run", ROOT / ".ci" / "install-checks"]
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
EXACT = r"\d+\.\d+\.\d+"


def read(path: Path) -> str:
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [*CI_FILES, RELEASE], ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_floats(path: Path) -> None:
    text = read(path)
    floating = re.findall(r"\S*@(?:latest|main|master|next)\b\S*", text)
    assert not floating, f"{path.name} fetches unpinned versions: {floating}"


def test_install_checks_pins_every_tool_it_fetches() -> None:
    text = read(ROOT / ".ci" / "install-checks")
    pins = dict(re.findall(r"^([A-Z_]+)=(\S+)$", text, flags=re.MULTILINE))
    assert re.fullmatch(EXACT, pins["BUILD_VERSION"])
    assert re.fullmatch(EXACT, pins["UV_VERSION"])
    assert re.fullmatch(rf"@modelcontextprotocol/inspector@{EXACT}", pins["INSPECTOR"])
    assert re.fullmatch(rf"@modelcontextprotocol/inspector@{EXACT}", pins["INSPECTOR_NEXT"])
    assert re.fullmatch(EXACT, pins["NODE_FOR_NEXT"])
    # Every pip install is the wheel under test or a pinned tool; every npx package comes from a pin.
    for line in re.findall(r"pip\" install -q (.+)", text):
        assert line in ('"$wheel"', '"build==$BUILD_VERSION"', '"uv==$UV_VERSION"'), line
    for spec in re.findall(r"npx -y (?:-p )?(\S+)", text):
        assert spec in ('"$@"', '"node@$NODE_FOR_NEXT"', '"$INSPECTOR"'), f"npx fetches {spec}, not a pinned variable"


def test_release_workflow_pins_actions_and_publishes_with_trusted_publishing() -> None:
    text = read(RELEASE)
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert {u.split("@")[0] for u, _ in uses} >= {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
        "actions/download-artifact",
        "pypa/gh-action-pypi-publish",
    }
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{action} is not pinned to a commit"
        assert re.fullmatch(rf"\s*# v{EXACT}", comment), f"{action} does not name its release: {comment!r}"
    assert re.search(r"^on:\n  push:\n    tags: \[\"v\*\"\]$", text, flags=re.MULTILINE)
    publish = text.split("\n  publish:\n", 1)[1]
    assert "needs: [build, test]" in publish
    assert re.search(r"environment:\n\s+name: pypi\n", publish)
    assert "id-token: write" in publish
    assert "id-token" not in text.split("\n  publish:\n", 1)[0], "only the publish job may mint an OIDC token"
    assert ".venv/bin/python -m pytest" in text
