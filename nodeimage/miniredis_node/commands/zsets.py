"""Sorted-set commands: ZADD and friends, the ranges (by rank, score and lex), the pops (blocking
ones included), ZRANDMEMBER, the set algebra (ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD) and ZSCAN.

A sorted set is a `datatypes.ZSetValue`; range arithmetic and set algebra live there as pure
functions. This module parses arguments in Redis's order (so the same bad input gets the same
error), touches the keyspace through `c.db`, and shapes replies: RESP3 clients get scores as
doubles and WITHSCORES pairs as nested arrays, RESP2 clients flat arrays of bulk strings.

Redis reads scores with `strtod`, which accepts more than `float()` and less than it in places
(hexadecimal floats, but no overflow), so `strtod` below emulates glibc's.

Blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP) serve at once when they can, answer as if timed out
inside MULTI/EXEC, and otherwise park the client with a `_PopWaiter` that the server calls back
(`serve`) whenever a write makes one of its keys ready.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any, Final

from miniredis_node import errors
from miniredis_node import notify as keyspace_events
from miniredis_node.args import INT64_MAX, INT64_MIN, parse_int, parse_timeout, to_int
from miniredis_node.client import Client
from miniredis_node.datatypes import SetValue, ZSetValue
from miniredis_node.datatypes.zset import (
    LexRange,
    ScoreRange,
    Source,
    difference,
    intersection,
    intersection_size,
    union,
)
from miniredis_node.dispatch import NO_REPLY
from miniredis_node.errors import CommandError
from miniredis_node.notify import GENERIC, ZSET, notify
from miniredis_node.protocol import NULL_ARRAY, format_double
from miniredis_node.scanning import fits_listpack, scan_command
from miniredis_node.table import command

if TYPE_CHECKING:
    import asyncio

    from miniredis_node.keyspace import Database

Pair = tuple[float, bytes]  # (score, member), the order of ZSetValue.ordered

# ---- reading numbers as Redis does ---------------------------------------------------------------
# glibc strtod: optional sign, then infinity, NaN, a hexadecimal float or a decimal one.
_STRTOD: Final = re.compile(
    rb"([+-]?)(?:(inf(?:inity)?)|(nan(?:\([0-9a-z_]*\))?)"
    rb"|0x((?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?)"
    rb"|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?))",
    re.IGNORECASE,
)
_NONZERO_DIGIT: Final = re.compile(rb"[1-9a-f]", re.IGNORECASE)
_SPACE: Final = b" \t\n\r\v\f"
NAN: Final = float("nan")
INF: Final = float("inf")


def strtod(text: bytes) -> tuple[float, int, bool]:
    """glibc's strtod on `text`: (value, bytes consumed, ERANGE set).

    Leading white space is skipped; nothing convertible consumes nothing. ERANGE flags an
    overflow (the value is then +-inf) or an underflow (a non-zero number that became tiny).
    """
    start = len(text) - len(text.lstrip(_SPACE))
    match = _STRTOD.match(text, start)
    if match is None:
        return 0.0, 0, False
    sign, infinity, nan, hexadecimal, decimal = match.groups()
    negative = sign == b"-"
    erange = False
    if infinity is not None:
        value = INF
    elif nan is not None:
        value = NAN
    elif hexadecimal is not None:
        mantissa = re.split(rb"[pP]", hexadecimal)[0]
        try:
            value = float.fromhex(hexadecimal.decode())
        except OverflowError:
            value, erange = INF, True
        erange = erange or (value == 0 and _NONZERO_DIGIT.search(mantissa) is not None)
    else:
        mantissa = re.split(rb"[eE]", decimal)[0]
        value = float(decimal)
        erange = value == INF or (value == 0 and _NONZERO_DIGIT.search(mantissa) is not None)
    return (-value if negative else value), match.end(), erange


def parse_score(raw: bytes, message: str = errors.NOT_FLOAT) -> float:
    """Redis's getDoubleFromObject: strtod over the whole argument, no leading space, no NaN,
    no overflow or underflow to zero."""
    if raw.isdigit() and len(raw) < 300:  # the common case, "1" or "100"
        return float(raw)
    if not raw or raw[0] in _SPACE:
        raise CommandError(message)
    value, end, erange = strtod(raw)
    if end != len(raw) or erange or value != value:
        raise CommandError(message)
    return value


def _score_bound(raw: bytes) -> tuple[float, bool] | None:
    """One end of a score range, as zslParseRange reads it: `(` makes it exclusive; strtod must
    reach the end of the string (a NUL byte ends it, and an empty string reads as 0)."""
    exclusive = raw[:1] == b"("
    text = raw[1:] if exclusive else raw
    nul = text.find(b"\0")
    if nul >= 0:
        text = text[:nul]
    value, end, _ = strtod(text)
    if end != len(text) or value != value:
        return None
    return value, exclusive


def parse_score_range(low: bytes, high: bytes) -> ScoreRange:
    first, second = _score_bound(low), _score_bound(high)
    if first is None or second is None:
        raise CommandError(errors.MIN_MAX_NOT_FLOAT)
    return ScoreRange(first[0], second[0], first[1], second[1])


def parse_lex_range(low: bytes, high: bytes) -> LexRange:
    """`[a`, `(a`, `-` or `+` at each end (zslParseLexRangeItem; `+`/`-` alone, C-string-wise)."""
    low_member, low_ex, low_sentinel = _lex_item(low)
    high_member, high_ex, high_sentinel = _lex_item(high)
    # `-` as the minimum and `+` as the maximum are no bound at all; `+` as the minimum or `-`
    # as the maximum leave nothing in range.
    return LexRange(
        low_member, high_member, low_ex, high_ex, min_is_plus=low_sentinel == b"+", max_is_minus=high_sentinel == b"-"
    )


def _lex_item(raw: bytes) -> tuple[bytes | None, bool, bytes]:
    """(member or None for a sentinel, exclusive, the sentinel `+`/`-` or b"")."""
    head = raw[:1]
    if head in (b"+", b"-") and raw[1:2] in (b"", b"\0"):
        return None, True, head
    if head == b"(":
        return raw[1:], True, b""
    if head == b"[":
        return raw[1:], False, b""
    raise CommandError(errors.MIN_MAX_NOT_STRING_RANGE)


def _range_long(raw: bytes, message: str, minimum: int) -> int:
    """getRangeLongFromObjectOrReply with a message: an integer >= minimum, else `message`."""
    value = to_int(raw)
    if value is None or value < minimum:
        raise CommandError(message)
    return value


# ---- replies --------------------------------------------------------------------------------------
def pairs_reply(c: Client, pairs: list[Pair], withscores: bool) -> list[Any]:
    """Members, or with scores: a flat member, score list in RESP2, [member, score] pairs in RESP3."""
    if not withscores:
        return [member for _, member in pairs]
    if c.resp == 2:
        flat: list[Any] = []
        for score, member in pairs:
            flat.append(member)
            flat.append(score)
        return flat
    return [[member, score] for score, member in pairs]


def _zset(c: Client, key: bytes, *, write: bool = False) -> ZSetValue | None:
    value: ZSetValue | None = c.db.lookup_typed(key, ZSetValue, write=write)
    return value


def _listpack_limits(c: Client) -> tuple[int, int]:
    config = c.server.config
    return config["zset-max-listpack-entries"], config["zset-max-listpack-value"]


def _store(c: Client, destination: bytes, zset: ZSetValue) -> int:
    """Write a computed set to `destination` (deleting it when empty); the reply is its size."""
    if not zset:
        if c.db.delete(destination):
            notify(c, GENERIC, b"del", destination, c.db.id)
        return 0
    zset.settle(*_listpack_limits(c))
    c.db.set(destination, zset)
    notify(c, ZSET, c.last_command.encode(), destination, c.db.id)  # zunionstore, zinterstore...
    return len(zset)


# ---- ZADD / ZINCRBY -------------------------------------------------------------------------------
_ZADD_FLAGS: Final = frozenset({b"nx", b"xx", b"ch", b"incr", b"gt", b"lt"})


def _zadd(c: Client, key: bytes, flags: set[bytes], scores: list[float], members: list[bytes]) -> object:
    """zaddGenericCommand once arguments are parsed: add, update or increment, then reply."""
    nx, xx, gt, lt, incr = b"nx" in flags, b"xx" in flags, b"gt" in flags, b"lt" in flags, b"incr" in flags
    db = c.db
    zset = _zset(c, key, write=True)
    created = zset is None
    if zset is None:
        if xx:
            return None if incr else 0
        zset = ZSetValue()
    added = updated = processed = 0
    result = 0.0
    current_scores = zset.scores
    max_entries, max_value = _listpack_limits(c)
    for score, member in zip(scores, members):
        current = current_scores.get(member)
        if current is not None:
            if nx:
                continue
            if incr:
                score += current
                if score != score:
                    raise CommandError(errors.SCORE_NAN)
            if (lt and score >= current) or (gt and score <= current):
                continue
            if score != current:
                zset.admit(member, new=False, max_entries=max_entries, max_value=max_value)
                zset.add(member, zset.stored(score))
                updated += 1
        elif xx:
            continue
        else:
            zset.admit(member, new=True, max_entries=max_entries, max_value=max_value)
            zset.add(member, zset.stored(score))
            added += 1
        processed += 1
        result = score
    if created:
        if zset:
            db.set(key, zset)
    elif added or updated:
        db.modified(key)
    if (added or updated) and keyspace_events.flags:
        notify(c, ZSET, b"zincr" if incr else b"zadd", key, db.id)
    if incr:
        return result if processed else None
    return added + updated if b"ch" in flags else added


@command(
    "zadd",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Add one or more members to a sorted set, or update its score if it already exists",
    complexity="O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    syntax="key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]",
    acl="@write @sortedset @fast",
)
def zadd(c: Client, argv: list[bytes]) -> object:
    flags: set[bytes] = set()
    at = 2
    while at < len(argv) and (option := argv[at].lower()) in _ZADD_FLAGS:
        flags.add(option)
        at += 1
    elements = len(argv) - at
    if elements % 2 or not elements:
        raise CommandError(errors.SYNTAX)
    if b"nx" in flags and b"xx" in flags:
        raise CommandError(errors.ZADD_NX_XX)
    if len(flags & {b"nx", b"gt", b"lt"}) > 1:
        raise CommandError(errors.ZADD_GT_LT_NX)
    if b"incr" in flags and elements > 2:
        raise CommandError(errors.ZADD_INCR_PAIR)
    scores = [parse_score(raw) for raw in argv[at::2]]
    return _zadd(c, argv[1], flags, scores, argv[at + 1 :: 2])


@command(
    "zincrby",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Increment the score of a member in a sorted set",
    complexity="O(log(N)) where N is the number of elements in the sorted set.",
    syntax="key increment member",
    acl="@write @sortedset @fast",
)
def zincrby(c: Client, argv: list[bytes]) -> object:
    return _zadd(c, argv[1], {b"incr"}, [parse_score(argv[2])], [argv[3]])


# ---- single members -------------------------------------------------------------------------------
@command(
    "zrem",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Remove one or more members from a sorted set",
    complexity="O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
    "elements to be removed.",
    syntax="key member [member ...]",
    acl="@write @sortedset @fast",
)
def zrem(c: Client, argv: list[bytes]) -> object:
    zset = _zset(c, argv[1], write=True)
    if zset is None:
        return 0
    removed = sum(zset.discard(member) for member in argv[2:])
    if removed:
        c.db.modified(argv[1])
        notify(c, ZSET, b"zrem", argv[1], c.db.id)
        if not zset:
            notify(c, GENERIC, b"del", argv[1], c.db.id)
    return removed


@command(
    "zscore",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Get the score associated with the given member in a sorted set",
    complexity="O(1)",
    syntax="key member",
    acl="@read @sortedset @fast",
)
def zscore(c: Client, argv: list[bytes]) -> object:
    zset = _zset(c, argv[1])
    return None if zset is None else zset.scores.get(argv[2])


@command(
    "zmscore",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="6.2.0",
    summary="Get the score associated with the given members in a sorted set",
    complexity="O(N) where N is the number of members being requested.",
    syntax="key member [member ...]",
    acl="@read @sortedset @fast",
)
def zmscore(c: Client, argv: list[bytes]) -> object:
    zset = _zset(c, argv[1])
    scores = {} if zset is None else zset.scores
    return [scores.get(member) for member in argv[2:]]


@command(
    "zcard",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Get the number of members in a sorted set",
    complexity="O(1)",
    syntax="key",
    acl="@read @sortedset @fast",
)
def zcard(c: Client, argv: list[bytes]) -> object:
    zset = _zset(c, argv[1])
    return 0 if zset is None else len(zset)


@command(
    "zrank",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    summary="Determine the index of a member in a sorted set",
    complexity="O(log(N))",
    syntax="key member",
    acl="@read @sortedset @fast",
)
def zrank(c: Client, argv: list[bytes]) -> object:
    zset = _zset(c, argv[1])
    return None if zset is None else zset.rank(argv[2])


@command(
    "zrevrank",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    summary="Determine the index of a member in a sorted set, with scores ordered from high to low",
    complexity="O(log(N))",
    syntax="key member",
    acl="@read @sortedset @fast",
)
def zrevrank(c: Client, argv: list[bytes]) -> object:
    zset = _zset(c, argv[1])
    rank = None if zset is None else zset.rank(argv[2])
    return None if rank is None or zset is None else len(zset) - 1 - rank


# ---- counting ranges ------------------------------------------------------------------------------
@command(
    "zcount",
    4,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    summary="Count the members in a sorted set with scores within the given values",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
    syntax="key min max",
    acl="@read @sortedset @fast",
)
def zcount(c: Client, argv: list[bytes]) -> object:
    rng = parse_score_range(argv[2], argv[3])
    zset = _zset(c, argv[1])
    if zset is None:
        return 0
    start, end = zset.score_bounds(rng)
    return end - start


@command(
    "zlexcount",
    4,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.9",
    summary="Count the number of members in a sorted set between a given lexicographical range",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
    syntax="key min max",
    acl="@read @sortedset @fast",
)
def zlexcount(c: Client, argv: list[bytes]) -> object:
    rng = parse_lex_range(argv[2], argv[3])
    zset = _zset(c, argv[1])
    if zset is None:
        return 0
    start, end = zset.lex_bounds(rng)
    return end - start


# ---- ZRANGE and its older forms -------------------------------------------------------------------
RANK, SCORE, LEX = "rank", "score", "lex"


def _limited(start: int, end: int, offset: int, limit: int, reverse: bool) -> tuple[int, int]:
    """Apply LIMIT offset count to positions [start, end), counted from the end in `reverse`.

    As in Redis, a negative offset skips everything and a negative count means no limit.
    """
    if offset < 0:
        return 0, 0
    if reverse:
        end -= offset
        if limit >= 0:
            start = max(start, end - limit)
    else:
        start += offset
        if limit >= 0:
            end = min(end, start + limit)
    return (start, end) if start < end else (0, 0)


def _zrange(
    c: Client,
    argv: list[bytes],
    at: int,
    *,
    store: bytes | None = None,
    kind: str | None = None,
    reverse: bool | None = None,
) -> object:
    """zrangeGenericCommand: argv[at] is the source key, then min, max, then options.

    `kind` and `reverse` are fixed by the legacy commands (ZRANGEBYSCORE...), which then refuse
    BYSCORE/BYLEX/REV as syntax errors; ZRANGE and ZRANGESTORE leave them open.
    """
    withscores = False
    offset, limit = 0, -1
    j = at + 3
    argc = len(argv)
    while j < argc:
        option = argv[j].lower()
        if store is None and option == b"withscores":
            withscores = True
        elif option == b"limit" and argc - j - 1 >= 2:
            offset = parse_int(argv[j + 1])
            limit = parse_int(argv[j + 2])
            j += 2
        elif reverse is None and option == b"rev":
            reverse = True
        elif kind is None and option == b"bylex":
            kind = LEX
        elif kind is None and option == b"byscore":
            kind = SCORE
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    reverse = bool(reverse)
    kind = kind or RANK
    if limit != -1 and kind == RANK:
        raise CommandError(errors.ZRANGE_LIMIT_WITHOUT_BY)
    if withscores and kind == LEX:
        raise CommandError(errors.ZRANGE_WITHSCORES_BYLEX)
    low, high = argv[at + 1], argv[at + 2]
    if reverse and kind != RANK:  # the range is given as max, min
        low, high = high, low
    score_range: ScoreRange | None = None
    lex_range: LexRange | None = None
    first = last = 0
    if kind == RANK:
        first, last = parse_int(low), parse_int(high)
    elif kind == SCORE:
        score_range = parse_score_range(low, high)
    else:
        lex_range = parse_lex_range(low, high)
    zset = _zset(c, argv[at], write=store is not None)
    pairs: list[Pair] = []
    if zset is not None:
        if score_range is not None:
            start, end = _limited(*zset.score_bounds(score_range), offset, limit, reverse)
        elif lex_range is not None:
            start, end = _limited(*zset.lex_bounds(lex_range, reverse=reverse), offset, limit, reverse)
        else:
            start, end = zset.rank_bounds(first, last)
            if reverse:
                start, end = len(zset) - end, len(zset) - start
        pairs = zset.slice(start, end, reverse=reverse)
    if store is not None:
        return _store_range(c, store, pairs, known_length=kind == RANK)
    return pairs_reply(c, pairs, withscores)


def _store_range(c: Client, destination: bytes, pairs: list[Pair], *, known_length: bool) -> int:
    """ZRANGESTORE's write. Redis inserts the range one element at a time into a new set that
    starts as a listpack unless the length is known to be too large (a rank range); which
    scores went through the listpack decides which -0 scores read back as 0."""
    if not pairs:
        if c.db.delete(destination):
            notify(c, GENERIC, b"del", destination, c.db.id)
        return 0
    max_entries, max_value = _listpack_limits(c)
    zset = ZSetValue()
    zset.skiplist = known_length and len(pairs) > max_entries
    for score, member in pairs:
        zset.admit(member, new=True, max_entries=max_entries, max_value=max_value)
        zset.add(member, zset.stored(score))
    c.db.set(destination, zset)
    notify(c, ZSET, b"zrangestore", destination, c.db.id)
    return len(zset)


@command(
    "zrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Return a range of members in a sorted set",
    complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements returned.",
    syntax="key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
    acl="@read @sortedset @slow",
)
def zrange(c: Client, argv: list[bytes]) -> object:
    return _zrange(c, argv, 1)


@command(
    "zrangestore",
    -5,
    "write denyoom",
    keys=(1, 2, 1),
    group="sorted-set",
    since="6.2.0",
    summary="Store a range of members from sorted set into another key",
    complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements stored into the destination key.",
    syntax="dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]",
    acl="@write @sortedset @slow",
)
def zrangestore(c: Client, argv: list[bytes]) -> object:
    return _zrange(c, argv, 2, store=argv[1])


_BY_SCORE_COMPLEXITY: Final = (
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being "
    "returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider "
    "it O(log(N))."
)


@command(
    "zrangebyscore",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.0.5",
    summary="Return a range of members in a sorted set, by score",
    complexity=_BY_SCORE_COMPLEXITY,
    syntax="key min max [WITHSCORES] [LIMIT offset count]",
    acl="@read @sortedset @slow",
)
def zrangebyscore(c: Client, argv: list[bytes]) -> object:
    return _zrange(c, argv, 1, kind=SCORE, reverse=False)


@command(
    "zrevrangebyscore",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.2.0",
    summary="Return a range of members in a sorted set, by score, with scores ordered from high to low",
    complexity=_BY_SCORE_COMPLEXITY,
    syntax="key max min [WITHSCORES] [LIMIT offset count]",
    acl="@read @sortedset @slow",
)
def zrevrangebyscore(c: Client, argv: list[bytes]) -> object:
    return _zrange(c, argv, 1, kind=SCORE, reverse=True)


@command(
    "zrangebylex",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.9",
    summary="Return a range of members in a sorted set, by lexicographical range",
    complexity=_BY_SCORE_COMPLEXITY,
    syntax="key min max [LIMIT offset count]",
    acl="@read @sortedset @slow",
)
def zrangebylex(c: Client, argv: list[bytes]) -> object:
    return _zrange(c, argv, 1, kind=LEX, reverse=False)


@command(
    "zrevrangebylex",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.9",
    summary="Return a range of members in a sorted set, by lexicographical range, ordered from higher to "
    "lower strings.",
    complexity=_BY_SCORE_COMPLEXITY,
    syntax="key max min [LIMIT offset count]",
    acl="@read @sortedset @slow",
)
def zrevrangebylex(c: Client, argv: list[bytes]) -> object:
    return _zrange(c, argv, 1, kind=LEX, reverse=True)


@command(
    "zrevrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Return a range of members in a sorted set, by index, with scores ordered from high to low",
    complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements returned.",
    syntax="key start stop [WITHSCORES]",
    acl="@read @sortedset @slow",
)
def zrevrange(c: Client, argv: list[bytes]) -> object:
    return _zrange(c, argv, 1, kind=RANK, reverse=True)


# ---- removing ranges ------------------------------------------------------------------------------
_REMRANGE_COMPLEXITY: Final = (
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed "
    "by the operation."
)


def _remove_range(c: Client, key: bytes, bounds: Any) -> int:
    """Delete the positions `bounds(zset)` gives; the reply is how many went."""
    zset = _zset(c, key, write=True)
    if zset is None:
        return 0
    removed = zset.remove_slice(*bounds(zset))
    if removed:
        c.db.modified(key)
        notify(c, ZSET, c.last_command.encode(), key, c.db.id)  # zremrangebyrank, ...byscore...
        if not zset:
            notify(c, GENERIC, b"del", key, c.db.id)
    return removed


@command(
    "zremrangebyrank",
    4,
    "write",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    summary="Remove all members in a sorted set within the given indexes",
    complexity=_REMRANGE_COMPLEXITY,
    syntax="key start stop",
    acl="@write @sortedset @slow",
)
def zremrangebyrank(c: Client, argv: list[bytes]) -> object:
    first, last = parse_int(argv[2]), parse_int(argv[3])
    return _remove_range(c, argv[1], lambda zset: zset.rank_bounds(first, last))


@command(
    "zremrangebyscore",
    4,
    "write",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    summary="Remove all members in a sorted set within the given scores",
    complexity=_REMRANGE_COMPLEXITY,
    syntax="key min max",
    acl="@write @sortedset @slow",
)
def zremrangebyscore(c: Client, argv: list[bytes]) -> object:
    rng = parse_score_range(argv[2], argv[3])
    return _remove_range(c, argv[1], lambda zset: zset.score_bounds(rng))


@command(
    "zremrangebylex",
    4,
    "write",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.9",
    summary="Remove all members in a sorted set between the given lexicographical range",
    complexity=_REMRANGE_COMPLEXITY,
    syntax="key min max",
    acl="@write @sortedset @slow",
)
def zremrangebylex(c: Client, argv: list[bytes]) -> object:
    rng = parse_lex_range(argv[2], argv[3])
    return _remove_range(c, argv[1], lambda zset: zset.lex_bounds(rng))


# ---- pops -----------------------------------------------------------------------------------------
def _pop(db: Database, key: bytes, zset: ZSetValue, highest: bool, count: int) -> list[Pair]:
    """Pop up to `count` pairs from the low or high end; the key goes when emptied."""
    popped = [zset.pop(highest=highest) for _ in range(min(count, len(zset)))]
    db.modified(key)
    if popped and keyspace_events.flags:
        notify(db, ZSET, b"zpopmax" if highest else b"zpopmin", key, db.id)
        if not zset:
            notify(db, GENERIC, b"del", key, db.id)
    return popped


def _first_nonempty(c: Client, keys: list[bytes]) -> tuple[bytes, ZSetValue] | None:
    """The first key holding a sorted set; WRONGTYPE when another type comes before one."""
    for key in keys:
        zset = _zset(c, key, write=True)
        if zset:
            return key, zset
    return None


def _zpop(c: Client, argv: list[bytes], highest: bool) -> object:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    count = None
    if len(argv) == 3:
        count = _range_long(argv[2], errors.VALUE_OUT_OF_RANGE_POSITIVE, 0)
    zset = _zset(c, argv[1], write=True)
    if zset is None or count == 0:
        return []
    popped = _pop(c.db, argv[1], zset, highest, 1 if count is None else count)
    if count is not None and c.resp > 2:  # RESP3 nests pairs only when a count was given
        return [[member, score] for score, member in popped]
    return [item for score, member in popped for item in (member, score)]


_POP_COMPLEXITY: Final = (
    "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."
)


@command(
    "zpopmin",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="5.0.0",
    summary="Remove and return members with the lowest scores in a sorted set",
    complexity=_POP_COMPLEXITY,
    syntax="key [count]",
    acl="@write @sortedset @fast",
)
def zpopmin(c: Client, argv: list[bytes]) -> object:
    return _zpop(c, argv, highest=False)


@command(
    "zpopmax",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="5.0.0",
    summary="Remove and return members with the highest scores in a sorted set",
    complexity=_POP_COMPLEXITY,
    syntax="key [count]",
    acl="@write @sortedset @fast",
)
def zpopmax(c: Client, argv: list[bytes]) -> object:
    return _zpop(c, argv, highest=True)


def _mpop_reply(key: bytes, popped: list[Pair]) -> list[Any]:
    """[Z|BZ]MPOP's [key, [[member, score], ...]] (nested in RESP2 too)."""
    return [key, [[member, score] for score, member in popped]]


