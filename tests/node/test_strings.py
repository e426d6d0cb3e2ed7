"""String commands against the real Redis 7.0: replies and errors must match byte for byte."""

from __future__ import annotations

import random
import time

import pytest

from tests.node.conftest import Pair

WRONGTYPE_SETUP = ("RPUSH", "list", "x")


def _pttl(pair: Pair, key: str) -> tuple[int, int]:
    ours, theirs = pair.both("PTTL", key)
    return int(ours[1:-2]), int(theirs[1:-2])


# ---- GET / SET ----------------------------------------------------------------------------------
def test_get_set_basics(pair: Pair) -> None:
    pair.run(
        ("GET", "k"),
        ("SET", "k", "v"),
        ("GET", "k"),
        ("SET", "k", ""),
        ("GET", "k"),
        ("SET", "k", b"\x00\xff\r\n"),
        ("GET", "k"),
        WRONGTYPE_SETUP,
        ("GET", "list"),
        ("SET", "list", "now a string"),
        ("GET", "list"),
        ("GET",),
        ("GET", "a", "b"),
        ("SET", "k"),
    )


def test_set_nx_xx_get(pair: Pair) -> None:
    pair.run(
        ("SET", "k", "1", "XX"),
        ("GET", "k"),
        ("SET", "k", "1", "NX"),
        ("SET", "k", "2", "NX"),
        ("GET", "k"),
        ("SET", "k", "3", "xx"),
        ("GET", "k"),
        ("SET", "k", "4", "GET"),
        ("SET", "new", "4", "GET"),
        ("SET", "k", "5", "NX", "GET"),
        ("SET", "other", "5", "NX", "GET"),
        ("SET", "k", "6", "XX", "GET"),
        ("SET", "missing", "6", "XX", "GET"),
        ("EXISTS", "missing"),
        ("SET", "k", "7", "get", "get"),
        ("SET", "k", "8", "NX", "NX"),
        WRONGTYPE_SETUP,
        ("SET", "list", "v", "GET"),
        ("SET", "list", "v", "NX", "GET"),
        ("SET", "list", "v", "XX"),
        ("TYPE", "list"),
    )


@pytest.mark.parametrize(
    "options",
    [
        ("NX", "XX"),
        ("XX", "NX"),
        ("EX", "10", "PX", "100"),
        ("PX", "100", "EXAT", "100"),
        ("EXAT", "100", "PXAT", "100"),
        ("KEEPTTL", "EX", "10"),
        ("EX", "10", "KEEPTTL"),
        ("PERSIST",),
        ("EX",),
        ("PX",),
        ("FOO",),
        ("NX", "FOO"),
        ("EX", "10", "EX"),
        ("NXX",),
        ("N",),
        ("",),
        ("EX", "abc"),
        ("EX", "1.5"),
        ("EX", "0"),
        ("PX", "-1"),
        ("EXAT", "0"),
        ("PXAT", "-5"),
        ("EX", "9223372036854775"),
        ("EX", "9223372036854776"),
        ("EX", "9223372036854775807"),
        ("PX", "9223372036854775807"),
        ("PX", "9223372036854775808"),
        ("EX", "0", "FOO"),
        ("GET", "EX", "0"),
    ],
)
def test_set_option_errors(pair: Pair, options: tuple[str, ...]) -> None:
    pair.check("SET", "k", "old")
    pair.check("SET", "k", "v", *options)
    pair.check("GET", "k")
    pair.check(*WRONGTYPE_SETUP)
    pair.check("SET", "list", "v", "GET", *options)


def test_set_option_keyword_stops_at_nul(pair: Pair) -> None:
    # Redis compares option keywords as C strings.
    pair.check("SET", "k", "v", b"NX\x00junk")
    pair.check("SET", "k", "w", b"NX\x00junk")
    pair.check("GET", "k")


