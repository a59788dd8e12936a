"""Project endpoints: list, get and create projects; a project's API keys and service accounts."""

from __future__ import annotations

from codex_mcp.client.failures import validate
from codex_mcp.client.paging import PagingClient
from codex_mcp.client.query import flag, path_id
from codex_mcp.client.request import Creation
from codex_mcp.models import Page, Project, ProjectApiKey, ServiceAccount

PROJECTS = "/organization/projects"
PROJECT = Creation("project", "codex_list_projects")


class ProjectEndpoints(PagingClient):
    """Projects and what belongs to each."""

    async def list_projects(self, *, limit: int, after: str | None, include_archived: bool) -> Page[Project]:
        """One page of projects."""
        query = [("include_archived", flag(include_archived))] if include_archived else []
        return await self.list_page(PROJECTS, Project, limit=limit, after=after, query=query)

    async def all_projects(self) -> list[Project]:
        """Every project, archived ones included."""
        return await self.list_all(PROJECTS, Project, query=[("include_archived", "true")])

    async def get_project(self, *, project_id: str) -> Project:
        """One project by id."""
        return validate(Project, await self.request("GET", f"{PROJECTS}/{path_id(project_id)}"), "project")

    async def create_project(self, *, name: str) -> Project:
        """Create a project (not retried unless provably unprocessed, so never duplicated)."""
        raw = await self.request("POST", PROJECTS, body={"name": name}, creates=PROJECT)
        return validate(Project, raw, "project")

    async def list_project_api_keys(
        self, *, project_id: str, limit: int, after: str | None, owner_project_access: str | None
    ) -> Page[ProjectApiKey]:
        """One page of a project's API keys."""
        query = [("owner_project_access", owner_project_access)] if owner_project_access else []
        path = f"{PROJECTS}/{path_id(project_id)}/api_keys"
        return await self.list_page(path, ProjectApiKey, limit=limit, after=after, query=query)

    async def list_service_accounts(self, *, project_id: str, limit: int, after: str | None) -> Page[ServiceAccount]:
        """One page of a project's service accounts."""
        path = f"{PROJECTS}/{path_id(project_id)}/service_accounts"
        return await self.list_page(path, ServiceAccount, limit=limit, after=after)
