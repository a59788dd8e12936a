"""codex_mcp.wire.check_line as a table: what goes to the SDK unchanged, what is answered (code and id), what is
only logged. The same cases travel the real stdio door in test_stdio_wire.py."""

from __future__ import annotations

import pytest

from codex_mcp.wire import Forward, Ignore, Refuse, check_line

FORWARDED = [
    b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n',
    b'{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x","arguments":{"n":123456789012345678901234567890123}}}',
    b'{"jsonrpc":"2.0","id":2,"method":"ping","params":null}',
    b'{"jsonrpc":"2.0","id":3,"method":"x","params":{"s":"\\ud83d\\ude00"}}',  # a surrogate pair is text
    b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}',
    b'{"jsonrpc":"2.0","id":4,"result":{}}',
]

REFUSED = [  # (line, id, code)
    (b"{", None, -32700),
    (b'{"jsonrpc":"2.0","id":1,"method":"ping"} trailing', None, -32700),
    (b"[]", None, -32600),
    (b"7", None, -32600),
    (b'{"jsonrpc":"2.0","id":[1],"method":"ping"}', None, -32600),
    (b'{"jsonrpc":"2.0","id":"\\ud800","method":"ping"}', None, -32600),
    (b'{"jsonrpc":"2.0","id":5}', 5, -32600),
    (b'{"jsonrpc":"1.0","id":5,"method":"ping"}', 5, -32600),
    (b'{"jsonrpc":"2.0","id":5,"method":"\\ud800"}', 5, -32600),
    (b'{"jsonrpc":"2.0","id":5,"method":"ping","params":3}', 5, -32600),
    (b'{"jsonrpc":"2.0","id":5,"method":"ping","params":[1]}', 5, -32602),
    (b'{"jsonrpc":"2.0","id":5,"method":"x","params":{"\\ud800":1}}', 5, -32602),
    (b'{"jsonrpc":"2.0","id":5,"method":"x","params":{"s":"\xc3"}}', 5, -32602),  # a truncated UTF-8 sequence
]

IGNORED = [
    b"",
    b"  \r\n",
    b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":"x"}',
    b'{"jsonrpc":"2.0","id":6,"error":"no"}',
]


@pytest.mark.parametrize("line", FORWARDED)
def test_valid_lines_go_to_the_sdk_unchanged(line: bytes) -> None:
    assert check_line(line) == Forward(line.decode())


@pytest.mark.parametrize(("line", "request_id", "code"), REFUSED)
def test_requests_the_sdk_would_drop_are_answered(line: bytes, request_id: int | None, code: int) -> None:
    verdict = check_line(line)
    assert isinstance(verdict, Refuse)
    assert (verdict.error.id, verdict.error.error.code) == (request_id, code)


@pytest.mark.parametrize("line", IGNORED)
def test_what_cannot_be_answered_is_ignored(line: bytes) -> None:
    assert isinstance(check_line(line), Ignore)
