"""RDB snapshots: the format's building blocks, then files exchanged both ways with a real
Redis 7.0 (our SAVE loads in redis-server and passes redis-check-rdb; Redis's SAVE loads in our
node), BGSAVE, `save` rules, start-up loading, shutdown snapshots, DEBUG RELOAD/DIGEST, INFO.

Datasets are compared key by key (type, contents read back with each type's commands, and the
absolute expiry time) and with DEBUG DIGEST, whose algorithm the node reproduces.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from miniredis_node.datatypes import HashValue, ListValue, SetValue, ZSetValue
from miniredis_node.persistence import encodings, lzf, rdb
from miniredis_node.persistence.crc64 import crc64
from tests.node.conftest import Pair
from tests.support import REDIS_SERVER, NodeProcess, RawClient, RedisProcess

CHECK_RDB = shutil.which("redis-check-rdb")
needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
DEBUG = ("--enable-debug-command", "yes")


def _shutdown_passes_flags() -> bool:
    """SHUTDOWN's handler (commands/server.py) hands SAVE/NOSAVE to Server.shutdown."""
    from miniredis_node.commands import server as server_commands

    return "save=" in inspect.getsource(server_commands.shutdown)


needs_shutdown_flags = pytest.mark.skipif(
    not _shutdown_passes_flags(), reason="SHUTDOWN does not pass SAVE/NOSAVE to Server.shutdown yet"
)


# ---- building blocks ---------------------------------------------------------------------------
def test_crc64_matches_redis_check_value() -> None:
    assert crc64(0, b"123456789") == 0xE9C6D914C4B8D9CA
    data = os.urandom(1000)
    assert crc64(crc64(0, data[:333]), data[333:]) == crc64(0, data)


def test_lzf_round_trip_and_redis_output() -> None:
    for data in (b"a" * 100, b"abcabcabc" * 50 + b"xyz", bytes(range(256)) * 8, b"hello world hello world!"):
        packed = lzf.compress(data)
        assert packed is not None
        assert lzf.decompress(packed, len(data)) == data
    assert lzf.compress(os.urandom(64)) is None
    # What Redis 7.0 wrote for 92 times "a" (DUMP of SET k aaaa...).
    assert lzf.decompress(bytes.fromhex("016161e04f00016161"), 92) == b"a" * 92
    with pytest.raises(lzf.LzfError):
        lzf.decompress(bytes.fromhex("016161e04f00016161"), 91)


def test_canonical_int_follows_string2ll() -> None:
    assert encodings.canonical_int(b"123") == 123
    assert encodings.canonical_int(b"-9223372036854775808") == -(2**63)
    for raw in (b"-0", b"007", b"+1", b" 1", b"1 ", b"", b"9223372036854775808", b"1.0", b"0x1"):
        assert encodings.canonical_int(raw) is None, raw


def test_listpack_round_trip_and_redis_bytes() -> None:
    items = [b"a", b"1", b"-5", b"5000", b"100000", b"-0", b"x" * 70, b"y" * 5000, b"-4096", b"4095"]
    items += [b"-4097", b"32767", b"-8388608", b"2147483648", b"9223372036854775807", b"9223372036854775808"]
    assert encodings.listpack_items(encodings.listpack(items)) == items
    # RPUSH l a 1 -5 5000 100000 on Redis 7.0, as DUMP shows its single quicklist node.
    assert encodings.listpack([b"a", b"1", b"-5", b"5000", b"100000"]).hex() == (
        "1800000005008161020101dffb02f1881303f2a0860104ff"
    )
    assert encodings.intset([2, 1, -3]).hex() == "0200000003000000fdff01000200"


