"""Bitmap commands against the real Redis 7.0: replies and errors must match byte for byte."""

from __future__ import annotations

import random

import pytest

from tests.node.conftest import Pair

WRONGTYPE_SETUP = ("RPUSH", "list", "x")


def test_setbit_getbit(pair: Pair) -> None:
    pair.run(
        ("SETBIT", "b", "7", "1"),
        ("GET", "b"),
        ("SETBIT", "b", "7", "1"),
        ("SETBIT", "b", "7", "0"),
        ("SETBIT", "b", "0", "1"),
        ("SETBIT", "b", "100", "0"),
        ("GET", "b"),
        ("STRLEN", "b"),
        ("GETBIT", "b", "0"),
        ("GETBIT", "b", "1"),
        ("GETBIT", "b", "100"),
        ("GETBIT", "b", "1000000"),
        ("GETBIT", "missing", "5"),
        ("SET", "s", "`"),
        ("GETBIT", "s", "1"),
        ("GETBIT", "s", "2"),
        ("SETBIT", "s", "7", "1"),
        ("GET", "s"),
        ("SET", "n", "1"),
        ("SETBIT", "n", "6", "1"),
        ("GET", "n"),
        ("SET", "t", "v", "EX", "100"),
        ("SETBIT", "t", "100", "1"),
        ("TTL", "t"),
    )


@pytest.mark.parametrize(
    ("offset", "value"),
    [
        ("-1", "1"),
        ("x", "1"),
        ("1.5", "1"),
        ("#1", "1"),
        ("4294967296", "1"),
        ("9223372036854775808", "1"),
        ("1", "2"),
        ("1", "-1"),
        ("1", "x"),
        ("1", ""),
        ("1", "01"),
        ("x", "x"),
        ("4294967296", "2"),
    ],
)
def test_setbit_getbit_errors(pair: Pair, offset: str, value: str) -> None:
    pair.check("SETBIT", "b", offset, value)
    pair.check("EXISTS", "b")
    pair.check("GETBIT", "b", offset)
    pair.check("GETBIT", "missing", offset)


def test_bitmap_wrong_type_and_arity(pair: Pair) -> None:
    pair.run(
        WRONGTYPE_SETUP,
        ("SETBIT", "list", "1", "1"),
        ("SETBIT", "list", "x", "1"),
        ("SETBIT", "list", "1", "5"),
        ("GETBIT", "list", "1"),
        ("GETBIT", "list", "x"),
        ("BITCOUNT", "list"),
        ("BITCOUNT", "list", "x"),
        ("BITPOS", "list", "1"),
        ("BITPOS", "list", "2"),
        ("BITPOS", "list", "1", "x"),
        ("BITOP", "AND", "d", "list"),
        ("BITOP", "OR", "list", "missing"),
        ("TYPE", "list"),
        ("SETBIT", "b", "1"),
        ("GETBIT", "b"),
        ("BITCOUNT",),
        ("BITPOS", "b"),
        ("BITOP", "AND", "d"),
    )


def test_bitcount(pair: Pair) -> None:
    pair.check("SET", "k", "foobar")
    pair.check("BITCOUNT", "k")
    for start, end in [
        (0, 0),
        (1, 1),
        (0, -1),
        (-2, -1),
        (-1, -2),
        (2, 1),
        (0, 100),
        (-100, 100),
        (-100, -50),
        (5, 5),
        (6, 6),
        (-6, -6),
        (-7, -7),
        (-9223372036854775808, 9223372036854775807),
    ]:
        pair.check("BITCOUNT", "k", start, end)
        pair.check("BITCOUNT", "k", start, end, "BYTE")
        pair.check("BITCOUNT", "k", start, end, "BIT")
    for start, end in [(5, 30), (1, 1), (7, 8), (-3, -1), (0, 47), (0, 48), (40, 47), (3, 4), (9, 9)]:
        pair.check("BITCOUNT", "k", start, end, "bit")
    pair.run(
        ("BITCOUNT", "k", "1"),
        ("BITCOUNT", "k", "x"),
        ("BITCOUNT", "k", "1", "x"),
        ("BITCOUNT", "k", "x", "1"),
        ("BITCOUNT", "k", "1", "2", "FOO"),
        ("BITCOUNT", "k", "-1", "-2", "FOO"),
        ("BITCOUNT", "k", "1", "2", "BIT", "x"),
        ("BITCOUNT", "k", "1", "2", b"BIT\x00x"),
        ("BITCOUNT", "missing"),
        ("BITCOUNT", "missing", "x"),
        ("BITCOUNT", "missing", "1", "2", "3", "4"),
        ("SET", "e", ""),
        ("BITCOUNT", "e"),
        ("BITCOUNT", "e", "0", "-1"),
        ("BITCOUNT", "e", "0", "-1", "BIT"),
        ("SET", "n", "1234"),
        ("BITCOUNT", "n"),
    )