def test_set_expiry_options(pair: Pair) -> None:
    now = int(time.time())
    pair.run(
        ("SET", "k", "v", "EX", "100"),
        ("TTL", "k"),
        ("SET", "k", "v", "EX", "100", "EX", "200"),
        ("TTL", "k"),
        ("SET", "k", "v", "px", "100000"),
        ("TTL", "k"),
        ("SET", "k", "v", "EXAT", str(now + 1000)),
        ("SET", "k", "v", "PXAT", str((now + 1000) * 1000)),
        ("SET", "k", "w", "KEEPTTL"),
        ("GET", "k"),
        ("SET", "k", "x"),
        ("TTL", "k"),
        ("SET", "k", "v", "EX", "100", "GET"),
        ("SET", "k", "v", "GET", "KEEPTTL"),
        ("TTL", "k"),
        ("SET", "k", "v", "NX", "EX", "100"),
        ("TTL", "k"),
        ("SET", "k", "v", "EXAT", "1"),
        ("GET", "k"),
        ("EXISTS", "k"),
        ("SET", "k", "v", "PXAT", "9223372036854775807"),
        ("SET", "k", "v", "EXAT", "9223372036854775"),
        ("GET", "k"),
        ("SET", "k", "v", "EXAT", "9223372036854776"),
    )
    pair.check("SET", "k", "v", "EXAT", str(now + 1000))
    ours, theirs = _pttl(pair, "k")
    assert abs(ours - theirs) < 3000 and 990_000 < ours <= 1_000_000
    pair.check("SET", "p", "v", "PX", "5000")
    ours, theirs = _pttl(pair, "p")
    assert 4000 < ours <= 5000 and 4000 < theirs <= 5000


def test_set_short_expiry_expires(pair: Pair) -> None:
    pair.check("SET", "k", "v", "PX", "1")
    time.sleep(0.01)
    pair.check("GET", "k")
    pair.check("EXISTS", "k")


def test_setnx_setex_psetex(pair: Pair) -> None:
    pair.run(
        ("SETNX", "k", "1"),
        ("SETNX", "k", "2"),
        ("GET", "k"),
        ("SETEX", "k", "100", "v"),
        ("TTL", "k"),
        ("GET", "k"),
        ("PSETEX", "k", "100000", "w"),
        ("TTL", "k"),
        ("GET", "k"),
        ("SETEX", "k", "0", "v"),
        ("SETEX", "k", "-1", "v"),
        ("SETEX", "k", "x", "v"),
        ("SETEX", "k", "9223372036854775", "v"),
        ("PSETEX", "k", "0", "v"),
        ("PSETEX", "k", "1.5", "v"),
        ("GET", "k"),
        WRONGTYPE_SETUP,
        ("SETNX", "list", "v"),
        ("SETEX", "list", "10", "v"),
        ("TYPE", "list"),
        ("SETNX", "k"),
        ("SETEX", "k", "10"),
        ("PSETEX", "k", "10", "v", "x"),
    )


def test_getset_getdel(pair: Pair) -> None:
    pair.run(
        ("GETSET", "k", "1"),
        ("GETSET", "k", "2"),
        ("GET", "k"),
        ("SET", "t", "v", "EX", "100"),
        ("GETSET", "t", "w"),
        ("TTL", "t"),
        ("GETDEL", "k"),
        ("GETDEL", "k"),
        ("EXISTS", "k"),
        WRONGTYPE_SETUP,
        ("GETSET", "list", "v"),
        ("GETDEL", "list"),
        ("TYPE", "list"),
        ("GETSET", "k"),
        ("GETDEL", "k", "x"),
    )


def test_getex(pair: Pair) -> None:
    now = int(time.time())
    pair.run(
        ("GETEX", "missing"),
        ("GETEX", "missing", "EX", "0"),
        ("GETEX", "missing", "FOO"),
        ("SET", "k", "v"),
        ("GETEX", "k"),
        ("TTL", "k"),
        ("GETEX", "k", "EX", "100"),
        ("TTL", "k"),
        ("GETEX", "k", "PERSIST"),
        ("TTL", "k"),
        ("GETEX", "k", "PX", "100000"),
        ("TTL", "k"),
        ("GETEX", "k", "EXAT", str(now + 1000)),
        ("GETEX", "k", "persist", "persist"),
        ("TTL", "k"),
        ("GETEX", "k", "EX", "0"),
        ("GETEX", "k", "EX", "-10"),
        ("GETEX", "k", "EX", "x"),
        ("GETEX", "k", "EX"),
        ("GETEX", "k", "EX", "10", "PX", "10"),
        ("GETEX", "k", "PERSIST", "EX", "10"),
        ("GETEX", "k", "EX", "10", "PERSIST"),
        ("GETEX", "k", "KEEPTTL"),
        ("GETEX", "k", "NX"),
        ("GETEX", "k", "GET"),
        ("GETEX", "k", "EX", "9223372036854775"),
        ("TTL", "k"),
        ("GETEX", "k", "PXAT", str(now * 1000 - 5000)),
        ("EXISTS", "k"),
        ("DBSIZE",),
        ("SET", "k", "v"),
        ("GETEX", "k", "EXAT", "1"),
        ("DBSIZE",),
        WRONGTYPE_SETUP,
        ("GETEX", "list"),
        ("GETEX", "list", "EX", "0"),
        ("GETEX", "list", "FOO"),
        ("GETEX",),
    )


