"""The live sample: INFO's text turned into the numbers status shows. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DB_KEYS = re.compile(r"^db\d+$")


@dataclass(frozen=True)
class Sample:
    """What one INFO reply says about a node."""

    used_memory: int
    maxmemory: int
    maxmemory_policy: str
    keys: int
    connected_clients: int
    ops_per_sec: int
    evicted_keys: int
    expired_keys: int
    keyspace_hits: int
    keyspace_misses: int
    uptime_seconds: int

    @property
    def hit_ratio(self) -> float | None:
        """Hits over lookups since the node started; None before the first lookup."""
        lookups = self.keyspace_hits + self.keyspace_misses
        return round(self.keyspace_hits / lookups, 4) if lookups else None


def parse_info(text: str) -> Sample:
    """Parse `INFO` (any sections; missing fields count as 0): `field:value` lines, `# Section` headers."""
    fields: dict[str, str] = {}
    keys = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, _, value = line.partition(":")
        if _DB_KEYS.match(name):
            for item in value.split(","):
                key, _, count = item.partition("=")
                if key == "keys" and count.isdigit():
                    keys += int(count)
            continue
        fields[name] = value

    def number(name: str) -> int:
        try:
            return int(float(fields.get(name, "0")))
        except ValueError:
            return 0

    return Sample(
        used_memory=number("used_memory"),
        maxmemory=number("maxmemory"),
        maxmemory_policy=fields.get("maxmemory_policy", ""),
        keys=keys,
        connected_clients=number("connected_clients"),
        ops_per_sec=number("instantaneous_ops_per_sec"),
        evicted_keys=number("evicted_keys"),
        expired_keys=number("expired_keys"),
        keyspace_hits=number("keyspace_hits"),
        keyspace_misses=number("keyspace_misses"),
        uptime_seconds=number("uptime_in_seconds"),
    )