def _mpop_args(argv: list[bytes], numkeys_at: int) -> tuple[list[bytes], bool, int]:
    """`numkeys key... MIN|MAX [COUNT count]` from argv[numkeys_at]: keys, highest, count."""
    numkeys = _range_long(argv[numkeys_at], errors.NUMKEYS_ZERO, 1)
    where_at = numkeys_at + numkeys + 1
    if where_at >= len(argv):
        raise CommandError(errors.SYNTAX)
    where = argv[where_at].lower()
    if where not in (b"min", b"max"):
        raise CommandError(errors.SYNTAX)
    count = -1
    j = where_at + 1
    while j < len(argv):
        if count == -1 and argv[j].lower() == b"count" and j + 1 < len(argv):
            count = _range_long(argv[j + 1], errors.COUNT_POSITIVE, 1)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    return argv[numkeys_at + 1 : where_at], where == b"max", max(count, 1)


def _mpop_keys(numkeys_at: int) -> Any:
    """COMMAND GETKEYS for [B]ZMPOP: the numkeys keys after argv[numkeys_at]."""

    def getkeys(argv: list[bytes]) -> list[int]:
        numkeys = to_int(argv[numkeys_at]) if len(argv) > numkeys_at else None
        if numkeys is None or numkeys < 1:
            return []
        return list(range(numkeys_at + 1, min(numkeys_at + 1 + numkeys, len(argv))))

    return getkeys