def test_mget_mset_msetnx(pair: Pair) -> None:
    pair.run(
        ("MSET", "a", "1", "b", "2"),
        ("MGET", "a", "b", "c"),
        ("MSET", "a", "x", "a", "y"),
        ("GET", "a"),
        WRONGTYPE_SETUP,
        ("MGET", "a", "list", "b", "nope"),
        ("MSET", "list", "s"),
        ("GET", "list"),
        ("MSET", "a"),
        ("MSET", "a", "1", "b"),
        ("MSETNX", "a", "1", "b"),
        ("MSETNX", "c", "1", "d", "2"),
        ("MGET", "c", "d"),
        ("MSETNX", "e", "1", "c", "2"),
        ("EXISTS", "e"),
        ("MSETNX", "f", "1", "f", "2"),
        ("GET", "f"),
        ("MGET",),
        ("SET", "t", "v", "EX", "100"),
        ("MSET", "t", "w"),
        ("TTL", "t"),
    )


def test_append_strlen(pair: Pair) -> None:
    pair.run(
        ("APPEND", "k", "hello"),
        ("APPEND", "k", " world"),
        ("GET", "k"),
        ("STRLEN", "k"),
        ("APPEND", "e", ""),
        ("EXISTS", "e"),
        ("STRLEN", "e"),
        ("STRLEN", "missing"),
        ("SET", "n", "10"),
        ("APPEND", "n", "5"),
        ("INCR", "n"),
        ("SET", "t", "v", "EX", "100"),
        ("APPEND", "t", "w"),
        ("TTL", "t"),
        WRONGTYPE_SETUP,
        ("APPEND", "list", "x"),
        ("STRLEN", "list"),
        ("APPEND", "k"),
        ("STRLEN", "k", "x"),
    )


def test_string_size_limit(pair: Pair) -> None:
    for server in (pair.ours, pair.theirs):
        assert server.call("CONFIG", "SET", "proto-max-bulk-len", "1048576") == b"+OK\r\n"
    try:
        big = "x" * 1048000
        pair.run(
            ("SET", "k", big),
            ("APPEND", "k", "y" * 576),
            ("STRLEN", "k"),
            ("APPEND", "k", "z"),
            ("STRLEN", "k"),
            ("SETRANGE", "k", "1048575", "a"),
            ("SETRANGE", "k", "1048576", "a"),
            ("SETRANGE", "k", "1048575", "ab"),
            ("SETRANGE", "new", "1048576", "a"),
            ("SETRANGE", "new", "1048576", ""),
            ("EXISTS", "new"),
            ("SETBIT", "b", "8388608", "1"),
            ("GETBIT", "b", "8388608"),
            ("SETBIT", "b", "8388607", "1"),
            ("STRLEN", "b"),
        )
    finally:
        for server in (pair.ours, pair.theirs):
            server.call("CONFIG", "SET", "proto-max-bulk-len", "536870912")
    pair.run(("SETRANGE", "k", "536870911", "ab"), ("SETRANGE", "k", "536870912", "a"))


# ---- counters -----------------------------------------------------------------------------------
def test_incr_decr(pair: Pair) -> None:
    pair.run(
        ("INCR", "n"),
        ("INCR", "n"),
        ("DECR", "n"),
        ("DECR", "m"),
        ("INCRBY", "n", "100"),
        ("INCRBY", "n", "-1000"),
        ("DECRBY", "n", "-5"),
        ("DECRBY", "n", "5"),
        ("GET", "n"),
        ("INCRBY", "n", "x"),
        ("INCRBY", "n", "1.5"),
        ("INCRBY", "n", " 1"),
        ("INCRBY", "n", "+1"),
        ("INCRBY", "n", "01"),
        ("INCRBY", "n", "9223372036854775808"),
        ("DECRBY", "n", "x"),
        ("DECRBY", "n", "-9223372036854775808"),
        ("DECRBY", "missing", "-9223372036854775808"),
        ("INCRBY", "missing2", "x"),
        ("EXISTS", "missing2"),
        ("SET", "max", "9223372036854775807"),
        ("INCR", "max"),
        ("INCRBY", "max", "0"),
        ("DECRBY", "max", "-1"),
        ("SET", "min", "-9223372036854775808"),
        ("DECR", "min"),
        ("INCRBY", "min", "-1"),
        ("INCRBY", "min", "9223372036854775807"),
        ("SET", "s", "abc"),
        ("INCR", "s"),
        ("SET", "s", ""),
        ("INCR", "s"),
        ("SET", "s", " 1"),
        ("INCR", "s"),
        ("SET", "s", "-0"),
        ("INCR", "s"),
        ("SET", "s", "1.0"),
        ("DECR", "s"),
        ("SET", "s", "007"),
        ("INCR", "s"),
        ("SET", "s", "99999999999999999999"),
        ("INCR", "s"),
        ("SET", "t", "5", "EX", "100"),
        ("INCR", "t"),
        ("TTL", "t"),
        WRONGTYPE_SETUP,
        ("INCR", "list"),
        ("DECRBY", "list", "1"),
        ("INCRBY", "list", "x"),
        ("INCR",),
        ("INCRBY", "n"),
        ("DECRBY", "n", "1", "2"),
    )


