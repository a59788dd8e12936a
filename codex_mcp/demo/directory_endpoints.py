"""Who is in the organization: users, invites, projects, project users and service accounts."""

from __future__ import annotations

import httpx

from codex_mcp.demo.entities import Invite, Project, ServiceAccount, User
from codex_mcp.demo.paging import Paging, list_page
from codex_mcp.demo.protocol import EMAIL_RE, JSON, EndpointGroup, Field, Query, Route, bad, not_found, read_body
from codex_mcp.demo.sample_common import DAY

LIST = Paging()  # limit 1..100 (default 20) and `after`, as users, invites, projects and their children page
ORG_ROLES = ("owner", "reader")
PROJECT_ROLES = ("owner", "member")
USER_UPDATE = {
    "role": Field("string", required=True, enum=ORG_ROLES),
    "role_id": Field("string"),
    "technical_level": Field("string"),
    "developer_persona": Field("string"),
}
INVITE_CREATE = {
    "email": Field("string", required=True, non_empty=True),
    "role": Field("string", required=True, enum=ORG_ROLES),
    "projects": Field("array"),
}
PROJECT_CREATE = {
    "name": Field("string", required=True, non_empty=True),
    "residency": Field("string"),
    "external_key_id": Field("string"),
}
PROJECT_UPDATE = {"name": Field("string", non_empty=True), "external_key_id": Field("string")}
PROJECT_USER_CREATE = {
    "user_id": Field("string", non_empty=True),
    "email": Field("string", non_empty=True),
    "role": Field("string", required=True, enum=PROJECT_ROLES),
}
PROJECT_USER_UPDATE = {"role": Field("string", required=True, enum=PROJECT_ROLES)}


