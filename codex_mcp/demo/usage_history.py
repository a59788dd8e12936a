"""Per-day usage records of the sample organization, and the costs derived from them.

Usage of a calendar day depends only on (seed, day), except on the anomaly day, a fixed number of days before
`now`: a runaway job in one project multiplies that day's cost.
"""

from __future__ import annotations

import random
import statistics
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from codex_mcp.demo.catalog import (
    CODE_INTERPRETER_LINE_ITEM,
    CODE_INTERPRETER_SESSION_PRICE,
    COMPLETION_KINDS,
    COMPLETION_MODELS,
    CONTEXT_LEVELS,
    DISCOUNT_DIVISOR,
    EMBEDDING_MODELS,
    IMAGE_MODEL_SIZES,
    IMAGE_MODEL_SOURCES,
    LINE_ITEM_INDEX,
    PRICE_PREFIXES,
)
from codex_mcp.demo.sample_common import (
    DAY,
    HOUR,
    WINDOW_DAYS,
    cumulative,
    day_factor,
    hash_int,
    rand_id,
    timestamp_in_day,
)

# --------------------------------------------------------------------------- record layouts

# Completions: (ts, project, user (-1 = none), api_key, model, batch, tier, input, cached, output, requests)
# Embeddings:  (ts, project, user, api_key, model, input, requests)
# Code interpreter sessions: (ts, project, api_key, sessions)
# Costs (one row per day and (project, api_key, line item)): (day, project, api_key, line_item, picodollars, quantity)
# Moderations: (ts, project, user, api_key, model, input, requests)
# Images: (ts, project, user, api_key, model, size, source, images, requests)
# Audio speeches: (ts, project, user, api_key, model, characters, requests)
# Audio transcriptions: (ts, project, user, api_key, model, seconds, requests)
# Vector stores (one row per project and day, stamped at 00:00 UTC): (day, project, usage_bytes)
# File search calls: (ts, project, user, api_key, vector_store, requests)
# Web search calls: (ts, project, user, api_key, model, context_level, model_requests, search_calls)
Record = tuple[int, ...]

SPIKE_DAYS_AGO = 9  # the anomaly day, counted back from the UTC day of `now`
SPIKE_PROJECT_NAME = "Document Intake"
SPIKE_MULTIPLE = 3.2  # extra cost on the anomaly day, in multiples of the median day of the 28 before it
SPIKE_HOURS = (1, 8)  # the runaway job runs from 01:00 to 08:00 UTC
SPIKE_MODEL = 0  # gpt-4o, uncached and not batched: the spike lands on its input and output line items
CACHE_SHARES = (0.0, 0.0, 0.1, 0.3, 0.5, 0.7)


class DayRecords(NamedTuple):
    """Records of one kind for one UTC day, sorted by timestamp, with the timestamps alongside for bisecting."""

    rows: list[Record]
    times: list[int]

    def between(self, start: int, end: int) -> list[Record]:
        """Rows with start <= ts < end."""
        return self.rows[bisect_left(self.times, start) : bisect_left(self.times, end)]


EMPTY_DAY = DayRecords([], [])


class DayUsage(NamedTuple):
    """Everything recorded on one UTC day."""

    completions: DayRecords
    embeddings: DayRecords
    code_interpreter_sessions: DayRecords
    costs: DayRecords
    moderations: DayRecords
    images: DayRecords
    audio_speeches: DayRecords
    audio_transcriptions: DayRecords
    vector_stores: DayRecords
    file_search_calls: DayRecords
    web_search_calls: DayRecords


EMPTY_USAGE = DayUsage(*([EMPTY_DAY] * len(DayUsage._fields)))


@dataclass(frozen=True)
class UsageSource:
    """An API key that generates usage, with its habits."""

    project: int
    user: int  # -1 when the key belongs to a service account
    key: int
    weight: float
    models: tuple[int, ...]
    batch_share: float
    flex_share: float
    scale: float
    embeddings: bool
    code_interpreter: bool