@command(
    "zmpop",
    -4,
    "write movablekeys",
    group="sorted-set",
    since="7.0.0",
    summary="Remove and return members with scores in a sorted set",
    complexity="O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
    "in the sorted set, and M being the number of elements popped.",
    syntax="numkeys key [key ...] MIN|MAX [COUNT count]",
    acl="@write @sortedset @slow",
    getkeys=_mpop_keys(1),
)
def zmpop(c: Client, argv: list[bytes]) -> object:
    keys, highest, count = _mpop_args(argv, 1)
    found = _first_nonempty(c, keys)
    if found is None:
        return NULL_ARRAY
    key, zset = found
    return _mpop_reply(key, _pop(c.db, key, zset, highest, count))


class _PopWaiter:
    """A client parked by BZPOPMIN/BZPOPMAX (`count` None) or BZMPOP; the server fills `keys`,
    `db` and `timer`."""

    __slots__ = ("highest", "count", "keys", "db", "timer")

    timeout_reply: Final = NULL_ARRAY

    def __init__(self, highest: bool, count: int | None) -> None:
        self.highest = highest
        self.count = count
        self.keys: list[bytes] = []
        self.db: Database | None = None
        self.timer: asyncio.TimerHandle | None = None

    def serve(self, db: Database, key: bytes) -> object:
        """The reply once `key` holds a non-empty sorted set, else None (stay blocked)."""
        zset = db.peek(key)
        if type(zset) is not ZSetValue or not zset:
            return None
        if self.count is None:
            score, member = _pop(db, key, zset, self.highest, 1)[0]
            return [key, member, score]
        return _mpop_reply(key, _pop(db, key, zset, self.highest, self.count))


