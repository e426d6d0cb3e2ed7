"""Set commands (SADD, SMEMBERS, SPOP, SINTER/SUNION/SDIFF and their STORE forms, SSCAN...), as
Redis 7.0's t_set.c.

A set is a `SetValue` (a Python set of bytes). Redis 7.0 keeps a set of at most
set-max-intset-entries integers as an intset, which is sorted, and every reply that walks such a
set lists it in ascending numeric order: SMEMBERS, SSCAN, SUNION's result, SRANDMEMBER or SPOP
asked for the whole set. `members_in_order` reproduces that order, so those replies match Redis
byte for byte; other sets are hashtables in Redis, whose order no client may rely on.

Members added in place are reported to `scanning.note_added`, which keeps the sampling positions
of SPOP and SRANDMEMBER complete (see scanning.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from miniredis_node import errors, scanning
from miniredis_node import notify as keyspace_events
from miniredis_node.args import INT64_MAX, parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.datatypes import SetValue, note_set_write, set_fits_intset
from miniredis_node.errors import CommandError
from miniredis_node.notify import GENERIC, SET, notify
from miniredis_node.protocol import SetReply
from miniredis_node.table import command

LONG_MAX = INT64_MAX


# ---- type API --------------------------------------------------------------------------------


def intset_order(members: SetValue | set[bytes], max_entries: int) -> list[bytes] | None:
    """The members in ascending numeric order when Redis would keep them as an intset, else None."""
    if not set_fits_intset(members, max_entries):  # every member is then a canonical integer
        return None
    return sorted(members, key=int)


def members_in_order(c: Client, value: SetValue | set[bytes]) -> list[bytes]:
    """The members in the order Redis walks this set: numeric for an intset, else any."""
    ordered = intset_order(value, c.server.config["set-max-intset-entries"])
    return ordered if ordered is not None else list(value)


def _read_sets(c: Client, keys: list[bytes]) -> list[SetValue | None]:
    """The sets at `keys` (None for missing ones); WRONGTYPE as soon as one is not a set."""
    lookup = c.db.lookup_typed
    return [lookup(key, SetValue) for key in keys]


def _store(c: Client, key: bytes, result: set[bytes]) -> int:
    """SxxxSTORE: replace `key` by the result, or delete it when the result is empty."""
    if result:
        c.db.set(key, SetValue(result))
        notify(c, SET, c.last_command.encode(), key, c.db.id)  # sinterstore, sunionstore...
    elif c.db.delete(key):
        notify(c, GENERIC, b"del", key, c.db.id)
    return len(result)


def _intersection(
    sets: list[SetValue | None], limit: int = 0, walk: Callable[[SetValue], Iterable[bytes]] = iter
) -> list[bytes]:
    """The members common to all sets, found by walking the smallest set with `walk` (in Redis's
    order when the reply shows it); at most `limit` of them when `limit` is set."""
    present: list[SetValue] = []
    for value in sets:
        if value is None:
            return []  # a missing key is an empty set
        present.append(value)
    smallest = min(present, key=len)
    others = [value for value in present if value is not smallest]
    found: list[bytes] = []
    for member in walk(smallest):
        if all(member in other for other in others):
            found.append(member)
            if limit and len(found) >= limit:
                break
    return found


def _union(sets: list[SetValue | None]) -> set[bytes]:
    result: set[bytes] = set()
    for value in sets:
        if value is not None:
            result |= value
    return result


def _difference(sets: list[SetValue | None]) -> set[bytes]:
    first = sets[0]
    if first is None or any(other is first for other in sets[1:]):
        return set()
    result = set(first)
    for other in sets[1:]:
        if other is not None:
            result -= other
            if not result:
                break
    return result


def _sintercard_keys(argv: list[bytes]) -> list[int]:
    numkeys = to_int(argv[1]) if len(argv) > 1 else None
    if numkeys is None or numkeys < 1:
        return []
    return list(range(2, min(2 + numkeys, len(argv))))


# ---- commands --------------------------------------------------------------------------------


@command(
    "sadd",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="set",
    since="1.0.0",
    summary="Add one or more members to a set",
    acl="@write @set @fast",
    complexity="O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    syntax="key member [member ...]",
)
def sadd(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    value = c.db.lookup_typed(key, SetValue, write=True)
    max_entries = c.server.config["set-max-intset-entries"]
    if value is None:
        value = SetValue(argv[2:])
        note_set_write(value, argv[2:], max_entries)
        c.db.set(key, value)
        if keyspace_events.flags:
            notify(c, SET, b"sadd", key, c.db.id)
        return len(value)
    added = 0
    for member in argv[2:]:
        if member not in value:
            value.add(member)
            scanning.note_added(value, member)
            added += 1
    if added:
        note_set_write(value, argv[2:], max_entries)
        c.db.modified(key)
        if keyspace_events.flags:
            notify(c, SET, b"sadd", key, c.db.id)
    return added


@command(
    "srem",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="set",
    since="1.0.0",
    summary="Remove one or more members from a set",
    acl="@write @set @fast",
    complexity="O(N) where N is the number of members to be removed.",
    syntax="key member [member ...]",
)
def srem(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    value = c.db.lookup_typed(key, SetValue, write=True)
    if value is None:
        return 0
    removed = 0
    for member in argv[2:]:
        if member in value:
            value.discard(member)
            removed += 1
    if removed:
        c.db.modified(key)
        notify(c, SET, b"srem", key, c.db.id)
        if not value:
            notify(c, GENERIC, b"del", key, c.db.id)
    return removed


@command(
    "smembers",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="set",
    since="1.0.0",
    summary="Get all the members in a set",
    acl="@read @set @slow",
    complexity="O(N) where N is the set cardinality.",
    syntax="key",
)
def smembers(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], SetValue)
    return SetReply() if value is None else SetReply(members_in_order(c, value))


@command(
    "sismember",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="set",
    since="1.0.0",
    summary="Determine if a given value is a member of a set",
    acl="@read @set @fast",
    complexity="O(1)",
    syntax="key member",
)
def sismember(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], SetValue)
    return 1 if value is not None and argv[2] in value else 0


@command(
    "smismember",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="set",
    since="6.2.0",
    summary="Returns the membership associated with the given elements for a set",
    acl="@read @set @fast",
    complexity="O(N) where N is the number of elements being checked for membership",
    syntax="key member [member ...]",
)
def smismember(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], SetValue)
    if value is None:
        return [0] * (len(argv) - 2)
    return [1 if member in value else 0 for member in argv[2:]]


@command(
    "scard",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="set",
    since="1.0.0",
    summary="Get the number of members in a set",
    acl="@read @set @fast",
    complexity="O(1)",
    syntax="key",
)
def scard(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], SetValue)
    return 0 if value is None else len(value)


@command(
    "spop",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="set",
    since="1.0.0",
    summary="Remove and return one or multiple random members from a set",
    acl="@write @set @fast",
    complexity="Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    syntax="key [count]",
)
def spop(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 2:
        value = c.db.lookup_typed(key, SetValue, write=True)
        if value is None:
            return None
        member = scanning.random_member(value)
        value.discard(member)
        c.db.modified(key)
        notify(c, SET, b"spop", key, c.db.id)
        if not value:
            notify(c, GENERIC, b"del", key, c.db.id)
        return member
    count = parse_int(argv[2], errors.VALUE_OUT_OF_RANGE_POSITIVE)
    if count < 0:
        raise CommandError(errors.VALUE_OUT_OF_RANGE_POSITIVE)
    value = c.db.lookup_typed(key, SetValue, write=True)
    if value is None or count == 0:
        return SetReply()
    if count >= len(value):
        popped = members_in_order(c, value)
        c.db.delete(key)
        notify(c, SET, b"spop", key, c.db.id)
        notify(c, GENERIC, b"del", key, c.db.id)
        return SetReply(popped)
    popped = scanning.distinct_random_members(value, count)
    value.difference_update(popped)
    c.db.modified(key)
    notify(c, SET, b"spop", key, c.db.id)
    return SetReply(popped)


@command(
    "srandmember",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="set",
    since="1.0.0",
    summary="Get one or multiple random members from a set",
    acl="@read @set @slow",
    complexity="Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    syntax="key [count]",
)
def srandmember(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 2:
        value = c.db.lookup_typed(argv[1], SetValue)
        return None if value is None else scanning.random_member(value)
    count = parse_int(argv[2])
    if count < -LONG_MAX:
        raise CommandError(errors.VALUE_NOT_IN_LONG_RANGE)
    value = c.db.lookup_typed(argv[1], SetValue)
    if value is None or count == 0:
        return []
    if count < 0 or count == 1:
        return scanning.random_members(value, -count if count < 0 else 1)
    if count >= len(value):
        return members_in_order(c, value)
    return scanning.distinct_random_members(value, count)


@command(
    "smove",
    4,
    "write fast",
    keys=(1, 2, 1),
    group="set",
    since="1.0.0",
    summary="Move a member from one set to another",
    acl="@write @set @fast",
    complexity="O(1)",
    syntax="source destination member",
)
def smove(c: Client, argv: list[bytes]) -> object:
    source_key, dest_key, member = argv[1], argv[2], argv[3]
    source = c.db.peek(source_key)
    dest = c.db.peek(dest_key)
    if source is None:
        return 0
    if type(source) is not SetValue or (dest is not None and type(dest) is not SetValue):
        raise CommandError(errors.WRONGTYPE)
    if source is dest:
        return 1 if member in source else 0
    if member not in source:
        return 0
    source.discard(member)
    c.db.modified(source_key)  # deletes the source when emptied
    notify(c, SET, b"srem", source_key, c.db.id)
    if not source:
        notify(c, GENERIC, b"del", source_key, c.db.id)
    max_entries = c.server.config["set-max-intset-entries"]
    if dest is None:
        dest = SetValue((member,))
        note_set_write(dest, (member,), max_entries)
        c.db.set(dest_key, dest)
        notify(c, SET, b"sadd", dest_key, c.db.id)
    elif member not in dest:
        dest.add(member)
        scanning.note_added(dest, member)
        note_set_write(dest, (member,), max_entries)
        c.db.modified(dest_key)
        notify(c, SET, b"sadd", dest_key, c.db.id)
    return 1


@command(
    "sinter",
    -2,
    "readonly",
    keys=(1, -1, 1),
    group="set",
    since="1.0.0",
    summary="Intersect multiple sets",
    acl="@read @set @slow",
    complexity="O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    syntax="key [key ...]",
)
def sinter(c: Client, argv: list[bytes]) -> object:
    return SetReply(_intersection(_read_sets(c, argv[1:]), walk=lambda value: members_in_order(c, value)))


@command(
    "sintercard",
    -3,
    "readonly",
    group="set",
    since="7.0.0",
    getkeys=_sintercard_keys,
    summary="Intersect multiple sets and return the cardinality of the result",
    acl="@read @set @slow",
    complexity="O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    syntax="numkeys key [key ...] [LIMIT limit]",
)
def sintercard(c: Client, argv: list[bytes]) -> object:
    numkeys = parse_int(argv[1], errors.NUMKEYS_ZERO)
    if numkeys < 1:
        raise CommandError(errors.NUMKEYS_ZERO)
    if numkeys > len(argv) - 2:
        raise CommandError(errors.NUMKEYS_GREATER_THAN_ARGS)
    limit = 0
    i = 2 + numkeys
    while i < len(argv):
        if argv[i].lower() == b"limit" and i + 1 < len(argv):
            limit = parse_int(argv[i + 1], errors.LIMIT_NEGATIVE)
            if limit < 0:
                raise CommandError(errors.LIMIT_NEGATIVE)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    return len(_intersection(_read_sets(c, argv[2 : 2 + numkeys]), limit))


@command(
    "sinterstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    group="set",
    since="1.0.0",
    summary="Intersect multiple sets and store the resulting set in a key",
    acl="@write @set @slow",
    complexity="O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    syntax="destination key [key ...]",
)
def sinterstore(c: Client, argv: list[bytes]) -> object:
    return _store(c, argv[1], set(_intersection(_read_sets(c, argv[2:]))))


@command(
    "sunion",
    -2,
    "readonly",
    keys=(1, -1, 1),
    group="set",
    since="1.0.0",
    summary="Add multiple sets",
    acl="@read @set @slow",
    complexity="O(N) where N is the total number of elements in all given sets.",
    syntax="key [key ...]",
)
def sunion(c: Client, argv: list[bytes]) -> object:
    return SetReply(members_in_order(c, _union(_read_sets(c, argv[1:]))))


@command(
    "sunionstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    group="set",
    since="1.0.0",
    summary="Add multiple sets and store the resulting set in a key",
    acl="@write @set @slow",
    complexity="O(N) where N is the total number of elements in all given sets.",
    syntax="destination key [key ...]",
)
def sunionstore(c: Client, argv: list[bytes]) -> object:
    return _store(c, argv[1], _union(_read_sets(c, argv[2:])))


@command(
    "sdiff",
    -2,
    "readonly",
    keys=(1, -1, 1),
    group="set",
    since="1.0.0",
    summary="Subtract multiple sets",
    acl="@read @set @slow",
    complexity="O(N) where N is the total number of elements in all given sets.",
    syntax="key [key ...]",
)
def sdiff(c: Client, argv: list[bytes]) -> object:
    return SetReply(members_in_order(c, _difference(_read_sets(c, argv[1:]))))


@command(
    "sdiffstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    group="set",
    since="1.0.0",
    summary="Subtract multiple sets and store the resulting set in a key",
    acl="@write @set @slow",
    complexity="O(N) where N is the total number of elements in all given sets.",
    syntax="destination key [key ...]",
)
def sdiffstore(c: Client, argv: list[bytes]) -> object:
    return _store(c, argv[1], _difference(_read_sets(c, argv[2:])))


@command(
    "sscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="set",
    since="2.8.0",
    summary="Incrementally iterate Set elements",
    acl="@read @set @slow",
    complexity="O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    syntax="key cursor [MATCH pattern] [COUNT count]",
)
def sscan(c: Client, argv: list[bytes]) -> object:
    max_entries = c.server.config["set-max-intset-entries"]
    return scanning.scan_command(
        c, argv, SetValue, emit=_member, compact_members=lambda value: intset_order(value, max_entries)
    )


def _member(value: SetValue, member: bytes) -> tuple[bytes]:
    return (member,)
