"""Nodes, their live samples, exec requests and typed RESP3 replies, monitoring views."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from miniredis_api.core.config import parse_memory
from miniredis_api.schemas.common import Timestamps

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
MIN_NODE_MEMORY = 1024 * 1024


class EvictionPolicy(enum.StrEnum):
    noeviction = "noeviction"
    allkeys_lru = "allkeys-lru"
    allkeys_lfu = "allkeys-lfu"
    allkeys_random = "allkeys-random"
    volatile_lru = "volatile-lru"
    volatile_lfu = "volatile-lfu"
    volatile_random = "volatile-random"
    volatile_ttl = "volatile-ttl"


class Persistence(enum.StrEnum):
    """Where a node keeps its data: `none` (memory only), `rdb` (snapshots: save rules and on
    stop) or `aof` (append-only file, fsynced every second)."""

    none = "none"
    rdb = "rdb"
    aof = "aof"


class Phase(enum.StrEnum):
    pending = "Pending"
    starting = "Starting"
    running = "Running"
    stopping = "Stopping"
    stopped = "Stopped"
    failed = "Failed"
    deleting = "Deleting"


def _memory(value: int | str | None) -> int | None:
    if value is None:
        return None
    size = parse_memory(value)
    if size < MIN_NODE_MEMORY:
        raise ValueError("memory must be at least 1mb")
    return size


class NodeCreate(BaseModel):
    name: str = Field(min_length=1, max_length=63, description="A DNS-1123 label, unique in the tenant.")
    memory: int | str | None = Field(default=None, description="Bytes, or a size such as '40mb' or '64Mi'.")
    eviction_policy: EvictionPolicy = EvictionPolicy.noeviction
    running: bool = True
    persistence: Persistence = Field(
        default=Persistence.none,
        description="`none` (memory only: stopping discards the data), `rdb` (snapshots) or `aof` "
        "(append-only file). Fixed at creation.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not DNS_LABEL.match(value):
            raise ValueError("name must be a DNS-1123 label: lower-case letters, digits and '-', 1-63 characters")
        return value

    @field_validator("memory", mode="after")
    @classmethod
    def _size(cls, value: int | str | None) -> int | None:
        return _memory(value)


class NodeUpdate(BaseModel):
    """Applied live (CONFIG SET), without a restart."""

    memory: int | str | None = None
    eviction_policy: EvictionPolicy | None = None
    persistence: Persistence | None = Field(
        default=None, description="Fixed at creation: a different value is refused with 409."
    )

    @field_validator("memory", mode="after")
    @classmethod
    def _size(cls, value: int | str | None) -> int | None:
        return _memory(value)


class Endpoint(BaseModel):
    host: str
    port: int


class Sample(BaseModel):
    used_memory: int = 0
    maxmemory: int = 0
    keys: int = 0
    connected_clients: int = 0
    ops_per_sec: float = 0.0
    hits: int = 0
    misses: int = 0
    evicted_keys: int = 0
    expired_keys: int = 0
    uptime_seconds: int = 0
    sampled_at: dt.datetime


class NodePublic(Timestamps):
    id: str
    tenant_id: str
    name: str
    memory: int
    eviction_policy: EvictionPolicy
    running: bool
    """The desired state."""
    phase: Phase
    reason: str | None
    endpoint: Endpoint | None
    metrics: Sample | None
    restarts: int = 0
    persistence: Persistence = Persistence.none
    data_kept_when_stopped: bool
    """False for `persistence: none` (memory only): stopping such a node discards its data."""


class NodePassword(BaseModel):
    password: str


class NodeMetrics(BaseModel):
    latest: Sample | None
    history: list[Sample]


class ExecRequest(BaseModel):
    """Either a command line (parsed as redis-cli parses quotes and escapes) or an argument array."""

    command: str | None = Field(default=None, max_length=1_000_000, examples=['SET greeting "hello world"'])
    args: list[str] | None = Field(default=None, max_length=100_000, examples=[["GET", "greeting"]])

    @model_validator(mode="after")
    def _one(self) -> ExecRequest:
        if (self.command is None) == (self.args is None):
            raise ValueError("give exactly one of 'command' and 'args'")
        return self


ReplyType = Literal[
    "string",
    "simple",
    "verbatim",
    "integer",
    "double",
    "bignum",
    "boolean",
    "nil",
    "array",
    "set",
    "map",
    "push",
    "error",
]


class Reply(BaseModel):
    """A RESP3 reply as typed JSON. Scalars carry `value`; array/set/push carry `items`; map carries
    `pairs`. Strings that are not UTF-8 are given base64-encoded with `base64: true`."""

    type: ReplyType
    value: str | int | float | bool | None = None
    base64: bool = False
    items: list[Reply] | None = None
    pairs: list[ReplyPair] | None = None


class ReplyPair(BaseModel):
    key: Reply
    value: Reply


class ExecResult(BaseModel):
    command: str
    reply: Reply
    elapsed_ms: float
    truncated: bool


class AuditPublic(Timestamps):
    """Who ran which command on which node (the command name and its key count, never values)."""

    id: str
    node_id: str
    user_id: str | None
    api_key_id: str | None
    command: str
    key_count: int | None
    outcome: str
    elapsed_ms: float


class PhaseCounts(BaseModel):
    nodes: int = 0
    by_phase: dict[str, int] = Field(default_factory=dict)
    memory_used: int = 0
    memory_limit: int = 0
    ops_per_sec: float = 0.0


class TenantOverview(PhaseCounts):
    tenant_id: str
    tenant_name: str


class Capacity(BaseModel):
    ports_total: int
    ports_used: int
    ports_free: int


class Overview(BaseModel):
    totals: PhaseCounts
    tenants: list[TenantOverview]
    capacity: Capacity