def _block(c: Client, waiter: _PopWaiter, keys: list[bytes], timeout: float) -> object:
    if c.no_block:  # inside MULTI/EXEC: as if the timeout had passed
        return NULL_ARRAY
    c.server.block(c, waiter, c.db, list(dict.fromkeys(keys)), timeout)
    return NO_REPLY


def _bzpop(c: Client, argv: list[bytes], highest: bool) -> object:
    timeout = parse_timeout(argv[-1], c.keyspace.now_ms)
    keys = argv[1:-1]
    found = _first_nonempty(c, keys)
    if found is not None:
        key, zset = found
        score, member = _pop(c.db, key, zset, highest, 1)[0]
        return [key, member, score]
    return _block(c, _PopWaiter(highest, None), keys, timeout)


@command(
    "bzpopmin",
    -3,
    "write noscript blocking fast",
    keys=(1, -2, 1),
    group="sorted-set",
    since="5.0.0",
    summary="Remove and return the member with the lowest score from one or more sorted sets, or block "
    "until one is available",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
    syntax="key [key ...] timeout",
    acl="@write @sortedset @fast @blocking",
)
def bzpopmin(c: Client, argv: list[bytes]) -> object:
    return _bzpop(c, argv, highest=False)


@command(
    "bzpopmax",
    -3,
    "write noscript blocking fast",
    keys=(1, -2, 1),
    group="sorted-set",
    since="5.0.0",
    summary="Remove and return the member with the highest score from one or more sorted sets, or block "
    "until one is available",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
    syntax="key [key ...] timeout",
    acl="@write @sortedset @fast @blocking",
)
def bzpopmax(c: Client, argv: list[bytes]) -> object:
    return _bzpop(c, argv, highest=True)


