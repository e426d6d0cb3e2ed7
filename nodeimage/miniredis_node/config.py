"""The node's settings: one table that serves command-line flags, environment variables,
CONFIG GET/SET and INFO alike.

Each `Setting` knows how to parse a value the way redis.conf does (memory units such as
`40mb`/`1gb`, yes/no booleans, enums) and how to print it back for CONFIG GET. Settings that the
running server must react to (maxmemory, maxclients...) are applied by the server, which reads
`Config` values on demand; nothing is cached elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from miniredis_node import notify

EVICTION_POLICIES = (  # in the order Redis lists them in its error text
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
)
LOG_LEVELS = ("debug", "verbose", "notice", "warning", "nothing")
APPENDFSYNC = ("always", "everysec", "no")

_MEMORY = re.compile(rb"^(\d+)([kmg]b?)?$", re.IGNORECASE)  # Redis's memtoull has no sign
_UNITS = {b"": 1, b"k": 1000, b"kb": 1024, b"m": 1000**2, b"mb": 1024**2, b"g": 1000**3, b"gb": 1024**3}


class ConfigError(ValueError):
    """A value a setting does not accept; the text is Redis's reason."""


def parse_memory(raw: bytes | str) -> int:
    """redis.conf memory units: `1k` = 1000, `1kb` = 1024, `40mb`, `1gb`; case-insensitive."""
    data = raw.encode() if isinstance(raw, str) else raw
    match = _MEMORY.match(data.strip())
    if not match:
        raise ConfigError("argument must be a memory value")
    number, unit = match.groups()
    return int(number) * _UNITS[(unit or b"").lower()]


def _parse_int(raw: bytes) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError("argument couldn't be parsed into an integer") from None


def _parse_bool(raw: bytes) -> bool:
    lowered = raw.lower()
    if lowered == b"yes":
        return True
    if lowered == b"no":
        return False
    raise ConfigError("argument must be 'yes' or 'no'")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[bytes], Any]
    show: Callable[[Any], bytes]
    doc: str
    minimum: int | None = None
    maximum: int | None = None
    mutable: bool = True
    aliases: tuple[str, ...] = ()


def _int(name: str, default: int, doc: str, lo: int | None = None, hi: int | None = None, **kw: Any) -> Setting:
    return Setting(name, default, _parse_int, lambda v: str(v).encode(), doc, lo, hi, **kw)


def _memory(name: str, default: int, doc: str, lo: int | None = 0, **kw: Any) -> Setting:
    return Setting(name, default, parse_memory, lambda v: str(v).encode(), doc, lo, **kw)


def _bool(name: str, default: bool, doc: str, **kw: Any) -> Setting:
    return Setting(name, default, _parse_bool, lambda v: b"yes" if v else b"no", doc, **kw)


def _str(name: str, default: str, doc: str, **kw: Any) -> Setting:
    return Setting(name, default, lambda raw: raw.decode(errors="replace"), lambda v: v.encode(), doc, **kw)


def _enum(name: str, default: str, choices: tuple[str, ...], doc: str, **kw: Any) -> Setting:
    def parse(raw: bytes) -> str:
        value = raw.decode(errors="replace").lower()
        if value not in choices:
            raise ConfigError(f"argument(s) must be one of the following: {', '.join(choices)}")
        return value

    return Setting(name, default, parse, lambda v: v.encode(), doc, **kw)


