"""The keys toolset: each tool's exact request and result, paging, refused arguments, the questions the destructive
ones ask (the rest of their confirmation: tests/test_confirm.py), and every tool once against the demo organization."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.server import create_server
from tests.access_support import (
    AT,
    AT_ISO,
    admin_key,
    assert_sent,
    call_error,
    call_ok,
    counted_session,
    deleted,
    project,
    project_key,
    sample_picks,
)
from tests.builders import api_error, listing
from tests.conftest import BASE_URL, TEST_KEY, make_settings, result_text
from tests.test_confirm import Asker

KEY_PATH = "/organization/projects/proj_abc/api_keys/key_abc"

# ---- exact requests --------------------------------------------------------------------------------------------

REQUESTS = [
    pytest.param(
        "codex_get_project_api_key",
        {"project_id": "proj_abc", "api_key_id": "key_abc"},
        project_key(),
        ("GET", KEY_PATH, [], None),
        {
            **project_key(),
            "created_at_iso": AT_ISO,
            "last_used_at_iso": "2024-03-26T16:46:33Z",
        },
        id="get-project-api-key",
    ),
    pytest.param(
        "codex_delete_project_api_key",
        {"project_id": "proj_abc", "api_key_id": "key_abc"},
        deleted("organization.project.api_key", "key_abc"),
        ("DELETE", KEY_PATH, [], None),
        deleted("organization.project.api_key", "key_abc"),
        id="delete-project-api-key",
    ),
    pytest.param(
        "codex_list_admin_api_keys",
        {},
        listing([admin_key()]),
        ("GET", "/organization/admin_api_keys", [("order", "asc"), ("limit", "20")], None),
        {
            "data": [
                {
                    **{k: v for k, v in admin_key().items() if v is not None},
                    "created_at_iso": AT_ISO,
                    "last_used_at_iso": "2024-03-26T16:46:33Z",
                }
            ],
            "count": 1,
            "has_more": False,
        },
        id="list-admin-api-keys-defaults",
    ),
    pytest.param(
        "codex_list_admin_api_keys",
        {"limit": 2, "after": "key_000", "order": "desc"},
        listing([admin_key("key_2", expires_at=AT + 86400), admin_key("key_1")], has_more=True),
        ("GET", "/organization/admin_api_keys", [("order", "desc"), ("limit", "2"), ("after", "key_000")], None),
        None,
        id="list-admin-api-keys-page",
    ),
    pytest.param(
        "codex_delete_admin_api_key",
        {"key_id": "key_adm"},
        deleted("organization.admin_api_key", "key_adm"),
        ("DELETE", "/organization/admin_api_keys/key_adm", [], None),
        deleted("organization.admin_api_key", "key_adm"),
        id="delete-admin-api-key",
    ),
]


@pytest.mark.parametrize(("tool", "arguments", "response", "request_", "expected"), REQUESTS)
async def test_each_tool_sends_its_request_and_returns_the_answer(
    httpx_mock: HTTPXMock,
    tool: str,
    arguments: dict[str, Any],
    response: dict[str, Any],
    request_: tuple[str, str, list[tuple[str, str]], Any],
    expected: dict[str, Any] | None,
) -> None:
    httpx_mock.add_response(json=response)

    out = await call_ok(tool, arguments)

    [request] = httpx_mock.get_requests()
    assert_sent(request, *request_)
    if expected is not None:
        assert out == expected


async def test_admin_key_pages_say_how_to_continue(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        json=listing([admin_key("key_2", expires_at=AT + 86400), admin_key("key_1")], has_more=True)
    )
    httpx_mock.add_response(json=listing([admin_key("key_0")]))

    first = await call_ok("codex_list_admin_api_keys", {"limit": 2, "order": "desc"})
    last = await call_ok("codex_list_admin_api_keys", {"limit": 2, "order": "desc", "after": first["next_after"]})

    assert (first["count"], first["has_more"], first["next_after"]) == (2, True, "key_1")
    assert first["data"][0]["expires_at_iso"] == "2024-03-27T16:45:33Z"
    assert "expires_at" not in first["data"][1]  # null: never expires
    assert (last["count"], last["has_more"]) == (1, False)
    assert "next_after" not in last
    assert [r.url.params.get("after") for r in httpx_mock.get_requests()] == [None, "key_1"]


async def test_a_key_of_a_service_account_is_refused_with_the_api_message(httpx_mock: HTTPXMock) -> None:
    message = "API key key_abc belongs to service account svc_acct_1; delete the service account to remove its key."
    httpx_mock.add_response(**api_error(400, message, request_id="req_sa"))

    text = await call_error("codex_delete_project_api_key", {"project_id": "proj_abc", "api_key_id": "key_abc"})

    assert message in text
    assert "req_sa" in text
    assert "Hint:" in text
    assert len(httpx_mock.get_requests()) == 1  # a 400 is not retried


async def test_a_delete_that_failed_with_500_is_retried(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(**api_error(500, "The server had an error."))
    httpx_mock.add_response(json=deleted("organization.admin_api_key", "key_adm"))

    out = await call_ok("codex_delete_admin_api_key", {"key_id": "key_adm"})

    assert out["deleted"] is True
    assert [r.method for r in httpx_mock.get_requests()] == ["DELETE", "DELETE"]


# ---- refused arguments -----------------------------------------------------------------------------------------

ID_ADVICE = "is not an OpenAI id"
BAD_INPUT = [
    ("codex_get_project_api_key", {"project_id": "proj_abc", "api_key_id": "key/../../x"}, "api_key_id", ID_ADVICE),
    ("codex_get_project_api_key", {"project_id": "proj abc", "api_key_id": "key_abc"}, "project_id", ID_ADVICE),
    ("codex_get_project_api_key", {"project_id": "proj_abc"}, "api_key_id", "required argument is missing"),
    ("codex_delete_project_api_key", {"project_id": "proj_abc", "api_key_id": "key_abc?x=1"}, "api_key_id", ID_ADVICE),
    ("codex_delete_project_api_key", {"project_id": "..", "api_key_id": "key_abc"}, "project_id", ID_ADVICE),
    ("codex_delete_project_api_key", {"api_key_id": "key_abc"}, "project_id", "required argument is missing"),
    ("codex_list_admin_api_keys", {"limit": 0}, "limit", "greater than or equal to 1"),
    ("codex_list_admin_api_keys", {"limit": 101}, "limit", "less than or equal to 100"),
    ("codex_list_admin_api_keys", {"limit": True}, "limit", "valid integer"),
    ("codex_list_admin_api_keys", {"after": "key_1&limit=100"}, "after", "next_after"),
    ("codex_list_admin_api_keys", {"order": "newest"}, "order", "'asc' or 'desc'"),
    ("codex_delete_admin_api_key", {"key_id": "key_adm%2F..%2F"}, "key_id", ID_ADVICE),
    ("codex_delete_admin_api_key", {"key_id": ""}, "key_id", ID_ADVICE),
    ("codex_delete_admin_api_key", {"key_id": 7}, "key_id", "valid string"),
    ("codex_delete_admin_api_key", {"id": "key_adm"}, "id", "unknown argument"),
]


async def test_bad_arguments_are_refused_naming_the_field_before_any_request() -> None:
    """One session for the whole table: not one refused call may reach the API."""
    async with counted_session("keys") as session:
        for tool, arguments, field, message in BAD_INPUT:
            result = await session.client.call_tool(tool, arguments)
            text = result_text(result)
            assert result.is_error, f"{tool}({arguments}) was accepted"
            assert text.startswith(f"Invalid arguments for {tool}"), text
            assert f"- {field}: " in text, text
            assert message in text, text
        assert session.requests == []


# ---- confirmation (asked, declined, accepted, or not asked: tests/test_confirm.py) ------------------------------

TOOLS = ["codex_delete_project_api_key", "codex_delete_admin_api_key"]


async def test_the_question_warns_when_the_admin_key_is_the_servers_own(httpx_mock: HTTPXMock) -> None:
    """Compared by its redacted form ('sk-admin...' and the last characters); the key itself is never shown."""
    own = admin_key("key_own", name="Codex MCP", redacted_value=f"sk-admin...{TEST_KEY[-3:]}")
    httpx_mock.add_response(method="GET", json=own, is_reusable=True)
    asker = Asker("decline")
    async with Client(create_server(make_settings(toolsets="keys")), elicitation_callback=asker) as client:
        result = await client.call_tool("codex_delete_admin_api_key", {"key_id": "key_own"})
    assert result.is_error
    assert asker.asked == [
        "Delete admin API key 'Codex MCP' (key_own), owned by Ada Lovelace, which looks like the key this server "
        "runs with (it would stop working)? This cannot be undone from here."
    ]
    assert TEST_KEY not in asker.asked[0]
    assert {r.method for r in httpx_mock.get_requests()} == {"GET"}  # the lookup (again on the answer's round)


async def test_the_question_names_the_ids_when_the_lookups_fail(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", **api_error(404, "No such API key: key_abc"), is_reusable=True)
    asker = Asker("decline")
    async with Client(create_server(make_settings(toolsets="keys")), elicitation_callback=asker) as client:
        await client.call_tool("codex_delete_project_api_key", {"project_id": "proj_abc", "api_key_id": "key_abc"})
    assert asker.asked == ["Revoke API key key_abc of project proj_abc? This cannot be undone from here."]
    assert {r.method for r in httpx_mock.get_requests()} == {"GET"}


async def test_the_question_names_key_and_project(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE_URL}{KEY_PATH}", json=project_key(), is_reusable=True)
    httpx_mock.add_response(url=f"{BASE_URL}/organization/projects/proj_abc", json=project(), is_reusable=True)
    asker = Asker("decline")
    async with Client(create_server(make_settings(toolsets="keys")), elicitation_callback=asker) as client:
        await client.call_tool("codex_delete_project_api_key", {"project_id": "proj_abc", "api_key_id": "key_abc"})
    assert asker.asked == [
        "Revoke API key 'ci-deploy' (key_abc) of project 'Chat Widget'? This cannot be undone from here."
    ]


# ---- the demo organization -------------------------------------------------------------------------------------


async def test_every_keys_tool_against_the_demo_organization() -> None:
    picks = sample_picks(AdminAPISimulator())  # the same sample organization the demo server serves
    key, chosen = picks.user_key, picks.project
    async with Client(create_server(make_settings(demo=True, toolsets="keys"))) as client:

        async def call(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result_text(result)
            assert result.structured_content is not None
            assert result.structured_content["demo_data"] is True
            return result.structured_content

        got = await call("codex_get_project_api_key", {"project_id": chosen.id, "api_key_id": key.id})
        assert (got["id"], got["name"], got["owner"]["type"]) == (key.id, key.name, "user")
        assert got["redacted_value"].startswith("sk-...")

        admin = await call("codex_list_admin_api_keys", {"limit": 2})
        assert admin["count"] == 2
        assert admin["has_more"] is True
        assert all(k["redacted_value"].startswith("sk-admin...") for k in admin["data"])

        revoked = await call("codex_delete_project_api_key", {"project_id": chosen.id, "api_key_id": key.id})
        assert revoked == {"object": "organization.project.api_key.deleted", "id": key.id, "deleted": True,
                           "demo_data": True}  # fmt: skip
        gone = await client.call_tool("codex_get_project_api_key", {"project_id": chosen.id, "api_key_id": key.id})
        assert gone.is_error
        assert "404" in result_text(gone)

        removed = await call("codex_delete_admin_api_key", {"key_id": picks.admin_key_id})
        assert (removed["id"], removed["deleted"]) == (picks.admin_key_id, True)
        after = await call("codex_list_admin_api_keys", {"limit": 100})
        assert picks.admin_key_id not in {k["id"] for k in after["data"]}


# ---- what the model reads --------------------------------------------------------------------------------------


async def test_descriptions_say_what_comes_back_and_that_deletes_ask() -> None:
    async with Client(create_server(make_settings(toolsets="keys"))) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == {*TOOLS, "codex_get_project_api_key", "codex_list_admin_api_keys"}
    for name in TOOLS:
        description = " ".join((tools[name].description or "").split())
        assert "Returns {object, id, deleted: true}" in description, name
        assert "Acts at once" in description, name
        assert "asked to confirm" in description, name
        assert "confirmation" not in tools[name].input_schema["properties"], name
    listing_ = tools["codex_list_admin_api_keys"].description or ""
    assert "has_more" in listing_
    assert "after=next_after" in listing_
    assert "never returned" in listing_