def test_values_round_trip_through_dump_payloads() -> None:
    zset = ZSetValue([(1.5, b"a"), (-math.inf, b"b"), (0.1, b"c"), (1e20, b"d"), (4503599627370497.0, b"e")])
    big_zset = ZSetValue((i / 7, b"m%d" % i) for i in range(300))
    values: list[Any] = [
        b"",
        b"12",
        b"-2147483648",
        b"x" * 1000,
        ListValue([b"a", b"1"] * 5000),
        HashValue({b"f": b"v", b"n": b"12"}),
        HashValue({b"f%d" % i: b"v" * i for i in range(100)}),
        SetValue([b"1", b"2", b"-3"]),
        SetValue([b"a", b"1"]),
        zset,
        big_zset,
    ]
    for value in values:
        payload = rdb.dump(value)
        assert rdb.verify_payload(payload)
        back = rdb.restore(payload)
        assert type(back) is type(value)
        if type(value) is ZSetValue:
            assert list(back.ordered) == list(value.ordered)
        elif type(value) is ListValue:
            assert list(back) == list(value)
        else:
            assert back == value
    assert not rdb.verify_payload(b"\x00\x01a\x0b\x00" + bytes(8))  # version 11
    assert not rdb.verify_payload(b"short")


# ---- reading a dataset back ------------------------------------------------------------------
def snapshot(client: redis.Redis, databases: int = 16) -> dict[tuple[int, bytes], Any]:
    """Every key of every database: (type, contents, absolute expiry in ms or -1)."""
    found: dict[tuple[int, bytes], Any] = {}
    for db in range(databases):
        client.execute_command("SELECT", db)
        for key in client.keys("*"):
            kind = client.type(key)
            if kind == b"string":
                contents: Any = client.get(key)
            elif kind == b"list":
                contents = client.lrange(key, 0, -1)
            elif kind == b"set":
                contents = sorted(client.smembers(key))
            elif kind == b"zset":
                contents = client.zrange(key, 0, -1, withscores=True)
            elif kind == b"hash":
                contents = sorted(client.hgetall(key).items())
            elif kind == b"stream":
                info = client.execute_command("XINFO", "STREAM", key, "FULL")
                contents = (client.xrange(key), info)
            else:
                raise AssertionError(kind)
            found[(db, key)] = (kind, contents, client.execute_command("PEXPIRETIME", key))
    client.execute_command("SELECT", 0)
    return found


def populate(client: redis.Redis) -> None:
    """Every type in every encoding Redis 7.0 uses, expiry times, several databases."""
    now_ms = int(time.time() * 1000)
    pipe = client.pipeline(transaction=False)
    pipe.set("str", "hello")
    pipe.set("int", "12345")
    pipe.set("bigint", "123456789012345")
    pipe.set("negative", "-7")
    pipe.set("empty", "")
    pipe.set("long", "abc" * 1000)
    pipe.set("binary", bytes(range(256)))
    pipe.set("ttl", "v", px=3_600_000)
    pipe.set("ttl-abs", "v")
    pipe.execute_command("PEXPIREAT", "ttl-abs", now_ms + 7_200_000)
    pipe.rpush("list", "a", "1", "-5", "5000", "100000", "")
    pipe.rpush("biglist", *[f"element-{i}" for i in range(5000)])
    pipe.rpush("hugeitems", "x" * 10000, "y" * 70000)
    pipe.sadd("intset", 1, 2, 3, -100, 2**40)
    pipe.sadd("set", "a", "b", "1")
    pipe.sadd("bigintset", *range(1000))
    pipe.hset("hash", mapping={"f": "v", "n": "12", "empty": ""})
    pipe.hset("bighash", mapping={f"field:{i}": f"value:{i}" for i in range(1000)})
    pipe.hset("widehash", mapping={"f": "v" * 100})
    pipe.zadd("zset", {"a": 1.5, "b": -2, "c": 0.1, "d": 1e20, "e": 4503599627370497, "f": math.inf, "g": -math.inf})
    pipe.zadd("bigzset", {f"m{i}": i / 3 for i in range(500)})
    pipe.zadd("widezset", {"w" * 100: 1})
    pipe.expire("bighash", 100_000)
    pipe.execute()
    for i in range(150):
        client.xadd("stream", {"a": str(i), "b": "x"}, id=f"{1000 + i}-{i % 3}")
    client.xadd("stream", {"other": "fields"}, id="5000-0")
    client.xdel("stream", "1001-1", "1002-2")
    client.xgroup_create("stream", "g1", id="0")
    client.xgroup_create("stream", "g2", id="$")
    client.xreadgroup("g1", "alice", {"stream": ">"}, count=3)
    client.xreadgroup("g1", "bob", {"stream": ">"}, count=2)
    client.xadd("emptystream", {"a": "1"}, id="1-1")
    client.xdel("emptystream", "1-1")
    client.execute_command("SELECT", 2)
    client.set("in-db-2", "x")
    client.rpush("list-db-2", "a")
    client.execute_command("SELECT", 15)
    client.set("in-db-15", "y", ex=500)
    client.execute_command("SELECT", 0)


