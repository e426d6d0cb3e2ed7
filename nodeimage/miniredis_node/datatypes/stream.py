"""The stream: entries ordered by ID, the listpack nodes Redis would pack them in, and groups.

Entries live in a `SortedDict` from `(ms, seq)` to the entry's flat field/value tuple, which
gives XRANGE, XREAD and trimming O(log n) seeks. Redis stores the same entries in listpacks
("nodes") hanging off a radix tree; that layout is visible to clients in two places, so it is
modelled here too (`Node`): approximate trimming (`MAXLEN ~`, `MINID ~`, `LIMIT`) removes whole
nodes only, and XINFO STREAM reports radix-tree-keys/nodes. A node is opened when the tail node
holds stream-node-max-entries entries (deleted ones included) or would outgrow
stream-node-max-bytes; its byte size is computed with listpack's encoding rules.

Consumer groups hold a pending entries list (PEL): ID -> `Nack` (owner, delivery time and
count). The same `Nack` object sits in the group's PEL and in its consumer's PEL, as in Redis.

Also here: ID parsing with Redis's exact acceptance (`strtoull` quirks included) and the 7.0
logical-read counters behind XINFO's entries-read and lag.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from sortedcontainers import SortedDict

from miniredis_node import errors
from miniredis_node.args import to_int
from miniredis_node.errors import CommandError
from miniredis_node.protocol import NULL_ARRAY

StreamID = tuple[int, int]
Fields = tuple[bytes, ...]

UINT64_MAX: Final = 2**64 - 1
MIN_ID: Final[StreamID] = (0, 0)
MAX_ID: Final[StreamID] = (UINT64_MAX, UINT64_MAX)
INVALID_ENTRIES_READ: Final = -1  # SCG_INVALID_ENTRIES_READ: the group's counter is unknown
LISTPACK_MAX_SIZE: Final = 1 << 30  # STREAM_LISTPACK_MAX_SIZE

# Per-object costs for the memory estimate (CPython): a (ms, seq) key with its two ints, a
# fields tuple header and pointer slots, the SortedDict's bookkeeping; a PEL entry.
_ENTRY_OVERHEAD: Final = 72 + 56 + 64
_FIELD_OVERHEAD: Final = 8
_NACK_OVERHEAD: Final = 200
_CONSUMER_OVERHEAD: Final = 400
_GROUP_OVERHEAD: Final = 600


# ---- IDs ---------------------------------------------------------------------------------------
def format_id(stream_id: StreamID) -> bytes:
    return b"%d-%d" % stream_id


def _strtoull(raw: bytes) -> int | None:
    """Redis's string2ull: string2ll, else C's strtoull (spaces, a sign, leading zeros, and a
    minus that wraps around), with nothing left over and no overflow."""
    value = to_int(raw)
    if value is not None:
        return value if value >= 0 else None
    text = raw.lstrip(b" \t\n\v\f\r")
    negative = False
    if text[:1] in (b"+", b"-"):
        negative = text[:1] == b"-"
        text = text[1:]
    if not text or not text.isdigit() or not text.isascii():
        return None
    number = int(text)
    if number > UINT64_MAX:
        return None
    return (-number) % (UINT64_MAX + 1) if negative else number


def parse_id(raw: bytes, missing_seq: int = 0, *, strict: bool = True) -> StreamID:
    """streamParseIDOrReply: `ms[-seq]`, or `-`/`+` unless `strict`; seq defaults to missing_seq."""
    parsed = parse_add_id(raw, missing_seq, strict=strict)
    return parsed[0], parsed[1] if parsed[1] is not None else missing_seq


def parse_add_id(raw: bytes, missing_seq: int = 0, *, strict: bool = True) -> tuple[int, int | None]:
    """An ID as XADD reads it: the seq is None for `ms-*` (to be generated)."""
    if len(raw) > 127:
        raise CommandError(errors.STREAM_INVALID_ID)
    if not strict and len(raw) == 1:
        if raw == b"-":
            return MIN_ID
        if raw == b"+":
            return MAX_ID
    ms_raw, dash, seq_raw = raw.partition(b"-")
    ms = _strtoull(ms_raw)
    if ms is None:
        raise CommandError(errors.STREAM_INVALID_ID)
    if not dash:
        return ms, missing_seq
    if seq_raw == b"*":
        return ms, None
    seq = _strtoull(seq_raw)
    if seq is None:
        raise CommandError(errors.STREAM_INVALID_ID)
    return ms, seq


def parse_interval_id(raw: bytes, missing_seq: int) -> tuple[StreamID, bool]:
    """streamParseIntervalIDOrReply: an ID, `-`/`+`, or `(ID` (exclusive, strict)."""
    if len(raw) > 1 and raw[:1] == b"(":
        return parse_id(raw[1:], missing_seq), True
    return parse_id(raw, missing_seq, strict=False), False


def incr_id(stream_id: StreamID) -> StreamID | None:
    """The next ID, or None past the last possible one."""
    ms, seq = stream_id
    if seq == UINT64_MAX:
        if ms == UINT64_MAX:
            return None
        return ms + 1, 0
    return ms, seq + 1


def decr_id(stream_id: StreamID) -> StreamID | None:
    ms, seq = stream_id
    if seq == 0:
        if ms == 0:
            return None
        return ms - 1, UINT64_MAX
    return ms, seq - 1


# ---- listpack sizes ----------------------------------------------------------------------------
def _int_encoding_size(value: int) -> int:
    if 0 <= value <= 127:
        return 1
    if -4096 <= value <= 4095:
        return 2
    if -(2**15) <= value < 2**15:
        return 3
    if -(2**23) <= value < 2**23:
        return 4
    if -(2**31) <= value < 2**31:
        return 5
    return 9


def _with_backlen(size: int) -> int:
    if size <= 127:
        return size + 1
    if size < 16383:
        return size + 2
    if size < 2097151:
        return size + 3
    if size < 268435455:
        return size + 4
    return size + 5


def lp_int(value: int) -> int:
    """Bytes of one integer element in a listpack."""
    return _with_backlen(_int_encoding_size(value))


def lp_str(raw: bytes) -> int:
    """Bytes of one string element; strings that spell an int64 are stored as integers."""
    n = len(raw)
    if n <= 20:
        number = to_int(raw)
        if number is not None:
            return lp_int(number)
    if n < 64:
        return _with_backlen(1 + n)
    if n < 4096:
        return _with_backlen(2 + n)
    return _with_backlen(5 + n)


class Node:
    """One listpack of the radix tree: where an entry of the stream physically sits."""

    __slots__ = ("master_id", "master_fields", "last_id", "count", "deleted", "master_bytes", "entry_bytes")

    def __init__(self, master_id: StreamID, master_fields: Fields) -> None:
        self.master_id = master_id
        self.master_fields = master_fields
        self.last_id = master_id  # the last entry appended, deleted or not
        self.count = 0  # live entries
        self.deleted = 0  # entries flagged deleted, still taking room
        self.master_bytes = lp_int(len(master_fields)) + sum(map(lp_str, master_fields)) + lp_int(0)
        self.entry_bytes = 0

    def size(self) -> int:
        """lpBytes: header, the master entry with its counters, entries, end byte."""
        return 7 + lp_int(self.count) + lp_int(self.deleted) + self.master_bytes + self.entry_bytes

    def entry_size(self, stream_id: StreamID, fields: Fields) -> int:
        """Bytes the entry takes once appended (flags, ID deltas, fields, lp-count)."""
        size = lp_int(0) + lp_int(stream_id[0] - self.master_id[0]) + lp_int(stream_id[1] - self.master_id[1])
        names = fields[0::2]
        if names == self.master_fields:
            size += sum(map(lp_str, fields[1::2])) + lp_int(len(names) + 3)
        else:
            size += lp_int(len(names)) + sum(map(lp_str, fields)) + lp_int(2 * len(names) + 4)
        return size


def rax_nodes(keys: Sequence[bytes]) -> int:
    """Nodes of a radix tree holding these sorted, equal-length keys (rax's numnodes)."""
    if not keys:
        return 1

    def count(lo: int, hi: int, depth: int) -> int:
        first, last = keys[lo], keys[hi - 1]
        length = len(first)
        if depth == length:
            return 1
        common = depth
        while common < length and first[common] == last[common]:
            common += 1
        if common > depth:  # a compressed node holding the shared run of bytes
            return 1 + count(lo, hi, common)
        total = 1  # a branching node: one child per distinct next byte
        start = lo
        while start < hi:
            byte = keys[start][depth]
            end = start + 1
            while end < hi and keys[end][depth] == byte:
                end += 1
            total += count(start, end, depth + 1)
            start = end
        return total

    return count(0, len(keys), 0)


# ---- groups ------------------------------------------------------------------------------------
class Nack:
    """A pending entry: delivered to `consumer`, not yet acknowledged."""

    __slots__ = ("consumer", "delivery_time", "delivery_count")

    def __init__(self, consumer: Consumer | None, now_ms: int) -> None:
        self.consumer = consumer
        self.delivery_time = now_ms
        self.delivery_count = 1


class Consumer:
    __slots__ = ("name", "seen_time", "pel")

    def __init__(self, name: bytes, now_ms: int) -> None:
        self.name = name
        self.seen_time = now_ms
        self.pel: SortedDict = SortedDict()  # StreamID -> Nack, shared with the group's PEL


class ConsumerGroup:
    __slots__ = ("last_id", "entries_read", "pel", "consumers")

    def __init__(self, last_id: StreamID, entries_read: int) -> None:
        self.last_id = last_id
        self.entries_read = entries_read
        self.pel: SortedDict = SortedDict()  # StreamID -> Nack
        self.consumers: dict[bytes, Consumer] = {}

    def consumer(self, name: bytes, now_ms: int, *, refresh: bool = True) -> Consumer:
        """The named consumer, created when missing; `refresh` marks it seen now."""
        found = self.consumers.get(name)
        if found is None:
            found = self.consumers[name] = Consumer(name, now_ms)
        elif refresh:
            found.seen_time = now_ms
        return found

    def sorted_consumers(self) -> list[Consumer]:
        return [self.consumers[name] for name in sorted(self.consumers)]

    def ack(self, stream_id: StreamID) -> bool:
        nack = self.pel.pop(stream_id, None)
        if nack is None:
            return False
        if nack.consumer is not None:
            nack.consumer.pel.pop(stream_id, None)
        return True

    def assign(self, stream_id: StreamID, nack: Nack, consumer: Consumer) -> None:
        """Move a pending entry to `consumer`'s PEL."""
        if nack.consumer is not consumer:
            if nack.consumer is not None:
                nack.consumer.pel.pop(stream_id, None)
            consumer.pel[stream_id] = nack
            nack.consumer = consumer

    def delete_consumer(self, name: bytes) -> int:
        """Drop a consumer and its pending entries; how many it had pending."""
        consumer = self.consumers.pop(name, None)
        if consumer is None:
            return 0
        for stream_id in consumer.pel:
            del self.pel[stream_id]
        return len(consumer.pel)


# ---- the stream --------------------------------------------------------------------------------
class StreamValue:
    """A Redis stream.

    `len()` is the keyspace's view, not XLEN: the keyspace deletes containers whose len() is 0,
    but Redis keeps emptied streams, so len() counts the stream itself plus its entries (and
    iterating yields entry IDs, for the keyspace's memory sampling). XLEN is `length`.
    """

    __slots__ = (
        "entries",
        "nodes",
        "last_id",
        "first_id",
        "max_deleted_id",
        "entries_added",
        "groups",
        "content_bytes",
        "mem",
    )

    def __init__(self) -> None:
        self.entries: SortedDict = SortedDict()  # StreamID -> Fields
        self.nodes: SortedDict = SortedDict()  # master StreamID -> Node
        self.last_id: StreamID = MIN_ID
        self.first_id: StreamID = MIN_ID  # recorded-first-entry-id
        self.max_deleted_id: StreamID = MIN_ID
        self.entries_added = 0
        self.groups: dict[bytes, ConsumerGroup] = {}
        self.content_bytes = 0  # the entries' own memory, kept up to date for the estimate
        self.mem = 0

    def __len__(self) -> int:
        return 1 + len(self.entries)

    def __iter__(self) -> Iterator[StreamID]:
        return iter(self.entries)

    def __sizeof__(self) -> int:
        size = object.__sizeof__(self) + self.content_bytes
        for group in self.groups.values():
            size += _GROUP_OVERHEAD + _NACK_OVERHEAD * len(group.pel) + _CONSUMER_OVERHEAD * len(group.consumers)
        return size

    @property
    def length(self) -> int:
        return len(self.entries)

    # ---- appending -------------------------------------------------------------------------
    def next_id(self, now_ms: int) -> StreamID | None:
        """The ID `*` generates: now, or the last ID plus one when the clock is not ahead."""
        if now_ms > self.last_id[0]:
            return now_ms, 0
        return incr_id(self.last_id)

    def append(self, stream_id: StreamID, fields: Fields, max_entries: int, max_bytes: int) -> None:
        """Add an entry (its ID already checked to be above `last_id`), in the tail node or a
        new one, as streamAppendItem decides."""
        node: Node | None = self.nodes.peekitem(-1)[1] if self.nodes else None
        if node is not None:
            if max_bytes <= 0 or max_bytes > LISTPACK_MAX_SIZE:
                max_bytes = LISTPACK_MAX_SIZE
            if node.size() + sum(map(len, fields)) >= max_bytes or (
                max_entries and node.count + node.deleted >= max_entries
            ):
                node = None
        if node is None:
            node = Node(stream_id, fields[0::2])
            self.nodes[stream_id] = node
        node.entry_bytes += node.entry_size(stream_id, fields)
        node.count += 1
        node.last_id = stream_id
        self.entries[stream_id] = fields
        self.content_bytes += _entry_memory(fields)
        if len(self.entries) == 1:
            self.first_id = stream_id
        self.last_id = stream_id
        self.entries_added += 1

    # ---- removing ----------------------------------------------------------------------------
    def _node_of(self, stream_id: StreamID) -> Node:
        nodes = self.nodes
        return nodes.peekitem(nodes.bisect_right(stream_id) - 1)[1]  # type: ignore[no-any-return]

    def _forget(self, stream_id: StreamID) -> None:
        self.content_bytes -= _entry_memory(self.entries.pop(stream_id))

    def delete(self, stream_id: StreamID) -> bool:
        """XDEL one entry: flagged deleted in its node; an emptied node is freed."""
        if stream_id not in self.entries:
            return False
        node = self._node_of(stream_id)
        self._forget(stream_id)
        if node.count == 1:
            del self.nodes[node.master_id]
        else:
            node.count -= 1
            node.deleted += 1
        if stream_id > self.max_deleted_id:
            self.max_deleted_id = stream_id
        return True

    def refresh_first_id(self) -> None:
        self.first_id = self.entries.peekitem(0)[0] if self.entries else MIN_ID

    def trim(self, *, maxlen: int | None, minid: StreamID | None, approx: bool, limit: int) -> int:
        """streamTrim: drop entries from the head (whole nodes first); how many were dropped.

        With `approx` only whole nodes go; `limit` (0 = none) caps the entries removed.
        """
        deleted = 0
        nodes = self.nodes
        while nodes:
            if maxlen is not None and len(self.entries) <= maxlen:
                break
            node: Node = nodes.peekitem(0)[1]
            if limit and deleted + node.count > limit:
                break
            if maxlen is not None:
                remove_node = len(self.entries) - node.count >= maxlen
            else:
                remove_node = node.last_id < minid  # type: ignore[operator]
            if remove_node:
                for stream_id in list(self.entries.irange(node.master_id, node.last_id)):
                    self._forget(stream_id)
                del nodes[node.master_id]
                deleted += node.count
                continue
            if approx:
                break
            removed = 0
            for stream_id in list(self.entries.irange(node.master_id, node.last_id)):
                if maxlen is not None:
                    if len(self.entries) <= maxlen:
                        break
                elif stream_id >= minid:  # type: ignore[operator]
                    break
                self._forget(stream_id)
                removed += 1
            node.count -= removed
            node.deleted += removed
            deleted += removed
            break
        self.refresh_first_id()
        return deleted

    # ---- reading -------------------------------------------------------------------------------
    def range(self, start: StreamID, end: StreamID, count: int = 0, *, reverse: bool = False) -> list[list[object]]:
        """Entries with start <= ID <= end as [ID, [field, value, ...]], at most `count` (0 = all)."""
        if start > end:
            return []
        found = self.entries.irange(start, end, reverse=reverse)
        reply: list[list[object]] = []
        entries = self.entries
        for stream_id in found:
            reply.append([format_id(stream_id), list(entries[stream_id])])
            if len(reply) == count:
                break
        return reply

    def entry(self, stream_id: StreamID) -> list[object]:
        return [format_id(stream_id), list(self.entries[stream_id])]

    def last_valid_id(self) -> StreamID:
        return self.entries.peekitem(-1)[0] if self.entries else MIN_ID

    def radix_tree_nodes(self) -> int:
        return rax_nodes([ms.to_bytes(8, "big") + seq.to_bytes(8, "big") for ms, seq in self.nodes])

    # ---- logical read counters (XINFO entries-read and lag) -------------------------------------
    def has_tombstones(self, start: StreamID | None) -> bool:
        """streamRangeHasTombstones(start, +): may a deleted entry lie at or after `start`?"""
        if not self.entries or self.max_deleted_id == MIN_ID:
            return False
        if self.first_id > self.max_deleted_id:
            return False
        return (start or MIN_ID) <= self.max_deleted_id

    def estimate_distance(self, stream_id: StreamID) -> int:
        """streamEstimateDistanceFromFirstEverEntry: the logical read counter at `stream_id`."""
        if not self.entries_added:
            return 0
        if not self.entries and stream_id <= self.last_id:
            return self.entries_added
        if stream_id == self.last_id:
            return self.entries_added
        if stream_id > self.last_id:
            return INVALID_ENTRIES_READ
        if self.max_deleted_id == MIN_ID or self.max_deleted_id < self.first_id:
            if stream_id < self.first_id:
                return self.entries_added - len(self.entries)
            if stream_id == self.first_id:
                return self.entries_added - len(self.entries) + 1
        return INVALID_ENTRIES_READ

    def group_lag(self, group: ConsumerGroup) -> int | None:
        if not self.entries_added:
            return 0
        if group.entries_read != INVALID_ENTRIES_READ and not self.has_tombstones(group.last_id):
            return self.entries_added - group.entries_read
        entries_read = self.estimate_distance(group.last_id)
        if entries_read != INVALID_ENTRIES_READ:
            return self.entries_added - entries_read
        return None

    def advance_group(self, group: ConsumerGroup, stream_id: StreamID) -> None:
        """A group was served `stream_id`: move its last-delivered ID and read counter."""
        if stream_id <= group.last_id:
            return
        if group.entries_read != INVALID_ENTRIES_READ and not self.has_tombstones(stream_id):
            group.entries_read += 1
        elif self.entries_added:
            group.entries_read = self.estimate_distance(stream_id)
        group.last_id = stream_id

    # ---- consumer group reads ------------------------------------------------------------------
    def deliver(
        self, group: ConsumerGroup, consumer: Consumer, start: StreamID, count: int, *, noack: bool, now_ms: int
    ) -> list[list[object]]:
        """XREADGROUP `>`: entries from `start` on (at most `count`, 0 = all), each moving the
        group's last-delivered ID and, unless `noack`, entering the PEL (taken from any other
        consumer that had it, as after XGROUP SETID)."""
        reply: list[list[object]] = []
        entries = self.entries
        for stream_id in entries.irange(start, None):
            reply.append([format_id(stream_id), list(entries[stream_id])])
            self.advance_group(group, stream_id)
            if not noack:
                nack = group.pel.get(stream_id)
                if nack is None:
                    nack = group.pel[stream_id] = Nack(consumer, now_ms)
                    consumer.pel[stream_id] = nack
                else:
                    group.assign(stream_id, nack, consumer)
                    nack.delivery_time = now_ms
                    nack.delivery_count = 1
            if len(reply) == count:
                break
        return reply

    def history(self, consumer: Consumer, start: StreamID, count: int, now_ms: int) -> list[list[object]]:
        """XREADGROUP with an ID: the consumer's pending entries from `start` on, redelivered
        (delivery count and time updated); a deleted entry comes back as [ID, nil]."""
        reply: list[list[object]] = []
        entries = self.entries
        for stream_id in consumer.pel.irange(start, None):
            fields = entries.get(stream_id)
            if fields is None:
                reply.append([format_id(stream_id), NULL_ARRAY])
            else:
                reply.append([format_id(stream_id), list(fields)])
                nack = consumer.pel[stream_id]
                nack.delivery_time = now_ms
                nack.delivery_count += 1
            if len(reply) == count:
                break
        return reply

    def sorted_groups(self) -> list[tuple[bytes, ConsumerGroup]]:
        return sorted(self.groups.items())


def _entry_memory(fields: Fields) -> int:
    return _ENTRY_OVERHEAD + sum((33 + len(item) + 15) & ~15 for item in fields) + _FIELD_OVERHEAD * len(fields)


__all__ = [
    "MAX_ID",
    "MIN_ID",
    "Consumer",
    "ConsumerGroup",
    "Nack",
    "StreamID",
    "StreamValue",
    "format_id",
    "parse_id",
]
