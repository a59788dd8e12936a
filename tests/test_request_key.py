"""The Admin key of the request being served: AdminClient sends a client's key for that request only."""

from __future__ import annotations

import anyio
import httpx

from codex_mcp.client import AdminClient
from codex_mcp.request_key import client_admin_key, key_partition, use_client_admin_key
from tests.conftest import make_settings

SERVER_KEY = "sk-admin-SERVERKEY0000000000000000"
KEY_A = "sk-admin-CLIENTAAAA1111111111111111"
KEY_B = "sk-admin-CLIENTBBBB2222222222222222"


async def test_the_client_sends_the_key_of_the_request_it_serves() -> None:
    """The contract AdminClient keeps (and any cache must key on): the context's client key, else the server's."""
    seen: list[tuple[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path.rsplit("/", 1)[-1], request.headers["authorization"]))
        return httpx.Response(200, json={"object": "organization.project", "id": request.url.path.rsplit("/", 1)[-1]})

    settings = make_settings(admin_key=SERVER_KEY)
    async with AdminClient(settings, transport=httpx.MockTransport(answer)) as api:

        async def fetch(project_id: str, key: str | None) -> None:
            if key is None:
                await api.get_project(project_id=project_id)
                return
            with use_client_admin_key(key):
                await api.get_project(project_id=project_id)

        async with anyio.create_task_group() as tg:
            for number in range(30):
                key = (KEY_A, KEY_B, None)[number % 3]
                tg.start_soon(fetch, f"proj_{'abn'[number % 3]}{number}", key)

    expected = {"a": f"Bearer {KEY_A}", "b": f"Bearer {KEY_B}", "n": f"Bearer {SERVER_KEY}"}
    assert len(seen) == 30
    assert all(header == expected[project_id[5]] for project_id, header in seen)
    assert key_partition(KEY_A) != key_partition(KEY_B)
    assert KEY_A not in key_partition(KEY_A)


def test_the_key_is_scoped_to_the_block() -> None:
    assert client_admin_key() is None
    with use_client_admin_key(KEY_A):
        assert client_admin_key() == KEY_A
        with use_client_admin_key(KEY_B):
            assert client_admin_key() == KEY_B
        assert client_admin_key() == KEY_A
    assert client_admin_key() is None
