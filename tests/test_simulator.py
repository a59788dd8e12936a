"""The Admin API simulator and its loopback server behave like the API they stand in for."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jsonschema
import pytest
import referencing
import referencing.jsonschema

from codex_mcp.demo import AdminAPISimulator, Fault, LoopbackServer
from codex_mcp.demo.sample_org import DAY
from tests.conftest import load_spec
from tests.simulator_support import (
    AUTH,
    NOW,
    TODAY,
    Pairs,
    client_for,
    get,
    ok,
    simulator_fixtures,
    usage_cost,
    walk_buckets,
)

sim, client = simulator_fixtures("module")


@pytest.fixture
def fresh() -> Iterator[httpx.Client]:
    """A client over a simulator of its own, for tests that write."""
    with client_for(AdminAPISimulator(now=NOW)) as c:
        yield c


def totals(results: list[dict[str, Any]], *fields: str) -> tuple[int, ...]:
    return tuple(sum(r[f] for r in results) for f in fields)


TOKEN_FIELDS = ("input_tokens", "input_cached_tokens", "output_tokens", "num_model_requests")


# --------------------------------------------------------------------------- auth and errors


def test_missing_or_wrong_key_is_401_without_echoing_the_key(sim: AdminAPISimulator) -> None:
    wrong = "wrong-key-0123456789-secret"
    with httpx.Client(transport=sim.transport(), base_url="https://api.openai.com/v1") as anonymous:
        missing = anonymous.get("/organization/users")
        bad = anonymous.get("/organization/users", headers={"Authorization": f"Bearer {wrong}"})
    for response in (missing, bad):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_api_key"
        assert response.json()["error"]["type"] == "invalid_request_error"
        assert response.headers["x-request-id"].startswith("req_")
    assert wrong not in bad.text
    assert "0123456789" not in bad.text
    assert "wron...ret" in bad.json()["error"]["message"]


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    missing = client.get("/organization/nothing")
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"message", "type", "param", "code"}
    wrong_method = client.put("/organization/users")
    assert wrong_method.status_code == 405
    assert "error" in wrong_method.json()


START_90 = TODAY - 90 * DAY


@pytest.mark.parametrize(
    ("path", "pairs", "param"),
    [
        ("/organization/usage/completions", [("start_time", START_90), ("limit", 32)], "limit"),
        (
            "/organization/usage/completions",
            [("start_time", START_90), ("bucket_width", "1h"), ("limit", 169)],
            "limit",
        ),
        (
            "/organization/usage/embeddings",
            [("start_time", START_90), ("bucket_width", "1m"), ("limit", 1441)],
            "limit",
        ),
        ("/organization/usage/completions", [("start_time", START_90), ("limit", 0)], "limit"),
        ("/organization/costs", [("start_time", START_90), ("limit", 181)], "limit"),
        ("/organization/costs", [("start_time", START_90), ("bucket_width", "1h")], "bucket_width"),
        ("/organization/usage/completions", [("start_time", START_90), ("bucket_width", "2d")], "bucket_width"),
        ("/organization/usage/completions", [("limit", 3)], "start_time"),
        ("/organization/usage/completions", [("start_time", "yesterday")], "start_time"),
        ("/organization/usage/completions", [("start_time", START_90), ("colour", "red")], "colour"),
        ("/organization/usage/completions", [("start_time", START_90), ("project_ids[]", "p")], "project_ids[]"),
        ("/organization/usage/embeddings", [("start_time", START_90), ("group_by", "batch")], "group_by"),
        ("/organization/costs", [("start_time", START_90), ("group_by", "model")], "group_by"),
        ("/organization/usage/completions", [("start_time", START_90), ("batch", "yes")], "batch"),
        ("/organization/usage/completions", [("start_time", START_90), ("page", "page_garbage=")], "page"),
        ("/organization/users", [("limit", 101)], "limit"),
        ("/organization/users", [("after", "user-doesnotexist")], "after"),
        ("/organization/projects", [("include_archived", "maybe")], "include_archived"),
        ("/organization/audit_logs", [("event_types[]", "project.exploded")], "event_types[]"),
        ("/organization/audit_logs", [("project_ids", "proj_x")], "project_ids"),
        ("/organization/audit_logs", [("effective_at[gte]", "soon")], "effective_at[gte]"),
    ],
)
def test_bad_requests_are_400_with_the_offending_param(
    client: httpx.Client, path: str, pairs: Pairs, param: str
) -> None:
    response = get(client, path, pairs)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


def test_cursor_with_percent_encoded_padding_is_rejected_but_literal_is_accepted(client: httpx.Client) -> None:
    first = ok(client, "/organization/usage/completions", [("start_time", START_90)])
    cursor = first["next_page"]
    assert cursor.endswith("=")
    literal = get(client, f"/organization/usage/completions?start_time={START_90}&page={cursor}")
    assert literal.status_code == 200
    assert literal.json()["data"][0]["start_time"] == START_90 + 7 * DAY
    encoded = get(client, f"/organization/usage/completions?start_time={START_90}&page={cursor[:-1]}%3d")
    assert encoded.status_code == 400
    assert encoded.json()["error"]["param"] == "page"
    assert "Invalid page cursor" in encoded.json()["error"]["message"]


# --------------------------------------------------------------------------- usage and costs


def test_pagination_returns_every_daily_bucket_once(client: httpx.Client) -> None:
    pairs = [("start_time", START_90), ("end_time", START_90 + 90 * DAY), ("limit", 7)]
    buckets, pages = walk_buckets(client, "/organization/usage/completions", pairs)
    assert len(buckets) == 90
    assert pages == 13
    assert [b["start_time"] for b in buckets] == [START_90 + i * DAY for i in range(90)]
    assert all(b["object"] == "bucket" and b["end_time"] - b["start_time"] == DAY for b in buckets)
    assert all(len(b["results"]) == 1 for b in buckets)  # ungrouped: one result per non-empty day


def test_buckets_outside_the_data_window_are_empty_and_start_is_floored(client: httpx.Client) -> None:
    old = TODAY - 400 * DAY
    page = ok(client, "/organization/usage/completions", [("start_time", old + 5000), ("limit", 3)])
    assert [b["start_time"] for b in page["data"]] == [old, old + DAY, old + 2 * DAY]
    assert all(b["results"] == [] for b in page["data"])


def test_hourly_and_minute_buckets_sum_to_the_daily_bucket(client: httpx.Client) -> None:
    day = TODAY - 10 * DAY
    daily = ok(client, "/organization/usage/completions", [("start_time", day), ("end_time", day + DAY)])
    [daily_result] = daily["data"][0]["results"]
    hourly = ok(client, "/organization/usage/completions", [("start_time", day), ("bucket_width", "1h"), ("limit", 24)])
    assert len(hourly["data"]) == 24
    hourly_results = [r for b in hourly["data"] for r in b["results"]]
    assert totals(hourly_results, *TOKEN_FIELDS) == tuple(daily_result[f] for f in TOKEN_FIELDS)

    busiest = max(hourly["data"], key=lambda b: sum(r["num_model_requests"] for r in b["results"]))
    hour = busiest["start_time"]
    minutes = ok(
        client,
        "/organization/usage/completions",
        [("start_time", hour), ("end_time", hour + 3600), ("bucket_width", "1m"), ("limit", 60)],
    )
    assert len(minutes["data"]) == 60
    assert not minutes["has_more"]
    minute_results = [r for b in minutes["data"] for r in b["results"]]
    assert totals(minute_results, *TOKEN_FIELDS) == totals(busiest["results"], *TOKEN_FIELDS)


def test_grouped_totals_equal_ungrouped_totals(client: httpx.Client) -> None:
    week = [("start_time", TODAY - 7 * DAY), ("end_time", TODAY)]
    plain = ok(client, "/organization/usage/completions", week)
    fields = ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"]
    grouped = ok(client, "/organization/usage/completions", [*week, *(("group_by", f) for f in fields)])
    for plain_bucket, grouped_bucket in zip(plain["data"], grouped["data"], strict=True):
        [result] = plain_bucket["results"]
        assert all(result[f] is None for f in fields)
        assert totals(grouped_bucket["results"], *TOKEN_FIELDS) == tuple(result[f] for f in TOKEN_FIELDS)
        keys = [tuple(r[f] for f in fields) for r in grouped_bucket["results"]]
        assert len(keys) == len(set(keys))
    results = [r for b in grouped["data"] for r in b["results"]]
    assert {r["model"] for r in results} >= {"gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"}
    assert {r["batch"] for r in results} == {True, False}
    assert {r["service_tier"] for r in results} == {"default", "flex"}
    assert any(r["user_id"] is None for r in results)  # service-account keys

    for path, field, value in [
        ("/organization/usage/embeddings", "user_id", "input_tokens"),
        ("/organization/usage/code_interpreter_sessions", "project_id", "num_sessions"),
    ]:
        flat = ok(client, path, week)
        by_field = ok(client, path, [*week, ("group_by", field)])
        assert sum(r[value] for b in flat["data"] for r in b["results"]) == sum(
            r[value] for b in by_field["data"] for r in b["results"]
        )


def test_filters_select_the_matching_group(client: httpx.Client) -> None:
    week = [("start_time", TODAY - 7 * DAY), ("end_time", TODAY)]
    by_project = ok(client, "/organization/usage/completions", [*week, ("group_by", "project_id")])
    per_project = Counter[str]()
    for bucket in by_project["data"]:
        for r in bucket["results"]:
            per_project[r["project_id"]] += r["input_tokens"]
    (top, top_tokens), (second, second_tokens) = per_project.most_common(2)
    filtered = ok(client, "/organization/usage/completions", [*week, ("project_ids", top), ("project_ids", second)])
    assert sum(r["input_tokens"] for b in filtered["data"] for r in b["results"]) == top_tokens + second_tokens
    nothing = ok(client, "/organization/usage/completions", [*week, ("user_ids", "user-nobody")])
    assert all(b["results"] == [] for b in nothing["data"])
    batch_only = ok(client, "/organization/usage/completions", [*week, ("batch", "true"), ("group_by", "batch")])
    assert {r["batch"] for b in batch_only["data"] for r in b["results"]} == {True}


def test_costs_agree_across_group_by_and_with_usage(client: httpx.Client) -> None:
    month = [("start_time", TODAY - 30 * DAY), ("end_time", TODAY), ("limit", 30)]

    def total(pairs: Pairs) -> tuple[float, int]:
        page = ok(client, "/organization/costs", [*month, *pairs])
        results = [r for b in page["data"] for r in b["results"]]
        assert all(r["object"] == "organization.costs.result" and r["amount"]["currency"] == "usd" for r in results)
        return sum(r["amount"]["value"] for r in results), len(results)

    overall, count = total([])
    assert count == 30
    assert overall > 100
    for group in (["project_id"], ["line_item"], ["api_key_id"], ["project_id", "line_item", "api_key_id"]):
        value, count = total([("group_by", g) for g in group])
        assert value == pytest.approx(overall, abs=1e-6 * count + 1e-9)

    items = ok(client, "/organization/costs", [("start_time", TODAY - DAY), ("limit", 1), ("group_by", "line_item")])
    lines = items["data"][0]["results"]
    assert {"gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06, output"} <= {r["line_item"] for r in lines}
    assert all(r["quantity"] > 0 and r["quantity_unit"] in ("tokens", "sessions") for r in lines)

    day = [("start_time", TODAY - 3 * DAY), ("end_time", TODAY - 2 * DAY)]
    expected = usage_cost(client, day)
    costs = ok(client, "/organization/costs", day)
    assert costs["data"][0]["results"][0]["amount"]["value"] == pytest.approx(expected, abs=1e-6)


def test_usage_weekends_are_quieter(client: httpx.Client) -> None:
    start = TODAY - 28 * DAY
    page = ok(client, "/organization/usage/completions", [("start_time", start), ("end_time", TODAY), ("limit", 28)])
    by_weekday: dict[int, list[int]] = {}
    for bucket in page["data"]:
        weekday = (bucket["start_time"] // DAY + 3) % 7
        by_weekday.setdefault(weekday, []).append(bucket["results"][0]["num_model_requests"])
    weekday_mean = sum(sum(by_weekday[d]) for d in range(5)) / 20
    weekend_mean = sum(sum(by_weekday[d]) for d in (5, 6)) / 8
    assert weekend_mean < weekday_mean / 2


def test_usage_for_a_date_does_not_depend_on_now() -> None:
    day = TODAY - 20 * DAY
    pairs = [("start_time", day), ("end_time", day + DAY), ("group_by", "user_id"), ("group_by", "model")]
    with client_for(AdminAPISimulator(now=NOW)) as a, client_for(AdminAPISimulator(now=NOW + 9 * DAY + 77)) as b:
        assert ok(a, "/organization/usage/completions", pairs) == ok(b, "/organization/usage/completions", pairs)
        assert ok(a, "/organization/costs", pairs[:2]) == ok(b, "/organization/costs", pairs[:2])


def test_usage_stops_at_now(client: httpx.Client) -> None:
    page = ok(client, "/organization/usage/completions", [("start_time", TODAY), ("bucket_width", "1h"), ("limit", 24)])
    assert page["data"][-1]["start_time"] == NOW - NOW % 3600  # default end_time is now
    later = ok(
        client,
        "/organization/usage/completions",
        [("start_time", NOW + 3600), ("end_time", NOW + 7200), ("bucket_width", "1h")],
    )
    assert later["data"][0]["results"] == []


# --------------------------------------------------------------------------- lists


def test_user_pages_cover_every_user_exactly_once(client: httpx.Client) -> None:
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = ok(client, "/organization/users", [("limit", 100), *([("after", after)] if after else [])])
        pages += 1
        assert page["object"] == "list"
        seen += [u["id"] for u in page["data"]]
        assert page["last_id"] == page["data"][-1]["id"]
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert len(seen) == len(set(seen)) == 300
    assert pages == 3
    users = ok(client, "/organization/users", [("limit", 100)])["data"]
    assert sum(u["is_default"] for u in users) == 1
    assert {u["role"] for u in users} == {"owner", "reader"}
    assert all(u["email"].endswith("@example.com") and u["object"] == "organization.user" for u in users)

    emails = [users[3]["email"], users[7]["email"]]
    filtered = ok(client, "/organization/users", [("emails", e) for e in emails])
    assert [u["email"] for u in filtered["data"]] == emails
    assert ok(client, "/organization/users", [("limit", 1)])["has_more"] is True


def test_projects_keys_and_service_accounts(client: httpx.Client) -> None:
    active = ok(client, "/organization/projects", [("limit", 100)])["data"]
    everything = ok(client, "/organization/projects", [("limit", 100), ("include_archived", "true")])["data"]
    archived = [p for p in everything if p["status"] == "archived"]
    assert len(everything) == 40
    assert len(active) == 40 - len(archived)
    assert archived
    assert all(p["archived_at"] is None and p["status"] == "active" for p in active)
    assert all(p["archived_at"] is not None for p in archived)

    key_total = 0
    for project in active:
        keys = ok(client, f"/organization/projects/{project['id']}/api_keys", [("owner_project_access", "any")])
        key_total += len(keys["data"])
        for key in keys["data"]:
            assert key["object"] == "organization.project.api_key"
            assert key["redacted_value"].startswith("sk-...")
            assert len(key["redacted_value"]) == 10
            assert key["owner"]["type"] in ("user", "service_account")
            assert key["owner"][key["owner"]["type"]]["id"]
        accounts = ok(client, f"/organization/projects/{project['id']}/service_accounts")
        assert len(accounts["data"]) <= 4
        assert all(a["object"] == "organization.project.service_account" for a in accounts["data"])
    assert key_total > 60

    assert get(client, f"/organization/projects/{archived[0]['id']}/service_accounts").status_code == 400
    assert get(client, "/organization/projects/proj_missing").status_code == 404
    assert get(client, "/organization/projects/proj_missing/api_keys").status_code == 404
    assert ok(client, f"/organization/projects/{active[0]['id']}")["id"] == active[0]["id"]


def test_api_keys_of_owners_without_access_are_hidden_by_default(client: httpx.Client, sim: AdminAPISimulator) -> None:
    key = next(k for k in sim.org.api_keys if not sim.org.owner_has_access(k))
    path = f"/organization/projects/{key.project_id}/api_keys"
    default_ids = {k["id"] for k in ok(client, path, [("limit", 100)])["data"]}
    inactive = ok(client, path, [("limit", 100), ("owner_project_access", "inactive")])["data"]
    everything = ok(client, path, [("limit", 100), ("owner_project_access", "any")])["data"]
    assert key.id not in default_ids
    assert key.id in {k["id"] for k in inactive}
    assert {k["owner_project_access"] for k in inactive} == {"inactive"}
    assert {k["id"] for k in everything} == default_ids | {k["id"] for k in inactive}
    assert ok(client, f"{path}/{key.id}")["last_used_at"] is None


def test_a_huge_minute_range_is_paged_not_materialized(client: httpx.Client) -> None:
    page = ok(client, "/organization/usage/completions", [("start_time", 0), ("bucket_width", "1m"), ("limit", 1440)])
    assert len(page["data"]) == 1440
    assert page["has_more"]
    assert page["data"][0]["start_time"] == 0


def test_invites_have_each_status(client: httpx.Client) -> None:
    invites = ok(client, "/organization/invites", [("limit", 100)])["data"]
    assert 25 <= len(invites) <= 40
    assert {i["status"] for i in invites} == {"pending", "accepted", "expired"}
    assert any(i["projects"] for i in invites)
    assert all(i["object"] == "organization.invite" and i["role"] in ("owner", "reader") for i in invites)


def test_audit_log_filters_and_cursors(client: httpx.Client) -> None:
    newest = ok(client, "/organization/audit_logs", [("limit", 100)])
    times = [e["effective_at"] for e in newest["data"]]
    assert times == sorted(times, reverse=True)
    assert newest["has_more"]

    archived = ok(client, "/organization/audit_logs", [("event_types[]", "project.archived"), ("limit", 100)])
    assert archived["data"]
    assert {e["type"] for e in archived["data"]} == {"project.archived"}
    assert all(e["project"]["id"] == e["project.archived"]["id"] for e in archived["data"])

    two = ok(
        client,
        "/organization/audit_logs",
        [("event_types[]", "login.failed"), ("event_types[]", "api_key.created"), ("limit", 100)],
    )
    assert {e["type"] for e in two["data"]} == {"login.failed", "api_key.created"}

    project_id = archived["data"][0]["project"]["id"]
    scoped = ok(client, "/organization/audit_logs", [("project_ids[]", project_id), ("limit", 100)])
    assert scoped["data"]
    assert all(e["project"]["id"] == project_id for e in scoped["data"])

    window = [("effective_at[gte]", TODAY - 3 * DAY), ("effective_at[lt]", TODAY - 2 * DAY), ("limit", 100)]
    in_window = ok(client, "/organization/audit_logs", window)["data"]
    assert in_window
    assert all(TODAY - 3 * DAY <= e["effective_at"] < TODAY - 2 * DAY for e in in_window)

    email = next(e["actor"]["session"]["user"]["email"] for e in newest["data"] if e["actor"]["type"] == "session")
    by_email = ok(client, "/organization/audit_logs", [("actor_emails[]", email), ("limit", 100)])["data"]
    assert by_email
    assert all(email in str(e["actor"]) for e in by_email)

    first = ok(client, "/organization/audit_logs", [("limit", 10)])
    second = ok(client, "/organization/audit_logs", [("limit", 10), ("after", first["last_id"])])
    assert [e["id"] for e in first["data"] + second["data"]] == [e["id"] for e in newest["data"][:20]]
    back = ok(client, "/organization/audit_logs", [("limit", 10), ("before", second["first_id"])])
    assert back["data"] == first["data"]


def test_audit_log_size_and_variety(sim: AdminAPISimulator) -> None:
    events = sim.org.audit_events
    assert 1500 <= len(events) <= 2600
    assert len({e.id for e in events}) == len(events)
    assert len({e.type for e in events}) >= 15
    assert min(e.effective_at for e in events) >= TODAY - 179 * DAY
    assert max(e.effective_at for e in events) <= NOW


# --------------------------------------------------------------------------- writes


def test_writes_change_state_and_are_audited(fresh: httpx.Client) -> None:
    created = fresh.post("/organization/projects", json={"name": "Demo Project"})
    assert created.status_code == 200
    project = created.json()
    assert project["id"].startswith("proj_")
    assert project["status"] == "active"
    assert ok(fresh, f"/organization/projects/{project['id']}")["name"] == "Demo Project"
    listed = ok(fresh, "/organization/projects", [("limit", 100)])["data"]
    assert listed[-1]["id"] == project["id"]

    user = ok(fresh, "/organization/users", [("limit", 5)])["data"][2]
    updated = fresh.post(f"/organization/users/{user['id']}", json={"role": "owner"})
    assert updated.status_code == 200
    assert updated.json()["role"] == "owner"
    assert ok(fresh, f"/organization/users/{user['id']}")["role"] == "owner"

    deleted = fresh.delete(f"/organization/users/{user['id']}")
    assert deleted.json() == {"object": "organization.user.deleted", "id": user["id"], "deleted": True}
    assert get(fresh, f"/organization/users/{user['id']}").status_code == 404
    assert "No such user" in get(fresh, f"/organization/users/{user['id']}").json()["error"]["message"]
    remaining = ok(fresh, "/organization/users", [("limit", 100)])
    assert user["id"] not in {u["id"] for u in remaining["data"]}
    # Paging past a deleted user still works.
    assert ok(fresh, "/organization/users", [("after", user["id"]), ("limit", 1)])["data"]

    invite = fresh.post(
        "/organization/invites",
        json={
            "email": "new.person@example.com",
            "role": "reader",
            "projects": [{"id": project["id"], "role": "member"}],
        },
    )
    assert invite.status_code == 200
    body = invite.json()
    assert body["status"] == "pending"
    assert body["expires_at"] == body["created_at"] + 7 * DAY
    assert body["projects"] == [{"id": project["id"], "role": "member"}]
    assert ok(fresh, "/organization/invites", [("limit", 100)])["data"][-1]["id"] == body["id"]

    audit = ok(fresh, "/organization/audit_logs", [("limit", 4)])["data"]
    assert [e["type"] for e in audit] == ["invite.sent", "user.deleted", "user.updated", "project.created"]
    assert audit[3]["project.created"]["id"] == project["id"]
    assert audit[1]["user.deleted"]["id"] == user["id"]


@pytest.mark.parametrize(
    ("method", "path", "content", "param"),
    [
        ("POST", "/organization/projects", b"{not json", None),
        ("POST", "/organization/projects", b"{}", "name"),
        ("POST", "/organization/projects", b'{"name": "x", "colour": "red"}', "colour"),
        ("POST", "/organization/invites", b'{"email": "not-an-email", "role": "reader"}', "email"),
        ("POST", "/organization/invites", b'{"email": "a.b@example.com", "role": "admin"}', "role"),
        ("POST", "/organization/invites", b'{"email": "a.b@example.com"}', "role"),
        (
            "POST",
            "/organization/invites",
            b'{"email": "a@b.co", "role": "reader", "projects": [{"id": "p"}]}',
            "projects",
        ),
        ("POST", "/organization/users/{user}", b'{"role": "member"}', "role"),
        ("POST", "/organization/users/{user}", b"{}", "role"),
        ("POST", "/organization/users/{user}", b"[1, 2]", None),
    ],
)
def test_bad_write_bodies_are_400(
    fresh: httpx.Client, sim: AdminAPISimulator, method: str, path: str, content: bytes, param: str | None
) -> None:
    url = path.format(user=sim.org.users[5].id)
    response = fresh.request(method, url, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


def test_duplicate_invites_and_existing_members_are_rejected(fresh: httpx.Client, sim: AdminAPISimulator) -> None:
    member = sim.org.users[10].email
    assert fresh.post("/organization/invites", json={"email": member, "role": "reader"}).status_code == 400
    pending = next(i for i in sim.org.invites if i.status == "pending").email
    assert fresh.post("/organization/invites", json={"email": pending, "role": "reader"}).status_code == 400
    assert fresh.post("/organization/users/user-nobody", json={"role": "owner"}).status_code == 404
    assert fresh.delete("/organization/users/user-nobody").status_code == 404


# --------------------------------------------------------------------------- conformance to the spec

RECENT = TODAY - 3 * DAY
SCHEMA_CASES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    (
        "UsageResponse",
        "GET",
        f"/organization/usage/completions?start_time={RECENT}&group_by=model&group_by=batch",
        None,
    ),
    ("UsageResponse", "GET", f"/organization/usage/embeddings?start_time={RECENT}&group_by=user_id", None),
    ("UsageResponse", "GET", f"/organization/usage/code_interpreter_sessions?start_time={RECENT}", None),
    ("UsageResponse", "GET", f"/organization/costs?start_time={RECENT}&group_by=line_item&group_by=project_id", None),
    ("UserListResponse", "GET", "/organization/users?limit=100", None),
    ("InviteListResponse", "GET", "/organization/invites?limit=100", None),
    ("ProjectListResponse", "GET", "/organization/projects?include_archived=true&limit=100", None),
    ("ListAuditLogsResponse", "GET", "/organization/audit_logs?limit=100", None),
    ("ErrorResponse", "GET", "/organization/audit_logs?limit=1000", None),
    ("Project", "POST", "/organization/projects", {"name": "Conformance"}),
    ("Invite", "POST", "/organization/invites", {"email": "c.f@example.com", "role": "owner", "projects": []}),
]
SchemaErrors = Callable[[str, Any], list[str]]


@pytest.fixture(scope="module")
def schema_errors() -> SchemaErrors:
    """A checker of a response body against a component schema of the OpenAPI spec."""
    spec = load_spec()
    resource = referencing.Resource.from_contents(spec, default_specification=referencing.jsonschema.DRAFT202012)
    registry = referencing.Registry().with_resource("spec", resource)

    def errors(schema: str, answer: Any) -> list[str]:
        validator = jsonschema.Draft202012Validator({"$ref": f"spec#/components/schemas/{schema}"}, registry=registry)
        return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(answer)]

    return errors


@pytest.mark.parametrize(("schema", "method", "url", "body"), SCHEMA_CASES)
def test_responses_match_the_spec_schemas(
    fresh: httpx.Client, schema_errors: SchemaErrors, schema: str, method: str, url: str, body: dict[str, Any] | None
) -> None:
    assert schema_errors(schema, fresh.request(method, url, json=body).json()) == []


def test_project_children_match_the_spec_schemas(
    fresh: httpx.Client, sim: AdminAPISimulator, schema_errors: SchemaErrors
) -> None:
    for project in sim.org.projects[:12]:
        keys = ok(fresh, f"/organization/projects/{project.id}/api_keys", [("owner_project_access", "any")])
        assert schema_errors("ProjectApiKeyListResponse", keys) == []
        if project.archived_at is None:
            accounts = ok(fresh, f"/organization/projects/{project.id}/service_accounts")
            assert schema_errors("ProjectServiceAccountListResponse", accounts) == []
    user_id = sim.org.users[9].id
    assert schema_errors("User", fresh.post(f"/organization/users/{user_id}", json={"role": "reader"}).json()) == []
    assert schema_errors("UserDeleteResponse", fresh.delete(f"/organization/users/{user_id}").json()) == []


# --------------------------------------------------------------------------- determinism and transports


def test_same_seed_and_now_give_identical_answers() -> None:
    paths: list[tuple[str, Pairs]] = [
        ("/organization/usage/completions", [("start_time", START_90), ("group_by", "user_id")]),
        ("/organization/costs", [("start_time", START_90), ("group_by", "line_item")]),
        ("/organization/users", [("limit", 50)]),
        ("/organization/projects", [("include_archived", "true")]),
        ("/organization/audit_logs", [("limit", 50)]),
        ("/organization/invites", []),
    ]
    with client_for(AdminAPISimulator(now=NOW)) as a, client_for(AdminAPISimulator(now=NOW)) as b:
        for path, pairs in paths:
            assert get(a, path, pairs).content == get(b, path, pairs).content
        post = {"name": "Same"}
        assert (
            a.post("/organization/projects", json=post).content == b.post("/organization/projects", json=post).content
        )
    with client_for(AdminAPISimulator(now=NOW, seed=8)) as other, client_for(AdminAPISimulator(now=NOW)) as base:
        assert get(other, "/organization/users").content != get(base, "/organization/users").content


def test_custom_admin_key() -> None:
    sim = AdminAPISimulator(admin_key="another-demo-key-42", now=NOW)
    with httpx.Client(transport=sim.transport(), base_url="https://api.openai.com/v1") as c:
        assert c.get("/organization/users", headers={"Authorization": "Bearer another-demo-key-42"}).status_code == 200
        assert c.get("/organization/users", headers=AUTH).status_code == 401
    assert sim.request_count == 2


@pytest.mark.anyio
async def test_transport_works_under_async_client(sim: AdminAPISimulator) -> None:
    async with httpx.AsyncClient(transport=sim.transport(), base_url="https://api.openai.com/v1", headers=AUTH) as c:
        response = await c.get("/organization/usage/embeddings", params={"start_time": START_90, "group_by": "model"})
    assert response.status_code == 200
    assert response.json()["object"] == "page"


# --------------------------------------------------------------------------- loopback server


def test_loopback_serves_real_http() -> None:
    sim = AdminAPISimulator(now=NOW)  # its own: this test creates a project
    seen: list[httpx.Request] = []

    def record(request: httpx.Request, _n: int) -> Fault | None:
        seen.append(request)
        return None

    with LoopbackServer(sim, fault=record) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.base_url.endswith("/v1")
        with httpx.Client(base_url=server.base_url, headers=AUTH) as c:
            first = ok(c, "/organization/usage/completions", [("start_time", START_90)])
            follow = get(c, "/organization/usage/completions", [("start_time", START_90), ("page", first["next_page"])])
            assert follow.status_code == 200
            encoded = c.get(f"/organization/usage/completions?start_time={START_90}&page=page_abc%3D")
            assert encoded.status_code == 400
            posted = c.post("/organization/projects", json={"name": "Over HTTP"})
            assert posted.status_code == 200
            assert posted.headers["x-request-id"].startswith("req_")
        assert server.request_count == 4
    assert seen[1].url.query.decode().endswith(first["next_page"])  # the raw query string, '=' untouched
    assert seen[2].url.query.endswith(b"%3D")
    assert seen[3].method == "POST"
    assert b"Over HTTP" in seen[3].content


def test_loopback_fault_injection(sim: AdminAPISimulator) -> None:
    faults = {
        1: Fault(status=429, headers={"Retry-After": "1"}),
        2: Fault(status=503),
        3: Fault(body=b"{not json"),
        4: Fault(drop_connection=True),
        5: Fault(delay_s=0.4),
    }
    with (
        LoopbackServer(sim, fault=lambda _request, n: faults.get(n)) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=30) as c,
    ):
        limited = c.get("/organization/users")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "1"
        assert limited.json()["error"]["code"] == "rate_limit_exceeded"
        assert c.get("/organization/users").json()["error"]["type"] == "server_error"
        garbled = c.get("/organization/users")
        assert garbled.status_code == 200
        assert garbled.content == b"{not json"
        with pytest.raises(httpx.RemoteProtocolError):
            c.get("/organization/users")
        with pytest.raises(httpx.ReadTimeout):  # the answer is 0.4 s late, however fast or slow the machine
            c.get("/organization/users", timeout=httpx.Timeout(30, read=0.2))
        assert c.get("/organization/users").status_code == 200
        assert server.request_count == 6


def test_loopback_counts_concurrent_requests(sim: AdminAPISimulator) -> None:
    # The server holds each request until all 5 are in flight (no timing involved), then answers them all.
    in_flight = threading.Barrier(5, timeout=30)

    def hold(_request: httpx.Request, _n: int) -> Fault | None:
        in_flight.wait()
        return None

    with LoopbackServer(sim, fault=hold) as server:
        statuses: list[int] = []

        def call() -> None:
            with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=60) as c:
                statuses.append(c.get("/organization/invites").status_code)

        threads = [threading.Thread(target=call) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200] * 5
        assert server.request_count == 5
        assert server.max_in_flight == 5
