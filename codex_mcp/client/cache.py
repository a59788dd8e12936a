"""The cache of closed periods: usage and cost buckets that ended long enough ago not to change, kept in memory
(compressed, bounded, least recently used out first) so repeated and overlapping questions ask only for the rest."""

from __future__ import annotations

import json
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic_core

# A bucket this long after its end no longer changes: usage settles within minutes and costs within a day
# (usage_endpoints lag_s), so two days leaves a day to spare.
CLOSED_AFTER_S = 48 * 3600
# What one entry costs beyond its compressed bytes: the entry object, its key and its places in two dicts.
ENTRY_OVERHEAD_BYTES = 512
# Buckets as the API sent them (parsed JSON objects), keyed by their start.
RawBucket = dict[str, Any]
# Which series a bucket belongs to: whose key asked, the endpoint, its width, filters and grouping.
Partition = Hashable


@dataclass(frozen=True)
class _Run:
    """Consecutive buckets [first, end) of one partition, stored as zlib-compressed JSON."""

    first: int
    end: int
    blob: bytes

    @property
    def size(self) -> int:
        """Bytes this entry holds, honestly: its compressed JSON plus the objects around it."""
        return len(self.blob) + ENTRY_OVERHEAD_BYTES

    def buckets(self) -> list[RawBucket]:
        decoded: list[RawBucket] = json.loads(zlib.decompress(self.blob))
        return decoded


class BucketCache:
    """Closed buckets per partition, at most `max_bytes` in all (0: nothing is kept); the runs used least recently
    are evicted first. A bucket is closed when it ended more than CLOSED_AFTER_S before `clock()`."""

    def __init__(self, max_bytes: int, *, clock: Callable[[], float] = time.time) -> None:
        self.max_bytes = max_bytes
        self._clock = clock
        self._lru: OrderedDict[tuple[Partition, int], _Run] = OrderedDict()
        self._runs: dict[Partition, dict[int, _Run]] = {}
        self.size_bytes = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        """How many runs are held."""
        return len(self._lru)

    def closed_before(self) -> float:
        """Buckets ending before this moment (Unix seconds) are closed: they can be kept."""
        return self._clock() - CLOSED_AFTER_S

    def get(self, partition: Partition, start: int, end: int, width: int) -> dict[int, RawBucket]:
        """The cached buckets that lie wholly inside [start, end), by start; the runs they came from become the most
        recently used."""
        found: dict[int, RawBucket] = {}
        for first, run in list(self._runs.get(partition, {}).items()):
            if run.end <= start or first >= end:
                continue
            self._lru.move_to_end((partition, first))
            for bucket in run.buckets():
                bucket_start = bucket["start_time"]
                if start <= bucket_start and bucket_start + width <= end:
                    found[bucket_start] = bucket
        return found

    def put(self, partition: Partition, buckets: Iterable[RawBucket], start: int, end: int, width: int) -> int:
        """Keep the closed buckets of a window fetched for [start, end) (as the API sent them, in order); returns how
        many were kept.

        Kept: whole buckets inside the window (aligned to `width`, their end_time start + width) that are closed,
        in runs of consecutive buckets. A window that holds a bucket twice is not kept at all.
        """
        if not self.enabled:
            return 0
        closed = self.closed_before()
        keep: dict[int, RawBucket] = {}
        for bucket in buckets:
            bucket_start = bucket.get("start_time")
            if not isinstance(bucket_start, int) or isinstance(bucket_start, bool):
                return 0
            if bucket_start in keep:
                return 0
            bucket_end = bucket_start + width
            whole = bucket_start % width == 0 and start <= bucket_start and bucket_end <= end
            if whole and bucket_end < closed and bucket.get("end_time") == bucket_end:
                keep[bucket_start] = bucket
        for run in _consecutive(keep, width):
            self._add(partition, run, width)
        return len(keep)

    def clear(self) -> None:
        self._lru.clear()
        self._runs.clear()
        self.size_bytes = 0

    def _add(self, partition: Partition, buckets: Sequence[RawBucket], width: int) -> None:
        first = buckets[0]["start_time"]
        # pydantic-core writes JSON ~3x faster than the json module; NaN and Infinity as the constants json reads back
        # (the json module parsed them from the answer), so a cached bucket is exactly the bucket that came.
        text = pydantic_core.to_json(buckets, inf_nan_mode="constants")
        run = _Run(first, first + len(buckets) * width, zlib.compress(text, 1))
        if run.size > self.max_bytes:
            return
        # A run fetched twice at once (two calls missing the same buckets) replaces what it overlaps.
        for other in [o for o in self._runs.get(partition, {}).values() if o.first < run.end and run.first < o.end]:
            self._remove(partition, other)
        self._runs.setdefault(partition, {})[first] = run
        self._lru[(partition, first)] = run
        self.size_bytes += run.size
        while self.size_bytes > self.max_bytes:
            (oldest_partition, _), oldest = next(iter(self._lru.items()))
            self._remove(oldest_partition, oldest)

    def _remove(self, partition: Partition, run: _Run) -> None:
        del self._lru[(partition, run.first)]
        runs = self._runs[partition]
        del runs[run.first]
        if not runs:
            del self._runs[partition]
        self.size_bytes -= run.size


def _consecutive(buckets: Mapping[int, RawBucket], width: int) -> list[list[RawBucket]]:
    """Buckets grouped into runs of consecutive starts, in time order."""
    runs: list[list[RawBucket]] = []
    previous: int | None = None
    for bucket_start in sorted(buckets):
        if previous is None or bucket_start != previous + width:
            runs.append([])
        runs[-1].append(buckets[bucket_start])
        previous = bucket_start
    return runs
