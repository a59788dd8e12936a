"""The `governance` toolset (read-only): model permissions, data retention and certificates; the exact requests,
paging, refusals before any request, the demo organization and stdio."""

from __future__ import annotations

import sys
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from pytest_httpx import HTTPXMock

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.server import create_server
from codex_mcp.tools import READ
from tests.builders import pairs
from tests.conftest import BASE_URL, TEST_KEY, call_tool, find_nulls, make_settings, result_text
from tests.test_toolsets import clean_environment

GOVERNANCE = {"toolsets": "governance"}
PROJECT = "proj_abc123"
CREATED = 1711471533  # the spec examples' timestamp
CREATED_ISO = "2024-03-26T16:45:33Z"
TOOLS = ["codex_get_model_permissions", "codex_get_data_retention", "codex_list_certificates"]


def sent(request: httpx.Request, path: str) -> None:
    assert (request.method, request.url.path) == ("GET", f"/v1{path}")
    assert str(request.url).split("?")[0] == f"{BASE_URL}{path}"
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"
    assert request.content == b""


async def call(name: str, arguments: dict[str, Any]) -> Any:
    result = await call_tool(make_settings(**GOVERNANCE), name, arguments)
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    assert find_nulls(result.structured_content) == []
    assert TEST_KEY not in result_text(result)
    return result.structured_content


def certificate(certificate_id: str, *, project: bool = False, active: bool = True) -> dict[str, Any]:
    return {
        "object": "organization.project.certificate" if project else "organization.certificate",
        "id": certificate_id,
        "name": "My Certificate",
        "active": active,
        "created_at": CREATED,
        "certificate_details": {"valid_at": CREATED, "expires_at": CREATED + 365 * 86400},
    }


# ---- model permissions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "models"), [("allow_list", ["gpt-4.1", "o3"]), ("deny_list", [])])
async def test_get_model_permissions(httpx_mock: HTTPXMock, mode: str, models: list[str]) -> None:
    httpx_mock.add_response(json={"object": "project.model_permissions", "mode": mode, "model_ids": models})

    out = await call("codex_get_model_permissions", {"project_id": PROJECT})

    [request] = httpx_mock.get_requests()
    sent(request, f"/organization/projects/{PROJECT}/model_permissions")
    assert request.url.query == b""
    assert out == {"object": "project.model_permissions", "project_id": PROJECT, "mode": mode, "model_ids": models}


# ---- data retention ------------------------------------------------------------------------------------------------


async def test_get_data_retention_of_the_organization(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={"object": "organization.data_retention", "type": "zero_data_retention"})

    out = await call("codex_get_data_retention", {})

    [request] = httpx_mock.get_requests()
    sent(request, "/organization/data_retention")
    assert out == {"object": "organization.data_retention", "type": "zero_data_retention"}


async def test_get_data_retention_of_a_project(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={"object": "project.data_retention", "type": "organization_default"})

    out = await call("codex_get_data_retention", {"project_id": PROJECT})

    [request] = httpx_mock.get_requests()
    sent(request, f"/organization/projects/{PROJECT}/data_retention")
    assert out == {"object": "project.data_retention", "project_id": PROJECT, "type": "organization_default"}


# ---- certificates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("project_id", [None, PROJECT], ids=["organization", "project"])
async def test_list_certificates_one_page(httpx_mock: HTTPXMock, project_id: str | None) -> None:
    project = project_id is not None
    data = [certificate("cert_abc", project=project), certificate("cert_def", project=project, active=False)]
    page = {"object": "list", "data": data, "first_id": "cert_abc", "last_id": "cert_def", "has_more": True}
    httpx_mock.add_response(json=page)

    arguments: dict[str, Any] = {"limit": 2, "after": "cert_000"}
    out = await call("codex_list_certificates", {**arguments, "project_id": project_id} if project else arguments)

    [request] = httpx_mock.get_requests()
    sent(request, f"/organization/projects/{project_id}/certificates" if project else "/organization/certificates")
    assert pairs(request) == [("limit", "2"), ("after", "cert_000")]
    assert (out["count"], out["has_more"], out["next_after"]) == (2, True, "cert_def")
    assert out["data"][0] == {
        "object": data[0]["object"],
        "id": "cert_abc",
        "name": "My Certificate",
        "active": True,
        "created_at": CREATED,
        "created_at_iso": CREATED_ISO,
        "valid_at": CREATED,
        "valid_at_iso": CREATED_ISO,
        "expires_at": CREATED + 365 * 86400,
        "expires_at_iso": "2025-03-26T16:45:33Z",
    }
    assert out["data"][1]["active"] is False