def test_bitpos(pair: Pair) -> None:
    pair.run(
        ("SET", "k", b"\xff\xf0\x00"),
        ("BITPOS", "k", "0"),
        ("BITPOS", "k", "1"),
        ("SET", "z", b"\x00\x00\x00"),
        ("BITPOS", "z", "1"),
        ("BITPOS", "z", "0"),
        ("SET", "f", b"\xff\xff\xff"),
        ("BITPOS", "f", "0"),
        ("BITPOS", "f", "1"),
        ("BITPOS", "f", "0", "1"),
        ("BITPOS", "f", "0", "3"),
        ("BITPOS", "f", "0", "0", "-1"),
        ("BITPOS", "f", "0", "0", "100"),
        ("BITPOS", "f", "0", "0", "-1", "BIT"),
        ("BITPOS", "f", "0", "5", "2", "BIT"),
        ("SET", "e", ""),
        ("BITPOS", "e", "0"),
        ("BITPOS", "e", "1"),
        ("BITPOS", "e", "0", "0"),
        ("BITPOS", "missing", "0"),
        ("BITPOS", "missing", "1"),
        ("BITPOS", "missing", "1", "x"),
        ("BITPOS", "missing", "0", "1", "2", "FOO"),
        ("BITPOS", "missing", "2"),
        ("BITPOS", "missing", "x"),
        ("BITPOS", "k", "2"),
        ("BITPOS", "k", "-1"),
        ("BITPOS", "k", "1", "x"),
        ("BITPOS", "k", "1", "0", "x"),
        ("BITPOS", "k", "1", "0", "1", "FOO"),
        ("BITPOS", "k", "1", "0", "x", "FOO"),
        ("BITPOS", "k", "1", "x", "1", "FOO"),
        ("BITPOS", "k", "1", "0", "1", "BIT", "x"),
    )
    for value in (b"\x00\xff\xf0", b"\xff\xf0\x00", b"\x0f\x00\xff\x80", b"\xff\xff\x7f\xff"):
        pair.check("SET", "v", value)
        for bit in (0, 1):
            for start in (-9, -3, -1, 0, 1, 2, 3, 5, 20):
                pair.check("BITPOS", "v", bit, start)
                for end in (-20, -2, -1, 0, 1, 2, 7, 8, 15, 17, 31, 40):
                    pair.check("BITPOS", "v", bit, start, end)
                    pair.check("BITPOS", "v", bit, start, end, "BIT")
                    pair.check("BITPOS", "v", bit, start, end, "byte")


def test_bitop(pair: Pair) -> None:
    pair.run(
        ("SET", "a", b"\xff\x0f\x55"),
        ("SET", "b", b"\x0f\xf0"),
        ("SET", "c", b"\x01"),
        ("BITOP", "AND", "d", "a", "b"),
        ("GET", "d"),
        ("BITOP", "or", "d", "a", "b", "c"),
        ("GET", "d"),
        ("BITOP", "XOR", "d", "a", "b", "c"),
        ("GET", "d"),
        ("BITOP", "NOT", "d", "a"),
        ("GET", "d"),
        ("BITOP", "AND", "d", "a", "missing"),
        ("GET", "d"),
        ("BITOP", "OR", "d", "missing", "missing2"),
        ("EXISTS", "d"),
        ("BITOP", "NOT", "d", "missing"),
        ("SET", "d", "x", "EX", "100"),
        ("BITOP", "AND", "d", "a"),
        ("TTL", "d"),
        ("BITOP", "AND", "a", "a", "b"),
        ("GET", "a"),
        ("BITOP", "NOT", "d", "a", "b"),
        ("BITOP", "NOT", "d"),
        ("BITOP", "FOO", "d", "a"),
        ("BITOP", "ANDX", "d", "a"),
        ("BITOP", b"and\x00x", "d", "a"),
        ("SET", "e", ""),
        ("BITOP", "NOT", "d", "e"),
        ("EXISTS", "d"),
        WRONGTYPE_SETUP,
        ("BITOP", "AND", "d", "a", "list"),
        ("BITOP", "FOO", "d", "list"),
        ("BITOP", "NOT", "d", "list", "a"),
    )


def test_bitmaps_random(pair: Pair) -> None:
    rng = random.Random(5)
    for step in range(150):
        key = f"k{rng.randint(0, 3)}"
        choice = rng.random()
        if choice < 0.4:
            pair.check("SETBIT", key, rng.randint(0, 200), rng.randint(0, 1))
        elif choice < 0.55:
            pair.check("BITCOUNT", key, rng.randint(-30, 30), rng.randint(-30, 30), rng.choice(["BIT", "BYTE"]))
        elif choice < 0.75:
            args: list[object] = ["BITPOS", key, rng.randint(0, 1)]
            if rng.random() < 0.7:
                args.append(rng.randint(-30, 30))
                if rng.random() < 0.7:
                    args.append(rng.randint(-200, 200))
                    if rng.random() < 0.5:
                        args.append(rng.choice(["BIT", "BYTE"]))
            pair.check(*args)
        elif choice < 0.9:
            op = rng.choice(["AND", "OR", "XOR"])
            pair.check(
                "BITOP", op, f"k{rng.randint(0, 3)}", *(f"k{rng.randint(0, 4)}" for _ in range(rng.randint(1, 3)))
            )
        else:
            pair.check("BITOP", "NOT", f"k{rng.randint(0, 3)}", key)
        if step % 10 == 0:
            pair.check("GET", key)
