"""A simulated OpenAI Admin API serving a deterministic sample organization (for --demo and tests)."""

from codex_mcp.demo.loopback import Fault, LoopbackServer
from codex_mcp.demo.sample_org import SampleOrg
from codex_mcp.demo.simulator import DEMO_ADMIN_KEY, AdminAPISimulator

__all__ = ["DEMO_ADMIN_KEY", "AdminAPISimulator", "Fault", "LoopbackServer", "SampleOrg"]
