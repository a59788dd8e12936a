"""The `budgets` toolset: hard spend limits and spend alerts in US dollars (organization-wide, or of one project),
and a project's rate limits."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from codex_mcp.client.budgets import NoSpendLimit
from codex_mcp.errors import AdminAPIError, InvalidArgumentError, shown
from codex_mcp.models import Lean, ObjectDeleted, Page, RateLimit, SpendAlertView, SpendLimit
from codex_mcp.money import CENT, MAX_USD, USD, format_usd, parse_usd, usd_to_cents
from codex_mcp.params import After, BoundedList, Email, Limit, OpenAIId, ProjectId
from codex_mcp.results import RateLimitList, SpendAlertList
from codex_mcp.state import app_state
from codex_mcp.tools import CHANGE, CREATE, READ, UPDATE, ToolSpec
from codex_mcp.tools.confirm import Confirmed, asking, require_confirmation

# Rate limit ids name the model ('rl-gpt-4.1-mini'), so unlike other ids they may hold dots; never '.' or '..'
# alone (the first character is a letter or digit), so still one safe path segment.
_RATE_LIMIT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_PREFIX = re.compile(r"[^\x00-\x1f\x7f]{0,100}")


def _rate_limit_id(value: str) -> str:
    if not _RATE_LIMIT_ID.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not a rate limit id: ids look like 'rl-gpt-4o-mini' (letters, digits, '.', '-' and "
            "'_', at most 128 characters). List them with codex_list_rate_limits"
        )
    return value


def _subject_prefix(value: str) -> str:
    if not _PREFIX.fullmatch(value):
        raise ValueError("the subject prefix must be at most 100 characters with no control characters (newlines, ...)")
    return value


def _limit_usd(value: object) -> Decimal:
    amount = parse_usd(value)
    if amount < CENT:
        raise ValueError("a spend limit must be at least $0.01; to remove the limit, use codex_delete_spend_limit")
    return amount


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _amount_schema(minimum: Decimal) -> WithJsonSchema:
    return WithJsonSchema({"type": "number", "minimum": float(minimum), "maximum": float(MAX_USD)})


OptionalProjectId = Annotated[
    OpenAIId | None,
    Field(
        description=(
            "A project's id, e.g. 'proj_abc123' (from codex_list_projects): that project's own. Omit for the "
            "organization-wide one."
        )
    ),
]
AlertId = Annotated[OpenAIId, Field(description="The spend alert's id, e.g. 'alert_abc123' (codex_list_spend_alerts).")]
LimitUsd = Annotated[
    Decimal,
    BeforeValidator(_limit_usd),
    _amount_schema(CENT),
    Field(
        description=(
            "The hard limit per calendar month in US DOLLARS (not cents), whole cents: e.g. 5000 or 1234.56; "
            "$0.01 to $10,000,000."
        )
    ),
]
ThresholdUsd = Annotated[
    Decimal,
    BeforeValidator(parse_usd),
    _amount_schema(Decimal(0)),
    Field(
        description=(
            "Alert when the month's spend reaches this many US DOLLARS (not cents), whole cents: e.g. 1800 or "
            "249.99; $0 to $10,000,000."
        )
    ),
]
Recipients = Annotated[
    BoundedList[Email],
    BeforeValidator(_one_or_many),
    Field(min_length=1, description="Email addresses to notify, e.g. ['finance@example.com'] (at least one)."),
]
SubjectPrefix = Annotated[
    str,
    AfterValidator(_subject_prefix),
    Field(description="Text put before the alert emails' subject, e.g. '[OpenAI spend]' (at most 100 characters)."),
]
RateLimitId = Annotated[
    str,
    AfterValidator(_rate_limit_id),
    Field(description="The rate limit's id, e.g. 'rl-gpt-4o-mini' (from codex_list_rate_limits)."),
]
RateLimitPageSize = Annotated[int, Field(strict=True, ge=1, le=100, description="Items per page, 1-100 (default 100).")]
RateLimitValue = Annotated[int | None, Field(strict=True, ge=1, le=10**15)]


class SpendLimitResult(Lean):
    """The hard monthly spend limit of the organization or of one project, in US dollars."""

    scope: Literal["organization", "project"]
    project_id: str | None = None
    limit_set: bool = Field(description="False when no hard spend limit is set (spend is not capped).")
    amount_usd: USD | None = Field(None, description="The hard limit per calendar month (UTC), in US dollars.")
    currency: str | None = None
    interval: str | None = Field(None, description="`month`: spend is measured per calendar month (UTC).")
    enforcement_status: str | None = Field(
        None, description="`enforcing`: the month's spend reached the limit and it is being enforced; `inactive`."
    )
    note: str | None = None

    @classmethod
    def of(cls, limit: SpendLimit | None, project_id: str | None) -> SpendLimitResult:
        scope: Literal["organization", "project"] = "organization" if project_id is None else "project"
        if limit is None:
            note = f"No hard spend limit is set for {_scope_name(project_id)}."
            return cls(scope=scope, project_id=project_id, limit_set=False, note=note)
        return cls(
            scope=scope,
            project_id=project_id,
            limit_set=True,
            amount_usd=limit.amount_usd,
            currency=limit.currency,
            interval=limit.interval,
            enforcement_status=limit.enforcement.status if limit.enforcement else None,
        )


class SpendLimitDeletion(Lean):
    """The outcome of removing a hard spend limit."""

    scope: Literal["organization", "project"]
    project_id: str | None = None
    deleted: bool | None = Field(
        None,
        description="True when a limit was removed; false when none was set; absent when an earlier attempt got no "
        "answer and may be what removed it (the note says so).",
    )
    note: str | None = None


# ---- spend limits


async def codex_get_spend_limit(ctx: Context, project_id: OptionalProjectId = None) -> SpendLimitResult:
    """Get the hard monthly spend limit in US dollars: the organization's, or one project's when project_id is given.

    Returns amount_usd (dollars, not cents) per calendar month (UTC) and enforcement_status ('enforcing' once the
    month's spend has reached the limit). When no limit is set, limit_set is false: that is an answer, not an error.
    """
    limit = await app_state(ctx).client.get_spend_limit(project_id=project_id)
    return SpendLimitResult.of(limit, project_id)


async def _setting_limit(ctx: Context, amount_usd: Decimal, project_id: str | None) -> str:
    return f"Set {await _limit_name(ctx, project_id)} to {format_usd(amount_usd)}{await _current(ctx, project_id)}"


async def codex_set_spend_limit(
    ctx: Context,
    amount_usd: LimitUsd,
    confirmation: Annotated[Confirmed, asking(_setting_limit)],
    project_id: OptionalProjectId = None,
) -> SpendLimitResult:
    """Set (create or replace) the hard monthly spend limit in US dollars, org-wide or for one project.

    Without project_id: the organization's limit; with it: that project's. amount_usd is dollars, not cents, with at
    most two decimals (5000, 1234.56). A hard limit caps the month's spend, so one below what was already spent this
    month is enforced at once. Returns the limit as now set. Acts at once: confirm the amount with the person first;
    clients that can ask the person (elicitation) are asked to confirm.
    """
    require_confirmation(confirmation, "codex_set_spend_limit")
    client = app_state(ctx).client
    limit = await client.set_spend_limit(threshold_cents=usd_to_cents(amount_usd), project_id=project_id)
    return SpendLimitResult.of(limit, project_id)


async def _deleting_limit(ctx: Context, project_id: str | None) -> str:
    return f"Delete {await _limit_name(ctx, project_id)}{await _current(ctx, project_id, of=True)}"


async def codex_delete_spend_limit(
    ctx: Context,
    confirmation: Annotated[Confirmed, asking(_deleting_limit)],
    project_id: OptionalProjectId = None,
) -> SpendLimitDeletion:
    """Remove the hard monthly spend limit, org-wide or for one project, so that spend is no longer capped.

    Without project_id: the organization's limit; with it: that project's. Spend alerts stay. When no limit is set,
    deleted is false and nothing changes. Acts at once: confirm with the person first; clients that can ask the
    person (elicitation) are asked to confirm.
    """
    require_confirmation(confirmation, "codex_delete_spend_limit")
    deleted = await app_state(ctx).client.delete_spend_limit(project_id=project_id)
    scope: Literal["organization", "project"] = "organization" if project_id is None else "project"
    if isinstance(deleted, NoSpendLimit):
        if deleted.retried:  # the first attempt got no answer: it may be what removed the limit
            note = (
                f"No hard spend limit is set for {_scope_name(project_id)} now. The first attempt got no answer and "
                "was retried, so it was most likely that attempt that removed it (codex_get_spend_limit shows the "
                "state)."
            )
            return SpendLimitDeletion(scope=scope, project_id=project_id, deleted=None, note=note)
        note = f"No hard spend limit is set for {_scope_name(project_id)}, so there was nothing to delete."
        return SpendLimitDeletion(scope=scope, project_id=project_id, deleted=False, note=note)
    return SpendLimitDeletion(scope=scope, project_id=project_id, deleted=deleted.deleted)


# ---- spend alerts


async def codex_list_spend_alerts(
    ctx: Context, project_id: OptionalProjectId = None, limit: Limit = 20, after: After = None
) -> SpendAlertList:
    """List spend alerts, oldest first: emails sent when the month's spend reaches threshold_usd (US dollars).

    Without project_id: the organization-wide alerts; with it: that project's own (each list holds only its own).
    Each has id, threshold_usd, interval 'month', recipients and subject_prefix. One page per
    call (limit 1-100, default 20); when has_more is true, call again with after=next_after.
    """
    page = await app_state(ctx).client.list_spend_alerts(project_id=project_id, limit=limit, after=after)
    return SpendAlertList.of(Page([SpendAlertView.of(a) for a in page.items], page.has_more, page.next_after))


async def codex_create_spend_alert(
    ctx: Context,
    threshold_usd: ThresholdUsd,
    recipients: Recipients,
    subject_prefix: Annotated[
        SubjectPrefix | None, Field(description="Optional text before the emails' subject.")
    ] = None,
    project_id: OptionalProjectId = None,
) -> SpendAlertView:
    """Create a spend alert: email the recipients when the month's spend reaches threshold_usd (US dollars).

    Without project_id: an organization-wide alert; with it: an alert on that project's spend. threshold_usd is
    dollars, not cents. Returns the alert. Not retried on ambiguous failures, so it never creates a duplicate; after
    an error, check codex_list_spend_alerts before creating it again.
    """
    alert = await app_state(ctx).client.create_spend_alert(
        threshold_cents=usd_to_cents(threshold_usd),
        recipients=recipients,
        subject_prefix=subject_prefix or None,
        project_id=project_id,
    )
    return SpendAlertView.of(alert)


async def codex_update_spend_alert(
    ctx: Context,
    alert_id: AlertId,
    project_id: OptionalProjectId = None,
    threshold_usd: Annotated[
        ThresholdUsd | None, Field(description="New threshold in US DOLLARS (not cents), whole cents, e.g. 1800.")
    ] = None,
    recipients: Annotated[Recipients | None, Field(description="New list of email addresses (replaces it).")] = None,
    subject_prefix: Annotated[
        SubjectPrefix | None, Field(description="New subject prefix; '' removes the prefix.")
    ] = None,
) -> SpendAlertView:
    """Change a spend alert's threshold (US dollars), recipients or subject prefix; the rest stays as it was.

    Give project_id for a project's alert. threshold_usd is dollars, not cents; recipients replaces the whole list;
    subject_prefix '' removes the prefix. The API replaces the whole alert, so the alert is read first and its other
    fields are sent unchanged. Returns the alert as now set.
    """
    if threshold_usd is None and recipients is None and subject_prefix is None:
        raise InvalidArgumentError(
            "nothing to change: give threshold_usd, recipients or subject_prefix; nothing was sent"
        )
    alert = await app_state(ctx).client.modify_spend_alert(
        alert_id=alert_id,
        project_id=project_id,
        threshold_cents=usd_to_cents(threshold_usd) if threshold_usd is not None else None,
        recipients=recipients,
        subject_prefix=subject_prefix,
    )
    return SpendAlertView.of(alert)


async def _deleting_alert(ctx: Context, alert_id: str, project_id: str | None) -> str:
    try:
        alert = await app_state(ctx).client.get_spend_alert(alert_id=alert_id, project_id=project_id)
    except AdminAPIError:
        what = f"spend alert {alert_id}"
    else:
        what = f"{format_usd(alert.threshold_usd)} spend alert"
    if project_id is None:
        return f"Delete the organization's {what}"
    return f"Delete the {what} of {await _project_name(ctx, project_id)}"


async def codex_delete_spend_alert(
    ctx: Context,
    alert_id: AlertId,
    confirmation: Annotated[Confirmed, asking(_deleting_alert)],
    project_id: OptionalProjectId = None,
) -> ObjectDeleted:
    """Delete a spend alert (organization-wide, or a project's when project_id is given); its emails stop.

    Returns {id, deleted: true}. Acts at once: confirm with the person first; clients that can ask the person
    (elicitation) are asked to confirm.
    """
    require_confirmation(confirmation, "codex_delete_spend_alert")
    return await app_state(ctx).client.delete_spend_alert(alert_id=alert_id, project_id=project_id)


# ---- rate limits


async def codex_list_rate_limits(
    ctx: Context, project_id: ProjectId, limit: RateLimitPageSize = 100, after: After = None
) -> RateLimitList:
    """List a project's rate limits, one per model: id, model and the limits that apply to that model.

    Limits: max_requests_per_1_minute, max_tokens_per_1_minute, and where they apply max_images_per_1_minute,
    max_audio_megabytes_per_1_minute, max_requests_per_1_day, batch_1_day_max_input_tokens. One page per call
    (limit 1-100, default 100); when has_more is true, call again with after=next_after.
    """
    page = await app_state(ctx).client.list_rate_limits(project_id=project_id, limit=limit, after=after)
    return RateLimitList.of(page)


async def codex_update_rate_limit(
    ctx: Context,
    project_id: ProjectId,
    rate_limit_id: RateLimitId,
    max_requests_per_1_minute: Annotated[RateLimitValue, Field(description="Requests per minute.")] = None,
    max_tokens_per_1_minute: Annotated[RateLimitValue, Field(description="Tokens per minute.")] = None,
    max_images_per_1_minute: Annotated[RateLimitValue, Field(description="Images per minute.")] = None,
    max_audio_megabytes_per_1_minute: Annotated[RateLimitValue, Field(description="Audio MB per minute.")] = None,
    max_requests_per_1_day: Annotated[RateLimitValue, Field(description="Requests per day.")] = None,
    batch_1_day_max_input_tokens: Annotated[RateLimitValue, Field(description="Batch input tokens per day.")] = None,
) -> RateLimit:
    """Change a project's rate limits for one model; the limits not given stay as they are.

    rate_limit_id comes from codex_list_rate_limits. A project's limit can be lowered below the organization's limit
    for the model, or raised back up to it, never above it; only the limits the model lists apply to it. Returns the
    model's limits as now set.
    """
    limits = {
        name: value
        for name, value in {
            "max_requests_per_1_minute": max_requests_per_1_minute,
            "max_tokens_per_1_minute": max_tokens_per_1_minute,
            "max_images_per_1_minute": max_images_per_1_minute,
            "max_audio_megabytes_per_1_minute": max_audio_megabytes_per_1_minute,
            "max_requests_per_1_day": max_requests_per_1_day,
            "batch_1_day_max_input_tokens": batch_1_day_max_input_tokens,
        }.items()
        if value is not None
    }
    if not limits:
        raise InvalidArgumentError(
            "nothing to change: give at least one limit, e.g. max_requests_per_1_minute; nothing was sent"
        )
    return await app_state(ctx).client.update_rate_limit(
        project_id=project_id, rate_limit_id=rate_limit_id, limits=limits
    )


# ---- how the confirmation question names things


def _scope_name(project_id: str | None) -> str:
    return "the organization" if project_id is None else f"project {project_id}"


async def _limit_name(ctx: Context, project_id: str | None) -> str:
    if project_id is None:
        return "the organization's monthly spend limit"
    return f"the monthly spend limit of {await _project_name(ctx, project_id)}"


async def _current(ctx: Context, project_id: str | None, *, of: bool = False) -> str:
    """' (now $4,000.00)' (or ' of $4,000.00'), ' (none is set now)', or nothing when the lookup fails."""
    try:
        limit = await app_state(ctx).client.get_spend_limit(project_id=project_id)
    except AdminAPIError:
        return ""
    if limit is None:
        return " (none is set now)"
    return f" of {format_usd(limit.amount_usd)}" if of else f" (now {format_usd(limit.amount_usd)})"


async def _project_name(ctx: Context, project_id: str) -> str:
    """ "project 'Chat Widget'" as a person recognises it; the id when the lookup fails."""
    try:
        project = await app_state(ctx).client.get_project(project_id=project_id)
    except AdminAPIError:
        return f"project {project_id}"
    return f"project '{project.name}'" if project.name else f"project {project_id}"


TOOLS = [
    ToolSpec(codex_get_spend_limit, "Get the spend limit", READ),
    ToolSpec(codex_set_spend_limit, "Set the spend limit", CHANGE),
    ToolSpec(codex_delete_spend_limit, "Remove the spend limit", CHANGE),
    ToolSpec(codex_list_spend_alerts, "List spend alerts", READ),
    ToolSpec(codex_create_spend_alert, "Create a spend alert", CREATE),
    ToolSpec(codex_update_spend_alert, "Change a spend alert", UPDATE),
    ToolSpec(codex_delete_spend_alert, "Delete a spend alert", CHANGE),
    ToolSpec(codex_list_rate_limits, "List a project's rate limits", READ),
    ToolSpec(codex_update_rate_limit, "Change a project's rate limits", UPDATE),
]
