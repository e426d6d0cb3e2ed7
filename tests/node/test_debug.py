"""DEBUG against a real Redis started with `enable-debug-command yes`: DIGEST / DIGEST-VALUE
must equal Redis's for the same data; OBJECT, POPULATE, SET-ACTIVE-EXPIRE and the no-ops answer
as Redis does; and with the setting off (the default) DEBUG is refused with Redis's text."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess


@pytest.fixture(scope="module")
def debug_servers() -> Iterator[tuple[NodeProcess, RedisProcess]]:
    ours = NodeProcess("--enable-debug-command", "yes")
    theirs = RedisProcess("--enable-debug-command", "yes")
    try:
        yield ours, theirs
    finally:
        ours.stop()
        theirs.stop()


@pytest.fixture
def dpair(debug_servers: tuple[NodeProcess, RedisProcess]) -> Iterator[Pair]:
    ours, theirs = RawClient(debug_servers[0].port), RawClient(debug_servers[1].port)
    for client in (ours, theirs):
        client.call("FLUSHALL")
    yield Pair(ours, theirs)
    ours.close()
    theirs.close()


def test_refused_by_default(pair: Pair) -> None:
    pair.check("DEBUG", "DIGEST")
    pair.check("DEBUG", "SLEEP", "0")
    pair.check("DEBUG", "NOPE")


def test_digest_of_every_type(dpair: Pair) -> None:
    dpair.check("DEBUG", "DIGEST")
    dpair.check("SET", "s", "hello")
    dpair.check("SET", "n", "12345")
    dpair.check("DEBUG", "DIGEST")
    dpair.check("RPUSH", "l", "a", "b", "1", "c")
    dpair.check("SADD", "set", "x", "y", "z")
    dpair.check("SADD", "ints", "1", "2", "300")
    dpair.check("HSET", "h", "f1", "v1", "f2", "v2")
    dpair.check("ZADD", "z", "1.5", "a", "2", "b", "-3", "c", "inf", "d")
    dpair.check("ZADD", "big", *[str(v) for i in range(200) for v in (i / 7, f"m{i}")])
    dpair.check("PFADD", "hll", "a", "b")
    dpair.check("SET", "vol", "x", "EX", "1000")
    dpair.check("DEBUG", "DIGEST")
    dpair.check("DEBUG", "DIGEST-VALUE", "s", "n", "l", "set", "ints", "h", "z", "big", "hll", "vol", "missing")
    dpair.check("DEBUG", "DIGEST-VALUE")
    dpair.check("SELECT", "5")
    dpair.check("SET", "s", "hello")
    dpair.check("DEBUG", "DIGEST")
    dpair.check("DEBUG", "digest", "extra")


def test_digest_of_streams(dpair: Pair) -> None:
    dpair.check("XADD", "st", "1-1", "f", "v", "g", "w")
    dpair.check("XADD", "st", "2-0", "f", "v2")
    dpair.check("DEBUG", "DIGEST-VALUE", "st")
    dpair.check("DEBUG", "DIGEST")


def test_object(dpair: Pair) -> None:
    dpair.check("SET", "s", "hello")
    dpair.check("SET", "n", "123")
    rng = random.Random(5)
    dpair.check("SET", "big", "".join(chr(rng.randint(33, 126)) for _ in range(100)))  # incompressible
    dpair.check("RPUSH", "l", "a", "b")
    dpair.check("HSET", "h", "a", "1")
    for key in ("s", "n", "big", "l", "h"):
        mine, real = dpair.both("DEBUG", "OBJECT", key)
        strip = re.compile(rb"Value at:0x[0-9a-f]+ |lru:\d+ lru_seconds_idle:\d+")
        assert strip.sub(b"", mine) == strip.sub(b"", real), (key, mine, real)
    dpair.check("DEBUG", "OBJECT", "missing")
    dpair.check("DEBUG", "OBJECT")
    dpair.check("DEBUG", "LISTPACK", "h")
    dpair.check("DEBUG", "LISTPACK", "l")
    dpair.check("DEBUG", "QUICKLIST", "l")
    dpair.check("DEBUG", "QUICKLIST", "h")
    dpair.check("DEBUG", "QUICKLIST", "l", "1")


def test_populate(dpair: Pair) -> None:
    dpair.check("SET", "key:1", "mine")
    dpair.check("DEBUG", "POPULATE", "3")
    dpair.check("MGET", "key:0", "key:1", "key:2", "key:3")
    dpair.check("DEBUG", "POPULATE", "2", "pre", "12")
    dpair.check("DEBUG", "POPULATE", "2", "cut", "3")
    dpair.check("MGET", "pre:0", "pre:1", "cut:1")
    dpair.check("DEBUG", "POPULATE", "2", "")
    dpair.check("EXISTS", ":0", ":1")
    for bad in (("-1",), ("x",), ("1", "a", "b"), ("1", "a", "-2"), ("1", "a", "2", "3")):
        dpair.check("DEBUG", "POPULATE", *bad)
    dpair.check("DBSIZE")


def test_misc_subcommands(dpair: Pair) -> None:
    for args in (
        ("SET-ACTIVE-EXPIRE", "0"),
        ("SET-ACTIVE-EXPIRE", "1"),
        ("SET-ACTIVE-EXPIRE", "x"),
        ("SET-ACTIVE-EXPIRE",),
        ("SLEEP", "0"),
        ("SLEEP", "0.01"),
        ("CHANGE-REPL-ID",),
        ("QUICKLIST-PACKED-THRESHOLD", "100"),
        ("SET-SKIP-CHECKSUM-VALIDATION", "1"),
        ("PAUSE-CRON", "0"),
        ("ERROR", "MYERR something"),
        ("LOG", "hello"),
        ("HELP",),
        ("JMAP",),
        ("STRINGMATCH-LEN",),
    ):
        dpair.check("DEBUG", *args)
