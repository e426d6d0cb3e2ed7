"""Sorted-set commands against a real Redis 7.0: replies and errors byte for byte.

Most tests are differential (`pair`): the same commands go to our node and to redis-server and
the raw replies must match, in RESP2 and, where scores appear, in RESP3 too. Random commands
(ZRANDMEMBER) are checked by properties; blocking pops run the same multi-connection scenario on
both servers and compare the transcripts. A seeded random walk over the commands closes the file.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess, parse_reply


def resp3(pair: Pair) -> None:
    pair.both("HELLO", "3")


def both_protocols(pair: Pair, *commands: tuple[Any, ...]) -> None:
    """Run read-only commands in RESP2, then again in RESP3 (the connection stays in RESP3)."""
    pair.run(*commands)
    resp3(pair)
    pair.run(*commands)


# ---- ZADD and scores ------------------------------------------------------------------------------
def test_zadd_counts_added_and_changed(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "1", "a", "2", "a"),
        ("ZADD", "k", "CH", "3", "a", "4", "b"),
        ("ZADD", "k", "ch", "5", "a", "5", "a"),
        ("ZADD", "k", "1", "a", "2", "b", "3", "c"),
        ("ZADD", "k", "GT", "CH", "0", "a", "5", "b", "3", "c", "1", "d"),
        ("ZADD", "k", "XX", "CH", "7", "a", "1", "z"),
        ("ZADD", "k", "NX", "100", "a", "100", "y"),
        ("ZADD", "k", "LT", "CH", "50", "y", "500", "a"),
        ("ZADD", "k", "XX", "GT", "CH", "8", "a", "1", "b"),
        ("ZRANGE", "k", "0", "-1", "WITHSCORES"),
        ("ZADD", "missing", "XX", "1", "a"),
        ("EXISTS", "missing"),
    )


def test_zadd_incr(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "XX", "INCR", "1", "a"),
        ("EXISTS", "k"),
        ("ZADD", "k", "INCR", "1", "a"),
        ("ZADD", "k", "INCR", "1.5", "a"),
        ("ZADD", "k", "NX", "INCR", "1", "a"),
        ("ZADD", "k", "GT", "INCR", "0", "a"),
        ("ZADD", "k", "GT", "INCR", "-1", "a"),
        ("ZADD", "k", "LT", "INCR", "-1", "a"),
        ("ZADD", "k", "INCR", "0", "a"),
        ("ZADD", "k", "XX", "INCR", "1", "new"),
        ("ZADD", "k", "INCR", "inf", "a"),
        ("ZADD", "k", "INCR", "-inf", "a"),
        ("ZSCORE", "k", "a"),
    )


def test_zadd_option_errors(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "NX", "XX", "1", "a"),
        ("ZADD", "k", "NX", "GT", "1", "a"),
        ("ZADD", "k", "GT", "LT", "1", "a"),
        ("ZADD", "k", "LT", "NX", "1", "a"),
        ("ZADD", "k", "INCR", "1", "a", "2", "b"),
        ("ZADD", "k", "NX", "XX", "1"),
        ("ZADD", "k", "NX", "XX", "1", "a", "2"),
        ("ZADD", "k", "INCR", "NX", "XX", "1", "a", "2", "b"),
        ("ZADD", "k", "CH", "1"),
        ("ZADD", "k", "1", "a", "x", "b"),
        ("ZADD", "k", "1"),
        ("ZADD", "k"),
        ("EXISTS", "k"),
        ("SET", "s", "x"),
        ("ZADD", "s", "1", "a"),
        ("ZADD", "s", "x", "a"),
        ("ZINCRBY", "s", "1", "a"),
    )


@pytest.mark.parametrize(
    "score",
    [
        "0x10",
        "0X1p3",
        "0x.8",
        "1e400",
        "-1e400",
        "1e-400",
        "1e-310",
        " 1",
        "1 ",
        "",
        "nan",
        "-nan",
        "inf",
        "+inf",
        "-INFINITY",
        "infinity",
        "infinit",
        "+1.5",
        "-.5",
        ".5",
        "5.",
        "1e5",
        "1E+2",
        "1e",
        "0x",
        "1_000",
        "1\x00",
        "12345678901234567890123",
        "0.1",
        "1.1",
        "-0",
        "3.0000000000000004",
    ],
)
def test_score_parsing_matches_strtod(pair: Pair, score: str) -> None:
    pair.check("ZADD", "k", score, "m")
    pair.check("ZINCRBY", "k", score, "m")
    pair.check("ZSCORE", "k", "m")
    pair.check("ZCOUNT", "k", score, "+inf")
    pair.check("ZCOUNT", "k", "(" + score, "+inf")


def test_negative_zero_depends_on_encoding(pair: Pair) -> None:
    """A listpack stores -0 as the integer 0; a skiplist keeps the double's sign."""
    pair.run(("ZADD", "small", "-0.0", "a"), ("ZSCORE", "small", "a"), ("ZADD", "small", "INCR", "-0.0", "b"))
    pair.run(*[("ZADD", "big", str(i), f"m{i}") for i in range(130)])
    pair.run(
        ("ZADD", "big", "-0.0", "neg"),
        ("ZSCORE", "big", "neg"),
        ("ZREM", "big", *[f"m{i}" for i in range(130)]),
        ("ZSCORE", "big", "neg"),  # still a skiplist: Redis never converts back
        ("ZUNION", "1", "small", "WEIGHTS", "-1", "WITHSCORES"),
        ("ZUNIONSTORE", "out", "1", "small", "WEIGHTS", "-1"),
        ("ZRANGE", "out", "0", "-1", "WITHSCORES"),
        ("ZADD", "long", "-0.0", "x" * 65),
        ("ZRANGE", "long", "0", "-1", "WITHSCORES"),
    )
    # The store commands: ZUNIONSTORE builds a skiplist and converts it when it fits;
    # ZRANGESTORE inserts one by one into a listpack unless a rank range is known to be long.
    pair.run(("ZADD", "src", *[x for i in range(200) for x in (str(i + 1), f"m{i}")]), ("ZADD", "src", "-0.0", "a"))
    for store in [
        ("ZRANGESTORE", "d", "src", "0", "-1"),
        ("ZRANGESTORE", "d", "src", "-inf", "+inf", "BYSCORE"),
        ("ZRANGESTORE", "d", "src", "+inf", "-inf", "BYSCORE", "REV"),
        ("ZRANGESTORE", "d", "src", "0", "5"),
        ("ZUNIONSTORE", "d", "1", "src"),
        ("ZINTERSTORE", "d", "2", "src", "src"),
    ]:
        pair.run(store, ("ZSCORE", "d", "a"))


