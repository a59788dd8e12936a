"""Groups, roles and role assignments in the simulator follow the spec."""

from __future__ import annotations

import httpx

from codex_mcp.demo import AdminAPISimulator
from tests.simulator_support import error_of, get, ok, schema_errors, simulator_fixtures, walk_list

GROUPS = "/organization/groups"
ROLES = "/organization/roles"


sim, client = simulator_fixtures("module")


def test_groups_list_and_get(client: httpx.Client) -> None:
    page = ok(client, GROUPS)
    assert schema_errors("GET", GROUPS, page) == []
    groups = page["data"]
    assert 3 <= len(groups) <= 6
    assert (page["has_more"], page["next"]) == (False, None)
    assert {g["name"] for g in groups} >= {"ML Platform", "Finance", "Support Team"}
    assert any(g["is_scim_managed"] for g in groups)
    assert [g["created_at"] for g in groups] == sorted(g["created_at"] for g in groups)
    one_by_one, pages = walk_list(client, GROUPS, limit=1)
    assert (one_by_one, pages) == (groups, len(groups))
    assert ok(client, GROUPS, [("order", "desc")])["data"] == groups[::-1]
    assert ok(client, GROUPS, [("limit", 0)])["data"] == []
    assert error_of(get(client, GROUPS, [("limit", 1001)]), 400)["param"] == "limit"
    one = ok(client, f"{GROUPS}/{groups[0]['id']}")
    assert schema_errors("GET", "/organization/groups/{group_id}", one) == []
    assert one == groups[0]
    assert error_of(get(client, f"{GROUPS}/group_nope"), 404)["code"] == "group_not_found"


def test_group_users_are_org_members_newest_first_by_default(client: httpx.Client) -> None:
    for group in ok(client, GROUPS)["data"]:
        path = f"{GROUPS}/{group['id']}/users"
        page = ok(client, path)
        assert schema_errors("GET", "/organization/groups/{group_id}/users", page) == []
        users = page["data"]
        assert users
        oldest_first = ok(client, path, [("order", "asc")])["data"]
        assert users == oldest_first[::-1]
        walked, _pages = walk_list(client, path, limit=2)
        assert walked == users
        for user in users:
            assert ok(client, f"/organization/users/{user['id']}")["email"] == user["email"]
        member = ok(client, f"{path}/{users[0]['id']}")
        assert schema_errors("GET", "/organization/groups/{group_id}/users/{user_id}", member) == []
        assert (member["id"], member["user_type"], member["is_service_account"]) == (users[0]["id"], "user", False)
    assert error_of(get(client, f"{GROUPS}/group_nope/users"), 404)["code"] == "group_not_found"


def test_roles_list_the_predefined_and_custom_roles(client: httpx.Client) -> None:
    page = ok(client, ROLES)
    assert schema_errors("GET", ROLES, page) == []
    roles = {r["name"]: r for r in page["data"]}
    assert {"owner", "reader"} <= set(roles)
    assert roles["owner"]["predefined_role"] is True
    assert any(not r["predefined_role"] for r in roles.values())
    assert set(roles["reader"]["permissions"]) < set(roles["owner"]["permissions"])
    assert all(r["resource_type"] == "api.organization" for r in roles.values())
    walked, pages = walk_list(client, ROLES, limit=2)
    assert walked == page["data"]
    assert pages == -(-len(walked) // 2)
    one = ok(client, f"{ROLES}/{roles['owner']['id']}")
    assert schema_errors("GET", "/organization/roles/{role_id}", one) == []
    assert error_of(get(client, f"{ROLES}/role_nope"), 404)["code"] == "role_not_found"


def test_role_assignments_of_users_and_groups(client: httpx.Client, sim: AdminAPISimulator) -> None:
    finance = next(g for g in ok(client, GROUPS)["data"] if g["name"] == "Finance")
    group_roles = ok(client, f"{GROUPS}/{finance['id']}/roles")
    assert schema_errors("GET", "/organization/groups/{group_id}/roles", group_roles) == []
    [billing] = group_roles["data"]
    assert billing["name"] == "Billing Viewer"
    assert billing["created_by_user_obj"]["id"] == billing["created_by"]
    one = ok(client, f"{GROUPS}/{finance['id']}/roles/{billing['id']}")
    assert schema_errors("GET", "/organization/groups/{group_id}/roles/{role_id}", one) == []

    member = ok(client, f"{GROUPS}/{finance['id']}/users")["data"][0]
    user_roles = ok(client, f"/organization/users/{member['id']}/roles")
    assert schema_errors("GET", "/organization/users/{user_id}/roles", user_roles) == []
    by_name = {r["name"]: r for r in user_roles["data"]}
    assert by_name[ok(client, f"/organization/users/{member['id']}")["role"]]["assignment_sources"] is None
    assert by_name["Billing Viewer"]["assignment_sources"] == [
        {"principal_id": finance["id"], "principal_type": "group"}
    ]
    single = ok(client, f"/organization/users/{member['id']}/roles/{billing['id']}")
    assert schema_errors("GET", "/organization/users/{user_id}/roles/{role_id}", single) == []
    assert single == by_name["Billing Viewer"]

    outsider = next(
        u
        for u in sim.org.users
        if u.role == "reader" and u.id not in {m["id"] for m in ok(client, f"{GROUPS}/{finance['id']}/users")["data"]}
    )
    assert (
        error_of(get(client, f"/organization/users/{outsider.id}/roles/{billing['id']}"), 404)["code"]
        == "role_not_found"
    )
    assert error_of(get(client, "/organization/users/user-nope/roles"), 404)["code"] == "user_not_found"


def test_project_groups(client: httpx.Client, sim: AdminAPISimulator) -> None:
    with_groups = [p for p in sim.org.projects if any(p.id in g.projects for g in sim.org.access.groups)]
    assert len(with_groups) >= 3
    for project in with_groups:
        path = f"/organization/projects/{project.id}/groups"
        page = ok(client, path)
        assert schema_errors("GET", "/organization/projects/{project_id}/groups", page) == []
        assert {g["project_id"] for g in page["data"]} == {project.id}
        walked, _pages = walk_list(client, path, limit=1)
        assert [g["group_id"] for g in walked] == [g["group_id"] for g in page["data"]]
        first = page["data"][0]
        one = ok(client, f"{path}/{first['group_id']}")
        assert schema_errors("GET", "/organization/projects/{project_id}/groups/{group_id}", one) == []
        assert one == first
        assert error_of(get(client, f"{path}/{first['group_id']}", [("group_type", "tenant_group")]), 404)
    lonely = next(p for p in sim.org.projects if p not in with_groups)
    assert ok(client, f"/organization/projects/{lonely.id}/groups")["data"] == []
    assert (
        error_of(get(client, f"/organization/projects/{lonely.id}/groups", [("limit", 101)]), 400)["param"] == "limit"
    )
