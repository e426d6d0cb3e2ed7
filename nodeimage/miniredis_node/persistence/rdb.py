"""Redis's RDB format (version 10, Redis 7.0): snapshots on disk and DUMP/RESTORE payloads.

Pure encoding and decoding, no I/O beyond the stream it is handed. A file is

    "REDIS0010"  AUX fields  (SELECTDB n  RESIZEDB keys expires  ([EXPIRETIME_MS t] type key value)*)*
    EOF  crc64 (8 bytes, little-endian, over everything before it)

and a DUMP payload is one `type value` followed by the RDB version (2 bytes) and the crc64.

Values are written the way Redis 7.0 writes them, so that Redis loads them into the encoding it
would have chosen itself: strings that spell a 32-bit integer int-encoded, lists as quicklist v2
(listpack nodes of at most 8 kB), small hashes and sorted sets as listpacks, integer sets as
intsets, large ones as plain hashes / sets / `ZSET_2` (binary doubles), streams as
`STREAM_LISTPACKS_2`. Reading accepts everything Redis 7.0 writes and what older versions wrote
that 7.0 still loads (ziplists, zipmaps, quicklist v1, LZF-compressed strings, second-precision
expiry), plus 7.2's listpack sets and v3 streams.
"""

from __future__ import annotations

import math
import struct
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from miniredis_node.datatypes import HashValue, ListValue, SetValue, ZSetValue, hash_fits_listpack, set_fits_intset
from miniredis_node.persistence import encodings, lzf
from miniredis_node.persistence.crc64 import crc64
from miniredis_node.persistence.encodings import EncodingError, canonical_int

RDB_VERSION: Final = 10
REDIS_VERSION: Final = b"7.0.15"
MAGIC: Final = b"REDIS"
# Versions we read: Redis 7.0 refuses files newer than its own (10); reading 7.2's (11) costs
# nothing more than two value types, so we take them.
MAX_READ_VERSION: Final = 11

# Value types.
TYPE_STRING: Final = 0
TYPE_LIST: Final = 1
TYPE_SET: Final = 2
TYPE_ZSET: Final = 3
TYPE_HASH: Final = 4
TYPE_ZSET_2: Final = 5
TYPE_MODULE_PRE_GA: Final = 6
TYPE_MODULE_2: Final = 7
TYPE_HASH_ZIPMAP: Final = 9
TYPE_LIST_ZIPLIST: Final = 10
TYPE_SET_INTSET: Final = 11
TYPE_ZSET_ZIPLIST: Final = 12
TYPE_HASH_ZIPLIST: Final = 13
TYPE_LIST_QUICKLIST: Final = 14
TYPE_STREAM_LISTPACKS: Final = 15
TYPE_HASH_LISTPACK: Final = 16
TYPE_ZSET_LISTPACK: Final = 17
TYPE_LIST_QUICKLIST_2: Final = 18
TYPE_STREAM_LISTPACKS_2: Final = 19
TYPE_SET_LISTPACK: Final = 20
TYPE_STREAM_LISTPACKS_3: Final = 21

# Opcodes between keys.
OP_FUNCTION2: Final = 245
OP_FUNCTION_PRE_GA: Final = 246
OP_MODULE_AUX: Final = 247
OP_IDLE: Final = 248
OP_FREQ: Final = 249
OP_AUX: Final = 250
OP_RESIZEDB: Final = 251
OP_EXPIRETIME_MS: Final = 252
OP_EXPIRETIME: Final = 253
OP_SELECTDB: Final = 254
OP_EOF: Final = 255

# Length encodings (the two top bits of the first byte).
LEN_6BIT: Final = 0
LEN_14BIT: Final = 1
LEN_32BIT: Final = 0x80
LEN_64BIT: Final = 0x81
LEN_ENCVAL: Final = 3
ENC_INT8: Final = 0
ENC_INT16: Final = 1
ENC_INT32: Final = 2
ENC_LZF: Final = 3

