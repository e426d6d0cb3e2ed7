"""Stream commands: XADD, XRANGE, XREAD and the consumer groups (XGROUP, XREADGROUP, XACK,
XPENDING, XCLAIM, XAUTOCLAIM), XINFO, XSETID.

A stream is a `datatypes.stream.StreamValue`; this module parses arguments in Redis's order
(so the same bad input gets the same error, even when the key is missing or of another type),
calls the value's methods and shapes the replies.

Which changes are signalled: Redis calls signalModifiedKey (WATCH, blocked readers) only when
entries are added or removed or a stream is created; group bookkeeping (XREADGROUP, XACK,
XCLAIM, XGROUP SETID...) changes no WATCHed key. Those changes only refresh the memory
estimate (`_resized`).

XREAD BLOCK and XREADGROUP BLOCK park the client with a `_StreamWaiter`; the server calls its
`serve` whenever a write makes one of its keys ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from miniredis_node import errors
from miniredis_node.args import INT64_MAX, parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.datatypes.stream import (
    INVALID_ENTRIES_READ,
    MAX_ID,
    MIN_ID,
    Consumer,
    ConsumerGroup,
    Nack,
    StreamID,
    StreamValue,
    decr_id,
    format_id,
    incr_id,
    parse_add_id,
    parse_id,
    parse_interval_id,
)
from miniredis_node.dispatch import NO_REPLY
from miniredis_node.errors import CommandError
from miniredis_node.keyspace import value_size
from miniredis_node.notify import STREAM, notify
from miniredis_node.protocol import NULL_ARRAY, OK, ErrorReply, MapReply, Raw, SimpleString, encode
from miniredis_node.table import command, container

if TYPE_CHECKING:
    import asyncio

    from miniredis_node.keyspace import Database

XREAD_BLOCKED_DEFAULT_COUNT: Final = 1000
XINFO_FULL_DEFAULT_COUNT: Final = 10
BLOCK_FOREVER_MS: Final = 10**12  # about 31 years
XAUTOCLAIM_ATTEMPTS_FACTOR: Final = 10
# getRangeLongFromObjectOrReply's bound for XAUTOCLAIM's COUNT: LONG_MAX / max(sizeof(streamID), 10).
XAUTOCLAIM_MAX_COUNT: Final = INT64_MAX // 16
# Redis allocates COUNT stream IDs (16 bytes each) up front; on Linux/x86-64 with jemalloc that
# allocation fails past about 48 TiB, and Redis answers an error instead of claiming anything.
XAUTOCLAIM_ALLOCATABLE_COUNT: Final = 3 * 2**40


# ---- helpers -----------------------------------------------------------------------------------
def _text(raw: bytes) -> str:
    """A key or name as Redis prints it with %s: up to the first NUL."""
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _stream(c: Client, key: bytes, *, write: bool = False) -> StreamValue | None:
    return c.db.lookup_typed(key, StreamValue, write=write)  # type: ignore[no-any-return]


def _group_changed(db: Database, stream: StreamValue) -> None:
    """After a change Redis does not signal (group bookkeeping): the dirty counter (persistence
    and AOF feeding see it) and the memory estimate."""
    db.keyspace.dirty += 1
    size = value_size(stream)
    db.keyspace.used_memory += size - stream.mem
    stream.mem = size


def _consumer(db: Database, key: bytes, group: ConsumerGroup, name: bytes) -> Consumer:
    """The named consumer, created (with its keyspace event) when missing; marked seen now."""
    created = name not in group.consumers
    consumer = group.consumer(name, db.keyspace.now_ms)
    if created:
        notify(db, STREAM, b"xgroup-createconsumer", key, db.id)
    return consumer


def _wake(db: Database, key: bytes) -> None:
    """Let clients blocked on `key` re-check it (XGROUP DESTROY: their group may be gone)."""
    if key in db.blocked:
        db.keyspace.ready_keys.append((db, key))


def _option(raw: bytes) -> bytes:
    return raw.upper()


def _count(raw: bytes) -> int:
    """A COUNT argument: any integer, negative ones meaning 0."""
    value = parse_int(raw)
    return value if value > 0 else 0


# ---- XADD / XTRIM ------------------------------------------------------------------------------
class _TrimArgs:
    __slots__ = ("maxlen", "minid", "approx", "limit", "no_mkstream", "add_id")

    def __init__(self) -> None:
        self.maxlen: int | None = None
        self.minid: StreamID | None = None
        self.approx = False
        self.limit = 0
        self.no_mkstream = False
        self.add_id: tuple[int, int | None] | None = None  # XADD's explicit ID; seq None for ms-*

    @property
    def trims(self) -> bool:
        return self.maxlen is not None or self.minid is not None


def _parse_add_or_trim(argv: list[bytes], *, xadd: bool, node_max_entries: int) -> tuple[_TrimArgs, int]:
    """streamParseAddOrTrimArgsOrReply: the options, and the index of XADD's ID (or argc)."""
    args = _TrimArgs()
    limit_given = False
    argc = len(argv)
    i = 2
    while i < argc:
        more = argc - 1 - i
        raw = argv[i]
        opt = _option(raw)
        if xadd and raw == b"*":
            break
        if opt in (b"MAXLEN", b"MINID") and more:
            if args.trims:
                raise CommandError(errors.STREAM_MAXLEN_AND_MINID)
            args.approx = False
            following = argv[i + 1]
            if more >= 2 and following in (b"~", b"="):
                args.approx = following == b"~"
                i += 1
            if opt == b"MAXLEN":
                maxlen = parse_int(argv[i + 1])
                if maxlen < 0:
                    raise CommandError(errors.STREAM_MAXLEN_NEGATIVE)
                args.maxlen = maxlen
            else:
                args.minid = parse_id(argv[i + 1])
            i += 2
        elif opt == b"LIMIT" and more:
            limit = parse_int(argv[i + 1])
            if limit < 0:
                raise CommandError(errors.STREAM_LIMIT_NEGATIVE)
            args.limit = limit
            limit_given = True
            i += 2
        elif xadd and opt == b"NOMKSTREAM":
            args.no_mkstream = True
            i += 1
        elif xadd:
            args.add_id = parse_add_id(raw)
            break
        else:
            raise CommandError(errors.SYNTAX)
    if args.limit and not args.trims:
        raise CommandError(errors.STREAM_LIMIT_WITHOUT_STRATEGY)
    if not xadd and not args.trims:
        raise CommandError(errors.XTRIM_WITHOUT_STRATEGY)
    if limit_given:
        if not args.approx:
            raise CommandError(errors.STREAM_LIMIT_WITHOUT_TILDE)
    elif args.approx:
        limit = 100 * node_max_entries
        args.limit = 10000 if limit <= 0 or limit > 10000 else limit
    else:
        args.limit = 0
    return args, i


