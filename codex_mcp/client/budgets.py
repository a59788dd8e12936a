"""Budget endpoints: spend limits and spend alerts (organization-wide, or of one project; amounts in cents) and a
project's rate limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codex_mcp.client.failures import validate
from codex_mcp.client.paging import PagingClient
from codex_mcp.client.query import path_id
from codex_mcp.client.request import Creation
from codex_mcp.errors import NotFoundError
from codex_mcp.models import ObjectDeleted, Page, RateLimit, SpendAlert, SpendLimit

SPEND_ALERT = Creation("spend alert", "codex_list_spend_alerts")
# The code of the 404 that means "no spend limit is set" (a wrong project id answers project_not_found instead).
SPEND_LIMIT_NOT_SET = "spend_limit_not_found"
CURRENCY = "USD"  # the only currency and interval the spec allows
INTERVAL = "month"


def scope(project_id: str | None) -> str:
    """The path that owns a budget: the organization, or one project."""
    return "/organization" if project_id is None else f"/organization/projects/{path_id(project_id)}"


@dataclass(frozen=True)
class NoSpendLimit:
    """What removing a spend limit finds when none is set. `retried`: an earlier attempt of this delete got no
    answer, so that attempt may be what removed it."""

    retried: bool


class BudgetEndpoints(PagingClient):
    """Spend limits, spend alerts and rate limits. `project_id=None` means the organization's own."""

    # ---- spend limits

    async def get_spend_limit(self, *, project_id: str | None = None) -> SpendLimit | None:
        """The hard monthly spend limit of the organization (or of the project); None when none is set."""
        try:
            raw = await self.request("GET", f"{scope(project_id)}/spend_limit")
        except NotFoundError as error:
            if error.code == SPEND_LIMIT_NOT_SET:
                return None
            raise
        return validate(SpendLimit, raw, "spend limit")

    async def set_spend_limit(self, *, threshold_cents: int, project_id: str | None = None) -> SpendLimit:
        """Create or replace the hard monthly spend limit (a replace, so retried like a GET)."""
        body = {"threshold_amount": threshold_cents, "currency": CURRENCY, "interval": INTERVAL}
        raw = await self.request("POST", f"{scope(project_id)}/spend_limit", body=body, idempotent=True)
        return validate(SpendLimit, raw, "spend limit")

    async def delete_spend_limit(self, *, project_id: str | None = None) -> ObjectDeleted | NoSpendLimit:
        """Remove the hard monthly spend limit; NoSpendLimit when none is set (nothing left to remove)."""
        try:
            raw = await self.request("DELETE", f"{scope(project_id)}/spend_limit")
        except NotFoundError as error:
            if error.code == SPEND_LIMIT_NOT_SET:
                return NoSpendLimit(retried=error.attempts > 1)
            raise
        return validate(ObjectDeleted, raw, "spend limit deletion")

    # ---- spend alerts

    async def list_spend_alerts(
        self, *, limit: int, after: str | None, project_id: str | None = None
    ) -> Page[SpendAlert]:
        """One page of spend alerts, oldest first."""
        return await self.list_page(f"{scope(project_id)}/spend_alerts", SpendAlert, limit=limit, after=after)

    async def all_spend_alerts(self, *, project_id: str | None = None) -> list[SpendAlert]:
        """Every spend alert of the organization (or of the project), all pages."""
        return await self.list_all(f"{scope(project_id)}/spend_alerts", SpendAlert)

    async def get_spend_alert(self, *, alert_id: str, project_id: str | None = None) -> SpendAlert:
        """One spend alert by id."""
        raw = await self._alert_request("GET", alert_id, project_id)
        return validate(SpendAlert, raw, "spend alert")

    async def create_spend_alert(
        self,
        *,
        threshold_cents: int,
        recipients: Sequence[str],
        subject_prefix: str | None = None,
        project_id: str | None = None,
    ) -> SpendAlert:
        """Create a spend alert (not retried unless provably unprocessed, so never duplicated)."""
        channel: dict[str, Any] = {"type": "email", "recipients": list(recipients)}
        if subject_prefix is not None:
            channel["subject_prefix"] = subject_prefix
        body = {
            "threshold_amount": threshold_cents,
            "currency": CURRENCY,
            "interval": INTERVAL,
            "notification_channel": channel,
        }
        raw = await self.request("POST", f"{scope(project_id)}/spend_alerts", body=body, creates=SPEND_ALERT)
        return validate(SpendAlert, raw, "spend alert")

    async def modify_spend_alert(
        self,
        *,
        alert_id: str,
        project_id: str | None = None,
        threshold_cents: int | None = None,
        recipients: Sequence[str] | None = None,
        subject_prefix: str | None = None,
    ) -> SpendAlert:
        """Change some of an alert's fields. The API's update replaces the whole alert, so the alert is read first
        and every field not given is sent as it was. None keeps a field; subject_prefix '' removes the prefix."""
        body = (await self.get_spend_alert(alert_id=alert_id, project_id=project_id)).body()
        if threshold_cents is not None:
            body["threshold_amount"] = threshold_cents
        if recipients is not None:
            body["notification_channel"]["recipients"] = list(recipients)
        if subject_prefix is not None:
            body["notification_channel"]["subject_prefix"] = subject_prefix or None
        raw = await self._alert_request("POST", alert_id, project_id, body=body)
        return validate(SpendAlert, raw, "spend alert")

    async def delete_spend_alert(self, *, alert_id: str, project_id: str | None = None) -> ObjectDeleted:
        """Delete a spend alert."""
        raw = await self._alert_request("DELETE", alert_id, project_id)
        return validate(ObjectDeleted, raw, "spend alert deletion")

    async def _alert_request(
        self, method: str, alert_id: str, project_id: str | None, *, body: dict[str, Any] | None = None
    ) -> Any:
        """A request about one alert (an update is a whole replace, so retried like a GET); a 404 says where the
        alert would have to be."""
        path = f"{scope(project_id)}/spend_alerts/{path_id(alert_id)}"
        try:
            return await self.request(method, path, body=body, idempotent=True)  # a read, a whole replace, a delete
        except NotFoundError as error:
            if method == "DELETE" and error.attempts > 1:
                raise  # an earlier attempt got no answer and may have deleted it (the request path says so)
            where = "the organization's own alerts" if project_id is None else f"the alerts of project {project_id}"
            error.hint = (
                f"No alert {alert_id} among {where}. An alert of a project is found only with that project_id, "
                "an organization-wide one only without it: list them (codex_list_spend_alerts) to find the id."
            )
            raise

    # ---- rate limits

    async def list_rate_limits(self, *, project_id: str, limit: int, after: str | None) -> Page[RateLimit]:
        """One page of a project's rate limits, one per model."""
        return await self.list_page(f"{scope(project_id)}/rate_limits", RateLimit, limit=limit, after=after)

    async def update_rate_limit(self, *, project_id: str, rate_limit_id: str, limits: Mapping[str, int]) -> RateLimit:
        """Set some of a project's rate limits for one model; the others stay as they are (idempotent)."""
        path = f"{scope(project_id)}/rate_limits/{path_id(rate_limit_id)}"
        raw = await self.request("POST", path, body=dict(limits), idempotent=True)
        return validate(RateLimit, raw, "rate limit")