SETTINGS: tuple[Setting, ...] = (
    _int("port", 6379, "TCP port to listen on.", 0, 65535, mutable=False),
    _str("bind", "127.0.0.1", "Addresses to listen on, space separated.", mutable=False),
    _str("requirepass", "", "Password clients must AUTH with; empty means none."),
    _memory("maxmemory", 0, "Memory limit for the dataset (0 = none); `40mb`, `1gb` accepted."),
    _enum("maxmemory-policy", "noeviction", EVICTION_POLICIES, "What to evict when over maxmemory."),
    _int("maxmemory-samples", 5, "Keys sampled per eviction, as Redis's approximation.", 1, 64),
    _int("maxmemory-eviction-tenacity", 10, "Effort spent evicting per command.", 0, 100),
    _int("maxclients", 10000, "Maximum simultaneous clients.", 1),
    _int("databases", 16, "Number of databases (SELECT 0..n-1).", 1, mutable=False),
    _memory("proto-max-bulk-len", 512 * 1024 * 1024, "Largest bulk string accepted.", 1024 * 1024),
    _memory("client-query-buffer-limit", 1024**3, "Largest query buffer per client.", 1024 * 1024),
    _int("timeout", 0, "Close idle clients after this many seconds (0 = never).", 0),
    _enum("loglevel", "notice", LOG_LEVELS, "Log verbosity."),
    _str("logfile", "", "Log file; empty logs to standard output.", mutable=False),
    _int("hz", 10, "Background task frequency (expiry cycle, statistics).", 1, 500),
    Setting(
        "notify-keyspace-events",
        0,
        notify.parse_classes,
        notify.show_classes,
        "Keyspace notification classes (K, E, g$lshzxetmdn, A).",
    ),
    _int("slowlog-log-slower-than", 10000, "Log commands slower than this many microseconds."),
    _int("slowlog-max-len", 128, "Entries kept in the slow log.", 0),
    _int("latency-monitor-threshold", 0, "Latency monitor threshold in milliseconds.", 0),
    _int("lua-time-limit", 5000, "Milliseconds before a script counts as busy.", 0, aliases=("busy-reply-threshold",)),
    _int("lfu-log-factor", 10, "LFU counter logarithm factor.", 0),
    _int("lfu-decay-time", 1, "LFU counter decay in minutes.", 0),
    _int(
        "hash-max-listpack-entries",
        512,
        "Encoding threshold reported by OBJECT ENCODING.",
        0,
        aliases=("hash-max-ziplist-entries",),
    ),
    _int(
        "hash-max-listpack-value",
        64,
        "Encoding threshold reported by OBJECT ENCODING.",
        0,
        aliases=("hash-max-ziplist-value",),
    ),
    _int("set-max-intset-entries", 512, "Encoding threshold reported by OBJECT ENCODING.", 0),
    _int(
        "zset-max-listpack-entries",
        128,
        "Encoding threshold reported by OBJECT ENCODING.",
        0,
        aliases=("zset-max-ziplist-entries",),
    ),
    _int(
        "zset-max-listpack-value",
        64,
        "Encoding threshold reported by OBJECT ENCODING.",
        0,
        aliases=("zset-max-ziplist-value",),
    ),
    _int(
        "list-max-listpack-size",
        -2,
        "Encoding threshold reported by OBJECT ENCODING.",
        aliases=("list-max-ziplist-size",),
    ),
    _int("list-compress-depth", 0, "Accepted for compatibility.", 0),
    _int("hll-sparse-max-bytes", 3000, "Largest sparse HyperLogLog before it turns dense.", 0),
    _int("stream-node-max-entries", 100, "Accepted for compatibility.", 0),
    _int("stream-node-max-bytes", 4096, "Accepted for compatibility.", 0),
    _bool("appendonly", False, "Append-only file persistence."),
    _enum("appendfsync", "everysec", APPENDFSYNC, "When the AOF is fsynced."),
    _str("appendfilename", "appendonly.aof", "AOF file name.", mutable=False),
    _str("appenddirname", "appendonlydir", "Directory (inside `dir`) of the multi-part AOF.", mutable=False),
    _bool("aof-load-truncated", True, "Load an AOF whose last command was cut short (truncating it)."),
    _bool("aof-use-rdb-preamble", True, "Write AOF base files as RDB (when the RDB writer is available)."),
    _int("auto-aof-rewrite-percentage", 100, "Rewrite the AOF when it grew by this % since (0 = never).", 0),
    _memory("auto-aof-rewrite-min-size", 64 * 1024 * 1024, "Smallest AOF size an automatic rewrite considers."),
    _bool("aof-rewrite-incremental-fsync", True, "Accepted for compatibility."),
    _bool("aof-timestamp-enabled", False, "Accepted for compatibility (no timestamp annotations)."),
    _bool("aof-disable-auto-gc", False, "Keep history AOF files after a rewrite instead of deleting them."),
    _str("dir", ".", "Working directory for persistence files."),
    _str("dbfilename", "dump.rdb", "Snapshot file name."),
    _str("save", "", "Snapshot rules: pairs of seconds and changes."),
    _bool("enable-debug-command", False, "Allow DEBUG (off by default, as in Redis 7).", mutable=False),
    _str(
        "client-output-buffer-limit",
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        "Output buffer limits per client class: hard, soft, soft seconds.",
    ),
    _int("tcp-keepalive", 300, "TCP keepalive interval in seconds.", 0),
    _int("tcp-backlog", 511, "Listen backlog.", 0, mutable=False),
    _int("io-threads", 1, "Accepted for compatibility (the node is single-threaded).", 1, mutable=False),
    _bool("lazyfree-lazy-user-flush", False, "Accepted for compatibility."),
    _int("active-expire-effort", 1, "Accepted for compatibility.", 1, 10),
    _str("replica-read-only", "yes", "Accepted for compatibility (no replication)."),
    _str("cluster-enabled", "no", "The node is never a cluster member.", mutable=False),
)

BY_NAME: dict[str, Setting] = {}
for _setting in SETTINGS:
    BY_NAME[_setting.name] = _setting
    for _alias in _setting.aliases:
        BY_NAME[_alias] = _setting


class Config:
    """Current values of every setting, by canonical name."""

    def __init__(self, **overrides: Any) -> None:
        self.values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        for name, value in overrides.items():
            self.values[name.replace("_", "-")] = value

    def __getitem__(self, name: str) -> Any:
        return self.values[BY_NAME[name].name]

    def parse_and_set(self, name: str, raw: bytes) -> tuple[str, Any]:
        """Validate `raw` for setting `name` and store it; returns (canonical name, old value)."""
        setting = BY_NAME.get(name.lower())
        if setting is None:
            raise KeyError(name)
        value = setting.parse(raw)
        if isinstance(value, int) and not isinstance(value, bool):
            if (setting.minimum is not None and value < setting.minimum) or (
                setting.maximum is not None and value > setting.maximum
            ):
                low = setting.minimum if setting.minimum is not None else "-inf"
                high = setting.maximum if setting.maximum is not None else "inf"
                raise ConfigError(f"argument must be between {low} and {high} inclusive")
        old = self.values[setting.name]
        self.values[setting.name] = value
        return setting.name, old

    def show(self, name: str) -> bytes:
        setting = BY_NAME[name]
        return setting.show(self.values[setting.name])
