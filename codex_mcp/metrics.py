"""The normalized CodingToolMetrics view, computed from completions usage, costs and the member list."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel, Field

from codex_mcp.models import BucketSeries, Lean, User
from codex_mcp.rows import UnreadableValues, flatten_row, sum_rows
from codex_mcp.timeparse import iso, iso_date

UNAVAILABLE_FIELDS = [
    "total_suggestions",
    "total_acceptances",
    "acceptance_rate_pct",
    "total_lines_suggested",
    "total_lines_accepted",
    "cost_per_accepted_suggestion_usd",
    "usage_by_language",
    "usage_by_editor",
]
DERIVATIONS = {
    "total_seats": "organization members (every page of GET /organization/users), service accounts excluded",
    "active_seats": "members with completions usage (num_model_requests > 0) in the period; usage by "
    "service-account keys has no user_id and is not counted. If the member list failed: distinct user_ids",
    "inactive_seats": "members with no completions usage in the period (total_seats - active_seats)",
    "seat_utilization_pct": "active_seats / total_seats * 100",
    "daily_active_users": "mean over the UTC days of the period of distinct user_ids with usage that day",
    "total_chat_interactions": "sum of num_model_requests over all completions usage",
    "total_cost_usd": "sum of amount.value (US dollars) over all daily cost buckets",
    "cost_per_user_usd": "total_cost_usd / active_seats",
    "usage_by_model": "completions usage grouped by model",
}


class ModelUsage(Lean):
    """Completions usage of one model over the period."""

    requests: int
    input_tokens: int
    output_tokens: int
    input_cached_tokens: int


class CodingToolMetrics(BaseModel):
    """A vendor-neutral summary for comparing AI coding tools. Every field of the schema is always present (a
    comparison across coding tools needs the same keys from every connector): null where the Admin API cannot give
    it (listed in metadata.unavailable_fields) or where its source failed (metadata.failed_sources)."""

    tool_name: str = "openai_codex"
    period: str = Field(description="ISO dates 'YYYY-MM-DD/YYYY-MM-DD', first and last UTC day, inclusive.")
    total_seats: int | None = None
    active_seats: int | None = None
    seat_utilization_pct: float | None = None
    inactive_seats: int | None = None
    total_suggestions: int | None = None
    total_acceptances: int | None = None
    acceptance_rate_pct: float | None = None
    total_lines_suggested: int | None = None
    total_lines_accepted: int | None = None
    total_chat_interactions: int | None = None
    daily_active_users: float | None = None
    total_cost_usd: float | None = None
    cost_per_user_usd: float | None = None
    cost_per_accepted_suggestion_usd: float | None = None
    usage_by_language: dict[str, Any] | None = None
    usage_by_editor: dict[str, Any] | None = None
    usage_by_model: dict[str, ModelUsage] | None = None
    metadata: dict[str, Any]


def compute_metrics(
    *,
    start_time: int,
    end_time: int,
    usage: BucketSeries | BaseException,
    costs: BucketSeries | BaseException,
    members: list[User] | BaseException,
    scope: dict[str, Any] | None = None,
) -> CodingToolMetrics:
    """Combine the three sources; a failed source leaves its fields null and is named in metadata."""
    metrics: dict[str, Any] = {}
    failed: dict[str, str] = {}
    metadata: dict[str, Any] = {
        "source": "OpenAI Admin API",
        "start_time": start_time,
        "start_time_iso": iso(start_time),
        "end_time": end_time,
        "end_time_iso": iso(end_time),
        "time_zone": "UTC",
        "unavailable_fields": UNAVAILABLE_FIELDS,
        "unavailable_reason": "The OpenAI Admin API reports requests, tokens and costs, not editor suggestions, "
        "acceptances, lines, languages or editors.",
        "derivations": DERIVATIONS,
    }
    metadata["scope"] = (
        {"filters": scope, "note": "usage and costs filtered; seats are organization-wide"}
        if scope
        else "organization-wide: all projects, users and API keys"
    )

    active_users: set[str] | None = None
    notes: list[str] = []
    if isinstance(usage, BaseException):
        failed["completions_usage"] = _reason(usage)
    else:
        active_users = _usage_fields(usage, metrics, metadata, notes)
        metrics["active_seats"] = len(active_users)
    if isinstance(costs, BaseException):
        failed["costs"] = _reason(costs)
    else:
        unreadable = UnreadableValues()
        rows = (flatten_row(r, unreadable, day=bucket.start_time) for bucket in costs.buckets for r in bucket.results)
        metrics["total_cost_usd"] = float(sum_rows(rows).get("amount_usd", 0.0))
        if note := unreadable.note("costs"):
            notes.append(note)
        metadata["cost_days"] = len(costs.buckets)
        metadata["cost_pages_fetched"] = costs.pages
    if isinstance(members, BaseException):
        failed["users"] = _reason(members)
    else:
        _seat_fields(members, active_users, metrics, metadata)

    active = metrics.get("active_seats")
    if metrics.get("total_cost_usd") is not None and active:
        metrics["cost_per_user_usd"] = round(metrics["total_cost_usd"] / active, 6)
    if notes:
        metadata["notes"] = notes
    metadata["complete"] = not failed
    if failed:
        metadata["failed_sources"] = failed
        metadata["note"] = "Some sources failed; fields that depend on them are null rather than partial: " + ", ".join(
            sorted(failed)
        )
    last_day = iso_date(max(start_time, end_time - 1))
    return CodingToolMetrics(period=f"{iso_date(start_time)}/{last_day}", metadata=metadata, **metrics)


def _usage_fields(usage: BucketSeries, metrics: dict[str, Any], metadata: dict[str, Any], notes: list[str]) -> set[str]:
    by_model: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    active: set[str] = set()
    daily_counts: list[int] = []
    unreadable = UnreadableValues()
    for bucket in usage.buckets:
        users_today: set[str] = set()
        for result in bucket.results:
            row = flatten_row(result, unreadable, day=bucket.start_time)
            requests = int(row.get("num_model_requests") or 0)
            model = str(row.get("model") or "unknown")
            for field, target in (
                ("num_model_requests", "requests"),
                ("input_tokens", "input_tokens"),
                ("output_tokens", "output_tokens"),
                ("input_cached_tokens", "input_cached_tokens"),
            ):
                value = int(row.get(field) or 0)
                by_model[model][target] += value
                totals[field] += value
            user = row.get("user_id")
            if isinstance(user, str) and user and requests > 0:
                users_today.add(user)
        daily_counts.append(len(users_today))
        active |= users_today
    metrics["total_chat_interactions"] = totals["num_model_requests"]
    metrics["usage_by_model"] = {
        model: ModelUsage(
            **{k: counts[k] for k in ("requests", "input_tokens", "output_tokens", "input_cached_tokens")}
        )
        for model, counts in sorted(by_model.items(), key=lambda item: -item[1]["requests"])
    }
    metrics["daily_active_users"] = round(sum(daily_counts) / len(daily_counts), 2) if daily_counts else 0.0
    metadata["usage_days"] = len(usage.buckets)
    metadata["usage_pages_fetched"] = usage.pages
    metadata["total_input_tokens"] = totals["input_tokens"]
    metadata["total_output_tokens"] = totals["output_tokens"]
    metadata["total_cached_input_tokens"] = totals["input_cached_tokens"]
    metadata["total_tokens"] = totals["input_tokens"] + totals["output_tokens"]
    metadata["distinct_active_user_ids"] = len(active)
    if note := unreadable.note("completions usage"):
        notes.append(note)
    return active


def _seat_fields(
    members: list[User], active_users: set[str] | None, metrics: dict[str, Any], metadata: dict[str, Any]
) -> None:
    member_ids = {member.id for member in members if not member.is_service_account}
    metrics["total_seats"] = len(member_ids)
    if excluded := len(members) - len(member_ids):
        metadata["service_account_members_excluded"] = excluded
    if active_users is None:
        return
    active_members = active_users & member_ids
    metrics["active_seats"] = len(active_members)
    metrics["inactive_seats"] = len(member_ids - active_members)
    metrics["seat_utilization_pct"] = round(100 * len(active_members) / len(member_ids), 2) if member_ids else 0.0
    if former := active_users - {member.id for member in members}:
        metadata["active_non_members"] = len(former)
        metadata["active_non_members_note"] = "user_ids with usage that are not current members (not seats)"


def _reason(error: BaseException) -> str:
    describe = getattr(error, "describe", None)
    return describe() if callable(describe) else f"{type(error).__name__}: {error}"
