"""AdminClient: the one async path to the OpenAI Admin API (auth, retries, errors, paging) and its typed methods.

Modules: `request` (the request path), `retry` (the retry policy), `failures` (every error built), `paging` (the
cursor walk), `query` (wire syntax), `windows` (usage ranges cut into concurrent windows), `cache` (closed periods
kept in memory), and one module of endpoints per area (`usage`, `users`, `invites`, `projects`, `audit`) that
`admin.AdminClient` combines.
"""

from codex_mcp.client.admin import AdminClient
from codex_mcp.client.paging import LIST_PAGE_LIMIT, MAX_PAGES, PageCallback
from codex_mcp.client.query import Query, encode_query, flag, path_id
from codex_mcp.client.request import Creation
from codex_mcp.client.retry import RETRY_STATUSES
from codex_mcp.client.usage import UsageSource
from codex_mcp.usage_endpoints import COSTS_PAGE_LIMIT, USAGE_PAGE_LIMITS

__all__ = [
    "COSTS_PAGE_LIMIT",
    "LIST_PAGE_LIMIT",
    "MAX_PAGES",
    "RETRY_STATUSES",
    "USAGE_PAGE_LIMITS",
    "AdminClient",
    "Creation",
    "PageCallback",
    "Query",
    "UsageSource",
    "encode_query",
    "flag",
    "path_id",
]
