"""Time units, deterministic hashing and the daily activity curve shared by the sample data."""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Sequence

DAY = 86_400
HOUR = 3_600
WINDOW_DAYS = 180
PICO = 10**12  # amounts are kept as integer picodollars so that every sum is exact
ALNUM = string.ascii_letters + string.digits
HOUR_WEIGHTS = (2, 2, 2, 2, 2, 3, 4, 6, 8, 9, 9, 9, 9, 10, 10, 10, 10, 9, 8, 7, 5, 4, 3, 2)
_HOUR_CUM = [sum(HOUR_WEIGHTS[: i + 1]) for i in range(24)]


def hash_int(*parts: object) -> int:
    """A stable 64-bit integer from the parts (the same on every run and platform)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def rand_id(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choices(ALNUM, k=length))


def day_factor(day: int) -> float:
    """Activity level of a UTC day: quieter weekends plus a slow quarterly wave."""
    day_number = day // DAY
    weekday = (day_number + 3) % 7  # 1970-01-01 was a Thursday; Monday == 0
    weekly = (1.0, 1.05, 1.1, 1.05, 0.9, 0.35, 0.25)[weekday]
    wave = 1.0 + 0.15 * ((day_number % 91) / 91 - 0.5)
    return weekly * wave


def timestamp_in_day(rng: random.Random, day: int) -> int:
    """A time of day drawn from the working-hours curve."""
    hour = rng.choices(range(24), cum_weights=_HOUR_CUM)[0]
    return day + hour * HOUR + rng.randrange(HOUR)


def cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out
