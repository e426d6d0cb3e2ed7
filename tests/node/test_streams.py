"""Stream commands, differential against Redis 7.0: every reply and error byte for byte.

Entries are added with explicit IDs wherever the reply must be deterministic; where Redis's
reply carries the clock (`*` IDs, idle times, delivery times, seen times) both replies are
parsed and those fields masked before comparing. Blocking XREAD/XREADGROUP scenarios run on
each server with connections of their own and compare the transcripts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess, parse_reply

AUTO_ID = re.compile(rb"^\d{13}-\d+$")


def _fill(pair: Pair, key: str = "s", count: int = 5, fields: tuple[str, ...] = ("f", "v")) -> None:
    for i in range(1, count + 1):
        pair.check("XADD", key, f"{i}-{i}", *fields)


def _mask(value: Any, *, idle_keys: tuple[bytes, ...] = (b"idle", b"seen-time")) -> Any:
    """A parsed reply with its clock-dependent parts replaced: generated IDs, epoch ms times,
    and the values of map keys that carry idle/seen times."""
    if isinstance(value, bytes) and AUTO_ID.match(value):
        return "ID"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10**12:
        return "TIME"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], list):
        items = [_mask(item, idle_keys=idle_keys) for item in value[1]]
        for i, item in enumerate(value[1][:-1]):
            if item in idle_keys:
                assert isinstance(value[1][i + 1], int)
                items[i + 1] = "IDLE"
        return (value[0], items)
    return value


def check_masked(pair: Pair, *args: Any, mask: Callable[[Any], Any] = _mask) -> Any:
    mine, real = pair.both(*args)
    assert mask(parse_reply(mine)) == mask(parse_reply(real)), f"{args!r}\n ours: {mine!r}\n redis: {real!r}"
    return parse_reply(real)


def _mask_pending(value: Any) -> Any:
    """XPENDING's extended form: [id, consumer, idle, count] rows, idle masked."""
    if value is None or value[0] == "error":
        return value
    rows = []
    for row in value[1]:
        items = list(row[1])
        assert 0 <= items[2] < 60_000
        items[2] = "IDLE"
        rows.append(items)
    return rows


# ---- XADD ----------------------------------------------------------------------------------------
def test_xadd_explicit_ids_and_id_errors(pair: Pair) -> None:
    pair.run(
        ("XADD", "s", "0", "f", "v"),
        ("XADD", "s", "0-0", "f", "v"),
        ("EXISTS", "s"),
        ("XADD", "s", "0-*", "f", "v"),
        ("XADD", "s", "0-*", "f", "v"),
        ("XADD", "s", "0-1", "f", "v"),
        ("XADD", "s", "5", "f", "v"),
        ("XADD", "s", "3-*", "f", "v"),
        ("XADD", "s", "5-*", "f", "v"),
        ("XADD", "s", "5-1", "f", "v"),
        ("XADD", "s", "+6", "f", "v"),
        ("XADD", "s", " 7", "f", "v"),
        ("XADD", "s", "008", "f", "v"),
        ("XADD", "s", "8-+1", "f", "v"),
        ("XADD", "s", "9-01", "f", "v"),
        ("XADD", "s", "-1", "f", "v"),
        ("XADD", "s", "10--1", "f", "v"),
        ("XADD", "s", "1-2-3", "f", "v"),
        ("XADD", "s", "abc", "f", "v"),
        ("XADD", "s", "", "f", "v"),
        ("XADD", "s", "10-", "f", "v"),
        ("XADD", "s", "18446744073709551616", "f", "v"),
        ("XADD", "s", "1" * 128, "f", "v"),
        ("XADD", "s", "18446744073709551615-*", "f", "v"),
        ("XADD", "s", "18446744073709551615-*", "f", "v"),
        ("XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"),
        ("XADD", "s", "*", "f", "v"),
        ("XADD", "s", "18446744073709551615-*", "f", "v"),
        ("XRANGE", "s", "-", "+"),
        ("XLEN", "s"),
    )


def test_xadd_minus_wraps_like_strtoull(pair: Pair) -> None:
    pair.run(
        ("XADD", "s", "1--01", "f", "v"),
        ("XADD", "w", "-01", "f", "v"),
        ("XRANGE", "s", "-", "+"),
        ("XRANGE", "w", "-", "+"),
    )


def test_xadd_auto_ids(pair: Pair) -> None:
    first = check_masked(pair, "XADD", "s", "*", "a", "1")
    assert AUTO_ID.match(first)
    check_masked(pair, "XADD", "s", "*", "b", "2")
    check_masked(pair, "XADD", "s", "NOMKSTREAM", "*", "b", "2")
    pair.check("XLEN", "s")
    pair.check("XADD", "t", "100-*", "a", "1")
    pair.check("XADD", "t", "100-*", "a", "1")
    pair.check("XADD", "t", "200-*", "a", "1")
    # A far-future last ID: `*` continues from it instead of the clock.
    pair.check("XADD", "u", "99999999999999-5", "a", "1")
    pair.check("XADD", "u", "*", "a", "1")
    pair.check("XADD", "v", "99999999999999-18446744073709551615", "a", "1")
    pair.check("XADD", "v", "*", "a", "1")