@command(
    "bzmpop",
    -5,
    "write blocking movablekeys",
    group="sorted-set",
    since="7.0.0",
    summary="Remove and return members with scores in a sorted set or block until one is available",
    complexity="O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
    "in the sorted set, and M being the number of elements popped.",
    syntax="timeout numkeys key [key ...] MIN|MAX [COUNT count]",
    acl="@write @sortedset @slow @blocking",
    getkeys=_mpop_keys(2),
)
def bzmpop(c: Client, argv: list[bytes]) -> object:
    keys, highest, count = _mpop_args(argv, 2)
    timeout = parse_timeout(argv[1], c.keyspace.now_ms)
    found = _first_nonempty(c, keys)
    if found is not None:
        key, zset = found
        return _mpop_reply(key, _pop(c.db, key, zset, highest, count))
    return _block(c, _PopWaiter(highest, count), keys, timeout)


# ---- ZRANDMEMBER ----------------------------------------------------------------------------------
_HALF_LONG: Final = INT64_MAX // 2


def random_pairs(zset: ZSetValue, count: int) -> list[Pair]:
    """ZRANDMEMBER's choice: with a negative count, -count independent draws; with a count
    covering the set, all of it from the highest score down (as Redis answers); otherwise
    `count` distinct members in random order."""
    ordered = zset.ordered
    size = len(ordered)
    if count < 0:
        return [ordered[random.randrange(size)] for _ in range(-count)]
    if count >= size:
        return list(reversed(ordered))
    return [ordered[i] for i in random.sample(range(size), count)]


