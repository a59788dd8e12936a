"""Helpers for the simulator tests: the `sim` and `client` fixtures, walkers over every page, the cost a day's usage
should have, spec schema checks."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any, Literal
from urllib.parse import quote

import httpx
import pytest

from codex_mcp.demo import DEMO_ADMIN_KEY, AdminAPISimulator
from codex_mcp.demo.sample_org import CODE_INTERPRETER_SESSION_PRICE, DAY, EMBEDDING_MODELS, PICO, completion_cost
from tests.conftest import load_spec

NOW = 1_750_000_000  # 2025-06-15 15:06:40 UTC, a Sunday
TODAY = NOW - NOW % DAY
AUTH = {"Authorization": f"Bearer {DEMO_ADMIN_KEY}"}
Pairs = Sequence[tuple[str, str | int]]


def client_for(sim: AdminAPISimulator) -> httpx.Client:
    return httpx.Client(transport=sim.transport(), base_url="https://api.openai.com/v1", headers=AUTH)


def simulator_fixtures(scope: Literal["function", "module"] = "function") -> tuple[Any, Any]:
    """The fixtures `sim` (the sample organization at NOW) and `client` (over it), for a module to bind:
    `sim, client = simulator_fixtures()`; scope "module" shares one organization among tests that do not change it."""

    @pytest.fixture(scope=scope)
    def sim() -> AdminAPISimulator:
        return AdminAPISimulator(now=NOW)

    @pytest.fixture(scope=scope)
    def client(sim: AdminAPISimulator) -> Iterator[httpx.Client]:
        with client_for(sim) as c:
            yield c

    return sim, client


def query_string(pairs: Pairs) -> str:
    """Encode like our client does: '=' stays literal in values, '[]' stays literal in names."""
    return "&".join(f"{quote(k, safe='[]')}={quote(str(v), safe='=')}" for k, v in pairs)


def get(client: httpx.Client, path: str, pairs: Pairs = ()) -> httpx.Response:
    return client.get(f"{path}?{query_string(pairs)}" if pairs else path)


def ok(client: httpx.Client, path: str, pairs: Pairs = ()) -> dict[str, Any]:
    response = get(client, path, pairs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The OpenAI-shaped error of a response that must have `status`."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def walk_list(client: httpx.Client, path: str, pairs: Pairs = (), *, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Every item of a cursor list, following `last_id` (or `next`) page by page; also the number of pages."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    pages = 0
    while True:
        page = ok(client, path, [*pairs, ("limit", limit), *([("after", after)] if after else [])])
        pages += 1
        assert page["object"] == "list"
        assert len(page["data"]) <= limit
        items += page["data"]
        if "next" in page:
            assert "first_id" not in page
            after = page["next"]
            assert (after is None) == (not page["has_more"])
        else:
            ids = [item["id"] for item in page["data"]]
            assert page["first_id"] == (ids[0] if ids else None)
            assert page["last_id"] == (ids[-1] if ids else None)
            after = page["last_id"]
        if not page["has_more"]:
            return items, pages


def walk_buckets(client: httpx.Client, path: str, pairs: Pairs) -> tuple[list[dict[str, Any]], int]:
    """Every bucket of a usage or costs query, following `next_page`; also the number of pages."""
    buckets: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = ok(client, path, [*pairs, *([("page", cursor)] if cursor else [])])
        pages += 1
        assert page["object"] == "page"
        buckets += page["data"]
        if not page["has_more"]:
            assert page["next_page"] is None
            return buckets, pages
        cursor = page["next_page"]
        assert cursor.startswith("page_")
        assert cursor.endswith("=")


def usage_cost(client: httpx.Client, day: Pairs) -> float:
    """What the usage of one day bucket should cost in dollars, from its completions, embeddings and code
    interpreter sessions at the sample prices; `day` is start_time, end_time and any filters."""
    usage = ok(
        client,
        "/organization/usage/completions",
        [*day, *(("group_by", f) for f in ("model", "batch", "service_tier"))],
    )
    expected = sum(
        completion_cost(
            r["model"],
            batch=r["batch"],
            service_tier=r["service_tier"],
            input_tokens=r["input_tokens"],
            cached=r["input_cached_tokens"],
            output=r["output_tokens"],
        )
        for r in usage["data"][0]["results"]
    )
    embeddings = ok(client, "/organization/usage/embeddings", [*day, ("group_by", "model")])
    prices = {m.model: m.input for m in EMBEDDING_MODELS}
    expected += sum(r["input_tokens"] * prices[r["model"]] for r in embeddings["data"][0]["results"])
    sessions = ok(client, "/organization/usage/code_interpreter_sessions", day)
    expected += sum(r["num_sessions"] for r in sessions["data"][0]["results"]) * CODE_INTERPRETER_SESSION_PRICE
    return expected / PICO


@functools.cache
def _spec_registry() -> tuple[dict[str, Any], Any]:
    referencing = pytest.importorskip("referencing")
    spec = load_spec()
    resource = referencing.Resource.from_contents(spec, default_specification=referencing.jsonschema.DRAFT202012)
    return spec, referencing.Registry().with_resource("spec", resource)


def schema_errors(method: str, template: str, answer: Any, status: int = 200) -> list[str]:
    """How `answer` departs from the JSON schema the spec gives for the operation's answer (empty: it conforms).

    `template` is the spec's path, e.g. "/organization/projects/{project_id}/spend_limit". The same machinery as
    test_simulator's check against component schemas, pointed at the operation so inline schemas count too.
    """
    jsonschema = pytest.importorskip("jsonschema")
    spec, registry = _spec_registry()
    assert method.lower() in spec["paths"][template], f"{method} {template} is not in the spec"
    pointer = template.replace("~", "~0").replace("/", "~1")
    ref = f"spec#/paths/{pointer}/{method.lower()}/responses/{status}/content/application~1json/schema"
    validator = jsonschema.Draft202012Validator({"$ref": ref}, registry=registry)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(answer)]
