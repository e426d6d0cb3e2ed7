"""maxmemory eviction: Redis's approximated LRU / LFU / TTL / random policies (evict.c).

`Server.make_room()` calls `perform_evictions` before every command while `maxmemory` is set and
the dataset estimate (INFO used_memory) is over it, and the server cron calls it again.
`configure(server)` must run at start-up and after CONFIG SET of maxmemory-policy or the LFU
settings: it tells the keyspace which per-key access data to keep (`Keyspace.track_access`).

How a victim is chosen, as Redis does it:

* Exact LRU/LFU would need every key ordered by access, which costs memory and time on every
  read. Instead each round samples `maxmemory-samples` keys from every database (all keys, or
  only keys with a TTL for the volatile-* policies) and scores them: idle time (LRU),
  255 - decayed access counter (LFU) or closeness of the expiry (volatile-ttl). Higher scores
  are better victims.
* Samples feed an *eviction pool* of the 16 best candidates seen so far, kept sorted and kept
  across rounds and across commands. A key that scored well once stays a candidate even when
  the next samples miss it, which brings the approximation close to true LRU with 5 samples.
* The best pool entry still present is evicted; entries whose key has gone (deleted, expired,
  flushed, or lost its TTL under a volatile policy) are skipped.
* The random policies pick a random key, visiting the databases round-robin.

LFU counters are Redis's: an 8-bit logarithmic counter (a hit increments it with probability
1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1)) that loses one point per `lfu-decay-time`
minutes without access; the value in `Database.access` packs the minute of the last decrement
above the counter, `(minutes & 0xFFFF) << 8 | counter`, like Redis's 24-bit `lru` field.

Eviction stops when memory is back under the limit, or when its time budget per call is spent
(Redis's `maxmemory-eviction-tenacity`); then the command still runs and the cron continues.
Only when nothing is left to evict (noeviction, or no volatile key under volatile-*) does it
fail, and the dispatcher refuses `denyoom` commands with the OOM error.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from miniredis_node.keyspace import Database
    from miniredis_node.server import Server

POOL_SIZE: Final = 16  # EVPOOL_SIZE
LFU_INIT_VAL: Final = 5  # a new key's counter: a few hits' head start over never-read keys
LFU_COUNTER_MAX: Final = 255
# Redis's time budget per eviction call is 50 µs per tenacity point (500 µs at the default
# 10). Evicting a key costs a Python process several times what it costs Redis, so the
# budget is scaled to evict about as many keys per call.
PYTHON_COST_FACTOR: Final = 8
# How many keys to evict between two looks at the clock (Redis checks every 16).
KEYS_BETWEEN_CLOCK_CHECKS: Final = 16
_MS_PER_MINUTE: Final = 60_000


def access_mode(policy: str) -> str:
    """The per-key access data a policy needs: "lru", "lfu" or "" (none)."""
    if policy.endswith("-lru"):
        return "lru"
    if policy.endswith("-lfu"):
        return "lfu"
    return ""


def configure(server: Server) -> None:
    """Apply maxmemory-policy: keep the access data it needs and forget stale candidates.

    Switching between LRU and LFU drops the recorded access data, because an LRU timestamp
    read as an LFU counter (or the reverse) would make every key look ideal or hopeless.
    """
    keyspace = server.keyspace
    mode = access_mode(server.config["maxmemory-policy"])
    if mode != keyspace.track_access:
        for db in keyspace.dbs:
            db.access.clear()
    keyspace.track_access = mode
    LFU.log_factor = server.config["lfu-log-factor"]
    LFU.decay_time = server.config["lfu-decay-time"]
    server.eviction_pool = None


# ---- LFU counters -------------------------------------------------------------------------------
class LfuSettings:
    """lfu-log-factor and lfu-decay-time, process-wide like Redis's: `Database.touch` reads
    them on every access, where threading a config through would cost a lookup per read."""

    __slots__ = ("decay_time", "log_factor")

    def __init__(self) -> None:
        self.log_factor = 10
        self.decay_time = 1


LFU = LfuSettings()


def lfu_minutes(now_ms: int) -> int:
    """The 16-bit minute clock LFU decay is measured in (LFUGetTimeInMinutes)."""
    return (now_ms // _MS_PER_MINUTE) & 0xFFFF


def lfu_log_incr(counter: int, log_factor: int) -> int:
    """One access: increment the counter with a probability that falls as it grows."""
    if counter >= LFU_COUNTER_MAX:
        return LFU_COUNTER_MAX
    base = max(counter - LFU_INIT_VAL, 0)
    if random.random() < 1.0 / (base * log_factor + 1):
        return counter + 1
    return counter


def lfu_decayed(packed: int, now_ms: int, decay_time: int) -> int:
    """The counter after `decay_time`-minute periods without access (LFUDecrAndReturn).

    A bare counter (no minute recorded above bit 8) is returned as it is.
    """
    counter = packed & 0xFF
    last = packed >> 8
    if not last or not decay_time:
        return counter
    now = lfu_minutes(now_ms)
    elapsed = now - last if now >= last else 0xFFFF - last + now
    periods = elapsed // decay_time
    return counter - periods if periods < counter else 0


def lfu_touch(packed: int | None, now_ms: int) -> int:
    """The packed access data after one access to a key (updateLFU); `packed` None for a key
    without access data yet (a new key), which starts at LFU_INIT_VAL."""
    if packed is None:
        counter = LFU_INIT_VAL
    else:
        counter = lfu_log_incr(lfu_decayed(packed, now_ms, LFU.decay_time), LFU.log_factor)
    return lfu_minutes(now_ms) << 8 | counter


# ---- victim selection ---------------------------------------------------------------------------
@dataclass(slots=True)
class Candidate:
    score: int  # higher = better victim
    db: Database
    key: bytes


class EvictionPool:
    """The best `POOL_SIZE` candidates seen so far, sorted by ascending score."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[Candidate] = []

    def offer(self, score: int, db: Database, key: bytes) -> None:
        entries = self.entries
        if len(entries) >= POOL_SIZE and score <= entries[0].score:
            return  # worse than every candidate of a full pool
        for entry in entries:
            if entry.key == key and entry.db is db:
                entry.score = score
                entries.sort(key=_by_score)
                return
        position = len(entries)
        while position and entries[position - 1].score > score:
            position -= 1
        entries.insert(position, Candidate(score, db, key))
        if len(entries) > POOL_SIZE:
            del entries[0]

    def pop_best(self, volatile: bool) -> Candidate | None:
        """The best candidate whose key still exists (with a TTL, under a volatile policy)."""
        entries = self.entries
        while entries:
            entry = entries.pop()
            where = entry.db.expires if volatile else entry.db.data
            if entry.key in where:
                return entry
        return None