@command(
    "zrandmember",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="6.2.0",
    summary="Get one or multiple random elements from a sorted set",
    complexity="O(N) where N is the number of elements returned",
    syntax="key [count [WITHSCORES]]",
    acl="@read @sortedset @slow",
)
def zrandmember(c: Client, argv: list[bytes]) -> object:
    if len(argv) == 2:
        zset = _zset(c, argv[1])
        if zset is None:
            return None
        return zset.ordered[random.randrange(len(zset))][1]
    count = parse_int(argv[2])
    if count == INT64_MIN:
        raise CommandError(errors.VALUE_NOT_IN_LONG_RANGE)
    withscores = False
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withscores"):
        raise CommandError(errors.SYNTAX)
    if len(argv) == 4:
        withscores = True
        if not -_HALF_LONG <= count <= _HALF_LONG:
            raise CommandError(errors.VALUE_OUT_OF_RANGE)
    zset = _zset(c, argv[1])
    if zset is None or count == 0:
        return []
    return pairs_reply(c, random_pairs(zset, count), withscores)


# ---- set algebra ----------------------------------------------------------------------------------
UNION, INTER, DIFF = "union", "inter", "diff"
_AGGREGATES: Final = frozenset({b"sum", b"min", b"max"})


def _setop(
    c: Client,
    argv: list[bytes],
    op: str,
    name: str,
    numkeys_at: int,
    *,
    store: bytes | None = None,
    cardinality: bool = False,
) -> object:
    """zunionInterDiffGenericCommand: inputs, then WEIGHTS/AGGREGATE/WITHSCORES/LIMIT, then the result."""
    setnum = parse_int(argv[numkeys_at])
    if setnum < 1:
        raise CommandError(errors.AT_LEAST_ONE_INPUT_KEY.format(name))
    first = numkeys_at + 1
    if setnum > len(argv) - first:
        raise CommandError(errors.SYNTAX)
    sources: list[Source] = []
    for key in argv[first : first + setnum]:
        value = c.db.peek(key) if store is not None else c.db.lookup(key)
        if value is not None and type(value) is not ZSetValue and type(value) is not SetValue:
            raise CommandError(errors.WRONGTYPE)
        sources.append(Source(value))
    how = b"sum"
    withscores = False
    limit = 0
    j = first + setnum
    argc = len(argv)
    while j < argc:
        option = argv[j].lower()
        remaining = argc - j
        if op != DIFF and not cardinality and remaining >= setnum + 1 and option == b"weights":
            for source, raw in zip(sources, argv[j + 1 : j + 1 + setnum]):
                source.weight = parse_score(raw, errors.WEIGHT_NOT_FLOAT)
            j += 1 + setnum
        elif op != DIFF and not cardinality and remaining >= 2 and option == b"aggregate":
            how = argv[j + 1].lower()
            if how not in _AGGREGATES:
                raise CommandError(errors.SYNTAX)
            j += 2
        elif store is None and not cardinality and option == b"withscores":
            withscores = True
            j += 1
        elif cardinality and remaining >= 2 and option == b"limit":
            limit = _range_long(argv[j + 1], errors.LIMIT_NEGATIVE, 0)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    if cardinality:
        return intersection_size(sources, limit)
    if op == UNION:
        result = union(sources, how)
    elif op == INTER:
        result = intersection(sources, how)
    else:
        result = difference(sources)
    pairs = sorted((score, member) for member, score in result.items())
    if store is not None:
        return _store(c, store, ZSetValue(pairs))
    return pairs_reply(c, pairs, withscores)


