"""What `codex-mcp --transport http` refuses at start, and the Host names it answers."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from codex_mcp.cli import run
from codex_mcp.http_auth import allowed_hosts, is_loopback
from codex_mcp.http_serve import listening_socket
from tests.conftest import TEST_KEY
from tests.http_server import TOKEN, server_env

HTTP = ["--transport", "http", "--demo"]


@pytest.fixture(autouse=True)
def no_http_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CODEX_MCP_TRANSPORT",
        "CODEX_MCP_HTTP_HOST",
        "CODEX_MCP_HTTP_PORT",
        "CODEX_MCP_HTTP_TOKEN",
        "CODEX_MCP_HTTP_TOKEN_FILE",
        "CODEX_MCP_HTTP_NO_AUTH",
        "CODEX_MCP_ALLOWED_HOSTS",
        "CODEX_MCP_ALLOWED_ORIGINS",
        "CODEX_MCP_ALLOW_CLIENT_KEYS",
        "CODEX_MCP_TOOLSETS",
        "CODEX_MCP_DYNAMIC_TOOLSETS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("argv", "env", "says"),
    [
        pytest.param(HTTP, {}, "needs a bearer token", id="no-token"),
        pytest.param([*HTTP, "--host", "0.0.0.0"], {}, "needs a bearer token", id="no-token-off-loopback"),
        pytest.param([*HTTP, "--host", "0.0.0.0", "--no-auth"], {}, "only allowed on loopback", id="no-auth-wildcard"),
        pytest.param([*HTTP, "--host", "192.0.2.7", "--no-auth"], {}, "only allowed on loopback", id="no-auth-lan"),
        pytest.param([*HTTP, "--no-auth"], {"CODEX_MCP_HTTP_TOKEN": TOKEN}, "both given", id="no-auth-and-token"),
        pytest.param(HTTP, {"CODEX_MCP_HTTP_TOKEN": "short"}, "at least 16", id="short-token"),
        pytest.param(HTTP, {"CODEX_MCP_HTTP_TOKEN": "has a space in it ok"}, "without spaces", id="spaced-token"),
        pytest.param(
            ["--transport", "http"],
            {"CODEX_MCP_HTTP_TOKEN": TEST_KEY, "OPENAI_ADMIN_KEY": TEST_KEY},
            "is the OpenAI admin key",
            id="token-is-the-admin-key",
        ),
        pytest.param(
            [*HTTP, "--dynamic-toolsets"], {"CODEX_MCP_HTTP_TOKEN": TOKEN}, "not available over HTTP", id="dynamic"
        ),
        pytest.param(["--port", "9000"], {}, "only for --transport http", id="http-flag-on-stdio"),
        pytest.param(["--transport", "http", "tools"], {}, "only for serving", id="http-flag-with-a-command"),
        pytest.param([*HTTP, "--allowed-origins", "evil"], {}, "origins like", id="bad-origin"),
        pytest.param([*HTTP, "--allowed-hosts", "http://x/"], {}, "host names", id="bad-host"),
    ],
)
def test_refused_at_start(
    argv: list[str], env: dict[str, str], says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert run(argv) == 2
    captured = capsys.readouterr()
    assert says in captured.err
    assert captured.out == ""
    for secret in env.values():
        if len(secret) >= 16:
            assert secret not in captured.err


def test_token_file_problems_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "absent"
    assert run([*HTTP, "--http-token-file", str(missing)]) == 2
    assert "Cannot read the token file" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert run([*HTTP, "--http-token-file", str(empty)]) == 2
    assert "at least 16" in capsys.readouterr().err


def test_token_in_both_places_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{TOKEN}\n")
    monkeypatch.setenv("CODEX_MCP_HTTP_TOKEN", TOKEN)
    assert run([*HTTP, "--http-token-file", str(token_file)]) == 2
    err = capsys.readouterr().err
    assert "keep one" in err
    assert TOKEN not in err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.9", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.7", False),
        ("mcp.example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_allowed_hosts_follow_the_bind_address() -> None:
    assert allowed_hosts("127.0.0.1", ()) == [
        "127.0.0.1",
        "127.0.0.1:*",
        "localhost",
        "localhost:*",
        "[::1]",
        "[::1]:*",
    ]
    assert allowed_hosts("192.0.2.7", ("mcp.example.com", "lb:8443")) == [
        "192.0.2.7",
        "192.0.2.7:*",
        "mcp.example.com",
        "mcp.example.com:*",
        "lb:8443",
    ]
    wildcard = allowed_hosts("0.0.0.0", ("mcp.example.com",))
    assert "0.0.0.0" not in wildcard
    assert {"localhost:*", "mcp.example.com", "mcp.example.com:*"} <= set(wildcard)
    assert allowed_hosts("fd00::5", ())[:2] == ["[fd00::5]", "[fd00::5]:*"]


def test_the_asgi_app_is_built_from_the_environment_on_first_access() -> None:
    """`codex_mcp.http:app` for uvicorn/gunicorn: importing is cheap (no MCP SDK, no server); a bad configuration
    fails when the app is taken, before anything is served."""
    script = (
        "import sys, codex_mcp.http as http\n"
        "assert 'mcp' not in sys.modules and 'codex_mcp.server' not in sys.modules, 'importing built the server'\n"
        "try:\n"
        "    http.app\n"
        "except ValueError as exc:\n"
        "    print('refused:', exc)\n"
        "else:\n"
        "    print('built:', type(http.app).__name__)\n"
    )
    cases = [({}, "refused: Serving over HTTP needs a bearer token"), ({"CODEX_MCP_HTTP_TOKEN": TOKEN}, "built:")]
    for env, expected in cases:
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=server_env(CODEX_MCP_DEMO="1", **env),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.startswith(expected), done.stdout


async def test_accepted_connections_send_without_delay() -> None:
    """TCP_NODELAY on every connection: otherwise each response (headers, then body) waits ~40 ms for a delayed ACK
    (asyncio sets it only on sockets created as IPPROTO_TCP)."""
    sock = listening_socket("127.0.0.1", 0)
    accepted: list[int] = []
    connected = asyncio.Event()

    class Note(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            connected.set()

    server = await asyncio.get_running_loop().create_server(Note, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection(*sock.getsockname())
        await connected.wait()
        writer.close()
    assert accepted == [1]
