"""The tools, one module per area; each module's TOOLS lists its functions with their title and annotations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.types import ToolAnnotations

# The annotation presets; a tool's readOnlyHint is what read-only mode goes by, and destructiveHint is what asks the
# person to confirm (tools/confirm.py).
READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
CREATE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
# A change that can be undone by another call of the same kind (rename, a role inside a project, a rate limit).
UPDATE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
# Deletes, removals, revocations, archiving, organization role changes, spend limits: hard to undo.
CHANGE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)


@dataclass(frozen=True)
class ToolSpec:
    """One tool: the typed function (its name is the tool's name), a title, and its annotations."""

    fn: Callable[..., Any]
    title: str
    annotations: ToolAnnotations

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def read_only(self) -> bool:
        return bool(self.annotations.read_only_hint)