def test_incrbyfloat_basics_and_errors(pair: Pair) -> None:
    pair.run(
        ("INCRBYFLOAT", "f", "0.1"),
        ("INCRBYFLOAT", "f", "0.2"),
        ("GET", "f"),
        ("INCRBYFLOAT", "f", "-0.3"),
        ("INCRBYFLOAT", "f", "1e-20"),
        ("INCRBYFLOAT", "g", "10.50"),
        ("INCRBYFLOAT", "g", "5.0e3"),
        ("INCRBYFLOAT", "g", "-5000"),
        ("INCRBYFLOAT", "h", "inf"),
        ("INCRBYFLOAT", "h", "-Infinity"),
        ("INCRBYFLOAT", "h", "nan"),
        ("INCRBYFLOAT", "h", "1e5000"),
        ("INCRBYFLOAT", "h", "1e-5000"),
        ("INCRBYFLOAT", "h", ""),
        ("INCRBYFLOAT", "h", " 1"),
        ("INCRBYFLOAT", "h", "1 "),
        ("INCRBYFLOAT", "h", b"1\x00"),
        ("INCRBYFLOAT", "h", "1e"),
        ("INCRBYFLOAT", "h", "0x"),
        ("INCRBYFLOAT", "h", "."),
        ("INCRBYFLOAT", "h", "--1"),
        ("INCRBYFLOAT", "h", "1" * 5200),
        ("EXISTS", "h"),
        ("SET", "s", "abc"),
        ("INCRBYFLOAT", "s", "1"),
        ("INCRBYFLOAT", "s", "x"),
        ("SET", "s", "inf"),
        ("INCRBYFLOAT", "s", "1"),
        ("SET", "s", "1.1e4932"),
        ("INCRBYFLOAT", "s", "1.1e4932"),
        ("INCRBYFLOAT", "s", "-1.1e4932"),
        ("SET", "t", "1", "EX", "100"),
        ("INCRBYFLOAT", "t", "1.5"),
        ("TTL", "t"),
        WRONGTYPE_SETUP,
        ("INCRBYFLOAT", "list", "x"),
        ("INCRBYFLOAT", "list", "1"),
        ("INCRBYFLOAT", "f"),
    )


# Whitespace-separated: increments strtold accepts, rounds, or refuses.
_FLOAT_TEXT = """
    0 -0 1 -1 0.1 0.2 0.3 1.1 3.0e-1 1. .5 +.5E+1 -.25e-2 123456789012345678901234567890 1e400
    1e4000 -1e4000 1e-4940 1e-30 -1e-30 1.7976931348623157e308 4.9e-324 0.000003814697265625
    0.000003814697265635 0.000000000000000005 0.000000000000000015 0.99999999999999999
    9.999999999999999999 0x10 0X1P-2 0x1.8p1 0x.8 -0x1.fffffffffffffffep16383 0x1p-16445 0x1p-16446
    0x1p16384 0000.5000 1e+0000000000000000000001 0e99999999999999999999 1E-9999999999999
    3.14159265358979323846264338327950288 2.5 -2.5 1e17 1e18 1e19 1e20 18446744073709551616
    18446744073709551617 9223372036854775807 0.1e-16 5e-18 4e-18 INF infinity infinit NaN nan(123)
    1,5 1e5.5 0x1p 0x1.p1
"""
FLOAT_INPUTS = _FLOAT_TEXT.split()


