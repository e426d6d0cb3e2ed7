"""Streams in RDB files (STREAM_LISTPACKS, _2 and _3), to and from `datatypes.stream.StreamValue`.

A stream is saved as its radix tree of listpack nodes, then its metadata, then its consumer
groups. Each node is keyed by its master ID (128-bit big-endian) and holds, in one listpack:

    count deleted #master-fields master-field... 0          the master entry
    flags ms-delta seq-delta (values... | #fields field value...) lp-count     each entry

An entry whose field names equal the master's is SAMEFIELDS and stores its values only; IDs are
deltas from the master ID. We write the nodes `StreamValue` keeps (so approximate trimming stays
node-aligned after a reload), holding only the live entries; reading keeps Redis's deleted
entries as the node's dead weight, as `StreamValue.delete` does.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Final

from miniredis_node.datatypes.stream import MIN_ID, Consumer, ConsumerGroup, Nack, Node, StreamID, StreamValue
from miniredis_node.datatypes.stream import _entry_memory as entry_memory
from miniredis_node.persistence import encodings
from miniredis_node.persistence.rdb import (
    STREAM_ITEM_FLAG_DELETED,
    STREAM_ITEM_FLAG_SAMEFIELDS,
    TYPE_STREAM_LISTPACKS_2,
    TYPE_STREAM_LISTPACKS_3,
    UINT64_MAX,
    RdbError,
    write_length,
    write_string,
)

if TYPE_CHECKING:
    from miniredis_node.persistence.rdb import Reader

FALLBACK_NODE_ENTRIES: Final = 100
_TWO64: Final = 1 << 64


def is_stream(value: Any) -> bool:
    return type(value) is StreamValue


def _id_key(stream_id: StreamID) -> bytes:
    return struct.pack(">QQ", *stream_id)


def _signed64(value: int) -> int:
    value &= UINT64_MAX
    return value - _TWO64 if value >= 1 << 63 else value


def _node_groups(stream: StreamValue) -> list[tuple[StreamID, tuple[bytes, ...], list[StreamID]]]:
    """(master ID, master fields, live entry IDs) per node; when the node model does not account
    for every entry, plain nodes of 100 entries instead."""
    groups = []
    counted = 0
    for node in stream.nodes.values():
        ids = list(stream.entries.irange(node.master_id, node.last_id))
        if ids:
            groups.append((node.master_id, node.master_fields, ids))
            counted += len(ids)
    if counted == len(stream.entries):
        return groups
    everything = list(stream.entries)
    groups = []
    for start in range(0, len(everything), FALLBACK_NODE_ENTRIES):
        ids = everything[start : start + FALLBACK_NODE_ENTRIES]
        groups.append((ids[0], tuple(stream.entries[ids[0]][0::2]), ids))
    return groups


def _node_listpack(stream: StreamValue, master: StreamID, fields: tuple[bytes, ...], ids: list[StreamID]) -> bytes:
    items: list[bytes] = [b"%d" % len(ids), b"0", b"%d" % len(fields), *fields, b"0"]
    entries = stream.entries
    master_ms, master_seq = master
    for ms, seq in ids:
        entry = entries[(ms, seq)]
        names = entry[0::2]
        deltas = (b"%d" % _signed64(ms - master_ms), b"%d" % _signed64(seq - master_seq))
        if names == fields:
            items += (b"%d" % STREAM_ITEM_FLAG_SAMEFIELDS, *deltas, *entry[1::2], b"%d" % (len(names) + 3))
        else:
            items += (b"0", *deltas, b"%d" % len(names), *entry, b"%d" % (2 * len(names) + 4))
    return encodings.listpack(items)


def _write_id(out: bytearray, stream_id: StreamID) -> None:
    write_length(out, stream_id[0])
    write_length(out, stream_id[1])


def write_stream(out: bytearray, stream: StreamValue, *, compress: bool = False) -> None:
    """The body of a STREAM_LISTPACKS_2 value (Redis 7.0's rdbSaveObject for streams)."""
    nodes = _node_groups(stream)
    write_length(out, len(nodes))
    for master, fields, ids in nodes:
        write_string(out, _id_key(master))
        write_string(out, _node_listpack(stream, master, fields, ids), compress=compress)
    write_length(out, len(stream.entries))
    _write_id(out, stream.last_id)
    _write_id(out, stream.first_id)
    _write_id(out, stream.max_deleted_id)
    write_length(out, stream.entries_added)
    write_length(out, len(stream.groups))
    for name, group in sorted(stream.groups.items()):
        write_string(out, name)
        _write_id(out, group.last_id)
        write_length(out, group.entries_read & UINT64_MAX)
        write_length(out, len(group.pel))
        for stream_id, nack in group.pel.items():
            out += _id_key(stream_id)
            out += struct.pack("<q", nack.delivery_time)
            write_length(out, nack.delivery_count)
        write_length(out, len(group.consumers))
        for consumer in group.sorted_consumers():
            write_string(out, consumer.name)
            out += struct.pack("<q", consumer.seen_time)
            write_length(out, len(consumer.pel))
            for stream_id in consumer.pel:
                out += _id_key(stream_id)


def _read_id(reader: Reader) -> StreamID:
    return reader.length(), reader.length()


def _raw_id(reader: Reader) -> StreamID:
    ms, seq = struct.unpack(">QQ", reader.take(16))
    return ms, seq


def _int(raw: bytes) -> int:
    value = encodings.canonical_int(raw)
    if value is None:
        raise RdbError("stream listpack: integer expected")
    return value


def _read_node(stream: StreamValue, master: StreamID, items: list[bytes]) -> None:
    try:
        nfields = _int(items[2])
        master_fields = tuple(items[3 : 3 + nfields])
        if _int(items[3 + nfields]) != 0:
            raise RdbError("stream listpack: bad master entry")
        node = Node(master, master_fields)
        master_ms, master_seq = master
        i = 4 + nfields
        end = len(items)
        entries = stream.entries
        while i < end:
            flags = _int(items[i])
            stream_id = ((master_ms + _int(items[i + 1])) & UINT64_MAX, (master_seq + _int(items[i + 2])) & UINT64_MAX)
            i += 3
            if flags & STREAM_ITEM_FLAG_SAMEFIELDS:
                values = items[i : i + nfields]
                fields = tuple(part for pair in zip(master_fields, values, strict=True) for part in pair)
                i += nfields
            else:
                count = _int(items[i])
                fields = tuple(items[i + 1 : i + 1 + 2 * count])
                if len(fields) != 2 * count:
                    raise RdbError("stream listpack: truncated entry")
                i += 1 + 2 * count
            i += 1  # lp-count
            if i > end:
                raise RdbError("stream listpack: truncated entry")
            node.entry_bytes += node.entry_size(stream_id, fields)
            node.last_id = stream_id
            if flags & STREAM_ITEM_FLAG_DELETED:
                node.deleted += 1
            else:
                node.count += 1
                entries[stream_id] = fields
                stream.content_bytes += entry_memory(fields)
    except (IndexError, ValueError) as error:
        raise RdbError(f"bad stream listpack: {error}") from None
    if node.count:
        stream.nodes[master] = node


def read_stream(reader: Reader, kind: int) -> StreamValue:
    stream = StreamValue()
    for _ in range(reader.length()):
        key = reader.string()
        if len(key) != 16:
            raise RdbError("stream node key is not a 128 bit ID")
        items = encodings.listpack_items(reader.string())
        if not items:
            raise RdbError("empty listpack inside stream")
        _read_node(stream, struct.unpack(">QQ", key), items)
    length = reader.length()
    if length != len(stream.entries):
        raise RdbError("stream length does not match its entries")
    stream.last_id = _read_id(reader)
    if kind >= TYPE_STREAM_LISTPACKS_2:
        stream.first_id = _read_id(reader)
        stream.max_deleted_id = _read_id(reader)
        stream.entries_added = reader.length()
    else:
        stream.first_id = stream.entries.peekitem(0)[0] if stream.entries else MIN_ID
        stream.max_deleted_id = MIN_ID
        stream.entries_added = length
    for _ in range(reader.length()):
        name = reader.string()
        if name in stream.groups:
            raise RdbError("duplicated consumer group name")
        last_id = _read_id(reader)
        if kind >= TYPE_STREAM_LISTPACKS_2:
            entries_read = _signed64(reader.length())
        else:
            entries_read = stream.estimate_distance(last_id)
        group = ConsumerGroup(last_id, entries_read)
        for _ in range(reader.length()):
            stream_id = _raw_id(reader)
            nack = Nack(None, reader.millis())
            nack.delivery_count = reader.length()
            group.pel[stream_id] = nack
        for _ in range(reader.length()):
            consumer = Consumer(reader.string(), reader.millis())
            if kind >= TYPE_STREAM_LISTPACKS_3:
                reader.millis()  # active-time (Redis 7.2)
            for _ in range(reader.length()):
                stream_id = _raw_id(reader)
                owned = group.pel.get(stream_id)
                if owned is None:
                    raise RdbError("consumer PEL entry not found in group global PEL")
                owned.consumer = consumer
                consumer.pel[stream_id] = owned
            group.consumers[consumer.name] = consumer
        stream.groups[name] = group
    return stream