def _setop_keys(numkeys_at: int, *, destination: bool) -> Any:
    """COMMAND GETKEYS for the set operations: the destination if any, then the numkeys inputs."""

    def getkeys(argv: list[bytes]) -> list[int]:
        numkeys = to_int(argv[numkeys_at]) if len(argv) > numkeys_at else None
        if numkeys is None or numkeys < 1:
            return []
        inputs = list(range(numkeys_at + 1, min(numkeys_at + 1 + numkeys, len(argv))))
        return [1, *inputs] if destination else inputs

    return getkeys


_UNION_COMPLEXITY: Final = (
    "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of "
    "elements in the resulting sorted set."
)
_INTER_COMPLEXITY: Final = (
    "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input "
    "sorted sets and M being the number of elements in the resulting sorted set."
)
_DIFF_COMPLEXITY: Final = (
    "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of "
    "the first set, and K is the size of the result set."
)
_ALGEBRA_OPTIONS: Final = "[WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"


@command(
    "zunion",
    -3,
    "readonly movablekeys",
    group="sorted-set",
    since="6.2.0",
    summary="Add multiple sorted sets",
    complexity=_UNION_COMPLEXITY,
    syntax=f"numkeys key [key ...] {_ALGEBRA_OPTIONS} [WITHSCORES]",
    acl="@read @sortedset @slow",
    getkeys=_setop_keys(1, destination=False),
)
def zunion(c: Client, argv: list[bytes]) -> object:
    return _setop(c, argv, UNION, "zunion", 1)