def test_zincrby(pair: Pair) -> None:
    pair.run(
        ("ZINCRBY", "k", "1", "a"),
        ("ZINCRBY", "k", "0.1", "a"),
        ("ZINCRBY", "k", "0.2", "a"),
        ("ZINCRBY", "k", "-inf", "a"),
        ("ZINCRBY", "k", "+inf", "a"),
        ("ZINCRBY", "k", "x", "a"),
        ("ZINCRBY", "k", "1"),
        ("ZINCRBY", "k", "1", "a", "b"),
    )
    resp3(pair)
    pair.run(("ZINCRBY", "k", "1.5", "b"), ("ZADD", "k", "INCR", "1", "b"), ("ZADD", "k", "NX", "INCR", "1", "b"))


# ---- single-member reads and ZREM ------------------------------------------------------------------
def test_member_reads(pair: Pair) -> None:
    pair.run(("ZADD", "k", "1.5", "a", "2", "b", "3", "c"), ("SET", "s", "x"))
    both_protocols(
        pair,
        ("ZSCORE", "k", "a"),
        ("ZSCORE", "k", "nope"),
        ("ZSCORE", "nokey", "a"),
        ("ZMSCORE", "k", "a", "nope", "b"),
        ("ZMSCORE", "nokey", "a", "b"),
        ("ZCARD", "k"),
        ("ZCARD", "nokey"),
        ("ZRANK", "k", "b"),
        ("ZRANK", "k", "nope"),
        ("ZRANK", "nokey", "a"),
        ("ZREVRANK", "k", "a"),
        ("ZREVRANK", "k", "c"),
        ("ZREVRANK", "k", "nope"),
        ("ZSCORE", "s", "a"),
        ("ZMSCORE", "s", "a"),
        ("ZCARD", "s"),
        ("ZRANK", "s", "a"),
        ("ZREVRANK", "s", "a"),
        ("ZSCORE", "k"),
        ("ZMSCORE", "k"),
        ("ZCARD", "k", "a"),
        ("ZRANK", "k", "a", "b"),
    )


def test_zrem(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "1", "a", "2", "b", "3", "c"),
        ("ZREM", "k", "a", "a", "nope"),
        ("ZREM", "nokey", "a"),
        ("ZREM", "k", "b", "c"),
        ("EXISTS", "k"),
        ("ZREM", "k"),
        ("SET", "s", "x"),
        ("ZREM", "s", "a"),
    )


# ---- ranges ---------------------------------------------------------------------------------------
def test_zcount_and_score_ranges(pair: Pair) -> None:
    pair.run(("ZADD", "k", "0", "z", "1", "a", "2", "b", "3", "c", "inf", "i", "-inf", "n"), ("SET", "s", "x"))
    for low, high in [
        ("", "("),
        ("(", "5"),
        (" 1", "5"),
        ("1 ", "5"),
        ("0x1", "5"),
        ("1e400", "5"),
        ("-1e400", "1e400"),
        ("nan", "1"),
        ("((1", "5"),
        ("(inf", "inf"),
        ("-inf", "(-inf"),
        ("[1", "2"),
        ("1e-400", "5"),
        ("(1", "(2"),
        ("2", "2"),
        ("(2", "2"),
        ("3", "1"),
        ("-inf", "+inf"),
        ("(-inf", "(+inf"),
        ("inf", "inf"),
        ("1\x00x", "2"),
    ]:
        pair.check("ZCOUNT", "k", low, high)
        pair.check("ZRANGEBYSCORE", "k", low, high, "WITHSCORES")
        pair.check("ZREVRANGEBYSCORE", "k", high, low)
    pair.run(
        ("ZCOUNT", "nokey", "a", "b"),
        ("ZCOUNT", "nokey", "1", "2"),
        ("ZCOUNT", "s", "1", "2"),
        ("ZCOUNT", "s", "a", "2"),
        ("ZCOUNT", "k", "1"),
    )


def test_rank_ranges(pair: Pair) -> None:
    pair.run(("ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"))
    for start, stop in [
        ("0", "-1"),
        ("-3", "-1"),
        ("-100", "100"),
        ("3", "1"),
        ("-1", "-3"),
        ("0", "0"),
        ("1", "100"),
        ("5", "10"),
        ("-2", "-1"),
        ("4", "4"),
        ("x", "1"),
        ("1", "1.5"),
    ]:
        pair.check("ZRANGE", "k", start, stop)
        pair.check("ZRANGE", "k", start, stop, "WITHSCORES")
        pair.check("ZREVRANGE", "k", start, stop, "WITHSCORES")
        pair.check("ZRANGE", "k", start, stop, "REV")
    pair.run(("ZRANGE", "nokey", "0", "-1"), ("ZRANGE", "nokey", "x", "-1"))


