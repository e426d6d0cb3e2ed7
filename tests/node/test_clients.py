"""Real client libraries against our node: redis-py (sync and asyncio, RESP2 and RESP3),
redis-cli (including --pipe mass insertion) and ioredis. Where the outcome is deterministic,
the same steps run against a real Redis and must give the same results.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from tests.support import NodeProcess, RawClient, RedisProcess

JS_DIR = Path(__file__).parent / "js"


def _sync_session(port: int, protocol: int) -> dict[str, Any]:
    r = redis.Redis(port=port, protocol=protocol, decode_responses=True)
    r.flushall()
    out: dict[str, Any] = {}
    out["set"] = r.set("k", "v", ex=100)
    out["get"] = r.get("k")
    out["ttl_positive"] = 0 < r.ttl("k") <= 100
    out["mset"] = r.mset({"a": "1", "b": "2"})
    out["mget"] = r.mget("a", "b", "missing")
    out["incr"] = r.incrby("counter", 7)
    out["incrbyfloat"] = r.incrbyfloat("float", 0.1)
    out["rpush"] = r.rpush("list", "x", "y", "z")
    out["lrange"] = r.lrange("list", 0, -1)
    out["hset"] = r.hset("hash", mapping={"f1": "v1", "f2": "v2"})
    out["hgetall"] = r.hgetall("hash")
    out["sadd"] = r.sadd("set", "m1", "m2", "m1")
    out["smembers"] = sorted(r.smembers("set"))
    out["zadd"] = r.zadd("zset", {"one": 1, "two": 2.5})
    out["zrange"] = r.zrange("zset", 0, -1, withscores=True)
    out["zscore"] = r.zscore("zset", "two")
    pipe = r.pipeline(transaction=False)
    for i in range(50):
        pipe.set(f"p{i}", i)
    pipe.get("p49")
    out["pipeline"] = pipe.execute()[-3:]
    tx = r.pipeline(transaction=True)
    tx.incr("counter").lpush("list", "w").llen("list")
    out["transaction"] = tx.execute()

    def bump(pipe: Any) -> None:
        value = int(pipe.get("counter"))
        pipe.multi()
        pipe.set("counter", value + 1)

    out["watch"] = r.transaction(bump, "counter")
    out["counter"] = r.get("counter")
    out["scan"] = sorted(r.scan_iter(match="p1*", count=10))
    try:
        r.lpush("k", "x")
    except redis.ResponseError as error:
        out["wrongtype"] = str(error)
    out["exists"] = r.exists("k", "a", "nope")
    out["type"] = r.type("hash")
    out["delete"] = r.delete("a", "b")
    out["dbsize"] = r.dbsize()
    r.close()
    return out


@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_sync_matches_redis(node_server: NodeProcess, redis_server: RedisProcess, protocol: int) -> None:
    assert _sync_session(node_server.port, protocol) == _sync_session(redis_server.port, protocol)


def test_redis_py_pubsub(node_server: NodeProcess) -> None:
    r = redis.Redis(port=node_server.port, decode_responses=True)
    pubsub = r.pubsub()
    pubsub.subscribe("news")
    pubsub.psubscribe("ne*")
    assert pubsub.get_message(timeout=1)["type"] == "subscribe"
    assert pubsub.get_message(timeout=1)["type"] == "psubscribe"
    assert r.publish("news", "hello") == 2
    messages = [pubsub.get_message(timeout=1), pubsub.get_message(timeout=1)]
    assert {m["type"] for m in messages} == {"message", "pmessage"}
    assert all(m["data"] == "hello" for m in messages)
    pubsub.close()
    r.close()


async def _async_session(port: int, protocol: int) -> dict[str, Any]:
    r = aioredis.Redis(port=port, protocol=protocol, decode_responses=True)
    await r.flushall()
    out: dict[str, Any] = {}
    out["set"] = await r.set("k", "v")
    out["get"] = await r.get("k")
    async with r.pipeline(transaction=True) as pipe:
        pipe.incr("n").incr("n").get("n")
        out["tx"] = await pipe.execute()
    pops = asyncio.ensure_future(r.blpop(["queue"], timeout=5))
    await asyncio.sleep(0.1)
    pusher = aioredis.Redis(port=port, protocol=protocol, decode_responses=True)
    out["push"] = await pusher.rpush("queue", "job")
    out["blpop"] = await pops
    await pusher.aclose()
    await r.aclose()
    return out


@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_asyncio_matches_redis(node_server: NodeProcess, redis_server: RedisProcess, protocol: int) -> None:
    ours = asyncio.run(_async_session(node_server.port, protocol))
    theirs = asyncio.run(_async_session(redis_server.port, protocol))
    assert ours == theirs


@pytest.mark.skipif(shutil.which("redis-cli") is None, reason="redis-cli is not installed")
def test_redis_cli_commands_and_pipe_mass_insertion(node: RawClient, node_server: NodeProcess) -> None:
    port = str(node_server.port)
    result = subprocess.run(["redis-cli", "-p", port, "SET", "cli", "works"], capture_output=True, text=True)
    assert result.stdout.strip() == "OK"
    result = subprocess.run(["redis-cli", "-p", port, "GET", "cli"], capture_output=True, text=True)
    assert result.stdout.strip() == "works"
    count = 20_000
    payload = "".join(f"SET key:{i} value:{i}\r\n" for i in range(count)).encode()
    result = subprocess.run(["redis-cli", "-p", port, "--pipe"], input=payload, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"errors: 0, replies: {count}" in result.stdout.decode()
    assert node.call("DBSIZE") == b":%d\r\n" % (count + 1)
    assert node.call("GET", "key:19999") == b"$11\r\nvalue:19999\r\n"


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="Node.js is not installed")
def test_ioredis_matches_redis(node_server: NodeProcess, redis_server: RedisProcess) -> None:
    if not (JS_DIR / "node_modules" / "ioredis").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, capture_output=True)
    outputs = []
    for port in (node_server.port, redis_server.port):
        RawClient(port).call("FLUSHALL")
        result = subprocess.run(
            ["node", "ioredis_check.js", str(port)], cwd=JS_DIR, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["get"] == "value"
