"""Spend limits and spend alerts (organization and project, amounts in cents) and project rate limits."""

from __future__ import annotations

import httpx

from codex_mcp.demo.entities import Project, RateLimit, SpendAlert, SpendLimit
from codex_mcp.demo.paging import Paging, list_page
from codex_mcp.demo.protocol import EMAIL_RE, JSON, EndpointGroup, Field, Query, Route, bad, not_found, read_body
from codex_mcp.demo.sample_budgets import MODEL_RATE_LIMITS

SPEND_ALERTS = Paging(default=20, maximum=100, minimum=0, order="asc", before=True)
RATE_LIMITS = Paging(default=100, maximum=100, before=True)
SPEND_LIMIT_BODY = {
    "threshold_amount": Field("integer", required=True, minimum=1),
    "currency": Field("string", required=True, enum=("USD",)),
    "interval": Field("string", required=True, enum=("month",)),
}
SPEND_ALERT_BODY = {  # create and update alike: an update replaces the whole alert
    "threshold_amount": Field("integer", required=True, minimum=0),
    "currency": Field("string", required=True, enum=("USD",)),
    "interval": Field("string", required=True, enum=("month",)),
    "notification_channel": Field(
        "object",
        required=True,
        properties={
            "type": Field("string", required=True, enum=("email",)),
            "recipients": Field("array", required=True, items=Field("string")),
            "subject_prefix": Field("string"),
        },
    ),
}
RATE_LIMIT_FIELDS = (
    "max_requests_per_1_minute",
    "max_tokens_per_1_minute",
    "max_images_per_1_minute",
    "max_audio_megabytes_per_1_minute",
    "max_requests_per_1_day",
    "batch_1_day_max_input_tokens",
)
RATE_LIMIT_BODY = {name: Field("integer", minimum=1) for name in RATE_LIMIT_FIELDS}