async def test_list_certificates_last_page(httpx_mock: HTTPXMock) -> None:
    page = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
    httpx_mock.add_response(json=page)

    out = await call("codex_list_certificates", {})

    assert pairs(httpx_mock.get_requests()[0]) == [("limit", "20")]
    assert out == {"data": [], "count": 0, "has_more": False}


# ---- every tool reads, and refuses bad input before any request ----------------------------------------------------


async def test_the_toolset_is_three_reads_and_stays_in_read_only_mode() -> None:
    for read_only in (False, True):
        async with Client(create_server(make_settings(read_only=read_only, **GOVERNANCE))) as client:
            tools = (await client.list_tools()).tools
        assert [tool.name for tool in tools] == TOOLS
        assert all(tool.annotations == READ for tool in tools)


ID_ADVICE = "is not an OpenAI id"
BAD_INPUT = [
    pytest.param("codex_get_model_permissions", {}, "project_id", "required argument is missing", id="perm-missing"),
    pytest.param("codex_get_model_permissions", {"project_id": "proj/../x"}, "project_id", ID_ADVICE, id="perm-slash"),
    pytest.param("codex_get_model_permissions", {"project_id": None}, "project_id", "valid string", id="perm-null"),
    pytest.param("codex_get_data_retention", {"project_id": "proj?x=1"}, "project_id", ID_ADVICE, id="retention-q"),
    pytest.param("codex_get_data_retention", {"project_id": ""}, "project_id", ID_ADVICE, id="retention-empty"),
    pytest.param("codex_list_certificates", {"project_id": "a b"}, "project_id", ID_ADVICE, id="certs-space"),
    pytest.param("codex_list_certificates", {"limit": 0}, "limit", "greater than or equal to 1", id="certs-limit-0"),
    pytest.param("codex_list_certificates", {"limit": 101}, "limit", "less than or equal to 100", id="certs-limit-101"),
    pytest.param("codex_list_certificates", {"after": "c&limit=5"}, "after", "next_after", id="certs-cursor"),
    pytest.param("codex_list_certificates", {"order": "asc"}, "order", "unknown argument", id="certs-unknown"),
]


@pytest.mark.parametrize(("tool", "arguments", "field", "message"), BAD_INPUT)
async def test_bad_input_is_refused_before_any_request(
    httpx_mock: HTTPXMock, tool: str, arguments: dict[str, Any], field: str, message: str
) -> None:
    result = await call_tool(make_settings(**GOVERNANCE), tool, arguments)

    assert result.is_error
    text = result_text(result)
    assert text.startswith(f"Invalid arguments for {tool}; nothing was sent:")
    assert field in text
    assert message in text
    assert httpx_mock.get_requests() == []


# ---- the demo organization and stdio -------------------------------------------------------------------------------


async def test_every_tool_against_the_demo_organization() -> None:
    project = AdminAPISimulator().org.projects[0].id  # the sample's ids do not depend on the day
    async with Client(create_server(make_settings(demo=True, **GOVERNANCE))) as client:
        outs = []
        for tool, arguments in [
            ("codex_get_model_permissions", {"project_id": project}),
            ("codex_get_data_retention", {}),
            ("codex_get_data_retention", {"project_id": project}),
            ("codex_list_certificates", {"limit": 2}),
            ("codex_list_certificates", {"project_id": project}),
        ]:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, f"{tool}: {result_text(result)}"
            assert result.structured_content is not None
            assert result.structured_content["demo_data"] is True
            outs.append(result.structured_content)
    permissions, org_retention, project_retention, certificates, project_certificates = outs
    assert permissions["mode"] in ("allow_list", "deny_list")
    assert org_retention["object"] == "organization.data_retention"
    assert project_retention["project_id"] == project
    assert certificates["count"] == 2
    assert all("expires_at_iso" in c for c in certificates["data"])
    assert all(c["object"] == "organization.project.certificate" for c in project_certificates["data"])


async def test_over_stdio() -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "codex_mcp", "--demo", "--toolsets", "governance"], env=clean_environment()
    )
    with anyio.fail_after(60):
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            assert [tool.name for tool in (await session.list_tools()).tools] == TOOLS
            result = await session.call_tool("codex_get_data_retention", {})
    assert not result.is_error, result_text(result)
    assert result.structured_content is not None
    assert result.structured_content["object"] == "organization.data_retention"
    assert result.structured_content["demo_data"] is True
