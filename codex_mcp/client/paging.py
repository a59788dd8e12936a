"""Paging: one page of a list endpoint, and the one cursor walk that follows list (`after`) and usage (`page`)
cursors to the end, with one cycle check and one page limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

from pydantic import BaseModel

from codex_mcp.client.failures import validate
from codex_mcp.client.query import Query
from codex_mcp.client.request import RequestPath
from codex_mcp.errors import AdminAPIError, PaginationError
from codex_mcp.models import BucketSeries, ListPage, Page, UsageBucket, UsagePage

ItemT = TypeVar("ItemT")
ModelT = TypeVar("ModelT", bound=BaseModel)
PageCallback = Callable[[int], Awaitable[None]]
# Fetch the page a cursor points at (None: the first page).
FetchPage = Callable[[str | None], Awaitable[Page[ItemT]]]

MAX_PAGES = 2000
LIST_PAGE_LIMIT = 100


def next_cursor(path: str, page: Page[ItemT], seen: Collection[str], cursor_name: str) -> str | None:
    """The cursor to continue from, or None on the last page; a PaginationError when the API says there is more
    but gives no cursor, or one already followed (which would loop forever or repeat items)."""
    if not page.has_more:
        return None
    if not page.next_after or page.next_after in seen:
        raise PaginationError(f"{path} said has_more but gave no new {cursor_name} to continue from.")
    return page.next_after


class PagingClient(RequestPath):
    """The request path plus paging: typed list pages and complete multi-page fetches."""

    max_pages = MAX_PAGES  # a fetch that needs more pages fails rather than return part of the data

    async def list_page(
        self, path: str, model: type[ModelT], *, limit: int, after: str | None, query: Query = ()
    ) -> Page[ModelT]:
        """Fetch one page of a list endpoint."""
        params = [*query, ("limit", str(limit))]
        if after:
            params.append(("after", after))
        raw = validate(ListPage, await self.request("GET", path, query=params), path)
        items = [validate(model, item, path) for item in raw.data]
        last_item_id = raw.data[-1].get("id") if raw.data else None
        cursor = raw.last_id or (last_item_id if isinstance(last_item_id, str) else None)
        page = Page(items, raw.has_more, cursor if raw.has_more else None)
        next_cursor(path, page, {after} if after else (), "cursor")
        return page

    async def list_all(self, path: str, model: type[ModelT], *, query: Query = ()) -> list[ModelT]:
        """Every item of a list endpoint, following `after` to the end."""

        async def fetch(after: str | None) -> Page[ModelT]:
            return await self.list_page(path, model, limit=LIST_PAGE_LIMIT, after=after, query=query)

        items, _ = await self.walk(path, fetch, cursor_name="cursor")
        return items

    async def fetch_all_buckets(
        self,
        path: str,
        query: Query,
        *,
        page_limit: int,
        on_page: PageCallback | None = None,
        received: list[dict[str, Any]] | None = None,
    ) -> BucketSeries:
        """Every bucket of a usage or costs query, following `next_page` to the end; the bucket objects as the API
        sent them are added to `received` when given."""

        async def fetch(cursor: str | None) -> Page[UsageBucket]:
            params = [*query, ("limit", str(page_limit))]
            if cursor is not None:
                params.append(("page", cursor))
            body = await self.request("GET", path, query=params)
            raw = validate(UsagePage, body, path)
            if received is not None:
                received.extend(body["data"])
            return Page(raw.data, raw.has_more, raw.next_page)

        buckets, pages = await self.walk(path, fetch, cursor_name="next_page", on_page=on_page)
        return BucketSeries(path, buckets, pages)

    async def walk(
        self, path: str, fetch: FetchPage[ItemT], *, cursor_name: str, on_page: PageCallback | None = None
    ) -> tuple[list[ItemT], int]:
        """Every item of every page and the number of pages, or an error: never a part of the data.

        A failure on a later page says which page and that the pages before it were discarded.
        """
        items: list[ItemT] = []
        seen: set[str] = set()
        cursor: str | None = None
        for number in range(1, self.max_pages + 1):
            try:
                page = await fetch(cursor)
                cursor = next_cursor(path, page, seen, cursor_name)
            except AdminAPIError as exc:
                exc.page = number
                raise
            items.extend(page.items)
            if on_page is not None:
                await on_page(number)
            if cursor is None:
                return items, number
            seen.add(cursor)
        raise PaginationError(
            f"{path} has more than {self.max_pages} pages; stopped there rather than return part of the data."
        )