@pytest.mark.parametrize("increment", FLOAT_INPUTS)
def test_incrbyfloat_matches_long_double(pair: Pair, increment: str) -> None:
    pair.check("INCRBYFLOAT", "f", increment)
    pair.check("GET", "f")
    pair.check("SET", "g", "0.1")
    pair.check("INCRBYFLOAT", "g", increment)
    pair.check("SET", "h", increment)
    pair.check("INCRBYFLOAT", "h", "0.7")


def test_incrbyfloat_random_sequences(pair: Pair) -> None:
    rng = random.Random(7)
    for step in range(300):
        kind = rng.random()
        if kind < 0.4:
            increment = f"{rng.uniform(-1000, 1000):.{rng.randint(0, 20)}f}"
        elif kind < 0.7:
            increment = f"{rng.uniform(-10, 10):.{rng.randint(1, 25)}e}"
        else:
            increment = f"0.{rng.randint(0, 10 ** rng.randint(1, 19))}"
        pair.check("INCRBYFLOAT", f"k{step % 5}", increment)


# ---- ranges -------------------------------------------------------------------------------------
def test_getrange_substr(pair: Pair) -> None:
    pair.check("SET", "k", "Hello World")
    for start, end in [
        (0, 4),
        (0, -1),
        (-5, -1),
        (-1, -5),
        (5, 3),
        (0, 100),
        (-100, 2),
        (-100, -100),
        (20, 30),
        (3, 3),
        (-3, 100),
        (0, 0),
        (-1, -1),
        (10, 10),
        (11, 11),
        (-11, -11),
        (-12, -12),
        (-9223372036854775808, 9223372036854775807),
    ]:
        pair.check("GETRANGE", "k", start, end)
        pair.check("SUBSTR", "k", start, end)
    pair.run(
        ("GETRANGE", "missing", "0", "-1"),
        ("GETRANGE", "missing", "x", "1"),
        ("GETRANGE", "k", "x", "1"),
        ("GETRANGE", "k", "0", "1.5"),
        ("GETRANGE", "k", "0", "9223372036854775808"),
        ("SET", "e", ""),
        ("GETRANGE", "e", "0", "-1"),
        ("GETRANGE", "e", "0", "0"),
        ("SET", "n", "12345"),
        ("GETRANGE", "n", "1", "2"),
        WRONGTYPE_SETUP,
        ("GETRANGE", "list", "0", "1"),
        ("GETRANGE", "list", "x", "1"),
        ("SUBSTR", "list", "0", "1"),
        ("GETRANGE", "k", "0"),
        ("SUBSTR", "k", "0", "1", "2"),
    )


def test_setrange(pair: Pair) -> None:
    pair.run(
        ("SETRANGE", "k", "0", "Hello"),
        ("SETRANGE", "k", "6", "World"),
        ("GET", "k"),
        ("SETRANGE", "k", "1", "a"),
        ("GET", "k"),
        ("SETRANGE", "k", "9", "xyz!!"),
        ("GET", "k"),
        ("SETRANGE", "k", "3", ""),
        ("SETRANGE", "missing", "3", ""),
        ("EXISTS", "missing"),
        ("SETRANGE", "pad", "5", "x"),
        ("GET", "pad"),
        ("SETRANGE", "k", "-1", "x"),
        ("SETRANGE", "k", "x", "x"),
        ("SETRANGE", "k", "9223372036854775808", "x"),
        ("SETRANGE", "k", "9223372036854775807", "x"),
        ("SET", "n", "123"),
        ("SETRANGE", "n", "1", "9"),
        ("INCR", "n"),
        ("SET", "t", "v", "EX", "100"),
        ("SETRANGE", "t", "1", "w"),
        ("TTL", "t"),
        WRONGTYPE_SETUP,
        ("SETRANGE", "list", "0", "x"),
        ("SETRANGE", "list", "0", ""),
        ("SETRANGE", "list", "-1", "x"),
        ("SETRANGE", "k", "0"),
    )


