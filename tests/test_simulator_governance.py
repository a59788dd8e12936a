"""Model permissions, data retention and certificates in the simulator follow the spec."""

from __future__ import annotations

import httpx

from codex_mcp.demo import AdminAPISimulator
from codex_mcp.demo.entities import Project
from codex_mcp.demo.sample_org import DAY
from tests.simulator_support import (
    NOW,
    TODAY,
    error_of,
    get,
    ok,
    schema_errors,
    simulator_fixtures,
    walk_list,
)

CERTIFICATES = "/organization/certificates"


sim, client = simulator_fixtures("module")


def models_used(client: httpx.Client, project: Project) -> set[str]:
    pairs = [("start_time", TODAY - 30 * DAY), ("limit", 31), ("project_ids", project.id), ("group_by", "model")]
    page = ok(client, "/organization/usage/completions", pairs)
    return {r["model"] for b in page["data"] for r in b["results"]}


def test_model_permissions_agree_with_the_models_projects_use(client: httpx.Client, sim: AdminAPISimulator) -> None:
    template = "/organization/projects/{project_id}/model_permissions"
    modes: dict[str, int] = {}
    for project in sim.org.projects:
        permissions = ok(client, f"/organization/projects/{project.id}/model_permissions")
        assert schema_errors("GET", template, permissions) == []
        modes[permissions["mode"]] = modes.get(permissions["mode"], 0) + 1
        used = models_used(client, project)
        if permissions["mode"] == "allow_list":
            assert used
            assert used <= set(permissions["model_ids"])
        else:
            assert not used & set(permissions["model_ids"])
    assert modes["allow_list"] >= 2
    assert sum(1 for p in sim.org.access.model_permissions.values() if p[0] == "deny_list") >= 2
    assert (
        error_of(get(client, "/organization/projects/proj_nope/model_permissions"), 404)["code"] == "project_not_found"
    )


def test_data_retention(client: httpx.Client, sim: AdminAPISimulator) -> None:
    org = ok(client, "/organization/data_retention")
    assert schema_errors("GET", "/organization/data_retention", org) == []
    assert org == {"object": "organization.data_retention", "type": "modified_abuse_monitoring"}
    template = "/organization/projects/{project_id}/data_retention"
    kinds = set()
    for project in sim.org.projects:
        retention = ok(client, f"/organization/projects/{project.id}/data_retention")
        assert schema_errors("GET", template, retention) == []
        kinds.add(retention["type"])
    assert kinds == {"organization_default", "zero_data_retention", "none"}


def test_organization_certificates_newest_first(client: httpx.Client) -> None:
    page = ok(client, CERTIFICATES)
    assert schema_errors("GET", CERTIFICATES, page) == []
    certificates = page["data"]
    assert 3 <= len(certificates) <= 5
    assert [c["created_at"] for c in certificates] == sorted((c["created_at"] for c in certificates), reverse=True)
    assert {c["active"] for c in certificates} == {True, False}
    assert any(c["certificate_details"]["expires_at"] < NOW for c in certificates)  # one has expired
    walked, pages = walk_list(client, CERTIFICATES, limit=1)
    assert (walked, pages) == (certificates, len(certificates))
    assert ok(client, CERTIFICATES, [("order", "asc")])["data"] == certificates[::-1]
    for name, value in (("limit", 0), ("limit", 101), ("order", "new"), ("before", "cert_x")):
        assert error_of(get(client, CERTIFICATES, [(name, value)]), 400)["param"] == name


def test_a_certificate_alone_and_with_its_content(client: httpx.Client) -> None:
    listed = ok(client, CERTIFICATES)["data"][0]
    template = "/organization/certificates/{certificate_id}"
    one = ok(client, f"{CERTIFICATES}/{listed['id']}")
    assert schema_errors("GET", template, one) == []
    assert one["object"] == "certificate"
    assert "active" not in one
    assert "content" not in one["certificate_details"]
    full = ok(client, f"{CERTIFICATES}/{listed['id']}", [("include", "content")])
    assert schema_errors("GET", template, full) == []
    assert full["certificate_details"]["content"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert ok(client, f"{CERTIFICATES}/{listed['id']}", [("include[]", "content")]) == full
    assert error_of(get(client, f"{CERTIFICATES}/{listed['id']}", [("include", "key")]), 400)["param"] == "include"
    assert error_of(get(client, f"{CERTIFICATES}/cert_nope"), 404)["code"] == "certificate_not_found"


def test_project_certificates_carry_the_project_level_active_flag(client: httpx.Client, sim: AdminAPISimulator) -> None:
    template = "/organization/projects/{project_id}/certificates"
    partner = next(p for p in sim.org.projects if p.name == "Partner Portal")
    page = ok(client, f"/organization/projects/{partner.id}/certificates")
    assert schema_errors("GET", template, page) == []
    active = {c["name"] for c in page["data"] if c["active"]}
    assert active == {"partner-gateway"}
    assert {c["object"] for c in page["data"]} == {"organization.project.certificate"}
    plain = next(p for p in sim.org.projects if p.name == "Email Triage")
    assert not any(c["active"] for c in ok(client, f"/organization/projects/{plain.id}/certificates")["data"])
    assert error_of(get(client, "/organization/projects/proj_nope/certificates"), 404)["code"] == "project_not_found"