def test_xadd_arity_and_option_errors(pair: Pair) -> None:
    pair.check("SET", "str", "x")
    pair.run(
        ("XADD", "s", "*", "f"),
        ("XADD", "s", "*", "f", "v", "g"),
        ("XADD", "s", "1-1"),
        ("XADD", "s", "f", "v"),
        ("XADD", "s", "NOMKSTREAM", "MAXLEN", "1"),
        ("XADD", "s", "MAXLEN", "5", "f", "v"),
        ("XADD", "s", "MAXLEN", "-1", "*", "f", "v"),
        ("XADD", "s", "MAXLEN", "abc", "*", "f", "v"),
        ("XADD", "s", "MAXLEN", "~", "abc", "*", "f", "v"),
        ("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"),
        ("XADD", "s", "MINID", "1", "MAXLEN", "1", "*", "f", "v"),
        ("XADD", "s", "MINID", "x", "*", "f", "v"),
        ("XADD", "s", "MINID", "-", "*", "f", "v"),
        ("XADD", "s", "LIMIT", "5", "*", "f", "v"),
        ("XADD", "s", "LIMIT", "0", "*", "f", "v"),
        ("XADD", "s", "MAXLEN", "1", "LIMIT", "5", "*", "f", "v"),
        ("XADD", "s", "MAXLEN", "=", "1", "LIMIT", "5", "*", "f", "v"),
        ("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-5", "*", "f", "v"),
        ("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "x", "*", "f", "v"),
        ("XADD", "s", "LIMIT", "5", "MAXLEN", "~", "1", "1-1", "f", "v"),
        ("XADD", "str", "*", "f", "v"),
        ("XADD", "str", "NOMKSTREAM", "1-1", "f", "v"),
        ("XADD", "str", "1-x", "f", "v"),
        ("XADD", "missing", "NOMKSTREAM", "1-1", "f", "v"),
        ("XADD", "missing", "nomkstream", "maxlen", "0", "1-1", "f", "v"),
        ("EXISTS", "missing"),
        ("XADD",),
        ("XADD", "s"),
        ("XADD", "s", "*"),
        ("XADD", "s", "*", "f"),
        ("XLEN", "s"),
    )


def test_xadd_trimming_exact(pair: Pair) -> None:
    _fill(pair, count=10)
    pair.run(
        ("XADD", "s", "MAXLEN", "5", "11-0", "f", "v"),
        ("XRANGE", "s", "-", "+"),
        ("XADD", "s", "MAXLEN", "=", "3", "12-0", "f", "v"),
        ("XRANGE", "s", "-", "+"),
        ("XADD", "s", "MINID", "12", "13-0", "f", "v"),
        ("XRANGE", "s", "-", "+"),
        ("XADD", "s", "maxlen", "0", "14-0", "f", "v"),
        ("XLEN", "s"),
        ("EXISTS", "s"),
        ("TYPE", "s"),
        ("XINFO", "STREAM", "s"),
        ("XADD", "n", "MAXLEN", "0", "1-1", "f", "v"),
        ("XINFO", "STREAM", "n"),
    )


def test_approximate_trimming_removes_whole_nodes(pair: Pair) -> None:
    for i in range(1, 351):
        pair.check("XADD", "s", f"{i}-0", "field", str(i))
    pair.run(
        ("XADD", "s", "MAXLEN", "~", "300", "351-0", "field", "x"),
        ("XLEN", "s"),
        ("XADD", "s", "MAXLEN", "~", "200", "352-0", "field", "x"),
        ("XLEN", "s"),
        ("XTRIM", "s", "MAXLEN", "~", "10"),
        ("XLEN", "s"),
        ("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "30"),
        ("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "100"),
        ("XLEN", "s"),
        ("XTRIM", "s", "MINID", "~", "330"),
        ("XRANGE", "s", "-", "+", "COUNT", "2"),
        ("XTRIM", "s", "MINID", "340"),
        ("XRANGE", "s", "-", "+", "COUNT", "2"),
        ("XINFO", "STREAM", "s"),
    )


def test_nodes_split_on_bytes(pair: Pair) -> None:
    """Big values fill a listpack before 100 entries: node boundaries follow the byte limit."""
    for i in range(1, 60):
        pair.check("XADD", "s", f"{i}-0", "name", "x" * (i * 7), "n", str(i * 1000))
    pair.check("XINFO", "STREAM", "s")
    pair.check("XTRIM", "s", "MAXLEN", "~", "20")
    pair.check("XINFO", "STREAM", "s")
    for i in range(1, 40):
        pair.check("XADD", "t", f"{i}-{i}", *(["k", "v"] if i % 3 else ["other", "w", "k", "v"]))
    pair.check("XINFO", "STREAM", "t")


def test_node_limits_follow_config(pair: Pair) -> None:
    for server in (pair.ours, pair.theirs):
        server.call("CONFIG", "SET", "stream-node-max-entries", "4")
    try:
        for i in range(1, 20):
            pair.check("XADD", "s", f"{i}-0", "f", "v")
        pair.run(
            ("XINFO", "STREAM", "s"),
            ("XTRIM", "s", "MAXLEN", "~", "10"),
            ("XDEL", "s", "9-0", "10-0", "11-0", "12-0"),
            ("XINFO", "STREAM", "s"),
            ("XTRIM", "s", "MINID", "~", "15"),
            ("XINFO", "STREAM", "s"),
            ("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "3"),
            ("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "4"),
        )
    finally:
        for server in (pair.ours, pair.theirs):
            server.call("CONFIG", "SET", "stream-node-max-entries", "100")


# ---- XTRIM ---------------------------------------------------------------------------------------
def test_xtrim(pair: Pair) -> None:
    _fill(pair, count=8)
    pair.check("SET", "str", "x")
    pair.run(
        ("XTRIM", "s"),
        ("XTRIM", "s", "MAXLEN"),
        ("XTRIM", "s", "foo", "1"),
        ("XTRIM", "s", "MAXLEN", "1", "extra"),
        ("XTRIM", "s", "MAXLEN", "-1"),
        ("XTRIM", "s", "LIMIT", "1"),
        ("XTRIM", "s", "NOMKSTREAM", "MAXLEN", "1"),
        ("XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"),
        ("XTRIM", "missing", "MAXLEN", "abc"),
        ("XTRIM", "missing", "MAXLEN", "1"),
        ("XTRIM", "str", "MAXLEN", "1"),
        ("XTRIM", "str", "MAXLEN", "x"),
        ("XTRIM", "s", "MAXLEN", "10"),
        ("XTRIM", "s", "MAXLEN", "6"),
        ("XTRIM", "s", "MINID", "5-5"),
        ("XTRIM", "s", "MINID", "(5"),
        ("XTRIM", "s", "MINID", "=", "6"),
        ("XRANGE", "s", "-", "+"),
        ("XTRIM", "s", "MAXLEN", "~", "0"),
        ("XTRIM", "s", "MAXLEN", "0"),
        ("XLEN", "s"),
        ("EXISTS", "s"),
        ("XINFO", "STREAM", "s"),
    )


# ---- XRANGE / XREVRANGE --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("-", "+"),
        ("2", "4"),
        ("2-2", "4-4"),
        ("(2-2", "4-4"),
        ("2-2", "(4-4"),
        ("(2-2", "(4-4"),
        ("(2-2", "(3-3"),
        ("(2", "+"),
        ("-", "(3"),
        ("3", "3"),
        ("5", "1"),
        ("0", "0"),
        ("6", "+"),
        ("(0-0", "+"),
        ("-", "(18446744073709551615-18446744073709551615"),
        ("(18446744073709551615-18446744073709551615", "+"),
        ("-", "(0-0"),
        ("(-", "+"),
        ("-", "(+"),
        ("(", "+"),
        ("x", "+"),
        ("-", "1-x"),
        ("18446744073709551615", "+"),
        ("0-18446744073709551615", "1-0"),
    ],
)
def test_xrange_intervals(pair: Pair, start: str, end: str) -> None:
    _fill(pair)
    pair.check("XRANGE", "s", start, end)
    pair.check("XREVRANGE", "s", end, start)
    pair.check("XRANGE", "s", start, end, "COUNT", "2")
    pair.check("XREVRANGE", "s", end, start, "COUNT", "2")
    pair.check("XRANGE", "missing", start, end)


def test_xrange_count_and_errors(pair: Pair) -> None:
    _fill(pair)
    pair.check("XADD", "m", "1-0", "a", "1", "b", "2", "c", "3")
    pair.check("SET", "str", "x")
    pair.run(
        ("XRANGE", "s", "-", "+", "COUNT", "0"),
        ("XRANGE", "s", "-", "+", "COUNT", "-1"),
        ("XRANGE", "s", "-", "+", "COUNT", "1"),
        ("XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "3"),
        ("XRANGE", "s", "-", "+", "count", "100"),
        ("XRANGE", "s", "-", "+", "COUNT"),
        ("XRANGE", "s", "-", "+", "COUNT", "x"),
        ("XRANGE", "s", "-", "+", "LIMIT", "1"),
        ("XRANGE", "s", "-"),
        ("XRANGE", "missing", "-", "+", "COUNT", "0"),
        ("XRANGE", "missing", "-", "+", "COUNT", "x"),
        ("XRANGE", "str", "-", "+"),
        ("XRANGE", "str", "-", "+", "COUNT", "x"),
        ("XRANGE", "str", "x", "+"),
        ("XREVRANGE", "s", "+", "-", "COUNT", "0"),
        ("XREVRANGE", "str", "+", "-"),
        ("XREVRANGE", "s", "+"),
        ("XRANGE", "m", "-", "+"),
    )


def test_xrange_after_deletes(pair: Pair) -> None:
    _fill(pair, count=10)
    pair.run(
        ("XDEL", "s", "2-2", "4-4", "10-10"),
        ("XRANGE", "s", "-", "+"),
        ("XREVRANGE", "s", "+", "-", "COUNT", "3"),
        ("XRANGE", "s", "(1-1", "(5-5"),
    )


# ---- XLEN / XDEL / TYPE --------------------------------------------------------------------------
def test_xlen_xdel_and_empty_streams_survive(pair: Pair) -> None:
    _fill(pair, count=4)
    pair.check("SET", "str", "x")
    pair.run(
        ("XLEN", "s"),
        ("XLEN", "missing"),
        ("XLEN", "str"),
        ("XLEN",),
        ("XDEL", "s", "1-1", "9-9", "1-1"),
        ("XDEL", "s", "2-2", "bad"),
        ("XLEN", "s"),
        ("XDEL", "missing", "bad"),
        ("XDEL", "str", "1-1"),
        ("XDEL", "s"),
        ("XDEL", "s", "-"),
        ("XDEL", "s", "2"),
        ("XINFO", "STREAM", "s"),
        ("XDEL", "s", "3-3", "4-4"),
        ("XLEN", "s"),
        ("EXISTS", "s"),
        ("TYPE", "s"),
        ("OBJECT", "ENCODING", "s"),
        ("XINFO", "STREAM", "s"),
        ("XADD", "s", "4-4", "f", "v"),
        ("XADD", "s", "4-5", "f", "v"),
        ("XINFO", "STREAM", "s"),
        ("XRANGE", "s", "-", "+"),
    )


def test_type_copy_rename_and_wrongtype(pair: Pair) -> None:
    _fill(pair, count=3)
    pair.run(
        ("TYPE", "s"),
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"),
        ("COPY", "s", "t"),
        ("XADD", "t", "9-9", "x", "y"),
        ("XLEN", "s"),
        ("XLEN", "t"),
        ("XPENDING", "t", "g"),
        ("XACK", "t", "g", "1-1"),
        ("XINFO", "GROUPS", "s"),
        ("XINFO", "GROUPS", "t"),
        ("RENAME", "t", "u"),
        ("XRANGE", "u", "-", "+"),
        ("LPUSH", "s", "x"),
        ("GET", "s"),
    )
    pair.check("SCAN", "0", "TYPE", "stream", unordered=True)


# ---- XREAD (non-blocking) ------------------------------------------------------------------------
def test_xread(pair: Pair) -> None:
    _fill(pair, key="a", count=4)
    _fill(pair, key="b", count=2)
    pair.check("SET", "str", "x")
    pair.run(
        ("XREAD", "STREAMS", "a", "0"),
        ("XREAD", "STREAMS", "a", "b", "0", "0"),
        ("XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"),
        ("XREAD", "COUNT", "2", "STREAMS", "a", "b", "2-2", "1"),
        ("XREAD", "STREAMS", "a", "b", "4-4", "2-2"),
        ("XREAD", "STREAMS", "a", "missing", "b", "$", "0", "1-1"),
        ("XREAD", "STREAMS", "a", "a", "0", "3"),
        ("XREAD", "COUNT", "0", "STREAMS", "a", "3"),
        ("XREAD", "COUNT", "-5", "STREAMS", "a", "3"),
        ("XREAD", "count", "1", "count", "2", "streams", "a", "0"),
        ("XREAD", "STREAMS", "a", "18446744073709551615-18446744073709551615"),
        ("XREAD", "STREAMS", "a", "-"),
        ("XREAD", "STREAMS", "a", "+"),
        ("XREAD", "STREAMS", "a", "(1"),
        ("XREAD", "STREAMS", "a", ">"),
        ("XREAD", "STREAMS", "a", "b", "0"),
        ("XREAD", "STREAMS", "a"),
        ("XREAD", "COUNT", "x", "STREAMS", "a", "0"),
        ("XREAD", "BLOCK", "x", "STREAMS", "a", "0"),
        ("XREAD", "BLOCK", "-1", "STREAMS", "a", "0"),
        ("XREAD", "BLOCK", "1.5", "STREAMS", "a", "0"),
        ("XREAD", "BLOCK", "9223372036854775807", "STREAMS", "a", "0"),
        ("XREAD", "BLOCK", "9223372036854775808", "STREAMS", "a", "0"),
        ("XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"),
        ("XREAD", "NOACK", "STREAMS", "a", "0"),
        ("XREAD", "FOO", "STREAMS", "a", "0"),
        ("XREAD", "COUNT", "1", "a", "0"),
        ("XREAD", "STREAMS", "str", "0"),
        ("XREAD", "STREAMS", "a", "str", "0", "x"),
        ("XREAD", "STREAMS", "a", "str", "x", "0"),
        ("XREAD", "BLOCK", "0", "STREAMS", "a", "0"),
        ("XREAD", "BLOCK", "10", "COUNT", "1", "STREAMS", "a", "3-3"),
        ("XREAD", "STREAMS", "missing", "0"),
        ("XREAD", "STREAMS", "a", "$"),
        ("XREAD", "COUNT", "1"),
    )


def test_xread_after_trailing_deletes(pair: Pair) -> None:
    _fill(pair, count=4)
    pair.run(
        ("XDEL", "s", "4-4"),
        ("XREAD", "STREAMS", "s", "3-3"),
        ("XREAD", "STREAMS", "s", "2-2"),
    )


def test_xread_resp3(pair: Pair) -> None:
    _fill(pair, key="a", count=2)
    _fill(pair, key="b", count=2)
    pair.both("HELLO", "3")
    pair.run(
        ("XREAD", "STREAMS", "a", "b", "0", "0"),
        ("XREAD", "STREAMS", "a", "a", "0", "1"),
        ("XREAD", "STREAMS", "a", "9"),
        ("XRANGE", "a", "-", "+", "COUNT", "0"),
        ("XGROUP", "CREATE", "a", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"),
        ("XINFO", "GROUPS", "a"),
        ("XINFO", "STREAM", "a"),
        ("XPENDING", "a", "g"),
        ("XPENDING", "b", "g"),
        ("XAUTOCLAIM", "a", "g", "c", "0", "0", "JUSTID"),
    )
    check_masked(pair, "XINFO", "STREAM", "a", "FULL")
    check_masked(pair, "XINFO", "CONSUMERS", "a", "g")


# ---- XGROUP --------------------------------------------------------------------------------------
def test_xgroup_create_and_errors(pair: Pair) -> None:
    _fill(pair, count=3)
    pair.check("SET", "str", "x")
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "$"),
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "1"),
        ("XGROUP", "CREATE", "s", "g3", "2-2", "ENTRIESREAD", "-1"),
        ("XGROUP", "CREATE", "s", "g4", "0", "ENTRIESREAD", "-2"),
        ("XGROUP", "CREATE", "s", "g4", "0", "ENTRIESREAD", "x"),
        ("XGROUP", "CREATE", "s", "g4", "0", "ENTRIESREAD"),
        ("XGROUP", "CREATE", "s", "g4", "0", "FOO"),
        ("XGROUP", "CREATE", "s", "g4", "-"),
        ("XGROUP", "CREATE", "s", "g4", "+"),
        ("XGROUP", "CREATE", "s", "g4", "x"),
        ("XGROUP", "CREATE", "s", "g4", "18446744073709551615-18446744073709551615"),
        ("XGROUP", "CREATE", "s", "g5", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "g5", "0", "MKSTREAM", "ENTRIESREAD", "3"),
        ("XGROUP", "CREATE", "missing", "g", "0"),
        ("XGROUP", "CREATE", "missing", "g", "x", "MKSTREAM"),
        ("EXISTS", "missing"),
        ("XGROUP", "CREATE", "missing", "g", "$", "MKSTREAM"),
        ("XGROUP", "CREATE", "missing", "g", "$", "MKSTREAM"),
        ("XINFO", "STREAM", "missing"),
        ("XGROUP", "CREATE", "str", "g", "0"),
        ("XGROUP", "CREATE", "str", "g", "0", "MKSTREAM"),
        ("XGROUP", "CREATE", "s", "g"),
        ("XGROUP", "CREATE", "s"),
        ("XGROUP", "create", "s", "lower", "0", "mkstream"),
        ("XGROUP",),
        ("XGROUP", "FOO"),
        ("XGROUP", "FOO", "s", "g", "0"),
        ("XINFO", "GROUPS", "s"),
    )


def test_xgroup_other_subcommands(pair: Pair) -> None:
    _fill(pair, count=3)
    pair.check("SET", "str", "x")
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "SETID", "s", "g", "2-2"),
        ("XGROUP", "SETID", "s", "g", "$"),
        ("XGROUP", "SETID", "s", "g", "-"),
        ("XGROUP", "SETID", "s", "g", "+"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "1"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "-3"),
        ("XGROUP", "SETID", "s", "g", "1", "FOO", "1"),
        ("XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "1", "ENTRIESREAD", "2"),
        ("XGROUP", "SETID", "s", "g", "x"),
        ("XGROUP", "SETID", "s", "nog", "0"),
        ("XGROUP", "SETID", "missing", "g", "0"),
        ("XGROUP", "SETID", "str", "g", "0"),
        ("XGROUP", "SETID", "s", "g"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c1"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c1"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c0"),
        ("XGROUP", "CREATECONSUMER", "s", "nog", "c1"),
        ("XGROUP", "CREATECONSUMER", "missing", "g", "c1"),
        ("XGROUP", "CREATECONSUMER", "s", "g"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c", "x"),
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
        ("XGROUP", "SETID", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">"),
        ("XGROUP", "DELCONSUMER", "s", "g", "c1"),
        ("XGROUP", "DELCONSUMER", "s", "g", "c1"),
        ("XGROUP", "DELCONSUMER", "s", "g", "zz"),
        ("XGROUP", "DELCONSUMER", "s", "nog", "c1"),
        ("XGROUP", "DELCONSUMER", "missing", "g", "c1"),
        ("XPENDING", "s", "g"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "DESTROY", "s", "g"),
        ("XGROUP", "DESTROY", "s", "g"),
        ("XGROUP", "DESTROY", "missing", "g"),
        ("XGROUP", "DESTROY", "str", "g"),
        ("XGROUP", "DESTROY", "s"),
        ("XGROUP", "DESTROY", "s", "g", "x"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "HELP"),
        ("XGROUP", "help"),
        ("XGROUP", "HELP", "x"),
    )


# ---- XREADGROUP / XACK / XPENDING ----------------------------------------------------------------
def test_xreadgroup_new_and_history(pair: Pair) -> None:
    _fill(pair, count=6)
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "1-1"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0"),
        ("XPENDING", "s", "g"),
        ("XREADGROUP", "GROUP", "g", "alice", "NOACK", "COUNT", "1", "STREAMS", "s", ">"),
        ("XPENDING", "s", "g"),
        ("XINFO", "GROUPS", "s"),
        ("XACK", "s", "g", "1-1", "3-3", "9-9"),
        ("XACK", "s", "g", "1-1"),
        ("XACK", "s", "g", "2-2", "bad"),
        ("XACK", "s", "nog", "2-2"),
        ("XACK", "missing", "g", "bad"),
        ("XACK", "s", "g"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
        ("XDEL", "s", "2-2"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "10", "STREAMS", "s", "0"),
        ("XINFO", "GROUPS", "s"),
        ("XPENDING", "s", "g"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "18446744073709551615-18446744073709551615"),
    )


def test_xreadgroup_errors(pair: Pair) -> None:
    _fill(pair, count=2)
    pair.check("SET", "str", "x")
    pair.check("XGROUP", "CREATE", "s", "g", "0")
    pair.run(
        ("XREADGROUP", "STREAMS", "s", ">"),
        ("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"),
        ("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "missing", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "x"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "missing", ">", "x"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "FOO", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "-"),
        ("XREADGROUP", "GROUP", "g", "c", "GROUP", "g", "d", "STREAMS", "s", ">"),
    )
    check_masked(pair, "XINFO", "CONSUMERS", "s", "g")


def test_xreadgroup_takes_over_pending_after_setid(pair: Pair) -> None:
    _fill(pair, count=3)
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"),
        ("XGROUP", "SETID", "s", "g", "1-1"),
        ("XREADGROUP", "GROUP", "g", "b", "COUNT", "1", "STREAMS", "s", ">"),
        ("XPENDING", "s", "g"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", "0"),
    )
    check_masked(pair, "XPENDING", "s", "g", "-", "+", "10", mask=_mask_pending)


def test_entries_read_and_lag(pair: Pair) -> None:
    _fill(pair, count=5)
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "s", "late", "$"),
        ("XGROUP", "CREATE", "s", "mid", "3-3"),
        ("XGROUP", "CREATE", "s", "known", "3-3", "ENTRIESREAD", "3"),
        ("XINFO", "GROUPS", "s"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "mid", "c", "COUNT", "1", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"),
        ("XDEL", "s", "4-4"),
        ("XINFO", "GROUPS", "s"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"),
        ("XADD", "s", "6-6", "f", "v"),
        ("XINFO", "GROUPS", "s"),
        ("XDEL", "s", "1-1"),
        ("XINFO", "GROUPS", "s"),
        ("XTRIM", "s", "MAXLEN", "0"),
        ("XINFO", "GROUPS", "s"),
        ("XINFO", "STREAM", "s"),
        ("XADD", "s", "7-7", "f", "v"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "g", "0"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "7"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"),
        ("XINFO", "GROUPS", "e"),
        ("XGROUP", "CREATE", "e", "g2", "5"),
        ("XINFO", "GROUPS", "e"),
    )


def test_xpending(pair: Pair) -> None:
    _fill(pair, count=6)
    pair.check("SET", "str", "x")
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XPENDING", "s", "g"),
        ("XPENDING", "s", "g", "-", "+", "10"),
        ("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "aaa"),
        ("XPENDING", "s", "g"),
        ("XPENDING", "s", "nog"),
        ("XPENDING", "missing", "g"),
        ("XPENDING", "str", "g"),
        ("XPENDING", "s", "g", "-"),
        ("XPENDING", "s", "g", "-", "+"),
        ("XPENDING", "s", "g", "-", "+", "x"),
        ("XPENDING", "s", "g", "x", "+", "10"),
        ("XPENDING", "s", "g", "x", "+", "y"),
        ("XPENDING", "s", "g", "-", "(0-0", "10"),
        ("XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "10"),
        ("XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"),
        ("XPENDING", "s", "g", "IDLE", "10", "-", "+"),
        ("XPENDING", "s", "g", "IDLE", "10", "-", "+", "10", "bob", "extra"),
        ("XPENDING", "s", "g", "-", "+", "10", "bob", "extra"),
        ("XPENDING", "s", "g", "-", "+", "0"),
        ("XPENDING", "s", "g", "-", "+", "-3"),
        ("XPENDING", "s", "g", "-", "+", "10", "nobody"),
        ("XPENDING", "s", "g", "-", "+", "10", "aaa"),
        ("XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "10"),
        ("XPENDING", "s", "g", "5", "1", "10"),
        ("XPENDING", "missing", "g", "-", "+", "10"),
        ("XPENDING", "missing", "g", "x", "+", "10"),
        ("XPENDING", "str", "g", "-", "+", "10"),
    )
    for args in (
        ("-", "+", "10"),
        ("-", "+", "2"),
        ("(1-1", "(5-5", "10"),
        ("2", "4", "10", "alice"),
        ("-", "+", "10", "bob"),
    ):
        check_masked(pair, "XPENDING", "s", "g", *args, mask=_mask_pending)
    check_masked(pair, "XPENDING", "s", "g", "IDLE", "0", "-", "+", "10", mask=_mask_pending)
    check_masked(pair, "XPENDING", "s", "g", "IDLE", "-5", "-", "+", "10", "alice", mask=_mask_pending)


# ---- XCLAIM / XAUTOCLAIM -------------------------------------------------------------------------
def test_xclaim(pair: Pair) -> None:
    _fill(pair, count=6)
    pair.check("SET", "str", "x")
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "s", ">"),
        ("XCLAIM", "s", "g", "bob", "0", "1-1"),
        ("XCLAIM", "s", "g", "bob", "0", "1-1", "2-2", "JUSTID"),
        ("XCLAIM", "s", "g", "bob", "1000000", "3-3"),
        ("XCLAIM", "s", "g", "bob", "-5", "3-3", "RETRYCOUNT", "7"),
        ("XCLAIM", "s", "g", "bob", "0", "5-5"),
        ("XCLAIM", "s", "g", "bob", "0", "5-5", "FORCE"),
        ("XCLAIM", "s", "g", "bob", "0", "6-6", "FORCE", "JUSTID"),
        ("XCLAIM", "s", "g", "bob", "0", "9-9", "FORCE"),
        ("XCLAIM", "s", "g", "bob", "0", "4-4", "TIME", "0", "IDLE", "0"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "LASTID", "5-5"),
        ("XINFO", "GROUPS", "s"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "LASTID", "1-1"),
        ("XINFO", "GROUPS", "s"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "LASTID", "x"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "IDLE", "x"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "TIME", "x"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "RETRYCOUNT", "x"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "BOGUS"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "FORCE", "5-5"),
        ("XCLAIM", "s", "g", "carol", "0", "4-4", "IDLE"),
        ("XCLAIM", "s", "g", "carol", "x", "4-4"),
        ("XCLAIM", "s", "nog", "carol", "x", "4-4"),
        ("XCLAIM", "missing", "g", "carol", "0", "4-4"),
        ("XCLAIM", "str", "g", "carol", "0", "4-4"),
        ("XCLAIM", "s", "g", "carol", "0"),
        ("XCLAIM", "s", "g", "carol", "0", "JUSTID"),
        ("XDEL", "s", "2-2"),
        ("XCLAIM", "s", "g", "carol", "0", "2-2", "3-3"),
        ("XPENDING", "s", "g"),
    )
    check_masked(pair, "XPENDING", "s", "g", "-", "+", "10", mask=_mask_pending)


def test_xclaim_idle_and_time(pair: Pair) -> None:
    _fill(pair, count=3)
    pair.check("XGROUP", "CREATE", "s", "g", "0")
    pair.check("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    pair.check("XCLAIM", "s", "g", "bob", "0", "1-1", "IDLE", "500000", "JUSTID")
    pair.check("XCLAIM", "s", "g", "bob", "0", "2-2", "TIME", "1000", "JUSTID")
    pair.check("XCLAIM", "s", "g", "bob", "0", "3-3", "TIME", "99999999999999", "JUSTID")
    mine, real = (parse_reply(raw) for raw in pair.both("XPENDING", "s", "g", "-", "+", "10"))
    for reply in (mine, real):
        idle = [row[1][2] for row in reply[1]]
        assert 500000 <= idle[0] < 560000
        assert idle[1] > 10**12  # TIME 1000: delivered in 1970
        assert idle[2] < 60000  # a future TIME means now
    pair.check("XCLAIM", "s", "g", "carol", "400000", "1-1", "2-2", "3-3", "JUSTID")


def test_xautoclaim(pair: Pair) -> None:
    _fill(pair, count=8)
    pair.check("SET", "str", "x")
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
        ("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "2"),
        ("XAUTOCLAIM", "s", "g", "bob", "0", "3-3", "COUNT", "2", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "bob", "0", "(4-4", "COUNT", "10", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "carol", "1000000", "0"),
        ("XDEL", "s", "2-2", "3-3", "7-7"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "-", "COUNT", "2"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "-", "COUNT", "3"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "+"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "-", "JUSTID", "COUNT", "100"),
        ("XPENDING", "s", "g"),
        ("XAUTOCLAIM", "s", "g", "carol", "x", "0"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "x"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "(18446744073709551615-18446744073709551615"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "0"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "x"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "-1"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "576460752303423487"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "576460752303423488"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "10000000000000", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "1000000000000", "JUSTID"),
        ("XAUTOCLAIM", "missing", "g", "carol", "0", "0", "COUNT", "576460752303423487"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT"),
        ("XAUTOCLAIM", "s", "g", "carol", "0", "0", "FOO"),
        ("XAUTOCLAIM", "s", "nog", "carol", "0", "0"),
        ("XAUTOCLAIM", "missing", "g", "carol", "0", "0"),
        ("XAUTOCLAIM", "missing", "g", "carol", "0", "0", "FOO"),
        ("XAUTOCLAIM", "str", "g", "carol", "0", "0"),
        ("XAUTOCLAIM", "s", "g", "carol", "0"),
    )


def test_xautoclaim_attempts_bound_the_scan(pair: Pair) -> None:
    _fill(pair, count=30)
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
        ("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "1", "JUSTID"),
        # 1-1 was just claimed (idle 0): with min-idle 1h nothing qualifies, ten tries, a cursor.
        ("XAUTOCLAIM", "s", "g", "carol", "3600000", "0", "COUNT", "1"),
        ("XAUTOCLAIM", "s", "g", "carol", "3600000", "0", "COUNT", "2"),
        ("XAUTOCLAIM", "s", "g", "carol", "3600000", "0", "COUNT", "3"),
    )


# ---- XINFO ---------------------------------------------------------------------------------------
def test_xinfo_stream_and_errors(pair: Pair) -> None:
    pair.check("SET", "str", "x")
    pair.check("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM")
    pair.run(
        ("XINFO", "STREAM", "empty"),
        ("XINFO", "STREAM", "empty", "FULL"),
        ("XINFO", "STREAM", "missing"),
        ("XINFO", "STREAM", "missing", "FULL", "COUNT", "x"),
        ("XINFO", "STREAM", "str"),
        ("XINFO", "GROUPS", "missing"),
        ("XINFO", "GROUPS", "str"),
        ("XINFO", "CONSUMERS", "missing", "g"),
        ("XINFO", "CONSUMERS", "empty", "nog"),
        ("XINFO", "CONSUMERS", "empty", "g"),
        ("XINFO", "STREAM", "empty", "FOO"),
        ("XINFO", "STREAM", "empty", "FULL", "COUNT"),
        ("XINFO", "STREAM", "empty", "FULL", "COUNT", "x"),
        ("XINFO", "STREAM", "empty", "FULL", "COUNT", "1", "2"),
        ("XINFO", "STREAM", "empty", "FULL", "FOO", "1"),
        ("XINFO", "STREAM"),
        ("XINFO", "GROUPS"),
        ("XINFO", "GROUPS", "empty", "x"),
        ("XINFO", "CONSUMERS", "empty"),
        ("XINFO", "FOO", "empty"),
        ("XINFO",),
        ("XINFO", "HELP"),
        ("XINFO", "help", "x"),
    )
    _fill(pair, count=15)
    pair.run(
        ("XINFO", "STREAM", "s"),
        ("XINFO", "STREAM", "s", "FULL"),
        ("XINFO", "STREAM", "s", "full", "count", "3"),
        ("XINFO", "STREAM", "s", "FULL", "COUNT", "0"),
        ("XINFO", "STREAM", "s", "FULL", "COUNT", "-1"),
    )


def test_xinfo_full_with_groups(pair: Pair) -> None:
    _fill(pair, count=12)
    pair.run(
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "s", "a-group", "5"),
        ("XREADGROUP", "GROUP", "g", "zed", "COUNT", "3", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "amy", "COUNT", "4", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "a-group", "amy", "NOACK", "STREAMS", "s", ">"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "lazy"),
    )
    for args in ((), ("COUNT", "2"), ("COUNT", "0")):
        check_masked(pair, "XINFO", "STREAM", "s", "FULL", *args)
    check_masked(pair, "XINFO", "CONSUMERS", "s", "g")
    check_masked(pair, "XINFO", "CONSUMERS", "s", "a-group")
    pair.check("XINFO", "GROUPS", "s")


def test_radix_tree_counters(pair: Pair) -> None:
    ids = ["1-1", "2-0", "255-0", "256-0", "65536-3", "1700000000000-0", "1700000000001-7", "18446744073709551615-0"]
    for server in (pair.ours, pair.theirs):
        server.call("CONFIG", "SET", "stream-node-max-entries", "1")
    try:
        for stream_id in ids:
            pair.check("XADD", "s", stream_id, "f", "v")
            pair.check("XINFO", "STREAM", "s")
        for stream_id in ids[::3]:
            pair.check("XDEL", "s", stream_id)
            pair.check("XINFO", "STREAM", "s")
    finally:
        for server in (pair.ours, pair.theirs):
            server.call("CONFIG", "SET", "stream-node-max-entries", "100")


# ---- XSETID --------------------------------------------------------------------------------------
def test_xsetid(pair: Pair) -> None:
    _fill(pair, count=3)
    pair.check("SET", "str", "x")
    pair.run(
        ("XSETID", "s", "2-2"),
        ("XSETID", "s", "3-3"),
        ("XSETID", "s", "10-0"),
        ("XADD", "s", "9-9", "f", "v"),
        ("XADD", "s", "10-*", "f", "v"),
        ("XINFO", "STREAM", "s"),
        ("XSETID", "s", "20-0", "ENTRIESADDED", "2"),
        ("XSETID", "s", "20-0", "ENTRIESADDED", "-1"),
        ("XSETID", "s", "20-0", "ENTRIESADDED", "x"),
        ("XSETID", "s", "20-0", "ENTRIESADDED", "100", "MAXDELETEDID", "5-0"),
        ("XINFO", "STREAM", "s"),
        ("XSETID", "s", "20-0", "MAXDELETEDID", "21-0"),
        ("XSETID", "s", "20-0", "MAXDELETEDID", "x"),
        ("XSETID", "s", "4-0"),
        ("XSETID", "s", "x"),
        ("XSETID", "s", "-"),
        ("XSETID", "s", "20-0", "FOO"),
        ("XSETID", "s", "20-0", "ENTRIESADDED"),
        ("XSETID", "missing", "1-1"),
        ("XSETID", "missing", "x"),
        ("XSETID", "missing", "1-1", "FOO", "1"),
        ("XSETID", "str", "1-1"),
        ("XSETID", "s"),
        ("XTRIM", "s", "MAXLEN", "0"),
        ("XSETID", "s", "1-0"),
        ("XSETID", "s", "5-1"),
        ("XINFO", "STREAM", "s"),
        ("XSETID", "s", "4-0", "MAXDELETEDID", "3-0"),
        ("XSETID", "s", "18446744073709551615-18446744073709551615"),
        ("XADD", "s", "*", "f", "v"),
    )


# ---- transactions and keyspace side effects ------------------------------------------------------
def test_watch_sees_only_entry_changes(pair: Pair) -> None:
    """Redis signals a stream key only when entries come or go (or the stream is created)."""
    for args in (
        ("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"),
        ("XACK", "s", "g", "1-1"),
        ("XCLAIM", "s", "g", "c3", "0", "1-1"),
        ("XGROUP", "SETID", "s", "g", "0"),
        ("XGROUP", "DESTROY", "s", "g"),
        ("XSETID", "s", "5-5"),
        ("XTRIM", "s", "MAXLEN", "10"),
        ("XTRIM", "s", "MAXLEN", "1"),
        ("XDEL", "s", "9-9"),
        ("XDEL", "s", "2-1"),
        ("XADD", "s", "9-9", "a", "b"),
    ):
        pair.check("FLUSHALL")
        pair.check("XADD", "s", "1-1", "a", "1")
        pair.check("XADD", "s", "2-1", "a", "1")
        pair.check("XGROUP", "CREATE", "s", "g", "0")
        pair.check("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">")
        pair.check("WATCH", "s")
        pair.check(*args)
        pair.check("MULTI")
        pair.check("PING")
        pair.check("EXEC")


def test_blocking_forms_inside_multi(pair: Pair) -> None:
    _fill(pair, count=2)
    pair.check("XGROUP", "CREATE", "s", "g", "$")
    pair.run(
        ("MULTI",),
        ("XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        ("XREAD", "BLOCK", "0", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"),
        ("XREAD", "BLOCK", "-1", "STREAMS", "s", "$"),
        ("EXEC",),
    )


def test_keyspace_events(node_server: NodeProcess, redis_server: RedisProcess) -> None:
    """The events Redis publishes for streams (class `t`), in order."""
    commands: list[tuple[str, ...]] = [
        ("XADD", "s", "1-1", "f", "v"),
        ("XADD", "s", "MAXLEN", "1", "2-2", "f", "v"),
        ("XADD", "s", "MAXLEN", "5", "3-3", "f", "v"),
        ("XTRIM", "s", "MAXLEN", "5"),
        ("XTRIM", "s", "MAXLEN", "1"),
        ("XDEL", "s", "9-9"),
        ("XADD", "s", "4-4", "f", "v"),
        ("XDEL", "s", "3-3"),
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "new", "g", "0", "MKSTREAM"),
        ("XGROUP", "SETID", "s", "g", "0"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c"),
        ("XREADGROUP", "GROUP", "g", "reader", "STREAMS", "s", ">"),
        ("XCLAIM", "s", "g", "claimer", "0", "4-4"),
        ("XAUTOCLAIM", "s", "g", "auto", "0", "0"),
        ("XACK", "s", "g", "4-4"),
        ("XGROUP", "DELCONSUMER", "s", "g", "c"),
        ("XGROUP", "DELCONSUMER", "s", "g", "nobody"),
        ("XSETID", "s", "10-0"),
        ("XGROUP", "DESTROY", "s", "g"),
        ("XGROUP", "DESTROY", "s", "g"),
    ]
    transcripts = []
    for port in (node_server.port, redis_server.port):
        ctl, sub = RawClient(port), RawClient(port)
        try:
            ctl.call("FLUSHALL")
            ctl.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
            sub.call("PSUBSCRIBE", "__key*@*__:*")
            for args in commands:
                ctl.call(*args)
            ctl.call("PUBLISH", "__keyspace@0__:the-end", "end")
            received = []
            while True:
                message = parse_reply(sub.read_reply())
                if message[1][-1] == b"end":
                    break
                received.append(message)
            transcripts.append(received)
        finally:
            ctl.call("CONFIG", "SET", "notify-keyspace-events", "")
            ctl.close()
            sub.close()
    assert transcripts[0] == transcripts[1]


# ---- blocking ------------------------------------------------------------------------------------
class Scene:
    """Named connections to one server and the transcript of what they received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.clients: dict[str, RawClient] = {}
        self.transcript: list[tuple[str, Any]] = []
        self["ctl"].call("FLUSHALL")
        self.baseline = self.blocked_clients()

    def __getitem__(self, name: str) -> RawClient:
        if name not in self.clients:
            self.clients[name] = RawClient(self.port, timeout=5)
        return self.clients[name]

    def call(self, name: str, *args: str) -> bytes:
        reply = self[name].call(*args)
        self.transcript.append((name, _mask(parse_reply(reply))))
        return reply

    def send(self, name: str, *args: str) -> None:
        self[name].send(*args)

    def read(self, name: str) -> bytes:
        reply = self[name].read_reply()
        self.transcript.append((name, _mask(parse_reply(reply))))
        return reply

    def blocked_clients(self) -> int:
        for line in self["ctl"].call("INFO", "clients").decode().split("\r\n"):
            if line.startswith("blocked_clients:"):
                return int(line.split(":")[1])
        raise AssertionError("INFO clients has no blocked_clients")

    def wait_blocked(self, count: int) -> None:
        deadline = time.monotonic() + 5
        while self.blocked_clients() != count + self.baseline:
            assert time.monotonic() < deadline, f"expected {count} blocked clients"
            time.sleep(0.005)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


Scenario = Callable[[Scene], None]


def _run_on_both(node: NodeProcess, oracle: RedisProcess, scenario: Scenario) -> None:
    transcripts = []
    for port in (node.port, oracle.port):
        scene = Scene(port)
        try:
            scenario(scene)
        finally:
            scene.close()
        transcripts.append(scene.transcript)
    assert transcripts[0] == transcripts[1]


def _xread_woken_by_xadd(s: Scene) -> None:
    s.call("ctl", "XADD", "s", "1-1", "f", "v")
    s.send("r", "XREAD", "BLOCK", "0", "STREAMS", "s", "missing", "$", "$")
    s.wait_blocked(1)
    s.call("ctl", "XADD", "other", "1-1", "f", "v")
    s.call("ctl", "XADD", "missing", "5-5", "f", "v")
    s.read("r")
    s.wait_blocked(0)
    s.send("r", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    s.wait_blocked(1)
    s.call("ctl", "MULTI")
    s.call("ctl", "XADD", "s", "2-2", "a", "1")
    s.call("ctl", "XADD", "s", "3-3", "b", "2")
    s.call("ctl", "EXEC")
    s.read("r")


def _xread_timeout_and_count(s: Scene) -> None:
    s.call("r", "XREAD", "BLOCK", "30", "STREAMS", "s", "$")
    s.send("r", "XREAD", "COUNT", "1", "BLOCK", "5000", "STREAMS", "s", "0")
    s.wait_blocked(1)
    s.call("ctl", "XADD", "s", "1-1", "f", "v")
    s.read("r")
    s.send("r", "XREAD", "BLOCK", "0", "STREAMS", "s", "1-1")
    s.wait_blocked(1)
    s.call("ctl", "XADD", "s", "MAXLEN", "0", "2-2", "f", "v")
    s.read("r")


def _xread_waiters_in_order(s: Scene) -> None:
    s.send("a", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    s.wait_blocked(1)
    s.send("b", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    s.wait_blocked(2)
    s.call("ctl", "XADD", "s", "1-1", "f", "v")
    s.read("a")
    s.read("b")
    s.send("a", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    s.wait_blocked(1)
    s.call("ctl", "SET", "s", "not a stream")  # stays blocked: not a stream
    s.call("ctl", "DEL", "s")
    s.call("ctl", "XADD", "s", "2-2", "f", "v")
    s.read("a")


def _xreadgroup_blocking(s: Scene) -> None:
    s.call("ctl", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    s.send("a", "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(1)
    s.send("b", "XREADGROUP", "GROUP", "g", "bob", "COUNT", "5", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(2)
    s.call("ctl", "XADD", "s", "1-1", "f", "v")
    s.read("a")
    s.call("ctl", "XADD", "s", "2-2", "f", "v")
    s.read("b")
    s.call("ctl", "XPENDING", "s", "g")
    s.send("a", "XREADGROUP", "GROUP", "g", "alice", "NOACK", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(1)
    s.call("ctl", "XADD", "s", "3-3", "f", "v")
    s.read("a")
    s.call("ctl", "XPENDING", "s", "g")
    s.call("ctl", "XINFO", "GROUPS", "s")
    s.send("a", "XREADGROUP", "GROUP", "g", "carol", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(1)
    s.call("ctl", "XGROUP", "DESTROY", "s", "g")
    s.read("a")
    s.call("a", "XREADGROUP", "GROUP", "g", "carol", "BLOCK", "10", "STREAMS", "s", ">")


def _xreadgroup_timeout(s: Scene) -> None:
    s.call("ctl", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    s.call("a", "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "20", "STREAMS", "s", ">")
    s.call("ctl", "XINFO", "GROUPS", "s")
    s.call("ctl", "XPENDING", "s", "g")


def _resp3_and_repeated_keys(s: Scene) -> None:
    s.call("r", "HELLO", "3", "SETNAME", "reader")  # HELLO's reply carries a client id: compare the next one
    s.transcript.pop()
    s.call("ctl", "XADD", "s", "5-5", "f", "v")
    s.send("r", "XREAD", "BLOCK", "0", "STREAMS", "s", "s", "6-6", "5-5")
    s.wait_blocked(1)
    s.call("ctl", "XADD", "s", "6-6", "g", "w")  # a repeated key waits with its first ID
    s.call("ctl", "XADD", "s", "7-7", "h", "x")
    s.read("r")
    s.send("r", "XREAD", "BLOCK", "9223372036854775807", "STREAMS", "t", "s", "0", "$")
    s.wait_blocked(1)
    s.call("ctl", "XADD", "t", "1-1", "a", "b")
    s.read("r")
    s.call("r", "XREAD", "BLOCK", "10", "STREAMS", "s", "$")
    s.call("ctl", "XGROUP", "CREATE", "s", "g", "$")
    s.send("r", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(1)
    s.call("ctl", "XADD", "s", "8-8", "i", "y")
    s.read("r")


def _xreadgroup_stream_replaced(s: Scene) -> None:
    """A stream replaced by another value unblocks XREADGROUP (UNBLOCKED), never XREAD."""
    s.call("ctl", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    s.send("a", "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(1)
    s.send("b", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    s.wait_blocked(2)
    s.call("ctl", "SET", "s", "a string now")
    s.read("a")
    s.wait_blocked(1)
    s.call("ctl", "DEL", "s")
    s.call("ctl", "XGROUP", "CREATE", "s", "other", "$", "MKSTREAM")
    s.send("a", "XREADGROUP", "GROUP", "other", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(2)
    s.call("ctl", "XGROUP", "CREATE", "t", "g", "$", "MKSTREAM")
    s.call("ctl", "XADD", "t", "1-1", "f", "v")
    s.call("ctl", "RENAME", "t", "s")  # a stream without the group: NOGROUP; XREAD is served
    s.read("a")
    s.read("b")


def test_deleted_stream_unblocks_xreadgroup(node_server: NodeProcess, redis_server: RedisProcess) -> None:
    def scenario(s: Scene) -> None:
        s.call("ctl", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        s.send("a", "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
        s.wait_blocked(1)
        s.call("ctl", "DEL", "s")
        s.read("a")

    _run_on_both(node_server, redis_server, scenario)


def _xreadgroup_fills_pel_for_waiters(s: Scene) -> None:
    s.call("ctl", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    s.send("a", "XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(1)
    s.send("b", "XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">")
    s.wait_blocked(2)
    s.call("ctl", "MULTI")
    s.call("ctl", "XADD", "s", "1-1", "f", "v")
    s.call("ctl", "XADD", "s", "2-2", "f", "v")
    s.call("ctl", "XADD", "s", "3-3", "f", "v")
    s.call("ctl", "EXEC")
    s.read("a")
    s.read("b")
    s.call("ctl", "XPENDING", "s", "g")
    s.call("ctl", "XINFO", "GROUPS", "s")


@pytest.mark.parametrize(
    "scenario",
    [
        _xread_woken_by_xadd,
        _xread_timeout_and_count,
        _xread_waiters_in_order,
        _xreadgroup_blocking,
        _xreadgroup_timeout,
        _resp3_and_repeated_keys,
        _xreadgroup_stream_replaced,
        _xreadgroup_fills_pel_for_waiters,
    ],
)
def test_blocking(node_server: NodeProcess, redis_server: RedisProcess, scenario: Scenario) -> None:
    _run_on_both(node_server, redis_server, scenario)
