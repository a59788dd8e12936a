"""Project users, service accounts, invites and project changes in the simulator follow the spec."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.demo.entities import Project
from tests.simulator_support import NOW, error_of, get, ok, schema_errors, simulator_fixtures, walk_list

PROJECT = "/organization/projects/{project_id}"
PROJECT_USERS = "/organization/projects/{project_id}/users"
PROJECT_USER = "/organization/projects/{project_id}/users/{user_id}"
SERVICE_ACCOUNT = "/organization/projects/{project_id}/service_accounts/{service_account_id}"
INVITE = "/organization/invites/{invite_id}"


sim, client = simulator_fixtures()


def busiest_project(sim: AdminAPISimulator) -> Project:
    active = [p for p in sim.org.projects if p.archived_at is None and p is not sim.org.default_project]
    return max(active, key=lambda p: (len(p.members), p.id))


def audit_types(client: httpx.Client, count: int) -> list[str]:
    return [e["type"] for e in ok(client, "/organization/audit_logs", [("limit", count)])["data"]]


def post(client: httpx.Client, path: str, body: Any) -> httpx.Response:
    return client.post(path, json=body)


# --------------------------------------------------------------------------- project users


def test_project_users_page_through_every_member_once_and_match_the_org(
    client: httpx.Client, sim: AdminAPISimulator
) -> None:
    for project in [p for p in sim.org.projects if p.archived_at is None]:
        path = f"/organization/projects/{project.id}/users"
        users, pages = walk_list(client, path, limit=3)
        assert sorted(u["id"] for u in users) == sorted(project.members)
        assert pages == max(1, -(-len(project.members) // 3))
        for user in users:
            member = ok(client, f"/organization/users/{user['id']}")
            assert (user["name"], user["email"]) == (member["name"], member["email"])
            assert user["role"] in ("owner", "member")
        assert any(u["role"] == "owner" for u in users)
        times = [u["added_at"] for u in users]
        assert times == sorted(times)
        assert all(project.created_at <= t < NOW for t in times)
    page = ok(client, f"/organization/projects/{busiest_project(sim).id}/users", [("limit", 100)])
    assert schema_errors("GET", PROJECT_USERS, page) == []
    one = ok(client, f"/organization/projects/{busiest_project(sim).id}/users/{page['data'][0]['id']}")
    assert schema_errors("GET", PROJECT_USER, one) == []
    assert one == page["data"][0]


def test_adding_changing_and_removing_a_project_user(client: httpx.Client, sim: AdminAPISimulator) -> None:
    project = busiest_project(sim)
    base = f"/organization/projects/{project.id}/users"
    outsider = next(u for u in sim.org.users if u.id not in project.members and not u.deleted)
    added = post(client, base, {"user_id": outsider.id, "role": "member"})
    assert added.status_code == 200, added.text
    assert schema_errors("POST", PROJECT_USERS, added.json()) == []
    assert added.json()["added_at"] == NOW
    assert outsider.id in {u["id"] for u in walk_list(client, base, limit=100)[0]}

    changed = post(client, f"{base}/{outsider.id}", {"role": "owner"})
    assert schema_errors("POST", PROJECT_USER, changed.json()) == []
    assert ok(client, f"{base}/{outsider.id}")["role"] == "owner"

    removed = client.delete(f"{base}/{outsider.id}")
    assert removed.json() == {"object": "organization.project.user.deleted", "id": outsider.id, "deleted": True}
    assert schema_errors("DELETE", PROJECT_USER, removed.json()) == []
    assert error_of(get(client, f"{base}/{outsider.id}"), 404)["code"] == "user_not_found"
    assert outsider.id not in {u["id"] for u in walk_list(client, base, limit=100)[0]}
    assert audit_types(client, 3) == ["user.deleted", "user.updated", "user.added"]
    event = ok(client, "/organization/audit_logs", [("limit", 3)])["data"][2]
    assert event["project"]["id"] == project.id
    assert event["user.added"] == {"id": outsider.id, "data": {"role": "member"}}

    by_email = post(client, base, {"email": outsider.email.upper(), "role": "member"})
    assert by_email.status_code == 200
    assert by_email.json()["id"] == outsider.id


def test_removing_a_member_makes_their_keys_inactive(client: httpx.Client, sim: AdminAPISimulator) -> None:
    key = next(k for k in sim.org.api_keys if k.owner_user_id and sim.org.owner_has_access(k))
    keys = f"/organization/projects/{key.project_id}/api_keys"
    assert ok(client, f"{keys}/{key.id}")["owner_project_access"] == "active"
    assert client.delete(f"/organization/projects/{key.project_id}/users/{key.owner_user_id}").status_code == 200
    assert ok(client, f"{keys}/{key.id}")["owner_project_access"] == "inactive"
    assert key.id not in {k["id"] for k in walk_list(client, keys, limit=100)[0]}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"role": "member"}, "user_id"),
        ({"user_id": "{member}"}, "role"),
        ({"user_id": "{outsider}", "role": "admin"}, "role"),
        ({"user_id": "{outsider}", "role": "member", "team": "x"}, "team"),
        ({"user_id": "user-nobody", "role": "member"}, "user_id"),
        ({"email": "nobody@example.com", "role": "member"}, "email"),
        ({"user_id": "{member}", "role": "member"}, "user_id"),
        ({"user_id": 42, "role": "member"}, "user_id"),
    ],
)
def test_bad_project_user_bodies_are_400_naming_the_param(
    client: httpx.Client, sim: AdminAPISimulator, body: dict[str, Any], param: str
) -> None:
    project = busiest_project(sim)
    member = next(iter(project.members))
    outsider = next(u.id for u in sim.org.users if u.id not in project.members)
    filled = {k: v.format(member=member, outsider=outsider) if isinstance(v, str) else v for k, v in body.items()}
    error = error_of(post(client, f"/organization/projects/{project.id}/users", filled), 400)
    assert error["param"] == param


def test_project_user_errors(client: httpx.Client, sim: AdminAPISimulator) -> None:
    project = busiest_project(sim)
    member = next(iter(project.members))
    base = f"/organization/projects/{project.id}/users"
    assert error_of(post(client, f"{base}/{member}", {"role": "boss"}), 400)["param"] == "role"
    assert error_of(post(client, f"{base}/{member}", {}), 400)["param"] == "role"
    assert error_of(get(client, f"{base}/user-nobody"), 404)["code"] == "user_not_found"
    assert error_of(client.delete(f"{base}/user-nobody"), 404)["code"] == "user_not_found"
    assert error_of(get(client, "/organization/projects/proj_nope/users"), 404)["code"] == "project_not_found"
    assert error_of(get(client, base, [("order", "asc")]), 400)["param"] == "order"  # not a parameter of this list
    assert error_of(get(client, base, [("limit", 101)]), 400)["param"] == "limit"
    archived = next(p for p in sim.org.projects if p.archived_at is not None)
    assert error_of(get(client, f"/organization/projects/{archived.id}/users"), 400)["code"] == "project_archived"
    someone = next(u.id for u in sim.org.users)
    body = {"user_id": someone, "role": "member"}
    assert (
        error_of(post(client, f"/organization/projects/{archived.id}/users", body), 400)["code"] == "project_archived"
    )


# --------------------------------------------------------------------------- service accounts


def test_service_account_get_and_delete(client: httpx.Client, sim: AdminAPISimulator) -> None:
    account = next(
        s
        for s in sim.org.service_accounts
        if any(k.owner_service_account_id == s.id for k in sim.org.api_keys)
        and sim.org.projects[sim.org.project_index[s.project_id]].archived_at is None
    )
    base = f"/organization/projects/{account.project_id}/service_accounts"
    one = ok(client, f"{base}/{account.id}")
    assert schema_errors("GET", SERVICE_ACCOUNT, one) == []
    assert one["id"] == account.id
    deleted = client.delete(f"{base}/{account.id}").json()
    assert deleted == {"object": "organization.project.service_account.deleted", "id": account.id, "deleted": True}
    assert schema_errors("DELETE", SERVICE_ACCOUNT, deleted) == []
    assert error_of(get(client, f"{base}/{account.id}"), 404)["code"] == "service_account_not_found"
    assert account.id not in {s["id"] for s in walk_list(client, base, limit=100)[0]}
    keys = walk_list(
        client, f"/organization/projects/{account.project_id}/api_keys", [("owner_project_access", "any")], limit=100
    )[0]
    assert all(k["owner"].get("service_account", {}).get("id") != account.id for k in keys)  # its keys went too
    assert audit_types(client, 1) == ["service_account.deleted"]
    other_project = next(p for p in sim.org.projects if p.id != account.project_id and p.archived_at is None)
    wrong = f"/organization/projects/{other_project.id}/service_accounts/{sim.org.service_accounts[0].id}"
    if sim.org.service_accounts[0].project_id != other_project.id:
        assert error_of(get(client, wrong), 404)["code"] == "service_account_not_found"


# --------------------------------------------------------------------------- invites


def test_invites_get_and_delete(client: httpx.Client, sim: AdminAPISimulator) -> None:
    pending = next(i for i in sim.org.invites if i.status == "pending")
    accepted = next(i for i in sim.org.invites if i.status == "accepted")
    one = ok(client, f"/organization/invites/{pending.id}")
    assert schema_errors("GET", INVITE, one) == []
    deleted = client.delete(f"/organization/invites/{pending.id}").json()
    assert deleted == {"object": "organization.invite.deleted", "id": pending.id, "deleted": True}
    assert schema_errors("DELETE", INVITE, deleted) == []
    assert error_of(get(client, f"/organization/invites/{pending.id}"), 404)["code"] == "invite_not_found"
    assert pending.id not in {i["id"] for i in walk_list(client, "/organization/invites", limit=7)[0]}
    assert audit_types(client, 1) == ["invite.deleted"]
    error = error_of(client.delete(f"/organization/invites/{accepted.id}"), 400)
    assert error["code"] == "invite_already_accepted"
    assert error_of(client.delete("/organization/invites/invite-nope"), 404)["code"] == "invite_not_found"
    again = post(client, "/organization/invites", {"email": pending.email, "role": "reader"})
    assert again.status_code == 200  # the deleted invite no longer blocks a new one


# --------------------------------------------------------------------------- projects


def test_project_rename_and_archive(client: httpx.Client, sim: AdminAPISimulator) -> None:
    project = busiest_project(sim)
    path = f"/organization/projects/{project.id}"
    renamed = post(client, path, {"name": "Renamed Project"})
    assert schema_errors("POST", PROJECT, renamed.json()) == []
    assert ok(client, path)["name"] == "Renamed Project"
    archived = post(client, f"{path}/archive", None)
    assert archived.status_code == 200, archived.text
    body = archived.json()
    assert schema_errors("POST", "/organization/projects/{project_id}/archive", body) == []
    assert (body["status"], body["archived_at"]) == ("archived", NOW)
    assert project.id not in {p["id"] for p in walk_list(client, "/organization/projects", limit=100)[0]}
    everything = walk_list(client, "/organization/projects", [("include_archived", "true")], limit=100)[0]
    assert project.id in {p["id"] for p in everything}
    assert audit_types(client, 2) == ["project.archived", "project.updated"]
    assert post(client, f"{path}/archive", None).json() == body  # archiving again changes nothing
    assert audit_types(client, 1) == ["project.archived"]
    assert error_of(post(client, path, {"name": "Too late"}), 400)["code"] == "project_archived"
    default = sim.org.default_project.id
    assert error_of(post(client, f"/organization/projects/{default}/archive", None), 400)["param"] is None
    assert error_of(post(client, "/organization/projects/proj_nope/archive", None), 404)["code"] == "project_not_found"
    assert (
        error_of(post(client, path.replace(project.id, sim.org.projects[5].id), {"name": ""}), 400)["param"] == "name"
    )
    assert error_of(post(client, path, {"title": "x"}), 400)["param"] == "title"
