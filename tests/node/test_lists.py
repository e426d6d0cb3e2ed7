"""List commands, differential against Redis 7.0: every reply and error byte for byte.

Blocking behaviour (BLPOP waiting, waking, timeouts) is in test_blocking.py; here the blocking
commands appear only where they answer at once (data present, argument errors, inside MULTI).
"""

from __future__ import annotations

import time

import pytest

from tests.node.conftest import Pair


def _resp3(pair: Pair) -> None:
    pair.both("HELLO", "3")


def test_push_and_range(pair: Pair) -> None:
    pair.run(
        ("LPUSH", "l", "a", "b", "c"),
        ("RPUSH", "l", "x", "y"),
        ("LRANGE", "l", "0", "-1"),
        ("LLEN", "l"),
        ("LPUSHX", "l", "p1", "p2"),
        ("RPUSHX", "l", "q1"),
        ("LRANGE", "l", "0", "-1"),
        ("LPUSHX", "missing", "a"),
        ("RPUSHX", "missing", "a", "b"),
        ("EXISTS", "missing"),
        ("LLEN", "missing"),
        ("TYPE", "l"),
    )


@pytest.mark.parametrize(
    ("start", "stop"),
    [
        ("0", "-1"),
        ("0", "0"),
        ("-1", "-1"),
        ("-100", "100"),
        ("2", "1"),
        ("5", "10"),
        ("10", "20"),
        ("-3", "-2"),
        ("-100", "-50"),
        ("3", "-3"),
        ("1", "3"),
        ("0", "9223372036854775807"),
        ("-9223372036854775808", "2"),
    ],
)
def test_lrange_index_arithmetic(pair: Pair, start: str, stop: str) -> None:
    pair.check("RPUSH", "l", *"abcdefg")
    pair.check("LRANGE", "l", start, stop)
    pair.check("LRANGE", "missing", start, stop)


def test_lrange_large_list_from_both_ends(pair: Pair) -> None:
    pair.check("RPUSH", "big", *[str(i) for i in range(300)])
    for start, stop in [("0", "10"), ("280", "299"), ("-15", "-1"), ("100", "200"), ("150", "-140")]:
        pair.check("LRANGE", "big", start, stop)


def test_lrange_ltrim_errors(pair: Pair) -> None:
    pair.check("SET", "s", "v")
    pair.run(
        ("LRANGE", "missing", "a", "1"),
        ("LRANGE", "missing", "0", "1.5"),
        ("LRANGE", "s", "0", "1"),
        ("LRANGE", "s", "x", "1"),
        ("LRANGE", "l", "0"),
        ("LTRIM", "missing", "a", "1"),
        ("LTRIM", "missing", "0", "1"),
        ("LTRIM", "s", "0", "1"),
        ("LTRIM", "s", "0"),
        ("LLEN", "s"),
        ("LLEN",),
        ("LPUSH", "s", "a"),
        ("RPUSH", "s", "a"),
        ("LPUSHX", "s", "a"),
        ("RPUSHX", "s", "a"),
        ("LPUSH", "l"),
        ("RPUSHX", "l"),
    )


@pytest.mark.parametrize(
    ("start", "stop"),
    [("1", "-2"), ("0", "0"), ("-1", "-1"), ("3", "1"), ("10", "20"), ("-100", "100"), ("2", "4"), ("0", "-100")],
)
def test_ltrim(pair: Pair, start: str, stop: str) -> None:
    pair.check("RPUSH", "l", *"abcdefg")
    pair.check("LTRIM", "l", start, stop)
    pair.check("LRANGE", "l", "0", "-1")
    pair.check("EXISTS", "l")


