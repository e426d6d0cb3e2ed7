"""The sampler: reads every running node's INFO every few seconds, concurrently, and keeps the
latest sample plus a history for charts.

History is kept in memory in two tiers: full resolution (one point per `max(interval, 10 s)`) for
`history_fine_hours`, then 5-minute averages for `history_coarse_days`. Points are compact tuples
(about 150 bytes each), so 200 nodes cost about 250 MB at the defaults. History restarts empty
when the API restarts; the latest sample is back within one interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from miniredis_api.core.config import Settings
from miniredis_api.runtimes.base import NodeSpec, Runtime
from miniredis_api.schemas.node import Sample

log = logging.getLogger(__name__)
COARSE_SECONDS = 300
FIELDS = (
    "used_memory",
    "maxmemory",
    "keys",
    "connected_clients",
    "ops_per_sec",
    "hits",
    "misses",
    "evicted_keys",
    "expired_keys",
    "uptime_seconds",
)
Point = tuple[float, ...]
"""(unix time, *FIELDS)"""


def to_point(sample: Sample) -> Point:
    return (sample.sampled_at.timestamp(), *(float(getattr(sample, name)) for name in FIELDS))


def to_sample(point: Point) -> Sample:
    values = dict(zip(FIELDS, point[1:]))
    return Sample(
        sampled_at=dt.datetime.fromtimestamp(point[0], dt.UTC),
        ops_per_sec=values.pop("ops_per_sec"),
        **{name: int(value) for name, value in values.items()},
    )


@dataclass
class History:
    fine: deque[Point]
    coarse: deque[Point]
    bucket: list[Point] = field(default_factory=list)
    last_fine: float = 0.0

    def add(self, point: Point, step: float) -> None:
        if point[0] - self.last_fine >= step - 0.5:
            self.fine.append(point)
            self.last_fine = point[0]
        if self.bucket and int(point[0] // COARSE_SECONDS) != int(self.bucket[0][0] // COARSE_SECONDS):
            n = len(self.bucket)
            self.coarse.append(tuple(sum(p[i] for p in self.bucket) / n for i in range(len(point))))
            self.bucket.clear()
        self.bucket.append(point)

    def since(self, start: float) -> list[Point]:
        oldest_fine = self.fine[0][0] if self.fine else float("inf")
        older = [p for p in self.coarse if start <= p[0] < oldest_fine]
        return older + [p for p in self.fine if p[0] >= start]


class Monitor:
    def __init__(self, settings: Settings, runtime: Runtime) -> None:
        self.settings, self.runtime = settings, runtime
        self.step = max(settings.sample_interval_seconds, 10.0)
        self.latest: dict[str, Sample] = {}
        self.histories: dict[str, History] = {}
        self._task: asyncio.Task[None] | None = None
        self.last_cycle_seconds = 0.0

    def start(self, specs: Callable[[], Sequence[NodeSpec]]) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(specs), name="sampler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self, specs: Callable[[], Sequence[NodeSpec]]) -> None:
        while True:
            try:
                await self.cycle(specs())
            except Exception:  # a sampling bug must not end sampling
                log.exception("sampling cycle failed")
            await asyncio.sleep(self.settings.sample_interval_seconds)

    async def cycle(self, specs: Sequence[NodeSpec]) -> int:
        """Sample every running node once, concurrently; returns how many answered."""
        started = time.perf_counter()
        semaphore = asyncio.Semaphore(64)

        async def one(spec: NodeSpec) -> tuple[str, Sample | None]:
            async with semaphore:
                try:
                    return spec.id, await asyncio.wait_for(self.runtime.sample(spec), 2.0)
                except TimeoutError:
                    return spec.id, None

        running = [spec for spec in specs if self.runtime.exec_endpoint(spec.id) is not None]
        results = await asyncio.gather(*(one(spec) for spec in running))
        answered = 0
        for node_id, sample in results:
            if sample is None:
                continue
            answered += 1
            self.record(node_id, sample)
        for node_id in set(self.latest) - {spec.id for spec in running}:
            self.latest.pop(node_id, None)  # a stopped node has no live sample
        self.last_cycle_seconds = time.perf_counter() - started
        return answered

    def record(self, node_id: str, sample: Sample) -> None:
        self.latest[node_id] = sample
        history = self.histories.get(node_id)
        if history is None:
            fine = int(self.settings.history_fine_hours * 3600 / self.step) + 1
            coarse = int(self.settings.history_coarse_days * 86400 / COARSE_SECONDS) + 1
            history = self.histories[node_id] = History(fine=deque(maxlen=fine), coarse=deque(maxlen=coarse))
        history.add(to_point(sample), self.step)

    def history(self, node_id: str, since_seconds: float) -> list[Sample]:
        found = self.histories.get(node_id)
        if found is None:
            return []
        return [to_sample(point) for point in found.since(time.time() - since_seconds)]

    def forget(self, node_id: str) -> None:
        self.latest.pop(node_id, None)
        self.histories.pop(node_id, None)
