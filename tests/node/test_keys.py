"""Generic key commands against a real Redis 7.0: DEL, EXISTS, TYPE, RENAME, COPY, MOVE, KEYS,
SCAN, RANDOMKEY, SWAPDB and OBJECT (expiry has its own file, test_expiry.py)."""

from __future__ import annotations

import random
import time

import pytest

import miniredis_node.commands  # noqa: F401 - fills the table
from miniredis_node.keyspace import INDEX_SLACK, Keyspace
from miniredis_node.table import COMMANDS
from tests.node.conftest import Pair
from tests.support import RawClient, parse_reply


def require(*names: str) -> None:
    """Skip when a command another module provides is not in the node yet."""
    missing = [name for name in names if name.encode() not in COMMANDS]
    if missing:
        pytest.skip(f"the node has no {', '.join(missing)} yet")


def test_del_unlink_exists_touch(pair: Pair) -> None:
    pair.run(("SET", "a", "1"), ("SET", "b", "2"), ("SET", "c", "3"))
    pair.check("EXISTS", "a", "a", "nokey", "b")
    pair.check("TOUCH", "a", "nokey", "c")
    pair.check("DEL", "a", "nokey", "a")
    pair.check("UNLINK", "b", "c", "nokey")
    pair.check("EXISTS", "a", "b", "c")
    for name in ("DEL", "UNLINK", "EXISTS", "TOUCH"):
        pair.check(name)


def test_type_of_every_kind(pair: Pair) -> None:
    pair.check("SET", "s", "v")
    pair.check("TYPE", "s")
    pair.check("TYPE", "nokey")
    pair.check("HSET", "h", "f", "v")
    pair.check("TYPE", "h")
    pair.check("TYPE")
    pair.check("TYPE", "a", "b")


def test_type_of_lists_sets_zsets(pair: Pair) -> None:
    require("rpush", "sadd", "zadd")
    pair.run(("RPUSH", "l", "a"), ("SADD", "st", "a"), ("ZADD", "z", "1", "a"))
    pair.run(("TYPE", "l"), ("TYPE", "st"), ("TYPE", "z"))


def test_rename_and_renamenx(pair: Pair) -> None:
    pair.check("RENAME", "nokey", "b")
    pair.check("RENAMENX", "nokey", "b")
    pair.check("SET", "a", "1")
    pair.check("RENAME", "a", "a")
    pair.check("RENAMENX", "a", "a")
    pair.check("EXPIRE", "a", "100")
    pair.check("RENAME", "a", "b")
    pair.check("GET", "a")
    pair.check("GET", "b")
    pair.check("TTL", "b")  # the TTL moves with the value
    pair.check("SET", "c", "3")
    pair.check("RENAMENX", "b", "c")
    pair.check("RENAMENX", "b", "d")
    pair.check("RENAME", "d", "c")  # overwrites, TTL included
    pair.check("TTL", "c")
    pair.check("HSET", "h", "f", "v")
    pair.check("RENAME", "h", "h2")
    pair.check("HGETALL", "h2")
    pair.check("RENAME", "x")
    pair.check("RENAMENX", "x", "y", "z")


def test_copy(pair: Pair) -> None:
    pair.check("COPY", "nokey", "b")
    pair.check("SET", "a", "1")
    pair.check("COPY", "a", "a")
    pair.check("COPY", "a", "b")
    pair.check("COPY", "a", "b")
    pair.check("COPY", "a", "b", "REPLACE")
    pair.check("SET", "a", "2")
    pair.check("GET", "b")
    pair.check("EXPIRE", "a", "100")
    pair.check("COPY", "a", "c")
    pair.check("TTL", "c")
    pair.check("COPY", "a", "a", "DB", "1")
    pair.check("SELECT", "1")
    pair.check("GET", "a")
    pair.check("TTL", "a")
    pair.check("SELECT", "0")
    pair.check("COPY", "a", "a", "DB", "0")
    for bad in (("DB", "16"), ("DB", "-1"), ("DB", "x"), ("DB", "99999999999"), ("DB",), ("FOO",), ("REPLACE", "x")):
        pair.check("COPY", "a", "z", *bad)
    pair.check("COPY", "a", "z", "db", "2", "replace", "replace")
    pair.check("COPY", "a")