QUICKLIST_NODE_PLAIN: Final = 1
QUICKLIST_NODE_PACKED: Final = 2
# list-max-listpack-size below zero: the byte limit of one quicklist node (Redis's table).
QUICKLIST_SIZE_LIMITS: Final = {-1: 4096, -2: 8192, -3: 16384, -4: 32768, -5: 65536}
LISTPACK_SAFETY_LIMIT: Final = 8192  # SIZE_SAFETY_LIMIT: a node never grows past it by count
SIZE_ESTIMATE_OVERHEAD: Final = 8

STREAM_ITEM_FLAG_DELETED: Final = 1
STREAM_ITEM_FLAG_SAMEFIELDS: Final = 2
UINT64_MAX: Final = (1 << 64) - 1
FLUSH_BYTES: Final = 1 << 20  # a snapshot is written (and checksummed) in pieces of this size


class RdbError(ValueError):
    """A malformed or unsupported RDB file or DUMP payload."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The encoding thresholds Redis chooses listpack/intset encodings by (redis.conf's)."""

    hash_max_listpack_entries: int = 512
    hash_max_listpack_value: int = 64
    set_max_intset_entries: int = 512
    zset_max_listpack_entries: int = 128
    zset_max_listpack_value: int = 64
    list_max_listpack_size: int = -2

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            hash_max_listpack_entries=config["hash-max-listpack-entries"],
            hash_max_listpack_value=config["hash-max-listpack-value"],
            set_max_intset_entries=config["set-max-intset-entries"],
            zset_max_listpack_entries=config["zset-max-listpack-entries"],
            zset_max_listpack_value=config["zset-max-listpack-value"],
            list_max_listpack_size=config["list-max-listpack-size"],
        )


DEFAULT_LIMITS: Final = Limits()


# ================================================================================================
# Writing
# ================================================================================================


def write_length(out: bytearray, n: int) -> None:
    if n < 64:
        out.append(n)
    elif n < 16384:
        out.append(0x40 | (n >> 8))
        out.append(n & 0xFF)
    elif n <= 0xFFFFFFFF:
        out.append(LEN_32BIT)
        out += n.to_bytes(4, "big")
    else:
        out.append(LEN_64BIT)
        out += n.to_bytes(8, "big")


def write_string(out: bytearray, raw: bytes, *, compress: bool = False) -> None:
    """A string as rdbSaveRawString writes it: int-encoded when it spells a 32-bit integer,
    LZF-compressed when `compress` and it is longer than 20 bytes and shrinks, else raw."""
    n = len(raw)
    if n <= 11 and n and (raw[0] == 45 or 48 <= raw[0] <= 57):
        value = canonical_int(raw)
        if value is not None:
            if -128 <= value <= 127:
                out.append(0xC0 | ENC_INT8)
                out += struct.pack("<b", value)
                return
            if -32768 <= value <= 32767:
                out.append(0xC0 | ENC_INT16)
                out += struct.pack("<h", value)
                return
            if -2147483648 <= value <= 2147483647:
                out.append(0xC0 | ENC_INT32)
                out += struct.pack("<i", value)
                return
    if compress and n > 20:
        packed = lzf.compress(raw)
        if packed is not None:
            out.append(0xC0 | ENC_LZF)
            write_length(out, len(packed))
            write_length(out, n)
            out += packed
            return
    write_length(out, n)
    out += raw


def _score_text(score: float) -> bytes:
    """A score as a listpack sorted set holds it: an integer when integral (double2ll's range),
    else the shortest of %.17g."""
    if math.isinf(score):
        return b"inf" if score > 0 else b"-inf"
    if score.is_integer() and -(1 << 53) < score < (1 << 53):
        return b"%d" % int(score)
    return b"%.17g" % score


def _hash_is_listpack(value: HashValue, limits: Limits) -> bool:
    return hash_fits_listpack(value, limits.hash_max_listpack_entries, limits.hash_max_listpack_value)