class DirectoryEndpoints(EndpointGroup):
    """Users, invites, projects (with their users and service accounts)."""

    def routes(self) -> list[Route]:
        project = r"/organization/projects/([^/]+)"
        return [
            ("GET", r"/organization/users", self._list_users),
            ("GET", r"/organization/users/([^/]+)", self._get_user),
            ("POST", r"/organization/users/([^/]+)", self._update_user),
            ("DELETE", r"/organization/users/([^/]+)", self._delete_user),
            ("GET", r"/organization/invites", self._list_invites),
            ("POST", r"/organization/invites", self._create_invite),
            ("GET", r"/organization/invites/([^/]+)", self._get_invite),
            ("DELETE", r"/organization/invites/([^/]+)", self._delete_invite),
            ("GET", r"/organization/projects", self._list_projects),
            ("POST", r"/organization/projects", self._create_project),
            ("GET", project, self._get_project),
            ("POST", project, self._update_project),
            ("POST", rf"{project}/archive", self._archive_project),
            ("GET", rf"{project}/users", self._list_project_users),
            ("POST", rf"{project}/users", self._add_project_user),
            ("GET", rf"{project}/users/([^/]+)", self._get_project_user),
            ("POST", rf"{project}/users/([^/]+)", self._update_project_user),
            ("DELETE", rf"{project}/users/([^/]+)", self._remove_project_user),
            ("GET", rf"{project}/service_accounts", self._list_service_accounts),
            ("GET", rf"{project}/service_accounts/([^/]+)", self._get_service_account),
            ("DELETE", rf"{project}/service_accounts/([^/]+)", self._delete_service_account),
        ]

    # ------------------------------------------------------------------ users

    def _list_users(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(LIST.params | {"emails"})
        emails = {e.lower() for e in query.many("emails")}

        def visible(user: User) -> bool:
            return not user.deleted and (not emails or user.email.lower() in emails)

        return list_page(self.org.users, query, LIST, user_json, visible=visible)

    def _get_user(self, _request: httpx.Request, query: Query, user_id: str) -> JSON:
        query.allow(())
        return user_json(self.live_user(user_id))

    def _update_user(self, request: httpx.Request, query: Query, user_id: str) -> JSON:
        query.allow(())
        user = self.live_user(user_id)
        body = read_body(request, USER_UPDATE)
        user.role = body["role"]
        details = {"id": user.id, "changes_requested": {"role": user.role}}
        self.org.append_audit_event("user.updated", {"details": details})
        return user_json(user)

    def _delete_user(self, _request: httpx.Request, query: Query, user_id: str) -> JSON:
        query.allow(())
        user = self.live_user(user_id)
        user.deleted = True
        self.org.append_audit_event("user.deleted", {"details": {"id": user.id}})
        return {"object": "organization.user.deleted", "id": user.id, "deleted": True}

    # ------------------------------------------------------------------ invites

    def _invite(self, invite_id: str) -> Invite:
        invite = next((i for i in self.org.invites if i.id == invite_id and not i.deleted), None)
        if invite is None:
            raise not_found(f"No such invite: {invite_id[:80]}", "invite_not_found")
        return invite

    def _list_invites(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(LIST.params)
        return list_page(self.org.invites, query, LIST, invite_json, visible=lambda i: not i.deleted)

    def _get_invite(self, _request: httpx.Request, query: Query, invite_id: str) -> JSON:
        query.allow(())
        return invite_json(self._invite(invite_id))

    def _create_invite(self, request: httpx.Request, query: Query) -> JSON:
        query.allow(())
        body = read_body(request, INVITE_CREATE)
        email, role = body["email"].strip(), body["role"]
        if not EMAIL_RE.match(email):
            raise bad(f"Invalid value for 'email': {email[:80]!r} is not an email address.", "email")
        projects = self._invite_projects(body.get("projects", []))
        lowered = email.lower()
        if any(u.email.lower() == lowered and not u.deleted for u in self.org.users):
            raise bad(f"{email} is already a member of this organization.", "email", "user_already_member")
        if any(i.email.lower() == lowered and i.status == "pending" and not i.deleted for i in self.org.invites):
            raise bad(f"There is already a pending invite for {email}.", "email", "invite_already_pending")
        invite_id = self.new_id("invite-", 24)
        invite = Invite(invite_id, email, role, "pending", self.now, self.now + 7 * DAY, None, projects)
        self.org.invites.append(invite)
        details = {"id": invite.id, "data": {"email": email, "role": role}}
        self.org.append_audit_event("invite.sent", {"details": details})
        return invite_json(invite)

    def _invite_projects(self, raw: list[object]) -> list[dict[str, str]]:
        projects: list[dict[str, str]] = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise bad("Invalid value for 'projects': each item needs an 'id' and a 'role'.", "projects")
            if item.get("role") not in PROJECT_ROLES:
                raise bad("Invalid value for 'projects[].role': supported values are: member, owner.", "projects")
            project = self.org.project(item["id"])
            if project is None or project.archived_at is not None:
                raise bad(f"Invalid value for 'projects': no active project {item['id'][:80]}.", "projects")
            projects.append({"id": project.id, "role": item["role"]})
        return projects

    def _delete_invite(self, _request: httpx.Request, query: Query, invite_id: str) -> JSON:
        query.allow(())
        invite = self._invite(invite_id)
        if invite.status == "accepted":
            raise bad("This invite has already been accepted and cannot be deleted.", None, "invite_already_accepted")
        invite.deleted = True
        self.org.append_audit_event("invite.deleted", {"details": {"id": invite.id}})
        return {"object": "organization.invite.deleted", "id": invite.id, "deleted": True}

    # ------------------------------------------------------------------ projects

    def _list_projects(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(LIST.params | {"include_archived"})
        include_archived = bool(query.boolean("include_archived"))

        def visible(project: Project) -> bool:
            return include_archived or project.archived_at is None

        return list_page(self.org.projects, query, LIST, project_json, visible=visible)

    def _get_project(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        return project_json(self.project(project_id))

    def _create_project(self, request: httpx.Request, query: Query) -> JSON:
        query.allow(())
        body = read_body(request, PROJECT_CREATE)
        name = body["name"]
        project = Project(id=self.new_id("proj_", 24), name=name, created_at=self.now)
        project.members[self.org.default_user.id] = "owner"
        project.member_added_at[self.org.default_user.id] = self.now
        self.org.add_project(project)
        details = {"id": project.id, "data": {"name": name, "title": name}}
        self.org.append_audit_event("project.created", {"details": details, "project": project})
        return project_json(project)

    def _update_project(self, request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        project = self.project(project_id)
        body = read_body(request, PROJECT_UPDATE)
        if project is self.org.default_project:
            raise bad("The default project cannot be updated.", None, None)
        if project.archived_at is not None:
            raise bad(
                f"Project {project.id} is archived; archived projects cannot be updated.", None, "project_archived"
            )
        name = body.get("name")
        if name is not None:
            project.name = name
            details = {"id": project.id, "changes_requested": {"title": project.name}}
            self.org.append_audit_event("project.updated", {"details": details, "project": project})
        return project_json(project)

    def _archive_project(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        project = self.project(project_id)
        if project is self.org.default_project:
            raise bad("The default project cannot be archived.", None, None)
        if project.archived_at is None:  # archiving twice changes nothing
            project.archived_at = self.now
            self.org.append_audit_event("project.archived", {"details": {"id": project.id}, "project": project})
        return project_json(project)

    # ------------------------------------------------------------------ project users

    def _member(self, project: Project, user_id: str) -> User:
        user = self.org.user(user_id)
        if user is None or user.deleted or user.id not in project.members:
            raise not_found(f"No such user in project {project.id}: {user_id[:80]}", "user_not_found")
        return user

    def _list_project_users(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(LIST.params)
        project = self.active_project(project_id)
        members = [self.org.user(user_id) for user_id in project.members]
        live = sorted((u for u in members if u is not None), key=lambda u: (project.member_added_at[u.id], u.id))
        return list_page(live, query, LIST, lambda u: project_user_json(project, u), visible=lambda u: not u.deleted)

    def _get_project_user(self, _request: httpx.Request, query: Query, project_id: str, user_id: str) -> JSON:
        query.allow(())
        project = self.active_project(project_id)
        return project_user_json(project, self._member(project, user_id))

    def _add_project_user(self, request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(())
        project = self.active_project(project_id)
        body = read_body(request, PROJECT_USER_CREATE)
        user = self._org_member(body.get("user_id"), body.get("email"))
        if user.id in project.members:
            raise bad(f"User {user.id} is already a member of project {project.id}.", "user_id", "user_already_member")
        project.members[user.id] = body["role"]
        project.member_added_at[user.id] = self.now
        details = {"id": user.id, "data": {"role": body["role"]}}
        self.org.append_audit_event("user.added", {"details": details, "project": project})
        return project_user_json(project, user)

    def _org_member(self, user_id: str | None, email: str | None) -> User:
        """The organization member a project-user body names by `user_id` or `email`."""
        if user_id is None and email is None:
            raise bad("Missing required parameter: 'user_id' (or 'email').", "user_id", "missing_required_parameter")
        by_id = self.org.user(user_id) if user_id is not None else None
        by_email = next((u for u in self.org.users if email is not None and u.email.lower() == email.lower()), None)
        param, user = ("user_id", by_id) if user_id is not None else ("email", by_email)
        if user is None or user.deleted:
            value = user_id if user_id is not None else email
            raise bad(f"No member of this organization matches {param} {str(value)[:80]!r}.", param, "user_not_found")
        if user_id is not None and email is not None and by_email is not user:
            raise bad("'user_id' and 'email' name different users.", "email")
        return user

    def _update_project_user(self, request: httpx.Request, query: Query, project_id: str, user_id: str) -> JSON:
        query.allow(())
        project = self.active_project(project_id)
        user = self._member(project, user_id)
        body = read_body(request, PROJECT_USER_UPDATE)
        project.members[user.id] = body["role"]
        details = {"id": user.id, "changes_requested": {"role": body["role"]}}
        self.org.append_audit_event("user.updated", {"details": details, "project": project})
        return project_user_json(project, user)

    def _remove_project_user(self, _request: httpx.Request, query: Query, project_id: str, user_id: str) -> JSON:
        query.allow(())
        project = self.active_project(project_id)
        user = self._member(project, user_id)
        del project.members[user.id]
        project.member_added_at.pop(user.id, None)
        self.org.append_audit_event("user.deleted", {"details": {"id": user.id}, "project": project})
        return {"object": "organization.project.user.deleted", "id": user.id, "deleted": True}

    # ------------------------------------------------------------------ service accounts

    def _service_account(self, project: Project, account_id: str) -> ServiceAccount:
        account = self.org.service_account(account_id)
        if account is None or account.deleted or account.project_id != project.id:
            raise not_found(f"No such service account: {account_id[:80]}", "service_account_not_found")
        return account

    def _list_service_accounts(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(LIST.params)
        project = self.active_project(project_id)
        accounts = [s for s in self.org.service_accounts if s.project_id == project.id]
        return list_page(accounts, query, LIST, service_account_json, visible=lambda s: not s.deleted)

    def _get_service_account(self, _request: httpx.Request, query: Query, project_id: str, account_id: str) -> JSON:
        query.allow(())
        project = self.active_project(project_id)
        return service_account_json(self._service_account(project, account_id))

    def _delete_service_account(self, _request: httpx.Request, query: Query, project_id: str, account_id: str) -> JSON:
        query.allow(())
        project = self.active_project(project_id)
        account = self._service_account(project, account_id)
        account.deleted = True
        for key in self.org.api_keys:  # its keys go with it
            if key.owner_service_account_id == account.id:
                key.deleted = True
        self.org.append_audit_event("service_account.deleted", {"details": {"id": account.id}, "project": project})
        return {"object": "organization.project.service_account.deleted", "id": account.id, "deleted": True}


# --------------------------------------------------------------------------- serialization


def user_json(user: User) -> JSON:
    return {
        "object": "organization.user",
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "added_at": user.added_at,
        "is_default": user.is_default,
    }


def invite_json(invite: Invite) -> JSON:
    return {
        "object": "organization.invite",
        "id": invite.id,
        "email": invite.email,
        "role": invite.role,
        "status": invite.status,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "accepted_at": invite.accepted_at,
        "projects": [dict(p) for p in invite.projects],
    }


def project_json(project: Project) -> JSON:
    return {
        "id": project.id,
        "object": "organization.project",
        "name": project.name,
        "created_at": project.created_at,
        "archived_at": project.archived_at,
        "status": project.status,
        "external_key_id": None,
    }


def project_user_json(project: Project, user: User) -> JSON:
    return {
        "object": "organization.project.user",
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": project.members[user.id],
        "added_at": project.member_added_at[user.id],
    }


def service_account_json(account: ServiceAccount) -> JSON:
    return {
        "object": "organization.project.service_account",
        "id": account.id,
        "name": account.name,
        "role": account.role,
        "created_at": account.created_at,
    }