def test_copy_is_deep(pair: Pair) -> None:
    pair.check("HSET", "h", "f", "v", "g", "w")
    pair.check("COPY", "h", "h2")
    pair.check("HSET", "h", "f", "changed")
    pair.check("HGET", "h2", "f")
    pair.check("HGETALL", "h2", unordered=True)


def test_copy_containers(pair: Pair) -> None:
    require("rpush", "sadd", "zadd")
    pair.run(("RPUSH", "l", "a", "b"), ("SADD", "s", "a", "b"), ("ZADD", "z", "1", "a", "2", "b"))
    for key in ("l", "s", "z"):
        pair.check("COPY", key, key + "2")
    pair.run(("RPUSH", "l", "c"), ("SADD", "s", "c"), ("ZADD", "z", "3", "c"))
    pair.check("LRANGE", "l2", "0", "-1")
    pair.check("SMEMBERS", "s2", unordered=True)
    pair.check("ZRANGE", "z2", "0", "-1", "WITHSCORES")


def test_move(pair: Pair) -> None:
    pair.check("MOVE", "nokey", "1")
    pair.check("SET", "a", "1")
    pair.check("MOVE", "a", "0")
    pair.check("MOVE", "a", "16")
    pair.check("MOVE", "a", "-1")
    pair.check("MOVE", "a", "x")
    pair.check("PEXPIRE", "a", "100000")
    pair.check("MOVE", "a", "1")
    pair.check("EXISTS", "a")
    pair.check("SELECT", "1")
    pair.check("GET", "a")
    pair.check("TTL", "a")
    pair.check("SET", "b", "in-1")
    pair.check("SELECT", "0")
    pair.check("SET", "b", "in-0")
    pair.check("MOVE", "b", "1")  # the target exists: nothing moves
    pair.check("GET", "b")
    pair.check("MOVE", "b")


