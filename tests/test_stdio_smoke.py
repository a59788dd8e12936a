"""The real stdio path: tests/stdio_smoke.py drives `python -m codex_mcp --demo` through the official MCP client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "tests" / "stdio_smoke.py"


def test_stdio_smoke_against_demo_server() -> None:
    command = [sys.executable, str(SMOKE), "--timeout", "60", "--", sys.executable, "-m", "codex_mcp", "--demo"]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"stdio smoke failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert "stdio smoke OK" in proc.stdout
    assert "tools; called 6 tools OK" in proc.stdout
