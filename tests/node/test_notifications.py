"""Keyspace notifications against a real Redis: the same commands on both servers must publish
the same `__keyspace@N__:<key>` / `__keyevent@N__:<event>` messages, in the same order, to a
subscriber on each (RESP2 and RESP3); and the setting parses and prints as Redis's does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess


class Subscribers:
    """A pattern subscriber on each server; `drain()` returns what each received so far."""

    def __init__(self, ours: RawClient, theirs: RawClient, resp: int) -> None:
        self.clients = (ours, theirs)
        self.resp = resp
        for client in self.clients:
            if resp == 3:
                client.call("HELLO", "3")
            client.call("PSUBSCRIBE", "__key*__:*")

    def drain(self) -> tuple[list[bytes], list[bytes]]:
        received: list[list[bytes]] = []
        for client in self.clients:
            client.send("PING")  # its reply marks the end of what was published before it
            messages = []
            while True:
                reply = client.read_reply()
                if b"PONG" in reply.upper() and b"message" not in reply:
                    break
                messages.append(reply)
            received.append(messages)
        return received[0], received[1]


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def events(request: Any, node_server: NodeProcess, redis_server: RedisProcess, pair: Pair) -> Iterator[Subscribers]:
    ours, theirs = RawClient(node_server.port), RawClient(redis_server.port)
    pair.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        yield Subscribers(ours, theirs, request.param)
    finally:
        pair.both("CONFIG", "SET", "notify-keyspace-events", "")
        ours.close()
        theirs.close()


def run(pair: Pair, events: Subscribers, *commands: tuple[Any, ...], unordered: bool = False) -> None:
    for args in commands:
        pair.check(*args, unordered=unordered)
        mine, real = events.drain()
        assert mine == real, f"{args!r}\n ours: {mine!r}\n redis: {real!r}"


def test_setting_parses_and_prints_like_redis(pair: Pair) -> None:
    try:
        for value in ("KEA", "An", "Anm", "gx", "$lshzxetdn", "Kgm", "E", "", "AAg", "nK", "Kx$"):
            pair.check("CONFIG", "SET", "notify-keyspace-events", value)
            pair.check("CONFIG", "GET", "notify-keyspace-events")
        for bad in ("Aq", "K E", "a", "KEA!"):
            pair.check("CONFIG", "SET", "notify-keyspace-events", bad)
            pair.check("CONFIG", "GET", "notify-keyspace-events")
    finally:
        pair.both("CONFIG", "SET", "notify-keyspace-events", "")


def test_string_and_generic_events(pair: Pair, events: Subscribers) -> None:
    run(
        pair,
        events,
        ("SET", "k", "v"),
        ("SET", "k", "v2", "EX", "100"),
        ("SET", "k", "v3", "KEEPTTL", "GET"),
        ("SET", "k", "v4", "NX"),
        ("SETNX", "n", "1"),
        ("SETEX", "e", "100", "x"),
        ("PSETEX", "e", "100000", "x"),
        ("GETSET", "k", "v5"),
        ("MSET", "a", "1", "b", "2"),
        ("MSETNX", "c", "1", "d", "2"),
        ("APPEND", "a", "x"),
        ("APPEND", "new", "x"),
        ("SETRANGE", "a", "5", "y"),
        ("SETRANGE", "a", "0", ""),
        ("INCR", "n"),
        ("DECRBY", "n", "5"),
        ("INCRBYFLOAT", "n", "1.5"),
        ("GETEX", "k", "EX", "50"),
        ("GETEX", "k", "PERSIST"),
        ("GETEX", "k", "PXAT", "1"),
        ("GETDEL", "a"),
        ("SETBIT", "bits", "7", "1"),
        ("SETBIT", "bits", "7", "1"),
        ("BITOP", "OR", "dest", "bits", "missing"),
        ("BITOP", "OR", "dest", "missing"),
        ("BITFIELD", "bf", "SET", "u8", "0", "1"),
        ("PFADD", "hll", "a"),
        ("PFADD", "hll", "a"),
        ("PFMERGE", "hll2", "hll"),
        ("EXPIRE", "b", "100"),
        ("PEXPIRE", "b", "100", "NX"),
        ("PERSIST", "b"),
        ("PERSIST", "b"),
        ("EXPIRE", "b", "-1"),
        ("RENAME", "c", "c2"),
        ("RENAMENX", "c2", "d"),
        ("COPY", "d", "d2"),
        ("COPY", "d", "d2", "REPLACE"),
        ("COPY", "d", "d3", "DB", "1"),
        ("MOVE", "d", "2"),
        ("DEL", "d2", "missing", "n"),
        ("UNLINK", "e", "new"),
    )


def test_list_events(pair: Pair, events: Subscribers) -> None:
    run(
        pair,
        events,
        ("RPUSH", "l", "a", "b", "c", "d", "e"),
        ("LPUSH", "l", "z"),
        ("LPUSHX", "l", "y"),
        ("RPUSHX", "missing", "y"),
        ("LINSERT", "l", "BEFORE", "a", "q"),
        ("LINSERT", "l", "BEFORE", "nope", "q"),
        ("LSET", "l", "0", "w"),
        ("LPOP", "l"),
        ("RPOP", "l", "2"),
        ("LREM", "l", "0", "q"),
        ("LMOVE", "l", "l2", "LEFT", "RIGHT"),
        ("RPOPLPUSH", "l", "l2"),
        ("LMPOP", "2", "missing", "l", "LEFT", "COUNT", "1"),
        ("LTRIM", "l", "5", "10"),
        ("RPUSH", "m", "a"),
        ("LMOVE", "m", "m", "LEFT", "LEFT"),
        ("LMOVE", "m", "m2", "LEFT", "LEFT"),
        ("BLPOP", "l2", "0"),
        ("BRPOP", "l2", "0"),
        ("LREM", "l2", "0", "x"),
        ("RPUSH", "sorted", "3", "1", "2"),
        ("SORT", "sorted", "STORE", "dst"),
        ("SORT", "missing", "STORE", "dst"),
    )


def test_hash_set_zset_events(pair: Pair, events: Subscribers) -> None:
    run(
        pair,
        events,
        ("HSET", "h", "a", "1", "b", "2"),
        ("HMSET", "h", "c", "3"),
        ("HSETNX", "h", "c", "3"),
        ("HSETNX", "h", "d", "4"),
        ("HINCRBY", "h", "a", "5"),
        ("HINCRBYFLOAT", "h", "a", "0.5"),
        ("HDEL", "h", "a", "zz"),
        ("HDEL", "h", "b", "c", "d"),
        ("SADD", "s", "a", "b", "c", "d"),
        ("SADD", "s", "a"),
        ("SREM", "s", "a", "zz"),
        ("SMOVE", "s", "s2", "b"),
        ("SMOVE", "s", "s2", "nope"),
        ("SPOP", "s2"),
        ("SADD", "t", "x", "y"),
        ("SINTERSTORE", "st", "s", "t"),
        ("SUNIONSTORE", "st", "s", "t"),
        ("SDIFFSTORE", "st", "s", "t"),
        ("SINTERSTORE", "st", "s", "missing"),
    )
    # Popping a whole hashtable-encoded set returns it in Redis's hash order: compare as a set.
    run(pair, events, ("SPOP", "t", "5"), unordered=True)
    run(
        pair,
        events,
        ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"),
        ("ZADD", "z", "1", "a"),
        ("ZADD", "z", "INCR", "5", "a"),
        ("ZINCRBY", "z", "0", "a"),
        ("ZINCRBY", "z", "1", "a"),
        ("ZREM", "z", "a", "nope"),
        ("ZPOPMIN", "z"),
        ("ZPOPMAX", "z", "0"),
        ("ZADD", "z2", "1", "x", "2", "y", "3", "w"),
        ("ZUNIONSTORE", "zu", "2", "z", "z2"),
        ("ZINTERSTORE", "zu", "2", "z", "z2"),
        ("ZDIFFSTORE", "zd", "1", "z2"),
        ("ZRANGESTORE", "zr", "z2", "0", "0"),
        ("ZRANGESTORE", "zr", "z2", "5", "6"),
        ("ZREMRANGEBYRANK", "zd", "0", "0"),
        ("ZREMRANGEBYSCORE", "zd", "-inf", "2"),
        ("ZREMRANGEBYLEX", "zd", "-", "+"),
        ("ZMPOP", "1", "z2", "MAX", "COUNT", "5"),
        ("BZPOPMIN", "z", "0"),
    )


def test_random_pops(pair: Pair, events: Subscribers) -> None:
    # Which member goes is random; the events are not.
    pair.check("SADD", "s", "a", "b", "c", "d", "e")
    for args in (("SPOP", "s"), ("SPOP", "s", "2"), ("SPOP", "s", "1"), ("SPOP", "s", "3")):
        pair.both(*args)
        mine, real = events.drain()
        assert mine == real, f"{args!r}\n ours: {mine!r}\n redis: {real!r}"


def test_expired_events(pair: Pair, events: Subscribers) -> None:
    run(pair, events, ("SET", "short", "v", "PX", "1"), ("SET", "other", "v", "PX", "1"))
    time.sleep(0.05)
    # Lazy expiry on access or the active cycle, whichever comes first: the same events, though
    # not necessarily at the same command.
    pair.check("GET", "short")
    pair.check("EXISTS", "other")
    mine, real = events.drain()
    assert sorted(mine) == sorted(real) and len(real) == 4


def test_classes_filter_events(pair: Pair, events: Subscribers) -> None:
    for classes in ("Kl", "E$", "Eg", "Kh", "s", "Ez", "KEx", "g$lshz"):
        pair.check("CONFIG", "SET", "notify-keyspace-events", classes)
        run(
            pair,
            events,
            ("SET", "k", "v", "EX", "100"),
            ("RPUSH", "l", "a"),
            ("HSET", "h", "f", "v"),
            ("SADD", "s", "m"),
            ("ZADD", "z", "1", "m"),
            ("DEL", "k", "l", "h", "s", "z"),
        )


def test_multiple_databases(pair: Pair, events: Subscribers) -> None:
    run(pair, events, ("SELECT", "3"), ("SET", "k", "v"), ("RPUSH", "l", "x"), ("FLUSHDB",), ("SELECT", "0"))


def test_new_key_and_key_miss_events(pair: Pair, events: Subscribers) -> None:
    """Classes `n` (a key enters the keyspace) and `m` (a read finds no key): neither is in `A`."""
    pair.check("CONFIG", "SET", "notify-keyspace-events", "KEAnm")
    run(
        pair,
        events,
        ("SET", "k", "v"),
        ("SET", "k", "w"),
        ("GET", "k"),
        ("GET", "missing"),
        ("MGET", "k", "missing", "gone"),
        ("EXISTS", "missing"),
        ("TYPE", "missing"),
        ("STRLEN", "missing"),
        ("INCR", "counter"),
        ("INCR", "counter"),
        ("MSET", "a", "1", "b", "2", "a", "3"),
        ("SETNX", "k", "x"),
        ("RPUSH", "list", "x"),
        ("RPUSH", "list", "y"),
        ("LLEN", "nolist"),
        ("LPOP", "nolist"),
        ("HSET", "hash", "f", "v"),
        ("HGET", "nohash", "f"),
        ("SADD", "set", "m"),
        ("SCARD", "noset"),
        ("ZADD", "zset", "1", "m"),
        ("ZSCORE", "nozset", "m"),
        ("RENAME", "k", "k2"),
        ("COPY", "k2", "k3"),
        ("APPEND", "appended", "x"),
        ("HGETALL", "nohash"),
        ("SMEMBERS", "noset"),
        ("ZRANGE", "nozset", "0", "-1"),
        ("LRANGE", "nolist", "0", "-1"),
        ("GETDEL", "missing"),
        ("SETEX", "sx", "100", "v"),
        ("SET", "sg", "v", "GET"),
        ("TTL", "missing"),
        ("DUMP", "missing"),
        ("SINTER", "noset", "set"),
        ("BITCOUNT", "missing"),
        ("XLEN", "nostream"),
        ("PFCOUNT", "nohll"),
        ("DEL", "a", "b", "k2", "k3", "list", "hash", "set", "zset", "counter", "appended", "sx", "sg"),
    )
    pair.check("CONFIG", "SET", "notify-keyspace-events", "KEn")  # `n` alone: no type events
    run(pair, events, ("SET", "fresh", "v"), ("GET", "nothing"), ("DEL", "fresh"))
