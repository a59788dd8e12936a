"""Which spec operations the simulator serves, and that each served list takes exactly the spec's query names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from codex_mcp.demo import AdminAPISimulator
from tests.conftest import load_spec
from tests.simulator_support import NOW, TODAY, client_for, get

SERVED = {
    "GET /organization/admin_api_keys",
    "GET /organization/admin_api_keys/{key_id}",
    "DELETE /organization/admin_api_keys/{key_id}",
    "GET /organization/audit_logs",
    "GET /organization/certificates",
    "GET /organization/certificates/{certificate_id}",
    "GET /organization/costs",
    "GET /organization/data_retention",
    "GET /organization/groups",
    "GET /organization/groups/{group_id}",
    "GET /organization/groups/{group_id}/roles",
    "GET /organization/groups/{group_id}/roles/{role_id}",
    "GET /organization/groups/{group_id}/users",
    "GET /organization/groups/{group_id}/users/{user_id}",
    "GET /organization/invites",
    "POST /organization/invites",
    "GET /organization/invites/{invite_id}",
    "DELETE /organization/invites/{invite_id}",
    "GET /organization/projects",
    "POST /organization/projects",
    "GET /organization/projects/{project_id}",
    "POST /organization/projects/{project_id}",
    "GET /organization/projects/{project_id}/api_keys",
    "GET /organization/projects/{project_id}/api_keys/{api_key_id}",
    "DELETE /organization/projects/{project_id}/api_keys/{api_key_id}",
    "POST /organization/projects/{project_id}/archive",
    "GET /organization/projects/{project_id}/certificates",
    "GET /organization/projects/{project_id}/data_retention",
    "GET /organization/projects/{project_id}/groups",
    "GET /organization/projects/{project_id}/groups/{group_id}",
    "GET /organization/projects/{project_id}/model_permissions",
    "GET /organization/projects/{project_id}/rate_limits",
    "POST /organization/projects/{project_id}/rate_limits/{rate_limit_id}",
    "GET /organization/projects/{project_id}/service_accounts",
    "GET /organization/projects/{project_id}/service_accounts/{service_account_id}",
    "DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}",
    "GET /organization/projects/{project_id}/spend_alerts",
    "POST /organization/projects/{project_id}/spend_alerts",
    "GET /organization/projects/{project_id}/spend_alerts/{alert_id}",
    "POST /organization/projects/{project_id}/spend_alerts/{alert_id}",
    "DELETE /organization/projects/{project_id}/spend_alerts/{alert_id}",
    "GET /organization/projects/{project_id}/spend_limit",
    "POST /organization/projects/{project_id}/spend_limit",
    "DELETE /organization/projects/{project_id}/spend_limit",
    "GET /organization/projects/{project_id}/users",
    "POST /organization/projects/{project_id}/users",
    "GET /organization/projects/{project_id}/users/{user_id}",
    "POST /organization/projects/{project_id}/users/{user_id}",
    "DELETE /organization/projects/{project_id}/users/{user_id}",
    "GET /organization/roles",
    "GET /organization/roles/{role_id}",
    "GET /organization/spend_alerts",
    "POST /organization/spend_alerts",
    "GET /organization/spend_alerts/{alert_id}",
    "POST /organization/spend_alerts/{alert_id}",
    "DELETE /organization/spend_alerts/{alert_id}",
    "GET /organization/spend_limit",
    "POST /organization/spend_limit",
    "DELETE /organization/spend_limit",
    "GET /organization/users",
    "GET /organization/users/{user_id}",
    "POST /organization/users/{user_id}",
    "DELETE /organization/users/{user_id}",
    "GET /organization/users/{user_id}/roles",
    "GET /organization/users/{user_id}/roles/{role_id}",
    *(
        f"GET /organization/usage/{kind}"
        for kind in (
            "audio_speeches",
            "audio_transcriptions",
            "code_interpreter_sessions",
            "completions",
            "embeddings",
            "file_search_calls",
            "images",
            "moderations",
            "vector_stores",
            "web_search_calls",
        )
    ),
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with client_for(AdminAPISimulator(now=NOW)) as c:
        yield c


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "delete")
    ]


def concrete(template: str) -> str:
    """The template with ids filled in; which ids does not matter, only that the route exists."""
    return re.sub(r"\{[^}]+\}", "x_1", template)


def is_routed(response: httpx.Response) -> bool:
    error = response.json().get("error") if response.status_code >= 400 else None
    return not (response.status_code == 405 or (error and error["code"] == "unknown_url"))


def test_the_simulator_serves_exactly_the_listed_operations(client: httpx.Client, spec: dict[str, Any]) -> None:
    routed = set()
    for method, template, _operation in operations(spec):
        if is_routed(client.request(method, concrete(template))):
            routed.add(f"{method} {template}")
    assert routed == SERVED


def test_every_served_get_takes_exactly_the_spec_query_names(client: httpx.Client, spec: dict[str, Any]) -> None:
    """Each query name of the spec is recognized (the answer may still reject its value); others are not."""
    for method, template, operation in operations(spec):
        if method != "GET" or f"GET {template}" not in SERVED:
            continue
        path = concrete(template)
        required = [("start_time", TODAY)] if "/usage/" in template or template.endswith("/costs") else []
        names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
        for name in names:
            if name == "effective_at":
                name = "effective_at[gte]"
            response = get(client, path, [*required, (name, "1")])
            error = response.json().get("error") if response.status_code >= 400 else None
            assert not (error and error["code"] == "unknown_parameter"), f"{template} does not take {name}"
        bogus = get(client, path, [*required, ("bogus_name", "1")])
        assert bogus.json()["error"]["param"] == "bogus_name", template  # read before the ids are looked up
