"""The spec checker itself: it passes requests that follow the spec and names what is wrong with ones that don't."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import BASE_URL, load_spec
from tests.spec_conformance import check_request


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec()


def get(path_and_query: str) -> httpx.Request:
    """A GET whose URL is used exactly as written (no re-encoding of the query)."""
    return httpx.Request("GET", f"{BASE_URL}{path_and_query}")


def post(path: str, body: Any, method: str = "POST") -> httpx.Request:
    return httpx.Request(
        method, f"{BASE_URL}{path}", content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


GOOD = [
    get(
        "/organization/usage/completions?start_time=1730419200&end_time=1730505600&bucket_width=1d"
        "&project_ids=proj_a&project_ids=proj_b&batch=false&group_by=user_id&group_by=model&limit=31"
        "&page=page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="
    ),
    get("/organization/costs?start_time=1730419200&bucket_width=1d&group_by=line_item&limit=180"),
    get(
        "/organization/audit_logs?effective_at[gte]=1730419200&effective_at[lt]=1730505600&effective_at[gt]=1"
        "&effective_at[lte]=2&project_ids[]=proj_a&event_types[]=api_key.created&event_types[]=user.added"
        "&actor_ids[]=user-1&actor_emails[]=a%40example.com&resource_ids[]=proj_a&tenant_only=true&limit=20"
        "&after=audit_log-abc"
    ),
    get("/organization/users?limit=100&after=user-abc&emails=a%40example.com&emails=b%40example.com"),
    get("/organization/users/user-abc"),
    get("/organization/projects?include_archived=true&limit=20"),
    get("/organization/projects/proj_abc/api_keys?owner_project_access=any&limit=5"),
    get("/organization/projects/proj_abc/service_accounts?limit=5"),
    httpx.Request("DELETE", f"{BASE_URL}/organization/users/user-abc"),
    post("/organization/users/user-abc", {"role": "reader"}),
    post("/organization/invites", {"email": "a@example.com", "role": "owner"}),
    post(
        "/organization/invites",
        {"email": "a@example.com", "role": "reader", "projects": [{"id": "proj_a", "role": "member"}]},
    ),
    post("/organization/projects", {"name": "Project ABC", "residency": "EU_STORAGE_PROCESSING"}),
    post("/organization/certificates/activate", {"certificate_ids": ["cert_abc"]}),
]


@pytest.mark.parametrize("request_", GOOD, ids=lambda r: f"{r.method} {r.url.path}")
def test_conforming_requests_pass(spec: dict[str, Any], request_: httpx.Request) -> None:
    assert check_request(spec, request_) == []


BAD = [
    (get("/organization/things"), "matches no path"),
    (httpx.Request("GET", "https://api.openai.com/organization/users"), "not under the spec's server path"),
    (httpx.Request("PUT", f"{BASE_URL}/organization/users/user-abc"), "PUT is not an operation"),
    (get("/organization/usage/completions?start_time=1&project_ids[]=proj_a"), "'project_ids[]' is not in the spec"),
    (get("/organization/audit_logs?project_ids=proj_a"), "'project_ids' is not in the spec"),
    (get("/organization/usage/completions?start_time=1&bucket_width=1w"), "'1w' is not one of"),
    (get("/organization/costs?start_time=1&bucket_width=1h"), "'1h' is not one of ['1d']"),
    (get("/organization/usage/completions?start_time=1&group_by=line_item"), "'line_item' is not one of"),
    (get("/organization/usage/embeddings?start_time=1&group_by=batch"), "'batch' is not one of"),
    (get("/organization/audit_logs?event_types[]=api_key.exploded"), "'api_key.exploded' is not one of"),
    (get("/organization/projects/proj_a/api_keys?owner_project_access=all"), "'all' is not one of"),
    (get("/organization/usage/completions?start_time=2024-11-01"), "'2024-11-01' is not an integer"),
    (get("/organization/users?limit=ten"), "'ten' is not an integer"),
    (get("/organization/projects?include_archived=yes"), "'yes' is not a boolean"),
    (get("/organization/usage/completions?start_time=1&batch=1"), "'1' is not a boolean"),
    (get("/organization/usage/completions?end_time=2"), "required query parameter 'start_time' is missing"),
    (get("/organization/usage/completions?start_time=1&limit=2&limit=3"), "'limit' sent 2 times"),
    (get("/organization/audit_logs?effective_at=1730419200"), "must be sent as effective_at[key]=value"),
    (get("/organization/audit_logs?effective_at[from]=1"), "'effective_at[from]' is not a key of effective_at"),
    (get("/organization/audit_logs?effective_at[gte]=soon"), "'soon' is not an integer"),
    (get("/organization/users?limit[gte]=1"), "'limit[gte]' is not in the spec"),
    (post("/organization/projects", {"name": "x", "colour": "red"}), "field 'colour' is not in the schema"),
    (post("/organization/projects", {"name": 5}), "5 is not of type string"),
    (post("/organization/projects", {"residency": "MOON"}), "required field 'name' is missing"),
    (post("/organization/projects", {"name": "x", "residency": "MOON"}), "'MOON' is not one of"),
    (post("/organization/invites", {"email": "a@example.com"}), "required field 'role' is missing"),
    (post("/organization/invites", {"email": "a@example.com", "role": "admin"}), "'admin' is not one of"),
    (
        post("/organization/invites", {"email": "a@b.c", "role": "owner", "projects": [{"id": "p", "role": "viewer"}]}),
        "body.projects[0].role: 'viewer' is not one of ['member', 'owner']",
    ),
    (
        post("/organization/invites", {"email": "a@b.c", "role": "owner", "projects": [{"role": "member"}]}),
        "body.projects[0]: required field 'id' is missing",
    ),
    (post("/organization/users/user-abc", {"rolle": "reader"}), "field 'rolle' is not in the schema"),
    (post("/organization/users/user-abc", {"role": "reader"}, method="DELETE"), "takes no request body"),
    (httpx.Request("POST", f"{BASE_URL}/organization/projects"), "requires a JSON body"),
    (
        httpx.Request("POST", f"{BASE_URL}/organization/projects", content=b'{"name": "x"}'),
        "without Content-Type: application/json",
    ),
    (
        httpx.Request(
            "POST", f"{BASE_URL}/organization/projects", content=b"{name", headers={"Content-Type": "application/json"}
        ),
        "not valid JSON",
    ),
]


@pytest.mark.parametrize(("request_", "problem"), BAD, ids=[problem for _, problem in BAD])
def test_nonconforming_requests_are_named(spec: dict[str, Any], request_: httpx.Request, problem: str) -> None:
    problems = check_request(spec, request_)
    assert any(problem in p for p in problems), problems


def test_a_literal_path_wins_over_a_template(spec: dict[str, Any]) -> None:
    """'/certificates/activate' is its own operation, not '/certificates/{certificate_id}' with id 'activate'."""
    problems = check_request(spec, post("/organization/certificates/activate", {"name": "x"}))
    assert any("field 'name' is not in the schema" in p for p in problems), problems
    assert check_request(spec, post("/organization/certificates/cert_abc", {"name": "x"})) == []


def test_each_problem_is_reported(spec: dict[str, Any]) -> None:
    problems = check_request(spec, get("/organization/costs?start_time=soon&bucket_width=1h&group_by=model&x=1"))
    assert len(problems) == 4, problems
