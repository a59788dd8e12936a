"""Fetch several sources at once in an anyio task group: a failure or a cancel stops them all and reaches the caller.

Never `asyncio.gather(..., return_exceptions=True)`: it turns a cancelled call into a plain `CancelledError` the
request's cancel scope does not recognise (when its last awaitable had already finished), which escaped into the
SDK's dispatcher task group and stopped the whole server.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar, overload

import anyio

from codex_mcp.errors import AdminAPIError

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")


@overload
async def concurrently(first: Awaitable[A], second: Awaitable[B], /) -> tuple[A, B]: ...
@overload
async def concurrently(first: Awaitable[A], second: Awaitable[B], third: Awaitable[C], /) -> tuple[A, B, C]: ...
@overload
async def concurrently(
    first: Awaitable[A], second: Awaitable[B], third: Awaitable[C], fourth: Awaitable[D], /
) -> tuple[A, B, C, D]: ...
async def concurrently(*calls: Awaitable[Any]) -> tuple[Any, ...]:
    """Await every call concurrently and return their results in order.

    The first failure cancels the others and is raised as itself (not wrapped in an exception group), so callers
    and the server's error mapping see an AdminAPIError as one.
    """
    results: list[Any] = [None] * len(calls)

    async def run(index: int, call: Awaitable[Any]) -> None:
        results[index] = await call

    failure: BaseException | None = None
    try:
        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
    except BaseExceptionGroup as exc:
        failure = exc.exceptions[0] if len(exc.exceptions) == 1 else exc
    if failure is not None:
        raise failure  # outside the except block, so the group is not chained onto it
    return tuple(results)


async def or_api_error(call: Awaitable[A]) -> A | AdminAPIError:
    """The call's result, or the API error it failed with (for a source the caller can do without)."""
    try:
        return await call
    except AdminAPIError as exc:
        return exc