def _trim(stream: StreamValue, args: _TrimArgs) -> int:
    return stream.trim(maxlen=args.maxlen, minid=args.minid, approx=args.approx, limit=args.limit)


@command(
    "xadd",
    -5,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary="Appends a new entry to a stream",
    acl="@write @stream @fast",
    complexity="O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    syntax="key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]",
)
def xadd(c: Client, argv: list[bytes]) -> object:
    config = c.server.config
    args, id_at = _parse_add_or_trim(argv, xadd=True, node_max_entries=config["stream-node-max-entries"])
    fields_at = id_at + 1
    if len(argv) - fields_at < 2 or (len(argv) - fields_at) % 2:
        raise CommandError(errors.WRONG_ARGS.format("xadd"))
    if args.add_id == (0, 0):
        raise CommandError(errors.XADD_ID_ZERO)
    key = argv[1]
    db = c.db
    stream = _stream(c, key, write=True)
    created = stream is None
    if stream is None:
        if args.no_mkstream:
            return None
        stream = StreamValue()
    if stream.last_id == MAX_ID:
        raise CommandError(errors.STREAM_EXHAUSTED)
    new_id = _new_id(stream, args.add_id, c.keyspace.now_ms)
    stream.append(new_id, tuple(argv[fields_at:]), config["stream-node-max-entries"], config["stream-node-max-bytes"])
    trimmed = _trim(stream, args) if args.trims else 0
    if created:
        db.set(key, stream)
    else:
        db.modified(key)
    notify(c, STREAM, b"xadd", key, db.id)
    if trimmed:
        notify(c, STREAM, b"xtrim", key, db.id)
    return format_id(new_id)


def _new_id(stream: StreamValue, given: tuple[int, int | None] | None, now_ms: int) -> StreamID:
    """streamAppendItem's ID: generated, `ms-*` (next seq in that ms), or explicit; it must
    be above the stream's last ID."""
    last = stream.last_id
    if given is None:
        generated = stream.next_id(now_ms)
        if generated is None:  # unreachable: an exhausted stream was refused before
            raise CommandError(errors.STREAM_EXHAUSTED)
        return generated
    ms, seq = given
    if seq is None:
        if last[0] == ms:
            if last[1] == MAX_ID[1]:
                raise CommandError(errors.XADD_ID_TOO_SMALL)
            new_id = (ms, last[1] + 1)
        else:
            new_id = (ms, 0)
    else:
        new_id = (ms, seq)
    if new_id <= last:
        raise CommandError(errors.XADD_ID_TOO_SMALL)
    return new_id


@command(
    "xtrim",
    -4,
    "write",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary="Trims the stream to (approximately if '~' is passed) a certain size",
    acl="@write @stream @slow",
    complexity=(
        "O(N), with N being the number of evicted entries. Constant times are very small however, since "
        "entries are organized in macro nodes containing multiple entries that can be released with a "
        "single deallocation."
    ),
    syntax="key MAXLEN|MINID [=|~] threshold [LIMIT count]",
)
def xtrim(c: Client, argv: list[bytes]) -> object:
    args, _ = _parse_add_or_trim(argv, xadd=False, node_max_entries=c.server.config["stream-node-max-entries"])
    key = argv[1]
    stream = _stream(c, key, write=True)
    if stream is None:
        return 0
    deleted = _trim(stream, args)
    if deleted:
        c.db.modified(key)
        notify(c, STREAM, b"xtrim", key, c.db.id)
    return deleted


# ---- XLEN / XRANGE / XREVRANGE / XDEL ------------------------------------------------------------
@command(
    "xlen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary="Return the number of entries in a stream",
    acl="@read @stream @fast",
    complexity="O(1)",
    syntax="key",
)
def xlen(c: Client, argv: list[bytes]) -> object:
    stream = _stream(c, argv[1])
    return 0 if stream is None else stream.length


def _parse_range(lower: bytes, upper: bytes) -> tuple[StreamID, StreamID]:
    start, exclusive = parse_interval_id(lower, 0)
    if exclusive:
        moved = incr_id(start)
        if moved is None:
            raise CommandError(errors.STREAM_INVALID_START)
        start = moved
    end, exclusive = parse_interval_id(upper, MAX_ID[1])
    if exclusive:
        moved = decr_id(end)
        if moved is None:
            raise CommandError(errors.STREAM_INVALID_END)
        end = moved
    return start, end


def _range(c: Client, argv: list[bytes], *, reverse: bool) -> object:
    start, end = _parse_range(argv[3], argv[2]) if reverse else _parse_range(argv[2], argv[3])
    count = -1
    i = 4
    while i < len(argv):
        if _option(argv[i]) == b"COUNT" and i + 1 < len(argv):
            count = _count(argv[i + 1])
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    stream = _stream(c, argv[1])
    if stream is None:
        return []
    if count == 0:
        return NULL_ARRAY
    return stream.range(start, end, max(count, 0), reverse=reverse)


