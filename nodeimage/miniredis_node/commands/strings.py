"""String commands: GET/SET and their variants, counters, ranges and LCS (Redis's t_string.c).

Strings are stored as immutable `bytes`, so every in-place command of Redis (APPEND, SETRANGE,
INCR) builds the new value and stores it with `db.set(..., keep_ttl=True)`, which keeps the TTL
and does the bookkeeping (WATCH, memory, dirty) a write needs.

GET and the plain `SET key value` are the benchmark's hot path: they go straight to the
keyspace without parsing options. Everything else validates its arguments in the order Redis
does, because when several arguments are wrong the client sees the first error Redis would
report (a syntax error before an invalid expire time before WRONGTYPE, for SET).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from miniredis_node import errors, longdouble
from miniredis_node.args import INT64_MAX, INT64_MIN, option_name, parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.notify import GENERIC, STRING, notify
from miniredis_node.protocol import OK, MapReply
from miniredis_node.table import command

# ---- SET / GETEX options ------------------------------------------------------------------------
# Bits of the option set, as Redis's OBJ_SET_* flags.
NX: Final = 1
XX: Final = 2
GET: Final = 4
KEEPTTL: Final = 8
PERSIST: Final = 16
EX: Final = 32
PX: Final = 64
EXAT: Final = 128
PXAT: Final = 256
EXPIRY: Final = EX | PX | EXAT | PXAT
IN_SECONDS: Final = EX | EXAT
RELATIVE: Final = EX | PX
_EXPIRY_OPTIONS: Final = {b"EX": EX, b"PX": PX, b"EXAT": EXAT, b"PXAT": PXAT}


def parse_expiry_options(argv: list[bytes], start: int, *, for_set: bool) -> tuple[int, bytes | None]:
    """SET's (`for_set`) or GETEX's options from argv[start:]: the flag bits and the raw expire value.

    Conflicting options are syntax errors, as in Redis: NX with XX, KEEPTTL or PERSIST with an
    expiry, two different expiries. The same expiry twice is allowed; the last value wins.
    """
    flags = 0
    expire: bytes | None = None
    j, argc = start, len(argv)
    while j < argc:
        opt = option_name(argv[j])
        unit = _EXPIRY_OPTIONS.get(opt, 0)
        if unit:
            if flags & (KEEPTTL | PERSIST) or flags & (EXPIRY & ~unit) or j + 1 >= argc:
                raise CommandError(errors.SYNTAX)
            flags |= unit
            expire = argv[j + 1]
            j += 2
            continue
        if for_set and opt == b"NX" and not flags & XX:
            flags |= NX
        elif for_set and opt == b"XX" and not flags & NX:
            flags |= XX
        elif for_set and opt == b"GET":
            flags |= GET
        elif for_set and opt == b"KEEPTTL" and not flags & EXPIRY:
            flags |= KEEPTTL
        elif not for_set and opt == b"PERSIST" and not flags & EXPIRY:
            flags |= PERSIST
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    return flags, expire


def expire_at_ms(raw: bytes, flags: int, now_ms: int, name: str) -> int:
    """The absolute expiry (unix ms) an EX/PX/EXAT/PXAT value means; Redis's validation and errors."""
    value = parse_int(raw)
    if value <= 0 or (flags & IN_SECONDS and value > INT64_MAX // 1000):
        raise CommandError(errors.INVALID_EXPIRE.format(name))
    if flags & IN_SECONDS:
        value *= 1000
    if flags & RELATIVE:
        value += now_ms
        if value > INT64_MAX:  # Redis sees the int64 wrap around to a negative time
            raise CommandError(errors.INVALID_EXPIRE.format(name))
    return value


def _set_generic(
    c: Client,
    name: str,
    key: bytes,
    value: bytes,
    flags: int,
    expire: bytes | None,
    ok_reply: object,
    abort_reply: object,
) -> object:
    """Redis's setGenericCommand: validate the expiry, GET the old value, honour NX/XX, store."""
    when = expire_at_ms(expire, flags, c.keyspace.now_ms, name) if expire is not None else None
    db = c.db
    old = None
    if flags & GET:
        old = db.lookup_typed(key, bytes)
        found = old is not None
    else:
        found = db.peek(key) is not None
    if (flags & NX and found) or (flags & XX and not found):
        return old if flags & GET else abort_reply
    db.set(key, value, keep_ttl=bool(flags & KEEPTTL))
    notify(c, STRING, b"set", key, db.id)
    if when is not None:
        db.set_expire(key, when)
        notify(c, GENERIC, b"expire", key, db.id)
    return old if flags & GET else ok_reply


# ---- GET / SET family ---------------------------------------------------------------------------
@command(
    "get",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@read @string @fast",
    summary="Get the value of a key",
    complexity="O(1)",
    syntax="key",
)
def get(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup(argv[1])  # lookup_typed(argv[1], bytes), one call less on the hot path
    if value is not None and type(value) is not bytes:
        raise CommandError(errors.WRONGTYPE)
    return value


@command(
    "set",
    -3,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@write @string @slow",
    summary="Set the string value of a key",
    complexity="O(1)",
    syntax="key value [NX|XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
    "PXAT unix-time-milliseconds | KEEPTTL]",
)
def set_(c: Client, argv: list[bytes]) -> object:
    if len(argv) == 3:  # the hot path: no options to parse
        c.db.set(argv[1], argv[2])
        if c.keyspace.notify_flags:
            notify(c, STRING, b"set", argv[1], c.db.id)
        return OK
    flags, expire = parse_expiry_options(argv, 3, for_set=True)
    return _set_generic(c, "set", argv[1], argv[2], flags, expire, OK, None)


@command(
    "setnx",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@write @string @fast",
    summary="Set the value of a key, only if the key does not exist",
    complexity="O(1)",
    syntax="key value",
)
def setnx(c: Client, argv: list[bytes]) -> object:
    return _set_generic(c, "setnx", argv[1], argv[2], NX, None, 1, 0)


@command(
    "setex",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    since="2.0.0",
    acl="@write @string @slow",
    summary="Set the value and expiration of a key",
    complexity="O(1)",
    syntax="key seconds value",
)
def setex(c: Client, argv: list[bytes]) -> object:
    return _set_generic(c, "setex", argv[1], argv[3], EX, argv[2], OK, None)


@command(
    "psetex",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    since="2.6.0",
    acl="@write @string @slow",
    summary="Set the value and expiration in milliseconds of a key",
    complexity="O(1)",
    syntax="key milliseconds value",
)
def psetex(c: Client, argv: list[bytes]) -> object:
    return _set_generic(c, "psetex", argv[1], argv[3], PX, argv[2], OK, None)


@command(
    "getset",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@write @string @fast",
    summary="Set the string value of a key and return its old value",
    complexity="O(1)",
    syntax="key value",
)
def getset(c: Client, argv: list[bytes]) -> object:
    old = c.db.lookup_typed(argv[1], bytes)
    c.db.set(argv[1], argv[2])
    notify(c, STRING, b"set", argv[1], c.db.id)
    return old


@command(
    "getdel",
    2,
    "write fast",
    keys=(1, 1, 1),
    group="string",
    since="6.2.0",
    acl="@write @string @fast",
    summary="Get the value of a key and delete the key",
    complexity="O(1)",
    syntax="key",
)
def getdel(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], bytes)
    if value is not None:
        c.db.delete(argv[1])
        notify(c, GENERIC, b"del", argv[1], c.db.id)
    return value


@command(
    "getex",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="string",
    since="6.2.0",
    acl="@write @string @fast",
    summary="Get the value of a key and optionally set its expiration",
    complexity="O(1)",
    syntax="key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]",
)
def getex(c: Client, argv: list[bytes]) -> object:
    flags, expire = parse_expiry_options(argv, 2, for_set=False)
    db, key = c.db, argv[1]
    value = db.lookup_typed(key, bytes)
    if value is None:
        return None
    now = c.keyspace.now_ms
    if expire is not None:
        when = expire_at_ms(expire, flags, now, "getex")
        if flags & (EXAT | PXAT) and when <= now:
            db.delete(key)  # an absolute time already past deletes the key at once
            notify(c, GENERIC, b"del", key, db.id)
        else:
            db.set_expire(key, when)
            db.modified(key)  # signalModifiedKey: a WATCH on the key fails
            notify(c, GENERIC, b"expire", key, db.id)
    elif flags & PERSIST and db.persist(key):
        db.modified(key)
        notify(c, GENERIC, b"persist", key, db.id)
    return value


@command(
    "mget",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    group="string",
    since="1.0.0",
    acl="@read @string @fast",
    summary="Get the values of all the given keys",
    complexity="O(N) where N is the number of keys to retrieve.",
    syntax="key [key ...]",
)
def mget(c: Client, argv: list[bytes]) -> object:
    lookup = c.db.lookup
    values = []
    for key in argv[1:]:
        value = lookup(key)
        values.append(value if type(value) is bytes else None)
    return values


def _check_pairs(argv: list[bytes], name: str) -> None:
    if len(argv) % 2 == 0:
        raise CommandError(errors.WRONG_ARGS.format(name))


@command(
    "mset",
    -3,
    "write denyoom",
    keys=(1, -1, 2),
    group="string",
    since="1.0.1",
    acl="@write @string @slow",
    summary="Set multiple keys to multiple values",
    complexity="O(N) where N is the number of keys to set.",
    syntax="key value [key value ...]",
)
def mset(c: Client, argv: list[bytes]) -> object:
    _check_pairs(argv, "mset")
    db = c.db
    if c.keyspace.notify_flags:  # each pair's events (`new`, `set`) in turn, as Redis sends them
        for i in range(1, len(argv), 2):
            db.set(argv[i], argv[i + 1])
            notify(c, STRING, b"set", argv[i], db.id)
    else:
        db.set_strings(argv)
    return OK


@command(
    "msetnx",
    -3,
    "write denyoom",
    keys=(1, -1, 2),
    group="string",
    since="1.0.1",
    acl="@write @string @slow",
    summary="Set multiple keys to multiple values, only if none of the keys exist",
    complexity="O(N) where N is the number of keys to set.",
    syntax="key value [key value ...]",
)
def msetnx(c: Client, argv: list[bytes]) -> object:
    _check_pairs(argv, "msetnx")
    db = c.db
    if any(db.peek(argv[i]) is not None for i in range(1, len(argv), 2)):
        return 0
    for i in range(1, len(argv), 2):
        db.set(argv[i], argv[i + 1])
        notify(c, STRING, b"set", argv[i], db.id)
    return 1


# ---- APPEND, STRLEN, ranges ---------------------------------------------------------------------
def check_string_length(c: Client, size: int, append: int) -> None:
    """Redis's checkStringLength: a string may not grow past proto-max-bulk-len."""
    if size + append > c.server.config["proto-max-bulk-len"]:
        raise CommandError(errors.STRING_TOO_LONG)


def _write_string(c: Client, key: bytes) -> bytes | None:
    """The string at `key` for a read-modify-write (no hit/miss counted); WRONGTYPE otherwise."""
    return c.db.lookup_typed(key, bytes, write=True)  # type: ignore[no-any-return]


@command(
    "append",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="2.0.0",
    acl="@write @string @fast",
    summary="Append a value to a key",
    complexity="O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
    "already present value is of any size, since the dynamic string library used by Redis will double the "
    "free space available on every reallocation.",
    syntax="key value",
)
def append(c: Client, argv: list[bytes]) -> object:
    key, tail = argv[1], argv[2]
    old = _write_string(c, key)
    if old is None:
        c.db.set(key, tail)
        notify(c, STRING, b"append", key, c.db.id)
        return len(tail)
    check_string_length(c, len(old), len(tail))
    value = old + tail
    c.db.set(key, value, keep_ttl=True)
    notify(c, STRING, b"append", key, c.db.id)
    return len(value)


@command(
    "strlen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="string",
    since="2.2.0",
    acl="@read @string @fast",
    summary="Get the length of the value stored in a key",
    complexity="O(1)",
    syntax="key",
)
def strlen(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup_typed(argv[1], bytes)
    return 0 if value is None else len(value)


def string_range(length: int, start: int, end: int) -> tuple[int, int] | None:
    """GETRANGE's inclusive byte range [start, end] clamped to a string of `length`; None if empty."""
    if start < 0 and end < 0 and start > end:
        return None
    if start < 0:
        start = max(length + start, 0)
    if end < 0:
        end = max(length + end, 0)
    end = min(end, length - 1)
    if start > end or length == 0:
        return None
    return start, end


def _getrange(c: Client, argv: list[bytes]) -> object:
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    value = c.db.lookup_typed(argv[1], bytes)
    if value is None:
        return b""
    bounds = string_range(len(value), start, end)
    return b"" if bounds is None else value[bounds[0] : bounds[1] + 1]


_GETRANGE_COMPLEXITY: Final = (
    "O(N) where N is the length of the returned string. The complexity is ultimately determined by the "
    "returned length, but because creating a substring from an existing string is very cheap, it can be "
    "considered O(1) for small strings."
)


@command(
    "getrange",
    4,
    "readonly",
    keys=(1, 1, 1),
    group="string",
    since="2.4.0",
    acl="@read @string @slow",
    summary="Get a substring of the string stored at a key",
    complexity=_GETRANGE_COMPLEXITY,
    syntax="key start end",
)
def getrange(c: Client, argv: list[bytes]) -> object:
    return _getrange(c, argv)


@command(
    "substr",
    4,
    "readonly",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@read @string @slow",
    summary="Get a substring of the string stored at a key",
    complexity=_GETRANGE_COMPLEXITY,
    syntax="key start end",
)
def substr(c: Client, argv: list[bytes]) -> object:
    return _getrange(c, argv)


@command(
    "setrange",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    since="2.2.0",
    acl="@write @string @slow",
    summary="Overwrite part of a string at key starting at the specified offset",
    complexity="O(1), not counting the time taken to copy the new string in place. Usually, this string is "
    "very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length "
    "of the value argument.",
    syntax="key offset value",
)
def setrange(c: Client, argv: list[bytes]) -> object:
    key, patch = argv[1], argv[3]
    offset = parse_int(argv[2])
    if offset < 0:
        raise CommandError(errors.OFFSET_OUT_OF_RANGE)
    old = _write_string(c, key)
    if not patch:  # writing nothing creates nothing and changes nothing
        return 0 if old is None else len(old)
    check_string_length(c, offset, len(patch))
    old = old or b""
    if len(old) < offset:
        old += bytes(offset - len(old))
    value = old[:offset] + patch + old[offset + len(patch) :]
    c.db.set(key, value, keep_ttl=True)
    notify(c, STRING, b"setrange", key, c.db.id)
    return len(value)


# ---- counters -----------------------------------------------------------------------------------
def _incr_by(c: Client, key: bytes, delta: int) -> int:
    """Redis's incrDecrCommand: add `delta` to the int64 at `key` (0 when missing)."""
    db = c.db
    old = db.data.get(key)  # peek() inlined
    if old is not None and db.expires and db._expire_if_needed(key):
        old = None
    if old is None:
        current = 0
    elif type(old) is not bytes:
        raise CommandError(errors.WRONGTYPE)
    else:
        parsed = to_int(old)
        if parsed is None:
            raise CommandError(errors.NOT_INTEGER)
        current = parsed
    value = current + delta
    if value > INT64_MAX or value < INT64_MIN:
        raise CommandError(errors.OVERFLOW)
    if old is None:
        db.set(key, b"%d" % value)
    else:
        db.replace_string(key, old, b"%d" % value)
    if c.keyspace.notify_flags:
        notify(c, STRING, b"incrby", key, db.id)
    return value


@command(
    "incr",
    2,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@write @string @fast",
    summary="Increment the integer value of a key by one",
    complexity="O(1)",
    syntax="key",
)
def incr(c: Client, argv: list[bytes]) -> object:
    return _incr_by(c, argv[1], 1)


@command(
    "decr",
    2,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@write @string @fast",
    summary="Decrement the integer value of a key by one",
    complexity="O(1)",
    syntax="key",
)
def decr(c: Client, argv: list[bytes]) -> object:
    return _incr_by(c, argv[1], -1)


@command(
    "incrby",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@write @string @fast",
    summary="Increment the integer value of a key by the given amount",
    complexity="O(1)",
    syntax="key increment",
)
def incrby(c: Client, argv: list[bytes]) -> object:
    return _incr_by(c, argv[1], parse_int(argv[2]))


@command(
    "decrby",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="1.0.0",
    acl="@write @string @fast",
    summary="Decrement the integer value of a key by the given number",
    complexity="O(1)",
    syntax="key decrement",
)
def decrby(c: Client, argv: list[bytes]) -> object:
    delta = parse_int(argv[2])
    if delta == INT64_MIN:  # its negation is not an int64
        raise CommandError(errors.DECREMENT_OVERFLOW)
    return _incr_by(c, argv[1], -delta)


@command(
    "incrbyfloat",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="2.6.0",
    acl="@write @string @fast",
    summary="Increment the float value of a key by the given amount",
    complexity="O(1)",
    syntax="key increment",
)
def incrbyfloat(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    old = _write_string(c, key)
    current = Fraction(0) if old is None else longdouble.parse(old)
    if current is None:
        raise CommandError(errors.NOT_FLOAT)
    increment = longdouble.parse(argv[2])
    if increment is None:
        raise CommandError(errors.NOT_FLOAT)
    total = longdouble.add(current, increment)
    if total is None:
        raise CommandError(errors.INCR_NAN_OR_INF)
    value = longdouble.format_human(total)
    c.db.set(key, value, keep_ttl=True)
    notify(c, STRING, b"incrbyfloat", key, c.db.id)
    return value


# ---- LCS ----------------------------------------------------------------------------------------
def lcs_rows(a: bytes, b: bytes) -> list[int]:
    """The LCS table of `a` and `b`, one bit vector per prefix of `a` (Hyyro's bit-parallel LCS).

    Bit j of row i is clear exactly when LCS(a[:i], b[:j+1]) = LCS(a[:i], b[:j]) + 1, so
    LCS(a[:i], b[:j]) is j minus the set bits of row i below j (see `lcs_at`). Each row costs a
    few big-integer operations instead of len(b) Python steps.
    """
    width = len(b)
    full = (1 << width) - 1
    masks: dict[int, int] = {}
    for byte in set(b):
        table = bytes(49 if x == byte else 48 for x in range(256))  # "1" where b has `byte`
        masks[byte] = int(b.translate(table)[::-1], 2)
    row = full
    rows = [row]
    for byte in a:
        match = row & masks.get(byte, 0)
        row = ((row + match) | (row - match)) & full
        rows.append(row)
    return rows


def lcs_at(rows: list[int], i: int, j: int) -> int:
    """LCS(a[:i], b[:j]) from `lcs_rows`."""
    return j - (rows[i] & ((1 << j) - 1)).bit_count()


def lcs_matches(a: bytes, b: bytes, rows: list[int]) -> tuple[bytes, list[tuple[int, int, int, int]]]:
    """The LCS string and its matching ranges (a_start, a_end, b_start, b_end), last ones first.

    Walks the table back from the end as Redis does (on a tie it drops a byte of `b`), so the
    string and the ranges it reports are the ones Redis reports.
    """
    i, j = len(a), len(b)
    picked = bytearray()
    ranges: list[tuple[int, int, int, int]] = []
    current: list[int] | None = None  # [a_start, a_end, b_start, b_end] of the range being grown
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            picked.append(a[i - 1])
            i -= 1
            j -= 1
            if current is not None and current[0] == i + 1 and current[2] == j + 1:
                current[0], current[2] = i, j
            else:
                if current is not None:
                    ranges.append((current[0], current[1], current[2], current[3]))
                current = [i, i, j, j]
            if i == 0 or j == 0:
                ranges.append((current[0], current[1], current[2], current[3]))
                current = None
        else:
            if lcs_at(rows, i - 1, j) > lcs_at(rows, i, j - 1):
                i -= 1
            else:
                j -= 1
            if current is not None:
                ranges.append((current[0], current[1], current[2], current[3]))
                current = None
    picked.reverse()
    return bytes(picked), ranges


@command(
    "lcs",
    -3,
    "readonly",
    keys=(1, 2, 1),
    group="string",
    since="7.0.0",
    acl="@read @string @slow",
    summary="Find longest common substring",
    complexity="O(N*M) where N and M are the lengths of s1 and s2, respectively",
    syntax="key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]",
)
def lcs(c: Client, argv: list[bytes]) -> object:
    db = c.db
    first, second = db.lookup(argv[1]), db.lookup(argv[2])
    if (first is not None and type(first) is not bytes) or (second is not None and type(second) is not bytes):
        raise CommandError(errors.LCS_NOT_STRINGS)
    a: bytes = first or b""
    b: bytes = second or b""
    want_len = want_idx = with_match_len = False
    min_match_len = 0
    j = 3
    while j < len(argv):
        opt = option_name(argv[j])
        if opt == b"IDX":
            want_idx = True
        elif opt == b"LEN":
            want_len = True
        elif opt == b"WITHMATCHLEN":
            with_match_len = True
        elif opt == b"MINMATCHLEN" and j + 1 < len(argv):
            min_match_len = max(parse_int(argv[j + 1]), 0)
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    if want_idx and want_len:
        raise CommandError(errors.LCS_LEN_AND_IDX)
    # Redis refuses when its (len(a)+1) x (len(b)+1) table of uint32 would exceed the limit.
    if (len(a) + 1) * (len(b) + 1) * 4 > c.server.config["proto-max-bulk-len"]:
        raise CommandError(errors.LCS_TOO_MUCH_MEMORY)
    rows = lcs_rows(a, b)
    if want_len:
        return lcs_at(rows, len(a), len(b))
    common, ranges = lcs_matches(a, b, rows)
    if not want_idx:
        return common
    matches: list[list[object]] = []
    for a_start, a_end, b_start, b_end in ranges:
        length = a_end - a_start + 1
        if min_match_len and length < min_match_len:
            continue
        entry: list[object] = [[a_start, a_end], [b_start, b_end]]
        if with_match_len:
            entry.append(length)
        matches.append(entry)
    return MapReply({b"matches": matches, b"len": len(common)})
