"""Groups and roles: who holds which organization role, directly or through a group, and which groups see a project."""

from __future__ import annotations

import httpx

from codex_mcp.demo.entities import Group, Project, Role, User
from codex_mcp.demo.paging import Paging, list_page
from codex_mcp.demo.protocol import JSON, EndpointGroup, Query, Route, not_found

GROUPS = Paging(default=100, maximum=1000, minimum=0, order="asc", next_cursor=True)
GROUP_USERS = Paging(default=100, maximum=1000, minimum=0, order="desc", next_cursor=True)
ROLES = Paging(default=1000, maximum=1000, minimum=0, order="asc", next_cursor=True)
PROJECT_GROUPS = Paging(default=20, maximum=100, minimum=0, order="asc", next_cursor=True)
Assignment = tuple[Role, list[Group]]  # a role and the groups it comes through (none: assigned directly)


class AccessEndpoints(EndpointGroup):
    """`/organization/groups...`, `/organization/roles...`, user role assignments and project groups."""

    def routes(self) -> list[Route]:
        group = r"/organization/groups/([^/]+)"
        return [
            ("GET", r"/organization/groups", self._list_groups),
            ("GET", group, self._get_group),
            ("GET", rf"{group}/users", self._list_group_users),
            ("GET", rf"{group}/users/([^/]+)", self._get_group_user),
            ("GET", rf"{group}/roles", self._list_group_roles),
            ("GET", rf"{group}/roles/([^/]+)", self._get_group_role),
            ("GET", r"/organization/roles", self._list_roles),
            ("GET", r"/organization/roles/([^/]+)", self._get_role),
            ("GET", r"/organization/users/([^/]+)/roles", self._list_user_roles),
            ("GET", r"/organization/users/([^/]+)/roles/([^/]+)", self._get_user_role),
            ("GET", r"/organization/projects/([^/]+)/groups", self._list_project_groups),
            ("GET", r"/organization/projects/([^/]+)/groups/([^/]+)", self._get_project_group),
        ]

    # ------------------------------------------------------------------ lookups

    def _group(self, group_id: str) -> Group:
        group = next((g for g in self.org.access.groups if g.id == group_id), None)
        if group is None:
            raise not_found(f"No such group: {group_id[:80]}", "group_not_found")
        return group

    def _role(self, role_id: str) -> Role:
        role = next((r for r in self.org.access.roles if r.id == role_id), None)
        if role is None:
            raise not_found(f"No such role: {role_id[:80]}", "role_not_found")
        return role

    def _group_members(self, group: Group) -> list[User]:
        """Live members, earliest to join first."""
        users = [self.org.user(user_id) for user_id in sorted(group.members, key=lambda u: (group.members[u], u))]
        return [u for u in users if u is not None and not u.deleted]

    def _user_assignments(self, user: User) -> list[Assignment]:
        """The user's predefined role (their organization role) and the roles of the groups they are in."""
        access = self.org.access
        assignments: list[Assignment] = [(access.role_named(user.role), [])]
        for role in access.roles:
            groups = [g for g in access.groups if role.id in g.role_ids and user.id in g.members]
            if groups:
                assignments.append((role, groups))
        return assignments

    # ------------------------------------------------------------------ groups

    def _list_groups(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(GROUPS.params)
        return list_page(self.org.access.groups, query, GROUPS, group_json)

    def _get_group(self, _request: httpx.Request, query: Query, group_id: str) -> JSON:
        query.allow(())
        return group_json(self._group(group_id))

    def _list_group_users(self, _request: httpx.Request, query: Query, group_id: str) -> JSON:
        query.allow(GROUP_USERS.params)
        members = self._group_members(self._group(group_id))
        return list_page(members, query, GROUP_USERS, lambda u: {"id": u.id, "name": u.name, "email": u.email})

    def _get_group_user(self, _request: httpx.Request, query: Query, group_id: str, user_id: str) -> JSON:
        query.allow(())
        group = self._group(group_id)
        user = next((u for u in self._group_members(group) if u.id == user_id), None)
        if user is None:
            raise not_found(f"No such user in group {group.id}: {user_id[:80]}", "user_not_found")
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "picture": None,
            "is_service_account": False,
            "user_type": "user",
        }

    def _list_group_roles(self, _request: httpx.Request, query: Query, group_id: str) -> JSON:
        query.allow(ROLES.params)
        group = self._group(group_id)
        roles = [self._role(role_id) for role_id in group.role_ids]
        return list_page(roles, query, ROLES, lambda r: self._assigned_role_json(r, []))

    def _get_group_role(self, _request: httpx.Request, query: Query, group_id: str, role_id: str) -> JSON:
        query.allow(())
        group = self._group(group_id)
        if role_id not in group.role_ids:
            raise not_found(f"Group {group.id} has no role {role_id[:80]}", "role_not_found")
        return self._assigned_role_json(self._role(role_id), [])

    # ------------------------------------------------------------------ roles

    def _list_roles(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(ROLES.params)
        return list_page(self.org.access.roles, query, ROLES, role_json)

    def _get_role(self, _request: httpx.Request, query: Query, role_id: str) -> JSON:
        query.allow(())
        return role_json(self._role(role_id))

    def _list_user_roles(self, _request: httpx.Request, query: Query, user_id: str) -> JSON:
        query.allow(ROLES.params)
        assignments = self._user_assignments(self.live_user(user_id))
        return list_page(assignments, query, ROLES, lambda a: self._assigned_role_json(*a), id_of=lambda a: a[0].id)

    def _get_user_role(self, _request: httpx.Request, query: Query, user_id: str, role_id: str) -> JSON:
        query.allow(())
        user = self.live_user(user_id)
        assignment = next((a for a in self._user_assignments(user) if a[0].id == role_id), None)
        if assignment is None:
            raise not_found(f"User {user.id} has no role {role_id[:80]}", "role_not_found")
        return self._assigned_role_json(*assignment)

    def _assigned_role_json(self, role: Role, groups: list[Group]) -> JSON:
        creator = self.org.user(role.created_by) if role.created_by else None
        return {
            "id": role.id,
            "name": role.name,
            "permissions": list(role.permissions),
            "resource_type": role.resource_type,
            "predefined_role": role.predefined,
            "description": role.description,
            "created_at": role.created_at,
            "updated_at": role.created_at,
            "created_by": role.created_by,
            "created_by_user_obj": (
                {"id": creator.id, "name": creator.name, "email": creator.email} if creator else None
            ),
            "metadata": {},
            "assignment_sources": [{"principal_id": g.id, "principal_type": "group"} for g in groups] or None,
        }

    # ------------------------------------------------------------------ project groups

    def _project_groups(self, project: Project) -> list[Group]:
        groups = [g for g in self.org.access.groups if project.id in g.projects]
        return sorted(groups, key=lambda g: (g.projects[project.id], g.id))

    def _list_project_groups(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(PROJECT_GROUPS.params)
        project = self.project(project_id)
        groups = self._project_groups(project)
        return list_page(groups, query, PROJECT_GROUPS, lambda g: project_group_json(project, g))

    def _get_project_group(self, _request: httpx.Request, query: Query, project_id: str, group_id: str) -> JSON:
        query.allow({"group_type"})
        project = self.project(project_id)
        group_type = query.choice("group_type", ("group", "tenant_group"), "group")
        group = next((g for g in self._project_groups(project) if g.id == group_id), None)
        if group is None or group_type != "group":  # the sample organization has no tenant groups
            raise not_found(f"No such group in project {project.id}: {group_id[:80]}", "group_not_found")
        return project_group_json(project, group)


# --------------------------------------------------------------------------- serialization


def group_json(group: Group) -> JSON:
    return {
        "object": "group",
        "id": group.id,
        "name": group.name,
        "created_at": group.created_at,
        "is_scim_managed": group.is_scim_managed,
        "group_type": "group",
    }


def role_json(role: Role) -> JSON:
    return {
        "object": "role",
        "id": role.id,
        "name": role.name,
        "description": role.description,
        "permissions": list(role.permissions),
        "resource_type": role.resource_type,
        "predefined_role": role.predefined,
    }


def project_group_json(project: Project, group: Group) -> JSON:
    return {
        "object": "project.group",
        "project_id": project.id,
        "group_id": group.id,
        "group_name": group.name,
        "group_type": "group",
        "created_at": group.projects[project.id],
    }
