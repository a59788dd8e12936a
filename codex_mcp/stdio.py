"""MCP over stdio on the SDK's own transport, with every line from the client checked first (codex_mcp.wire).

The SDK's `stdio_server` (mcp/server/stdio.py) keeps doing what it does well: it claims fd 1 (stray writes go to
stderr, not into the protocol) and writes every message. What it reads comes from here instead: the client's lines
on a private copy of fd 0 (fd 0 itself reads the null device meanwhile, as the SDK does), read by a daemon thread so
that neither Ctrl-C nor the end of a session waits on a blocked read, and checked: valid lines go to the SDK
unchanged; requests it would drop get their JSON-RPC error; nothing else is answered.

What upstream should change, so that this module can go:
- `stdio_server`'s reader should answer what it cannot parse (-32700 with id null; -32600/-32602 with the id when one
  can be read) instead of passing the exception to the dispatcher, which logs it at DEBUG and drops it; and it should
  not read a request whose id is a float, a boolean or null as a notification.
- It should not read stdin through `anyio.wrap_file` in worker threads that cannot be abandoned: a blocked read on a
  terminal keeps the process alive after Ctrl-C until Enter is pressed.
- A client that hangs up (EPIPE on stdout) should end the session quietly, not as an exception group.
- An explicit `stdin` should not cost the fd 0 claim: a hook to filter lines would do.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, cast

import anyio
import anyio.from_thread
import anyio.lowlevel
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

from codex_mcp.wire import Forward, Ignore, Refuse, check_line

if sys.platform != "win32":
    import fcntl
if TYPE_CHECKING:  # the SDK's stream protocols live in a private module: never import it at run time
    from mcp.shared._stream_protocols import ReadStream, WriteStream

log = logging.getLogger("codex_mcp.stdio")

Streams = tuple["ReadStream[SessionMessage | Exception]", "WriteStream[SessionMessage]"]


class _AnswerStream(Protocol):
    async def send(self, item: SessionMessage, /) -> None: ...
    def close(self) -> None: ...


async def serve_stdio(server: Server[Any]) -> None:
    """Serve one MCP session over stdin/stdout until the client closes stdin (or hangs up)."""
    with contextlib.suppress(_HungUp):
        async with checked_stdio() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())


@contextlib.asynccontextmanager
async def checked_stdio() -> AsyncIterator[Streams]:
    """The SDK's stdio transport, reading checked lines (see the module docstring)."""
    with _claimed_stdin() as stdin:
        lines = CheckedLines(stdin)
        try:
            # The SDK reads only `async for line in stdin`; an explicit stdin skips its fd 0 claim, made above instead.
            async with stdio_server(stdin=cast(Any, lines)) as (read_stream, write_stream):
                lines.answer_to(write_stream.clone())
                try:
                    yield read_stream, write_stream
                finally:
                    lines.close()  # the SDK's reader and writer finish only once this is closed
        except* (BrokenPipeError, ConnectionResetError) as hang_up:
            log.debug("the client stopped reading: %s", hang_up.exceptions[0])
            raise _HungUp from None


class CheckedLines:
    """The client's lines as the SDK's stdio reader iterates them: only valid ones; requests it would have dropped
    are answered through `answer_to`'s stream."""

    def __init__(self, stdin: BinaryIO) -> None:
        self._stdin = stdin
        self._lines: MemoryObjectReceiveStream[bytes] | None = None
        self._answers: _AnswerStream | None = None
        self._can_answer = anyio.Event()

    def answer_to(self, answers: _AnswerStream) -> None:
        """Where refusals go: a clone of the SDK's write stream (its writer owns stdout)."""
        self._answers = answers
        self._can_answer.set()

    def close(self) -> None:
        """End the iteration (the reader thread stops at its next line) and release the answer stream."""
        if self._lines is not None:
            self._lines.close()
        if self._answers is not None:
            self._answers.close()

    def __aiter__(self) -> CheckedLines:
        return self

    async def __anext__(self) -> str:
        if self._lines is None:
            self._lines = _start_reader(self._stdin, anyio.lowlevel.current_token())
        while True:
            try:
                raw = await self._lines.receive()
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                self.close()
                raise StopAsyncIteration from None
            match check_line(raw):
                case Forward(text):
                    return text
                case Refuse(error):
                    log.warning("answered a malformed request with error %d: %s", error.error.code, error.error.message)
                    await self._answer(SessionMessage(error))
                case Ignore(reason):
                    if reason != "blank line":
                        log.warning("ignored %s", reason)

    async def _answer(self, message: SessionMessage) -> None:
        await self._can_answer.wait()
        assert self._answers is not None
        try:
            await self._answers.send(message)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            log.debug("could not answer a malformed request: the session is closing")


def _start_reader(stdin: BinaryIO, token: anyio.lowlevel.EventLoopToken) -> MemoryObjectReceiveStream[bytes]:
    send, receive = anyio.create_memory_object_stream[bytes]()
    threading.Thread(target=_read_lines, args=(stdin, send, token), name="codex-mcp stdin", daemon=True).start()
    return receive


def _read_lines(stdin: BinaryIO, send: MemoryObjectSendStream[bytes], token: anyio.lowlevel.EventLoopToken) -> None:
    """Thread: pass each line to the event loop, one at a time; a daemon, so a blocked read never delays exit."""
    try:
        for line in iter(stdin.readline, b""):
            anyio.from_thread.run(send.send, line, token=token)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.RunFinishedError, OSError, ValueError):
        pass  # the session ended (or stdin broke): nothing more to read for
    with contextlib.suppress(anyio.RunFinishedError, RuntimeError):  # the event loop is gone: nothing to tell
        anyio.from_thread.run_sync(send.close, token=token)


@contextlib.contextmanager
def _claimed_stdin() -> Iterator[BinaryIO]:
    """The client's stdin on a private descriptor, with fd 0 pointed at the null device until the session ends, so
    nothing else in the process (input(), a child process) can take protocol bytes. POSIX; elsewhere, in place."""
    if sys.platform == "win32":
        yield sys.stdin.buffer if sys.stdin is not None else io.BytesIO()
        return
    try:
        private = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
    except OSError:
        private = -1  # no fd 0 at all: a session that ends at once
    if private < 0:
        yield io.BytesIO()
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
    finally:
        os.close(null)
    try:
        # Never closed: the reader thread may still be blocked on it when the session ends.
        yield os.fdopen(private, "rb", closefd=False)
    finally:
        os.dup2(private, 0)


class _HungUp(Exception):
    """The client closed our stdout: the session is over."""
