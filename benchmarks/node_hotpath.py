"""In-process cost of the node's hot path, without sockets or redis-benchmark's noise.

Feeds batches of 16 pipelined commands straight into `RespProtocol.data_received` (a fake
transport swallows the replies) and prints the best µs per command over several runs. Use it
before and after touching protocol.py, dispatch.py, keyspace.py or a hot handler; `make
bench-node` then tells what that means against a real Redis.

    .venv/bin/python benchmarks/node_hotpath.py
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from miniredis_node import commands  # noqa: F401  (fills the command table)
from miniredis_node.config import Config
from miniredis_node.server import RespProtocol, Server

BATCHES = {
    "SET": b"".join(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$3\r\nxxx\r\n" % i for i in range(16)),
    "GET": b"".join(b"*2\r\n$3\r\nGET\r\n$16\r\nkey:%012d\r\n" % i for i in range(16)),
    "INCR": b"*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n" * 16,
    "LPUSH": b"*3\r\n$5\r\nLPUSH\r\n$4\r\nlist\r\n$3\r\nxxx\r\n" * 16,
    "LPOP": b"*2\r\n$4\r\nLPOP\r\n$4\r\nlist\r\n" * 16,
    "MSET": (b"*21\r\n$4\r\nMSET\r\n" + b"".join(b"$7\r\nkey:%03d\r\n$3\r\nxxx\r\n" % i for i in range(10))) * 16,
}


class NullTransport:
    def write(self, data: bytes) -> None:
        pass

    def get_extra_info(self, name: str) -> Any:
        return None

    def get_write_buffer_size(self) -> int:
        return 0

    def close(self) -> None:
        pass


async def main(repeats: int = 4000, runs: int = 5) -> None:
    protocol = RespProtocol(Server(Config()))
    protocol.connection_made(NullTransport())  # type: ignore[arg-type]
    for name, batch in BATCHES.items():
        best = float("inf")
        for _ in range(runs):
            began = time.perf_counter()
            for _ in range(repeats):
                protocol.data_received(batch)
            best = min(best, (time.perf_counter() - began) / (repeats * 16))
        print(f"{name:6} {best * 1e6:6.3f} µs/command")


if __name__ == "__main__":
    asyncio.run(main())
