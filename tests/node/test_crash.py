"""Crash tests for the append-only file: SIGKILL the node in the middle of a write load, restart
it on the same directory, and check what the guarantees say.

* `appendfsync always`: no acknowledged write is lost;
* `appendfsync everysec`: at most about one second of acknowledged writes is lost (the figure is
  measured and printed; a SIGKILL loses nothing, since every write reaches the kernel before its
  reply leaves, but only an OS crash could show the fsync gap, which a test cannot cause);
* either way the node restarts with a consistent dataset: each writer's keys form a prefix of what
  it sent (no holes), and each counter is its last acknowledged value or one more (in flight).

The soak (`slow`) runs a mixed workload with rewrites on, then compares the dataset digest across
DEBUG RELOAD, a clean restart and a SIGKILL restart.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from tests.node.test_aof import connect, dataset, run, start_node
from tests.support import RawClient

WRITERS = 4
LOAD_SECONDS = 2.0


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="miniredis-crash-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@dataclass
class Writer:
    """One client writing `w<id>:<n>` = n and INCR `c<id>`, recording every acknowledgement."""

    ident: int
    acked: list[float] = field(default_factory=list)  # ack time of write n at index n
    counter: int = 0  # the last acknowledged counter value

    def run(self, port: int, stop: threading.Event) -> None:
        try:
            client = RawClient(port, timeout=5)
            n = 0
            while not stop.is_set():
                client.send_raw(
                    b"*3\r\n$3\r\nSET\r\n$%d\r\nw%d:%d\r\n$%d\r\n%d\r\n*2\r\n$4\r\nINCR\r\n$%d\r\nc%d\r\n"
                    % (
                        len(b"w%d:%d" % (self.ident, n)),
                        self.ident,
                        n,
                        len(b"%d" % n),
                        n,
                        len(b"c%d" % self.ident),
                        self.ident,
                    )
                )
                if client.read_reply() != b"+OK\r\n":
                    return
                now = time.monotonic()
                counter = client.read_reply()
                self.acked.append(now)
                self.counter = int(counter[1:])
                n += 1
        except (OSError, ConnectionError):
            return  # the node was killed


def crash_under_load(workdir: Path, fsync: str) -> tuple[list[Writer], float]:
    node = start_node(workdir, fsync=fsync)
    writers = [Writer(i) for i in range(WRITERS)]
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(node.port, stop)) for w in writers]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    node.proc.kill()  # SIGKILL mid-load
    killed_at = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join(10)
    node.stop()
    return writers, killed_at


def check_restart(workdir: Path, writers: list[Writer], killed_at: float, fsync: str) -> tuple[int, int, float]:
    """Restart, check consistency; returns (acknowledged, lost, seconds of acknowledged writes lost)."""
    node = start_node(workdir, fsync=fsync)
    try:
        client = connect(node.port)
        acknowledged = lost = 0
        lost_since = killed_at
        for writer in writers:
            present = set()
            for key in client.scan_iter(match=f"w{writer.ident}:*", count=1000):
                present.add(int(key.split(b":")[1]))
            count = len(present)
            # Consistent: a prefix of what this writer sent (no holes), each value right.
            assert present == set(range(count)), f"writer {writer.ident} has holes"
            for n in random.sample(sorted(present), min(50, count)):
                assert client.get(f"w{writer.ident}:{n}") == str(n).encode()
            counter = int(client.get(f"c{writer.ident}") or 0)
            assert count - 1 <= counter <= count + 1, (count, counter)
            acknowledged += len(writer.acked)
            if count < len(writer.acked):
                lost += len(writer.acked) - count
                lost_since = min(lost_since, writer.acked[count])
            else:
                assert counter >= writer.counter
        return acknowledged, lost, killed_at - lost_since if lost else 0.0
    finally:
        node.stop()


def test_sigkill_with_appendfsync_always_loses_no_acknowledged_write(workdir: Path) -> None:
    writers, killed_at = crash_under_load(workdir, "always")
    acknowledged, lost, seconds = check_restart(workdir, writers, killed_at, "always")
    print(f"\nappendfsync always: {acknowledged} acknowledged writes, {lost} lost ({seconds:.3f} s)")
    assert acknowledged > 100
    assert lost == 0


def test_sigkill_with_appendfsync_everysec_loses_at_most_a_second(workdir: Path) -> None:
    writers, killed_at = crash_under_load(workdir, "everysec")
    acknowledged, lost, seconds = check_restart(workdir, writers, killed_at, "everysec")
    print(f"\nappendfsync everysec: {acknowledged} acknowledged writes, {lost} lost ({seconds:.3f} s)")
    assert acknowledged > 100
    assert seconds <= 1.5


def test_sigkill_during_a_rewrite_keeps_a_consistent_dataset(workdir: Path) -> None:
    node = start_node(workdir, fsync="everysec")
    client = connect(node.port)
    pipe = client.pipeline(transaction=False)
    for i in range(20000):
        pipe.rpush(f"list:{i % 100}", i)
    pipe.execute()
    writers = [Writer(i) for i in range(2)]
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(node.port, stop)) for w in writers]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    client.bgrewriteaof()
    time.sleep(0.05)
    node.proc.kill()
    killed_at = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join(10)
    node.stop()
    acknowledged, lost, _ = check_restart(workdir, writers, killed_at, "everysec")
    assert lost == 0 and acknowledged > 0
    node = start_node(workdir)
    try:
        assert sum(connect(node.port).llen(f"list:{i}") for i in range(100)) == 20000
        leftovers = [name for name in os.listdir(workdir) if name.startswith("temp-rewriteaof")]
        assert len(leftovers) <= 1  # the killed child's temporary file, as Redis leaves it
    finally:
        node.stop()


# ---- the soak ---------------------------------------------------------------------------------
def mixed_workload(port: int, seconds: float, seed: int) -> int:
    """Random writes over every core type (a few keys with short TTLs that must expire)."""
    rng = random.Random(seed)
    client = connect(port)
    deadline = time.monotonic() + seconds
    done = 0
    rewrites = 0
    while time.monotonic() < deadline:
        pipe = client.pipeline(transaction=rng.random() < 0.2)
        for _ in range(50):
            key = f"k{rng.randrange(400)}"
            kind = rng.randrange(12)
            member = str(rng.randrange(50))
            if kind == 0:
                pipe.set(f"s:{key}", rng.randbytes(rng.randrange(1, 30)))
            elif kind == 1:
                pipe.incrbyfloat(f"f:{key}", rng.uniform(-5, 5))
            elif kind == 2:
                pipe.rpush(f"l:{key}", member)
            elif kind == 3:
                pipe.lpop(f"l:{key}")
            elif kind == 4:
                pipe.hset(f"h:{key}", member, rng.randrange(1000))
            elif kind == 5:
                pipe.sadd(f"t:{key}", member)
            elif kind == 6:
                pipe.spop(f"t:{key}")
            elif kind == 7:
                pipe.zincrby(f"z:{key}", rng.uniform(-3, 3), member)
            elif kind == 8:
                pipe.expire(f"s:{key}", 100000 + rng.randrange(1000))
            elif kind == 9:
                pipe.set(f"short:{key}", 1, px=rng.randrange(1, 30))
            elif kind == 10:
                pipe.delete(f"h:{key}")
            else:
                run(pipe, "SELECT", rng.randrange(3))
        pipe.execute()
        run(client, "SELECT", 0)
        done += 50
        if done % 20000 == 0 and rewrites < 3:
            try:
                client.bgrewriteaof()
                rewrites += 1
            except redis.ResponseError:
                pass
    return done


def digest(client: redis.Redis) -> tuple[bytes, dict[int, dict[bytes, object]]]:
    return run(client, "DEBUG", "DIGEST"), dataset(client, databases=3)


def assert_same_dataset(
    got: tuple[bytes, dict[int, dict[bytes, object]]], want: tuple[bytes, dict[int, dict[bytes, object]]]
) -> None:
    """Equal digests and datasets; on a difference, name the keys that differ (not 3 MB of repr)."""
    for db in sorted(set(got[1]) | set(want[1])):
        mine, theirs = got[1].get(db, {}), want[1].get(db, {})
        missing, extra = sorted(set(theirs) - set(mine))[:5], sorted(set(mine) - set(theirs))[:5]
        changed = [(k, mine[k], theirs[k]) for k in sorted(set(mine) & set(theirs)) if mine[k] != theirs[k]][:3]
        assert not (missing or extra or changed), f"db {db}: missing {missing}, extra {extra}, changed {changed}"
    assert got[0] == want[0], "DEBUG DIGEST differs though every key reads the same"


@pytest.mark.slow
def test_soak_with_aof_ends_with_the_same_digest(workdir: Path) -> None:
    seconds = min(float(os.environ.get("MINIREDIS_SOAK_SECONDS", "40")), 100.0)
    flags = ("--config-set", "enable-debug-command", "yes")
    # Small automatic-rewrite threshold: the AOF is compacted by itself over and over.
    node = start_node(workdir, *flags, "--config-set", "auto-aof-rewrite-min-size", "1mb", fsync="everysec")
    try:
        client = connect(node.port)
        done = mixed_workload(node.port, seconds, seed=7)
        time.sleep(0.5)  # the short TTLs have passed
        for db in range(3):
            run(client, "SELECT", db)
            for key in client.scan_iter(match="short:*"):
                client.get(key)  # reclaim them now, so every digest below agrees
        run(client, "SELECT", 0)
        deadline = time.monotonic() + 30
        while client.info("persistence")["aof_rewrite_in_progress"] and time.monotonic() < deadline:
            time.sleep(0.1)
        before = digest(client)
        assert before[1], "the workload wrote nothing"
        assert run(client, "DEBUG", "RELOAD")
        assert_same_dataset(digest(client), before)
        rewrites = client.info("persistence")["aof_rewrites"]
        print(f"\nsoak: {done} commands in {seconds:.0f} s, {rewrites} rewrites; digest {before[0]!r}")
    finally:
        node.stop()
    node = start_node(workdir, *flags)  # a clean restart: the AOF alone
    try:
        assert_same_dataset(digest(connect(node.port)), before)
        connect(node.port).set("last", "1")
    finally:
        node.proc.kill()  # and a crash
        node.stop()
    node = start_node(workdir, *flags)
    try:
        client = connect(node.port)
        assert client.get("last") == b"1"
        client.delete("last")
        assert_same_dataset(digest(client), before)
    finally:
        node.stop()
