"""INFO used_memory tracks what the node process really spends on its data.

`maxmemory` is only a promise about the process if used_memory (the keyspace's estimate, see
the memory section of keyspace.py) follows the process's real growth. For every data type, a
fresh node is loaded through redis-py pipelines, once with 100,000 small keys and once with a few
containers of 100,000 elements, and the growth of INFO used_memory must be within 20% of the
growth of the process's resident set (VmRSS in /proc/<pid>/status).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis

from tests.support import NodeProcess

TOLERANCE = 0.20
BATCH = 1000  # commands per pipeline round trip: small enough that request buffers stay small

Loader = Callable[[redis.client.Pipeline, int], None]


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _used_memory(r: redis.Redis) -> int:
    return int(r.info("memory")["used_memory"])


def _element(i: int) -> bytes:
    return b"element-%06d" % i


# ---- 100,000 keys, each a small value -------------------------------------------------------------
def small_strings(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.set(b"string:%06d" % i, b"value-%06d" % i)


def small_strings_with_ttl(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.set(b"string:%06d" % i, b"value-%06d" % i, ex=100_000)


def small_lists(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.rpush(b"list:%06d" % i, *[_element(i + j) for j in range(5)])


def small_hashes(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.hset(b"hash:%06d" % i, mapping={b"field-%d" % j: _element(i + j) for j in range(5)})


def small_sets(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.sadd(b"set:%06d" % i, *[_element(i + j) for j in range(5)])


def small_zsets(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.zadd(b"zset:%06d" % i, {_element(i + j): i * 0.5 + j for j in range(5)})


# ---- a few containers of 100,000 elements, 100 elements per command ---------------------------
BIG_KEYS = 5
CHUNK = 100


def _chunk(i: int) -> list[bytes]:
    start = (i // BIG_KEYS) * CHUNK
    return [_element(n) for n in range(start, start + CHUNK)]


def big_lists(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.rpush(b"biglist:%d" % (i % BIG_KEYS), *_chunk(i))


def big_hashes(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.hset(b"bighash:%d" % (i % BIG_KEYS), mapping={e: b"v" + e for e in _chunk(i)})


def big_sets(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.sadd(b"bigset:%d" % (i % BIG_KEYS), *_chunk(i))


def big_zsets(pipe: redis.client.Pipeline, i: int) -> None:
    pipe.zadd(b"bigzset:%d" % (i % BIG_KEYS), {e: (i * 7919 + n) % 100_003 for n, e in enumerate(_chunk(i))})


SMALL = 100_000
BIG = BIG_KEYS * 100_000 // CHUNK  # commands that give each big key 100,000 elements
CASES: dict[str, tuple[Loader, int]] = {
    "100k strings": (small_strings, SMALL),
    "100k strings with a TTL": (small_strings_with_ttl, SMALL),
    "100k lists of 5": (small_lists, SMALL),
    "100k hashes of 5": (small_hashes, SMALL),
    "100k sets of 5": (small_sets, SMALL),
    "100k zsets of 5": (small_zsets, SMALL),
    "5 lists of 100k": (big_lists, BIG),
    "5 hashes of 100k": (big_hashes, BIG),
    "5 sets of 100k": (big_sets, BIG),
    "5 zsets of 100k": (big_zsets, BIG),
}


@pytest.fixture
def node() -> Iterator[NodeProcess]:
    """A fresh node per case: a reused process would start with freed memory to refill."""
    process = NodeProcess()
    yield process
    process.stop()


@pytest.mark.parametrize("case", list(CASES))
def test_used_memory_tracks_rss_growth(node: NodeProcess, case: str) -> None:
    load, commands = CASES[case]
    r = redis.Redis(port=node.port)
    used_before, rss_before = _used_memory(r), _rss(node.proc.pid)
    pipe = r.pipeline(transaction=False)
    for i in range(commands):
        load(pipe, i)
        if i % BATCH == BATCH - 1:
            pipe.execute()
    pipe.execute()
    used_growth = _used_memory(r) - used_before
    rss_growth = _rss(node.proc.pid) - rss_before
    ratio = used_growth / rss_growth
    print(f"{case}: used_memory +{used_growth / 1e6:.1f} MB, RSS +{rss_growth / 1e6:.1f} MB, ratio {ratio:.2f}")
    assert 1 - TOLERANCE <= ratio <= 1 + TOLERANCE, (case, used_growth, rss_growth)