class VectorStore(NamedTuple):
    """A vector store: file searches hit it and its bytes count toward the project's storage."""

    id: str
    project: int
    base_bytes: int
    daily_growth: float


class _Pool(NamedTuple):
    """Sources of one usage kind with their cumulative weights for drawing."""

    sources: list[UsageSource]
    cum: list[float]

    def draw(self, rng: random.Random, count: int) -> list[UsageSource]:
        return rng.choices(self.sources, cum_weights=self.cum, k=count) if self.sources else []


def _pool(sources: Sequence[UsageSource]) -> _Pool:
    return _Pool(list(sources), cumulative([s.weight for s in sources]))


# Share of the usage-generating keys that also use each of these kinds (file search: the keys of projects with
# vector stores), and the mean number of records of each kind on a weekday.
_SOURCE_SHARES: dict[str, float] = {
    "moderations": 0.3,
    "images": 0.15,
    "audio_speeches": 0.1,
    "audio_transcriptions": 0.12,
    "web_search_calls": 0.2,
}
_RECORDS_PER_DAY: dict[str, float] = {
    "moderations": 40,
    "images": 12,
    "audio_speeches": 8,
    "audio_transcriptions": 10,
    "file_search_calls": 25,
    "web_search_calls": 20,
}


class UsageHistory:
    """Lazily generated, cached usage of every day in the 180-day window ending today."""

    def __init__(self, *, seed: int, now: int, sources: list[UsageSource], spike_project: int | None) -> None:
        self.seed = seed
        self.now = now
        self.today = now - now % DAY
        self.window_start = self.today - (WINDOW_DAYS - 1) * DAY
        self.sources = sources
        self.spike_day = self.today - SPIKE_DAYS_AGO * DAY
        self._completions = _pool(sources)
        self._embeddings = _pool([s for s in sources if s.embeddings])
        self._code_interpreter = _pool([s for s in sources if s.code_interpreter])
        self._source_keys = {s.key for s in sources}
        self._days: dict[int, DayUsage] = {}
        self._last_used: dict[int, int | None] = {}
        # The other kinds draw from their own RNG so that adding them left the older kinds' numbers as they were.
        rng = random.Random(f"codex-mcp-demo:{seed}:usage-kinds")
        self._tools = {
            kind: _pool([s for s in sources if rng.random() < share] or sources[:1])
            for kind, share in _SOURCE_SHARES.items()
        }
        projects = sorted({s.project for s in sources})
        store_projects = rng.sample(projects, min(6, len(projects)))
        self.vector_stores = [
            VectorStore(
                id=rand_id(rng, "vs_", 24),
                project=project,
                base_bytes=rng.randint(20, 4000) * 1_000_000,
                daily_growth=rng.uniform(0.0, 0.01),
            )
            for project in store_projects
            for _ in range(rng.randint(1, 3))
        ]
        self._stores_of = {p: [i for i, v in enumerate(self.vector_stores) if v.project == p] for p in store_projects}
        self._file_search = _pool([s for s in sources if s.project in self._stores_of])
        self.spike_source = self._pick_spike_source(spike_project)

    def _pick_spike_source(self, spike_project: int | None) -> UsageSource | None:
        """The key behind the runaway job: the busiest key of the spike project (or of a middling project)."""
        candidates = [s for s in self.sources if s.project == spike_project]
        if not candidates and self.sources:
            by_weight = sorted(self.sources, key=lambda s: s.weight)
            candidates = [s for s in self.sources if s.project == by_weight[len(by_weight) // 2].project]
        return max(candidates, key=lambda s: s.weight, default=None)

    # ------------------------------------------------------------------ days

    def day(self, day: int) -> DayUsage:
        """All usage recorded on the UTC day starting at `day` (cached; empty outside the 180-day window)."""
        cached = self._days.get(day)
        if cached is None:
            cached = self._generate_day(day)
            self._days[day] = cached
        return cached

    def _generate_day(self, day: int) -> DayUsage:
        if day < self.window_start or day > self.today:
            return EMPTY_USAGE
        rng = random.Random(hash_int("codex-mcp-demo", self.seed, "usage", day // DAY))
        factor = day_factor(day)
        completions = self._completion_rows(rng, day, factor)
        embeddings = self._embedding_rows(rng, day, factor)
        sessions = self._code_interpreter_rows(rng, day, factor)
        if day == self.spike_day:
            completions += self._spike_rows(day)
        tools: dict[str, list[Record]] = {}
        for kind, make_rows in self._tool_row_makers().items():
            kind_rng = random.Random(hash_int("codex-mcp-demo", self.seed, f"usage-{kind}", day // DAY))
            mean = _RECORDS_PER_DAY[kind]
            count = max(0, round(kind_rng.gauss(mean, mean / 6) * factor))
            tools[kind] = make_rows(kind_rng, day, count)
        tools["vector_stores"] = self._vector_store_rows(day)
        cut = [[r for r in rows if r[0] < self.now] for rows in (completions, embeddings, sessions)]
        costs = _cost_rows(day, *cut)
        records = {name: _day_records([r for r in rows if r[0] < self.now]) for name, rows in tools.items()}
        return DayUsage(*(_day_records(rows) for rows in (*cut, costs)), **records)

    def _tool_row_makers(self) -> dict[str, Callable[[random.Random, int, int], list[Record]]]:
        return {
            "moderations": self._moderation_rows,
            "images": self._image_rows,
            "audio_speeches": self._speech_rows,
            "audio_transcriptions": self._transcription_rows,
            "file_search_calls": self._file_search_rows,
            "web_search_calls": self._web_search_rows,
        }

    # ------------------------------------------------------------------ completions, embeddings, sessions

    def _completion_rows(self, rng: random.Random, day: int, factor: float) -> list[Record]:
        count = max(0, round(rng.gauss(150, 12) * factor))
        rows: list[Record] = []
        for src in self._completions.draw(rng, count):
            batch = 1 if rng.random() < src.batch_share else 0
            tier = 1 if not batch and rng.random() < src.flex_share else 0
            requests = 1 + int(rng.expovariate(1 / (600 if batch else 120)) * src.scale)
            input_tokens = requests * rng.randint(400, 3000)
            cached = 0 if batch else int(input_tokens * rng.choice(CACHE_SHARES))
            output = requests * rng.randint(100, 900)
            model = src.models[rng.randrange(len(src.models))]
            ts = timestamp_in_day(rng, day)
            rows.append(
                (ts, src.project, src.user, src.key, model, batch, tier, input_tokens, cached, output, requests)
            )
        return rows

    def _embedding_rows(self, rng: random.Random, day: int, factor: float) -> list[Record]:
        count = max(0, round(rng.gauss(28, 4) * factor))
        rows: list[Record] = []
        for src in self._embeddings.draw(rng, count):
            requests = 1 + int(rng.expovariate(1 / 200))
            model = rng.choices((0, 1, 2), weights=(6, 2, 1))[0]
            ts = timestamp_in_day(rng, day)
            rows.append((ts, src.project, src.user, src.key, model, requests * rng.randint(200, 1500), requests))
        return rows

    def _code_interpreter_rows(self, rng: random.Random, day: int, factor: float) -> list[Record]:
        count = max(0, round(rng.gauss(10, 3) * factor))
        rows: list[Record] = []
        for src in self._code_interpreter.draw(rng, count):
            rows.append((timestamp_in_day(rng, day), src.project, src.key, 1 + int(rng.expovariate(1 / 3))))
        return rows

    def _spike_rows(self, day: int) -> list[Record]:
        """A runaway job: uncached gpt-4o calls from one key until the extra cost reaches SPIKE_MULTIPLE median days."""
        src = self.spike_source
        if src is None:
            return []
        before = [self.day_cost(day - i * DAY) for i in range(1, 29)]
        target = int(SPIKE_MULTIPLE * statistics.median(before))
        price = COMPLETION_MODELS[SPIKE_MODEL]
        rng = random.Random(hash_int("codex-mcp-demo", self.seed, "spike", day // DAY))
        rows: list[Record] = []
        spent = 0
        while spent < target:
            requests = rng.randint(200, 400)
            input_tokens, output = requests * rng.randint(2000, 3000), requests * rng.randint(400, 800)
            ts = day + rng.randrange(SPIKE_HOURS[0] * HOUR, SPIKE_HOURS[1] * HOUR)
            rows.append((ts, src.project, src.user, src.key, SPIKE_MODEL, 0, 0, input_tokens, 0, output, requests))
            spent += input_tokens * price.input + output * price.output
        return rows

    # ------------------------------------------------------------------ the other usage kinds

    def _moderation_rows(self, rng: random.Random, day: int, count: int) -> list[Record]:
        rows: list[Record] = []
        for src in self._tools["moderations"].draw(rng, count):
            requests = 1 + int(rng.expovariate(1 / 80))
            model = rng.choices((0, 1), weights=(5, 1))[0]
            tokens = requests * rng.randint(50, 600)
            rows.append((timestamp_in_day(rng, day), src.project, src.user, src.key, model, tokens, requests))
        return rows

    def _image_rows(self, rng: random.Random, day: int, count: int) -> list[Record]:
        rows: list[Record] = []
        for src in self._tools["images"].draw(rng, count):
            requests = 1 + int(rng.expovariate(1 / 6))
            model = rng.choices((0, 1, 2), weights=(5, 3, 1))[0]
            size, source = rng.choice(IMAGE_MODEL_SIZES[model]), rng.choice(IMAGE_MODEL_SOURCES[model])
            images = requests * rng.choice((1, 1, 1, 2, 4))
            ts = timestamp_in_day(rng, day)
            rows.append((ts, src.project, src.user, src.key, model, size, source, images, requests))
        return rows

    def _speech_rows(self, rng: random.Random, day: int, count: int) -> list[Record]:
        rows: list[Record] = []
        for src in self._tools["audio_speeches"].draw(rng, count):
            requests = 1 + int(rng.expovariate(1 / 20))
            model = rng.choices((0, 1, 2), weights=(3, 1, 4))[0]
            characters = requests * rng.randint(80, 1200)
            rows.append((timestamp_in_day(rng, day), src.project, src.user, src.key, model, characters, requests))
        return rows

    def _transcription_rows(self, rng: random.Random, day: int, count: int) -> list[Record]:
        rows: list[Record] = []
        for src in self._tools["audio_transcriptions"].draw(rng, count):
            requests = 1 + int(rng.expovariate(1 / 10))
            model = rng.choices((0, 1, 2), weights=(4, 2, 3))[0]
            seconds = requests * rng.randint(15, 600)
            rows.append((timestamp_in_day(rng, day), src.project, src.user, src.key, model, seconds, requests))
        return rows

    def _file_search_rows(self, rng: random.Random, day: int, count: int) -> list[Record]:
        rows: list[Record] = []
        for src in self._file_search.draw(rng, count):
            store = rng.choice(self._stores_of[src.project])
            requests = 1 + int(rng.expovariate(1 / 30))
            rows.append((timestamp_in_day(rng, day), src.project, src.user, src.key, store, requests))
        return rows

    def _web_search_rows(self, rng: random.Random, day: int, count: int) -> list[Record]:
        rows: list[Record] = []
        for src in self._tools["web_search_calls"].draw(rng, count):
            model_requests = 1 + int(rng.expovariate(1 / 15))
            searches = model_requests + int(model_requests * rng.random() * 0.8)
            model = rng.choices((0, 1, 2), weights=(3, 4, 2))[0]
            level = rng.choices(range(len(CONTEXT_LEVELS)), weights=(2, 5, 1))[0]
            ts = timestamp_in_day(rng, day)
            rows.append((ts, src.project, src.user, src.key, model, level, model_requests, searches))
        return rows

    def _vector_store_rows(self, day: int) -> list[Record]:
        """Bytes stored per project, measured once a day at 00:00 UTC; stores grow slowly through the window."""
        days_in = (day - self.window_start) // DAY
        totals: dict[int, int] = {}
        for store in self.vector_stores:
            size = int(store.base_bytes * (1 + store.daily_growth) ** days_in)
            totals[store.project] = totals.get(store.project, 0) + size
        return [(day, project, size) for project, size in sorted(totals.items())]

    # ------------------------------------------------------------------ derived figures

    def day_cost(self, day: int) -> int:
        """Total cost of one UTC day in picodollars."""
        return sum(row[4] for row in self.day(day).costs.rows)

    def project_costs(self, start: int, end: int) -> dict[int, int]:
        """Cost per project index in picodollars over the whole days from `start` up to `end` (day-aligned)."""
        totals: dict[int, int] = {}
        day = start - start % DAY
        while day < end:
            for row in self.day(day).costs.rows:
                totals[row[1]] = totals.get(row[1], 0) + row[4]
            day += DAY
        return totals

    def key_last_used(self, key_index: int) -> int | None:
        """Timestamp of the key's most recent usage record in the window, or None."""
        if key_index not in self._last_used:
            self._last_used[key_index] = self._find_last_use(key_index) if key_index in self._source_keys else None
        return self._last_used[key_index]

    def _find_last_use(self, key_index: int) -> int | None:
        day = self.today
        while day >= self.window_start:
            usage = self.day(day)
            times = [r[0] for r in usage.completions.rows if r[3] == key_index]
            times += [r[0] for r in usage.embeddings.rows if r[3] == key_index]
            times += [r[0] for r in usage.code_interpreter_sessions.rows if r[2] == key_index]
            if times:
                return max(times)
            day -= DAY
        return None


def _day_records(rows: list[Record]) -> DayRecords:
    rows.sort()
    return DayRecords(rows, [r[0] for r in rows])


def _cost_rows(day: int, completions: list[Record], embeddings: list[Record], sessions: list[Record]) -> list[Record]:
    """Aggregate one day's usage into (day, project, api_key, line_item, picodollars, quantity) rows."""
    totals: dict[tuple[int, int, int], list[int]] = {}

    def add(project: int, key: int, item: int, amount: int, quantity: int) -> None:
        acc = totals.setdefault((project, key, item), [0, 0])
        acc[0] += amount
        acc[1] += quantity

    width = len(PRICE_PREFIXES) * len(COMPLETION_KINDS)
    for _ts, project, _user, key, model, batch, tier, input_tokens, cached, output, _requests in completions:
        price = COMPLETION_MODELS[model]
        price_class = 1 if batch else (2 if tier == 1 else 0)
        divisor = DISCOUNT_DIVISOR if price_class else 1
        base = model * width + price_class * len(COMPLETION_KINDS)
        uncached = input_tokens - cached
        add(project, key, base, uncached * price.input // divisor, uncached)
        if cached:
            add(project, key, base + 1, cached * price.cached // divisor, cached)
        add(project, key, base + 2, output * price.output // divisor, output)
    embedding_base = len(COMPLETION_MODELS) * width
    for _ts, project, _user, key, model, input_tokens, _requests in embeddings:
        add(project, key, embedding_base + model, input_tokens * EMBEDDING_MODELS[model].input, input_tokens)
    ci_item = LINE_ITEM_INDEX[CODE_INTERPRETER_LINE_ITEM]
    for _ts, project, key, count in sessions:
        add(project, key, ci_item, count * CODE_INTERPRETER_SESSION_PRICE, count)
    return [(day, p, k, item, amount, qty) for (p, k, item), (amount, qty) in totals.items()]
