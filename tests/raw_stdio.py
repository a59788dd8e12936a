"""`python -m codex_mcp` on raw pipes: write bytes to its stdin, read its stdout line by line (bounded waits).

Not a test module (pytest collects only test_*.py).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WAIT_S = 30.0  # generous: a bound on a loaded machine, never a measure
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": "init",
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
}


class RawServer:
    """One server process; `lines` holds what it wrote to stdout, `stderr_text()` what it wrote to stderr."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self._stderr: list[bytes] = []
        self._lines: queue.Queue[bytes] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "codex_mcp", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PATH": os.environ.get("PATH", ""), **(env or {})},
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._pumps = [
            threading.Thread(target=_pump, args=(self.process.stdout, self._lines.put), daemon=True),
            threading.Thread(target=_pump, args=(self.process.stderr, self._stderr.append), daemon=True),
        ]
        for pump in self._pumps:
            pump.start()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT_S)
        for pump in self._pumps:
            pump.join(timeout=WAIT_S)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def send(self, line: bytes) -> None:
        """Write one line (a newline is added)."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + b"\n")
        self.process.stdin.flush()

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(json.dumps(message).encode())

    def receive(self) -> dict[str, Any]:
        """The next message on stdout (each must be one JSON object on one line)."""
        line = self._lines.get(timeout=WAIT_S)
        message = json.loads(line)
        assert isinstance(message, dict), line
        return message

    def answer(self, request_id: str | int | None) -> dict[str, Any]:
        """The next message, checked to be the answer to `request_id` (progress notifications skipped)."""
        while (message := self.receive()).get("method") == "notifications/progress":
            pass
        assert "method" not in message, message
        assert message["id"] == request_id, message
        return message

    def initialize(self) -> dict[str, Any]:
        """The handshake; its result is also kept in `initialized`."""
        self.send_json(INITIALIZE)
        self.initialized: dict[str, Any] = self.answer("init")["result"]
        self.send_json({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return self.initialized

    def assert_serving(self, request_id: str = "still-there") -> None:
        """A ping is answered: the server kept serving."""
        self.send_json({"jsonrpc": "2.0", "id": request_id, "method": "ping"})
        assert self.answer(request_id) == {"jsonrpc": "2.0", "id": request_id, "result": {}}

    def close_stdin(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    def stderr_text(self) -> str:
        return b"".join(self._stderr).decode("utf-8", errors="replace")


def _pump(stream: Any, put: Any) -> None:
    for line in iter(stream.readline, b""):
        put(line)
