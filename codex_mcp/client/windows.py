"""Windows: a usage or cost range cut at bucket boundaries into requests of at most one page each, and fetched
concurrently by a few workers in an anyio task group (a failure or a cancel stops them all and reaches the caller)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TypeVar

import anyio

from codex_mcp.errors import AdminAPIError
from codex_mcp.timeparse import iso

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """One request's [start, end): whole buckets, except that the first may start and the last end inside one
    (as the range asked for does)."""

    start: int
    end: int

    def named(self, number: int, count: int) -> str:
        return f"window {number} of {count} ({iso(self.start)} to {iso(self.end)})"


def bucket_starts(start: int, end: int, width: int) -> range:
    """The start of every bucket of [start, end): the first is aligned down to `width`, as the API aligns it."""
    return range(start - start % width, end, width)


def plan_windows(start: int, end: int, width: int, page_limit: int, have: Collection[int] = ()) -> list[Window]:
    """The windows that fetch every bucket of [start, end) not in `have` (starts of buckets at hand; only those
    wholly inside the range count), in time order: each run of missing buckets is cut into windows of `page_limit`
    buckets from its first, so a range with nothing at hand takes the fewest requests, ceil(buckets / page_limit)."""
    if end <= start:
        return [Window(start, end)]  # the API says what is wrong with it
    windows: list[Window] = []
    run: list[int] = []
    for bucket in bucket_starts(start, end, width):
        if bucket in have and start <= bucket and bucket + width <= end:
            continue
        if run and (bucket != run[-1] + width or len(run) == page_limit):
            windows.append(Window(max(start, run[0]), min(end, run[-1] + width)))
            run = []
        run.append(bucket)
    if run:
        windows.append(Window(max(start, run[0]), min(end, run[-1] + width)))
    return windows


async def fetch_windows(windows: Sequence[Window], fetch: Callable[[Window], Awaitable[T]], *, workers: int) -> list[T]:
    """Every window's result, in window order, fetched by up to `workers` tasks (earliest windows first).

    A window that fails with an API error fails the whole fetch with the window named in the error; the other
    windows are cancelled and nothing of them is returned. A cancelled caller cancels every window in flight.
    Never `asyncio.gather(..., return_exceptions=True)`: it hides a cancel from the caller's cancel scope.
    """
    if len(windows) == 1:
        return [await fetch(windows[0])]
    results: dict[int, T] = {}
    queue = iter(enumerate(windows))  # shared: each window is taken by exactly one worker

    async def worker() -> None:
        for number, window in queue:
            try:
                results[number] = await fetch(window)
            except AdminAPIError as exc:
                exc.window = window.named(number + 1, len(windows))
                raise

    failure: BaseException | None = None
    try:
        async with anyio.create_task_group() as group:
            for _ in range(min(workers, len(windows))):
                group.start_soon(worker)
    except BaseExceptionGroup as exc:
        failure = _first_failure(exc)
    if failure is not None:
        raise failure  # outside the except block, so the group is not chained onto it
    return [results[number] for number in range(len(windows))]


def _first_failure(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to raise for a failed fan-out: the API error itself when every failure was one (two windows may
    fail before the first failure cancels the rest), else the group (a bug is not hidden behind an API error)."""
    failures = group.exceptions
    if all(isinstance(failure, AdminAPIError) for failure in failures):
        return failures[0]
    return failures[0] if len(failures) == 1 else group