def _list_nodes(items: Iterable[bytes], fill: int) -> Iterator[bytes]:
    """The listpacks of a list's quicklist nodes, split as pushes fill them
    (_quicklistNodeAllowInsert): an element joins the tail node unless node bytes + its raw
    length + 8 would pass the limit (list-max-listpack-size: bytes when negative, else a count
    under an 8 kB safety limit)."""
    size_limit = QUICKLIST_SIZE_LIMITS.get(fill, 8192) if fill < 0 else LISTPACK_SAFETY_LIMIT
    count_limit = fill if fill > 0 else 1 << 62
    node: list[bytes] = []
    empty = encodings.LISTPACK_HEADER + 1
    size = empty
    for item in items:
        if node and (size + len(item) + SIZE_ESTIMATE_OVERHEAD > size_limit or len(node) >= count_limit):
            yield encodings.listpack_of_entries(node)
            node, size = [], empty
        entry = encodings.listpack_entry(item)
        node.append(entry)
        size += len(entry)
    if node:
        yield encodings.listpack_of_entries(node)


def value_type(value: Any, limits: Limits = DEFAULT_LIMITS) -> int:
    """The RDB type a value is written as: the encoding Redis 7.0 would hold it in."""
    kind = type(value)
    if kind is bytes:
        return TYPE_STRING
    if kind is ListValue:
        return TYPE_LIST_QUICKLIST_2
    if kind is HashValue:
        return TYPE_HASH_LISTPACK if _hash_is_listpack(value, limits) else TYPE_HASH
    if kind is SetValue:
        if set_fits_intset(value, limits.set_max_intset_entries):
            return TYPE_SET_INTSET
        return TYPE_SET
    if kind is ZSetValue:
        listpack = value.encoding(limits.zset_max_listpack_entries, limits.zset_max_listpack_value) == b"listpack"
        return TYPE_ZSET_LISTPACK if listpack else TYPE_ZSET_2
    from miniredis_node.persistence import streams

    if streams.is_stream(value):
        return TYPE_STREAM_LISTPACKS_2
    raise RdbError(f"cannot serialize a {kind.__name__}")


def write_value(
    out: bytearray, value: Any, limits: Limits = DEFAULT_LIMITS, *, compress: bool = False, key: bytes | None = None
) -> None:
    """Append the type byte, the key if given, and the serialized value (rdbSaveKeyValuePair's
    rdbSaveObjectType + rdbSaveStringObject + rdbSaveObject)."""
    kind = value_type(value, limits)
    out.append(kind)
    if key is not None:
        write_string(out, key, compress=compress)
    if kind == TYPE_STRING:
        write_string(out, value, compress=compress)
    elif kind == TYPE_LIST_QUICKLIST_2:
        nodes = list(_list_nodes(value, limits.list_max_listpack_size))
        write_length(out, len(nodes))
        for node in nodes:
            write_length(out, QUICKLIST_NODE_PACKED)
            write_string(out, node, compress=compress)
    elif kind == TYPE_HASH_LISTPACK:
        flat = [part for pair in value.items() for part in pair]
        write_string(out, encodings.listpack(flat), compress=compress)
    elif kind == TYPE_HASH:
        write_length(out, len(value))
        for field, item in value.items():
            write_string(out, field, compress=compress)
            write_string(out, item, compress=compress)
    elif kind == TYPE_SET_INTSET:
        numbers = [int(member) for member in value]
        write_string(out, encodings.intset(numbers), compress=compress)
    elif kind == TYPE_SET:
        write_length(out, len(value))
        for member in value:
            write_string(out, member, compress=compress)
    elif kind == TYPE_ZSET_LISTPACK:
        flat = [part for score, member in value.ordered for part in (member, _score_text(score))]
        write_string(out, encodings.listpack(flat), compress=compress)
    elif kind == TYPE_ZSET_2:
        # Highest score first, as Redis does: loading then always inserts at the head.
        write_length(out, len(value))
        for score, member in reversed(value.ordered):
            write_string(out, member, compress=compress)
            out += struct.pack("<d", score)
    else:
        from miniredis_node.persistence import streams

        streams.write_stream(out, value, compress=compress)


