"""Secrets other than our own key: unregistered sk-... keys and bearer tokens never leave the server, whether in an
API error, a successful result (structured content and text block, dict keys included) or the logs (tracebacks too).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from codex_mcp.client import AdminClient
from codex_mcp.logs import configure_logging
from codex_mcp.server import create_server
from codex_mcp.settings import Settings
from tests.conftest import TEST_KEY, call_tool, make_settings, result_text

SERVICE_KEY = "sk-svcacct-Zq8LmN3pR5tV7xY9aB1cD3eF5gH7"  # never registered: redacted by its shape
PROJECT_KEY = "sk-proj-Hj4Kl6Mn8Pq0Rs2Tu4Vw6Xy8Za0Bc2De4"
LEGACY_KEY = "sk-4f9a2b7c1d8e3f6a0b5c9d2e7f1a4b8c"
BEARER = "tok_9f8e7d6c5b4a"  # not shaped like a key: redacted because it follows 'Bearer'
SECRETS = (SERVICE_KEY, PROJECT_KEY, LEGACY_KEY, BEARER, TEST_KEY)


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


# ---- API errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (
            {"json": {"error": {"message": f"Key {SERVICE_KEY} has no access to this organization."}}},
            "Key sk-[redacted] has no access to this organization.",
        ),
        (
            {"json": {"error": {"message": f"Keys {PROJECT_KEY} and {LEGACY_KEY} are project keys."}}},
            "Keys sk-[redacted] and sk-[redacted] are project keys.",
        ),
        (
            {"json": {"error": {"message": f"Header 'Authorization: Bearer {BEARER}' was rejected"}}},
            "Header 'Authorization: Bearer [redacted]' was rejected",
        ),
        ({"text": f"<p>authorization: bearer {BEARER} </p>"}, "<p>authorization: bearer [redacted] </p>"),
    ],
)
async def test_secrets_echoed_in_an_api_error_are_redacted(
    httpx_mock: HTTPXMock, answer: dict[str, Any], shown: str
) -> None:
    httpx_mock.add_response(status_code=400, **answer)

    result = await call_tool(make_settings(), "codex_list_users", {})

    assert result.is_error
    text = result_text(result)
    assert shown in text
    assert leaked(text) == []


# ---- successful results ------------------------------------------------------------------------------------------


def assert_redacted_everywhere(result: Any) -> dict[str, Any]:
    assert not result.is_error, result_text(result)
    text = result_text(result)
    assert leaked(text) == []
    assert leaked(json.dumps(result.structured_content)) == []
    assert json.loads(text) == result.structured_content  # the text block is the same data
    out: dict[str, Any] = result.structured_content
    return out


async def test_a_key_in_a_project_name_is_redacted_in_structured_content_and_text(httpx_mock: HTTPXMock) -> None:
    project = {"object": "organization.project", "id": "proj_a", "name": f"Team ({SERVICE_KEY})", "status": "active"}
    httpx_mock.add_response(json={"object": "list", "data": [project], "has_more": False})

    out = assert_redacted_everywhere(await call_tool(make_settings(), "codex_list_projects", {}))

    assert out["data"][0]["name"] == "Team (sk-[redacted])"


async def test_keys_and_tokens_in_audit_event_details_are_redacted_keys_of_objects_included(
    httpx_mock: HTTPXMock,
) -> None:
    event = {
        "id": "audit_log-1",
        "type": "api_key.created",
        "effective_at": 1730419200,
        "actor": {"type": "session", "session": {"user": {"id": "user-1", "email": "ada@example.com"}}},
        "api_key.created": {
            "id": "key_1",
            "data": {
                "scopes": ["api.model.read", f"note: {PROJECT_KEY}"],
                LEGACY_KEY: "a key used as a field name",
                "headers": {"authorization": f"Bearer {BEARER}"},
            },
        },
    }
    httpx_mock.add_response(json={"object": "list", "data": [event], "has_more": False})

    out = assert_redacted_everywhere(await call_tool(make_settings(), "codex_list_audit_events", {}))

    assert out["data"][0]["details"]["data"] == {
        "scopes": ["api.model.read", "note: sk-[redacted]"],
        "sk-[redacted]": "a key used as a field name",
        "headers": {"authorization": "Bearer [redacted]"},
    }


async def test_the_admin_key_is_redacted_verbatim_whatever_its_shape(httpx_mock: HTTPXMock) -> None:
    """A key this server was given is removed wherever it appears, even when it does not look like sk-..."""
    odd_key = "adminkey-7Hq2Wm9Xz4"
    project = {"object": "organization.project", "id": "proj_a", "name": f"Uses {odd_key}", "status": "active"}
    httpx_mock.add_response(json=project)

    result = await call_tool(make_settings(admin_key=odd_key), "codex_get_project", {"project_id": "proj_a"})

    out = assert_redacted_everywhere(result)
    assert out["name"] == "Uses [redacted]"
    assert odd_key not in result_text(result)


# ---- logs ----------------------------------------------------------------------------------------------------------


def test_secrets_in_log_messages_and_their_arguments_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG")
    log = logging.getLogger("codex_mcp.test")
    log.warning("retrying with %s", SERVICE_KEY)
    log.warning(f"header was Bearer {BEARER}")

    err = capsys.readouterr().err
    assert "retrying with sk-[redacted]" in err
    assert "header was Bearer [redacted]" in err
    assert leaked(err) == []


def test_a_logged_traceback_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG")
    try:
        raise ValueError(f"rejected {PROJECT_KEY} with Bearer {BEARER}")
    except ValueError:
        logging.getLogger("codex_mcp.test").exception("call failed")

    err = capsys.readouterr().err
    assert "call failed\nTraceback (most recent call last):" in err
    assert "ValueError: rejected sk-[redacted] with Bearer [redacted]" in err
    assert leaked(err) == []


async def test_the_traceback_of_a_tool_that_crashed_is_logged_redacted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(self: AdminClient, **_: Any) -> Any:
        raise KeyError(f"no entry for {SERVICE_KEY}")

    monkeypatch.setattr(AdminClient, "list_users", crash)
    configure_logging("DEBUG")

    result = await call_tool(make_settings(), "codex_list_users", {})

    assert result.is_error
    assert "unexpected KeyError" in result_text(result)
    err = capsys.readouterr().err
    assert "codex_list_users raised KeyError" in err
    assert "Traceback (most recent call last):" in err
    assert "KeyError: 'no entry for sk-[redacted]'" in err
    assert leaked(err) == []


async def test_one_session_redacts_every_result_it_sends(httpx_mock: HTTPXMock, settings: Settings) -> None:
    """Results with and without secrets, in one session: each redacted on its own, the clean one unchanged."""
    clean = {"object": "organization.project", "id": "proj_a", "name": "Assistant", "status": "active"}
    httpx_mock.add_response(json={**clean, "name": f"token: bearer {BEARER}"})
    httpx_mock.add_response(json=clean)

    async with Client(create_server(settings)) as client:
        first = await client.call_tool("codex_get_project", {"project_id": "proj_a"})
        second = await client.call_tool("codex_get_project", {"project_id": "proj_a"})

    assert assert_redacted_everywhere(first)["name"] == "token: bearer [redacted]"
    assert assert_redacted_everywhere(second)["name"] == "Assistant"
    assert httpx.URL(str(httpx_mock.get_requests()[0].url)).path == "/v1/organization/projects/proj_a"
