"""Pydantic models of the objects the OpenAI Admin API returns, lean when serialized."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from codex_mcp.money import USD, cents_to_usd
from codex_mcp.timeparse import iso


class Lean(BaseModel):
    """Base model whose JSON leaves out null fields, so results carry no null noise."""

    @model_serializer(mode="wrap")
    def _drop_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value is not None}


class ApiObject(Lean):
    """An API object: unknown fields pass through, and every `<x>_iso` field mirrors the Unix-seconds field `<x>`."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="after")
    def _fill_iso(self) -> ApiObject:
        for name in type(self).model_fields:
            if name.endswith("_iso") and getattr(self, name) is None:
                seconds = getattr(self, name.removesuffix("_iso"), None)
                if isinstance(seconds, int | float) and not isinstance(seconds, bool):
                    setattr(self, name, iso(seconds))
        return self


class User(ApiObject):
    """A member of the organization."""

    object: str = "organization.user"
    id: str
    name: str | None = None
    email: str | None = None
    role: str | None = Field(None, description="`owner` or `reader`.")
    added_at: int | None = Field(None, description="When the user joined, Unix seconds.")
    added_at_iso: str | None = Field(None, description="`added_at` as ISO-8601 UTC.")
    created: int | None = Field(None, description="When the user account was created, Unix seconds.")
    created_iso: str | None = None
    is_default: bool | None = None
    is_service_account: bool | None = None
    api_key_last_used_at: int | None = None
    api_key_last_used_at_iso: str | None = None


class UserDeleted(ApiObject):
    """Confirmation that a user was removed from the organization."""

    object: str = "organization.user.deleted"
    id: str
    deleted: bool


class InviteProject(Lean):
    """A project membership granted when an invite is accepted."""

    id: str
    role: str = Field(description="`member` or `owner`.")


class Invite(ApiObject):
    """An invitation to join the organization."""

    object: str = "organization.invite"
    id: str
    email: str
    role: str = Field(description="`owner` or `reader`.")
    status: str | None = Field(None, description="`pending`, `accepted` or `expired`.")
    created_at: int | None = None
    created_at_iso: str | None = None
    expires_at: int | None = None
    expires_at_iso: str | None = None
    accepted_at: int | None = None
    accepted_at_iso: str | None = None
    projects: list[InviteProject] | None = None


class Project(ApiObject):
    """A project in the organization."""

    object: str = "organization.project"
    id: str
    name: str | None = None
    status: str | None = Field(None, description="`active` or `archived`.")
    created_at: int | None = None
    created_at_iso: str | None = None
    archived_at: int | None = None
    archived_at_iso: str | None = None


class ApiKeyOwner(Lean):
    """Who owns a project API key: a user or a service account."""

    model_config = ConfigDict(extra="allow")

    type: str | None = Field(None, description="`user` or `service_account`.")
    user: dict[str, Any] | None = None
    service_account: dict[str, Any] | None = None


class ProjectApiKey(ApiObject):
    """A project API key (its secret is never returned, only a redacted form)."""

    object: str = "organization.project.api_key"
    id: str
    name: str | None = None
    redacted_value: str | None = None
    created_at: int | None = None
    created_at_iso: str | None = None
    last_used_at: int | None = None
    last_used_at_iso: str | None = None
    owner_project_access: str | None = None
    owner: ApiKeyOwner | None = None


class ServiceAccount(ApiObject):
    """A project service account."""

    object: str = "organization.project.service_account"
    id: str
    name: str | None = None
    role: str | None = Field(None, description="`owner`, `member` or `none`.")
    created_at: int | None = None
    created_at_iso: str | None = None


class AuditEvent(ApiObject):
    """One audit-log event; the type-specific payload (the API's key named after the type) is in `details`."""

    id: str
    type: str
    effective_at: int
    effective_at_iso: str | None = None
    actor: dict[str, Any] | None = None
    actor_summary: str | None = Field(None, description="Who did it, in one line (email or id, and how).")
    project: dict[str, Any] | None = None
    details: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift_details(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("type"), str) and raw["type"] in raw:
            raw = dict(raw)
            raw["details"] = raw.pop(raw["type"]) or None
        if isinstance(raw, dict) and raw.get("actor_summary") is None:
            raw = {**raw, "actor_summary": _actor_summary(raw.get("actor"))}
        return raw


def _actor_summary(actor: Any) -> str | None:
    if not isinstance(actor, dict):
        return None
    kind = actor.get("type")
    if kind == "session":
        session = actor.get("session") or {}
        user = session.get("user") or {}
        who = user.get("email") or user.get("id") or "unknown user"
        ip = session.get("ip_address")
        return f"{who} (web session{', from ' + ip if ip else ''})"
    if kind == "api_key":
        key = actor.get("api_key") or {}
        owner = key.get("user") or key.get("service_account") or {}
        who = owner.get("email") or owner.get("id") or "unknown owner"
        return f"{who} (API key {key.get('id', '?')}, {key.get('type', 'user')})"
    return str(kind) if kind else None