def test_keys_patterns(pair: Pair) -> None:
    for key in ("hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "", "a[b", "foo:1", "foo:22"):
        pair.check("SET", key, "1")
    for pattern in (
        "*",
        "**",
        "h?llo",
        "h*llo",
        "h[ae]llo",
        "h[^e]llo",
        "h[a-b]llo",
        "h\\*llo",
        "foo:*",
        "foo:?",
        "a[b",
        "a\\[b",
        "nomatch",
        "",
        "?*",
    ):
        pair.check("KEYS", pattern, unordered=True)
    pair.check("KEYS")
    pair.check("KEYS", "a", "b")


def _scan_all(client: RawClient, *options: str) -> tuple[set[bytes], int]:
    seen: list[bytes] = []
    cursor = b"0"
    calls = 0
    while True:
        _, (cursor_bytes, (_, items)) = parse_reply(client.call("SCAN", cursor, *options))
        cursor = cursor_bytes
        seen.extend(items)
        calls += 1
        if cursor == b"0":
            return set(seen), calls


def test_scan_whole_keyspace_matches_redis(pair: Pair) -> None:
    for i in range(40):
        pair.check("SET", f"key:{i}", "v")
    pair.check("HSET", "hash:1", "f", "v")
    # With a COUNT larger than the keyspace both return everything in one call, cursor 0.
    pair.check("SCAN", "0", "COUNT", "1000", unordered=True)
    pair.check("SCAN", "0", "COUNT", "1000", "MATCH", "key:1*", unordered=True)
    pair.check("SCAN", "0", "COUNT", "1000", "MATCH", "*", unordered=True)
    pair.check("SCAN", "0", "COUNT", "1000", "TYPE", "hash", unordered=True)
    pair.check("SCAN", "0", "COUNT", "1000", "TYPE", "HASH", unordered=True)
    pair.check("SCAN", "0", "COUNT", "1000", "TYPE", "nosuchtype", unordered=True)
    pair.check("SCAN", "0", "MATCH", "key:*", "COUNT", "1000", "TYPE", "string", unordered=True)
    for client in (pair.ours, pair.theirs):
        keys, _ = _scan_all(client, "COUNT", "3")
        assert len(keys) == 41
        keys, _ = _scan_all(client, "MATCH", "key:2?")
        assert keys == {f"key:{i}".encode() for i in range(20, 30)}


def test_scan_empty_and_errors(pair: Pair) -> None:
    pair.check("SCAN", "0")
    for cursor in ("x", " 1", "1 ", "-", "+", "0x10", "18446744073709551616", "1.5"):
        pair.check("SCAN", cursor)
    pair.check("SCAN", "x", "COUNT", "0")  # the cursor is checked first
    for options in (
        ("COUNT", "0"),
        ("COUNT", "-1"),
        ("COUNT", "x"),
        ("COUNT",),
        ("MATCH",),
        ("TYPE",),
        ("FOO", "bar"),
        ("COUNT", "1", "MATCH"),
    ):
        pair.check("SCAN", "0", *options)
    pair.check("SCAN")


def test_scan_odd_cursors_are_accepted(pair: Pair) -> None:
    pair.check("SET", "a", "1")
    for cursor in ("", "-1", "+0", "18446744073709551615", "-18446744073709551615"):
        mine, real = pair.both("SCAN", cursor, "COUNT", "100")
        assert mine.startswith(b"*2\r\n$") and real.startswith(b"*2\r\n$"), (cursor, mine, real)


def test_scan_never_misses_a_key_present_for_the_whole_scan(node: RawClient) -> None:
    """Keys added and deleted while a scan runs: every key present from start to end is returned."""
    stable = {f"stable:{i}".encode() for i in range(300)}
    for key in sorted(stable):
        node.call("SET", key, "v")
    for i in range(100):
        node.call("SET", f"doomed:{i}", "v")
    seen: set[bytes] = set()
    cursor = b"0"
    step = 0
    while True:
        _, (cursor, (_, items)) = parse_reply(node.call("SCAN", cursor, "COUNT", "7"))
        seen.update(items)
        # Churn between calls: delete some keys, add new ones, delete and re-add others.
        node.call("DEL", f"doomed:{step}")
        node.call("SET", f"new:{step}", "v")
        node.call("DEL", f"new:{step // 2}")
        node.call("SET", f"new:{step // 2}", "again")
        step += 1
        if cursor == b"0":
            break
    assert stable <= seen
    assert step < 200  # it terminates without rescanning from the start over and over


def test_scan_survives_index_compaction(node: RawClient) -> None:
    """Heavy churn rebuilds the key index mid-scan; the scan restarts rather than miss keys."""
    stable = {f"stable:{i}".encode() for i in range(50)}
    for key in stable:
        node.call("SET", key, "v")
    _, (cursor, (_, first)) = parse_reply(node.call("SCAN", "0", "COUNT", "10"))
    seen = set(first)
    for i in range(3000):  # more than enough dead slots to trigger a compaction
        node.call("SET", f"tmp:{i}", "v")
        node.call("DEL", f"tmp:{i}")
    while cursor != b"0":
        _, (cursor, (_, items)) = parse_reply(node.call("SCAN", cursor, "COUNT", "10"))
        seen.update(items)
    assert stable <= seen


def _pipelined(client: RawClient, *commands: tuple[str, ...]) -> None:
    for command in commands:
        client.send(*command)
    for _ in commands:
        client.read_reply()


def test_the_key_whose_insert_compacts_the_index_is_still_scanned(pair: Pair) -> None:
    """Churn leaves dead index slots; the insert that finally triggers the rebuild must be in it
    (it once was not: SCAN, and so the dataset checks, never saw that key, though GET did)."""
    churn = [command for i in range(INDEX_SLACK) for command in (("SET", f"tmp:{i}", "v"), ("DEL", f"tmp:{i}"))]
    for client in (pair.ours, pair.theirs):
        _pipelined(client, *churn)
    for i in range(5):  # the first of these compacts; every one must be scanned afterwards
        pair.check("SET", f"kept:{i}", "v")
    for client in (pair.ours, pair.theirs):
        keys, _ = _scan_all(client, "COUNT", "2")
        assert keys == {f"kept:{i}".encode() for i in range(5)}


def test_a_ttl_set_as_the_expire_index_compacts_still_expires_actively(node: RawClient) -> None:
    """The same for the index the expire cycle samples: a volatile key nobody reads still goes."""
    _pipelined(node, *[("SET", f"tmp:{i}", "v", "EX", "1000") for i in range(INDEX_SLACK)])
    _pipelined(node, *[("PERSIST", f"tmp:{i}") for i in range(INDEX_SLACK)])  # dead expire slots
    node.call("SET", "short", "v", "PX", "50")  # its TTL's insert compacts the expire index
    deadline = time.monotonic() + 5  # DBSIZE counts keys without reading (and so reclaiming) them
    while parse_reply(node.call("DBSIZE")) != INDEX_SLACK and time.monotonic() < deadline:
        time.sleep(0.05)
    assert parse_reply(node.call("DBSIZE")) == INDEX_SLACK  # `short` went by the expire cycle


def test_every_insert_is_indexed_whatever_the_churn() -> None:
    """In-process, over every interleaving a few thousand random writes reach: each live key and
    each live TTL has a slot in its index, including right after the insert that compacted it."""
    rng = random.Random(5)
    db = Keyspace(1).dbs[0]
    for step in range(20000):
        key = b"k%d" % rng.randrange(20)  # few live keys, many dead slots: frequent rebuilds
        action = rng.randrange(4)
        if action == 0:
            db.delete(key)
        elif action == 1 and key in db.data:
            db.set_expire(key, 2**40)
        elif action == 2:
            db.persist(key)
        else:
            db.set(key, b"v", keep_ttl=True)
        assert set(db.data) <= set(db.index.slots), step
        assert set(db.expires) <= set(db.expire_index.slots), step


def test_scan_reclaims_expired_keys(pair: Pair) -> None:
    pair.check("SET", "a", "1")
    pair.check("SET", "b", "1")
    pair.check("PEXPIREAT", "a", "1")  # in the past: deleted now
    pair.check("SCAN", "0", "COUNT", "100")
    pair.check("DBSIZE")


def test_randomkey(pair: Pair) -> None:
    pair.check("RANDOMKEY")
    pair.check("SET", "only", "1")
    pair.check("RANDOMKEY")
    pair.check("RANDOMKEY", "x")
    for i in range(20):
        pair.ours.call("SET", f"k{i}", "v")
    picks = {parse_reply(pair.ours.call("RANDOMKEY")) for _ in range(200)}
    assert len(picks) > 5
    assert all(p == b"only" or p.startswith(b"k") for p in picks)


def test_randomkey_skips_and_reclaims_expired_keys(node: RawClient) -> None:
    node.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")  # harmless if DEBUG is not available
    for i in range(50):
        node.call("SET", f"gone{i}", "v")
        node.call("PEXPIRE", f"gone{i}", "1")
    node.call("SET", "alive", "v")
    import time

    time.sleep(0.01)
    for _ in range(5):
        assert node.call("RANDOMKEY") == b"$5\r\nalive\r\n"


def test_swapdb(pair: Pair) -> None:
    pair.check("SET", "a", "in-0")
    pair.check("SELECT", "1")
    pair.check("SET", "a", "in-1")
    pair.check("SET", "b", "only-1")
    pair.check("SWAPDB", "0", "1")
    pair.check("GET", "a")  # still db 1, which now holds db 0's data
    pair.check("GET", "b")
    pair.check("SELECT", "0")
    pair.check("GET", "a")
    pair.check("GET", "b")
    pair.check("SWAPDB", "0", "0")
    pair.check("DBSIZE")
    for args in (("0", "16"), ("16", "0"), ("x", "1"), ("0", "x"), ("0", "-1"), ("99999999999", "0"), ("0",)):
        pair.check("SWAPDB", *args)
    pair.check("SWAPDB", "1", "0")
    pair.check("FLUSHALL")


def test_object_encoding_strings(pair: Pair) -> None:
    values = [
        "1",
        "0",
        "-1",
        "123456789",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "01",
        "+1",
        " 1",
        "1.5",
        "",
        "a",
        "x" * 44,
        "x" * 45,
        "1" * 20,
        "1" * 21,
    ]
    for i, value in enumerate(values):
        pair.check("SET", f"s{i}", value)
        pair.check("OBJECT", "ENCODING", f"s{i}")
        pair.check("OBJECT", "REFCOUNT", f"s{i}")
    pair.check("OBJECT", "ENCODING", "nokey")
    pair.check("OBJECT", "REFCOUNT", "nokey")


def test_encoding_thresholds_default_like_redis(pair: Pair) -> None:
    for name in (
        "hash-max-listpack-entries",
        "hash-max-listpack-value",
        "set-max-intset-entries",
        "zset-max-listpack-entries",
        "zset-max-listpack-value",
        "list-max-listpack-size",
    ):
        pair.check("CONFIG", "GET", name)


def test_object_encoding_hashes(pair: Pair) -> None:
    # Pinned to Redis 7.0's default, so this test checks the encoding rule whatever config.py says.
    pair.check("CONFIG", "SET", "hash-max-listpack-entries", "512")
    pair.check("HSET", "small", "f", "v")
    pair.check("OBJECT", "ENCODING", "small")
    pair.check("HSET", "longvalue", "f", "v" * 65)
    pair.check("OBJECT", "ENCODING", "longvalue")
    pair.check("HSET", "edge", "f" * 64, "v" * 64)
    pair.check("OBJECT", "ENCODING", "edge")
    # Redis 7.0 defaults: hash-max-listpack-entries 512, hash-max-listpack-value 64.
    fields = [x for i in range(512) for x in (f"f{i}", "v")]
    pair.check("HSET", "many", *fields)
    pair.check("OBJECT", "ENCODING", "many")
    pair.check("HSET", "many", "one-more", "v")
    pair.check("OBJECT", "ENCODING", "many")


def test_object_encoding_lists_sets_zsets(pair: Pair) -> None:
    require("rpush", "sadd", "zadd")
    pair.check("RPUSH", "l", "a")
    pair.check("OBJECT", "ENCODING", "l")
    pair.check("RPUSH", "l2", *["x" * 100] * 200)
    pair.check("OBJECT", "ENCODING", "l2")
    pair.check("SADD", "ints", "1", "2", "-3")
    pair.check("OBJECT", "ENCODING", "ints")
    pair.check("SADD", "mixed", "1", "a")
    pair.check("OBJECT", "ENCODING", "mixed")
    pair.check("SADD", "bigints", *[str(i) for i in range(513)])
    pair.check("OBJECT", "ENCODING", "bigints")
    pair.check("SADD", "edgeints", *[str(i) for i in range(512)])
    pair.check("OBJECT", "ENCODING", "edgeints")
    pair.check("ZADD", "z", "1", "a")
    pair.check("OBJECT", "ENCODING", "z")
    pair.check("ZADD", "zlong", "1", "m" * 65)
    pair.check("OBJECT", "ENCODING", "zlong")
    members = [x for i in range(129) for x in (str(i), f"m{i}")]
    pair.check("ZADD", "zmany", *members)
    pair.check("OBJECT", "ENCODING", "zmany")


def test_object_encoding_follows_config_thresholds(pair: Pair) -> None:
    require("sadd")
    pair.check("CONFIG", "SET", "hash-max-listpack-entries", "2")
    pair.check("CONFIG", "SET", "set-max-intset-entries", "2")
    try:
        pair.check("HSET", "h", "a", "1", "b", "2")
        pair.check("OBJECT", "ENCODING", "h")
        pair.check("HSET", "h3", "a", "1", "b", "2", "c", "3")
        pair.check("OBJECT", "ENCODING", "h3")
        pair.check("SADD", "s", "1", "2", "3")
        pair.check("OBJECT", "ENCODING", "s")
    finally:
        pair.check("CONFIG", "SET", "hash-max-listpack-entries", "128")
        pair.check("CONFIG", "SET", "set-max-intset-entries", "512")


def test_object_freq_idletime_help_and_errors(pair: Pair) -> None:
    pair.check("SET", "a", "1")
    pair.check("OBJECT", "FREQ", "a")  # no LFU policy: an error
    pair.check("OBJECT", "FREQ", "nokey")  # a missing key answers nil before the policy check
    # Redis counts idle seconds on an LRU clock that ticks by the second (serverCron), so right
    # after the SET it says 0, or 1-2 when ticks fall between on a loaded machine; without an
    # LRU policy the node does not track access (README, known differences) and says 0.
    mine, real = (parse_reply(reply) for reply in pair.both("OBJECT", "IDLETIME", "a"))
    assert mine == 0 and isinstance(real, int) and 0 <= real <= 3
    pair.check("OBJECT", "IDLETIME", "nokey")
    pair.check("OBJECT", "HELP")
    pair.check("OBJECT", "help")
    pair.check("OBJECT", "HELP", "x")
    pair.check("OBJECT", "FOO", "a")
    pair.check("OBJECT")
    pair.check("OBJECT", "ENCODING")
    pair.check("OBJECT", "ENCODING", "a", "b")
    pair.check("OBJECT", "FREQ")


def test_object_under_lfu_policy(pair: Pair) -> None:
    pair.check("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    try:
        pair.check("SET", "a", "1")
        pair.check("OBJECT", "IDLETIME", "a")  # LFU: idle time is not tracked
        pair.check("OBJECT", "REFCOUNT", "a")  # maxmemory is 0: small integers are still shared
        mine, real = pair.both("OBJECT", "FREQ", "a")
        assert mine[:1] == real[:1] == b":"
    finally:
        pair.check("CONFIG", "SET", "maxmemory-policy", "noeviction")


def test_batch_and_replace_paths_keep_the_books_as_set_does() -> None:
    """`set_strings` (MSET's loop) and `replace_string` (INCR's) against `set` on a twin keyspace:
    the same data, TTLs dropped or kept, memory estimate (and its from-scratch recount), dirty
    count and index."""
    rng = random.Random(11)
    batch, single = Keyspace(1), Keyspace(1)
    for step in range(3000):
        pairs = [(b"k%d" % rng.randrange(40), rng.randbytes(rng.randrange(0, 70))) for _ in range(rng.randrange(1, 6))]
        argv = [b"MSET", *(part for pair in pairs for part in pair)]
        batch.dbs[0].set_strings(argv)
        for key, value in pairs:
            single.dbs[0].set(key, value)
        key = b"k%d" % rng.randrange(40)
        old = batch.dbs[0].data.get(key)
        if type(old) is bytes:  # INCR's in-place replacement, against set(keep_ttl=True)
            value = rng.randbytes(rng.randrange(0, 70))
            batch.dbs[0].replace_string(key, old, value)
            single.dbs[0].set(key, value, keep_ttl=True)
        if step % 7 == 0:  # some volatile keys and some other types to replace
            key = b"k%d" % rng.randrange(40)
            for keyspace in (batch, single):
                db = keyspace.dbs[0]
                if key in db.data:
                    db.set_expire(key, 2**40)
                db.delete(b"k%d" % (step % 40))
        mine, theirs = batch.dbs[0], single.dbs[0]
        assert mine.data == theirs.data and mine.expires == theirs.expires, step
        assert batch.used_memory == single.used_memory == mine.memory(), step
        assert batch.dirty == single.dirty, step
        assert set(mine.data) <= set(mine.index.slots), step


def test_object_encoding_never_converts_back(pair: Pair) -> None:
    """A hash or set that outgrew its compact encoding keeps the big one after shrinking, as in
    Redis; COPY duplicates the encoding; a fresh one starts compact again."""
    big = "x" * 65  # over hash-max-listpack-value
    pair.check("HSET", "h", "a", "1")
    pair.check("OBJECT", "ENCODING", "h")
    pair.check("HSET", "h", "long", big)
    pair.check("OBJECT", "ENCODING", "h")
    pair.check("HDEL", "h", "long")
    pair.check("OBJECT", "ENCODING", "h")
    pair.check("COPY", "h", "hcopy")
    pair.check("OBJECT", "ENCODING", "hcopy")
    pair.check("HSETNX", "h2", "f", big)
    pair.check("HDEL", "h2", "f")
    pair.check("HSET", "h2", "f", "small")
    pair.check("OBJECT", "ENCODING", "h2")  # deleted when emptied: a new, compact hash
    pair.check("HSET", "h3", "f", "1")
    pair.check("HINCRBYFLOAT", "h3", "f", "1.5")
    pair.check("OBJECT", "ENCODING", "h3")
    pair.check("SADD", "s", "1", "2")
    pair.check("OBJECT", "ENCODING", "s")
    pair.check("SADD", "s", "word")
    pair.check("SREM", "s", "word")
    pair.check("OBJECT", "ENCODING", "s")
    pair.check("SMEMBERS", "s", unordered=True)
    pair.check("SADD", "t", "1", "a")
    pair.check("SREM", "t", "a")
    pair.check("OBJECT", "ENCODING", "t")
    pair.check("SADD", "u", "1")
    pair.check("SMOVE", "t", "u", "1")
    pair.check("SADD", "v", "5")
    pair.check("SMOVE", "nosuch", "v", "x")
    pair.check("SADD", "w", "x")
    pair.check("SMOVE", "w", "v", "x")
    pair.check("OBJECT", "ENCODING", "v")
    pair.check("SREM", "v", "x")
    pair.check("OBJECT", "ENCODING", "v")
    pair.check("CONFIG", "SET", "set-max-intset-entries", "3")
    try:
        pair.check("SADD", "n", "1", "2", "3", "4")
        pair.check("SREM", "n", "4")
        pair.check("OBJECT", "ENCODING", "n")
    finally:
        pair.check("CONFIG", "SET", "set-max-intset-entries", "512")
