"""Project API keys and organization admin API keys in the simulator follow the spec."""

from __future__ import annotations

import httpx

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.demo.sample_access import DEMO_ADMIN_KEY_ID
from tests.simulator_support import NOW, error_of, get, ok, schema_errors, simulator_fixtures, walk_list

PROJECT_KEY = "/organization/projects/{project_id}/api_keys/{api_key_id}"
ADMIN_KEYS = "/organization/admin_api_keys"
ADMIN_KEY = "/organization/admin_api_keys/{key_id}"


sim, client = simulator_fixtures()


def test_a_user_key_is_fetched_then_deleted(client: httpx.Client, sim: AdminAPISimulator) -> None:
    key = next(k for k in sim.org.api_keys if k.owner_user_id and sim.org.owner_has_access(k))
    path = f"/organization/projects/{key.project_id}/api_keys/{key.id}"
    one = ok(client, path)
    assert schema_errors("GET", PROJECT_KEY, one) == []
    assert (one["id"], one["owner"]["type"]) == (key.id, "user")
    deleted = client.delete(path).json()
    assert deleted == {"object": "organization.project.api_key.deleted", "id": key.id, "deleted": True}
    assert schema_errors("DELETE", PROJECT_KEY, deleted) == []
    assert error_of(get(client, path), 404)["code"] == "api_key_not_found"
    assert error_of(client.delete(path), 404)["code"] == "api_key_not_found"
    listed = walk_list(
        client, f"/organization/projects/{key.project_id}/api_keys", [("owner_project_access", "any")], limit=2
    )
    assert key.id not in {k["id"] for k in listed[0]}
    event = ok(client, "/organization/audit_logs", [("limit", 1)])["data"][0]
    assert (event["type"], event["api_key.deleted"], event["project"]["id"]) == (
        "api_key.deleted",
        {"id": key.id},
        key.project_id,
    )


def test_service_account_keys_cannot_be_deleted_alone(client: httpx.Client, sim: AdminAPISimulator) -> None:
    key = next(k for k in sim.org.api_keys if k.owner_service_account_id)
    error = error_of(client.delete(f"/organization/projects/{key.project_id}/api_keys/{key.id}"), 400)
    assert error["code"] == "api_key_owned_by_service_account"
    assert ok(client, f"/organization/projects/{key.project_id}/api_keys/{key.id}")["id"] == key.id


def test_keys_of_another_project_or_unknown_are_404(client: httpx.Client, sim: AdminAPISimulator) -> None:
    key = sim.org.api_keys[0]
    other = next(p for p in sim.org.projects if p.id != key.project_id)
    assert (
        error_of(get(client, f"/organization/projects/{other.id}/api_keys/{key.id}"), 404)["code"]
        == "api_key_not_found"
    )
    assert (
        error_of(client.delete(f"/organization/projects/proj_nope/api_keys/{key.id}"), 404)["code"]
        == "project_not_found"
    )


# --------------------------------------------------------------------------- admin keys


def test_admin_keys_list_pages_and_orders(client: httpx.Client) -> None:
    page = ok(client, ADMIN_KEYS)
    assert schema_errors("GET", ADMIN_KEYS, page) == []
    keys = page["data"]
    assert 2 <= len(keys) <= 3
    assert all(k["redacted_value"].startswith("sk-admin...") and len(k["redacted_value"]) == 14 for k in keys)
    assert all(k["owner"]["type"] == "user" and k["owner"]["role"] == "owner" for k in keys)
    assert [k["created_at"] for k in keys] == sorted(k["created_at"] for k in keys)
    assert any(k["expires_at"] is not None for k in keys)
    assert next(k for k in keys if k["id"] == DEMO_ADMIN_KEY_ID)["last_used_at"] == NOW
    assert all(k["last_used_at"] <= NOW for k in keys)
    one_by_one, pages = walk_list(client, ADMIN_KEYS, limit=1)
    assert one_by_one == keys
    assert pages == len(keys)
    newest_first = ok(client, ADMIN_KEYS, [("order", "desc")])["data"]
    assert newest_first == keys[::-1]
    second = ok(client, ADMIN_KEYS, [("order", "desc"), ("limit", 1), ("after", newest_first[0]["id"])])
    assert second["data"] == newest_first[1:2]
    for name, value in (("order", "newest"), ("limit", 0), ("after", "key_nope"), ("before", "x")):
        assert error_of(get(client, ADMIN_KEYS, [(name, value)]), 400)["param"] == name


def test_admin_key_get_and_delete(client: httpx.Client) -> None:
    keys = ok(client, ADMIN_KEYS)["data"]
    other = next(k for k in keys if k["id"] != DEMO_ADMIN_KEY_ID)
    one = ok(client, f"{ADMIN_KEYS}/{other['id']}")
    assert schema_errors("GET", ADMIN_KEY, one) == []
    assert one == other
    deleted = client.delete(f"{ADMIN_KEYS}/{other['id']}").json()
    assert deleted == {"id": other["id"], "object": "organization.admin_api_key.deleted", "deleted": True}
    assert schema_errors("DELETE", ADMIN_KEY, deleted) == []
    assert error_of(get(client, f"{ADMIN_KEYS}/{other['id']}"), 404)["code"] == "api_key_not_found"
    assert other["id"] not in {k["id"] for k in ok(client, ADMIN_KEYS)["data"]}
    assert error_of(client.delete(f"{ADMIN_KEYS}/{DEMO_ADMIN_KEY_ID}"), 400)["code"] == "api_key_in_use"
    assert error_of(client.delete(f"{ADMIN_KEYS}/key_nope"), 404)["code"] == "api_key_not_found"
    assert client.post(ADMIN_KEYS, json={"name": "new"}).status_code == 405  # creating admin keys is not simulated