class ListPage(BaseModel):
    """One page of a list endpoint as the API returns it."""

    model_config = ConfigDict(extra="allow")

    data: list[dict[str, Any]]
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None


def _results(value: Any) -> list[dict[str, Any]]:
    """A bucket's results as the API sent them: a list of objects, checked for that shape and kept as they are (each
    value is read, and checked, by codex_mcp.rows; validating them here too would copy every row of every page)."""
    if not isinstance(value, list) or not all(isinstance(result, dict) for result in value):
        raise ValueError("results must be a list of objects")
    return value


class UsageBucket(BaseModel):
    """One time bucket of a usage or costs response."""

    model_config = ConfigDict(extra="allow")

    start_time: int
    end_time: int
    results: Annotated[list[dict[str, Any]], PlainValidator(_results)] = Field(default_factory=list)


class UsagePage(BaseModel):
    """One page of a usage or costs response."""

    model_config = ConfigDict(extra="allow")

    data: list[UsageBucket]
    has_more: bool = False
    next_page: str | None = None


ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a list endpoint: its items and the cursor for the next page (None when there is none)."""

    items: list[ItemT]
    has_more: bool
    next_after: str | None


@dataclass(frozen=True)
class UsageQuery:
    """What to ask a usage or costs endpoint for: a [start, end) range, bucket width, grouping and filters."""

    start_time: int
    end_time: int
    bucket_width: str = "1d"
    group_by: Sequence[str] = ()
    filters: Mapping[str, Sequence[str] | bool | None] = field(default_factory=dict)


@dataclass(frozen=True)
class BucketSeries:
    """Every bucket of a usage or costs query, gathered from all its pages (and from the cache of closed periods)."""

    source: str
    buckets: list[UsageBucket]
    pages: int  # pages requested from the API
    cached_buckets: int = 0  # buckets answered from memory instead of the API


# ---- budgets: spend limits, spend alerts, rate limits (the API's amounts are cents; these models show dollars)


class SpendLimitEnforcement(Lean):
    """Whether a hard spend limit is being enforced."""

    model_config = ConfigDict(extra="allow")

    status: str | None = Field(None, description="`enforcing` (the limit is reached) or `inactive`.")


class SpendLimit(ApiObject):
    """A hard monthly spend limit of the organization or of one project, as the API gives it (cents)."""

    object: str = "organization.spend_limit"
    threshold_amount: int = Field(description="The limit in cents.")
    currency: str = "USD"
    interval: str = "month"
    enforcement: SpendLimitEnforcement | None = None

    @property
    def amount_usd(self) -> Decimal:
        """The limit in US dollars."""
        return cents_to_usd(self.threshold_amount)

    @property
    def enforcing(self) -> bool:
        """Whether the month's spend has reached the limit and it is being enforced."""
        return self.enforcement is not None and self.enforcement.status == "enforcing"


class SpendAlertChannel(Lean):
    """Who is emailed when spend crosses an alert's threshold."""

    model_config = ConfigDict(extra="allow")

    type: str = "email"
    recipients: list[str] = Field(default_factory=list, description="Email addresses notified.")
    subject_prefix: str | None = Field(None, description="Prefix of the alert emails' subject.")


class SpendAlert(ApiObject):
    """A spend alert of the organization or of one project, as the API gives it (cents): an email when the month's
    spend reaches a threshold."""

    object: str = "organization.spend_alert"
    id: str
    threshold_amount: int = Field(description="The threshold in cents.")
    currency: str = "USD"
    interval: str = "month"
    notification_channel: SpendAlertChannel

    @property
    def threshold_usd(self) -> Decimal:
        """The threshold in US dollars."""
        return cents_to_usd(self.threshold_amount)

    def body(self) -> dict[str, Any]:
        """The alert as the API's create/update body (the whole alert: an update replaces every field)."""
        channel = self.notification_channel
        return {
            "threshold_amount": self.threshold_amount,
            "currency": self.currency,
            "interval": self.interval,
            "notification_channel": {
                "type": channel.type,
                "recipients": list(channel.recipients),
                "subject_prefix": channel.subject_prefix,
            },
        }


class SpendAlertView(Lean):
    """A spend alert as tools show it: its threshold in US dollars, never cents."""

    id: str
    threshold_usd: USD = Field(description="Email when the month's spend reaches this many US dollars.")
    interval: str = Field(description="`month`: spend is measured per calendar month (UTC).")
    currency: str
    recipients: list[str] = Field(description="Email addresses notified.")
    subject_prefix: str | None = Field(None, description="Text before the alert emails' subject.")

    @classmethod
    def of(cls, alert: SpendAlert) -> SpendAlertView:
        channel = alert.notification_channel
        return cls(
            id=alert.id,
            threshold_usd=alert.threshold_usd,
            interval=alert.interval,
            currency=alert.currency,
            recipients=channel.recipients,
            subject_prefix=channel.subject_prefix,
        )


