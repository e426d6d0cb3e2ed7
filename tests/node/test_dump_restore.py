"""DUMP and RESTORE against a real Redis 7.0: identical payloads where Redis's encoding is
deterministic, payloads accepted both ways for every type, and every error path of RESTORE.
"""

from __future__ import annotations

import struct
import time

import pytest
import redis

from miniredis_node.persistence.crc64 import crc64
from tests.node.conftest import Pair
from tests.node.test_rdb import populate, snapshot
from tests.support import RawClient


def _client(raw: RawClient) -> redis.Redis:
    return redis.Redis(port=raw.sock.getpeername()[1])


def payload(body: bytes, version: int = 10) -> bytes:
    """A DUMP payload around `body` (type + value) with a correct checksum."""
    data = body + struct.pack("<H", version)
    return data + struct.pack("<Q", crc64(0, data))


# ---- DUMP -----------------------------------------------------------------------------------------
def test_dump_is_byte_identical_for_deterministic_encodings(pair: Pair) -> None:
    """Redis LZF-compresses serialized strings over 20 bytes when that saves room, and its output
    depends on what it compressed before (an uninitialised hash table), so identical bytes are
    expected where nothing is compressible: short values, and longer ones without repeats."""
    pair.run(
        ("SET", "s", "hello"),
        ("SET", "i8", "-7"),
        ("SET", "i16", "1234"),
        ("SET", "i32", "-2000000000"),
        ("SET", "i64", "12345678901"),
        ("SET", "raw", "abcdefghijklmnopqrstuvwxyz0123456789"),
        ("SET", "empty", ""),
        ("RPUSH", "list", "a", "1", "-5", "5000", "100000", "", "9223372036854775807"),
        ("HSET", "hash", "f", "v", "n", "12"),
        ("SADD", "intset", "1", "2", "-3"),
        ("ZADD", "zset", "1.5", "a", "-2", "b"),
        ("ZADD", "zset2", "inf", "c", "0", "d"),
    )
    for i in range(200):  # a skiplist: ZSET_2 with binary doubles, highest first
        pair.check("ZADD", "bigzset", str(i / 7), f"m{i}")
    for key in ("s", "i8", "i16", "i32", "i64", "raw", "empty", "list", "hash", "intset", "zset", "zset2"):
        pair.check("DUMP", key)
    pair.check("DUMP", "bigzset")
    pair.check("DUMP", "missing")
    pair.check("DUMP")
    pair.check("DUMP", "a", "b")


def test_dump_of_an_expired_key_is_nil(pair: Pair) -> None:
    pair.check("SET", "k", "v", "PX", "1")
    time.sleep(0.01)
    pair.check("DUMP", "k")


# ---- RESTORE: errors --------------------------------------------------------------------------------
def test_restore_errors_match_redis(pair: Pair) -> None:
    good = payload(b"\x00\x05hello")
    pair.check("RESTORE", "k", "0")
    pair.check("RESTORE", "k", "0", "bad-payload")
    pair.check("RESTORE", "k", "notanumber", good)
    pair.check("RESTORE", "k", "-1", good)
    pair.check("RESTORE", "k", "0", good, "REPLACE", "IDLETIME", "-1")
    pair.check("RESTORE", "k", "0", good, "IDLETIME", "x")
    pair.check("RESTORE", "k", "0", good, "FREQ", "256")
    pair.check("RESTORE", "k", "0", good, "FREQ", "-1")
    pair.check("RESTORE", "k", "0", good, "IDLETIME", "1", "FREQ", "2")
    pair.check("RESTORE", "k", "0", good, "FREQ", "2", "IDLETIME", "1")
    pair.check("RESTORE", "k", "0", good, "IDLETIME")
    pair.check("RESTORE", "k", "0", good, "BOGUS")
    pair.check("RESTORE", "k", "0", payload(b"\x00\x05hello", version=11))  # from a newer Redis
    pair.check("RESTORE", "k", "0", good[:-1] + bytes([good[-1] ^ 1]))  # checksum
    pair.check("RESTORE", "k", "0", payload(b"\x63garbage"))  # unknown type
    pair.check("RESTORE", "k", "0", payload(b"\x00\x3fshort"))  # truncated string
    pair.check("RESTORE", "k", "0", payload(b"\x0b\x03abc"))  # a malformed intset
    pair.check("EXISTS", "k")
    pair.check("RESTORE", "k", "0", good)
    pair.check("GET", "k")
    pair.check("RESTORE", "k", "0", good)  # BUSYKEY
    pair.check("RESTORE", "k", "notanumber", good)  # BUSYKEY comes before the TTL check
    pair.check("RESTORE", "k", "0", "bad-payload", "REPLACE")
    pair.check("RESTORE", "k", "0", payload(b"\x00\x02hi"), "REPLACE", "REPLACE")
    pair.check("GET", "k")


