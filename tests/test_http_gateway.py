"""Gateway mode (CODEX_MCP_ALLOW_CLIENT_KEYS=1): each request's own Admin key reaches the API for that request only,
never crossing to a concurrent one, and a refused key fails the call without falling back to the server's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import anyio
import pytest

from codex_mcp.demo import LoopbackServer
from tests.http_server import (
    TOKEN,
    KeyRecordingAPI,
    ServerProcess,
    bearer,
    error_text,
    mcp_client,
    payload,
    rpc,
    running_server,
    server_env,
)

SERVER_KEY = "sk-admin-SERVERKEY0000000000000000"
KEY_A = "sk-admin-CLIENTAAAA1111111111111111"
KEY_B = "sk-admin-CLIENTBBBB2222222222222222"
REFUSED_KEY = "sk-admin-REFUSEDKEY33333333333333"
CALLS_PER_CLIENT = 30


@dataclass
class Gateway:
    server: ServerProcess
    api: KeyRecordingAPI
    upstream: LoopbackServer


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    api = KeyRecordingAPI(accepted=[SERVER_KEY, KEY_A, KEY_B])
    with LoopbackServer(api) as upstream:
        env = server_env(
            OPENAI_BASE_URL=upstream.base_url,
            OPENAI_ADMIN_KEY=SERVER_KEY,
            CODEX_MCP_HTTP_TOKEN=TOKEN,
            CODEX_MCP_ALLOW_CLIENT_KEYS="1",
            CODEX_MCP_MAX_RETRIES="0",
        )
        with running_server(env=env) as server:
            yield Gateway(server, api, upstream)


async def project_ids(url: str, count: int) -> list[str]:
    async with mcp_client(url) as client:
        page = payload(await client.call_tool("codex_list_projects", {"limit": count}))
    ids = [project["id"] for project in page["data"]]
    assert len(ids) == count
    return ids


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_concurrent_keys_never_cross(gateway: Gateway, mode: str) -> None:
    """Clients with key A, key B and none call at once; the API sees A's key on A's projects only, and so on."""
    ids = await project_ids(gateway.server.url, 6)
    owners = {KEY_A: ids[0:2], KEY_B: ids[2:4], SERVER_KEY: ids[4:6]}
    answered: dict[str, list[str]] = {key: [] for key in owners}

    async def one_client(key: str) -> None:
        headers = {} if key == SERVER_KEY else {"X-OpenAI-Admin-Key": key}
        client_for_key = mcp_client(gateway.server.url, headers=headers, mode=mode)
        async with client_for_key as client, anyio.create_task_group() as tg:
            for number in range(CALLS_PER_CLIENT):
                tg.start_soon(one_call, client, key, owners[key][number % 2])

    async def one_call(client: object, key: str, project_id: str) -> None:
        result = await client.call_tool("codex_get_project", {"project_id": project_id})  # type: ignore[attr-defined]
        assert payload(result)["id"] == project_id
        answered[key].append(project_id)

    gateway.upstream.delay_s, gateway.upstream.max_in_flight = 0.01, 0  # so that requests overlap upstream
    try:
        async with anyio.create_task_group() as tg:
            for key in owners:
                tg.start_soon(one_client, key)
    finally:
        gateway.upstream.delay_s = 0.0
    assert gateway.upstream.max_in_flight > 1

    for key, mine in owners.items():
        assert len(answered[key]) == CALLS_PER_CLIENT
        for project_id in mine:
            assert gateway.api.keys_for(f"/projects/{project_id}") == {key}


async def test_a_refused_client_key_fails_the_call_without_falling_back(gateway: Gateway) -> None:
    (project_id,) = (await project_ids(gateway.server.url, 7))[6:]
    async with mcp_client(gateway.server.url, headers={"X-OpenAI-Admin-Key": REFUSED_KEY}) as client:
        result = await client.call_tool("codex_get_project", {"project_id": project_id})
    text = error_text(result)
    assert "401" in text
    assert REFUSED_KEY not in text
    assert gateway.api.keys_for(f"/projects/{project_id}") == {REFUSED_KEY}


def test_a_project_key_or_a_blank_key_is_refused_with_400(gateway: Gateway) -> None:
    for key in ("sk-proj-PROJECTKEY0123456789abcdef", "", "two words"):
        response = rpc(gateway.server.base, "tools/list", **bearer(), **{"X-OpenAI-Admin-Key": key})
        assert response.status_code == 400, key


def test_the_token_is_still_required_in_gateway_mode(gateway: Gateway) -> None:
    response = rpc(gateway.server.base, "tools/list", **{"X-OpenAI-Admin-Key": KEY_A})
    assert response.status_code == 401


async def test_no_key_or_token_is_ever_logged(gateway: Gateway) -> None:
    """Calls of its own with each kind of key (whatever ran before), then the log once their lines are written."""
    before = gateway.server.log().count("codex_mcp.http.access")
    # A project no other test here reads the recorded keys of (they use the first seven).
    (project_id,) = (await project_ids(gateway.server.url, 8))[7:]
    for key in (KEY_A, KEY_B, REFUSED_KEY):
        async with mcp_client(gateway.server.url, headers={"X-OpenAI-Admin-Key": key}) as client:
            await client.call_tool("codex_get_project", {"project_id": project_id})
    assert len(gateway.server.logged("", count=before + 4)) >= before + 4, "the calls' access-log lines"
    log = gateway.server.log()
    for secret in (TOKEN, SERVER_KEY, KEY_A, KEY_B, REFUSED_KEY):
        assert secret not in log
