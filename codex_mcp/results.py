"""What list tools return: one page of objects and how to get the next one."""

from __future__ import annotations

from typing import Generic, Self, TypeVar

from pydantic import Field

from codex_mcp.errors import InvalidArgumentError, shown
from codex_mcp.models import (
    AdminApiKey,
    AuditEvent,
    Certificate,
    Group,
    GroupUser,
    Invite,
    Lean,
    Page,
    Project,
    ProjectApiKey,
    ProjectUser,
    RateLimit,
    Role,
    ServiceAccount,
    SpendAlertView,
    User,
)

ItemT = TypeVar("ItemT", bound=Lean)


class PageResult(Lean, Generic[ItemT]):
    """One page of a list; when has_more is true, call again with after=next_after for the next page."""

    data: list[ItemT]
    count: int = Field(description="Number of items on this page.")
    has_more: bool = Field(description="True when more items follow; pass next_after as `after` to get them.")
    next_after: str | None = Field(None, description="Cursor for the next page (absent on the last page).")
    demo_data: bool | None = Field(None, description="True when the data comes from the built-in demo organization.")

    notes: list[str] | None = Field(None, description="Anything worth knowing about this page.")

    @classmethod
    def of(cls, page: Page[ItemT]) -> Self:
        return cls(data=page.items, count=len(page.items), has_more=page.has_more, next_after=page.next_after)

    @classmethod
    def of_matches(cls, matches: list[ItemT], *, limit: int, after: str | None, note: str) -> Self:
        """One page of `matches` (every match, in the API's order): the `limit` after the match whose id is
        `after`, with the cursor to the rest."""
        start = 0
        if after is not None:
            ids = [getattr(item, "id", None) for item in matches]
            if after not in ids:
                raise InvalidArgumentError(
                    f"after: {shown(after)} is not the id of a match; pass next_after from the previous page"
                )
            start = ids.index(after) + 1
        page = matches[start : start + limit]
        more = start + limit < len(matches)
        last = getattr(page[-1], "id", None) if page and more else None
        return cls(data=page, count=len(page), has_more=more, next_after=last, notes=[note])


class UserList(PageResult[User]):
    """A page of organization members."""


class InviteList(PageResult[Invite]):
    """A page of organization invites."""


class ProjectList(PageResult[Project]):
    """A page of projects."""


class ProjectApiKeyList(PageResult[ProjectApiKey]):
    """A page of a project's API keys."""


class ServiceAccountList(PageResult[ServiceAccount]):
    """A page of a project's service accounts."""


class AuditEventList(PageResult[AuditEvent]):
    """A page of audit-log events, newest first."""


class AdminApiKeyList(PageResult[AdminApiKey]):
    """A page of the organization's admin API keys."""


class ProjectUserList(PageResult[ProjectUser]):
    """A page of a project's members."""


class GroupList(PageResult[Group]):
    """A page of the organization's groups."""


class GroupUserList(PageResult[GroupUser]):
    """A page of a group's members."""


class RoleList(PageResult[Role]):
    """A page of the organization's roles."""


class SpendAlertList(PageResult[SpendAlertView]):
    """A page of spend alerts (thresholds in US dollars), oldest first."""


class RateLimitList(PageResult[RateLimit]):
    """A page of a project's rate limits, one per model."""


class CertificateList(PageResult[Certificate]):
    """A page of mTLS certificates, newest first."""