def test_lindex_and_lset(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a", "b", "c")
    pair.check("SET", "s", "v")
    pair.run(
        ("LINDEX", "l", "0"),
        ("LINDEX", "l", "-1"),
        ("LINDEX", "l", "2"),
        ("LINDEX", "l", "3"),
        ("LINDEX", "l", "-4"),
        ("LINDEX", "l", "abc"),
        ("LINDEX", "missing", "abc"),
        ("LINDEX", "missing", "0"),
        ("LINDEX", "s", "0"),
        ("LINDEX", "l"),
        ("LSET", "l", "0", "A"),
        ("LSET", "l", "-1", "C"),
        ("LSET", "l", "1", "B"),
        ("LRANGE", "l", "0", "-1"),
        ("LSET", "l", "3", "x"),
        ("LSET", "l", "-4", "x"),
        ("LSET", "l", "abc", "x"),
        ("LSET", "missing", "0", "x"),
        ("LSET", "missing", "abc", "x"),
        ("LSET", "s", "0", "x"),
        ("LSET", "s", "abc", "x"),
        ("LSET", "l", "0"),
    )


def test_linsert(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a", "b", "c", "b")
    pair.check("SET", "s", "v")
    pair.run(
        ("LINSERT", "l", "BEFORE", "b", "x"),
        ("LINSERT", "l", "after", "b", "y"),
        ("LINSERT", "l", "After", "c", "z"),
        ("LINSERT", "l", "before", "a", "first"),
        ("LRANGE", "l", "0", "-1"),
        ("LINSERT", "l", "before", "nope", "x"),
        ("LINSERT", "missing", "before", "a", "x"),
        ("LINSERT", "missing", "middle", "a", "x"),
        ("LINSERT", "l", "middle", "a", "x"),
        ("LINSERT", "s", "before", "a", "x"),
        ("LINSERT", "s", "middle", "a", "x"),
        ("LINSERT", "l", "before", "a"),
        ("EXISTS", "missing"),
    )


@pytest.mark.parametrize("count", ["0", "1", "2", "-1", "-2", "100", "-100"])
def test_lrem(pair: Pair, count: str) -> None:
    pair.check("RPUSH", "l", "a", "b", "a", "c", "a", "b", "a")
    pair.check("LREM", "l", count, "a")
    pair.check("LRANGE", "l", "0", "-1")
    pair.check("LREM", "l", count, "nothing")


def test_lrem_errors_and_empties(pair: Pair) -> None:
    pair.check("SET", "s", "v")
    pair.check("RPUSH", "l", "a", "a")
    pair.run(
        ("LREM", "missing", "x", "a"),
        ("LREM", "missing", "0", "a"),
        ("LREM", "s", "0", "a"),
        ("LREM", "s", "x", "a"),
        ("LREM", "l", "0"),
        ("LREM", "l", "0", "a"),
        ("EXISTS", "l"),
    )


def test_lpop_rpop(pair: Pair) -> None:
    pair.check("RPUSH", "l", *"abcdef")
    pair.check("SET", "s", "v")
    pair.run(
        ("LPOP", "l"),
        ("RPOP", "l"),
        ("LPOP", "l", "2"),
        ("RPOP", "l", "1"),
        ("LPOP", "l", "0"),
        ("RPOP", "l", "0"),
        ("RPOP", "l", "10"),
        ("EXISTS", "l"),
        ("LPOP", "l"),
        ("LPOP", "l", "0"),
        ("LPOP", "l", "3"),
        ("RPOP", "missing"),
        ("RPOP", "missing", "2"),
        ("LPOP", "l", "-1"),
        ("LPOP", "l", "abc"),
        ("RPOP", "l", "1.5"),
        ("LPOP", "missing", "-1"),
        ("LPOP", "s"),
        ("LPOP", "s", "0"),
        ("LPOP", "s", "-1"),
        ("LPOP", "l", "1", "2"),
        ("RPOP", "l", "1", "2"),
        ("LPOP",),
    )


def test_pop_nulls_in_resp3(pair: Pair) -> None:
    _resp3(pair)
    pair.check("RPUSH", "l", "a")
    pair.run(
        ("LPOP", "missing"),
        ("LPOP", "missing", "2"),
        ("LPOP", "missing", "0"),
        ("LPOP", "l", "0"),
        ("LINDEX", "l", "5"),
        ("LPOS", "l", "x"),
        ("LMPOP", "1", "missing", "LEFT"),
        ("LMOVE", "missing", "d", "LEFT", "LEFT"),
        ("RPOPLPUSH", "missing", "d"),
        ("BLPOP", "l", "0"),
        ("LPOP", "l", "5"),
    )


def test_lpos(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c")
    pair.run(
        ("LPOS", "l", "c"),
        ("LPOS", "l", "c", "RANK", "2"),
        ("LPOS", "l", "c", "RANK", "-1"),
        ("LPOS", "l", "c", "RANK", "-3"),
        ("LPOS", "l", "c", "RANK", "4"),
        ("LPOS", "l", "c", "RANK", "-4"),
        ("LPOS", "l", "c", "COUNT", "0"),
        ("LPOS", "l", "c", "COUNT", "2"),
        ("LPOS", "l", "c", "COUNT", "2", "RANK", "2"),
        ("LPOS", "l", "c", "COUNT", "0", "RANK", "-1"),
        ("LPOS", "l", "c", "count", "5", "rank", "-2"),
        ("LPOS", "l", "c", "MAXLEN", "3"),
        ("LPOS", "l", "c", "MAXLEN", "2"),
        ("LPOS", "l", "c", "MAXLEN", "2", "COUNT", "0"),
        ("LPOS", "l", "c", "MAXLEN", "2", "RANK", "-1"),
        ("LPOS", "l", "c", "MAXLEN", "0", "COUNT", "0"),
        ("LPOS", "l", "c", "RANK", "-9223372036854775808"),
        ("LPOS", "l", "c", "RANK", "-9223372036854775808", "COUNT", "1"),
        ("LPOS", "l", "c", "RANK", "9223372036854775807"),
        ("LPOS", "l", "c", "RANK", "1", "RANK", "2"),
        ("LPOS", "l", "zz"),
        ("LPOS", "l", "zz", "COUNT", "1"),
        ("LPOS", "missing", "a"),
        ("LPOS", "missing", "a", "COUNT", "0"),
        ("LPOS", "missing", "a", "MAXLEN", "1"),
    )


def test_lpos_errors(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a")
    pair.check("SET", "s", "v")
    pair.run(
        ("LPOS", "l", "a", "RANK", "0"),
        ("LPOS", "missing", "a", "RANK", "0"),
        ("LPOS", "l", "a", "RANK", "x"),
        ("LPOS", "l", "a", "RANK", "9223372036854775808"),
        ("LPOS", "l", "a", "COUNT", "-1"),
        ("LPOS", "l", "a", "COUNT", "x"),
        ("LPOS", "l", "a", "MAXLEN", "-1"),
        ("LPOS", "l", "a", "MAXLEN", "x"),
        ("LPOS", "l", "a", "RANK"),
        ("LPOS", "l", "a", "COUNT"),
        ("LPOS", "l", "a", "foo"),
        ("LPOS", "l", "a", "foo", "bar"),
        ("LPOS", "l", "a", "COUNT", "1", "foo"),
        ("LPOS", "l", "a", "COUNT", "-1", "foo"),
        ("LPOS", "s", "a"),
        ("LPOS", "s", "a", "RANK", "0"),
        ("LPOS", "s", "a", "COUNT", "0"),
        ("LPOS", "l"),
    )


def test_lmove_and_rpoplpush(pair: Pair) -> None:
    pair.check("RPUSH", "src", "a", "b", "c")
    pair.run(
        ("LMOVE", "src", "dst", "LEFT", "RIGHT"),
        ("LMOVE", "src", "dst", "right", "left"),
        ("LMOVE", "src", "dst", "Left", "Left"),
        ("LRANGE", "dst", "0", "-1"),
        ("EXISTS", "src"),
        ("LMOVE", "src", "dst", "LEFT", "RIGHT"),
        ("RPOPLPUSH", "dst", "src"),
        ("RPOPLPUSH", "dst", "src"),
        ("LRANGE", "src", "0", "-1"),
        ("LRANGE", "dst", "0", "-1"),
        ("RPOPLPUSH", "missing", "src"),
        ("EXISTS", "missing"),
    )


def test_lmove_rotation_on_one_key(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a", "b", "c")
    pair.run(
        ("LMOVE", "l", "l", "LEFT", "RIGHT"),
        ("LRANGE", "l", "0", "-1"),
        ("LMOVE", "l", "l", "RIGHT", "LEFT"),
        ("RPOPLPUSH", "l", "l"),
        ("LRANGE", "l", "0", "-1"),
        ("RPUSH", "one", "x"),
        ("LMOVE", "one", "one", "LEFT", "LEFT"),
        ("RPOPLPUSH", "one", "one"),
        ("LRANGE", "one", "0", "-1"),
    )


def test_lmove_errors(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a")
    pair.check("SET", "s", "v")
    pair.run(
        ("LMOVE", "l", "d", "MIDDLE", "LEFT"),
        ("LMOVE", "l", "d", "LEFT", "UP"),
        ("LMOVE", "missing", "d", "LEFT", "UP"),
        ("LMOVE", "s", "d", "LEFT", "UP"),
        ("LMOVE", "l", "s", "LEFT", "LEFT"),
        ("LMOVE", "s", "l", "LEFT", "LEFT"),
        ("LMOVE", "missing", "s", "LEFT", "LEFT"),
        ("RPOPLPUSH", "l", "s"),
        ("RPOPLPUSH", "s", "l"),
        ("RPOPLPUSH", "missing", "s"),
        ("LRANGE", "l", "0", "-1"),
        ("LMOVE", "l", "d", "LEFT"),
        ("RPOPLPUSH", "l"),
    )


def test_lmpop(pair: Pair) -> None:
    pair.check("RPUSH", "k2", "a", "b", "c", "d")
    pair.check("RPUSH", "k3", "x")
    pair.run(
        ("LMPOP", "2", "k1", "k2", "LEFT"),
        ("LMPOP", "2", "k1", "k2", "RIGHT", "COUNT", "2"),
        ("LMPOP", "3", "k1", "k2", "k3", "left", "count", "10"),
        ("LMPOP", "3", "k1", "k2", "k3", "LEFT", "COUNT", "10"),
        ("LMPOP", "3", "k1", "k2", "k3", "LEFT"),
        ("EXISTS", "k2", "k3"),
    )


def test_lmpop_errors(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a", "b")
    pair.check("SET", "s", "v")
    pair.run(
        ("LMPOP", "0", "l", "LEFT"),
        ("LMPOP", "-1", "l", "LEFT"),
        ("LMPOP", "abc", "l", "LEFT"),
        ("LMPOP", "2", "l", "LEFT"),
        ("LMPOP", "9223372036854775807", "l", "LEFT"),
        ("LMPOP", "1", "l", "MIDDLE"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "0"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "-1"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "x"),
        ("LMPOP", "1", "l", "LEFT", "COUNT"),
        ("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"),
        ("LMPOP", "1", "l", "LEFT", "foo"),
        ("LMPOP", "2", "s", "l", "LEFT"),
        ("LMPOP", "2", "l", "s", "LEFT"),
        ("LMPOP", "1", "missing", "LEFT"),
        ("LMPOP", "1", "l"),
        ("LRANGE", "l", "0", "-1"),
    )


def test_blocking_commands_serve_at_once_when_data_is_there(pair: Pair) -> None:
    pair.check("RPUSH", "b", "1", "2", "3", "4", "5", "6", "7", "8")
    pair.check("SET", "s", "v")
    pair.run(
        ("BLPOP", "missing", "b", "0"),
        ("BRPOP", "b", "missing", "1"),
        ("BLMPOP", "0", "2", "missing", "b", "LEFT"),
        ("BLMPOP", "0", "1", "b", "RIGHT", "COUNT", "2"),
        ("BLMOVE", "b", "d", "LEFT", "RIGHT", "0"),
        ("BRPOPLPUSH", "b", "d", "0"),
        ("LRANGE", "d", "0", "-1"),
        ("EXISTS", "b"),
        ("BLPOP", "s", "b", "0"),
        ("BLPOP", "d", "s", "0"),
        ("BLMOVE", "s", "d", "LEFT", "RIGHT", "0"),
        ("BLMOVE", "d", "s", "LEFT", "RIGHT", "0"),
        ("BRPOPLPUSH", "d", "s", "0"),
        ("BLMPOP", "0", "2", "s", "d", "LEFT"),
    )


@pytest.mark.parametrize(
    "timeout",
    [
        "-1",
        "abc",
        "",
        "1e300",
        "inf",
        "-inf",
        "infinity",
        "nan",
        "1e5000",
        "1e-5000",
        " 1",
        "1 ",
        "-0x1",
        "0x",
        "1_0",
        "9.3e15",
        "-0.002",
        "-1",
    ],
)
def test_blocking_timeout_errors(pair: Pair, timeout: str) -> None:
    pair.check("BLPOP", "k", timeout)
    pair.check("BRPOP", "k1", "k2", timeout)
    pair.check("BLMOVE", "k", "d", "LEFT", "LEFT", timeout)
    pair.check("BRPOPLPUSH", "k", "d", timeout)
    pair.check("BLMPOP", timeout, "1", "k", "LEFT")


def test_blocking_argument_errors(pair: Pair) -> None:
    pair.check("SET", "s", "v")
    pair.run(
        ("BLPOP", "k"),
        ("BRPOP",),
        ("BLMOVE", "k", "d", "MIDDLE", "LEFT", "0"),
        ("BLMOVE", "k", "d", "LEFT", "MIDDLE", "-1"),
        ("BLMOVE", "k", "d", "LEFT", "LEFT", "-1"),
        ("BLMOVE", "k", "d", "LEFT", "LEFT"),
        ("BRPOPLPUSH", "k", "d"),
        ("BLMPOP", "0", "0", "k", "LEFT"),
        ("BLMPOP", "-1", "0", "k", "LEFT"),
        ("BLMPOP", "0", "2", "k", "LEFT"),
        ("BLMPOP", "0", "1", "k", "UP"),
        ("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "0"),
        ("BLMPOP", "0", "1", "k", "LEFT", "COUNT"),
        ("BLMPOP", "0", "1", "k", "LEFT", "junk"),
        ("BLMPOP", "abc", "1", "k", "MIDDLE"),
        ("BLMPOP", "abc", "1", "k", "LEFT", "COUNT", "0"),
        ("BLMPOP", "abc", "2", "k", "LEFT"),
        ("BLMPOP", "0", "1", "k"),
        ("BLMPOP", "0", "1", "s", "LEFT"),
        ("BLPOP", "s", "0"),
        ("BRPOPLPUSH", "s", "d", "0"),
    )


@pytest.mark.parametrize("resp", ["2", "3"])
def test_blocking_commands_inside_multi_answer_as_timed_out(pair: Pair, resp: str) -> None:
    pair.both("HELLO", resp)
    pair.run(
        ("MULTI",),
        ("BLPOP", "k", "0"),
        ("BRPOP", "k", "0"),
        ("BLMPOP", "0", "1", "k", "LEFT"),
        ("BLMOVE", "k", "d", "LEFT", "LEFT", "0"),
        ("BRPOPLPUSH", "k", "d", "0"),
        ("RPUSH", "k", "a", "b", "c"),
        ("BLPOP", "k", "0"),
        ("BLMOVE", "k", "d", "LEFT", "LEFT", "0"),
        ("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5"),
        ("EXEC",),
    )


def test_wrong_number_of_arguments(pair: Pair) -> None:
    for name in (
        "LPUSH",
        "RPUSH",
        "LPUSHX",
        "RPUSHX",
        "LINSERT",
        "LSET",
        "LREM",
        "LTRIM",
        "LRANGE",
        "LPOS",
        "LMOVE",
        "RPOPLPUSH",
        "LMPOP",
        "BLPOP",
        "BRPOP",
        "BLMOVE",
        "BRPOPLPUSH",
        "BLMPOP",
        "LLEN",
        "LINDEX",
        "LPOP",
        "RPOP",
    ):
        pair.check(name)
        pair.check(name, "k")
    pair.check("LLEN", "a", "b")
    pair.check("LMOVE", "a", "b", "LEFT", "LEFT", "x")


def test_list_commands_touch_watched_keys(pair: Pair) -> None:
    for command in (("LPUSH", "w", "x"), ("LSET", "w", "0", "y"), ("LTRIM", "w", "0", "0"), ("RPOP", "w")):
        pair.check("RPUSH", "w", "a", "b")
        pair.check("WATCH", "w")
        pair.check(*command)
        pair.check("MULTI")
        pair.check("LLEN", "w")
        pair.check("EXEC")


def test_expired_list_is_missing(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a")
    pair.check("PEXPIRE", "l", "1")
    time.sleep(0.01)
    pair.run(
        ("LLEN", "l"),
        ("LPUSHX", "l", "x"),
        ("LMOVE", "l", "d", "LEFT", "LEFT"),
        ("RPUSH", "l", "z"),
        ("LRANGE", "l", "0", "-1"),
        ("TTL", "l"),
    )


def test_binary_elements(pair: Pair) -> None:
    pair.check("RPUSH", b"bin\x00key", b"\x00\xff", b"\r\n", b"")
    pair.run(
        ("LRANGE", b"bin\x00key", "0", "-1"),
        ("LPOS", b"bin\x00key", b""),
        ("LREM", b"bin\x00key", "0", b"\r\n"),
        ("LINSERT", b"bin\x00key", "AFTER", b"", b"\x01"),
        ("LRANGE", b"bin\x00key", "0", "-1"),
    )
