"""Generic key commands: DEL, EXISTS, TYPE, RENAME, COPY, MOVE, KEYS, SCAN, RANDOMKEY, the EXPIRE
and TTL families, PERSIST, SWAPDB and OBJECT.

Handlers follow Redis 7.0's db.c, expire.c and object.c: which lookup a command makes (a read
that counts a hit and refreshes LRU/LFU data, one that does not touch it, or a write lookup)
decides INFO's statistics and OBJECT IDLETIME, so each handler says which it uses. OBJECT
ENCODING's answer is computed from the value and the encoding thresholds in `config.py`, by the
pure functions below.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from miniredis_node import errors
from miniredis_node.args import INT64_MAX, parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.config import Config
from miniredis_node.datatypes import (
    HashValue,
    ListValue,
    SetValue,
    ZSetValue,
    hash_fits_listpack,
    set_fits_intset,
    type_name,
)
from miniredis_node.errors import CommandError
from miniredis_node.glob import Pattern
from miniredis_node.keyspace import Database
from miniredis_node.notify import GENERIC, notify
from miniredis_node.protocol import OK, SimpleString
from miniredis_node.scanning import parse_cursor
from miniredis_node.table import command, container

INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
SCAN_DEFAULT_COUNT: Final = 10
EMBSTR_SIZE_LIMIT: Final = 44  # OBJ_ENCODING_EMBSTR_SIZE_LIMIT
SHARED_INTEGERS: Final = 10000  # OBJ_SHARED_INTEGERS: 0..9999 are shared objects
SHARED_REFCOUNT: Final = 2**31 - 1  # OBJ_SHARED_REFCOUNT (INT_MAX)
RANDOMKEY_TRIES: Final = 100
# C's LLONG_MAX / 1000 (division truncates toward zero, so the bound is symmetric).
SECONDS_LIMIT: Final = INT64_MAX // 1000

TYPE_NONE: Final = SimpleString("none")


# ---- lookups ------------------------------------------------------------------------------------
def lookup_notouch(db: Database, key: bytes) -> Any:
    """Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): counts a hit or miss, leaves LRU/LFU alone.

    TYPE, EXISTS, TTL and OBJECT read this way, so OBJECT IDLETIME is not reset by looking.
    """
    value = db.peek(key)
    keyspace = db.keyspace
    if value is None:
        keyspace.misses += 1
        if keyspace.on_miss is not None:
            keyspace.on_miss(db, key)
    else:
        keyspace.hits += 1
    return value


def parse_int32(raw: bytes, message: str | None = None) -> int:
    """Redis's getIntFromObjectOrReply: an int that fits C's int; `message` replaces both errors."""
    value = to_int(raw)
    if value is None:
        raise CommandError(message or errors.NOT_INTEGER)
    if not INT32_MIN <= value <= INT32_MAX:
        raise CommandError(message or errors.INT_RANGE.format(INT32_MIN, INT32_MAX))
    return value


def target_db(c: Client, raw: bytes) -> Database:
    """The database numbered `raw` (COPY ... DB n, MOVE): int-parsed, then range-checked."""
    index = parse_int32(raw)
    if not 0 <= index < len(c.keyspace.dbs):
        raise CommandError(errors.DB_INDEX_OUT_OF_RANGE)
    return c.keyspace.dbs[index]


def duplicate(value: Any) -> Any:
    """A deep copy of a stored value, for COPY (strings are immutable and shared as they are)."""
    kind = type(value)
    if kind is bytes:
        return value
    if kind is ListValue:
        return ListValue(value)
    if kind is HashValue:
        hash_copy = HashValue(value)
        hash_copy.converted = value.converted  # Redis duplicates the encoding too
        return hash_copy
    if kind is SetValue:
        set_copy = SetValue(value)
        set_copy.converted = value.converted
        return set_copy
    if kind is ZSetValue:
        return value.copy()
    return copy.deepcopy(value)


# ---- DEL, UNLINK, EXISTS, TOUCH, TYPE -------------------------------------------------------
@command(
    "del", -2, "write", keys=(1, -1, 1), group="generic", since="1.0.0", summary="Delete a key", syntax="key [key ...]"
)
def del_(c: Client, argv: list[bytes]) -> object:
    db = c.db
    deleted = 0
    for key in argv[1:]:
        if db.delete(key):
            deleted += 1
            notify(c, GENERIC, b"del", key, db.id)
    return deleted


@command(
    "unlink",
    -2,
    "write fast",
    keys=(1, -1, 1),
    group="generic",
    since="4.0.0",
    summary="Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
    syntax="key [key ...]",
)
def unlink(c: Client, argv: list[bytes]) -> object:
    db = c.db
    deleted = 0
    for key in argv[1:]:
        if db.delete(key):
            deleted += 1
            notify(c, GENERIC, b"del", key, db.id)
    return deleted


@command(
    "exists",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    group="generic",
    since="1.0.0",
    summary="Determine if a key exists",
    syntax="key [key ...]",
)
def exists(c: Client, argv: list[bytes]) -> object:
    db = c.db
    return sum(lookup_notouch(db, key) is not None for key in argv[1:])


@command(
    "touch",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    group="generic",
    since="3.2.1",
    summary="Alters the last access time of a key(s). Returns the number of existing keys specified.",
    syntax="key [key ...]",
)
def touch(c: Client, argv: list[bytes]) -> object:
    db = c.db
    return sum(db.lookup(key) is not None for key in argv[1:])


@command(
    "type",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="generic",
    since="1.0.0",
    summary="Determine the type stored at key",
    syntax="key",
)
def type_(c: Client, argv: list[bytes]) -> object:
    value = lookup_notouch(c.db, argv[1])
    if value is None:
        return TYPE_NONE
    return SimpleString(type_name(value).decode())


# ---- RENAME, RENAMENX, COPY, MOVE -----------------------------------------------------------
def _rename(c: Client, argv: list[bytes], *, nx: bool) -> object:
    db = c.db
    source, target = argv[1], argv[2]
    value = db.peek(source)
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if source == target:
        return 0 if nx else OK
    if db.peek(target) is not None and nx:
        return 0
    when = db.ttl_ms(source)
    db.delete(source)
    db.set(target, value)
    if when is not None:
        db.set_expire(target, when)
    notify(c, GENERIC, b"rename_from", source, db.id)
    notify(c, GENERIC, b"rename_to", target, db.id)
    return 1 if nx else OK


@command(
    "rename", 3, "write", keys=(1, 2, 1), group="generic", since="1.0.0", summary="Rename a key", syntax="key newkey"
)
def rename(c: Client, argv: list[bytes]) -> object:
    return _rename(c, argv, nx=False)


@command(
    "renamenx",
    3,
    "write fast",
    keys=(1, 2, 1),
    group="generic",
    since="1.0.0",
    summary="Rename a key, only if the new key does not exist",
    syntax="key newkey",
)
def renamenx(c: Client, argv: list[bytes]) -> object:
    return _rename(c, argv, nx=True)


@command(
    "copy",
    -3,
    "write denyoom",
    keys=(1, 2, 1),
    group="generic",
    since="6.2.0",
    summary="Copy a key",
    syntax="source destination [DB destination-db] [REPLACE]",
)
def copy_(c: Client, argv: list[bytes]) -> object:
    source_db = destination = c.db
    replace = False
    i = 3
    while i < len(argv):
        option = argv[i].lower()
        if option == b"replace":
            replace = True
        elif option == b"db" and i + 1 < len(argv):
            destination = target_db(c, argv[i + 1])
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    source, target = argv[1], argv[2]
    if source_db is destination and source == target:
        raise CommandError(errors.SAME_OBJECT)
    value = source_db.lookup(source)
    if value is None:
        return 0
    when = source_db.ttl_ms(source)
    if destination.peek(target) is not None:
        if not replace:
            return 0
        destination.delete(target)
    destination.set(target, duplicate(value))
    if when is not None:
        destination.set_expire(target, when)
    notify(c, GENERIC, b"copy_to", target, destination.id)
    return 1


@command(
    "move",
    3,
    "write fast",
    keys=(1, 1, 1),
    group="generic",
    since="1.0.0",
    summary="Move a key to another database",
    syntax="key db",
)
def move(c: Client, argv: list[bytes]) -> object:
    source_db = c.db
    destination = target_db(c, argv[2])
    if destination is source_db:
        raise CommandError(errors.SAME_OBJECT)
    key = argv[1]
    value = source_db.peek(key)
    if value is None or destination.peek(key) is not None:
        return 0
    when = source_db.ttl_ms(key)
    # Delete first: the value's memory estimate then leaves one database before entering the other.
    source_db.delete(key)
    destination.set(key, value)
    if when is not None:
        destination.set_expire(key, when)
    notify(c, GENERIC, b"move_from", key, source_db.id)
    notify(c, GENERIC, b"move_to", key, destination.id)
    return 1


# ---- KEYS, SCAN, RANDOMKEY ------------------------------------------------------------------
@command(
    "keys",
    2,
    "readonly",
    group="generic",
    since="1.0.0",
    summary="Find all keys matching the given pattern",
    syntax="pattern",
)
def keys(c: Client, argv: list[bytes]) -> object:
    pattern = Pattern(argv[1])
    live = c.db.keys()  # skips expired keys without reclaiming them, as KEYS does
    if pattern.match_all:
        return list(live)
    return [key for key in live if pattern(key)]


@command(
    "scan",
    -2,
    "readonly",
    group="generic",
    since="2.8.0",
    summary="Incrementally iterate the keys space",
    syntax="cursor [MATCH pattern] [COUNT count] [TYPE type]",
)
def scan(c: Client, argv: list[bytes]) -> object:
    cursor = parse_cursor(argv[1])
    count = SCAN_DEFAULT_COUNT
    pattern: Pattern | None = None
    wanted_type: bytes | None = None
    i, argc = 2, len(argv)
    while i < argc:
        option = argv[i].lower()
        if option == b"count" and argc - i >= 2:
            count = parse_int(argv[i + 1])
            if count < 1:
                raise CommandError(errors.SYNTAX)
        elif option == b"match" and argc - i >= 2:
            pattern = Pattern(argv[i + 1])
            if pattern.match_all:
                pattern = None
        elif option == b"type" and argc - i >= 2:
            wanted_type = argv[i + 1].lower()
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    db = c.db
    next_cursor, found = db.index.scan(cursor, count)
    result: list[bytes] = []
    # A key re-added after a delete has two live slots; report it once per reply.
    for key in dict.fromkeys(found):
        if pattern is not None and not pattern(key):
            continue
        value = db.peek(key)  # reclaims an expired key, as SCAN's expireIfNeeded does
        if value is None:
            continue
        if wanted_type is not None and type_name(value) != wanted_type:
            continue
        result.append(key)
    return [b"%d" % next_cursor, result]


@command("randomkey", 1, "readonly", group="generic", since="1.0.0", summary="Return a random key from the keyspace")
def randomkey(c: Client, argv: list[bytes]) -> object:
    db = c.db
    for _ in range(RANDOMKEY_TRIES):
        if not db.data:
            return None
        for key in db.index.sample(1):
            if db.peek(key) is not None:  # an expired pick is reclaimed and another drawn
                return key
    return next(db.keys(), None)  # mostly expired keys: fall back to a walk


# ---- EXPIRE family, TTL family, PERSIST -----------------------------------------------------
EXPIRE_NX, EXPIRE_XX, EXPIRE_GT, EXPIRE_LT = 1, 2, 4, 8
_EXPIRE_FLAGS: Final = {b"nx": EXPIRE_NX, b"xx": EXPIRE_XX, b"gt": EXPIRE_GT, b"lt": EXPIRE_LT}


def parse_expire_flags(argv: list[bytes]) -> int:
    """`[NX | XX | GT | LT]` after the time; Redis checks them before the time itself."""
    flags = 0
    for raw in argv[3:]:
        flag = _EXPIRE_FLAGS.get(raw.lower())
        if flag is None:
            text = raw.decode(errors="replace").replace("\r", " ").replace("\n", " ")
            raise CommandError(errors.EXPIRE_UNSUPPORTED_OPTION.format(text))
        flags |= flag
    if flags & EXPIRE_NX and flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT):
        raise CommandError(errors.EXPIRE_NX_AND_OTHERS)
    if flags & EXPIRE_GT and flags & EXPIRE_LT:
        raise CommandError(errors.EXPIRE_GT_AND_LT)
    return flags


def expire_allowed(flags: int, when: int, current: int | None) -> bool:
    """Whether NX/XX/GT/LT let a new expiry `when` replace `current` (None: no TTL, i.e. infinite)."""
    if flags & EXPIRE_NX and current is not None:
        return False
    if flags & EXPIRE_XX and current is None:
        return False
    if flags & EXPIRE_GT and (current is None or when <= current):
        return False
    return not (flags & EXPIRE_LT and current is not None and when >= current)


def expire_generic(c: Client, argv: list[bytes], name: str, *, seconds: bool, relative: bool) -> object:
    """expireGenericCommand: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT."""
    flags = parse_expire_flags(argv)
    when = parse_int(argv[2])
    if seconds:
        if not -SECONDS_LIMIT <= when <= SECONDS_LIMIT:
            raise CommandError(errors.INVALID_EXPIRE.format(name))
        when *= 1000
    now = c.keyspace.now_ms
    if relative:
        if when > INT64_MAX - now:
            raise CommandError(errors.INVALID_EXPIRE.format(name))
        when += now
    db = c.db
    key = argv[1]
    if db.peek(key) is None:
        return 0
    if flags and not expire_allowed(flags, when, db.ttl_ms(key)):
        return 0
    if when <= now:  # already in the past: the key goes now, as a DEL
        db.delete(key)
        notify(c, GENERIC, b"del", key, db.id)
        return 1
    db.set_expire(key, when)
    db.modified(key)  # signalModifiedKey: a WATCH on the key fails
    notify(c, GENERIC, b"expire", key, db.id)
    return 1


@command(
    "expire",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="generic",
    since="1.0.0",
    summary="Set a key's time to live in seconds",
    syntax="key seconds [NX|XX|GT|LT]",
)
def expire(c: Client, argv: list[bytes]) -> object:
    return expire_generic(c, argv, "expire", seconds=True, relative=True)


@command(
    "pexpire",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="generic",
    since="2.6.0",
    summary="Set a key's time to live in milliseconds",
    syntax="key milliseconds [NX|XX|GT|LT]",
)
def pexpire(c: Client, argv: list[bytes]) -> object:
    return expire_generic(c, argv, "pexpire", seconds=False, relative=True)


@command(
    "expireat",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="generic",
    since="1.2.0",
    summary="Set the expiration for a key as a UNIX timestamp",
    syntax="key unix-time-seconds [NX|XX|GT|LT]",
)
def expireat(c: Client, argv: list[bytes]) -> object:
    return expire_generic(c, argv, "expireat", seconds=True, relative=False)


@command(
    "pexpireat",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="generic",
    since="2.6.0",
    summary="Set the expiration for a key as a UNIX timestamp specified in milliseconds",
    syntax="key unix-time-milliseconds [NX|XX|GT|LT]",
)
def pexpireat(c: Client, argv: list[bytes]) -> object:
    return expire_generic(c, argv, "pexpireat", seconds=False, relative=False)


def ttl_generic(c: Client, key: bytes, *, milliseconds: bool, absolute: bool) -> int:
    """ttlGenericCommand: -2 for a missing key, -1 without a TTL, else the (remaining) time."""
    db = c.db
    if lookup_notouch(db, key) is None:
        return -2
    when = db.ttl_ms(key)
    if when is None:
        return -1
    remaining = max(when if absolute else when - c.keyspace.now_ms, 0)
    return remaining if milliseconds else (remaining + 500) // 1000


@command(
    "ttl",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="generic",
    since="1.0.0",
    summary="Get the time to live for a key in seconds",
    syntax="key",
)
def ttl(c: Client, argv: list[bytes]) -> object:
    return ttl_generic(c, argv[1], milliseconds=False, absolute=False)


@command(
    "pttl",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="generic",
    since="2.6.0",
    summary="Get the time to live for a key in milliseconds",
    syntax="key",
)
def pttl(c: Client, argv: list[bytes]) -> object:
    return ttl_generic(c, argv[1], milliseconds=True, absolute=False)


@command(
    "expiretime",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="generic",
    since="7.0.0",
    summary="Get the expiration Unix timestamp for a key",
    syntax="key",
)
def expiretime(c: Client, argv: list[bytes]) -> object:
    return ttl_generic(c, argv[1], milliseconds=False, absolute=True)


@command(
    "pexpiretime",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="generic",
    since="7.0.0",
    summary="Get the expiration Unix timestamp for a key in milliseconds",
    syntax="key",
)
def pexpiretime(c: Client, argv: list[bytes]) -> object:
    return ttl_generic(c, argv[1], milliseconds=True, absolute=True)


@command(
    "persist",
    2,
    "write fast",
    keys=(1, 1, 1),
    group="generic",
    since="2.2.0",
    summary="Remove the expiration from a key",
    syntax="key",
)
def persist(c: Client, argv: list[bytes]) -> object:
    db = c.db
    key = argv[1]
    if db.peek(key) is None or not db.persist(key):
        return 0
    db.modified(key)  # signalModifiedKey: a WATCH on the key fails
    notify(c, GENERIC, b"persist", key, db.id)
    return 1


# ---- SWAPDB ---------------------------------------------------------------------------------
@command(
    "swapdb",
    3,
    "write fast",
    group="server",
    since="4.0.0",
    summary="Swaps two Redis databases",
    syntax="index1 index2",
)
def swapdb(c: Client, argv: list[bytes]) -> object:
    first = parse_int32(argv[1], errors.SWAPDB_INVALID_FIRST)
    second = parse_int32(argv[2], errors.SWAPDB_INVALID_SECOND)
    count = len(c.keyspace.dbs)
    if not (0 <= first < count and 0 <= second < count):
        raise CommandError(errors.DB_INDEX_OUT_OF_RANGE)
    if first != second:
        c.keyspace.swap(first, second)
    return OK


# ---- OBJECT ---------------------------------------------------------------------------------
def string_encoding(value: bytes) -> bytes:
    """What Redis's tryObjectEncoding makes of a stored string: int, embstr or raw.

    Strings grown in place (APPEND, SETRANGE, SETBIT) are raw in Redis whatever their content;
    a bytes value does not remember that, so they report what SET would have made.
    """
    if len(value) <= 20 and to_int(value) is not None:
        return b"int"
    return b"embstr" if len(value) <= EMBSTR_SIZE_LIMIT else b"raw"


def object_encoding(value: Any, config: Config) -> bytes:
    """OBJECT ENCODING of a value under Redis 7.0's rules and the configured thresholds.

    7.0 keeps lists as quicklists and sets as intsets or hashtables (listpack lists and sets
    came in 7.2). A hash, set or sorted set that outgrew its compact encoding keeps the big one,
    as in Redis; strings follow their current contents (an APPENDed short string says `embstr`
    where Redis says `raw`).
    """
    kind = type(value)
    if kind is bytes:
        return string_encoding(value)
    if kind is ListValue:
        return b"quicklist"
    if kind is HashValue:
        fits = hash_fits_listpack(value, config["hash-max-listpack-entries"], config["hash-max-listpack-value"])
        return b"listpack" if fits else b"hashtable"
    if kind is SetValue:
        return b"intset" if set_fits_intset(value, config["set-max-intset-entries"]) else b"hashtable"
    if kind is ZSetValue:
        encoding: bytes = value.encoding(config["zset-max-listpack-entries"], config["zset-max-listpack-value"])
        return encoding
    return type_name(value)  # streams: "stream"


def object_refcount(value: Any, config: Config) -> int:
    """Small integers (0..9999) are shared objects unless an LRU/LFU maxmemory policy forbids it."""
    if type(value) is bytes and string_encoding(value) == b"int" and 0 <= int(value) < SHARED_INTEGERS:
        policy = config["maxmemory-policy"]
        if not config["maxmemory"] or not policy.endswith(("lru", "lfu")):
            return SHARED_REFCOUNT
    return 1


def _lfu_policy(config: Config) -> bool:
    return bool(config["maxmemory-policy"].endswith("lfu"))


container("object", group="generic", since="2.2.3", summary="A container for object introspection commands")


@command(
    "object|encoding",
    3,
    "readonly",
    keys=(2, 2, 1),
    group="generic",
    since="2.2.3",
    summary="Inspect the internal encoding of a Redis object",
    syntax="key",
)
def object_encoding_(c: Client, argv: list[bytes]) -> object:
    value = lookup_notouch(c.db, argv[2])
    return None if value is None else object_encoding(value, c.server.config)


@command(
    "object|freq",
    3,
    "readonly",
    keys=(2, 2, 1),
    group="generic",
    since="4.0.0",
    summary="Get the logarithmic access frequency counter of a Redis object",
    syntax="key",
)
def object_freq(c: Client, argv: list[bytes]) -> object:
    db = c.db
    if lookup_notouch(db, argv[2]) is None:
        return None
    if not _lfu_policy(c.server.config):
        raise CommandError(errors.OBJECT_FREQ_NOT_LFU)
    return db.access_score(argv[2], lfu=True)


@command(
    "object|idletime",
    3,
    "readonly",
    keys=(2, 2, 1),
    group="generic",
    since="2.2.3",
    summary="Get the time since a Redis object was last accessed",
    syntax="key",
)
def object_idletime(c: Client, argv: list[bytes]) -> object:
    db = c.db
    key = argv[2]
    if lookup_notouch(db, key) is None:
        return None
    if _lfu_policy(c.server.config):
        raise CommandError(errors.OBJECT_IDLETIME_LFU)
    # Access times are kept only while an eviction policy needs them (Keyspace.track_access).
    now = c.keyspace.now_ms
    return max(now - db.access.get(key, now), 0) // 1000


@command(
    "object|refcount",
    3,
    "readonly",
    keys=(2, 2, 1),
    group="generic",
    since="2.2.3",
    summary="Get the number of references to the value of the key",
    syntax="key",
)
def object_refcount_(c: Client, argv: list[bytes]) -> object:
    value = lookup_notouch(c.db, argv[2])
    return None if value is None else object_refcount(value, c.server.config)


OBJECT_HELP: Final = (
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
)


@command(
    "object|help",
    2,
    "loading stale",
    group="generic",
    since="6.2.0",
    summary="Show helpful text about the different subcommands",
)
def object_help(c: Client, argv: list[bytes]) -> object:
    return [SimpleString(line) for line in OBJECT_HELP]
