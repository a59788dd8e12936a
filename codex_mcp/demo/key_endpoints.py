"""API keys: each project's keys and the organization's admin keys."""

from __future__ import annotations

import httpx

from codex_mcp.demo.entities import AdminApiKey, ApiKey, Project
from codex_mcp.demo.paging import Paging, list_page
from codex_mcp.demo.protocol import JSON, EndpointGroup, Query, Route, bad, not_found
from codex_mcp.demo.sample_access import DEMO_ADMIN_KEY_ID

PROJECT_KEYS = Paging()
ADMIN_KEYS = Paging(order="asc")


class KeyEndpoints(EndpointGroup):
    """`/organization/projects/{id}/api_keys...` and `/organization/admin_api_keys...`."""

    def routes(self) -> list[Route]:
        keys = r"/organization/projects/([^/]+)/api_keys"
        return [
            ("GET", keys, self._list_api_keys),
            ("GET", rf"{keys}/([^/]+)", self._get_api_key),
            ("DELETE", rf"{keys}/([^/]+)", self._delete_api_key),
            ("GET", r"/organization/admin_api_keys", self._list_admin_keys),
            ("GET", r"/organization/admin_api_keys/([^/]+)", self._get_admin_key),
            ("DELETE", r"/organization/admin_api_keys/([^/]+)", self._delete_admin_key),
        ]

    # ------------------------------------------------------------------ project keys

    def _api_key(self, project: Project, key_id: str) -> ApiKey:
        index = self.org.key_index.get(key_id)
        key = None if index is None else self.org.api_keys[index]
        if key is None or key.deleted or key.project_id != project.id:
            raise not_found(f"No such API key: {key_id[:80]}", "api_key_not_found")
        return key

    def _list_api_keys(self, _request: httpx.Request, query: Query, project_id: str) -> JSON:
        query.allow(PROJECT_KEYS.params | {"owner_project_access"})
        project = self.project(project_id)
        access = query.choice("owner_project_access", ("active", "inactive", "any"))
        keys = [k for k in self.org.api_keys if k.project_id == project.id]

        def visible(key: ApiKey) -> bool:
            if key.deleted:
                return False
            active = self.org.owner_has_access(key)
            return access == "any" or (access == "inactive" and not active) or (access in (None, "active") and active)

        return list_page(keys, query, PROJECT_KEYS, self._api_key_json, visible=visible)

    def _get_api_key(self, _request: httpx.Request, query: Query, project_id: str, key_id: str) -> JSON:
        query.allow(())
        return self._api_key_json(self._api_key(self.project(project_id), key_id))

    def _delete_api_key(self, _request: httpx.Request, query: Query, project_id: str, key_id: str) -> JSON:
        query.allow(())
        project = self.project(project_id)
        key = self._api_key(project, key_id)
        if key.owner_service_account_id is not None:
            raise bad(
                f"API key {key.id} belongs to service account {key.owner_service_account_id}; "
                "delete the service account to remove its key.",
                None,
                "api_key_owned_by_service_account",
            )
        key.deleted = True
        self.org.append_audit_event("api_key.deleted", {"details": {"id": key.id}, "project": project})
        return {"object": "organization.project.api_key.deleted", "id": key.id, "deleted": True}

    def _api_key_json(self, key: ApiKey) -> JSON:
        org = self.org
        if key.owner_service_account_id is not None:
            account = org.service_account(key.owner_service_account_id)
            assert account is not None
            owner: JSON = {
                "type": "service_account",
                "service_account": {
                    "id": account.id,
                    "name": account.name,
                    "created_at": account.created_at,
                    "role": account.role,
                },
            }
        else:
            user = org.user(key.owner_user_id or "")
            assert user is not None
            project = org.project(key.project_id)
            role = project.members.get(user.id, "member") if project else "member"
            owner = {
                "type": "user",
                "user": {
                    "id": user.id,
                    "email": user.email,
                    "name": user.name,
                    "created_at": user.added_at,
                    "role": role,
                },
            }
        return {
            "object": "organization.project.api_key",
            "redacted_value": key.redacted_value,
            "name": key.name,
            "created_at": key.created_at,
            "last_used_at": org.key_last_used(org.key_index[key.id]),
            "id": key.id,
            "owner_project_access": "active" if org.owner_has_access(key) else "inactive",
            "owner": owner,
        }

    # ------------------------------------------------------------------ admin keys

    def _admin_key(self, key_id: str) -> AdminApiKey:
        key = next((k for k in self.org.access.admin_api_keys if k.id == key_id and not k.deleted), None)
        if key is None:
            raise not_found(f"No such admin API key: {key_id[:80]}", "api_key_not_found")
        return key

    def _list_admin_keys(self, _request: httpx.Request, query: Query) -> JSON:
        query.allow(ADMIN_KEYS.params)
        keys = self.org.access.admin_api_keys
        return list_page(keys, query, ADMIN_KEYS, self._admin_key_json, visible=lambda k: not k.deleted)

    def _get_admin_key(self, _request: httpx.Request, query: Query, key_id: str) -> JSON:
        query.allow(())
        return self._admin_key_json(self._admin_key(key_id))

    def _delete_admin_key(self, _request: httpx.Request, query: Query, key_id: str) -> JSON:
        query.allow(())
        key = self._admin_key(key_id)
        if key.id == DEMO_ADMIN_KEY_ID:
            raise bad("You cannot delete the admin API key this request was made with.", None, "api_key_in_use")
        key.deleted = True
        return {"id": key.id, "object": "organization.admin_api_key.deleted", "deleted": True}

    def _admin_key_json(self, key: AdminApiKey) -> JSON:
        owner = self.org.user(key.owner_user_id)
        assert owner is not None
        return {
            "object": "organization.admin_api_key",
            "id": key.id,
            "name": key.name,
            "redacted_value": key.redacted_value,
            "created_at": key.created_at,
            "expires_at": key.expires_at,
            "last_used_at": key.last_used_at,
            "owner": {
                "type": "user",
                "object": "organization.user",
                "id": owner.id,
                "name": owner.name,
                "created_at": owner.added_at,
                "role": "owner",
            },
        }