def _by_score(entry: Candidate) -> int:
    return entry.score


def _populate(server: Server, pool: EvictionPool, policy: str, volatile: bool) -> bool:
    """Sample every database into the pool; False when there is nothing to sample."""
    keyspace = server.keyspace
    now = keyspace.now_ms
    samples = server.config["maxmemory-samples"]
    decay_time = LFU.decay_time
    lfu = policy.endswith("lfu")
    ttl = policy == "volatile-ttl"
    sampled = False
    for db in keyspace.dbs:
        index = db.expire_index if volatile else db.index
        if not index.owner:
            continue
        sampled = True
        access = db.access
        for key in index.sample(samples):
            if ttl:
                # ULLONG_MAX - expire in Redis: the sooner the expiry, the better the victim.
                score = -db.expires[key]
            elif lfu:
                packed = access.get(key)
                counter = LFU_INIT_VAL if packed is None else lfu_decayed(packed, now, decay_time)
                score = LFU_COUNTER_MAX - counter
            else:
                score = now - access.get(key, 0)
            pool.offer(score, db, key)
    return sampled


def _random_victim(server: Server, volatile: bool) -> Candidate | None:
    """A random key, trying the databases round-robin from after the last one used."""
    dbs = server.keyspace.dbs
    start = server.eviction_next_db
    for step in range(1, len(dbs) + 1):
        db = dbs[(start + step) % len(dbs)]
        index = db.expire_index if volatile else db.index
        if index.owner:
            picked = index.sample(1)
            if not picked:  # many deleted slots in the index: pack it, then a pick cannot miss
                index.compact()
                picked = index.sample(1)
            server.eviction_next_db = db.id
            return Candidate(0, db, picked[0])
    return None


def pick_victim(server: Server, policy: str) -> Candidate | None:
    """The next key to evict under `policy`, or None when no key qualifies."""
    volatile = policy.startswith("volatile")
    if policy.endswith("random"):
        return _random_victim(server, volatile)
    pool = server.eviction_pool
    if pool is None:
        pool = server.eviction_pool = EvictionPool()
    while True:
        if not _populate(server, pool, policy, volatile):
            return None
        victim = pool.pop_best(volatile)
        if victim is not None:
            return victim


def time_budget_s(tenacity: int) -> float:
    """Seconds one call may spend evicting (evictionTimeLimitUs, scaled for Python)."""
    if tenacity <= 10:
        micros = 50.0 * tenacity
    elif tenacity < 100:
        micros = 500.0 * 1.15 ** (tenacity - 10)
    else:
        return float("inf")
    return micros * PYTHON_COST_FACTOR / 1e6


def perform_evictions(server: Server) -> bool:
    """Evict until used_memory is within maxmemory (performEvictions).

    False only when over the limit with nothing left to evict (EVICT_FAIL); True when under
    the limit, or when the time budget ran out with evictions still possible (EVICT_RUNNING:
    the command proceeds and the cron carries on).
    """
    limit = server.maxmemory
    if not limit or server.used_memory() <= limit:
        return True
    config = server.config
    policy = config["maxmemory-policy"]
    if policy == "noeviction":
        return False
    keyspace = server.keyspace
    if keyspace.track_access != access_mode(policy):  # a policy set without configure()
        configure(server)
    deadline = time.monotonic() + time_budget_s(config["maxmemory-eviction-tenacity"])
    evicted = 0
    while server.used_memory() > limit:
        victim = pick_victim(server, policy)
        if victim is None:
            return False
        db, key = victim.db, victim.key
        if db.delete(key):
            keyspace.evicted_keys += 1
            if keyspace.on_evicted is not None:
                keyspace.on_evicted(db, key)
        evicted += 1
        if evicted % KEYS_BETWEEN_CLOCK_CHECKS == 0 and time.monotonic() > deadline:
            return True
    return True