@command(
    "zinter",
    -3,
    "readonly movablekeys",
    group="sorted-set",
    since="6.2.0",
    summary="Intersect multiple sorted sets",
    complexity=_INTER_COMPLEXITY,
    syntax=f"numkeys key [key ...] {_ALGEBRA_OPTIONS} [WITHSCORES]",
    acl="@read @sortedset @slow",
    getkeys=_setop_keys(1, destination=False),
)
def zinter(c: Client, argv: list[bytes]) -> object:
    return _setop(c, argv, INTER, "zinter", 1)


@command(
    "zdiff",
    -3,
    "readonly movablekeys",
    group="sorted-set",
    since="6.2.0",
    summary="Subtract multiple sorted sets",
    complexity=_DIFF_COMPLEXITY,
    syntax="numkeys key [key ...] [WITHSCORES]",
    acl="@read @sortedset @slow",
    getkeys=_setop_keys(1, destination=False),
)
def zdiff(c: Client, argv: list[bytes]) -> object:
    return _setop(c, argv, DIFF, "zdiff", 1)


@command(
    "zunionstore",
    -4,
    "write denyoom movablekeys",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    summary="Add multiple sorted sets and store the resulting sorted set in a new key",
    complexity=_UNION_COMPLEXITY,
    syntax=f"destination numkeys key [key ...] {_ALGEBRA_OPTIONS}",
    acl="@write @sortedset @slow",
    getkeys=_setop_keys(2, destination=True),
)
def zunionstore(c: Client, argv: list[bytes]) -> object:
    return _setop(c, argv, UNION, "zunionstore", 2, store=argv[1])


@command(
    "zinterstore",
    -4,
    "write denyoom movablekeys",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    summary="Intersect multiple sorted sets and store the resulting sorted set in a new key",
    complexity=_INTER_COMPLEXITY,
    syntax=f"destination numkeys key [key ...] {_ALGEBRA_OPTIONS}",
    acl="@write @sortedset @slow",
    getkeys=_setop_keys(2, destination=True),
)
def zinterstore(c: Client, argv: list[bytes]) -> object:
    return _setop(c, argv, INTER, "zinterstore", 2, store=argv[1])


@command(
    "zdiffstore",
    -4,
    "write denyoom movablekeys",
    keys=(1, 1, 1),
    group="sorted-set",
    since="6.2.0",
    summary="Subtract multiple sorted sets and store the resulting sorted set in a new key",
    complexity=_DIFF_COMPLEXITY,
    syntax="destination numkeys key [key ...]",
    acl="@write @sortedset @slow",
    getkeys=_setop_keys(2, destination=True),
)
def zdiffstore(c: Client, argv: list[bytes]) -> object:
    return _setop(c, argv, DIFF, "zdiffstore", 2, store=argv[1])


@command(
    "zintercard",
    -3,
    "readonly movablekeys",
    group="sorted-set",
    since="7.0.0",
    summary="Intersect multiple sorted sets and return the cardinality of the result",
    complexity="O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    syntax="numkeys key [key ...] [LIMIT limit]",
    acl="@read @sortedset @slow",
    getkeys=_setop_keys(1, destination=False),
)
def zintercard(c: Client, argv: list[bytes]) -> object:
    return _setop(c, argv, INTER, "zintercard", 1, cardinality=True)


# ---- ZSCAN ----------------------------------------------------------------------------------------
def _scan_emit(zset: ZSetValue, member: bytes) -> tuple[bytes, bytes]:
    # Scores are bulk strings here even in RESP3, as Redis builds them as string objects.
    return member, format_double(zset.scores[member])


def _compact_members(c: Client, zset: ZSetValue) -> list[bytes] | None:
    """The members in order when Redis would hold this set as a listpack (scanned in one call)."""
    if zset.skiplist:
        return None
    config = c.server.config
    if not fits_listpack(
        map(len, zset.scores), len(zset), config["zset-max-listpack-entries"], config["zset-max-listpack-value"]
    ):
        return None
    return [member for _, member in zset.ordered]


@command(
    "zscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.0",
    summary="Incrementally iterate sorted sets elements and associated scores",
    complexity="O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
    "cursor to return back to 0. N is the number of elements inside the collection..",
    syntax="key cursor [MATCH pattern] [COUNT count]",
    acl="@read @sortedset @slow",
)
def zscan(c: Client, argv: list[bytes]) -> object:
    return scan_command(c, argv, ZSetValue, emit=_scan_emit, compact_members=lambda zset: _compact_members(c, zset))
