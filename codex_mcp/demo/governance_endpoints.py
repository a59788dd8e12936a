"""Policies: project model permissions, data retention (organization and project) and mTLS certificates."""

from __future__ import annotations

import base64
import hashlib
import textwrap

import httpx

from codex_mcp.demo.entities import Certificate
from codex_mcp.demo.paging import Paging, list_page
from codex_mcp.demo.protocol import JSON, EndpointGroup, Query, Route, bad, not_found
from codex_mcp.demo.sample_access import ORG_DATA_RETENTION

CERTIFICATES = Paging(order="desc")


class GovernanceEndpoints(EndpointGroup):
    """Model permissions, data retention and certificates (reads only)."""

    def routes(self) -> list[Route]:
        project = r"/organization/projects/([^/]+)"
        return [
            ("GET", rf"{project}/model_permissions", self._get_model_permissions),
            ("GET", r"/organization/data_retention", self._get_org_data_retention),
            ("GET", rf"{project}/data_retention", self._get_project_data_retention),
            ("GET", r"/organization/certificates", self._list_org_certificates),
            ("GET", r"/organization/certificates/([^/]+)", self._get_certificate),
            ("GET", rf"{project}/certificates", self._list_project_certificates),
        ]

    def _get_model_permissions(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        project = self.project(project_id)
        mode, model_ids = self.org.access.model_permissions.get(project.id, ("deny_list", []))  # nothing denied
        return {"object": "project.model_permissions", "mode": mode, "model_ids": list(model_ids)}

    def _get_org_data_retention(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(())
        return {"object": "organization.data_retention", "type": ORG_DATA_RETENTION}

    def _get_project_data_retention(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        project = self.project(project_id)
        retention = self.org.access.project_data_retention.get(project.id, "organization_default")
        return {"object": "project.data_retention", "type": retention}

    def _list_org_certificates(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(CERTIFICATES.params)
        certificates = self.org.access.certificates
        return list_page(
            certificates, query, CERTIFICATES, lambda c: certificate_json(c, "organization.certificate", c.active)
        )

    def _list_project_certificates(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(CERTIFICATES.params)
        project = self.project(project_id)

        def render(certificate: Certificate) -> JSON:
            active = project.id in certificate.active_projects
            return certificate_json(certificate, "organization.project.certificate", active)

        return list_page(self.org.access.certificates, query, CERTIFICATES, render)

    def _get_certificate(self, _request: httpx.Request, query: Query, certificate_id: str) -> JSON:
        # The spec names the parameter `include` while its example sends `include[]`; both are accepted.
        query.allow({"include", "include[]"})
        include = query.many("include") + query.many("include[]")
        for value in include:
            if value != "content":
                raise bad(f"Invalid value for 'include': '{value[:40]}'. Supported values are: content.", "include")
        certificate = next((c for c in self.org.access.certificates if c.id == certificate_id), None)
        if certificate is None:
            raise not_found(f"No such certificate: {certificate_id[:80]}", "certificate_not_found")
        body = certificate_json(certificate, "certificate", None)
        if include:
            body["certificate_details"]["content"] = _pem(certificate)
        return body


def certificate_json(certificate: Certificate, object_name: str, active: bool | None) -> JSON:
    """A certificate as listed (with `active` at the listed scope) or as fetched alone (without it)."""
    body: JSON = {
        "object": object_name,
        "id": certificate.id,
        "name": certificate.name,
        "created_at": certificate.created_at,
        "certificate_details": {"valid_at": certificate.valid_at, "expires_at": certificate.expires_at},
    }
    if active is not None:
        body["active"] = active
    return body


def _pem(certificate: Certificate) -> str:
    """Stand-in PEM text (not a parseable certificate): base64 of bytes derived from the id."""
    raw = b"".join(hashlib.sha256(f"{certificate.id}:{i}".encode()).digest() for i in range(24))
    lines = textwrap.wrap(base64.b64encode(raw).decode(), 64)
    return "\n".join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----"])
