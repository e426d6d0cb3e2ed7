"""The keyspace: numbered databases of keys, their expiry, and what watches or waits on them.

Handlers read and write keys only through `Database`, because every write has side effects that
must never be forgotten (Redis's signalModifiedKey + notifyKeyspaceEvent + server.dirty):

* WATCHed keys are dirtied (EXEC then aborts);
* clients blocked on the key (BLPOP, BZPOPMIN, XREAD BLOCK) are queued to be served;
* the dataset's memory estimate is updated (INFO used_memory, maxmemory eviction);
* the dirty counter grows (persistence, INFO).

`set`/`delete` do this for whole values; after mutating a container in place, call
`modified(key)`. Lookups expire keys lazily; `active_expire_cycle` reclaims keys nobody touches,
by Redis's sampling algorithm (see its docstring).

Random sampling and SCAN both need positions in a dict, which Python does not expose, so every
database keeps a `KeyIndex`: an append-only list of its keys (see that class).
"""

from __future__ import annotations

import random
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from miniredis_node import errors
from miniredis_node.datatypes import HashValue, ListValue, SetValue, ZSetValue
from miniredis_node.eviction import LFU, LFU_INIT_VAL, lfu_decayed, lfu_touch

if TYPE_CHECKING:
    from miniredis_node.client import Client

# ---- memory estimate ------------------------------------------------------------------------
# Calibrated against the process's RSS growth (tests/node/test_memory.py): what CPython really
# spends per key and per element, so INFO's used_memory tracks the process and `maxmemory`
# bounds it. A container's own structure (hash table, deque blocks) is measured exactly with
# sys.getsizeof, which follows CPython's power-of-two growth (and tables that never shrink);
# its elements are estimated from a sample, as Redis's MEMORY USAGE does.
KEY_ENTRY_OVERHEAD = 56  # the keyspace dict's entry and index slot, amortised over its growth
BYTES_OBJECT_OVERHEAD = 33  # PyBytesObject header plus the trailing NUL
EXPIRE_ENTRY_OVERHEAD = 110  # expires dict entry, the int object, the expire index slot
# What sys.getsizeof does not see: the `mem` int on every container, malloc headers of blocks
# over 512 bytes; for sorted sets the SortedList object, its attribute dict and index lists.
CONTAINER_OVERHEAD: dict[type, int] = {ListValue: 80, HashValue: 64, SetValue: 64, ZSetValue: 600}
# Per element beyond the element's own bytes objects: a sorted set holds a (score, member)
# tuple, a float and a pointer slot in a SortedList sublist.
ZSET_ELEMENT_OVERHEAD = 64 + 32 + 10
MEMORY_SAMPLES = 8

_getsizeof = sys.getsizeof


def bytes_size(length: int) -> int:
    """Bytes CPython allocates for a bytes object of this length (16-byte allocator classes)."""
    return (BYTES_OBJECT_OVERHEAD + length + 15) & ~15