@command(
    "xrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary="Return a range of elements in a stream, with IDs matching the specified IDs interval",
    acl="@read @stream @slow",
    complexity=(
        "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for "
        "the first 10 elements with COUNT), you can consider it O(1)."
    ),
    syntax="key start end [COUNT count]",
)
def xrange(c: Client, argv: list[bytes]) -> object:
    return _range(c, argv, reverse=False)


@command(
    "xrevrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary=(
        "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse "
        "order (from greater to smaller IDs) compared to XRANGE"
    ),
    acl="@read @stream @slow",
    complexity=(
        "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the "
        "first 10 elements with COUNT), you can consider it O(1)."
    ),
    syntax="key end start [COUNT count]",
)
def xrevrange(c: Client, argv: list[bytes]) -> object:
    return _range(c, argv, reverse=True)


@command(
    "xdel",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary=(
        "Removes the specified entries from the stream. Returns the number of items actually deleted, that "
        "may be different from the number of IDs passed in case certain IDs do not exist."
    ),
    acl="@write @stream @fast",
    complexity="O(1) for each single item to delete in the stream, regardless of the stream size.",
    syntax="key id [id ...]",
)
def xdel(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    stream = _stream(c, key, write=True)
    if stream is None:
        return 0
    ids = [parse_id(raw) for raw in argv[2:]]  # all or nothing: parse every ID first
    deleted = sum(1 for stream_id in ids if stream.delete(stream_id))
    if deleted:
        stream.refresh_first_id()
        c.db.modified(key)
        notify(c, STREAM, b"xdel", key, c.db.id)
    return deleted


# ---- XREAD / XREADGROUP --------------------------------------------------------------------------
def _xread_keys(argv: list[bytes]) -> list[int]:
    """xreadGetKeys: the keys after STREAMS (the first half of what follows it)."""
    i = 1
    streams_at = -1
    while i < len(argv):
        opt = _option(argv[i])
        if opt in (b"BLOCK", b"COUNT"):
            i += 2
        elif opt == b"GROUP":
            i += 3
        elif opt == b"NOACK":
            i += 1
        elif opt == b"STREAMS":
            streams_at = i
            break
        else:
            break
    remaining = len(argv) - streams_at - 1
    if streams_at == -1 or remaining == 0 or remaining % 2:
        return []
    return list(range(streams_at + 1, streams_at + 1 + remaining // 2))


def _block_timeout_ms(raw: bytes) -> int:
    """getTimeoutFromObjectOrReply in milliseconds: an integer, never negative, 0 = forever.

    Redis 7.0 adds the clock without an overflow check; a deadline past the int64 range wraps
    and never fires. Anything beyond a few decades is treated as forever here.
    """
    value = to_int(raw)
    if value is None:
        raise CommandError(errors.TIMEOUT_NOT_INTEGER)
    if value < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    return 0 if value > BLOCK_FOREVER_MS else value


def _read_reply(resp: int, served: list[tuple[bytes, list[list[object]]]]) -> object:
    """XREAD's reply: [[key, entries], ...] in RESP2, a key -> entries map in RESP3 (keys may
    repeat, as Redis writes them)."""
    if resp == 2:
        return [[key, entries] for key, entries in served]
    return Raw(b"%%%d\r\n" % len(served) + b"".join(encode(key, 3) + encode(entries, 3) for key, entries in served))


class _StreamWaiter:
    """A client parked by XREAD/XREADGROUP BLOCK; the server fills `keys`, `db` and `timer`."""

    __slots__ = ("ids", "group", "consumer", "noack", "count", "resp", "keys", "db", "timer", "propagate")

    timeout_reply: Final = NULL_ARRAY

    def __init__(
        self, ids: dict[bytes, StreamID], group: bytes | None, consumer: bytes, noack: bool, count: int, resp: int
    ) -> None:
        self.ids = ids  # key -> serve entries above this ID (XREAD); XREADGROUP reads its group's
        self.group = group
        self.consumer = consumer
        self.noack = noack
        self.count = count
        self.resp = resp
        self.keys: list[bytes] = []
        self.db: Database | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.propagate: list[list[bytes]] = []  # what the last serve changed, as commands

    def aof_commands(self, key: bytes, reply: object) -> list[list[bytes]]:
        """What serving this client propagates (persistence/aof.py asks): nothing for XREAD;
        for XREADGROUP, as Redis does, an XCLAIM per delivered entry and the group's new ID."""
        return self.propagate

    def serve(self, db: Database, key: bytes) -> object:
        """The reply once `key` has entries above what this client waits for, else None."""
        stream = db.peek(key)
        if type(stream) is not StreamValue:
            # XREAD keeps waiting; XREADGROUP is told its stream is gone (Redis 7.0.15).
            return ErrorReply(errors.XREADGROUP_KEY_DELETED) if self.group is not None else None
        group: ConsumerGroup | None = None
        if self.group is not None:
            group = stream.groups.get(self.group)
            if group is None:
                return ErrorReply(errors.XREADGROUP_GROUP_DELETED)
            after = group.last_id
        else:
            after = self.ids[key]
        if stream.last_id <= after:
            return None
        start = incr_id(after) or MIN_ID
        now = db.keyspace.now_ms
        if group is not None:
            consumer = _consumer(db, key, group, self.consumer)
            entries = stream.deliver(group, consumer, start, self.count, noack=self.noack, now_ms=now)
            _group_changed(db, stream)
            self.propagate = _group_read_commands(key, self.group or b"", group, consumer, entries, noack=self.noack)
        else:
            entries = stream.range(start, MAX_ID, self.count)
        return _read_reply(self.resp, [(key, entries)])


def _group_read_commands(
    key: bytes, name: bytes, group: ConsumerGroup, consumer: Consumer, entries: list[list[object]], *, noack: bool
) -> list[list[bytes]]:
    """streamPropagateXCLAIM per delivered entry, then streamPropagateGroupID."""
    last_id = format_id(group.last_id)
    commands: list[list[bytes]] = []
    if not noack:
        for entry in entries:
            raw_id = entry[0]
            assert isinstance(raw_id, bytes)
            nack = consumer.pel[parse_id(raw_id)]
            commands.append(
                [
                    b"XCLAIM", key, name, consumer.name, b"0", raw_id,
                    b"TIME", b"%d" % nack.delivery_time, b"RETRYCOUNT", b"%d" % nack.delivery_count,
                    b"FORCE", b"JUSTID", b"LASTID", last_id,
                ]
            )  # fmt: skip
    commands.append([b"XGROUP", b"SETID", key, name, last_id, b"ENTRIESREAD", b"%d" % group.entries_read])
    return commands


def _xread(c: Client, argv: list[bytes], *, xreadgroup: bool) -> object:
    timeout_ms = -1
    count = 0
    streams_at = 0
    noack = False
    group_name: bytes | None = None
    consumer_name = b""
    argc = len(argv)
    i = 1
    while i < argc:
        more = argc - i - 1
        opt = _option(argv[i])
        if opt == b"BLOCK" and more:
            timeout_ms = _block_timeout_ms(argv[i + 1])
            i += 1
        elif opt == b"COUNT" and more:
            count = _count(argv[i + 1])
            i += 1
        elif opt == b"STREAMS" and more:
            streams_at = i + 1
            if (argc - streams_at) % 2:  # Redis words it for XREAD, XREADGROUP included
                raise CommandError(errors.XREAD_UNBALANCED)
            break
        elif opt == b"GROUP" and more >= 2:
            if not xreadgroup:
                raise CommandError(errors.XREAD_GROUP_OPTION)
            group_name, consumer_name = argv[i + 1], argv[i + 2]
            i += 2
        elif opt == b"NOACK":
            if not xreadgroup:
                raise CommandError(errors.XREAD_NOACK_OPTION)
            noack = True
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    if streams_at == 0:
        raise CommandError(errors.SYNTAX)
    if xreadgroup and group_name is None:
        raise CommandError(errors.XREADGROUP_MISSING_GROUP)
    n = (argc - streams_at) // 2
    keys = argv[streams_at : streams_at + n]
    # Resolve each stream's group and starting ID, in argument order (errors included).
    ids: list[StreamID] = []
    groups: list[ConsumerGroup | None] = []
    db = c.db
    for key, raw in zip(keys, argv[streams_at + n :], strict=True):
        stream = _stream(c, key)
        group = None
        if group_name is not None:
            group = stream.groups.get(group_name) if stream is not None else None
            if group is None:
                raise CommandError(errors.XREADGROUP_NOGROUP.format(_text(key), _text(group_name)))
        groups.append(group)
        if raw == b"$":
            if xreadgroup:
                raise CommandError(errors.XREADGROUP_DOLLAR)
            ids.append(stream.last_id if stream is not None else MIN_ID)
        elif raw == b">":
            if not xreadgroup:
                raise CommandError(errors.XREAD_GREATER_ID)
            ids.append(MAX_ID)
        else:
            ids.append(parse_id(raw))
    now = c.keyspace.now_ms
    served: list[tuple[bytes, list[list[object]]]] = []
    for index, key in enumerate(keys):
        stream = db.peek(key)
        if stream is None:
            continue
        after = ids[index]
        group = groups[index]
        if group is not None:
            history = after != MAX_ID
            serve_now = history
            if not history and stream.length and stream.last_valid_id() > group.last_id:
                serve_now = True
                after = group.last_id
            if serve_now:
                consumer = _consumer(db, key, group, consumer_name)
                start = incr_id(after) or MIN_ID
                if history:
                    entries = stream.history(consumer, start, count, now)
                else:
                    entries = stream.deliver(group, consumer, start, count, noack=noack, now_ms=now)
                served.append((key, entries))
                _group_changed(db, stream)
        elif stream.length and stream.last_valid_id() > after:
            start = incr_id(after) or MIN_ID
            served.append((key, stream.range(start, MAX_ID, count)))
    if served:
        return _read_reply(c.resp, served)
    if timeout_ms == -1 or c.no_block:
        return NULL_ARRAY
    waits: dict[bytes, StreamID] = {}
    for key, after in zip(keys, ids, strict=True):
        waits.setdefault(key, after)  # a repeated key waits with its first ID, as in Redis
    waiter = _StreamWaiter(
        waits,
        group_name,
        consumer_name,
        noack,
        count or XREAD_BLOCKED_DEFAULT_COUNT,
        c.resp,
    )
    c.server.block(c, waiter, db, list(waits), timeout_ms / 1000)
    return NO_REPLY


@command(
    "xread",
    -4,
    "readonly blocking movablekeys",
    group="stream",
    since="5.0.0",
    summary=(
        "Return never seen elements in multiple streams, with IDs greater than the ones reported by the "
        "caller for each stream. Can block."
    ),
    acl="@read @stream @slow @blocking",
    complexity=(
        "For each stream mentioned: O(N) with N being the number of elements being returned, it means that "
        "XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) "
        "time in order to serve the M clients blocked on the stream getting new data."
    ),
    syntax="[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
    getkeys=_xread_keys,
)
def xread(c: Client, argv: list[bytes]) -> object:
    return _xread(c, argv, xreadgroup=False)


@command(
    "xreadgroup",
    -7,
    "write blocking movablekeys",
    group="stream",
    since="5.0.0",
    summary=(
        "Return new entries from a stream using a consumer group, or access the history of the pending "
        "entries for a given consumer. Can block."
    ),
    acl="@write @stream @slow @blocking",
    complexity=(
        "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant "
        "(e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other "
        "side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked "
        "on the stream getting new data."
    ),
    syntax="GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]",
    getkeys=_xread_keys,
)
def xreadgroup(c: Client, argv: list[bytes]) -> object:
    return _xread(c, argv, xreadgroup=True)


# ---- XGROUP --------------------------------------------------------------------------------------
container("xgroup", group="stream", since="5.0.0", summary="A container for consumer groups commands")

XGROUP_HELP: Final = (
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
)


def _subcommand_error(argv: list[bytes], parent: str) -> CommandError:
    return CommandError(errors.SUBCOMMAND_ARGS.format(_text(argv[1]), parent))


def _parse_entries_read(raw: bytes) -> int:
    value = parse_int(raw)
    if value < 0 and value != INVALID_ENTRIES_READ:
        raise CommandError(errors.ENTRIESREAD_NEGATIVE)
    return value


def _xgroup_target(
    c: Client, argv: list[bytes], *, mkstream: bool = False
) -> tuple[StreamValue | None, ConsumerGroup | None]:
    """The stream and group an XGROUP subcommand works on, with XGROUP's errors."""
    stream = _stream(c, argv[2], write=True)
    if stream is None and not mkstream:
        raise CommandError(errors.XGROUP_KEY_MISSING)
    group = stream.groups.get(argv[3]) if stream is not None else None
    return stream, group


def _require_group(argv: list[bytes], group: ConsumerGroup | None) -> ConsumerGroup:
    if group is None:
        raise CommandError(errors.NOGROUP_FOR_KEY.format(_text(argv[3]), _text(argv[2])))
    return group


@command(
    "xgroup|create",
    -5,
    "write denyoom",
    keys=(2, 2, 1),
    group="stream",
    since="5.0.0",
    summary="Create a consumer group.",
    acl="@write @stream @slow",
    complexity="O(1)",
    syntax="key groupname id|$ [MKSTREAM] [ENTRIESREAD entries_read]",
)
def xgroup_create(c: Client, argv: list[bytes]) -> object:
    mkstream = False
    entries_read = INVALID_ENTRIES_READ
    i = 5
    while i < len(argv):
        opt = _option(argv[i])
        if opt == b"MKSTREAM":
            mkstream = True
            i += 1
        elif opt == b"ENTRIESREAD" and i + 1 < len(argv):
            entries_read = _parse_entries_read(argv[i + 1])
            i += 2
        else:
            raise _subcommand_error(argv, "XGROUP")
    stream, group = _xgroup_target(c, argv, mkstream=mkstream)
    if len(argv) > 8:
        raise _subcommand_error(argv, "XGROUP")
    if argv[4] == b"$":
        last_id = stream.last_id if stream is not None else MIN_ID
    else:
        last_id = parse_id(argv[4])
    key = argv[2]
    if stream is None:
        stream = StreamValue()
        c.db.set(key, stream)
    if group is not None:
        raise CommandError(errors.BUSYGROUP)
    stream.groups[argv[3]] = ConsumerGroup(last_id, entries_read)
    _group_changed(c.db, stream)
    notify(c, STREAM, b"xgroup-create", key, c.db.id)
    return OK


@command(
    "xgroup|setid",
    -5,
    "write",
    keys=(2, 2, 1),
    group="stream",
    since="5.0.0",
    summary="Set a consumer group to an arbitrary last delivered ID value.",
    acl="@write @stream @slow",
    complexity="O(1)",
    syntax="key groupname id|$ [ENTRIESREAD entries_read]",
)
def xgroup_setid(c: Client, argv: list[bytes]) -> object:
    entries_read = INVALID_ENTRIES_READ
    i = 5
    while i < len(argv):
        if _option(argv[i]) == b"ENTRIESREAD" and i + 1 < len(argv):
            entries_read = _parse_entries_read(argv[i + 1])
            i += 2
        else:
            raise _subcommand_error(argv, "XGROUP")
    stream, group = _xgroup_target(c, argv)
    group = _require_group(argv, group)
    if len(argv) not in (5, 7):
        raise _subcommand_error(argv, "XGROUP")
    assert stream is not None
    last_id = stream.last_id if argv[4] == b"$" else parse_id(argv[4], strict=False)
    group.last_id = last_id
    group.entries_read = entries_read
    _group_changed(c.db, stream)
    notify(c, STREAM, b"xgroup-setid", argv[2], c.db.id)
    return OK


@command(
    "xgroup|destroy",
    4,
    "write",
    keys=(2, 2, 1),
    group="stream",
    since="5.0.0",
    summary="Destroy a consumer group.",
    acl="@write @stream @slow",
    complexity="O(N) where N is the number of entries in the group's pending entries list (PEL).",
    syntax="key groupname",
)
def xgroup_destroy(c: Client, argv: list[bytes]) -> object:
    stream, group = _xgroup_target(c, argv)
    if group is None or stream is None:
        return 0
    del stream.groups[argv[3]]
    _group_changed(c.db, stream)
    notify(c, STREAM, b"xgroup-destroy", argv[2], c.db.id)
    _wake(c.db, argv[2])
    return 1


@command(
    "xgroup|createconsumer",
    5,
    "write denyoom",
    keys=(2, 2, 1),
    group="stream",
    since="6.2.0",
    summary="Create a consumer in a consumer group.",
    acl="@write @stream @slow",
    complexity="O(1)",
    syntax="key groupname consumername",
)
def xgroup_createconsumer(c: Client, argv: list[bytes]) -> object:
    stream, group = _xgroup_target(c, argv)
    group = _require_group(argv, group)
    if argv[4] in group.consumers:
        return 0
    _consumer(c.db, argv[2], group, argv[4])
    assert stream is not None
    _group_changed(c.db, stream)
    return 1


@command(
    "xgroup|delconsumer",
    5,
    "write",
    keys=(2, 2, 1),
    group="stream",
    since="5.0.0",
    summary="Delete a consumer from a consumer group.",
    acl="@write @stream @slow",
    complexity="O(1)",
    syntax="key groupname consumername",
)
def xgroup_delconsumer(c: Client, argv: list[bytes]) -> object:
    stream, group = _xgroup_target(c, argv)
    group = _require_group(argv, group)
    if argv[4] not in group.consumers:
        return 0
    pending = group.delete_consumer(argv[4])
    assert stream is not None
    _group_changed(c.db, stream)
    notify(c, STREAM, b"xgroup-delconsumer", argv[2], c.db.id)
    return pending


@command(
    "xgroup|help",
    2,
    "loading stale",
    group="stream",
    since="5.0.0",
    summary="Show helpful text about the different subcommands",
    acl="@stream @slow",
    complexity="O(1)",
)
def xgroup_help(c: Client, argv: list[bytes]) -> object:
    return [SimpleString(line) for line in XGROUP_HELP]


# ---- XACK / XPENDING / XCLAIM / XAUTOCLAIM -------------------------------------------------------
@command(
    "xack",
    -4,
    "write fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary=(
        "Marks a pending message as correctly processed, effectively removing it from the pending entries "
        "list of the consumer group. Return value of the command is the number of messages successfully "
        "acknowledged, that is, the IDs we were actually able to resolve in the PEL."
    ),
    acl="@write @stream @fast",
    complexity="O(1) for each message ID processed.",
    syntax="key group id [id ...]",
)
def xack(c: Client, argv: list[bytes]) -> object:
    stream = _stream(c, argv[1])
    group = stream.groups.get(argv[2]) if stream is not None else None
    if stream is None or group is None:
        return 0
    ids = [parse_id(raw) for raw in argv[3:]]  # all or nothing
    acknowledged = sum(1 for stream_id in ids if group.ack(stream_id))
    if acknowledged:
        _group_changed(c.db, stream)
    return acknowledged


def _group_or_nogroup(c: Client, argv: list[bytes]) -> tuple[StreamValue, ConsumerGroup]:
    stream = _stream(c, argv[1])
    group = stream.groups.get(argv[2]) if stream is not None else None
    if stream is None or group is None:
        raise CommandError(errors.NOGROUP_KEY_OR_GROUP.format(_text(argv[1]), _text(argv[2])))
    return stream, group


@command(
    "xpending",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary=(
        "Return information and entries from a stream consumer group pending entries list, that are "
        "messages fetched but never acknowledged."
    ),
    acl="@read @stream @slow",
    complexity=(
        "O(N) with N being the number of elements returned, so asking for a small fixed number of entries "
        "per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE "
        "filter. When the command returns just the summary and the list of consumers is small, it runs in "
        "O(1) time; otherwise, an additional O(N) time for iterating every consumer."
    ),
    syntax="key group [[IDLE min-idle-time] start end count [consumer]]",
)
def xpending(c: Client, argv: list[bytes]) -> object:
    argc = len(argv)
    if argc != 3 and not 6 <= argc <= 9:
        raise CommandError(errors.SYNTAX)
    min_idle = 0
    start, end, count = MIN_ID, MAX_ID, 0
    consumer_name: bytes | None = None
    if argc >= 6:
        at = 3
        if _option(argv[3]) == b"IDLE":
            min_idle = parse_int(argv[4])
            if argc < 8:
                raise CommandError(errors.SYNTAX)
            at = 5
        count = _count(argv[at + 2])
        start, end = _parse_range(argv[at], argv[at + 1])
        if at + 3 < argc:
            consumer_name = argv[at + 3]
    _, group = _group_or_nogroup(c, argv)
    if argc == 3:
        if not group.pel:
            return [0, None, None, NULL_ARRAY]
        owners = [[consumer.name, b"%d" % len(consumer.pel)] for consumer in group.sorted_consumers() if consumer.pel]
        return [len(group.pel), format_id(group.pel.peekitem(0)[0]), format_id(group.pel.peekitem(-1)[0]), owners]
    pel = group.pel
    if consumer_name is not None:
        consumer = group.consumers.get(consumer_name)
        if consumer is None:
            return []
        pel = consumer.pel
    now = c.keyspace.now_ms
    reply: list[object] = []
    if count and start <= end:
        for stream_id in pel.irange(start, end):
            nack: Nack = pel[stream_id]
            if min_idle and now - nack.delivery_time < min_idle:
                continue
            owner = nack.consumer.name if nack.consumer is not None else b""
            reply.append([format_id(stream_id), owner, max(now - nack.delivery_time, 0), nack.delivery_count])
            if len(reply) == count:
                break
    return reply


@command(
    "xclaim",
    -6,
    "write fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary=(
        "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered "
        "to the specified consumer."
    ),
    acl="@write @stream @fast",
    complexity="O(log N) with N being the number of messages in the PEL of the consumer group.",
    syntax=(
        "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] "
        "[RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]"
    ),
)
def xclaim(c: Client, argv: list[bytes]) -> object:
    stream, group = _group_or_nogroup(c, argv)
    min_idle = max(parse_int(argv[4], errors.XCLAIM_MIN_IDLE), 0)
    ids: list[StreamID] = []
    j = 5
    while j < len(argv):
        try:
            ids.append(parse_id(argv[j]))
        except CommandError:
            break
        j += 1
    now = c.keyspace.now_ms
    retry_count = -1
    delivery_time = -1
    force = justid = False
    last_id = MIN_ID
    while j < len(argv):
        more = len(argv) - 1 - j
        raw = argv[j]
        opt = _option(raw)
        if opt == b"FORCE":
            force = True
        elif opt == b"JUSTID":
            justid = True
        elif opt == b"IDLE" and more:
            j += 1
            delivery_time = now - parse_int(argv[j], errors.XCLAIM_IDLE)
        elif opt == b"TIME" and more:
            j += 1
            delivery_time = parse_int(argv[j], errors.XCLAIM_TIME)
        elif opt == b"RETRYCOUNT" and more:
            j += 1
            retry_count = parse_int(argv[j], errors.XCLAIM_RETRYCOUNT)
        elif opt == b"LASTID" and more:
            j += 1
            last_id = parse_id(argv[j])
        else:
            raise CommandError(errors.XCLAIM_UNRECOGNIZED.format(_text(raw)))
        j += 1
    changed = last_id > group.last_id
    if changed:
        group.last_id = last_id
    if delivery_time == -1 or delivery_time < 0 or delivery_time > now:
        delivery_time = now
    name = argv[3]
    reply: list[object] = []
    for stream_id in ids:
        nack = group.pel.get(stream_id)
        if stream_id not in stream.entries:
            if nack is not None:  # the entry is gone: drop it from the PEL
                group.ack(stream_id)
                changed = True
            continue
        if force and nack is None:
            nack = group.pel[stream_id] = Nack(None, now)
        if nack is None:
            continue
        if nack.consumer is not None and min_idle and now - nack.delivery_time < min_idle:
            continue
        consumer = _consumer(c.db, argv[1], group, name)
        nack.delivery_time = delivery_time
        if retry_count >= 0:
            nack.delivery_count = retry_count
        elif not justid:
            nack.delivery_count += 1
        group.assign(stream_id, nack, consumer)
        reply.append(format_id(stream_id) if justid else stream.entry(stream_id))
    if changed or reply:
        _group_changed(c.db, stream)
    return reply


@command(
    "xautoclaim",
    -6,
    "write fast",
    keys=(1, 1, 1),
    group="stream",
    since="6.2.0",
    summary=(
        "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered "
        "to the specified consumer."
    ),
    acl="@write @stream @fast",
    complexity="O(1) if COUNT is small.",
    syntax="key group consumer min-idle-time start [COUNT count] [JUSTID]",
)
def xautoclaim(c: Client, argv: list[bytes]) -> object:
    min_idle = max(parse_int(argv[4], errors.XAUTOCLAIM_MIN_IDLE), 0)
    start, exclusive = parse_interval_id(argv[5], 0)
    if exclusive:
        moved = incr_id(start)
        if moved is None:
            raise CommandError(errors.STREAM_INVALID_START)
        start = moved
    count = 100
    justid = False
    j = 6
    while j < len(argv):
        more = len(argv) - 1 - j
        opt = _option(argv[j])
        if opt == b"COUNT" and more:
            value = to_int(argv[j + 1])
            if value is None or not 1 <= value <= XAUTOCLAIM_MAX_COUNT:
                raise CommandError(errors.XAUTOCLAIM_COUNT)
            count = value
            j += 1
        elif opt == b"JUSTID":
            justid = True
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    stream, group = _group_or_nogroup(c, argv)
    if count > XAUTOCLAIM_ALLOCATABLE_COUNT:
        raise CommandError(errors.XAUTOCLAIM_COUNT_TOO_HIGH)
    now = c.keyspace.now_ms
    attempts = count * XAUTOCLAIM_ATTEMPTS_FACTOR
    claimed: list[object] = []
    deleted: list[bytes] = []
    name = argv[3]
    pel = group.pel
    position = pel.bisect_left(start)
    while attempts and count and position < len(pel):
        attempts -= 1
        stream_id, nack = pel.peekitem(position)
        if stream_id not in stream.entries:
            group.ack(stream_id)  # gone from the stream: dropped from the PEL, reported
            deleted.append(format_id(stream_id))
            count -= 1
            continue
        position += 1
        if min_idle and now - nack.delivery_time < min_idle:
            continue
        consumer = _consumer(c.db, argv[1], group, name)
        nack.delivery_time = now
        if not justid:
            nack.delivery_count += 1
        group.assign(stream_id, nack, consumer)
        claimed.append(format_id(stream_id) if justid else stream.entry(stream_id))
        count -= 1
    cursor = format_id(pel.peekitem(position)[0]) if position < len(pel) else b"0-0"
    if claimed or deleted:
        _group_changed(c.db, stream)
    return [cursor, claimed, deleted]


# ---- XINFO ---------------------------------------------------------------------------------------
container("xinfo", group="stream", since="5.0.0", summary="A container for stream introspection commands")

XINFO_HELP: Final = (
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
)


def _info_stream(c: Client, argv: list[bytes]) -> StreamValue:
    stream = _stream(c, argv[2])
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    return stream


@command(
    "xinfo|stream",
    -3,
    "readonly",
    keys=(2, 2, 1),
    group="stream",
    since="5.0.0",
    summary="Get information about a stream",
    acl="@read @stream @slow",
    complexity="O(1)",
    syntax="key [FULL [COUNT count]]",
)
def xinfo_stream(c: Client, argv: list[bytes]) -> object:
    stream = _info_stream(c, argv)
    full = False
    count = XINFO_FULL_DEFAULT_COUNT
    if len(argv) > 3:
        if _option(argv[3]) != b"FULL":
            raise _subcommand_error(argv, "XINFO")
        full = True
        if len(argv) > 4:
            if len(argv) != 6 or _option(argv[4]) != b"COUNT":
                raise _subcommand_error(argv, "XINFO")
            count = parse_int(argv[5])
            if count < 0:  # a negative COUNT means the default
                count = XINFO_FULL_DEFAULT_COUNT
    info: dict[bytes, object] = {
        b"length": stream.length,
        b"radix-tree-keys": len(stream.nodes),
        b"radix-tree-nodes": stream.radix_tree_nodes(),
        b"last-generated-id": format_id(stream.last_id),
        b"max-deleted-entry-id": format_id(stream.max_deleted_id),
        b"entries-added": stream.entries_added,
        b"recorded-first-entry-id": format_id(stream.first_id),
    }
    if not full:
        first = stream.range(MIN_ID, MAX_ID, 1)
        last = stream.range(MIN_ID, MAX_ID, 1, reverse=True)
        info[b"groups"] = len(stream.groups)
        info[b"first-entry"] = first[0] if first else None
        info[b"last-entry"] = last[0] if last else None
        return MapReply(info)
    info[b"entries"] = stream.range(MIN_ID, MAX_ID, count)
    info[b"groups"] = [_full_group(stream, name, group, count) for name, group in stream.sorted_groups()]
    return MapReply(info)


def _full_group(stream: StreamValue, name: bytes, group: ConsumerGroup, count: int) -> MapReply:
    pending: list[object] = []
    for stream_id, nack in group.pel.items():
        if count and len(pending) == count:
            break
        owner = nack.consumer.name if nack.consumer is not None else b""
        pending.append([format_id(stream_id), owner, nack.delivery_time, nack.delivery_count])
    consumers: list[object] = []
    for consumer in group.sorted_consumers():
        own: list[object] = []
        for stream_id, nack in consumer.pel.items():
            if count and len(own) == count:
                break
            own.append([format_id(stream_id), nack.delivery_time, nack.delivery_count])
        consumers.append(
            MapReply(
                {
                    b"name": consumer.name,
                    b"seen-time": consumer.seen_time,
                    b"pel-count": len(consumer.pel),
                    b"pending": own,
                }
            )
        )
    return MapReply(
        {
            b"name": name,
            b"last-delivered-id": format_id(group.last_id),
            b"entries-read": group.entries_read if group.entries_read != INVALID_ENTRIES_READ else None,
            b"lag": stream.group_lag(group),
            b"pel-count": len(group.pel),
            b"pending": pending,
            b"consumers": consumers,
        }
    )


@command(
    "xinfo|groups",
    3,
    "readonly",
    keys=(2, 2, 1),
    group="stream",
    since="5.0.0",
    summary="List the consumer groups of a stream",
    acl="@read @stream @slow",
    complexity="O(1)",
    syntax="key",
)
def xinfo_groups(c: Client, argv: list[bytes]) -> object:
    stream = _info_stream(c, argv)
    return [
        MapReply(
            {
                b"name": name,
                b"consumers": len(group.consumers),
                b"pending": len(group.pel),
                b"last-delivered-id": format_id(group.last_id),
                b"entries-read": group.entries_read if group.entries_read != INVALID_ENTRIES_READ else None,
                b"lag": stream.group_lag(group),
            }
        )
        for name, group in stream.sorted_groups()
    ]


@command(
    "xinfo|consumers",
    4,
    "readonly",
    keys=(2, 2, 1),
    group="stream",
    since="5.0.0",
    summary="List the consumers in a consumer group",
    acl="@read @stream @slow",
    complexity="O(1)",
    syntax="key groupname",
)
def xinfo_consumers(c: Client, argv: list[bytes]) -> object:
    stream = _info_stream(c, argv)
    group = stream.groups.get(argv[3])
    if group is None:
        raise CommandError(errors.NOGROUP_FOR_KEY.format(_text(argv[3]), _text(argv[2])))
    now = c.keyspace.now_ms
    return [
        MapReply(
            {
                b"name": consumer.name,
                b"pending": len(consumer.pel),
                b"idle": max(now - consumer.seen_time, 0),
            }
        )
        for consumer in group.sorted_consumers()
    ]


@command(
    "xinfo|help",
    2,
    "loading stale",
    group="stream",
    since="5.0.0",
    summary="Show helpful text about the different subcommands",
    acl="@stream @slow",
    complexity="O(1)",
)
def xinfo_help(c: Client, argv: list[bytes]) -> object:
    return [SimpleString(line) for line in XINFO_HELP]


# ---- XSETID --------------------------------------------------------------------------------------
@command(
    "xsetid",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    summary="An internal command for replicating stream values",
    acl="@write @stream @fast",
    complexity="O(1)",
    syntax="key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]",
)
def xsetid(c: Client, argv: list[bytes]) -> object:
    last_id = parse_id(argv[2])
    entries_added = -1
    max_deleted = MIN_ID
    i = 3
    while i < len(argv):
        more = len(argv) - 1 - i
        opt = _option(argv[i])
        if opt == b"ENTRIESADDED" and more:
            entries_added = parse_int(argv[i + 1])
            if entries_added < 0:
                raise CommandError(errors.XSETID_ENTRIES_ADDED_NEGATIVE)
        elif opt == b"MAXDELETEDID" and more:
            max_deleted = parse_id(argv[i + 1])
            if last_id < max_deleted:
                raise CommandError(errors.XSETID_BELOW_GIVEN_MAX_DELETED)
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    stream = _stream(c, argv[1], write=True)
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if stream.length:
        if last_id < stream.last_valid_id():
            raise CommandError(errors.XSETID_BELOW_TOP)
        if entries_added != -1 and stream.length > entries_added:
            raise CommandError(errors.XSETID_ENTRIES_ADDED_SMALL)
    stream.last_id = last_id
    if entries_added != -1:
        stream.entries_added = entries_added
    if max_deleted != MIN_ID:
        stream.max_deleted_id = max_deleted
    _group_changed(c.db, stream)
    notify(c, STREAM, b"xsetid", argv[1], c.db.id)
    return OK