def test_zrange_options_and_their_errors(pair: Pair) -> None:
    pair.run(("ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d"), ("SET", "s", "x"))
    both_protocols(
        pair,
        ("ZRANGE", "k", "0", "-1", "LIMIT", "0", "1"),
        ("ZRANGE", "k", "[a", "[b", "BYLEX", "WITHSCORES"),
        ("ZRANGE", "k", "0", "-1", "LIMIT", "0", "1", "WITHSCORES"),
        ("ZRANGE", "k", "(1", "3", "BYSCORE", "BYLEX"),
        ("ZRANGE", "k", "(1", "3", "BYSCORE", "BYSCORE"),
        ("ZRANGE", "k", "(1", "3", "BYSCORE", "LIMIT", "0"),
        ("ZRANGE", "k", "(1", "3", "BYSCORE", "LIMIT", "0", "x"),
        ("ZRANGE", "k", "(1", "3", "BYSCORE", "LIMIT", "x", "1", "WITHSCORES"),
        ("ZRANGE", "k", "3", "(1", "BYSCORE", "REV", "WITHSCORES"),
        ("ZRANGE", "k", "3", "(1", "byscore", "rev", "rev"),
        ("ZRANGE", "k", "[c", "-", "BYLEX", "REV"),
        ("ZRANGE", "k", "-", "+", "BYLEX", "LIMIT", "1", "-1"),
        ("ZRANGE", "k", "-", "+", "BYLEX", "LIMIT", "-1", "1"),
        ("ZRANGE", "k", "-inf", "+inf", "BYSCORE", "LIMIT", "3", "1"),
        ("ZRANGE", "k", "-inf", "+inf", "BYSCORE", "LIMIT", "4", "1"),
        ("ZRANGE", "k", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "0"),
        ("ZRANGE", "k", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2", "WITHSCORES"),
        ("ZRANGE", "k", "1", "5", "BYSCORE", "LIMIT", "0", "-5"),
        ("ZRANGE", "k", "x", "y"),
        ("ZRANGE", "k", "a", "b", "BYSCORE"),
        ("ZRANGE", "k", "0", "1", "foo"),
        ("ZRANGEBYSCORE", "k", "0", "5", "REV"),
        ("ZRANGEBYSCORE", "k", "0", "5", "BYLEX"),
        ("ZRANGEBYSCORE", "k", "0", "5", "WITHSCORES", "WITHSCORES", "LIMIT", "0", "1", "LIMIT", "1", "1"),
        ("ZRANGEBYSCORE", "k", "0", "5", "LIMIT", "1"),
        ("ZREVRANGEBYSCORE", "k", "5", "0", "WITHSCORES", "LIMIT", "1", "2"),
        ("ZRANGEBYLEX", "k", "-", "+", "WITHSCORES"),
        ("ZREVRANGE", "k", "0", "-1", "LIMIT", "0", "1"),
        ("ZREVRANGE", "k", "0", "-1", "BYSCORE"),
        ("ZRANGE", "s", "0", "-1"),
        ("ZRANGE", "s", "0", "-1", "LIMIT", "0", "1"),
        ("ZRANGEBYSCORE", "s", "x", "1"),
        ("ZRANGE", "k", "0"),
    )


def test_lex_ranges_with_equal_scores(pair: Pair) -> None:
    pair.run(
        ("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "aa", "0", "", "0", "a\x00")
    )
    ranges = [
        ("-", "+"),
        ("[a", "[c"),
        ("(a", "(c"),
        ("(a", "[c"),
        ("[b", "(b"),
        ("[b", "[b"),
        ("[c", "[a"),
        ("+", "+"),
        ("-", "-"),
        ("+", "[z"),
        ("[a", "-"),
        ("(", "[b"),
        ("[", "[b"),
        ("a", "c"),
        ("[a", "c"),
        ("-x", "+"),
        ("-", "+x"),
        ("", "+"),
        ("-\x00", "+"),
    ]
    for low, high in ranges:
        pair.check("ZRANGEBYLEX", "l", low, high)
        pair.check("ZREVRANGEBYLEX", "l", high, low)
        pair.check("ZLEXCOUNT", "l", low, high)
        pair.check("ZRANGEBYLEX", "l", low, high, "LIMIT", "1", "2")
        pair.check("ZREVRANGEBYLEX", "l", high, low, "LIMIT", "1", "2")
        pair.check("ZRANGE", "l", low, high, "BYLEX")
    pair.run(
        ("ZLEXCOUNT", "nokey", "a", "b"),
        ("ZLEXCOUNT", "nokey", "-", "+"),
        ("SET", "s", "x"),
        ("ZLEXCOUNT", "s", "-", "+"),
        ("ZRANGEBYLEX", "s", "-", "+"),
    )


def test_lex_ranges_with_unequal_scores_follow_the_listpack(pair: Pair) -> None:
    pair.run(("ZADD", "u", "1", "d", "2", "a", "3", "c", "4", "b", "5", "e", "6", "f"))
    for low, high in [("-", "+"), ("[b", "[d"), ("[a", "[c"), ("[c", "[e"), ("(a", "(f"), ("[e", "+")]:
        pair.check("ZRANGEBYLEX", "u", low, high)
        pair.check("ZREVRANGEBYLEX", "u", high, low)
        pair.check("ZLEXCOUNT", "u", low, high)
    pair.run(("ZREMRANGEBYLEX", "u", "[a", "[c"), ("ZRANGE", "u", "0", "-1"))


def test_large_sets(pair: Pair) -> None:
    """Past zset-max-listpack-entries Redis uses a skiplist; replies must not change."""
    members = [f"m{i:03d}" for i in range(300)]
    pair.check("ZADD", "big", *[x for i, m in enumerate(members) for x in (str(i % 37), m)])
    pair.check("ZADD", "lex", *[x for m in members for x in ("0", m)])
    pair.run(
        ("ZRANGE", "big", "100", "120", "WITHSCORES"),
        ("ZRANGEBYSCORE", "big", "(3", "5", "LIMIT", "5", "10"),
        ("ZREVRANGEBYSCORE", "big", "5", "(3", "LIMIT", "5", "10"),
        ("ZCOUNT", "big", "10", "20"),
        ("ZRANK", "big", "m150"),
        ("ZREVRANK", "big", "m150"),
        ("ZRANGEBYLEX", "lex", "[m100", "(m110"),
        ("ZREVRANGEBYLEX", "lex", "(m110", "[m100", "LIMIT", "2", "3"),
        ("ZLEXCOUNT", "lex", "(m100", "[m250"),
        ("ZREMRANGEBYLEX", "lex", "[m000", "[m099"),
        ("ZREMRANGEBYSCORE", "big", "30", "+inf"),
        ("ZREMRANGEBYRANK", "big", "0", "9"),
        ("ZCARD", "big"),
        ("ZRANGE", "big", "0", "-1", "WITHSCORES"),
        ("ZPOPMIN", "lex", "150"),
        ("ZPOPMAX", "big", "3"),
        ("ZCARD", "lex"),
    )


def test_zrangestore(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "1", "a", "2", "b", "3", "c"),
        ("SET", "s", "x"),
        ("ZRANGESTORE", "d", "k", "0", "-1", "WITHSCORES"),
        ("ZRANGESTORE", "d", "k", "0", "-1"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZRANGESTORE", "d", "k", "0", "0", "REV"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZRANGESTORE", "d", "k", "(1", "+inf", "BYSCORE", "LIMIT", "1", "1"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZRANGESTORE", "d", "k", "[c", "[a", "BYLEX", "REV"),
        ("ZRANGE", "d", "0", "-1"),
        ("SET", "d2", "string"),
        ("EXPIRE", "d2", "100"),
        ("ZRANGESTORE", "d2", "k", "0", "1"),
        ("TTL", "d2"),
        ("TYPE", "d2"),
        ("ZRANGESTORE", "d", "nokey", "0", "-1"),
        ("EXISTS", "d"),
        ("ZRANGESTORE", "d2", "k", "5", "6"),
        ("EXISTS", "d2"),
        ("ZRANGESTORE", "d", "s", "0", "-1"),
        ("ZRANGESTORE", "d", "k", "x", "y"),
        ("ZRANGESTORE", "d", "k", "0", "-1", "LIMIT", "0", "1"),
        ("ZRANGESTORE", "d", "k", "0"),
        ("ZRANGESTORE", "k", "k", "1", "1"),
        ("ZRANGE", "k", "0", "-1"),
    )


def test_zremrange(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"),
        ("ZREMRANGEBYRANK", "k", "-2", "-1"),
        ("ZREMRANGEBYRANK", "k", "5", "10"),
        ("ZREMRANGEBYRANK", "k", "2", "1"),
        ("ZRANGE", "k", "0", "-1"),
        ("ZREMRANGEBYSCORE", "k", "(1", "2"),
        ("ZREMRANGEBYSCORE", "k", "5", "1"),
        ("ZRANGE", "k", "0", "-1", "WITHSCORES"),
        ("ZREMRANGEBYSCORE", "k", "-inf", "+inf"),
        ("EXISTS", "k"),
        ("ZADD", "k", "1", "a", "2", "b"),
        ("ZREMRANGEBYRANK", "k", "0", "-1"),
        ("EXISTS", "k"),
        ("ZADD", "k", "0", "a", "0", "b", "0", "c"),
        ("ZREMRANGEBYLEX", "k", "(a", "+"),
        ("ZRANGE", "k", "0", "-1"),
        ("ZREMRANGEBYRANK", "k", "x", "1"),
        ("ZREMRANGEBYSCORE", "k", "x", "1"),
        ("ZREMRANGEBYLEX", "k", "x", "1"),
        ("ZREMRANGEBYRANK", "nokey", "0", "1"),
        ("ZREMRANGEBYRANK", "nokey", "x", "1"),
        ("ZREMRANGEBYSCORE", "nokey", "0", "1"),
        ("ZREMRANGEBYLEX", "nokey", "-", "+"),
        ("SET", "s", "x"),
        ("ZREMRANGEBYRANK", "s", "0", "1"),
        ("ZREMRANGEBYSCORE", "s", "0", "1"),
        ("ZREMRANGEBYLEX", "s", "-", "+"),
        ("ZREMRANGEBYLEX", "s", "-"),
    )


# ---- pops -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", [2, 3])
def test_zpopmin_zpopmax(pair: Pair, protocol: int) -> None:
    if protocol == 3:
        resp3(pair)
    pair.run(
        ("ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d"),
        ("SET", "s", "x"),
        ("ZPOPMIN", "k", "0"),
        ("ZPOPMIN", "nokey", "0"),
        ("ZPOPMIN", "nokey"),
        ("ZPOPMIN", "nokey", "3"),
        ("ZPOPMIN", "k"),
        ("ZPOPMIN", "k", "1"),
        ("ZPOPMAX", "k", "1"),
        ("ZPOPMAX", "k"),
        ("ZPOPMAX", "k", "10"),
        ("EXISTS", "k"),
        ("ZPOPMIN", "k", "-1"),
        ("ZPOPMIN", "k", "abc"),
        ("ZPOPMIN", "k", "1", "2"),
        ("ZPOPMIN", "s", "0"),
        ("ZPOPMIN", "s", "-1"),
        ("ZPOPMAX", "s"),
        ("ZPOPMIN",),
    )


@pytest.mark.parametrize("protocol", [2, 3])
def test_zmpop(pair: Pair, protocol: int) -> None:
    if protocol == 3:
        resp3(pair)
    pair.run(
        ("ZADD", "k", "1", "a", "2", "b", "3", "c"),
        ("SET", "s", "x"),
        ("ZMPOP", "0", "k", "MIN"),
        ("ZMPOP", "abc", "k", "MIN"),
        ("ZMPOP", "-1", "k", "MIN"),
        ("ZMPOP", "2", "k", "MIN"),
        ("ZMPOP", "1", "k", "foo"),
        ("ZMPOP", "1", "k", "MIN", "COUNT", "0"),
        ("ZMPOP", "1", "k", "MIN", "COUNT", "abc"),
        ("ZMPOP", "1", "k", "MIN", "COUNT", "-1"),
        ("ZMPOP", "1", "k", "MIN", "COUNT", "1", "COUNT", "1"),
        ("ZMPOP", "1", "k", "MIN", "foo"),
        ("ZMPOP", "1", "k", "MIN", "COUNT"),
        ("ZMPOP", "1", "nokey", "MIN"),
        ("ZMPOP", "1", "s", "MIN"),
        ("ZMPOP", "2", "nokey", "s", "max"),
        ("ZMPOP", "1", "k", "min"),
        ("ZMPOP", "2", "nokey", "k", "MAX", "COUNT", "10"),
        ("EXISTS", "k"),
        ("ZMPOP", "1", "k"),
    )


# ---- ZRANDMEMBER ----------------------------------------------------------------------------------
def test_zrandmember_errors_and_deterministic_cases(pair: Pair) -> None:
    pair.run(("ZADD", "k", "1", "a", "2", "b", "3", "c"), ("SET", "s", "x"))
    both_protocols(
        pair,
        ("ZRANDMEMBER", "k", "x"),
        ("ZRANDMEMBER", "k", "1", "foo"),
        ("ZRANDMEMBER", "k", "1", "WITHSCORES", "x"),
        ("ZRANDMEMBER", "k", "-9223372036854775808"),
        ("ZRANDMEMBER", "k", "9223372036854775807", "WITHSCORES"),
        ("ZRANDMEMBER", "k", "-4611686018427387904", "WITHSCORES"),
        ("ZRANDMEMBER", "s"),
        ("ZRANDMEMBER", "s", "1"),
        ("ZRANDMEMBER", "s", "x"),
        ("ZRANDMEMBER", "nokey"),
        ("ZRANDMEMBER", "nokey", "x"),
        ("ZRANDMEMBER", "nokey", "1", "foo"),
        ("ZRANDMEMBER", "nokey", "0"),
        ("ZRANDMEMBER", "nokey", "5", "WITHSCORES"),
        ("ZRANDMEMBER", "k", "0"),
        # Asking for the whole set gives it from the highest score down.
        ("ZRANDMEMBER", "k", "3"),
        ("ZRANDMEMBER", "k", "10", "WITHSCORES"),
    )


def test_zrandmember_random_cases(node: RawClient) -> None:
    members = {f"m{i}".encode(): float(i) for i in range(20)}
    node.call("ZADD", "k", *[x for m, s in members.items() for x in (str(s), m.decode())])
    single = parse_reply(node.call("ZRANDMEMBER", "k"))
    assert single in members
    distinct = parse_reply(node.call("ZRANDMEMBER", "k", "5"))[1]
    assert len(distinct) == 5 and len(set(distinct)) == 5 and set(distinct) <= set(members)
    repeats = parse_reply(node.call("ZRANDMEMBER", "k", "-50"))[1]
    assert len(repeats) == 50 and set(repeats) <= set(members)
    flat = parse_reply(node.call("ZRANDMEMBER", "k", "-7", "WITHSCORES"))[1]
    assert len(flat) == 14
    for member, score in zip(flat[::2], flat[1::2]):
        assert float(score) == members[member]
    node.call("HELLO", "3")
    nested = parse_reply(node.call("ZRANDMEMBER", "k", "4", "WITHSCORES"))[1]
    assert len(nested) == 4
    for item in nested:
        kind, (member, score) = item
        assert kind == "*" and score == ("double", b"%d" % members[member])
    seen = {parse_reply(node.call("ZRANDMEMBER", "k")) for _ in range(200)}
    assert len(seen) > 10  # every member is reachable, not always the same few


# ---- set algebra ----------------------------------------------------------------------------------
def test_set_algebra(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "1", "a", "2", "b", "3", "c"),
        ("ZADD", "k2", "10", "b", "20", "c", "30", "d"),
        ("SADD", "s", "c", "d", "e"),
        ("SET", "str", "x"),
    )
    both_protocols(
        pair,
        ("ZUNION", "2", "k", "k2", "WITHSCORES"),
        ("ZUNION", "2", "k", "k2"),
        ("ZUNION", "2", "k", "k2", "WEIGHTS", "1", "2", "WITHSCORES"),
        ("ZUNION", "2", "k", "k2", "AGGREGATE", "MIN", "WITHSCORES"),
        ("ZUNION", "2", "k", "k2", "AGGREGATE", "max", "WITHSCORES", "AGGREGATE", "sum"),
        ("ZUNION", "3", "k", "k2", "s", "WITHSCORES"),
        ("ZUNION", "3", "k", "nokey", "s", "WITHSCORES"),
        ("ZINTER", "3", "k", "k2", "s", "WITHSCORES"),
        ("ZINTER", "2", "k", "k2", "WITHSCORES", "WEIGHTS", "0.1", "0.2"),
        ("ZINTER", "2", "k", "nokey"),
        ("ZINTER", "2", "k", "k", "WITHSCORES"),
        ("ZDIFF", "2", "k", "k2", "WITHSCORES"),
        ("ZDIFF", "2", "k", "s", "WITHSCORES"),
        ("ZDIFF", "2", "k", "k"),
        ("ZDIFF", "2", "nokey", "k"),
        ("ZDIFF", "1", "s", "WITHSCORES"),
        ("ZUNION", "1", "s", "WITHSCORES"),
        ("ZUNION", "2", "k", "k2", "WEIGHTS", "inf", "0", "WITHSCORES"),
        ("ZUNION", "2", "k", "k2", "WEIGHTS", "inf", "-inf", "WITHSCORES"),
        ("ZINTER", "2", "k", "k2", "WEIGHTS", "inf", "-inf", "WITHSCORES"),
        ("ZINTER", "2", "k", "k2", "WEIGHTS", "0", "inf", "WITHSCORES"),
        ("ZINTER", "2", "k", "k2", "WEIGHTS", "0", "inf", "WITHSCORES", "AGGREGATE", "MIN"),
        ("ZINTER", "2", "k", "k2", "WEIGHTS", "0", "inf", "WITHSCORES", "AGGREGATE", "MAX"),
        ("ZINTER", "2", "k", "k2", "WEIGHTS", "0x10", "1", "WITHSCORES"),
        ("ZUNION", "1", "k", "WITHSCORES", "WITHSCORES"),
        ("ZUNION", "1", "k", "WEIGHTS", "1", "WEIGHTS", "2", "WITHSCORES"),
        ("ZINTERCARD", "2", "k", "k2"),
        ("ZINTERCARD", "2", "k", "k2", "LIMIT", "1"),
        ("ZINTERCARD", "2", "k", "k2", "LIMIT", "0"),
        ("ZINTERCARD", "3", "k", "k2", "s"),
        ("ZINTERCARD", "2", "k", "nokey"),
    )


def test_set_algebra_errors(pair: Pair) -> None:
    pair.run(("ZADD", "k", "1", "a"), ("ZADD", "k2", "2", "a"), ("SET", "str", "x"))
    for name in ("ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"):
        pair.run(
            (name, "0", "k"),
            (name, "-1", "k"),
            (name, "x", "k"),
            (name, "3", "k", "k2"),
            (name, "2", "k", "str"),
            (name, "2", "k", "str", "foo"),
            (name, "2", "k", "k2", "WEIGHTS", "1"),
            (name, "2", "k", "k2", "WEIGHTS", "1", "x"),
            (name, "2", "k", "k2", "WEIGHTS", "1", "2", "3"),
            (name, "2", "k", "k2", "WEIGHTS", "1e400", "1"),
            (name, "2", "k", "k2", "AGGREGATE", "foo"),
            (name, "2", "k", "k2", "AGGREGATE"),
            (name, "2", "k", "k2", "WITHSCORES"),
            (name, "2", "k", "k2", "LIMIT", "1"),
            (name, "2", "k", "k2", "LIMIT", "-1"),
            (name, "2", "k", "k2", "LIMIT", "x"),
            (name, "1"),
        )
    for name in ("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"):
        pair.run(
            (name, "d", "0", "k"),
            (name, "d", "x", "k"),
            (name, "d", "3", "k", "k2"),
            (name, "d", "2", "k", "str"),
            (name, "d", "2", "k", "k2", "WITHSCORES"),
            (name, "d", "2", "k", "k2", "WEIGHTS", "1", "2"),
            (name, "d", "2", "k", "k2", "AGGREGATE", "MAX"),
            (name, "d", "1"),
        )


def test_store_forms(pair: Pair) -> None:
    pair.run(
        ("ZADD", "k", "1", "a", "2", "b", "3", "c"),
        ("ZADD", "k2", "10", "b", "20", "c", "30", "d"),
        ("SADD", "s", "c", "d", "e"),
        ("ZUNIONSTORE", "d", "2", "k", "k2", "WEIGHTS", "2", "3"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZINTERSTORE", "d", "3", "k", "k2", "s", "AGGREGATE", "MAX"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZDIFFSTORE", "d", "2", "k", "k2"),
        ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
        ("ZINTERSTORE", "d", "2", "k", "nokey"),
        ("EXISTS", "d"),
        ("SET", "d", "x"),
        ("ZUNIONSTORE", "d", "1", "s"),
        ("TYPE", "d"),
        ("ZUNIONSTORE", "k", "2", "k", "k2"),
        ("ZRANGE", "k", "0", "-1", "WITHSCORES"),
        ("ZDIFFSTORE", "k", "1", "nokey"),
        ("EXISTS", "k"),
    )


def test_sum_order_follows_input_sizes(pair: Pair) -> None:
    """Redis adds scores from the smallest input to the largest; rounding shows the order."""
    pair.run(
        ("ZADD", "one", "0.1", "x"),
        ("ZADD", "two", "0.2", "x", "5", "y"),
        ("ZADD", "three", "0.3", "x", "5", "y", "6", "z"),
        ("ZUNION", "3", "three", "two", "one", "WITHSCORES"),
        ("ZUNION", "3", "one", "two", "three", "WITHSCORES"),
        ("ZINTER", "3", "three", "one", "two", "WITHSCORES"),
        ("ZINTER", "3", "three", "two", "one", "WEIGHTS", "3", "7", "11", "WITHSCORES"),
    )


# ---- ZSCAN ----------------------------------------------------------------------------------------
def test_zscan(pair: Pair) -> None:
    pair.run(("ZADD", "k", "1", "a", "2", "b", "3.5", "c", "inf", "d"), ("SET", "s", "x"))
    both_protocols(
        pair,
        ("ZSCAN", "k", "0"),
        ("ZSCAN", "k", "5"),
        ("ZSCAN", "k", "0", "MATCH", "[ab]*"),
        ("ZSCAN", "k", "0", "COUNT", "1"),
        ("ZSCAN", "k", "x"),
        ("ZSCAN", "k", "0", "COUNT", "0"),
        ("ZSCAN", "k", "0", "COUNT", "x"),
        ("ZSCAN", "k", "0", "MATCH"),
        ("ZSCAN", "k", "0", "foo", "1"),
        ("ZSCAN", "s", "0"),
        ("ZSCAN", "nokey", "0"),
        ("ZSCAN", "nokey", "0", "foo"),
        ("ZSCAN", "k"),
    )


def test_zscan_large_set_visits_every_member_once_with_its_score(node: RawClient) -> None:
    scores = {f"m{i}".encode(): i / 4 for i in range(500)}
    node.call("ZADD", "big", *[x for m, s in scores.items() for x in (repr(s), m.decode())])
    seen: dict[bytes, bytes] = {}
    cursor = b"0"
    for _ in range(1000):
        _, (cursor, (_, items)) = parse_reply(node.call("ZSCAN", "big", cursor, "COUNT", "37"))
        for member, score in zip(items[::2], items[1::2]):
            seen[member] = score
        if cursor == b"0":
            break
    assert {m: float(s) for m, s in seen.items()} == scores


# ---- arity and the command table ------------------------------------------------------------------
def test_wrong_arity(pair: Pair) -> None:
    for args in [
        ("ZADD", "k", "1"),
        ("ZINCRBY", "k", "1"),
        ("ZREM", "k"),
        ("ZSCORE", "k"),
        ("ZMSCORE", "k"),
        ("ZCARD",),
        ("ZCOUNT", "k", "1"),
        ("ZLEXCOUNT", "k", "-"),
        ("ZRANGE", "k", "0"),
        ("ZRANGESTORE", "d", "k", "0"),
        ("ZRANGEBYSCORE", "k", "0"),
        ("ZREVRANGEBYSCORE", "k", "0"),
        ("ZRANGEBYLEX", "k", "-"),
        ("ZREVRANGEBYLEX", "k", "+"),
        ("ZREVRANGE", "k", "0"),
        ("ZRANK", "k"),
        ("ZREVRANK", "k"),
        ("ZREMRANGEBYRANK", "k", "0"),
        ("ZREMRANGEBYSCORE", "k", "0"),
        ("ZREMRANGEBYLEX", "k", "-"),
        ("ZPOPMIN",),
        ("ZPOPMAX",),
        ("BZPOPMIN", "k"),
        ("BZPOPMAX", "k"),
        ("ZMPOP", "1", "k"),
        ("BZMPOP", "0", "1", "k"),
        ("ZRANDMEMBER",),
        ("ZUNION", "1"),
        ("ZINTER", "1"),
        ("ZDIFF", "1"),
        ("ZUNIONSTORE", "d", "1"),
        ("ZINTERSTORE", "d", "1"),
        ("ZDIFFSTORE", "d", "1"),
        ("ZINTERCARD", "1"),
        ("ZSCAN", "k"),
    ]:
        pair.check(*args)


@pytest.mark.parametrize(
    "args",
    [
        ("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"),
        ("ZINTER", "2", "a", "b"),
        ("ZMPOP", "2", "a", "b", "MIN"),
        ("BZMPOP", "0", "2", "a", "b", "MIN"),
        ("BZPOPMIN", "a", "b", "0"),
        ("ZRANGESTORE", "d", "s", "0", "1"),
        ("ZINTERCARD", "1", "a", "LIMIT", "2"),
    ],
)
def test_command_getkeys(pair: Pair, args: tuple[str, ...]) -> None:
    pair.check("COMMAND", "GETKEYS", *args)


@pytest.mark.parametrize(
    "name",
    [
        "zadd",
        "zincrby",
        "zrem",
        "zscore",
        "zmscore",
        "zcard",
        "zcount",
        "zlexcount",
        "zrange",
        "zrangestore",
        "zrangebyscore",
        "zrevrangebyscore",
        "zrangebylex",
        "zrevrangebylex",
        "zrevrange",
        "zrank",
        "zrevrank",
        "zremrangebyrank",
        "zremrangebyscore",
        "zremrangebylex",
        "zpopmin",
        "zpopmax",
        "bzpopmin",
        "bzpopmax",
        "zmpop",
        "bzmpop",
        "zrandmember",
        "zunion",
        "zinter",
        "zdiff",
        "zunionstore",
        "zinterstore",
        "zdiffstore",
        "zintercard",
        "zscan",
    ],
)
def test_command_info(pair: Pair, name: str) -> None:
    """Name, arity, flags, legacy key positions and ACL categories; tips and key specifications
    come from the command table's own data (docs.py), not this module."""
    ours, theirs = (parse_reply(raw)[1][0][1][:7] for raw in pair.both("COMMAND", "INFO", name))
    assert ours == theirs


# ---- blocking pops --------------------------------------------------------------------------------
class Scene:
    """Named connections to one server and the transcript of what they received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.clients: dict[str, RawClient] = {}
        self.transcript: list[tuple[str, bytes]] = []
        self["ctl"].call("FLUSHALL")

    def __getitem__(self, name: str) -> RawClient:
        if name not in self.clients:
            self.clients[name] = RawClient(self.port, timeout=5)
        return self.clients[name]

    def call(self, name: str, *args: str) -> bytes:
        reply = self[name].call(*args)
        self.transcript.append((name, reply))
        return reply

    def send(self, name: str, *args: str) -> None:
        self[name].send(*args)

    def read(self, name: str) -> bytes:
        reply = self[name].read_reply()
        self.transcript.append((name, reply))
        return reply

    def wait_blocked(self, count: int) -> None:
        deadline = time.monotonic() + 5
        while True:
            info = self["ctl"].call("INFO", "clients").decode()
            blocked = next(
                int(line.split(":")[1]) for line in info.split("\r\n") if line.startswith("blocked_clients:")
            )
            if blocked == count:
                return
            assert time.monotonic() < deadline, f"expected {count} blocked clients, not {blocked}"
            time.sleep(0.005)

    def silent(self, name: str, wait: float = 0.05) -> bool:
        client = self[name]
        if client.buffer:
            return False
        client.sock.settimeout(wait)
        try:
            client.buffer += client.sock.recv(1 << 16)
        except TimeoutError:
            return True
        finally:
            client.sock.settimeout(5)
        return False

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


Scenario = Callable[[Scene], None]


@pytest.fixture
def compare(node_server: NodeProcess, redis_server: RedisProcess) -> Callable[[Scenario], None]:
    def run(scenario: Scenario) -> None:
        transcripts = []
        for port in (node_server.port, redis_server.port):
            scene = Scene(port)
            try:
                scenario(scene)
            finally:
                scene.close()
            transcripts.append(scene.transcript)
        ours, theirs = transcripts
        assert ours == theirs

    return run


def test_bzpop_serves_at_once_when_it_can(compare: Callable[[Scenario], None]) -> None:
    def scenario(s: Scene) -> None:
        s.call("a", "ZADD", "k2", "1", "x", "2", "y")
        s.call("a", "BZPOPMIN", "k1", "k2", "0")
        s.call("a", "BZPOPMAX", "k1", "k2", "0")
        s.call("a", "EXISTS", "k2")
        s.call("a", "BZPOPMIN", "k", "-1")
        s.call("a", "BZPOPMIN", "k", "x")
        s.call("a", "BZPOPMIN", "k", "inf")
        s.call("a", "SET", "str", "v")
        s.call("a", "BZPOPMIN", "nokey", "str", "0")
        s.call("a", "BZMPOP", "x", "0", "k", "MIN")
        s.call("a", "BZMPOP", "0", "0", "k", "MIN")
        s.call("a", "BZMPOP", "0", "1", "str", "MIN")
        s.call("a", "ZADD", "k", "1", "a", "2", "b", "3", "c")
        s.call("a", "BZMPOP", "0", "2", "nokey", "k", "MAX", "COUNT", "2")
        s["a"].call("HELLO", "3")  # not recorded: the reply carries the connection id
        s.call("a", "BZPOPMIN", "k", "0")
        s.call("a", "ZADD", "k", "1", "a", "2", "b", "3", "c")
        s.call("a", "BZMPOP", "0", "1", "k", "MIN", "COUNT", "2")

    compare(scenario)


@pytest.mark.parametrize("protocol", ["2", "3"])
def test_bzpopmin_blocks_until_zadd(compare: Callable[[Scenario], None], protocol: str) -> None:
    def scenario(s: Scene) -> None:
        s["a"].call("HELLO", protocol)
        s.send("a", "BZPOPMIN", "k1", "k2", "0")
        s.wait_blocked(1)
        s.call("b", "SET", "k2", "string")  # a wrong type does not serve the waiter
        assert s.silent("a")
        s.call("b", "DEL", "k2")
        s.call("b", "ZADD", "k2", "3", "c", "1.5", "a")
        s.read("a")
        s.wait_blocked(0)
        s.call("b", "ZRANGE", "k2", "0", "-1", "WITHSCORES")
        s.call("a", "PING")

    compare(scenario)


def test_blocked_clients_are_served_in_order(compare: Callable[[Scenario], None]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BZPOPMAX", "k", "0")
        s.wait_blocked(1)
        s.send("b", "BZMPOP", "0", "1", "k", "MIN", "COUNT", "2")
        s.wait_blocked(2)
        s.send("c", "BZPOPMIN", "other", "k", "0")
        s.wait_blocked(3)
        s.call("d", "ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d")
        s.read("a")
        s.read("b")
        s.read("c")
        s.wait_blocked(0)
        s.call("d", "EXISTS", "k")

    compare(scenario)


def test_one_element_serves_one_waiter(compare: Callable[[Scenario], None]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BZPOPMIN", "k", "0")
        s.wait_blocked(1)
        s.send("b", "BZPOPMIN", "k", "0")
        s.wait_blocked(2)
        s.call("c", "ZADD", "k", "1", "x")
        s.read("a")
        s.wait_blocked(1)
        assert s.silent("b")
        s.call("c", "ZINCRBY", "k", "5", "y")
        s.read("b")
        s.wait_blocked(0)

    compare(scenario)


def test_bzpop_times_out(compare: Callable[[Scenario], None]) -> None:
    def scenario(s: Scene) -> None:
        s.call("a", "BZPOPMIN", "k", "0.05")
        s.call("a", "BZMPOP", "0.05", "1", "k", "MAX")
        s["a"].call("HELLO", "3")
        s.call("a", "BZPOPMAX", "k", "0.05")

    compare(scenario)


def test_bzpop_inside_multi_answers_as_a_timeout(compare: Callable[[Scenario], None]) -> None:
    def scenario(s: Scene) -> None:
        s.call("a", "MULTI")
        s.call("a", "BZPOPMIN", "k", "0")
        s.call("a", "BZMPOP", "0", "1", "k", "MIN")
        s.call("a", "ZADD", "k", "1", "a")
        s.call("a", "BZPOPMAX", "k", "0")
        s.call("a", "EXEC")

    compare(scenario)


def test_store_commands_wake_waiters(compare: Callable[[Scenario], None]) -> None:
    def scenario(s: Scene) -> None:
        s.call("c", "ZADD", "src", "1", "a", "2", "b")
        s.send("a", "BZPOPMAX", "dst", "0")
        s.wait_blocked(1)
        s.call("c", "ZUNIONSTORE", "dst", "1", "src")
        s.read("a")
        s.send("a", "BZPOPMIN", "dst2", "0")
        s.wait_blocked(1)
        s.call("c", "ZRANGESTORE", "dst2", "src", "0", "0")
        s.read("a")

    compare(scenario)


# ---- a seeded random walk -------------------------------------------------------------------------
_MEMBERS = ["a", "b", "c", "d", "e", "f", "g", "h", "aa", "ab", ""]
_SCORES = ["0", "-0.0", "1", "-1", "2.5", "-0.5", "0.1", "0.2", "1e3", "+inf", "-inf", "3", "7"]
_BOUNDS = ["-inf", "+inf", "0", "(0", "1", "(1", "2.5", "(3", "-1", "x"]
_LEX = ["-", "+", "[a", "(a", "[c", "(d", "[aa", "(h", "[", "x"]
_KEYS = ["z1", "z2", "z3", "s1"]


def _random_command(rng: random.Random, members: list[str], lex: bool = True) -> tuple[str, ...]:
    """One random sorted-set command; `lex` False leaves out lex ranges, whose answer Redis
    leaves undefined for large sets with unequal scores."""
    key = rng.choice(_KEYS[:3])
    pick = rng.randrange(22)
    while not lex and pick in (9, 12):
        pick = rng.randrange(22)
    if pick < 5:
        flags = [f for f in ("NX", "XX", "GT", "LT", "CH") if rng.random() < 0.15]
        if rng.random() < 0.1:
            return ("ZADD", key, *flags, "INCR", rng.choice(_SCORES), rng.choice(members))
        pairs = [x for _ in range(rng.randint(1, 4)) for x in (rng.choice(_SCORES), rng.choice(members))]
        return ("ZADD", key, *flags, *pairs)
    if pick == 5:
        return ("ZINCRBY", key, rng.choice(_SCORES), rng.choice(members))
    if pick == 6:
        return ("ZREM", key, *rng.sample(members, 2))
    if pick == 7:
        kind = rng.choice(["", "BYSCORE", "BYLEX"] if lex else ["", "BYSCORE"])
        bounds = {"": ["0", "-1", "1", "-2", "5"], "BYSCORE": _BOUNDS, "BYLEX": _LEX}[kind]
        args = ["ZRANGE", key, rng.choice(bounds), rng.choice(bounds)]
        args += [kind] if kind else []
        if rng.random() < 0.4:
            args.append("REV")
        if kind and rng.random() < 0.4:
            args += ["LIMIT", str(rng.randint(-1, 3)), str(rng.randint(-1, 3))]
        if kind != "BYLEX" and rng.random() < 0.5:
            args.append("WITHSCORES")
        return tuple(args)
    if pick == 8:
        return (
            rng.choice(["ZCOUNT", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]),
            key,
            rng.choice(_BOUNDS),
            rng.choice(_BOUNDS),
        )
    if pick == 9:
        return (rng.choice(["ZLEXCOUNT", "ZRANGEBYLEX", "ZREVRANGEBYLEX"]), key, rng.choice(_LEX), rng.choice(_LEX))
    if pick == 10:
        return (rng.choice(["ZRANK", "ZREVRANK", "ZSCORE"]), key, rng.choice(members))
    if pick == 11:
        return ("ZMSCORE", key, *rng.sample(members, 3))
    if pick == 12:
        name = rng.choice(["ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX"])
        bounds = {"ZREMRANGEBYRANK": ["0", "1", "-1", "-2"], "ZREMRANGEBYSCORE": _BOUNDS, "ZREMRANGEBYLEX": _LEX}[name]
        return (name, key, rng.choice(bounds), rng.choice(bounds))
    if pick == 13:
        return (rng.choice(["ZPOPMIN", "ZPOPMAX"]), key, *([str(rng.randint(0, 3))] if rng.random() < 0.5 else []))
    if pick == 14:
        return ("ZMPOP", "2", key, rng.choice(_KEYS), rng.choice(["MIN", "MAX"]), "COUNT", str(rng.randint(1, 3)))
    if pick in (15, 16, 17):
        name = rng.choice(["ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"])
        inputs = rng.sample(_KEYS, rng.randint(1, 3))
        args = [name] + ([rng.choice(_KEYS[:3])] if name.endswith("STORE") else []) + [str(len(inputs)), *inputs]
        if "DIFF" not in name and rng.random() < 0.5:
            args += ["WEIGHTS", *[rng.choice(["1", "2", "0.5", "-1", "0", "inf"]) for _ in inputs]]
        if "DIFF" not in name and rng.random() < 0.5:
            args += ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
        if not name.endswith("STORE") and rng.random() < 0.5:
            args.append("WITHSCORES")
        return tuple(args)
    if pick == 18:
        return ("ZINTERCARD", "2", key, rng.choice(_KEYS), "LIMIT", str(rng.randint(0, 2)))
    if pick == 19:
        return ("ZRANGESTORE", rng.choice(_KEYS[:3]), key, rng.choice(_BOUNDS), rng.choice(_BOUNDS), "BYSCORE")
    if pick == 20:
        return ("ZCARD", key)
    return ("ZRANGE", key, "0", "-1", "WITHSCORES")


@pytest.mark.parametrize("seed", range(8))
def test_random_walk_matches_redis(pair: Pair, seed: int) -> None:
    rng = random.Random(seed)
    pair.run(("SADD", "s1", "a", "c", "e", "zz"))
    if seed % 2:
        resp3(pair)
    for _ in range(400):
        pair.check(*_random_command(rng, _MEMBERS))
    for key in _KEYS[:3]:
        pair.check("ZRANGE", key, "0", "-1", "WITHSCORES")


@pytest.mark.parametrize("seed", range(4))
def test_random_walk_over_large_sets_matches_redis(pair: Pair, seed: int) -> None:
    rng = random.Random(1000 + seed)
    members = [f"m{i:03d}" for i in range(400)]
    pair.run(("SADD", "s1", *members[::3]))
    for key in _KEYS[:3]:
        pair.check("ZADD", key, *[x for m in rng.sample(members, 200) for x in (rng.choice(_SCORES), m)])
    for _ in range(400):
        pair.check(*_random_command(rng, members, lex=False))
    for key in _KEYS[:3]:
        pair.check("ZRANGE", key, "0", "-1", "WITHSCORES")
