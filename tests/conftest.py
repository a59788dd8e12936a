"""Shared fixtures: clean environment, test settings, an in-memory MCP session over the real server."""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.types import CallToolResult

from codex_mcp.catalog import load_catalog
from codex_mcp.server import create_server
from codex_mcp.settings import Settings

TEST_KEY = "sk-admin-TESTKEY0123456789abcdefXYZ"
BASE_URL = "https://api.openai.com/v1"
SPEC_PATH = Path(__file__).resolve().parent / "spec" / "openapi-organization.json"  # see tests/spec/README.md
# One list of tool names, derived from the server's own catalog of tool definitions (tests that pin how many there
# are say so with numbers of their own).
_CATALOG = load_catalog().values()
CORE_READ_TOOLS = {entry.name for entry in _CATALOG if entry.toolset == "core" and entry.read_only}
WRITE_TOOLS = {entry.name for entry in _CATALOG if entry.toolset == "core" and not entry.read_only}
# The default toolsets (core, insights): the read tools the default server lists.
READ_TOOLS = CORE_READ_TOOLS | {entry.name for entry in _CATALOG if entry.toolset == "insights"}


def find_nulls(value: Any, where: str = "") -> list[str]:
    """Paths of every null inside a result (results should carry none)."""
    if value is None:
        return [where or "(root)"]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in find_nulls(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in find_nulls(v, f"{where}[{i}]")]
    return []


# Every variable the server reads (from Settings itself, so a new setting is cleaned too).
ENV_VARS = [str(field.validation_alias) for field in Settings.model_fields.values()]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own key or settings."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """Undo what a test's in-process run of the CLI or configure_logging did to logging: a root handler left behind
    writes to a closed capture stream and its redacting filter rewrites the records later tests inspect."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = ("codex_mcp", "httpx", "httpcore")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    logging.captureWarnings(False)
    for handler in root.handlers[:]:
        if handler not in handlers and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: a fake admin key, no backoff waits."""
    values: dict[str, Any] = {
        "admin_key": TEST_KEY,
        "base_url": BASE_URL,
        "backoff_initial_s": 0.0,
        "backoff_max_s": 0.0,
        "max_retries": 2,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


async def call_tool(
    settings: Settings, name: str, arguments: dict[str, Any], *, transport: httpx.AsyncBaseTransport | None = None
) -> CallToolResult:
    """Call one tool through a real MCP client session against a fresh server."""
    async with Client(create_server(settings, transport=transport)) as client:
        return await client.call_tool(name, arguments)


@pytest.fixture
async def session(settings: Settings) -> AsyncIterator[Client]:
    """An in-memory MCP client session over the real server (HTTP answered by pytest-httpx when used)."""
    async with Client(create_server(settings)) as client:
        yield client


def result_text(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def assert_refused(result: CallToolResult, tool: str, field: str, *fragments: str) -> str:
    """`result` is the refusal a user sees for bad arguments: about `field` (not another one, not a crash), with
    every fragment of the message. Both forms count: "Invalid arguments for TOOL; nothing was sent:\n- FIELD: ..."
    (schema checks) and "Invalid arguments for TOOL: FIELD ..." (checks across arguments)."""
    text = result_text(result)
    assert result.is_error is True, f"{tool} accepted the arguments: {text[:300]}"
    assert result.structured_content is None
    assert text.startswith(f"Invalid arguments for {tool}"), text
    about_field = f"\n- {field}: " in text or text.startswith(f"Invalid arguments for {tool}: {field}")
    assert about_field, f"the refusal is not about {field!r}:\n{text}"
    missing = [fragment for fragment in fragments if fragment not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    return text


@functools.cache
def _read_spec(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def load_script(path: Path, name: str) -> ModuleType:
    """A script of scripts/ (not a package) imported as module `name`, for its tests."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None, f"cannot load {path}"
    assert spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def load_spec() -> dict[str, Any]:
    """The OpenAPI spec subset kept in tests/spec/ (one shared dict: do not mutate); fails, never skips, if missing."""
    if not SPEC_PATH.is_file():
        pytest.fail(
            f"OpenAPI spec not found at {SPEC_PATH}: restore it from git or run `python scripts/refresh_spec.py`",
            pytrace=False,
        )
    return _read_spec(SPEC_PATH)


@pytest.fixture(autouse=True)
def spec_conformance(request: pytest.FixtureRequest) -> Any:
    """After a test that used httpx_mock, fail it if any request it sent departs from the OpenAPI spec."""
    if "httpx_mock" not in request.fixturenames:
        yield
        return
    from tests.spec_conformance import check_request

    spec = load_spec()
    mock = request.getfixturevalue("httpx_mock")
    yield
    problems = [f"{r.method} {r.url}: {p}" for r in mock.get_requests() for p in check_request(spec, r)]
    if problems:
        pytest.fail("Requests not conforming to the OpenAPI spec:\n" + "\n".join(problems), pytrace=False)