def digest(client: redis.Redis) -> bytes:
    value: bytes = client.execute_command("DEBUG", "DIGEST")
    return value


def assert_same_dataset(ours: redis.Redis, theirs: redis.Redis) -> None:
    mine, real = snapshot(ours), snapshot(theirs)
    assert mine.keys() == real.keys()
    for key in real:
        assert mine[key] == real[key], key
    assert digest(ours) == digest(theirs)


def check_rdb(path: Path) -> None:
    if CHECK_RDB is None:
        pytest.skip("redis-check-rdb is not installed")
    result = subprocess.run([CHECK_RDB, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RDB looks OK!" in result.stdout


@contextlib.contextmanager
def started(process: Any) -> Iterator[redis.Redis]:
    """A client of a started server; the server is stopped afterwards."""
    client = redis.Redis(port=process.port)
    try:
        yield client
    finally:
        client.close()
        process.stop()


# ---- files exchanged with Redis -------------------------------------------------------------------
@needs_redis
def test_our_save_loads_in_redis(tmp_path: Path) -> None:
    node = NodeProcess(*DEBUG, workdir=_node_dir(tmp_path))
    with started(node) as ours:
        populate(ours)
        assert ours.save()
        dump_file = tmp_path / "node" / "dump.rdb"
        check_rdb(dump_file)
        oracle = RedisProcess(*DEBUG, "--dir", str(tmp_path / "node"), "--dbfilename", "dump.rdb")
        with started(oracle) as theirs:
            assert theirs.dbsize() > 20
            assert_same_dataset(ours, theirs)
            # What Redis makes of our file keeps the encodings Redis itself would have chosen.
            for key, encoding in (("hash", b"listpack"), ("bighash", b"hashtable"), ("intset", b"intset")):
                assert theirs.object("encoding", key) == ours.object("encoding", key) == encoding


def _node_dir(tmp_path: Path) -> Path:
    path = tmp_path / "node"
    path.mkdir(exist_ok=True)
    return path


@needs_redis
def test_redis_save_loads_in_our_node(tmp_path: Path) -> None:
    oracle = RedisProcess(*DEBUG)
    with started(oracle) as theirs:
        populate(theirs)
        assert theirs.save()
        shutil.copy(oracle.workdir / "dump.rdb", _node_dir(tmp_path) / "dump.rdb")
        node = NodeProcess(*DEBUG, workdir=_node_dir(tmp_path))
        with started(node) as ours:
            assert_same_dataset(ours, theirs)
            info = ours.info("persistence")
            assert info["rdb_last_load_keys_loaded"] == theirs.dbsize() + 2 + 1
            assert info["rdb_changes_since_last_save"] == 0


@needs_redis
def test_redis_file_with_lzf_and_an_expired_key(tmp_path: Path) -> None:
    oracle = RedisProcess(*DEBUG)
    with started(oracle) as theirs:
        theirs.set("compressible", "z" * 5000)
        theirs.rpush("list", *["same-value-repeated"] * 2000)
        theirs.set("short-lived", "x", px=300)
        assert theirs.save()
        shutil.copy(oracle.workdir / "dump.rdb", _node_dir(tmp_path) / "dump.rdb")
        time.sleep(0.4)
        node = NodeProcess(*DEBUG, workdir=_node_dir(tmp_path))
        with started(node) as ours:
            assert ours.get("compressible") == b"z" * 5000
            assert ours.lrange("list", 0, -1) == [b"same-value-repeated"] * 2000
            assert ours.exists("short-lived") == 0
            info = ours.info("persistence")
            assert (info["rdb_last_load_keys_loaded"], info["rdb_last_load_keys_expired"]) == (2, 1)


def test_corrupt_dump_stops_the_node(tmp_path: Path) -> None:
    directory = _node_dir(tmp_path)
    (directory / "dump.rdb").write_bytes(b"REDIS0010garbage")
    with pytest.raises(RuntimeError, match="did not start"):
        NodeProcess(workdir=directory)


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    directory = _node_dir(tmp_path)
    node = NodeProcess(workdir=directory)
    with started(node) as ours:
        ours.set("k", "v")
        assert ours.save()
    data = bytearray((directory / "dump.rdb").read_bytes())
    data[-1] ^= 0xFF
    (directory / "dump.rdb").write_bytes(bytes(data))
    with pytest.raises(rdb.RdbError, match="checksum"):
        list(rdb.Snapshot(bytes(data)).entries())
    with pytest.raises(RuntimeError, match="did not start"):
        NodeProcess(workdir=directory)


# ---- BGSAVE, save rules, shutdown -----------------------------------------------------------------
def _wait_bgsave(client: redis.Redis, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not info["rdb_bgsave_in_progress"]:
            return info
        time.sleep(0.05)
    raise AssertionError("BGSAVE did not finish")


@needs_redis
def test_bgsave_writes_a_snapshot_in_a_child(tmp_path: Path) -> None:
    node = NodeProcess(*DEBUG, workdir=_node_dir(tmp_path))
    with started(node) as ours:
        pipe = ours.pipeline(transaction=False)
        for i in range(100_000):
            pipe.set(f"key:{i}", f"value:{i}")
        pipe.execute()
        ours.rpush("list", "a")
        before = ours.lastsave()
        raw = RawClient(node.port)
        assert raw.call("BGSAVE") == b"+Background saving started\r\n"
        # The child needs a while for 100k keys: meanwhile the server answers, and refuses more.
        assert raw.call("BGSAVE") == b"-ERR Background save already in progress\r\n"
        assert raw.call("SAVE") == b"-ERR Background save already in progress\r\n"
        assert raw.call("BGSAVE", "SCHEDULE") == b"-ERR Background save already in progress\r\n"
        assert raw.call("INCR", "counter") == b":1\r\n"
        info = _wait_bgsave(ours)
        raw.close()
        assert info["rdb_last_bgsave_status"] == "ok"
        assert info["rdb_saves"] == 1
        assert info["rdb_changes_since_last_save"] == 1  # the INCR after the fork
        assert ours.lastsave() >= before
        check_rdb(tmp_path / "node" / "dump.rdb")
        oracle = RedisProcess(*DEBUG, "--dir", str(tmp_path / "node"), "--dbfilename", "dump.rdb")
        with started(oracle) as theirs:
            assert theirs.dbsize() == 100_001
            assert theirs.get("key:99999") == b"value:99999"
            assert theirs.exists("counter") == 0


def test_bgsave_syntax_and_scheduling(node: RawClient, oracle: RawClient) -> None:
    pair = Pair(node, oracle)
    pair.check("BGSAVE", "NOW")
    pair.check("BGSAVE", "SCHEDULE", "X")
    pair.check("SAVE", "X")
    pair.check("MULTI")
    pair.check("SAVE")
    pair.check("EXEC")
    pair.check("MULTI")
    pair.check("BGSAVE")
    pair.check("EXEC")  # inside a transaction BGSAVE is only scheduled
    _wait_bgsave(redis.Redis(port=_port(node)))


def _port(raw: RawClient) -> int:
    port: int = raw.sock.getpeername()[1]
    return port


def test_save_rules_trigger_a_background_save(tmp_path: Path) -> None:
    node = NodeProcess("--save", "1 2", workdir=_node_dir(tmp_path))
    with started(node) as ours:
        ours.set("a", "1")
        time.sleep(1.5)
        assert not (tmp_path / "node" / "dump.rdb").exists()  # one change is not enough
        ours.set("b", "2")
        deadline = time.monotonic() + 10
        while ours.info("persistence")["rdb_changes_since_last_save"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ours.info("persistence")["rdb_changes_since_last_save"] == 0
        assert ours.info("persistence")["rdb_saves"] == 1
    keys = {entry.key for entry in rdb.Snapshot((tmp_path / "node" / "dump.rdb").read_bytes()).entries()}
    assert keys == {b"a", b"b"}


def test_sigterm_saves_when_save_rules_are_set(tmp_path: Path) -> None:
    node = NodeProcess("--save", "3600 1", workdir=_node_dir(tmp_path))
    client = redis.Redis(port=node.port)
    client.set("kept", "yes", ex=1000)
    client.close()
    node.proc.send_signal(signal.SIGTERM)
    assert node.proc.wait(10) == 0
    node.stop()
    restarted = NodeProcess(workdir=tmp_path / "node")
    with started(restarted) as ours:
        assert ours.get("kept") == b"yes"
        assert 990 <= ours.ttl("kept") <= 1000


def test_sigterm_without_save_rules_writes_nothing(tmp_path: Path) -> None:
    node = NodeProcess(workdir=_node_dir(tmp_path))
    client = redis.Redis(port=node.port)
    client.set("lost", "yes")
    client.close()
    node.stop()
    assert not (tmp_path / "node" / "dump.rdb").exists()


@needs_shutdown_flags
def test_shutdown_saves_with_rules_and_is_refused_when_saving_fails(tmp_path: Path) -> None:
    directory = _node_dir(tmp_path)
    node = NodeProcess("--save", "3600 1", workdir=directory)
    raw = RawClient(node.port)
    raw.call("SET", "k", "v")
    gone = tmp_path / "gone"
    gone.mkdir()
    assert raw.call("CONFIG", "SET", "dir", str(gone)) == b"+OK\r\n"
    gone.rmdir()
    assert raw.call("SAVE") == b"-ERR\r\n"
    assert raw.call("SHUTDOWN") == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    assert raw.call("PING") == b"+PONG\r\n"
    assert raw.call("CONFIG", "SET", "dir", str(directory)) == b"+OK\r\n"
    raw.send("SHUTDOWN")
    assert raw.is_closed()
    assert node.proc.wait(10) == 0
    node.stop()
    assert [entry.key for entry in rdb.Snapshot((directory / "dump.rdb").read_bytes()).entries()] == [b"k"]


@needs_shutdown_flags
def test_shutdown_nosave_and_save(tmp_path: Path) -> None:
    directory = _node_dir(tmp_path)
    node = NodeProcess("--save", "3600 1", workdir=directory)
    raw = RawClient(node.port)
    raw.call("SET", "k", "v")
    raw.send("SHUTDOWN", "NOSAVE")
    assert raw.is_closed()
    node.stop()
    assert not (directory / "dump.rdb").exists()
    node = NodeProcess(workdir=directory)
    raw = RawClient(node.port)
    raw.call("SET", "k", "v")
    raw.send("SHUTDOWN", "SAVE")
    assert raw.is_closed()
    node.stop()
    assert (directory / "dump.rdb").exists()


# ---- DEBUG, LASTSAVE, INFO ------------------------------------------------------------------------
def test_debug_is_refused_unless_enabled(pair: Pair) -> None:
    pair.check("DEBUG", "RELOAD")
    pair.check("DEBUG", "DIGEST")
    pair.check("DEBUG")


@needs_redis
def test_debug_digest_and_reload(tmp_path: Path) -> None:
    node = NodeProcess(*DEBUG, workdir=_node_dir(tmp_path))
    oracle = RedisProcess(*DEBUG)
    with started(node) as ours, started(oracle) as theirs:
        raw_ours, raw_theirs = RawClient(node.port), RawClient(oracle.port)
        pair = Pair(raw_ours, raw_theirs)
        pair.check("DEBUG", "DIGEST")  # zeros when empty
        populate(ours)
        populate(theirs)
        pair.check("DEBUG", "DIGEST-VALUE", "str", "list", "intset", "set", "hash", "zset", "bigzset", "missing")
        pair.check("DEBUG", "DIGEST-VALUE", "stream", "ttl", "bighash", "biglist")
        pair.check("DEBUG", "DIGEST-VALUE")
        pair.check("DEBUG", "DIGEST", "extra")
        pair.check("DEBUG", "NOSUCH")
        pair.check("DEBUG", "RELOAD", "BOGUS")
        pair.check("DEBUG", "ERROR", "CUSTOM failure")
        pair.check("DEBUG", "SLEEP", "0")
        pair.check("DEBUG", "HELP")
        before = digest(ours)
        assert before == digest(theirs)
        pair.check("DEBUG", "RELOAD")
        assert digest(ours) == before
        pair.check("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE")
        assert digest(ours) == before
        assert ours.info("persistence")["rdb_changes_since_last_save"] == 0
        raw_ours.close()
        raw_theirs.close()


def test_debug_reload_without_a_file(tmp_path: Path) -> None:
    node = NodeProcess(*DEBUG, workdir=_node_dir(tmp_path))
    raw = RawClient(node.port)
    try:
        assert raw.call("DEBUG", "RELOAD", "NOSAVE") == b"-ERR Error trying to load the RDB dump\r\n"
    finally:
        raw.close()
        node.stop()


def test_lastsave_and_info_persistence(tmp_path: Path) -> None:
    node = NodeProcess(workdir=_node_dir(tmp_path))
    with started(node) as ours:
        info = ours.info("persistence")
        assert info["rdb_changes_since_last_save"] == 0
        assert info["rdb_saves"] == 0
        assert info["rdb_last_bgsave_status"] == "ok"
        ours.set("a", "1")
        ours.rpush("l", "x", "y")
        assert ours.info("persistence")["rdb_changes_since_last_save"] == 2
        time.sleep(1.05)
        started_at = ours.lastsave()
        assert ours.save()
        info = ours.info("persistence")
        assert info["rdb_changes_since_last_save"] == 0
        assert info["rdb_saves"] == 1
        assert ours.lastsave() > started_at
        assert info["rdb_last_save_time"] == int(ours.lastsave().timestamp())


def test_server_shutdown_save_flags(tmp_path: Path) -> None:
    """Server.shutdown(save=...): what SHUTDOWN SAVE / NOSAVE / (nothing) ask for."""
    from miniredis_node.config import Config
    from miniredis_node.server import Server

    for save, rules, written in ((False, "3600 1", False), (True, "", True), (None, "3600 1", True), (None, "", False)):
        directory = tmp_path / f"{save}-{bool(rules)}"
        directory.mkdir()
        server = Server(Config(dir=str(directory), save=rules))
        server.keyspace.dbs[0].set(b"k", b"v")
        assert server.shutdown("test", save=save)
        assert (directory / "dump.rdb").exists() is written, (save, rules)
        assert server.shutdown("again", save=True)  # a second call never saves again
        assert (directory / "dump.rdb").exists() is written


@needs_redis
def test_lru_idle_and_lfu_freq_survive_the_file(tmp_path: Path) -> None:
    for policy, probe in (("allkeys-lru", "idletime"), ("allkeys-lfu", "freq")):
        oracle = RedisProcess("--maxmemory-policy", policy)
        with started(oracle) as theirs:
            theirs.set("k", "v")
            theirs.restore(
                "r",
                0,
                theirs.dump("k"),
                idletime=5000 if probe == "idletime" else None,
                frequency=77 if probe == "freq" else None,
            )
            expected = theirs.object(probe, "r")
            assert theirs.save()
            directory = tmp_path / policy
            directory.mkdir()
            shutil.copy(oracle.workdir / "dump.rdb", directory / "dump.rdb")
        node = NodeProcess("--maxmemory-policy", policy, workdir=directory)
        with started(node) as ours:
            assert abs(ours.object(probe, "r") - expected) <= 2, (policy, expected)