# ---- LCS ----------------------------------------------------------------------------------------
def test_lcs_examples(pair: Pair) -> None:
    pair.run(
        ("MSET", "key1", "ohmytext", "key2", "mynewtext"),
        ("LCS", "key1", "key2"),
        ("LCS", "key1", "key2", "LEN"),
        ("LCS", "key1", "key2", "IDX"),
        ("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"),
        ("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
        ("LCS", "key1", "key2", "IDX", "WITHMATCHLEN"),
        ("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-3", "WITHMATCHLEN"),
        ("LCS", "key1", "key2", "LEN", "MINMATCHLEN", "4"),
        ("LCS", "key1", "key2", "WITHMATCHLEN"),
        ("LCS", "key1", "key2", "MINMATCHLEN", "2"),
        ("LCS", "key1", "missing"),
        ("LCS", "missing", "key1", "IDX"),
        ("LCS", "missing", "missing2", "LEN"),
        ("LCS", "key1", "key1", "IDX", "WITHMATCHLEN"),
        ("LCS", "key1", "key2", "LEN", "IDX"),
        ("LCS", "key1", "key2", "IDX", "LEN"),
        ("LCS", "key1", "key2", "FOO"),
        ("LCS", "key1", "key2", "MINMATCHLEN"),
        ("LCS", "key1", "key2", "MINMATCHLEN", "x"),
        ("LCS", "key1", "key2", "MINMATCHLEN", "x", "LEN", "IDX"),
        ("LCS", "key1", "key2", "LEN", "IDX", "FOO"),
        WRONGTYPE_SETUP,
        ("LCS", "key1", "list"),
        ("LCS", "list", "key1", "FOO"),
        ("LCS", "key1"),
    )


def test_lcs_resp3(pair: Pair) -> None:
    pair.both("HELLO", "3")  # the reply carries each server's own client id
    pair.run(
        ("MSET", "a", "ohmytext", "b", "mynewtext"),
        ("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
        ("LCS", "a", "b"),
    )


def test_lcs_random_strings(pair: Pair) -> None:
    rng = random.Random(11)
    for _ in range(60):
        alphabet = rng.choice(["ab", "abc", "acgt", "abcdefghij"])
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        pair.check("MSET", "a", a or "x", "b", b or "y")
        pair.check("LCS", "a", "b")
        pair.check("LCS", "a", "b", "IDX", "WITHMATCHLEN")
        pair.check("LCS", "b", "a", "IDX", "MINMATCHLEN", "2")
        pair.check("LCS", "a", "b", "LEN")


def test_lcs_memory_limit(pair: Pair) -> None:
    for server in (pair.ours, pair.theirs):
        assert server.call("CONFIG", "SET", "proto-max-bulk-len", "1048576") == b"+OK\r\n"
    try:
        pair.run(
            ("MSET", "a", "x" * 511, "b", "y" * 511),
            ("LCS", "a", "b", "LEN"),
            ("SET", "b", "x" * 512),
            ("LCS", "a", "b", "LEN"),
            ("LCS", "a", "b"),
        )
    finally:
        for server in (pair.ours, pair.theirs):
            server.call("CONFIG", "SET", "proto-max-bulk-len", "536870912")


# ---- WATCH --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "write",
    [
        ("GETEX", "k", "EX", "100"),
        ("GETEX", "k", "PERSIST"),
        ("GETEX", "t", "PERSIST"),
        ("GETEX", "k"),
        ("SET", "k", "v", "NX"),
        ("SET", "k", "w", "XX", "KEEPTTL"),
        ("APPEND", "k", "x"),
        ("SETRANGE", "k", "0", ""),
        ("SETRANGE", "k", "0", "z"),
        ("INCRBYFLOAT", "n", "1.5"),
        ("INCR", "k"),
        ("INCRBY", "n", "0"),
        ("INCRBYFLOAT", "n", "0"),
        ("GETEX", "k", "PXAT", "1"),
        ("SET", "k", "v", "GET"),
        ("GETDEL", "k"),
        ("MSETNX", "k", "1", "other", "2"),
        ("SETBIT", "k", "1", "1"),
        ("SETBIT", "k", "1", "0"),
        ("SETBIT", "k", "0", "0"),
        ("SETBIT", "k", "100", "0"),
        ("BITOP", "NOT", "k", "k"),
        ("BITOP", "AND", "k", "missing"),
    ],
)
def test_writes_dirty_watched_keys_like_redis(pair: Pair, write: tuple[str, ...]) -> None:
    if pair.ours.call("WATCH", "probe").startswith(b"-ERR unknown command"):
        pytest.skip("WATCH is not served by this tree yet")
    pair.both("UNWATCH")
    pair.run(("SET", "k", "v"), ("SET", "n", "1"), ("SET", "t", "v", "EX", "100"), ("WATCH", "k", "n", "t"))
    pair.check(*write)
    pair.run(("MULTI",), ("PING",), ("EXEC",))
