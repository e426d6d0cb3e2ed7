"""Hash commands (HSET, HGET, HINCRBY, HRANDFIELD, HSCAN and friends), as Redis 7.0's t_hash.c.

A hash is a `HashValue`: a dict of field bytes to value bytes in insertion order, which is the
order Redis's listpack encoding keeps for small hashes, so HGETALL, HKEYS and HVALS of a small
hash answer in exactly Redis's order. Large hashes are hashtables in Redis, whose order no
client may rely on.

Every in-place change goes through `c.db.modified(key)`; fields added in place are also reported
to `scanning.note_added`, which keeps HRANDFIELD's sampling positions complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from miniredis_node import errors, longdouble, scanning
from miniredis_node import notify as keyspace_events
from miniredis_node.args import INT64_MAX, INT64_MIN, parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.datatypes import HashValue, hash_fits_listpack, note_hash_write
from miniredis_node.errors import CommandError
from miniredis_node.notify import GENERIC, HASH, notify
from miniredis_node.protocol import OK, MapReply
from miniredis_node.table import command

LONG_MAX = INT64_MAX


# ---- type API --------------------------------------------------------------------------------


def _write_target(c: Client, key: bytes) -> HashValue | None:
    """The hash at `key` for a write, None when missing (WRONGTYPE for another type)."""
    value: HashValue | None = c.db.lookup_typed(key, HashValue, write=True)
    return value


def _set_fields(c: Client, key: bytes, pairs: list[bytes]) -> int:
    """Store field/value pairs (flattened) into the hash at `key`; the number of new fields."""
    value = _write_target(c, key)
    if value is None:
        value = HashValue()
        for i in range(0, len(pairs), 2):
            value[pairs[i]] = pairs[i + 1]
        _note_write(c, value, pairs)
        c.db.set(key, value)
        return len(value)
    created = 0
    for i in range(0, len(pairs), 2):
        field = pairs[i]
        if field not in value:
            created += 1
            scanning.note_added(value, field)
        value[field] = pairs[i + 1]
    _note_write(c, value, pairs)
    c.db.modified(key)
    return created


def _store_field(c: Client, key: bytes, value: HashValue | None, field: bytes, data: bytes) -> None:
    """Set one field of the hash `value` at `key` (created when None)."""
    if value is None:
        value = HashValue({field: data})
        _note_write(c, value, (field, data))
        c.db.set(key, value)
        return
    if field not in value:
        scanning.note_added(value, field)
    value[field] = data
    _note_write(c, value, (field, data))
    c.db.modified(key)


def _note_write(c: Client, value: HashValue, written: Iterable[bytes]) -> None:
    """After storing `written` (fields and values) into `value`: convert it if it outgrew the listpack."""
    config = c.server.config
    note_hash_write(value, written, config["hash-max-listpack-entries"], config["hash-max-listpack-value"])


def compact_fields(c: Client, value: HashValue) -> list[bytes] | None:
    """The fields in order when Redis would keep this hash as a listpack, else None."""
    config = c.server.config
    if not hash_fits_listpack(value, config["hash-max-listpack-entries"], config["hash-max-listpack-value"]):
        return None
    return list(value)


# ---- commands --------------------------------------------------------------------------------


@command(
    "hset",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Set the value of one or more fields in a hash",
    acl="@write @hash @fast",
    complexity="O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    syntax="key field value [field value ...]",
)
def hset(c: Client, argv: list[bytes]) -> object:
    if len(argv) % 2:
        raise CommandError(errors.WRONG_ARGS.format("hset"))
    created = _set_fields(c, argv[1], argv[2:])
    if keyspace_events.flags:
        notify(c, HASH, b"hset", argv[1], c.db.id)
    return created


@command(
    "hmset",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Set the values of multiple hash fields",
    acl="@write @hash @fast",
    complexity="O(N) where N is the number of fields being set.",
    syntax="key field value [field value ...]",
)
def hmset(c: Client, argv: list[bytes]) -> object:
    if len(argv) % 2:
        raise CommandError(errors.WRONG_ARGS.format("hmset"))
    _set_fields(c, argv[1], argv[2:])
    notify(c, HASH, b"hset", argv[1], c.db.id)
    return OK


@command(
    "hsetnx",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Set the value of a hash field, only if the field does not exist",
    acl="@write @hash @fast",
    complexity="O(1)",
    syntax="key field value",
)
def hsetnx(c: Client, argv: list[bytes]) -> object:
    value = _write_target(c, argv[1])
    if value is not None and argv[2] in value:
        return 0
    _store_field(c, argv[1], value, argv[2], argv[3])
    notify(c, HASH, b"hset", argv[1], c.db.id)
    return 1


@command(
    "hget",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Get the value of a hash field",
    acl="@read @hash @fast",
    complexity="O(1)",
    syntax="key field",
)
def hget(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    return None if value is None else value.get(argv[2])


@command(
    "hmget",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Get the values of all the given hash fields",
    acl="@read @hash @fast",
    complexity="O(N) where N is the number of fields being requested.",
    syntax="key field [field ...]",
)
def hmget(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    if value is None:
        return [None] * (len(argv) - 2)
    get = value.get
    return [get(field) for field in argv[2:]]


@command(
    "hgetall",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Get all the fields and values in a hash",
    acl="@read @hash @slow",
    complexity="O(N) where N is the size of the hash.",
    syntax="key",
)
def hgetall(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    return MapReply(value) if value is not None else MapReply()


@command(
    "hkeys",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Get all the fields in a hash",
    acl="@read @hash @slow",
    complexity="O(N) where N is the size of the hash.",
    syntax="key",
)
def hkeys(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    return [] if value is None else list(value)


@command(
    "hvals",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Get all the values in a hash",
    acl="@read @hash @slow",
    complexity="O(N) where N is the size of the hash.",
    syntax="key",
)
def hvals(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    return [] if value is None else list(value.values())


@command(
    "hdel",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Delete one or more hash fields",
    acl="@write @hash @fast",
    complexity="O(N) where N is the number of fields to be removed.",
    syntax="key field [field ...]",
)
def hdel(c: Client, argv: list[bytes]) -> object:
    value = _write_target(c, argv[1])
    if value is None:
        return 0
    deleted = 0
    for field in argv[2:]:
        if value.pop(field, None) is not None:
            deleted += 1
            if not value:
                break  # Redis stops once the hash is empty (and deletes the key)
    if deleted:
        c.db.modified(argv[1])
        notify(c, HASH, b"hdel", argv[1], c.db.id)
        if not value:
            notify(c, GENERIC, b"del", argv[1], c.db.id)
    return deleted


@command(
    "hexists",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Determine if a hash field exists",
    acl="@read @hash @fast",
    complexity="O(1)",
    syntax="key field",
)
def hexists(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    return 1 if value is not None and argv[2] in value else 0


@command(
    "hlen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Get the number of fields in a hash",
    acl="@read @hash @fast",
    complexity="O(1)",
    syntax="key",
)
def hlen(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    return 0 if value is None else len(value)


@command(
    "hstrlen",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="3.2.0",
    summary="Get the length of the value of a hash field",
    acl="@read @hash @fast",
    complexity="O(1)",
    syntax="key field",
)
def hstrlen(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], HashValue)
    if value is None:
        return 0
    data = value.get(argv[2])
    return 0 if data is None else len(data)


@command(
    "hincrby",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    summary="Increment the integer value of a hash field by the given number",
    acl="@write @hash @fast",
    complexity="O(1)",
    syntax="key field increment",
)
def hincrby(c: Client, argv: list[bytes]) -> object:
    increment = parse_int(argv[3])
    value = _write_target(c, argv[1])
    current = 0
    if value is not None:
        old = value.get(argv[2])
        if old is not None:
            parsed = to_int(old)
            if parsed is None:
                raise CommandError(errors.HASH_VALUE_NOT_INTEGER)
            current = parsed
    result = current + increment
    if not INT64_MIN <= result <= INT64_MAX:
        raise CommandError(errors.OVERFLOW)
    _store_field(c, argv[1], value, argv[2], b"%d" % result)
    notify(c, HASH, b"hincrby", argv[1], c.db.id)
    return result


@command(
    "hincrbyfloat",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.6.0",
    summary="Increment the float value of a hash field by the given amount",
    acl="@write @hash @fast",
    complexity="O(1)",
    syntax="key field increment",
)
def hincrbyfloat(c: Client, argv: list[bytes]) -> object:
    increment = longdouble.parse(argv[3])
    if increment is None:
        raise CommandError(errors.NOT_FLOAT)
    if isinstance(increment, float):  # parse only returns a float for an infinity
        raise CommandError(errors.VALUE_NAN_OR_INF)
    value = _write_target(c, argv[1])
    current: longdouble.LongDouble = 0
    if value is not None:
        old = value.get(argv[2])
        if old is not None:
            parsed = longdouble.parse(old)
            if parsed is None:
                raise CommandError(errors.HASH_VALUE_NOT_FLOAT)
            current = parsed
    total = longdouble.add(current, increment)
    if total is None:
        raise CommandError(errors.INCR_NAN_OR_INF)
    text = longdouble.format_human(total)
    _store_field(c, argv[1], value, argv[2], text)
    notify(c, HASH, b"hincrbyfloat", argv[1], c.db.id)
    return text


@command(
    "hrandfield",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="6.2.0",
    summary="Get one or multiple random fields from a hash",
    acl="@read @hash @slow",
    complexity="O(N) where N is the number of fields returned",
    syntax="key [count [WITHVALUES]]",
)
def hrandfield(c: Client, argv: list[bytes]) -> object:
    if len(argv) == 2:
        value = c.db.lookup_typed(argv[1], HashValue)
        return None if value is None else scanning.random_member(value)
    count = parse_int(argv[2])
    if count < -LONG_MAX:
        raise CommandError(errors.VALUE_NOT_IN_LONG_RANGE)
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withvalues"):
        raise CommandError(errors.SYNTAX)
    with_values = len(argv) == 4
    if with_values and not -(LONG_MAX // 2) <= count <= LONG_MAX // 2:  # C division truncates
        raise CommandError(errors.VALUE_OUT_OF_RANGE)
    value = c.db.lookup_typed(argv[1], HashValue)
    if value is None or count == 0:
        return []
    if count < 0 or count == 1:
        fields = scanning.random_members(value, -count if count < 0 else 1)
    elif count >= len(value):
        fields = list(value)  # the whole hash, in its own order
    else:
        fields = scanning.distinct_random_members(value, count)
    return _fields_reply(c, value, fields, with_values=with_values)


def _fields_reply(c: Client, value: HashValue, fields: list[bytes], *, with_values: bool) -> list[Any]:
    """HRANDFIELD's reply: fields, or field/value pairs (flat in RESP2, nested in RESP3)."""
    if not with_values:
        return fields
    if c.resp == 2:
        flat: list[Any] = []
        for field in fields:
            flat.append(field)
            flat.append(value[field])
        return flat
    return [[field, value[field]] for field in fields]


@command(
    "hscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.8.0",
    summary="Incrementally iterate hash fields and associated values",
    acl="@read @hash @slow",
    complexity="O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    syntax="key cursor [MATCH pattern] [COUNT count]",
)
def hscan(c: Client, argv: list[bytes]) -> object:
    return scanning.scan_command(
        c, argv, HashValue, emit=_field_and_value, compact_members=lambda value: compact_fields(c, value)
    )


def _field_and_value(value: HashValue, field: bytes) -> tuple[bytes, bytes]:
    return field, value[field]
