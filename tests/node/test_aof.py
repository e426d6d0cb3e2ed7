"""The append-only file: what is written (compared with what Redis 7.0 writes for the same
commands), loading it back, truncated and corrupt files, BGREWRITEAOF, CONFIG SET appendonly, and
directories exchanged with a real Redis 7.0 in both directions.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support import REDIS_SERVER, NodeProcess, RawClient, RedisProcess, free_port

needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
CHECK_AOF = shutil.which("redis-check-aof")


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="miniredis-aof-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start_node(workdir: Path, *flags: str, fsync: str = "always") -> NodeProcess:
    return NodeProcess("--appendonly", "yes", "--appendfsync", fsync, *flags, workdir=workdir)


def start_redis(workdir: Path, *flags: str) -> RedisProcess:
    return RedisProcess("--appendonly", "yes", "--appendfsync", "always", "--dir", str(workdir), *flags)


def run(client: Any, *args: Any) -> Any:
    """redis-py's execute_command, typed (for clients and pipelines)."""
    return client.execute_command(*args)


def connect(port: int) -> redis.Redis:
    return redis.Redis(port=port, socket_timeout=10)


def aof_files(workdir: Path) -> list[Path]:
    """The files the manifest lists, in order."""
    directory = workdir / "appendonlydir"
    manifest = (directory / "appendonly.aof.manifest").read_text()
    return [directory / line.split()[1] for line in manifest.splitlines() if line.strip()]


def parse_aof(data: bytes) -> list[list[bytes]]:
    commands, pos = [], 0
    while pos < len(data):
        newline = data.index(b"\r\n", pos)
        argc = int(data[pos + 1 : newline])
        pos = newline + 2
        argv = []
        for _ in range(argc):
            newline = data.index(b"\r\n", pos)
            length = int(data[pos + 1 : newline])
            argv.append(data[newline + 2 : newline + 2 + length])
            pos = newline + 4 + length
        commands.append(argv)
    return commands


def incr_commands(workdir: Path) -> list[list[bytes]]:
    return parse_aof(aof_files(workdir)[-1].read_bytes())


def dataset(client: redis.Redis, databases: int = 16) -> dict[int, dict[bytes, Any]]:
    """Every key of every database: type, value in a canonical form, absolute expiry."""
    out: dict[int, dict[bytes, Any]] = {}
    for db in range(databases):
        run(client, "SELECT", db)
        keys: dict[bytes, Any] = {}
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            if kind == b"string":
                value: Any = client.get(key)
            elif kind == b"list":
                value = client.lrange(key, 0, -1)
            elif kind == b"hash":
                value = sorted(client.hgetall(key).items())
            elif kind == b"set":
                value = sorted(client.smembers(key))
            elif kind == b"zset":
                value = client.zrange(key, 0, -1, withscores=True)
            else:
                value = run(client, "DUMP", key)
            keys[key] = (kind, value, run(client, "PEXPIRETIME", key))
        if keys:
            out[db] = keys
    run(client, "SELECT", 0)
    return out


def fill(client: redis.Redis) -> None:
    """A bit of every core type, with and without TTLs, in two databases."""
    client.set("s", "v")
    client.set("n", 41)
    client.incr("n")
    client.incrbyfloat("f", 1.5)
    client.set("ttl", "x", ex=1000)
    client.rpush("l", *[f"e{i}" for i in range(100)])
    client.lpop("l")
    client.hset("h", mapping={f"f{i}": f"v{i}" for i in range(70)})
    client.sadd("set", *range(130))
    client.zadd("z", {f"m{i}": i / 3 for i in range(150)})
    client.zadd("z", {"inf": float("inf"), "ninf": float("-inf")})
    client.expire("h", 5000)
    run(client, "SELECT", 5)
    client.set("other", "db")
    run(client, "SELECT", 0)
    client.set("binary", b"\x00\r\n\xff")


# ---- what is written ----------------------------------------------------------------------------
def _normalised(commands: list[list[bytes]]) -> list[list[bytes]]:
    """Absolute times differ between two runs: keep only that they are there."""
    out = []
    for argv in commands:
        shown = [argv[0].upper(), *argv[1:]]
        if shown[0] in (b"PEXPIREAT",):
            shown[2] = b"<ms>"
        if shown[0] == b"SET" and len(shown) > 4 and shown[3].upper() == b"PXAT":
            shown[4] = b"<ms>"
        out.append(shown)
    return out


