"""Shared, annotated tool parameter types: one definition of each id, time, limit and cursor argument."""

from __future__ import annotations

import re
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field

from codex_mcp.errors import shown
from codex_mcp.timeparse import TIME_FORMS

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_EMAIL = re.compile(
    r"[^@\s\x00-\x1f\"<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+"
)
_CURSOR = re.compile(r"[A-Za-z0-9_\-=+/.:]{1,512}")
_EVENT_TYPE = re.compile(r"[a-z_]{1,50}(\.[a-z_]{1,50}){1,4}")
_FILTER_VALUE = re.compile(r"[^\x00-\x1f\x7f]{1,256}")
MAX_FILTER_VALUES = 100


def _id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not an OpenAI id: ids look like 'user-abc123', 'proj_abc123' or 'key_abc123' "
            "(letters, digits, '-' and '_' only, at most 128 characters). List the objects to find the right id"
        )
    return value


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{shown(value)} is not a valid email address (expected name@example.com)")
    return value


def _cursor(value: str) -> str:
    if not _CURSOR.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not a cursor this API gave out: pass back `next_after` from the previous page unchanged"
        )
    return value


def _filter_value(value: str) -> str:
    if not _FILTER_VALUE.fullmatch(value) or not value.strip():
        raise ValueError(f"{shown(value)} is not a usable filter value (1-256 printable characters)")
    return value


def _not_a_boolean(value: object) -> object:
    """Refuse true/false for a time: pydantic would otherwise read it as the Unix second 1 (or 0), in 1970."""
    if isinstance(value, bool):
        raise ValueError(f"expected a time, got the boolean {str(value).lower()}. Use {TIME_FORMS}")
    return value


def _event_type(value: str) -> str:
    if not _EVENT_TYPE.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not an audit-log event type: types are lowercase words joined by dots, such as "
            "'api_key.created', 'user.added' or 'login.failed'"
        )
    return value


def printable_name(value: str) -> str:
    """A display name: trimmed, not empty, no control characters, at most 200 characters."""
    value = value.strip()
    if not value:
        raise ValueError("the name is empty; give 1-200 printable characters")
    if not _FILTER_VALUE.fullmatch(value) or len(value) > 200:
        raise ValueError("the name must be 1-200 characters with no control characters (newlines, tabs, ...)")
    return value


def _one_or_many(value: object) -> object:
    """Accept a single string where a list is expected: models often send 'proj_x' for ['proj_x']."""
    return [value] if isinstance(value, str) else value


def _unique(values: list[str] | None) -> list[str] | None:
    return list(dict.fromkeys(values)) if values else values


OpenAIId = Annotated[str, AfterValidator(_id)]
Email = Annotated[str, AfterValidator(_email)]
FilterValue = Annotated[str, AfterValidator(_filter_value)]


UserId = Annotated[OpenAIId, Field(description="The user's id, e.g. 'user-abc123' (from codex_list_users).")]
ProjectId = Annotated[OpenAIId, Field(description="The project's id, e.g. 'proj_abc123' (from codex_list_projects).")]
# max_length sits on the list itself (not on the Optional around it), so the schema says maxItems, as it means.
_ListChecks = (BeforeValidator(_one_or_many), AfterValidator(_unique))
ItemT = TypeVar("ItemT")
BoundedList = Annotated[list[ItemT], Field(max_length=MAX_FILTER_VALUES)]
IdFilter = Annotated[BoundedList[OpenAIId] | None, *_ListChecks]
ProjectIds = Annotated[IdFilter, Field(description="Only include these project ids, e.g. ['proj_abc123'].")]
UserIds = Annotated[IdFilter, Field(description="Only include these user ids, e.g. ['user-abc123'].")]
ApiKeyIds = Annotated[IdFilter, Field(description="Only include these API key ids, e.g. ['key_abc123'].")]
Models = Annotated[
    BoundedList[FilterValue] | None,
    *_ListChecks,
    Field(description="Only include these models, e.g. ['gpt-4o-2024-08-06']."),
]
Emails = Annotated[BoundedList[Email] | None, *_ListChecks, Field(description="Only include these email addresses.")]
EventTypes = Annotated[
    BoundedList[Annotated[str, AfterValidator(_event_type)]] | None,
    *_ListChecks,
    Field(
        description=(
            "Only these event types, e.g. ['api_key.created', 'api_key.deleted', 'user.added', 'user.deleted', "
            "'invite.sent', 'project.created', 'login.failed', 'service_account.created']."
        ),
    ),
]

StartTime = Annotated[
    int | str,
    BeforeValidator(_not_a_boolean),
    Field(description=f"Start of the range, inclusive. {TIME_FORMS}. Times are UTC."),
]
EndTime = Annotated[
    int | str | None,
    BeforeValidator(_not_a_boolean),
    Field(
        description=(
            "End of the range, EXCLUSIVE; same forms as start_time. A date means 00:00 UTC of that day, so all of "
            "October is start_time='2026-10-01', end_time='2026-11-01'. A named period means its end "
            "(end_time='yesterday' is 00:00 today). Default: now, or the end of the named period given as "
            "start_time (start_time='last month' alone covers all of last month)."
        )
    ),
]
GroupT = TypeVar("GroupT")
ChoiceT = TypeVar("ChoiceT")
# A filter whose values come from a fixed list (the Literal given), one value or several.
ChoiceFilter = Annotated[BoundedList[ChoiceT] | None, *_ListChecks]
GroupBy = Annotated[
    BoundedList[GroupT] | None,
    *_ListChecks,
    Field(description="Group by these fields (any combination); totals per group come back in `groups`."),
]
IncludeGroupRows = Annotated[
    bool,
    Field(
        description=(
            "Also return each bucket's per-group rows (large: one row per group per bucket). Default false: "
            "per-bucket totals and per-group totals over the whole range."
        )
    ),
]
UsageBucketWidth = Annotated[
    Literal["1m", "1h", "1d"],
    Field(description="Bucket size: '1d' (UTC days, default), '1h' or '1m'."),
]
# strict: true/false are not counts (pydantic would read true as 1).
Limit = Annotated[int, Field(strict=True, ge=1, le=100, description="Items per page, 1-100 (default 20).")]
After = Annotated[
    str | None,
    AfterValidator(lambda v: _cursor(v) if v is not None else v),
    Field(description="Paging cursor: pass `next_after` from the previous result to get the next page."),
]
OrgRole = Annotated[Literal["owner", "reader"], Field(description="Organization role: 'owner' or 'reader'.")]
ProjectRole = Annotated[Literal["owner", "member"], Field(description="Project role: 'owner' or 'member'.")]
Order = Annotated[
    Literal["asc", "desc"], Field(description="Sort order: 'asc' (oldest first) or 'desc' (newest first).")
]
