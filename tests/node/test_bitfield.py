"""BITFIELD and BITFIELD_RO against a real Redis: types, offsets, overflow modes, errors."""

from __future__ import annotations

import random

import pytest

from tests.node.conftest import Pair


def test_get_set_incrby_basics(pair: Pair) -> None:
    pair.check("BITFIELD", "k", "SET", "i8", "0", "100", "GET", "i8", "0", "GET", "u4", "0")
    pair.check("GET", "k")
    pair.check("BITFIELD", "k", "INCRBY", "u2", "100", "1", "GET", "u2", "100")
    pair.check("GET", "k")
    pair.check("BITFIELD", "k", "SET", "u8", "#3", "255", "GET", "u8", "24", "GET", "i8", "#3")
    pair.check("BITFIELD", "k", "GET", "i64", "0", "GET", "u63", "1", "GET", "i1", "7", "GET", "u1", "7")
    pair.check("BITFIELD", "k")
    pair.check("BITFIELD", "missing")
    pair.check("BITFIELD", "missing", "GET", "u8", "1000")
    pair.check("EXISTS", "missing")
    pair.check("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i5", "3")
    pair.check("BITFIELD_RO", "k")
    pair.check("BITFIELD", "new", "SET", "u1", "1000", "1")
    pair.check("GET", "new")
    pair.check("bitfield", "k", "get", "u8", "0", "set", "i16", "3", "-5", "incrby", "i16", "3", "-2")


@pytest.mark.parametrize("mode", ["WRAP", "SAT", "FAIL"])
def test_overflow_modes(pair: Pair, mode: str) -> None:
    for kind in ("u8", "i8", "u1", "i1", "u63", "i64", "i63", "u2", "i3"):
        key = f"k{kind}"
        for incr in ("1", "-1", "100", "-100", "9223372036854775807", "-9223372036854775808", "300"):
            pair.check("BITFIELD", key, "OVERFLOW", mode, "INCRBY", kind, "5", incr)
            pair.check("BITFIELD", key, "OVERFLOW", mode, "INCRBY", kind, "5", incr, "GET", kind, "5")
        for value in ("0", "127", "128", "-128", "-129", "255", "256", "-1", "9223372036854775807",
                      "-9223372036854775808"):  # fmt: skip
            pair.check("BITFIELD", key, "OVERFLOW", mode, "SET", kind, "3", value, "GET", kind, "3")
        pair.check("GET", key)


def test_random_operations(pair: Pair) -> None:
    rng = random.Random(7)
    for _ in range(300):
        args: list[str] = ["BITFIELD", "r"]
        for _ in range(rng.randint(1, 4)):
            signed = rng.random() < 0.5
            bits = rng.randint(1, 64 if signed else 63)
            kind = ("i" if signed else "u") + str(bits)
            offset = f"#{rng.randint(0, 8)}" if rng.random() < 0.3 else str(rng.randint(0, 200))
            op = rng.choice(["GET", "SET", "INCRBY", "OVERFLOW"])
            if op == "OVERFLOW":
                args += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL"])]
            elif op == "GET":
                args += ["GET", kind, offset]
            else:
                value = rng.choice([rng.randint(-(2**63), 2**63 - 1), rng.randint(-300, 300)])
                args += [op, kind, offset, str(value)]
        pair.check(*args)
    pair.check("GET", "r")


def test_errors(pair: Pair) -> None:
    pair.check("SET", "k", "x")
    pair.check("LPUSH", "l", "a")
    pair.check("BITFIELD")
    pair.check("BITFIELD_RO")
    pair.check("BITFIELD", "l", "GET", "u8", "0")
    pair.check("BITFIELD", "l", "SET", "u8", "0", "1")
    pair.check("BITFIELD_RO", "l", "GET", "u8", "0")
    pair.check("BITFIELD_RO", "k", "SET", "u8", "0", "1")
    pair.check("BITFIELD_RO", "k", "INCRBY", "u8", "0", "1")
    pair.check("BITFIELD_RO", "k", "GET", "u8", "0", "OVERFLOW", "SAT")
    pair.check("BITFIELD_RO", "l", "SET", "u8", "0", "1")
    for kind in ("u64", "i65", "u0", "i0", "x8", "U8", "I8", "u", "i", "u-1", "u08", "", "u 8"):
        pair.check("BITFIELD", "k", "GET", kind, "0")
    for offset in ("-1", "#-1", "abc", "#", "#abc", "1.5", "4294967296", "##1", " 1", "9223372036854775807"):
        pair.check("BITFIELD", "k", "GET", "u8", offset)
    pair.check("BITFIELD", "k", "GET", "u8", "#1152921504606846976")
    pair.check("BITFIELD", "k", "SET", "u8", "0", "abc")
    pair.check("BITFIELD", "k", "SET", "u8", "0", "1.0")
    pair.check("BITFIELD", "k", "INCRBY", "u8", "0", "99999999999999999999")
    pair.check("BITFIELD", "k", "OVERFLOW", "nope", "GET", "u8", "0")
    pair.check("BITFIELD", "k", "OVERFLOW")
    pair.check("BITFIELD", "k", "GET", "u8")
    pair.check("BITFIELD", "k", "SET", "u8", "0")
    pair.check("BITFIELD", "k", "INCRBY", "u8", "0")
    pair.check("BITFIELD", "k", "FOO", "u8", "0")
    pair.check("BITFIELD", "k", "SET", "u8", "0", "1", "GET", "x", "0")
    pair.check("GET", "k")  # nothing ran: the whole command was refused


def test_ttl_kept_and_watch(pair: Pair) -> None:
    pair.check("SET", "k", "abc", "EX", "100")
    pair.check("BITFIELD", "k", "SET", "u8", "64", "1")
    pair.check("TTL", "k")
    pair.check("GET", "k")
    pair.check("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "200", "10")
    pair.check("STRLEN", "k")