def value_size(value: Any) -> int:
    """Estimated memory of one value: its structure exactly, its elements by a sample of them."""
    kind = type(value)
    if kind is bytes:
        return bytes_size(len(value))
    n = len(value)
    if kind is ZSetValue:
        structure = _getsizeof(value.scores) + CONTAINER_OVERHEAD[ZSetValue]
    else:
        structure = _getsizeof(value) + CONTAINER_OVERHEAD.get(kind, 64)
    if n == 0:
        return structure
    # The sample's mean length, then one allocation size: exact for elements of one size,
    # within a 16-byte class otherwise, and cheap enough to run after every LPUSH.
    taken = n if n < MEMORY_SAMPLES else MEMORY_SAMPLES
    per_element = bytes_size(sum(map(len, islice(value, taken))) // taken)
    if kind is HashValue:
        per_element += bytes_size(sum(map(len, islice(value.values(), taken))) // taken)
    elif kind is ZSetValue:
        per_element += ZSET_ELEMENT_OVERHEAD
    return structure + n * per_element


INDEX_SLACK = 1024  # dead slots a small dict may carry before its index is rebuilt


class KeyIndex:
    """Stable positions for a dict's keys: an append-only list with lazy removal.

    A key is appended when it enters the dict and left in place when it leaves; a slot whose key
    is no longer in the dict is dead. Positions therefore never move while keys come and go, so
    a SCAN cursor (a position) never skips a key that stayed for the whole scan, and a random
    position is an O(1) random sample. When dead slots outnumber live keys the list is rebuilt
    and the epoch bumped; cursors from an older epoch restart from the beginning, which may
    repeat keys (SCAN allows that) but never misses one.
    """

    __slots__ = ("epoch", "owner", "slots")

    def __init__(self, owner: dict[bytes, Any]) -> None:
        self.owner = owner
        self.slots: list[bytes] = []
        self.epoch = 0

    def added(self, key: bytes) -> None:
        """Record a key that has just entered the dict (call after inserting it: a compaction
        rebuilds the slots from the dict, and a key not yet there would be lost to SCAN)."""
        self.slots.append(key)
        if len(self.slots) > 2 * len(self.owner) + INDEX_SLACK:
            self.compact()

    def compact(self) -> None:
        self.slots = list(self.owner)
        self.epoch = (self.epoch + 1) & 0xFFFF

    def clear(self) -> None:
        self.slots = []
        self.epoch = (self.epoch + 1) & 0xFFFF

    def sample(self, count: int) -> list[bytes]:
        """Up to `count` random live keys (possibly repeated, as Redis's dictGetSomeKeys)."""
        owner, slots = self.owner, self.slots
        if not owner:
            return []
        if len(slots) > 4 * len(owner) + 64:
            self.compact()
            slots = self.slots
        picked: list[bytes] = []
        tries = count * 8
        size = len(slots)
        while len(picked) < count and tries:
            tries -= 1
            key = slots[random.randrange(size)]
            if key in owner:
                picked.append(key)
        return picked

    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """Keys at positions from `cursor` on, at least `count` slots' worth; and the next cursor."""
        position, epoch = cursor >> 16, cursor & 0xFFFF
        if epoch != self.epoch:
            position = 0
        slots, owner = self.slots, self.owner
        end = position + count
        found = [key for key in slots[position:end] if key in owner]
        if end >= len(slots):
            return 0, found
        return (end << 16) | self.epoch, found


class Database:
    """One numbered database (SELECT n)."""

    __slots__ = ("access", "blocked", "data", "expire_index", "expires", "id", "index", "keyspace", "watched")

    def __init__(self, db_id: int, keyspace: Keyspace) -> None:
        self.id = db_id
        self.keyspace = keyspace
        self.data: dict[bytes, Any] = {}
        self.expires: dict[bytes, int] = {}
        self.index = KeyIndex(self.data)
        self.expire_index = KeyIndex(self.expires)
        # key -> clients that WATCH it / clients blocked waiting for it to be served.
        self.watched: dict[bytes, list[Client]] = {}
        self.blocked: dict[bytes, deque[Client]] = {}
        # key -> last access (unix ms) or LFU counter; kept only under LRU/LFU eviction policies,
        # where OBJECT IDLETIME/FREQ and eviction need it (see Keyspace.track_access).
        self.access: dict[bytes, int] = {}

    # ---- reads ------------------------------------------------------------------------------
    def lookup(self, key: bytes) -> Any:
        """The live value at `key` or None; counts a keyspace hit or miss (lookupKeyRead)."""
        value = self.data.get(key)
        if value is not None and self.expires and self._expire_if_needed(key):
            value = None
        keyspace = self.keyspace
        if value is None:
            keyspace.misses += 1
            if keyspace.on_miss is not None:
                keyspace.on_miss(self, key)
        else:
            keyspace.hits += 1
            if keyspace.track_access:
                self.touch(key)
        return value

    def touch(self, key: bytes) -> None:
        """Record an access for LRU/LFU eviction (the LFU counter is Redis's, see eviction.py)."""
        keyspace = self.keyspace
        if keyspace.track_access == "lfu":
            self.access[key] = lfu_touch(self.access.get(key), keyspace.now_ms)
        else:
            self.access[key] = keyspace.now_ms

    def access_score(self, key: bytes, *, lfu: bool) -> int:
        """Last access in unix ms (LRU), or the LFU counter after decay (OBJECT FREQ)."""
        value = self.access.get(key)
        if not lfu:
            return value or 0
        return LFU_INIT_VAL if value is None else lfu_decayed(value, self.keyspace.now_ms, LFU.decay_time)

    def peek(self, key: bytes) -> Any:
        """The live value at `key` or None, without touching statistics (lookupKeyWrite)."""
        value = self.data.get(key)
        if value is not None and self.expires and self._expire_if_needed(key):
            return None
        return value

    def lookup_typed(self, key: bytes, kind: type, *, write: bool = False) -> Any:
        """The value at `key` if it has type `kind`; None when missing; WRONGTYPE otherwise."""
        if write:  # peek() inlined: this is every list write's first step
            value = self.data.get(key)
            if value is not None and self.expires and self._expire_if_needed(key):
                return None
        else:
            value = self.lookup(key)
        if value is not None and type(value) is not kind:
            raise errors.CommandError(errors.WRONGTYPE)
        return value

    def exists(self, key: bytes) -> bool:
        return self.peek(key) is not None

    def ttl_ms(self, key: bytes) -> int | None:
        """Absolute expiry in unix milliseconds, or None when the key is persistent."""
        return self.expires.get(key) if self.expires else None

    # ---- writes -----------------------------------------------------------------------------
    def set(self, key: bytes, value: Any, *, keep_ttl: bool = False) -> None:
        """Store `value` at `key`, replacing any value; clears the TTL unless `keep_ttl`."""
        data = self.data
        old = data.get(key)
        keyspace = self.keyspace
        # bytes_size() is inlined for the byte strings of the hot path: (33 + n + 15) & ~15.
        if type(value) is bytes:
            size = (len(value) + 48) & ~15
        else:
            size = value.mem = value_size(value)
        if old is None:
            size += KEY_ENTRY_OVERHEAD + ((len(key) + 48) & ~15)
        else:
            size -= old.mem if type(old) is not bytes else (len(old) + 48) & ~15
        keyspace.used_memory += size
        data[key] = value
        if old is None:
            self.index.added(key)  # after the insert: a compaction it triggers must keep the key
            if keyspace.on_new is not None:
                keyspace.on_new(self, key)
        if keyspace.track_access:
            self.touch(key)
        if not keep_ttl and self.expires and key in self.expires:
            self._drop_expire(key)
        keyspace.dirty += 1
        if self.watched and key in self.watched:
            self._touch_watchers(key)
        if self.blocked and key in self.blocked:
            keyspace.ready_keys.append((self, key))

    def replace_string(self, key: bytes, old: bytes, value: bytes) -> None:
        """`set(key, value, keep_ttl=True)` where `key` holds the live string `old`: the
        read-modify-write commands' case (INCR and the like), without set()'s general checks."""
        self.data[key] = value
        keyspace = self.keyspace
        keyspace.used_memory += ((len(value) + 48) & ~15) - ((len(old) + 48) & ~15)
        if keyspace.track_access:
            self.touch(key)
        keyspace.dirty += 1
        if self.watched and key in self.watched:
            self._touch_watchers(key)

    def set_strings(self, argv: list[bytes]) -> None:
        """MSET's body: `set(argv[i], argv[i + 1])` for i = 1, 3, ... in one loop, the state
        read once and the memory estimate summed; it must do exactly what those calls do."""
        data, index, keyspace = self.data, self.index, self.keyspace
        expires, watched, blocked, track_access = self.expires, self.watched, self.blocked, keyspace.track_access
        delta = 0
        for i in range(1, len(argv), 2):
            key, value = argv[i], argv[i + 1]
            old = data.get(key)
            data[key] = value
            if old is None:
                delta += ((len(value) + 48) & ~15) + KEY_ENTRY_OVERHEAD + ((len(key) + 48) & ~15)
                index.added(key)
                if keyspace.on_new is not None:
                    keyspace.on_new(self, key)
            else:
                delta += ((len(value) + 48) & ~15) - (old.mem if type(old) is not bytes else (len(old) + 48) & ~15)
            if track_access:
                self.touch(key)
            if expires and key in expires:
                self._drop_expire(key)
            if watched and key in watched:
                self._touch_watchers(key)
            if blocked and key in blocked:
                keyspace.ready_keys.append((self, key))
        keyspace.used_memory += delta
        keyspace.dirty += len(argv) // 2

    def delete(self, key: bytes) -> bool:
        """Remove `key`; True when it existed (expired keys count as absent)."""
        if self.peek(key) is None:
            return False
        self._remove(key)
        self.keyspace.dirty += 1
        if self.watched and key in self.watched:
            self._touch_watchers(key)
        return True

    def modified(self, key: bytes) -> None:
        """Call after changing the container at `key` in place (Redis's signalModifiedKey).

        An emptied container is deleted, as Redis never keeps empty aggregates.
        """
        value = self.data.get(key)
        keyspace = self.keyspace
        keyspace.dirty += 1
        if self.watched and key in self.watched:
            self._touch_watchers(key)
        if value is None or type(value) is bytes:
            return
        if len(value) == 0:
            self._remove(key)
            return
        # Sampling a container costs a microsecond; a push or an HSET must not pay it every
        # time. Between full estimates the figure is scaled by the element count, and a full
        # estimate is taken every 64th change or when the count moved by more than an eighth
        # (every 8th change cost LPUSH an eighth of its time; the scaled figure is as good for
        # a container whose elements keep their size, and the count rule catches growth).
        count = len(value)
        try:
            anchor, changes = value.mem_anchor
        except AttributeError:  # a container type without the anchor slot: always sample
            anchor, changes = 0, 0
        if anchor >= 32 and changes < 64 and anchor - (anchor >> 3) <= count <= anchor + (anchor >> 3):
            size = value.mem_at_anchor * count // anchor
            value.mem_anchor = (anchor, changes + 1)
        else:
            size = value_size(value)
            try:
                value.mem_anchor = (count, 0)
                value.mem_at_anchor = size
            except AttributeError:
                pass
        keyspace.used_memory += size - value.mem
        value.mem = size
        if self.blocked and key in self.blocked:
            keyspace.ready_keys.append((self, key))

    def set_expire(self, key: bytes, when_ms: int) -> None:
        """Expire `key` at unix time `when_ms`; the key must exist."""
        expires = self.expires
        if key not in expires:
            expires[key] = when_ms
            self.expire_index.added(key)  # after the insert, as in set()
            self.keyspace.used_memory += EXPIRE_ENTRY_OVERHEAD
        else:
            expires[key] = when_ms

    def persist(self, key: bytes) -> bool:
        """Drop the TTL of `key`; True when it had one."""
        if key in self.expires:
            self._drop_expire(key)
            return True
        return False

    def flush(self) -> None:
        keyspace = self.keyspace
        for key in list(self.watched):
            if key in self.data:  # Redis dirties only watched keys that exist
                self._touch_watchers(key)
        keyspace.used_memory -= self.memory()
        keyspace.dirty += len(self.data)
        keyspace.ready_keys.extend((self, key) for key in self.blocked if key in self.data)
        self.data.clear()
        self.expires.clear()
        self.access.clear()
        self.index.clear()
        self.expire_index.clear()

    # ---- expiry -------------------------------------------------------------------------------
    def _expire_if_needed(self, key: bytes) -> bool:
        when = self.expires.get(key)
        if when is None or when > self.keyspace.now_ms:
            return False
        self._expire(key)
        return True

    def _expire(self, key: bytes) -> None:
        self._remove(key)
        keyspace = self.keyspace
        keyspace.expired_keys += 1
        keyspace.dirty += 1
        if self.watched and key in self.watched:
            self._touch_watchers(key)
        if keyspace.on_expired is not None:
            keyspace.on_expired(self, key)

    def is_expired(self, key: bytes) -> bool:
        """True when `key` has a TTL in the past (not yet reclaimed)."""
        when = self.expires.get(key)
        return when is not None and when <= self.keyspace.now_ms

    def active_expire(self, deadline: float) -> int:
        """Redis's activeExpireCycle for this database: sample 20 volatile keys, expire the dead,
        and go again while more than a quarter of a sample was expired and time remains."""
        expired_total = 0
        now = self.keyspace.now_ms
        while self.expires:
            sample = self.expire_index.sample(20)
            expired = 0
            for key in set(sample):
                when = self.expires.get(key)
                if when is not None and when <= now:
                    self._expire(key)
                    expired += 1
            expired_total += expired
            if expired * 4 <= len(sample) or time.monotonic() > deadline:
                break
        return expired_total

    # ---- internals -----------------------------------------------------------------------------
    def _remove(self, key: bytes) -> None:
        value = self.data.pop(key)
        keyspace = self.keyspace
        keyspace.used_memory -= (
            KEY_ENTRY_OVERHEAD + bytes_size(len(key)) + (bytes_size(len(value)) if type(value) is bytes else value.mem)
        )
        if self.expires and key in self.expires:
            self._drop_expire(key)
        if self.access:
            self.access.pop(key, None)
        if self.blocked and key in self.blocked:
            # A vanished key wakes its waiters: XREADGROUP answers UNBLOCKED; list and zset
            # waiters find nothing and keep waiting.
            keyspace.ready_keys.append((self, key))

    def _drop_expire(self, key: bytes) -> None:
        del self.expires[key]
        self.keyspace.used_memory -= EXPIRE_ENTRY_OVERHEAD

    def _touch_watchers(self, key: bytes) -> None:
        for client in self.watched[key]:
            client.dirty_cas = True

    def memory(self) -> int:
        """The estimate this database contributes to used_memory."""
        total = 0
        for key, value in self.data.items():
            total += KEY_ENTRY_OVERHEAD + bytes_size(len(key))
            total += bytes_size(len(value)) if type(value) is bytes else value.mem
        return total + EXPIRE_ENTRY_OVERHEAD * len(self.expires)

    def keys(self) -> Iterator[bytes]:
        """Live keys (expired ones skipped, not reclaimed)."""
        if not self.expires:
            return iter(list(self.data))
        now = self.keyspace.now_ms
        expires = self.expires
        return iter([k for k in self.data if expires.get(k, now + 1) > now])


class Keyspace:
    """All databases plus the statistics INFO reports about them."""

    def __init__(self, databases: int = 16) -> None:
        self.now_ms = int(time.time() * 1000)
        self.used_memory = 0  # dataset estimate; the server adds its own baseline
        self.dirty = 0
        self.hits = 0
        self.misses = 0
        self.expired_keys = 0
        self.evicted_keys = 0
        # (database, key) pairs whose blocked clients may now be served; drained by the server.
        self.ready_keys: list[tuple[Database, bytes]] = []
        # Hooks for keyspace notifications of expiry and eviction (set by the server).
        self.on_expired: Callable[[Database, bytes], None] | None = None
        self.on_evicted: Callable[[Database, bytes], None] | None = None
        # Set only while notify-keyspace-events has `n` / `m` (notify.py): a key enters the
        # keyspace (dbAdd); a read finds no key (lookupKeyRead's miss).
        # notify-keyspace-events' classes (notify.py keeps them; this copy is what the compiled
        # hot handlers test, a native attribute rather than a module global).
        self.notify_flags = 0
        self.on_new: Callable[[Database, bytes], None] | None = None
        self.on_miss: Callable[[Database, bytes], None] | None = None
        # "lru" or "lfu" while an eviction policy needs per-key access data, else "".
        self.track_access = ""
        self.dbs = [Database(i, self) for i in range(databases)]

    def tick(self) -> int:
        """Read the clock once for the coming command, so all its expiry checks agree."""
        self.now_ms = now = int(time.time() * 1000)
        return now

    def swap(self, a: int, b: int) -> None:
        """SWAPDB: exchange the contents of two databases (clients keep their db number)."""
        first, second = self.dbs[a], self.dbs[b]
        # Watchers of keys that exist on either side see a change; others do not (as Redis).
        for db in (first, second):
            for key in list(db.watched):
                if key in first.data or key in second.data:
                    db._touch_watchers(key)
        for attr in ("data", "expires", "index", "expire_index", "access"):
            left, right = getattr(first, attr), getattr(second, attr)
            setattr(first, attr, right)
            setattr(second, attr, left)
        for db in (first, second):
            self.ready_keys.extend((db, key) for key in db.blocked)
