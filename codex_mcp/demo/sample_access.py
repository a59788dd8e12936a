"""Who may do what in the sample organization: groups, roles, admin keys, certificates and project policies.

Drawn from an RNG of its own, so that adding it left the older entities and their usage as they were.
"""

from __future__ import annotations

import random
import string
from typing import TYPE_CHECKING

from codex_mcp.demo.catalog import COMPLETION_MODELS
from codex_mcp.demo.entities import AdminApiKey, Certificate, Group, Role
from codex_mcp.demo.sample_common import ALNUM, DAY, HOUR, hash_int, rand_id

_ID_CHARS = string.ascii_uppercase + string.digits  # role and group ids look like role_01J1F8ROLE01

if TYPE_CHECKING:
    from codex_mcp.demo.sample_org import SampleOrg

DEMO_ADMIN_KEY_ID = "key_demoadminkey0001"  # the admin key the simulator is called with (the audit log's actor)
ORG_DATA_RETENTION = "modified_abuse_monitoring"

_READ = ("api.organization.read", "api.projects.read", "api.users.read", "api.groups.read", "api.usage.read")
_WRITE = ("api.organization.write", "api.projects.write", "api.users.write", "api.groups.write")
_BILLING = ("api.billing.read", "api.billing.write")
# (name, description, permissions, predefined)
ROLE_SPECS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("owner", "Full access to the organization: members, projects, keys, billing.", (*_READ, *_WRITE, *_BILLING), True),
    ("reader", "Read access to the organization's projects, members and usage.", _READ, True),
    ("API Group Manager", "Allows managing organization groups", ("api.groups.read", "api.groups.write"), False),
    (
        "Billing Viewer",
        "Reads usage, costs, spend limits and spend alerts.",
        ("api.usage.read", "api.billing.read"),
        False,
    ),
    ("Security Auditor", "Reads the audit log, certificates and data retention.", ("api.audit_logs.read",), False),
)
# (name, SCIM-managed, who: developers/owners/readers, how many, custom roles, project names)
GROUP_SPECS: tuple[tuple[str, bool, str, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("ML Platform", False, "developers", 12, ("API Group Manager",), ("Agents Platform", "Evaluation Harness")),
    ("Finance", False, "readers", 4, ("Billing Viewer",), ()),
    ("Support Team", False, "developers", 8, (), ("Support Copilot", "Chat Widget", "Email Triage")),
    ("Security", True, "owners", 3, ("Security Auditor",), ()),
    ("Contractors", True, "readers", 6, (), ("Data Labeling",)),
)
# (name, days since upload, days valid, active for the organization, project names it is active for)
CERTIFICATE_SPECS: tuple[tuple[str, int, int, bool, tuple[str, ...]], ...] = (
    ("mtls-client-2024", 400, 365, False, ()),
    ("mtls-client-2025", 100, 365, True, ("Claims Processing", "Compliance Monitor", "Fraud Review")),
    ("partner-gateway", 30, 730, True, ("Partner Portal",)),
    ("staging-gateway", 10, 90, False, ()),
)
# (name, days since creation, days until expiry or None, days since last use)
ADMIN_KEY_SPECS: tuple[tuple[str, int, int | None, int], ...] = (
    ("Finance dashboard", 300, None, 1),
    ("Terraform CI", 40, 50, 3),
)
PROJECT_DATA_RETENTION = {
    "Claims Processing": "zero_data_retention",
    "Compliance Monitor": "zero_data_retention",
    "Research Sandbox": "none",
}
ALLOW_LIST_PROJECTS = ("Claims Processing", "Data Labeling")  # may use only the models they use
DENY_LIST_PROJECTS = ("Marketing Copy", "Knowledge Base")  # may not use two models they never touched


class AccessData:
    """Groups, roles, admin API keys, certificates, data retention and model permissions of an organization."""

    def __init__(self, org: SampleOrg) -> None:
        rng = random.Random(f"codex-mcp-demo:{org.seed}:access")
        self.org = org
        owners = [u for u in org.users if u.role == "owner"]
        self.roles = [
            Role(
                id="role_" + "".join(rng.choices(_ID_CHARS, k=12)),
                name=name,
                description=description,
                permissions=permissions,
                predefined=predefined,
                created_at=org.users[0].added_at if predefined else org.today - rng.randint(60, 500) * DAY,
                created_by=None if predefined else rng.choice(owners).id,
            )
            for name, description, permissions, predefined in ROLE_SPECS
        ]
        self.groups = self._make_groups(rng)
        self.admin_api_keys = self._make_admin_keys(rng)
        self.certificates = self._make_certificates(rng)
        self.project_data_retention = {
            p.id: PROJECT_DATA_RETENTION.get(p.name, "organization_default") for p in org.projects
        }
        self.model_permissions = self._make_model_permissions()
        self._date_project_members()

    def role_named(self, name: str) -> Role:
        return next(r for r in self.roles if r.name == name)

    def _make_groups(self, rng: random.Random) -> list[Group]:
        org = self.org
        pools = {
            "developers": [org.users[i] for i in org.developers],
            "owners": [u for u in org.users if u.role == "owner"],
            "readers": [u for u in org.users if u.role == "reader"],
        }
        by_name = {p.name: p for p in org.projects}
        groups: list[Group] = []
        for name, scim, pool, size, role_names, project_names in GROUP_SPECS:
            created = org.today - rng.randint(200, 600) * DAY + rng.randrange(DAY)
            group = Group(
                id="group_01" + "".join(rng.choices(_ID_CHARS, k=11)),
                name=name,
                created_at=created,
                is_scim_managed=scim,
            )
            for user in rng.sample(pools[pool], min(size, len(pools[pool]))):
                group.members[user.id] = min(max(created, user.added_at) + rng.randrange(30 * DAY), org.now - 1)
            for project_name in project_names:
                project = by_name.get(project_name)
                if project is not None:
                    group.projects[project.id] = min(max(created, project.created_at) + rng.randrange(DAY), org.now - 1)
            group.role_ids = [self.role_named(r).id for r in role_names]
            groups.append(group)
        groups.sort(key=lambda g: (g.created_at, g.id))
        return groups

    def _make_admin_keys(self, rng: random.Random) -> list[AdminApiKey]:
        org = self.org

        def redacted() -> str:
            return "sk-admin..." + "".join(rng.choices(ALNUM, k=3))

        keys = [
            AdminApiKey(
                id=DEMO_ADMIN_KEY_ID,
                name="Codex MCP demo",
                redacted_value=redacted(),
                created_at=org.today - 120 * DAY + 10 * HOUR,
                expires_at=None,
                last_used_at=org.now,
                owner_user_id=org.default_user.id,
            )
        ]
        owner_ids = [u.id for u in org.users if u.role == "owner" and not u.is_default]
        for name, age, expires_in, idle in ADMIN_KEY_SPECS:
            keys.append(
                AdminApiKey(
                    id=rand_id(rng, "key_", 16),
                    name=name,
                    redacted_value=redacted(),
                    created_at=org.today - age * DAY + rng.randrange(DAY),
                    expires_at=None if expires_in is None else org.today + expires_in * DAY,
                    last_used_at=min(org.today - idle * DAY + rng.randrange(DAY), org.now - 1),
                    owner_user_id=rng.choice(owner_ids),
                )
            )
        keys.sort(key=lambda k: (k.created_at, k.id))
        return keys

    def _make_certificates(self, rng: random.Random) -> list[Certificate]:
        org = self.org
        by_name = {p.name: p.id for p in org.projects}
        certificates = []
        for name, age, valid_days, active, project_names in CERTIFICATE_SPECS:
            uploaded = org.today - age * DAY + rng.randrange(DAY)
            valid_at = uploaded - rng.randint(1, 5) * DAY
            certificates.append(
                Certificate(
                    id=rand_id(rng, "cert_", 24),
                    name=name,
                    created_at=uploaded,
                    valid_at=valid_at,
                    expires_at=valid_at + valid_days * DAY,
                    active=active,
                    active_projects={by_name[n] for n in project_names if n in by_name},
                )
            )
        return sorted(certificates, key=lambda c: (c.created_at, c.id))

    def _make_model_permissions(self) -> dict[str, tuple[str, list[str]]]:
        """Project id -> (mode, model ids), consistent with the models each project's keys use."""
        org = self.org
        used: dict[int, set[int]] = {}
        for source in org.sources:
            used.setdefault(source.project, set()).update(source.models)
        permissions: dict[str, tuple[str, list[str]]] = {}
        for index, project in enumerate(org.projects):
            models = used.get(index, set())
            if project.name in ALLOW_LIST_PROJECTS and models:
                permissions[project.id] = ("allow_list", [COMPLETION_MODELS[m].model for m in sorted(models)])
            elif project.name in DENY_LIST_PROJECTS:
                unused = [m.model for i, m in enumerate(COMPLETION_MODELS) if i not in models]
                permissions[project.id] = ("deny_list", unused[:2])
        return permissions

    def _date_project_members(self) -> None:
        """When each member joined each project: after both existed, from a hash (no RNG draw)."""
        org = self.org
        for project in org.projects:
            for user_id in project.members:
                user = org.user(user_id)
                joined = max(project.created_at, user.added_at if user else project.created_at)
                offset = hash_int(org.seed, "member", project.id, user_id) % (20 * DAY)
                project.member_added_at[user_id] = min(joined + offset, (project.archived_at or org.now) - 1)
