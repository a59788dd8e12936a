"""A simulated OpenAI Admin API serving a deterministic sample organization (for --demo and tests).

Its parts are imported when first used (PEP 562), so importing the package (for DEMO_ADMIN_KEY, all a --demo server
needs to start) imports neither httpx nor the simulator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codex_mcp.demo.loopback import Fault, LoopbackServer
    from codex_mcp.demo.sample_org import SampleOrg
    from codex_mcp.demo.simulator import AdminAPISimulator

__all__ = ["DEMO_ADMIN_KEY", "AdminAPISimulator", "Fault", "LoopbackServer", "SampleOrg"]
DEMO_ADMIN_KEY = "demo-admin-key"
_HOMES = {
    "AdminAPISimulator": "codex_mcp.demo.simulator",
    "Fault": "codex_mcp.demo.loopback",
    "LoopbackServer": "codex_mcp.demo.loopback",
    "SampleOrg": "codex_mcp.demo.sample_org",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'codex_mcp.demo' has no attribute {name!r}")