class ObjectDeleted(ApiObject):
    """Confirmation that an object (a spend limit, a spend alert) was deleted."""

    object: str
    id: str | None = None
    deleted: bool


class RateLimit(ApiObject):
    """A project's rate limits for one model; fields absent do not apply to the model."""

    object: str = "project.rate_limit"
    id: str
    model: str
    max_requests_per_1_minute: int | None = None
    max_tokens_per_1_minute: int | None = None
    max_images_per_1_minute: int | None = None
    max_audio_megabytes_per_1_minute: int | None = None
    max_requests_per_1_day: int | None = None
    batch_1_day_max_input_tokens: int | None = None


# ---- governance: model permissions, data retention, certificates


class ModelPermissions(ApiObject):
    """The models a project may use: only those listed (`allow_list`) or all but those listed (`deny_list`)."""

    object: str = "project.model_permissions"
    project_id: str | None = Field(None, description="The project asked about.")
    mode: str = Field(description="`allow_list`: only model_ids may be used; `deny_list`: every model but model_ids.")
    model_ids: list[str] = Field(default_factory=list)


class DataRetention(ApiObject):
    """The data retention control of the organization or of one project."""

    object: str = "organization.data_retention"
    project_id: str | None = Field(None, description="The project asked about (absent for the organization).")
    type: str = Field(
        description=(
            "`zero_data_retention`, `modified_abuse_monitoring`, `enhanced_zero_data_retention`, "
            "`enhanced_modified_abuse_monitoring`; for a project also `none` or `organization_default` (the "
            "organization's setting applies)."
        )
    )


class Certificate(ApiObject):
    """An mTLS certificate uploaded to the organization, with `active` at the scope it was listed for."""

    object: str = "organization.certificate"
    id: str
    name: str | None = None
    active: bool | None = Field(None, description="Whether it is active at the organization (or project) level.")
    created_at: int | None = Field(None, description="When it was uploaded, Unix seconds.")
    created_at_iso: str | None = None
    valid_at: int | None = Field(None, description="When it becomes valid, Unix seconds.")
    valid_at_iso: str | None = None
    expires_at: int | None = Field(None, description="When it expires, Unix seconds.")
    expires_at_iso: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift_details(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("certificate_details"), dict):
            raw = dict(raw)
            details = raw.pop("certificate_details")
            raw.update({k: v for k, v in details.items() if k not in raw})
        return raw


class Deletion(ApiObject):
    """Confirmation that an object was deleted, revoked or removed: its type, its id and `deleted: true`."""

    object: str
    id: str
    deleted: bool


class ProjectUser(ApiObject):
    """A member of a project, with their role in that project."""

    object: str = "organization.project.user"
    id: str
    name: str | None = None
    email: str | None = None
    role: str | None = Field(None, description="Project role: `owner` or `member`.")
    added_at: int | None = Field(None, description="When the user joined the project, Unix seconds.")
    added_at_iso: str | None = Field(None, description="`added_at` as ISO-8601 UTC.")


class AdminApiKeyOwner(Lean):
    """The user who owns an admin API key."""

    model_config = ConfigDict(extra="allow")

    type: str | None = None
    id: str | None = None
    name: str | None = None
    role: str | None = None
    created_at: int | None = None


class AdminApiKey(ApiObject):
    """An organization admin API key (its secret is never returned, only a redacted form)."""

    object: str = "organization.admin_api_key"
    id: str
    name: str | None = None
    redacted_value: str | None = None
    created_at: int | None = None
    created_at_iso: str | None = None
    expires_at: int | None = Field(None, description="When the key expires, Unix seconds (absent: never).")
    expires_at_iso: str | None = None
    last_used_at: int | None = None
    last_used_at_iso: str | None = None
    owner: AdminApiKeyOwner | None = None


class Group(ApiObject):
    """A group of organization members (managed here or through SCIM by an identity provider)."""

    id: str
    name: str | None = None
    created_at: int | None = None
    created_at_iso: str | None = None
    is_scim_managed: bool | None = Field(None, description="Managed through SCIM by the identity provider.")
    group_type: str | None = Field(None, description="`group` or `tenant_group`.")


class GroupUser(ApiObject):
    """A member of a group."""

    id: str
    name: str | None = None
    email: str | None = None


class Role(ApiObject):
    """A role that can be assigned to users and groups: predefined by OpenAI or custom."""

    object: str = "role"
    id: str
    name: str | None = None
    description: str | None = None
    permissions: list[str] | None = None
    resource_type: str | None = Field(None, description="Where the role applies: `api.organization` or `api.project`.")
    predefined_role: bool | None = Field(None, description="True for roles predefined and managed by OpenAI.")


class NextCursorPage(BaseModel):
    """One page of a list endpoint that gives its cursor as `next` (groups, group users, roles), as the API returns
    it."""

    model_config = ConfigDict(extra="allow")

    data: list[dict[str, Any]]
    has_more: bool = False
    next: str | None = None