def dump(value: Any, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The DUMP payload of a value: type, value, RDB version (u16 LE), crc64 (u64 LE)."""
    out = bytearray()
    write_value(out, value, limits)
    out += struct.pack("<H", RDB_VERSION)
    out += struct.pack("<Q", crc64(0, out))
    return bytes(out)


def _aux(out: bytearray, key: bytes, value: bytes) -> None:
    out.append(OP_AUX)
    write_string(out, key)
    write_string(out, value)


DatabaseView = tuple[int, dict[bytes, Any], dict[bytes, int]]  # id, keys, expiry times (unix ms)


def write_snapshot(
    stream: IO[bytes],
    databases: Iterable[DatabaseView],
    *,
    now_ms: int,
    used_memory: int = 0,
    aof_base: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    compress: bool = False,
    on_key: Callable[[], None] | None = None,
) -> int:
    """Write a whole RDB file to `stream`; returns the number of keys written.

    Keys already expired at `now_ms` are left out (they would be dropped on load anyway).
    `on_key` is called after every key (progress, or a cooperative pause).
    """
    out = bytearray(MAGIC + b"%04d" % RDB_VERSION)
    _aux(out, b"redis-ver", REDIS_VERSION)
    _aux(out, b"redis-bits", b"64")
    _aux(out, b"ctime", b"%d" % (now_ms // 1000))
    _aux(out, b"used-mem", b"%d" % used_memory)
    _aux(out, b"aof-base", b"1" if aof_base else b"0")
    crc = 0
    written = 0
    for db_id, data, expires in databases:
        if not data:
            continue
        out.append(OP_SELECTDB)
        write_length(out, db_id)
        out.append(OP_RESIZEDB)
        write_length(out, len(data))
        write_length(out, len(expires))
        for key, value in data.items():
            when = expires.get(key) if expires else None
            if when is not None:
                if when <= now_ms:
                    continue
                out.append(OP_EXPIRETIME_MS)
                out += struct.pack("<q", when)
            start = len(out)
            try:
                write_value(out, value, limits, compress=compress, key=key)
            except RdbError:  # a value type this writer does not know: left out, not fatal
                del out[start - (9 if when is not None else 0) :]
                continue
            written += 1
            if on_key is not None:
                on_key()
            if len(out) >= FLUSH_BYTES:
                crc = crc64(crc, out)
                stream.write(out)
                out = bytearray()
    out.append(OP_EOF)
    crc = crc64(crc, out)
    out += struct.pack("<Q", crc)
    stream.write(out)
    return written


# ================================================================================================
# Reading
# ================================================================================================


class Reader:
    """A cursor over RDB bytes, with the primitive decoders."""

    __slots__ = ("data", "pos", "limits")

    def __init__(self, data: bytes, pos: int = 0, limits: Limits = DEFAULT_LIMITS) -> None:
        self.data = data
        self.pos = pos
        self.limits = limits

    def take(self, n: int) -> bytes:
        pos = self.pos
        end = pos + n
        if end > len(self.data) or n < 0:
            raise RdbError("unexpected end of data")
        self.pos = end
        return self.data[pos:end]

    def byte(self) -> int:
        pos = self.pos
        if pos >= len(self.data):
            raise RdbError("unexpected end of data")
        self.pos = pos + 1
        return self.data[pos]

    def length_or_encoding(self) -> tuple[int, bool]:
        """(length, False), or (special encoding, True) for 11xxxxxx."""
        b = self.byte()
        kind = b >> 6
        if kind == LEN_6BIT:
            return b & 0x3F, False
        if kind == LEN_14BIT:
            return ((b & 0x3F) << 8) | self.byte(), False
        if b == LEN_32BIT:
            return int.from_bytes(self.take(4), "big"), False
        if b == LEN_64BIT:
            return int.from_bytes(self.take(8), "big"), False
        if kind == LEN_ENCVAL:
            return b & 0x3F, True
        raise RdbError(f"unknown length encoding {b:#x}")

    def length(self) -> int:
        n, encoded = self.length_or_encoding()
        if encoded:
            raise RdbError("encoded value where a length was expected")
        return n

    def string(self) -> bytes:
        data, pos = self.data, self.pos
        if pos < len(data) and data[pos] < 0x40:  # the common case: a short raw string
            end = pos + 1 + data[pos]
            if end > len(data):
                raise RdbError("unexpected end of data")
            self.pos = end
            return data[pos + 1 : end]
        n, encoded = self.length_or_encoding()
        if not encoded:
            return self.take(n)
        if n == ENC_INT8:
            return b"%d" % struct.unpack("<b", self.take(1))[0]
        if n == ENC_INT16:
            return b"%d" % struct.unpack("<h", self.take(2))[0]
        if n == ENC_INT32:
            return b"%d" % struct.unpack("<i", self.take(4))[0]
        if n == ENC_LZF:
            compressed = self.length()
            size = self.length()
            try:
                return lzf.decompress(self.take(compressed), size)
            except lzf.LzfError as error:
                raise RdbError(f"bad LZF string: {error}") from None
        raise RdbError(f"unknown string encoding {n}")

    def binary_double(self) -> float:
        value: float = struct.unpack("<d", self.take(8))[0]
        return value

    def text_double(self) -> float:
        """The old ZSET's score: a length byte (253 nan, 254 inf, 255 -inf) and ASCII."""
        n = self.byte()
        if n == 253:
            return math.nan
        if n == 254:
            return math.inf
        if n == 255:
            return -math.inf
        try:
            return float(self.take(n))
        except ValueError:
            raise RdbError("bad score") from None

    def millis(self) -> int:
        value: int = struct.unpack("<q", self.take(8))[0]
        return value

    # ---- values ------------------------------------------------------------------------------
    def value(self, kind: int) -> Any:
        """Decode one value of RDB type `kind` (rdbLoadObject)."""
        try:
            reader = _VALUE_READERS.get(kind)
            if reader is None:
                if kind in (TYPE_MODULE_PRE_GA, TYPE_MODULE_2):
                    raise RdbError("module values are not supported")
                raise RdbError(f"unknown value type {kind}")
            return reader(self)
        except EncodingError as error:
            raise RdbError(str(error)) from None

    def _list(self) -> ListValue:
        return ListValue(self.string() for _ in range(self.length()))

    def _list_ziplist(self) -> ListValue:
        return ListValue(encodings.ziplist_items(self.string()))

    def _list_quicklist(self) -> ListValue:
        items = ListValue()
        for _ in range(self.length()):
            items.extend(encodings.ziplist_items(self.string()))
        return items

    def _list_quicklist_2(self) -> ListValue:
        items = ListValue()
        for _ in range(self.length()):
            container = self.length()
            blob = self.string()
            if container == QUICKLIST_NODE_PLAIN:
                items.append(blob)
            elif container == QUICKLIST_NODE_PACKED:
                items.extend(encodings.listpack_items(blob))
            else:
                raise RdbError("bad quicklist node container")
        return items

    def _set(self) -> SetValue:
        return SetValue(self.string() for _ in range(self.length()))

    def _set_intset(self) -> SetValue:
        return SetValue(encodings.intset_items(self.string()))

    def _set_listpack(self) -> SetValue:
        return SetValue(encodings.listpack_items(self.string()))

    def _hash(self) -> HashValue:
        value = HashValue()
        for _ in range(self.length()):
            field = self.string()
            value[field] = self.string()
        return value

    def _hash_pairs(self, flat: list[bytes]) -> HashValue:
        if len(flat) % 2:
            raise RdbError("odd number of hash elements")
        return HashValue(zip(flat[0::2], flat[1::2], strict=True))

    def _hash_zipmap(self) -> HashValue:
        return self._hash_pairs(encodings.zipmap_items(self.string()))

    def _hash_ziplist(self) -> HashValue:
        return self._hash_pairs(encodings.ziplist_items(self.string()))

    def _hash_listpack(self) -> HashValue:
        return self._hash_pairs(encodings.listpack_items(self.string()))

    def _zset_from(self, pairs: list[tuple[float, bytes]]) -> ZSetValue:
        for score, _ in pairs:
            if math.isnan(score):
                raise RdbError("NaN score")
        value = ZSetValue(pairs)
        limits = self.limits
        # Redis converts on load: small sets become listpacks, big listpacks skiplists.
        value.skiplist = len(value) > limits.zset_max_listpack_entries or any(
            len(member) > limits.zset_max_listpack_value for member in value
        )
        return value

    def _zset(self) -> ZSetValue:
        pairs = []
        for _ in range(self.length()):
            member = self.string()
            pairs.append((self.text_double(), member))
        return self._zset_from(pairs)

    def _zset_2(self) -> ZSetValue:
        pairs = []
        for _ in range(self.length()):
            member = self.string()
            pairs.append((self.binary_double(), member))
        return self._zset_from(pairs)

    def _zset_flat(self, flat: list[bytes]) -> ZSetValue:
        if len(flat) % 2:
            raise RdbError("odd number of sorted set elements")
        try:
            pairs = [(float(score), member) for member, score in zip(flat[0::2], flat[1::2], strict=True)]
        except ValueError:
            raise RdbError("bad score") from None
        return self._zset_from(pairs)

    def _zset_ziplist(self) -> ZSetValue:
        return self._zset_flat(encodings.ziplist_items(self.string()))

    def _zset_listpack(self) -> ZSetValue:
        return self._zset_flat(encodings.listpack_items(self.string()))

    def _stream(self, kind: int) -> Any:
        from miniredis_node.persistence import streams

        return streams.read_stream(self, kind)


_VALUE_READERS: Final[dict[int, Callable[[Reader], Any]]] = {
    TYPE_STRING: Reader.string,
    TYPE_LIST: Reader._list,
    TYPE_SET: Reader._set,
    TYPE_ZSET: Reader._zset,
    TYPE_HASH: Reader._hash,
    TYPE_ZSET_2: Reader._zset_2,
    TYPE_HASH_ZIPMAP: Reader._hash_zipmap,
    TYPE_LIST_ZIPLIST: Reader._list_ziplist,
    TYPE_SET_INTSET: Reader._set_intset,
    TYPE_ZSET_ZIPLIST: Reader._zset_ziplist,
    TYPE_HASH_ZIPLIST: Reader._hash_ziplist,
    TYPE_LIST_QUICKLIST: Reader._list_quicklist,
    TYPE_HASH_LISTPACK: Reader._hash_listpack,
    TYPE_ZSET_LISTPACK: Reader._zset_listpack,
    TYPE_LIST_QUICKLIST_2: Reader._list_quicklist_2,
    TYPE_SET_LISTPACK: Reader._set_listpack,
    TYPE_STREAM_LISTPACKS: lambda r: r._stream(TYPE_STREAM_LISTPACKS),
    TYPE_STREAM_LISTPACKS_2: lambda r: r._stream(TYPE_STREAM_LISTPACKS_2),
    TYPE_STREAM_LISTPACKS_3: lambda r: r._stream(TYPE_STREAM_LISTPACKS_3),
}


def verify_payload(payload: bytes) -> bool:
    """verifyDumpPayload: a known RDB version (at most ours) and a matching crc64."""
    if len(payload) < 10:
        return False
    (version,) = struct.unpack_from("<H", payload, len(payload) - 10)
    if version > RDB_VERSION:
        return False
    expected: int = struct.unpack_from("<Q", payload, len(payload) - 8)[0]
    return crc64(0, memoryview(payload)[:-8]) == expected


def restore(payload: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The value of a DUMP payload that passed `verify_payload`; RdbError when malformed."""
    reader = Reader(payload[:-10], 0, limits)
    return reader.value(reader.byte())


@dataclass(slots=True)
class LoadedKey:
    db: int
    key: bytes
    value: Any
    expire_ms: int | None
    idle_s: int | None = None  # OBJECT IDLETIME when saved (LRU policies)
    freq: int | None = None  # LFU counter when saved (LFU policies)


class Snapshot:
    """A parsed RDB file: `aux` fields and the `entries()` iterator (lazily decoded, in file order).

    `end` is the offset just past the checksum once `entries()` is exhausted (an AOF with an RDB
    preamble continues there).
    """

    def __init__(self, data: bytes, limits: Limits = DEFAULT_LIMITS, *, verify_checksum: bool = True) -> None:
        if data[:5] != MAGIC or not data[5:9].isdigit():
            raise RdbError("wrong signature trying to load DB from file")
        self.version = int(data[5:9])
        if not 1 <= self.version <= MAX_READ_VERSION:
            raise RdbError(f"can't handle RDB format version {self.version}")
        self.data = data
        self.limits = limits
        self.verify_checksum = verify_checksum
        self.aux: dict[bytes, bytes] = {}
        self.functions: list[bytes] = []
        self.end = 0

    def entries(self) -> Iterator[LoadedKey]:
        reader = Reader(self.data, 9, self.limits)
        db = 0
        expire: int | None = None
        idle: int | None = None
        freq: int | None = None
        while True:
            op = reader.byte()
            if op == OP_EXPIRETIME_MS:
                expire = reader.millis()
            elif op == OP_EXPIRETIME:
                expire = struct.unpack("<i", reader.take(4))[0] * 1000
            elif op == OP_IDLE:
                idle = reader.length()
            elif op == OP_FREQ:
                freq = reader.byte()
            elif op == OP_SELECTDB:
                db = reader.length()
            elif op == OP_RESIZEDB:
                reader.length()
                reader.length()
            elif op == OP_AUX:
                key = reader.string()
                self.aux[key] = reader.string()
            elif op == OP_MODULE_AUX:
                _skip_module_value(reader)
            elif op == OP_FUNCTION2:
                self.functions.append(reader.string())
            elif op == OP_FUNCTION_PRE_GA:
                raise RdbError("pre-release function format not supported")
            elif op == OP_EOF:
                break
            else:
                key = reader.string()
                value = reader.value(op)
                yield LoadedKey(db, key, value, expire, idle, freq)
                expire = idle = freq = None
        body_end = reader.pos
        if self.version >= 5:
            (expected,) = struct.unpack("<Q", reader.take(8))
            if self.verify_checksum and expected and crc64(0, memoryview(self.data)[:body_end]) != expected:
                raise RdbError("wrong RDB checksum")
        self.end = reader.pos


def _skip_module_value(reader: Reader) -> None:
    """A module's aux data, typed value by value since module API v2 (rdbLoadCheckModuleValue)."""
    reader.length()  # module id
    reader.length()  # when_opcode
    reader.length()  # when
    while True:
        opcode = reader.length()
        if opcode == 0:  # EOF
            return
        if opcode in (1, 2):  # signed / unsigned integer
            reader.length()
        elif opcode == 3:  # float
            reader.take(4)
        elif opcode == 4:  # double
            reader.take(8)
        elif opcode == 5:  # string
            reader.string()
        else:
            raise RdbError("unknown module value opcode")


# ================================================================================================
# Entry points for the AOF (persistence/aof.py looks these up by name)
# ================================================================================================

dump_value = dump


def write_base(server: Any, out: IO[bytes]) -> int:
    """Write the server's dataset as an AOF base (an RDB image with aof-base 1)."""
    return write_snapshot(
        out,
        ((db.id, db.data, db.expires) for db in server.keyspace.dbs),
        now_ms=int(time.time() * 1000),
        used_memory=server.used_memory(),
        aof_base=True,
        limits=Limits.from_config(server.config),
    )


def load_bytes(server: Any, data: bytes) -> int:
    """Add the keys of an RDB image (an AOF base) to the server's keyspace; how many."""
    from miniredis_node.persistence.snapshot import load_data

    loaded, _expired = load_data(server.keyspace, server.config, data)
    return loaded