PROPAGATION_SCRIPT: list[tuple[Any, ...]] = [
    ("SET", "a", "1"),
    ("SET", "b", "2", "EX", "100"),
    ("SET", "b2", "2", "NX", "PX", "100000", "GET"),
    ("SETEX", "c", "100", "v"),
    ("PSETEX", "c2", "100000", "v"),
    ("EXPIRE", "a", "50"),
    ("PEXPIRE", "a", "50000"),
    ("EXPIREAT", "a", "4102444800"),
    ("EXPIRE", "missing", "10"),
    ("GET", "a"),
    ("SET", "a", "1", "NX"),
    ("INCRBYFLOAT", "f", "1.5"),
    ("HINCRBYFLOAT", "h", "x", "2.5"),
    ("GETEX", "b", "PERSIST"),
    ("GETEX", "b", "EX", "10"),
    ("GETDEL", "c2"),
    ("SELECT", "3"),
    ("RPUSH", "l", "a", "b", "c", "d", "e"),
    ("BLPOP", "l", "0"),
    ("BRPOP", "l", "0"),
    ("LMPOP", "1", "l", "LEFT", "COUNT", "1"),
    ("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "5"),
    ("RPUSH", "src", "x", "y"),
    ("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"),
    ("BRPOPLPUSH", "src", "dst", "0"),
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"),
    ("BZPOPMIN", "z", "0"),
    ("BZMPOP", "0", "1", "z", "MAX", "COUNT", "1"),
    ("SELECT", "0"),
    ("SADD", "s", "only"),
    ("SPOP", "s"),
    ("SADD", "s2", "1", "2"),
    ("SPOP", "s2", "5"),
    ("DEL", "nothing"),
    ("SET", "e", "1", "EX", "-1"),
    ("EXPIRE", "b", "-1"),
    ("HSET", "h", "x", "1"),
    ("PERSIST", "nothing"),
]


@needs_redis
def test_written_commands_match_redis(workdir: Path) -> None:
    theirs_dir = workdir / "redis"
    ours_dir = workdir / "ours"
    theirs_dir.mkdir()
    ours_dir.mkdir()
    node = start_node(ours_dir)
    real = start_redis(theirs_dir)
    try:
        for port in (node.port, real.port):
            client = connect(port)
            for args in PROPAGATION_SCRIPT:
                try:
                    run(client, *args)
                except redis.ResponseError:
                    pass
            pipe = client.pipeline(transaction=True)  # several writes: one MULTI/EXEC block
            pipe.set("t1", "1")
            pipe.incr("t1")
            pipe.get("t1")
            pipe.execute()
            pipe = client.pipeline(transaction=True)  # a single write: no block
            pipe.set("t2", "1")
            pipe.get("t2")
            pipe.execute()
            client.close()
        ours = _normalised(incr_commands(ours_dir))
        real_commands = _normalised(incr_commands(theirs_dir))
        assert ours == real_commands
    finally:
        node.stop()
        real.stop()


def test_blocked_client_served_later_is_written_as_its_plain_pop(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        waiter, writer = RawClient(node.port), connect(node.port)
        waiter.send("BLPOP", "q", "0")
        time.sleep(0.2)
        writer.rpush("q", "job")
        assert waiter.read_reply() == b"*2\r\n$1\r\nq\r\n$3\r\njob\r\n"
        waiter.send("BLMOVE", "q2", "d", "RIGHT", "LEFT", "0")
        time.sleep(0.2)
        writer.rpush("q2", "j2")
        assert waiter.read_reply() == b"$2\r\nj2\r\n"
        waiter.close()
        commands = [[arg.upper() if i == 0 else arg for i, arg in enumerate(c)] for c in incr_commands(workdir)]
        assert commands[-4:] == [
            [b"RPUSH", b"q", b"job"],
            [b"LPOP", b"q"],
            [b"RPUSH", b"q2", b"j2"],
            [b"LMOVE", b"q2", b"d", b"RIGHT", b"LEFT"],
        ]
    finally:
        node.stop()


def test_expired_and_read_only_commands(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        client = connect(node.port)
        client.set("gone", "x", px=50)
        client.get("gone")
        time.sleep(0.3)  # the active expiry cycle reclaims it
        assert client.get("gone") is None
        client.get("gone")
        time.sleep(0.2)  # the cron writes the DEL
        commands = incr_commands(workdir)
        assert commands[-1] == [b"DEL", b"gone"]
        assert [c[0].upper() for c in commands].count(b"GET") == 0
    finally:
        node.stop()


@pytest.mark.skipif(CHECK_AOF is None, reason="redis-check-aof is not installed")
def test_redis_check_aof_accepts_our_files(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        fill(connect(node.port))
        connect(node.port).bgrewriteaof()
        _wait_rewrite(connect(node.port))
        fill(connect(node.port))
    finally:
        node.stop()
    assert CHECK_AOF is not None
    import subprocess

    result = subprocess.run(
        [CHECK_AOF, str(workdir / "appendonlydir" / "appendonly.aof.manifest")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is valid" in result.stdout


# ---- loading ------------------------------------------------------------------------------------
def test_restart_restores_every_type(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        client = connect(node.port)
        fill(client)
        before = dataset(client)
    finally:
        node.stop()
    node = start_node(workdir)
    try:
        assert dataset(connect(node.port)) == before
    finally:
        node.stop()


def test_keys_do_not_expire_while_loading(workdir: Path) -> None:
    """SET with a short TTL then PERSIST: replayed after the TTL passed, the key must survive."""
    node = start_node(workdir)
    try:
        client = connect(node.port)
        client.set("k", "v", px=300)
        client.persist("k")
        client.set("short", "v", px=300)
    finally:
        node.stop()
    time.sleep(0.5)
    node = start_node(workdir)
    try:
        client = connect(node.port)
        assert client.get("k") == b"v"
        assert client.ttl("k") == -1
        assert client.get("short") is None
    finally:
        node.stop()


def test_truncated_last_command_is_cut_and_loaded(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        client = connect(node.port)
        client.set("a", "1")
        client.set("b", "2")
    finally:
        node.stop()
    incr = aof_files(workdir)[-1]
    whole = incr.read_bytes()
    with incr.open("ab") as handle:
        handle.write(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhal")
    node = start_node(workdir)
    try:
        client = connect(node.port)
        assert client.get("a") == b"1"
        assert client.get("b") == b"2"
        assert client.get("c") is None
        log = node.log.read_text()
        assert "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!" in log
        assert "loaded anyway because aof-load-truncated is enabled" in log
        assert incr.read_bytes() == whole  # truncated back to the last whole command
        client.set("c", "3")
    finally:
        node.stop()
    node = start_node(workdir)
    try:
        assert connect(node.port).get("c") == b"3"
    finally:
        node.stop()


def test_incomplete_transaction_at_the_end_is_reverted(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        connect(node.port).set("a", "1")
    finally:
        node.stop()
    incr = aof_files(workdir)[-1]
    with incr.open("ab") as handle:
        handle.write(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n2\r\n")
    node = start_node(workdir)
    try:
        assert connect(node.port).get("a") == b"1"
        assert "Revert incomplete MULTI/EXEC transaction" in node.log.read_text()
    finally:
        node.stop()


def _start_fails(workdir: Path, *flags: str) -> str:
    with pytest.raises(RuntimeError) as failure:
        start_node(workdir, *flags)
    return str(failure.value)


def test_corrupt_aof_refuses_to_start(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        client = connect(node.port)
        client.set("a", "1")
        client.set("b", "2")
    finally:
        node.stop()
    incr = aof_files(workdir)[-1]
    data = incr.read_bytes()
    middle = data.index(b"*3", 10)
    incr.write_bytes(data[:middle] + b"garbage\r\n" + data[middle:])
    log = _start_fails(workdir)
    assert "Bad file format reading the append only file appendonly.aof.1.incr.aof" in log
    assert incr.read_bytes().count(b"garbage") == 1  # left as it was


def test_truncated_file_with_aof_load_truncated_off_refuses(workdir: Path) -> None:
    node = start_node(workdir)
    try:
        connect(node.port).set("a", "1")
    finally:
        node.stop()
    with aof_files(workdir)[-1].open("ab") as handle:
        handle.write(b"*2\r\n$3\r\nGET")
    log = _start_fails(workdir, "--aof-load-truncated", "no")
    assert "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof" in log


def test_unknown_command_refuses(workdir: Path) -> None:
    node = start_node(workdir)
    node.stop()
    with aof_files(workdir)[-1].open("ab") as handle:
        handle.write(b"*1\r\n$7\r\nNOSUCHC\r\n")
    log = _start_fails(workdir)
    assert "Unknown command 'NOSUCHC' reading the append only file appendonly.aof.1.incr.aof" in log


def test_old_single_file_aof_is_upgraded(workdir: Path) -> None:
    (workdir / "appendonly.aof").write_bytes(
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$1\r\n1\r\n"
    )
    node = start_node(workdir)
    try:
        client = connect(node.port)
        assert client.get("old") == b"1"
        client.set("new", "2")
    finally:
        node.stop()
    assert not (workdir / "appendonly.aof").exists()
    node = start_node(workdir)
    try:
        assert connect(node.port).mget("old", "new") == [b"1", b"2"]
    finally:
        node.stop()


# ---- rewriting ----------------------------------------------------------------------------------
def _wait_rewrite(client: redis.Redis, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return dict(info)
        time.sleep(0.05)
    raise TimeoutError("the AOF rewrite did not finish")


def test_bgrewriteaof_compacts_and_keeps_data(workdir: Path) -> None:
    node = start_node(workdir, fsync="everysec")
    try:
        client = connect(node.port)
        pipe = client.pipeline(transaction=False)
        for _ in range(3000):
            pipe.incr("counter")
        pipe.execute()
        fill(client)
        before_size = sum(path.stat().st_size for path in aof_files(workdir))
        assert RawClient(node.port).call("BGREWRITEAOF") == b"+Background append only file rewriting started\r\n"
        pipe = client.pipeline(transaction=False)  # writes during the rewrite go to the new incr
        for i in range(500):
            pipe.set(f"during:{i}", i)
        pipe.execute()
        info = _wait_rewrite(client)
        assert info["aof_last_bgrewrite_status"] == "ok"
        assert info["aof_rewrites"] == 1
        assert info["aof_enabled"] == 1
        names = [path.name for path in aof_files(workdir)]
        assert names == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof"]  # aof-use-rdb-preamble
        assert sorted(os.listdir(workdir / "appendonlydir")) == sorted([*names, "appendonly.aof.manifest"])
        assert aof_files(workdir)[0].stat().st_size < before_size
        expected = dataset(client)
    finally:
        node.stop()
    node = start_node(workdir)
    try:
        assert dataset(connect(node.port)) == expected
    finally:
        node.stop()


def test_config_set_appendonly_at_runtime(workdir: Path) -> None:
    node = NodeProcess(workdir=workdir)
    try:
        client = connect(node.port)
        fill(client)
        assert client.config_set("appendonly", "yes")
        time.sleep(0.3)
        _wait_rewrite(client)
        client.set("after", "on")
        expected = dataset(client)
        assert aof_files(workdir)[0].name.startswith("appendonly.aof.1.base")
    finally:
        node.proc.kill()  # a crash: only the AOF remains
        node.stop()
    node = start_node(workdir)
    try:
        client = connect(node.port)
        assert dataset(client) == expected
        assert client.config_set("appendonly", "no")
        time.sleep(0.3)
        client.set("unlogged", "1")
        assert client.info("persistence")["aof_enabled"] == 0
    finally:
        node.stop()
    node = start_node(workdir)
    try:
        assert connect(node.port).get("unlogged") is None
    finally:
        node.stop()


# ---- exchanging directories with Redis 7.0 --------------------------------------------------------
@needs_redis
@pytest.mark.parametrize("preamble", ["yes", "no"], ids=["rdb-base", "aof-base"])
@pytest.mark.parametrize("rewrite", [False, True], ids=["incr-only", "after-rewrite"])
def test_redis_loads_our_directory(workdir: Path, rewrite: bool, preamble: str) -> None:
    node = start_node(workdir, "--config-set", "aof-use-rdb-preamble", preamble)
    try:
        client = connect(node.port)
        fill(client)
        if rewrite:
            client.bgrewriteaof()
            _wait_rewrite(client)
            client.set("after-rewrite", "1")
        expected = dataset(client)
    finally:
        node.stop()
    real = start_redis(workdir)
    try:
        assert dataset(connect(real.port)) == expected
    finally:
        real.stop()


@needs_redis
@pytest.mark.parametrize("preamble", ["yes", "no"], ids=["rdb-base", "aof-base"])
def test_we_load_a_directory_redis_wrote(workdir: Path, preamble: str) -> None:
    real = start_redis(workdir, "--aof-use-rdb-preamble", preamble)
    try:
        client = connect(real.port)
        fill(client)
        client.bgrewriteaof()
        _wait_rewrite(client)
        client.set("after-rewrite", "1")
        client.incrbyfloat("f", 0.25)
        expected = dataset(client)
    finally:
        real.stop()
    suffix = "rdb" if preamble == "yes" else "aof"
    assert re.search(rf"base\.{suffix}", (workdir / "appendonlydir" / "appendonly.aof.manifest").read_text())
    node = start_node(workdir)
    try:
        assert dataset(connect(node.port)) == expected
    finally:
        node.stop()


def test_bgrewriteaof_with_aof_off_writes_a_base(workdir: Path) -> None:
    node = NodeProcess(workdir=workdir)
    try:
        client = connect(node.port)
        fill(client)
        assert RawClient(node.port).call("BGREWRITEAOF") == b"+Background append only file rewriting started\r\n"
        deadline = time.monotonic() + 10
        while not (workdir / "appendonlydir" / "appendonly.aof.manifest").exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        expected = dataset(client)
    finally:
        node.stop()
    assert [path.name for path in aof_files(workdir)] == ["appendonly.aof.1.base.rdb"]
    node = start_node(workdir)
    try:
        assert dataset(connect(node.port)) == expected
    finally:
        node.stop()


def test_bgrewriteaof_arity_and_info_fields_when_off() -> None:
    node = NodeProcess(port=free_port())
    try:
        client = connect(node.port)
        with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'bgrewriteaof' command"):
            run(client, "BGREWRITEAOF", "x")
        info = client.info("persistence")
        assert info["aof_enabled"] == 0
        assert "aof_current_size" not in info
    finally:
        node.stop()
