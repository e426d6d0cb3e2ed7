"""`make bench-node`: our node against Debian's redis-server, measured in the same run.

Three figures, each printed next to its target as a ratio node/Redis:

1. throughput: `redis-benchmark -c 50` for SET, GET, INCR, LPUSH, LPOP, MSET, without and with
   `-P 16` pipelining. The two servers are benchmarked in alternation (node, Redis, node,
   Redis...) and the median of the rounds is kept, so a noisy neighbour on the machine hurts
   both sides alike;
2. memory: bytes per key for 1,000,000 small string keys, as INFO used_memory and as the
   growth of the process's RSS (/proc/<pid>/status);
3. start-up: time from spawning the process to its first PONG (median of several starts).

It is a benchmark: it prints, it never asserts. Run it on an otherwise idle machine when the
figures matter. Options: `--rounds`, `--requests`, `--quick` (smaller, for a smoke run).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BYTECODE_CACHE = Path(tempfile.gettempdir()) / "miniredis-bench-pycache"
TESTS = ("SET", "GET", "INCR", "LPUSH", "LPOP", "MSET")
CLIENTS = 50
PIPELINE = 16
MEMORY_KEYS = 1_000_000
LOAD_BATCH = 10_000

# Targets (node / Redis); printed beside the figures, never enforced.
TARGET_PLAIN = 0.9
TARGET_PIPELINED_SET_GET = 0.5
TARGET_PIPELINED_ALL = 0.35
TARGET_MEMORY = 1.6  # node bytes per key / Redis bytes per key, at most
TARGET_FIRST_PONG_MS = 150.0


# ---- processes ----------------------------------------------------------------------------------
def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    first_pong_ms: float


def node_argv(port: int, workdir: str) -> list[str]:
    return [sys.executable, "-m", "miniredis_node", "--port", str(port), "--dir", workdir]


def redis_argv(port: int, workdir: str) -> list[str]:
    redis = shutil.which("redis-server") or "redis-server"
    return [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir]


def start(name: str, make_argv: Callable[[int, str], list[str]]) -> Server:
    """Spawn a server and wait for its first PONG, timing it from the spawn."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix=f"bench-{name}-")
    # An installed node (a wheel, the Docker image) starts from compiled bytecode; this
    # environment may forbid writing it (PYTHONDONTWRITEBYTECODE), so keep it in a cache of
    # the benchmark's own: the first start compiles, the timed ones measure a real start.
    env = dict(os.environ, PYTHONPATH=str(REPO / "nodeimage"), PYTHONPYCACHEPREFIX=str(BYTECODE_CACHE))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    began = time.perf_counter()
    proc = subprocess.Popen(make_argv(port, workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = began + 15
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode} before answering")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return Server(name, proc, port, (time.perf_counter() - began) * 1000)
        except OSError:
            if time.perf_counter() > deadline:
                proc.kill()
                raise RuntimeError(f"{name} did not answer on port {port}") from None
            time.sleep(0.001)


def stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


@contextlib.contextmanager
def running(name: str, make_argv: Callable[[int, str], list[str]]) -> Iterator[Server]:
    server = start(name, make_argv)
    try:
        yield server
    finally:
        stop(server)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


# ---- a minimal RESP client ----------------------------------------------------------------------
def command(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def call(port: int, *args: bytes) -> bytes:
    """One command's raw reply (enough for PING, FLUSHALL, INFO)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(command(*args))
        data = b""
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                return data
            data += chunk
            if data.startswith(b"$"):
                header, _, rest = data.partition(b"\r\n")
                if int(header[1:]) < 0 or len(rest) >= int(header[1:]) + 2:
                    return data
            elif data.endswith(b"\r\n"):
                return data


def used_memory(port: int) -> int | None:
    """INFO memory's used_memory, or None when the server does not report it."""
    reply = call(port, b"INFO", b"memory")
    for line in reply.split(b"\r\n"):
        if line.startswith(b"used_memory:"):
            return int(line.split(b":")[1])
    return None


def load_strings(port: int, count: int) -> None:
    """SET key:0000000 .. key:<count-1> to a 3-byte value (redis-benchmark's default size),
    pipelined in batches so the loading itself barely allocates on the server."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        for first in range(0, count, LOAD_BATCH):
            last = min(first + LOAD_BATCH, count)
            sock.sendall(b"".join(command(b"SET", b"key:%07d" % i, b"xxx") for i in range(first, last)))
            expected = (last - first) * 5  # "+OK\r\n"
            received = 0
            while received < expected:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("server closed the connection while loading")
                if chunk.startswith(b"-"):
                    raise RuntimeError(chunk[:200].decode(errors="replace"))
                received += len(chunk)


# ---- the three measurements ---------------------------------------------------------------------
def redis_benchmark(port: int, requests: int, pipeline: int) -> dict[str, float]:
    """ops/s per test from one redis-benchmark run (its --csv output)."""
    argv = [
        "redis-benchmark",
        "-p",
        str(port),
        "-c",
        str(CLIENTS),
        "-n",
        str(requests),
        "-P",
        str(pipeline),
        "-t",
        ",".join(t.lower() for t in TESTS),
        "--csv",
    ]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600).stdout
    result: dict[str, float] = {}
    for row in csv.reader(io.StringIO(out)):
        if len(row) >= 2 and row[0] != "test":
            with contextlib.suppress(ValueError):
                result[row[0].split()[0]] = float(row[1])
    return result


def throughput(rounds: int, requests: int, pipelined_requests: int) -> dict[tuple[str, int], list[float]]:
    """(server, pipeline) -> per-test medians in TESTS order, servers measured in alternation."""
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    with running("node", node_argv) as node, running("redis", redis_argv) as redis:
        for round_number in range(rounds):
            for pipeline, n in ((1, requests), (PIPELINE, pipelined_requests)):
                order = (node, redis) if round_number % 2 == 0 else (redis, node)
                for server in order:
                    call(server.port, b"FLUSHALL")
                    runs.setdefault((server.name, pipeline), []).append(redis_benchmark(server.port, n, pipeline))
            print(f"  round {round_number + 1}/{rounds} done", flush=True)
    medians: dict[tuple[str, int], list[float]] = {}
    for key, results in runs.items():
        medians[key] = [statistics.median(r.get(test, 0.0) for r in results) for test in TESTS]
    return medians


def memory_per_key(name: str, make_argv: Callable[[int, str], list[str]], count: int) -> tuple[float | None, float]:
    """(used_memory bytes per key or None, RSS bytes per key) after loading `count` keys."""
    with running(name, make_argv) as server:
        time.sleep(0.2)
        used_before, rss_before = used_memory(server.port), rss_bytes(server.proc.pid)
        load_strings(server.port, count)
        time.sleep(0.2)
        used_after, rss_after = used_memory(server.port), rss_bytes(server.proc.pid)
    used = (used_after - used_before) / count if used_before is not None and used_after is not None else None
    return used, (rss_after - rss_before) / count


def first_pong(name: str, make_argv: Callable[[int, str], list[str]], starts: int) -> float:
    stop(start(name, make_argv))  # warm the bytecode cache and the page cache
    times = []
    for _ in range(starts):
        server = start(name, make_argv)
        times.append(server.first_pong_ms)
        stop(server)
    return statistics.median(times)


# ---- report ---------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server (median kept)")
    parser.add_argument("--requests", type=int, default=100_000, help="requests per test without pipelining")
    parser.add_argument("--pipelined-requests", type=int, default=400_000, help="requests per test with -P 16")
    parser.add_argument("--keys", type=int, default=MEMORY_KEYS, help="string keys for the memory figure")
    parser.add_argument("--starts", type=int, default=7, help="starts for the first-PONG median")
    parser.add_argument("--quick", action="store_true", help="a small smoke run (noisy figures)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.requests, args.pipelined_requests, args.keys, args.starts = 1, 20_000, 50_000, 100_000, 3
    if shutil.which("redis-benchmark") is None or shutil.which("redis-server") is None:
        sys.exit("node_bench: redis-server and redis-benchmark are needed (apt-get install redis-server)")

    began = time.monotonic()
    print(f"Throughput: redis-benchmark -c {CLIENTS}, {args.rounds} alternating rounds, median ops/s", flush=True)
    medians = throughput(args.rounds, args.requests, args.pipelined_requests)
    print(f"\n{'test':<8}{'pipeline':>9}{'node ops/s':>13}{'redis ops/s':>13}{'ratio':>8}{'target':>9}  verdict")
    for pipeline in (1, PIPELINE):
        for i, test in enumerate(TESTS):
            ours, theirs = medians[("node", pipeline)][i], medians[("redis", pipeline)][i]
            ratio = ours / theirs if theirs else 0.0
            if pipeline == 1:
                target = TARGET_PLAIN
            else:
                target = TARGET_PIPELINED_SET_GET if test in ("SET", "GET") else TARGET_PIPELINED_ALL
            print(
                f"{test:<8}{pipeline:>9}{ours:>13,.0f}{theirs:>13,.0f}{ratio:>8.2f}{'>= ' + str(target):>9}"
                f"  {verdict(ratio >= target) if ours else 'not served'}"
            )

    print(f"\nMemory: {args.keys:,} string keys (key:NNNNNNN = 'xxx'), bytes per key", flush=True)
    node_used, node_rss = memory_per_key("node", node_argv, args.keys)
    redis_used, redis_rss = memory_per_key("redis", redis_argv, args.keys)

    def shown(value: float | None) -> str:
        return f"{value:,.1f}" if value is not None else "n/a"

    print(f"{'':<24}{'node':>10}{'redis':>10}{'ratio':>8}{'target':>9}  verdict")
    # The target is on RSS, what the process really costs. INFO's used_memory is shown for
    # information: ours estimates our RSS growth, Redis's counts its allocations only.
    for label, ours_value, theirs_value, targeted in (
        ("RSS delta", node_rss, redis_rss, True),
        ("used_memory delta", node_used, redis_used, False),
    ):
        if ours_value is not None and theirs_value:
            ratio = ours_value / theirs_value
            target = (
                f"{'<= ' + str(TARGET_MEMORY):>9}  {verdict(ratio <= TARGET_MEMORY)}"
                if targeted
                else "        -  (info)"
            )
            tail = f"{ratio:>8.2f}{target}"
        else:
            tail = f"{'n/a':>8}"
        print(f"{label:<24}{shown(ours_value):>10}{shown(theirs_value):>10}{tail}")

    print(f"\nStart-up: spawn to first PONG, median of {args.starts}", flush=True)
    node_ms = first_pong("node", node_argv, args.starts)
    redis_ms = first_pong("redis", redis_argv, args.starts)
    print(
        f"node {node_ms:.0f} ms (target <= {TARGET_FIRST_PONG_MS:.0f} ms: "
        f"{verdict(node_ms <= TARGET_FIRST_PONG_MS)}), redis {redis_ms:.0f} ms"
    )
    print(f"\nnode_bench took {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