def test_restore_ttls(pair: Pair) -> None:
    good = payload(b"\x00\x05hello")
    pair.check("RESTORE", "k", "100000", good)
    ours, theirs = pair.both("PTTL", "k")
    assert 99_000 < int(ours[1:]) <= 100_000 and 99_000 < int(theirs[1:]) <= 100_000
    when = int(time.time() * 1000) + 500_000
    pair.check("RESTORE", "abs", str(when), good, "ABSTTL")
    pair.check("PEXPIRETIME", "abs")
    pair.check("RESTORE", "past", "1000", good, "ABSTTL")  # already expired: OK, and no key
    pair.check("EXISTS", "past")
    pair.check("SET", "old", "v")
    pair.check("RESTORE", "old", "1000", good, "ABSTTL", "REPLACE")  # replaced by nothing
    pair.check("EXISTS", "old")
    pair.check("SET", "v", "x", "EX", "100")
    pair.check("RESTORE", "v", "0", good, "REPLACE")  # the TTL goes with the old value
    pair.check("TTL", "v")
    pair.check("RESTORE", "idle", "0", good, "IDLETIME", "100", "ABSTTL")
    pair.check("RESTORE", "freq", "0", good, "FREQ", "100")
    pair.check("MGET", "idle", "freq")


def test_restore_wrong_type_payload_replaces_any_type(pair: Pair) -> None:
    pair.check("RPUSH", "k", "a")
    pair.check("RESTORE", "k", "0", payload(b"\x00\x02hi"), "REPLACE")
    pair.check("TYPE", "k")
    pair.check("GET", "k")


# ---- payloads both ways ---------------------------------------------------------------------------
def _copy_keys(source: redis.Redis, target: redis.Redis) -> None:
    """DUMP every key of every database of `source` and RESTORE it into `target`."""
    for db in range(16):
        source.execute_command("SELECT", db)
        target.execute_command("SELECT", db)
        for key in source.keys("*"):
            data = source.dump(key)
            when = source.execute_command("PEXPIRETIME", key)
            ttl = when if when > 0 else 0
            assert target.restore(key, ttl, data, absttl=True) in (True, b"OK")
    source.execute_command("SELECT", 0)
    target.execute_command("SELECT", 0)


@pytest.mark.parametrize("direction", ["redis-to-node", "node-to-redis"])
def test_dump_payloads_travel_both_ways(pair: Pair, direction: str) -> None:
    ours, theirs = _client(pair.ours), _client(pair.theirs)
    try:
        source, target = (theirs, ours) if direction == "redis-to-node" else (ours, theirs)
        populate(source)
        _copy_keys(source, target)
        copied, original = snapshot(target), snapshot(source)
        assert copied.keys() == original.keys()
        for key in original:
            assert copied[key] == original[key], key
        # A second copy from the copy closes the loop.
        target.flushall()
        _copy_keys(source, target)
        assert snapshot(target) == original
    finally:
        for client in (ours, theirs):
            client.flushall()
            client.close()