class BudgetEndpoints(EndpointGroup):
    """`/organization/spend_limit`, `/organization/spend_alerts...`, their project twins, and rate limits."""

    def routes(self) -> list[Route]:
        project = r"/organization/projects/([^/]+)"
        alert = r"/organization/spend_alerts/([^/]+)"
        return [
            ("GET", r"/organization/spend_limit", self._get_limit),
            ("POST", r"/organization/spend_limit", self._set_limit),
            ("DELETE", r"/organization/spend_limit", self._delete_limit),
            ("GET", rf"{project}/spend_limit", self._get_limit),
            ("POST", rf"{project}/spend_limit", self._set_limit),
            ("DELETE", rf"{project}/spend_limit", self._delete_limit),
            ("GET", r"/organization/spend_alerts", self._list_alerts),
            ("POST", r"/organization/spend_alerts", self._create_alert),
            ("GET", alert, lambda request, query, alert_id: self._get_alert(request, query, None, alert_id)),
            ("POST", alert, lambda request, query, alert_id: self._update_alert(request, query, None, alert_id)),
            ("DELETE", alert, lambda request, query, alert_id: self._delete_alert(request, query, None, alert_id)),
            ("GET", rf"{project}/spend_alerts", self._list_alerts),
            ("POST", rf"{project}/spend_alerts", self._create_alert),
            ("GET", rf"{project}/spend_alerts/([^/]+)", self._get_alert),
            ("POST", rf"{project}/spend_alerts/([^/]+)", self._update_alert),
            ("DELETE", rf"{project}/spend_alerts/([^/]+)", self._delete_alert),
            ("GET", rf"{project}/rate_limits", self._list_rate_limits),
            ("POST", rf"{project}/rate_limits/([^/]+)", self._update_rate_limit),
        ]

    def _scope(self, project_id: str | None, *, writing: bool = False) -> tuple[Project | None, str]:
        """The project a budget route is about (None: the organization) and its objects' prefix."""
        if project_id is None:
            return None, "organization"
        return (self.active_project(project_id) if writing else self.project(project_id)), "project"

    # ------------------------------------------------------------------ spend limits

    def _get_limit(self, _request: httpx.Request, query: Query, project_id: str | None = None) -> JSON:
        query.allow(())
        project, prefix = self._scope(project_id)
        return self._limit_json(project, prefix, self._existing_limit(project))

    def _set_limit(self, request: httpx.Request, query: Query, project_id: str | None = None) -> JSON:
        query.allow(())
        project, prefix = self._scope(project_id, writing=True)
        body = read_body(request, SPEND_LIMIT_BODY)
        limit = SpendLimit(body["threshold_amount"], body["currency"], body["interval"])
        self.org.budgets.set_limit(project, limit)
        return self._limit_json(project, prefix, limit)

    def _delete_limit(self, _request: httpx.Request, query: Query, project_id: str | None = None) -> JSON:
        query.allow(())
        project, prefix = self._scope(project_id, writing=True)
        self._existing_limit(project)
        self.org.budgets.set_limit(project, None)
        return {"object": f"{prefix}.spend_limit.deleted", "deleted": True}

    def _existing_limit(self, project: Project | None) -> SpendLimit:
        limit = self.org.budgets.limit_of(project)
        if limit is None:
            whose = "this organization" if project is None else f"project {project.id}"
            raise not_found(f"No hard spend limit is set for {whose}.", "spend_limit_not_found")
        return limit

    def _limit_json(self, project: Project | None, prefix: str, limit: SpendLimit) -> JSON:
        enforcing = self.org.budgets.spent_this_month(project) >= limit.threshold_amount
        return {
            "object": f"{prefix}.spend_limit",
            "threshold_amount": limit.threshold_amount,
            "currency": limit.currency,
            "interval": limit.interval,
            "enforcement": {"status": "enforcing" if enforcing else "inactive"},
        }

    # ------------------------------------------------------------------ spend alerts

    def _alert(self, project: Project | None, alert_id: str) -> SpendAlert:
        alert = next((a for a in self.org.budgets.alerts_of(project) if a.id == alert_id), None)
        if alert is None:
            raise not_found(f"No such spend alert: {alert_id[:80]}", "spend_alert_not_found")
        return alert

    def _list_alerts(self, _request: httpx.Request, query: Query, project_id: str | None = None) -> JSON:
        query.allow(SPEND_ALERTS.params)
        project, prefix = self._scope(project_id)
        alerts = self.org.budgets.alerts_of(project)
        return list_page(alerts, query, SPEND_ALERTS, lambda a: alert_json(prefix, a))

    def _get_alert(self, _request: httpx.Request, query: Query, project_id: str | None, alert_id: str) -> JSON:
        query.allow(())
        project, prefix = self._scope(project_id)
        return alert_json(prefix, self._alert(project, alert_id))

    def _create_alert(self, request: httpx.Request, query: Query, project_id: str | None = None) -> JSON:
        query.allow(())
        project, prefix = self._scope(project_id, writing=True)
        body = read_body(request, SPEND_ALERT_BODY)
        alert = SpendAlert("", 0, [], None, self.now)
        _apply_alert_body(alert, body)
        alert.id = self.new_id("alert_", 24)
        self.org.budgets.alerts_of(project).append(alert)
        return alert_json(prefix, alert)

    def _update_alert(self, request: httpx.Request, query: Query, project_id: str | None, alert_id: str) -> JSON:
        query.allow(())
        project, prefix = self._scope(project_id, writing=True)
        alert = self._alert(project, alert_id)
        _apply_alert_body(alert, read_body(request, SPEND_ALERT_BODY))
        return alert_json(prefix, alert)

    def _delete_alert(self, _request: httpx.Request, query: Query, project_id: str | None, alert_id: str) -> JSON:
        query.allow(())
        project, prefix = self._scope(project_id, writing=True)
        alert = self._alert(project, alert_id)
        self.org.budgets.alerts_of(project).remove(alert)
        return {"id": alert.id, "object": f"{prefix}.spend_alert.deleted", "deleted": True}

    # ------------------------------------------------------------------ rate limits

    def _list_rate_limits(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(RATE_LIMITS.params)
        project = self.project(project_id)
        return list_page(self.org.budgets.rate_limits(project), query, RATE_LIMITS, rate_limit_json)

    def _update_rate_limit(self, request: httpx.Request, query: Query, project_id: str, rate_limit_id: str) -> JSON:
        query.allow(())
        project = self.active_project(project_id)
        limit = next((r for r in self.org.budgets.rate_limits(project) if r.id == rate_limit_id), None)
        if limit is None:
            raise not_found(f"No such rate limit in project {project.id}: {rate_limit_id[:80]}", "rate_limit_not_found")
        changes = {k: v for k, v in read_body(request, RATE_LIMIT_BODY).items() if v is not None}
        ceiling = MODEL_RATE_LIMITS.get(limit.model, {})
        for name, value in changes.items():
            if name not in limit.limits:
                raise bad(f"Invalid value for '{name}': it does not apply to model {limit.model}.", name)
            if value > ceiling.get(name, value):
                raise bad(
                    f"Invalid value for '{name}': {value} is above the organization's limit of {ceiling[name]} "
                    f"for {limit.model}.",
                    name,
                )
        limit.limits.update(changes)
        if changes:
            details = {"id": limit.id, "changes_requested": changes}
            self.org.append_audit_event("rate_limit.updated", {"details": details, "project": project})
        return rate_limit_json(limit)


def _apply_alert_body(alert: SpendAlert, body: JSON) -> None:
    channel = body["notification_channel"]
    recipients: list[str] = channel["recipients"]
    if not recipients:
        raise bad(
            "Invalid value for 'notification_channel.recipients': give at least one email address.",
            "notification_channel.recipients",
        )
    for index, email in enumerate(recipients):
        if not EMAIL_RE.match(email):
            param = f"notification_channel.recipients[{index}]"
            raise bad(f"Invalid value for '{param}': {email[:80]!r} is not an email address.", param)
    alert.threshold_amount = body["threshold_amount"]
    alert.currency, alert.interval = body["currency"], body["interval"]
    alert.recipients = list(recipients)
    alert.subject_prefix = channel.get("subject_prefix")


def alert_json(prefix: str, alert: SpendAlert) -> JSON:
    return {
        "id": alert.id,
        "object": f"{prefix}.spend_alert",
        "threshold_amount": alert.threshold_amount,
        "currency": alert.currency,
        "interval": alert.interval,
        "notification_channel": {
            "type": "email",
            "recipients": list(alert.recipients),
            "subject_prefix": alert.subject_prefix,
        },
    }


def rate_limit_json(limit: RateLimit) -> JSON:
    return {"object": "project.rate_limit", "id": limit.id, "model": limit.model, **limit.limits}
