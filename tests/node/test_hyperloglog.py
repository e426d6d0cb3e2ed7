"""HyperLogLog: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST against a real Redis.

The values must be byte-identical to Redis's (they travel through DUMP/RESTORE and RDB files),
so most tests build HLLs with the same commands on both servers and compare `GET key`.
"""

from __future__ import annotations

import random

from tests.node.conftest import Pair


def _elements(count: int, seed: int, prefix: str = "e") -> list[str]:
    rng = random.Random(seed)
    return [f"{prefix}{rng.getrandbits(40)}" for _ in range(count)]


def test_pfadd_builds_identical_sparse_values(pair: Pair) -> None:
    pair.check("PFADD", "h")
    pair.check("GET", "h")
    pair.check("PFADD", "h", "a", "b", "c")
    pair.check("GET", "h")
    pair.check("PFADD", "h", "a")
    pair.check("PFADD", "h2", "")
    pair.check("GET", "h2")
    pair.check("PFDEBUG", "DECODE", "h")
    pair.check("PFDEBUG", "ENCODING", "h")
    pair.check("PFCOUNT", "h")
    pair.check("GET", "h")  # the cache written by PFCOUNT


def test_sparse_growth_merging_and_promotion(pair: Pair) -> None:
    # Batches small enough to go through every sparse case, then past 3000 bytes to dense.
    elements = _elements(3000, 1)
    for start in range(0, len(elements), 50):
        pair.check("PFADD", "h", *elements[start : start + 50])
        if start % 500 == 0:
            pair.check("GET", "h")
            pair.check("PFCOUNT", "h")
    pair.check("PFDEBUG", "ENCODING", "h")
    pair.check("GET", "h")
    pair.check("PFCOUNT", "h")
    pair.check("STRLEN", "h")


def test_adjacent_values_merge(pair: Pair) -> None:
    # Many one-element adds in a narrow pattern exercise the VAL merge step.
    for element in _elements(400, 2, "x"):
        pair.check("PFADD", "h", element)
    pair.check("PFDEBUG", "DECODE", "h")
    pair.check("GET", "h")


def test_dense_values_and_counts(pair: Pair) -> None:
    elements = _elements(20000, 3)
    for start in range(0, len(elements), 2000):
        pair.check("PFADD", "h", *elements[start : start + 2000])
    pair.check("GET", "h")
    pair.check("PFCOUNT", "h")
    pair.check("PFADD", "h", *elements[:100])
    pair.check("PFDEBUG", "GETREG", "h")
    pair.check("PFDEBUG", "DECODE", "h")
    pair.check("PFDEBUG", "TODENSE", "h")


def test_todense_and_getreg_convert(pair: Pair) -> None:
    pair.check("PFADD", "h", "a", "b", "c", "d")
    pair.check("PFDEBUG", "TODENSE", "h")
    pair.check("PFDEBUG", "ENCODING", "h")
    pair.check("GET", "h")
    pair.check("PFADD", "g", "x", "y")
    pair.check("PFDEBUG", "GETREG", "g")
    pair.check("GET", "g")
    pair.check("PFADD", "g", "z")
    pair.check("GET", "g")


def test_pfcount_several_keys(pair: Pair) -> None:
    pair.check("PFADD", "a", *_elements(100, 4))
    pair.check("PFADD", "b", *_elements(5000, 5))
    pair.check("PFADD", "c", *_elements(100, 4), *_elements(10, 6))
    pair.check("PFCOUNT", "a", "b")
    pair.check("PFCOUNT", "a", "c", "missing")
    pair.check("PFCOUNT", "missing", "other")
    pair.check("PFCOUNT", "missing")
    pair.check("GET", "a")  # no cache is written by a multi-key count
    pair.check("GET", "b")


def test_pfmerge(pair: Pair) -> None:
    pair.check("PFADD", "a", *_elements(50, 7))
    pair.check("PFADD", "b", *_elements(60, 8))
    pair.check("PFMERGE", "dst", "a", "b")
    pair.check("GET", "dst")
    pair.check("PFCOUNT", "dst")
    pair.check("PFMERGE", "a", "b")
    pair.check("GET", "a")
    pair.check("PFMERGE", "empty")
    pair.check("GET", "empty")
    pair.check("PFMERGE", "empty2", "nothing")
    pair.check("GET", "empty2")
    pair.check("PFADD", "big", *_elements(8000, 9))
    pair.check("PFMERGE", "dst2", "a", "big")
    pair.check("GET", "dst2")
    pair.check("PFMERGE", "a", "big")
    pair.check("GET", "a")
    pair.check("PFCOUNT", "a")
    # Many sparse sources whose union outgrows the sparse limit: promoted while merging.
    for i in range(6):
        pair.check("PFADD", f"s{i}", *_elements(300, 10 + i))
    pair.check("PFMERGE", "union", *[f"s{i}" for i in range(6)])
    pair.check("GET", "union")
    pair.check("PFCOUNT", "union")


def test_ttl_kept_and_type(pair: Pair) -> None:
    pair.check("PFADD", "h", "a")
    pair.check("EXPIRE", "h", 100)
    pair.check("PFADD", "h", "b")
    pair.check("TTL", "h")
    pair.check("PFCOUNT", "h")
    pair.check("TTL", "h")
    pair.check("TYPE", "h")


def test_errors(pair: Pair) -> None:
    pair.check("SET", "s", "foo")
    pair.check("SET", "n", "12345")
    pair.check("LPUSH", "l", "a")
    pair.check("SET", "fake", b"HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + b"\x00" * 10)
    pair.check("SET", "badenc", b"HYLL\x02" + b"\x00" * 20)
    for key in ("s", "n", "l", "fake", "badenc"):
        pair.check("PFADD", key, "x")
        pair.check("PFCOUNT", key)
        pair.check("PFCOUNT", key, "s")
        pair.check("PFMERGE", "dst", key)
        pair.check("PFDEBUG", "ENCODING", key)
    pair.check("PFADD")
    pair.check("PFCOUNT")
    pair.check("PFMERGE")
    pair.check("PFDEBUG", "GETREG")
    pair.check("PFDEBUG", "GETREG", "h", "x")
    pair.check("PFDEBUG", "GETREG", "missing")
    pair.check("PFADD", "h", "a")
    pair.check("PFDEBUG", "NOPE", "h")
    pair.check("PFSELFTEST", "x")
    pair.check("PFSELFTEST")


def test_corrupt_sparse(pair: Pair) -> None:
    # A sparse header whose code covers fewer than 16384 registers.
    pair.check("SET", "short", b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" + b"\x7f\x00")
    pair.check("PFCOUNT", "short")
    pair.check("PFCOUNT", "short", "short")
    pair.check("PFMERGE", "d", "short")
    pair.check("PFDEBUG", "DECODE", "short")
    pair.check("PFDEBUG", "TODENSE", "short")
    # A dense HLL whose cache is valid is answered from the cache.
    pair.check("SET", "cached", b"HYLL\x00\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00" + b"\x00" * 12288)
    pair.check("PFCOUNT", "cached")
