"""The runtime interface: what the node service asks of wherever nodes run.

A runtime owns processes (or pods), ports and liveness; the service owns rows, rules and quotas.
The service calls `open()` once with every node's spec and desired state (the runtime adopts what
still runs and starts or stops the rest), then `create/start/stop/delete/resize/set_password` as
requests arrive. The runtime reports what it observes through `status()` (cheap, in memory) and
the `on_change` callback (the service persists phase and endpoint). `exec_endpoint()` is where the
API itself connects to a node (it may differ from the endpoint shown to users, e.g. a Service
name inside a cluster); `sample()` reads INFO there.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from miniredis_api.schemas.node import Phase, Sample


@dataclass(frozen=True)
class NodeSpec:
    """What the runtime needs to run a node: the desired configuration."""

    id: str
    tenant_id: str
    name: str
    memory: int
    eviction_policy: str
    password: str
    port: int | None = None
    """The last port the node had, reused when free."""
    persistence: str = "none"
    """none, rdb or aof: fixed at creation."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


@dataclass(frozen=True)
class NodeState:
    """The observed state of one node."""

    phase: Phase
    reason: str | None = None
    endpoint: Endpoint | None = None
    restarts: int = 0


@dataclass(frozen=True)
class Capacity:
    total: int
    used: int

    @property
    def free(self) -> int:
        return max(0, self.total - self.used)


@dataclass
class DesiredNode:
    spec: NodeSpec
    running: bool
    last_phase: Phase = Phase.pending
    extra: dict[str, str] = field(default_factory=dict)


class RuntimeFailure(Exception):
    """A node could not be started, stopped or reconfigured; the message says why."""


class CapacityExhausted(RuntimeFailure):
    """No room for another node (for the local runtime: no free port in the range)."""


_background: set[asyncio.Task[None]] = set()
ChangeListener = Callable[[str, NodeState], None]


class Runtime(abc.ABC):
    """Runs nodes. Methods are called from the API's event loop; they never block it."""

    name: str = "abstract"
    min_memory: int = 0
    """The smallest memory limit (bytes) a node may have on this runtime."""

    def __init__(self) -> None:
        self._listeners: list[ChangeListener] = []
        self._clients: dict[str, tuple[tuple[str, int, str], aioredis.Redis]] = {}

    def on_change(self, listener: ChangeListener) -> None:
        """Call `listener(node_id, state)` whenever a node's observed state changes."""
        self._listeners.append(listener)

    def _notify(self, node_id: str, state: NodeState) -> None:
        for listener in self._listeners:
            listener(node_id, state)

    @abc.abstractmethod
    async def open(self, nodes: Sequence[DesiredNode]) -> None:
        """Start supervising: adopt nodes that still run, start or stop the others as desired."""

    @abc.abstractmethod
    async def close(self, *, stop_nodes: bool = False) -> None:
        """Stop supervising. Nodes keep running unless `stop_nodes` (they are adopted at the next open)."""

    @abc.abstractmethod
    async def create(self, spec: NodeSpec, *, running: bool) -> NodeState:
        """Register a new node and start it when `running`; raises CapacityExhausted or RuntimeFailure."""

    @abc.abstractmethod
    async def start(self, spec: NodeSpec) -> NodeState:
        """Start a stopped (or failed) node; returns once it answers PING or failed."""

    @abc.abstractmethod
    async def stop(self, node_id: str) -> NodeState:
        """Stop a node's process; it stays registered (phase Stopped)."""

    @abc.abstractmethod
    async def delete(self, node_id: str) -> None:
        """Stop a node and forget it, removing whatever it stored."""

    @abc.abstractmethod
    async def resize(self, spec: NodeSpec) -> None:
        """Apply the spec's memory limit and eviction policy live (no restart)."""

    @abc.abstractmethod
    async def set_password(self, spec: NodeSpec) -> None:
        """Apply the spec's new password live; later restarts use it too."""

    @abc.abstractmethod
    def status(self, node_id: str) -> NodeState | None:
        """The observed state, or None when the runtime does not know the node."""

    @abc.abstractmethod
    def exec_endpoint(self, node_id: str) -> Endpoint | None:
        """Where the API connects to the node, or None when it is not running."""

    @abc.abstractmethod
    def capacity(self) -> Capacity:
        """How many nodes fit, and how many places are taken."""

    async def ready(self) -> bool:
        """Whether the runtime can take requests (the readiness probe)."""
        return True

    def client(self, spec: NodeSpec) -> aioredis.Redis:
        """A pooled redis-py client to the node's exec endpoint, rebuilt when the port or password changes."""
        endpoint = self.exec_endpoint(spec.id)
        if endpoint is None:
            raise RuntimeFailure("node is not running")
        key = (endpoint.host, endpoint.port, spec.password)
        cached = self._clients.get(spec.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        if cached is not None:
            self._drop_later(cached[1])
        client = aioredis.Redis(
            host=endpoint.host,
            port=endpoint.port,
            password=spec.password,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
            decode_responses=False,
            max_connections=8,
        )
        self._clients[spec.id] = (key, client)
        return client

    def forget_client(self, node_id: str) -> None:
        cached = self._clients.pop(node_id, None)
        if cached is not None:
            self._drop_later(cached[1])

    def _drop_later(self, client: aioredis.Redis) -> None:
        task = asyncio.get_running_loop().create_task(client.aclose())
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def close_clients(self) -> None:
        clients, self._clients = self._clients, {}
        for _, client in clients.values():
            with contextlib.suppress(Exception):
                await client.aclose()

    async def sample(self, spec: NodeSpec) -> Sample | None:
        """One INFO reading of a running node, or None when it cannot be read."""
        try:
            info = await self.client(spec).info()
        except (RuntimeFailure, RedisError, OSError):
            return None
        return sample_from_info(info)


def sample_from_info(info: dict[str, object]) -> Sample:
    """Turn INFO's fields into a Sample (missing fields count as zero)."""

    def number(name: str) -> float:
        value = info.get(name, 0)
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 0.0

    keys = 0
    for name, value in info.items():
        if name.startswith("db") and isinstance(value, dict):
            keys += int(value.get("keys", 0))
    return Sample(
        used_memory=int(number("used_memory")),
        maxmemory=int(number("maxmemory")),
        keys=keys,
        connected_clients=int(number("connected_clients")),
        ops_per_sec=number("instantaneous_ops_per_sec"),
        hits=int(number("keyspace_hits")),
        misses=int(number("keyspace_misses")),
        evicted_keys=int(number("evicted_keys")),
        expired_keys=int(number("expired_keys")),
        uptime_seconds=int(number("uptime_in_seconds")),
        sampled_at=dt.datetime.now(dt.UTC),
    )
