"""Raw JSON-RPC over the process's stdin/stdout: every request that carries an id gets an answer, with the exact
code and id; a cancelled call is not answered and leaves the server serving; a closed stdin ends the process (exit 0)
and abandons the call's API requests; in a terminal, one line on stderr and a quiet exit 130 on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import TEST_KEY
from tests.held_api import HeldAPI
from tests.raw_stdio import ROOT, WAIT_S, RawServer

HANG_GUARD_S = 30  # far below the 600 s request deadline a server that waited for the held API would sit out

PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS = -32700, -32600, -32602
BIG = "123456789012345678901234567890123"  # 33 digits
LONG = "9" * 5000  # longer than any integer the SDK's parser reads


def request(request_id: object, method: str, params: str | None = None) -> bytes:
    """A request line, with `params` spliced in as raw JSON text."""
    head = f'{{"jsonrpc":"2.0","id":{json.dumps(request_id)},"method":"{method}"'
    return (head + (f',"params":{params}}}' if params is not None else "}")).encode()


def call(request_id: object, arguments: str, tool: str = "codex_list_users") -> bytes:
    """A tools/call line with `arguments` spliced in as raw JSON text."""
    return request(request_id, "tools/call", f'{{"name":"{tool}","arguments":{arguments}}}')


# (line, the id of the error answer, its code): each was dropped without an answer by the SDK's stdio reader.
REFUSED = {
    "tools/call params a list": (request(1, "tools/call", '["codex_list_users"]'), 1, INVALID_PARAMS),
    "ping params a list": (request("p-list", "ping", "[]"), "p-list", INVALID_PARAMS),
    "tools/call params a string": (request(2, "tools/call", '"codex_list_users"'), 2, INVALID_REQUEST),
    "ping params a string": (request("p-str", "ping", '"x"'), "p-str", INVALID_REQUEST),
    "lone surrogate in arguments": (call(3, '{"emails":["\\ud800@example.com"]}'), 3, INVALID_PARAMS),
    "lone surrogate in an argument name": (call(4, '{"\\udc00":1}'), 4, INVALID_PARAMS),
    "bytes that are not UTF-8": (call(5, '{"emails":["@example.com"]}').replace(b'["@', b'["\xff@'), 5, INVALID_PARAMS),
    "a 5000-digit integer": (call(6, f'{{"limit":{LONG}}}'), 6, INVALID_PARAMS),
    "nesting 300 deep": (call(7, '{"x":' + "[" * 300 + "]" * 300 + "}"), 7, INVALID_PARAMS),
    "not JSON": (request(8, "ping")[:-1], None, PARSE_ERROR),
    "an id that is a float": (request(1.5, "ping"), None, INVALID_REQUEST),
    "an id that is true": (request(True, "ping"), None, INVALID_REQUEST),
    "an id that is null": (request(None, "ping"), None, INVALID_REQUEST),
    "a 5000-digit id": (f'{{"jsonrpc":"2.0","id":{LONG},"method":"ping"}}'.encode(), None, INVALID_REQUEST),
    "a batch": (b"[" + request(9, "ping") + b"]", None, INVALID_REQUEST),
    "no jsonrpc member": (b'{"id":10,"method":"ping"}', 10, INVALID_REQUEST),
    "a method that is not a string": (b'{"jsonrpc":"2.0","id":11,"method":7}', 11, INVALID_REQUEST),
}


@pytest.fixture(scope="module")
def demo_server() -> Iterator[RawServer]:
    """One demo server for the whole table: it must keep serving after every case."""
    with RawServer("--demo") as server:
        server.initialize()
        yield server
    assert "Traceback" not in server.stderr_text()


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_request_the_sdk_would_drop_gets_its_error(demo_server: RawServer, case: str) -> None:
    line, request_id, code = REFUSED[case]
    demo_server.send(line)
    answer = demo_server.answer(request_id)
    assert answer["error"]["code"] == code, answer
    assert 10 < len(answer["error"]["message"]) < 120, answer
    assert set(answer) == {"jsonrpc", "id", "error"}
    demo_server.assert_serving()


@pytest.mark.parametrize(
    ("line", "request_id"),
    [
        (call(20, f'{{"limit":{BIG}}}'), 20),  # reaches the tool, which refuses the value
        (request(int(BIG), "ping"), int(BIG)),
        (call(21, '{"emails":["\\ud83d\\ude00@example.com"]}'), 21),  # a surrogate pair is text
        (request(22, "ping", "null"), 22),
    ],
)
def test_a_valid_request_reaches_the_server_unchanged(demo_server: RawServer, line: bytes, request_id: int) -> None:
    demo_server.send(line)
    answer = demo_server.answer(request_id)
    assert "result" in answer, answer
    demo_server.assert_serving()


def test_a_malformed_notification_is_not_answered(demo_server: RawServer) -> None:
    demo_server.send(b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]}')
    demo_server.send(b"")
    demo_server.assert_serving()  # the ping's answer is the next message: nothing was written for the others


def test_an_unknown_tool_and_bad_arguments_are_still_the_servers_to_answer(demo_server: RawServer) -> None:
    demo_server.send(call(30, "{}", tool="codex_no_such_tool"))
    assert demo_server.answer(30)["result"]["isError"] is True
    demo_server.send(b'{"jsonrpc":"2.0","id":31,"method":"tools/call","params":{}}')
    assert demo_server.answer(31)["error"]["code"] == INVALID_PARAMS


# ---- cancellation and a closed stdin, with the API holding the call ---------------------------------------------


BESIDE_USAGE = ("/organization/costs", "/organization/users")


def held_usage() -> HeldAPI:
    return HeldAPI(hold=lambda request: request.url.path.endswith("/organization/usage/completions"))


def env_for(api: HeldAPI) -> dict[str, str]:
    return {"OPENAI_ADMIN_KEY": TEST_KEY, "OPENAI_BASE_URL": api.base_url, "CODEX_MCP_LOG_LEVEL": "DEBUG"}


def wait_for(condition: object) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("progress_token", [None, "tok"])
def test_a_cancelled_call_is_not_answered_and_the_server_keeps_serving(progress_token: str | None) -> None:
    with held_usage() as api, RawServer(env=env_for(api)) as server:
        server.initialize()
        params: dict[str, object] = {"name": "codex_get_normalized_metrics", "arguments": {"start_time": "30d"}}
        if progress_token:
            params["_meta"] = {"progressToken": progress_token}
        server.send_json({"jsonrpc": "2.0", "id": 40, "method": "tools/call", "params": params})
        # Mid-call, at the moment that used to kill the server: what is fetched beside the held usage is done.
        wait_for(lambda: api.held and api.read_by_server(BESIDE_USAGE, server.stderr_text()))
        server.send_json({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 40}})
        wait_for(lambda: api.abandoned)
        assert api.abandoned == api.held
        server.assert_serving()  # the first message since the cancel: call 40 got no answer
        api.release()
        server.send_json({"jsonrpc": "2.0", "id": 41, "method": "tools/call", "params": params})
        assert server.answer(41)["result"].get("isError") is not True
    assert "Traceback" not in server.stderr_text()


def test_a_closed_stdin_mid_call_ends_the_process_with_exit_0_without_waiting_for_the_api() -> None:
    """The held API never answers and the request deadline is 10 minutes: a server that waited for its call would
    still be running long after the guard below (on an idle machine it exits in about half a second; the 2 s
    target is measured by benchmarks/bench.py, not asserted here, so a loaded CI machine cannot fail it)."""
    slow = {"CODEX_MCP_REQUEST_DEADLINE": "600", "CODEX_MCP_READ_TIMEOUT": "600"}
    with held_usage() as api, RawServer(env={**env_for(api), **slow}) as server:
        server.initialize()
        server.send(call(50, '{"start_time":"30d"}', tool="codex_get_normalized_metrics"))
        wait_for(lambda: api.held)
        server.close_stdin()
        assert server.process.wait(timeout=HANG_GUARD_S) == 0
        wait_for(lambda: api.abandoned)
        assert api.abandoned == api.held
    assert "Traceback" not in server.stderr_text()


# ---- a terminal -------------------------------------------------------------------------------------------------


def test_in_a_terminal_one_line_on_stderr_then_ctrl_c_exits_130_quietly() -> None:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "codex_mcp", "--demo"],
            cwd=ROOT,
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PATH": os.environ.get("PATH", "")},
        )
    finally:
        os.close(terminal)
    try:
        assert process.stderr is not None
        assert select.select([process.stderr], [], [], WAIT_S)[0], "nothing on stderr"
        first = process.stderr.readline().decode()
        process.send_signal(signal.SIGINT)
        stdout, rest = process.communicate(timeout=WAIT_S)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
            process.communicate()  # reaped and its pipes closed: a failure here must not leak into the next test
    assert first.startswith("codex-mcp: waiting for an MCP client on stdin/stdout")
    assert "codex-mcp --help" in first
    assert "codex-mcp --demo tools" in first
    assert process.returncode == 130
    assert rest == b"", "nothing after the one line: no traceback"
    assert stdout == b"", "stdout carries only the protocol"


# ---- honest capabilities -----------------------------------------------------------------------------------------


def test_initialize_advertises_what_exists(demo_server: RawServer) -> None:
    capabilities = demo_server.initialized["capabilities"]
    assert capabilities["tools"] == {"listChanged": False}
    assert set(capabilities) == {"tools", "prompts", "resources"}


@pytest.mark.parametrize(
    ("method", "params"),
    [("prompts/get", {"name": "summarize"}), ("resources/read", {"uri": "codex://nothing-here"})],
)
def test_an_unknown_prompt_or_resource_is_invalid_params_without_a_traceback(
    demo_server: RawServer, method: str, params: dict[str, str]
) -> None:
    demo_server.send_json({"jsonrpc": "2.0", "id": method, "method": method, "params": params})
    error = demo_server.answer(method)["error"]
    assert error["code"] == INVALID_PARAMS
    assert error["message"].startswith("Unknown ")
    demo_server.assert_serving()
    assert "Traceback" not in demo_server.stderr_text()
