"""Schema snapshots of toolsets beyond the default one (tests/snapshots/tools.json holds the default server's
tools): one file per toolset, so a schema change shows up in review."""

from __future__ import annotations

import json
import os
from pathlib import Path

from mcp import Client

from codex_mcp.server import create_server
from tests.conftest import make_settings
from tests.test_server import snapshot_of

SNAPSHOTS = Path(__file__).parent / "snapshots"


async def check_toolset_snapshot(toolset: str, test_file: str) -> None:
    """Compare the toolset's tool schemas with snapshots/<toolset>.json (rewritten when UPDATE_SNAPSHOTS=1)."""
    async with Client(create_server(make_settings(toolsets=toolset))) as client:
        live = snapshot_of((await client.list_tools()).tools)
    path = SNAPSHOTS / f"{toolset}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(live, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    regenerate = f"UPDATE_SNAPSHOTS=1 pytest {Path(test_file).relative_to(Path(__file__).parents[1])} -k snapshot"
    assert path.exists(), f"No schema snapshot at {path}. Create it with: {regenerate}"
    assert live == json.loads(path.read_text()), (
        f"The {toolset} tool schemas changed: run `{regenerate}`, review the diff"
    )
