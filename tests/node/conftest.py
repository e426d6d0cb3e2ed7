"""Fixtures for the node's tests: our node and a real Redis 7.0, side by side.

`node` and `oracle` are started once per test session (per xdist worker) and flushed before
each test. `pair` is how most command tests are written: `pair.check("SET", "k", "v")` sends the
same command to both servers and asserts the replies are identical byte for byte (error strings
included); `unordered=True` compares aggregates as multisets, for replies whose order is
unspecified (SMEMBERS, HGETALL, KEYS).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import REDIS_SERVER, NodeProcess, RawClient, RedisProcess, canonical, parse_reply


@pytest.fixture(scope="session")
def node_server() -> Iterator[NodeProcess]:
    server = NodeProcess()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisProcess]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (CI installs Debian's redis-server)")
    server = RedisProcess()
    yield server
    server.stop()


def _fresh(port: int) -> RawClient:
    client = RawClient(port)
    assert client.call("FLUSHALL") == b"+OK\r\n"
    return client


@pytest.fixture
def node(node_server: NodeProcess) -> Iterator[RawClient]:
    """A raw connection to our node, whose data was flushed."""
    client = _fresh(node_server.port)
    yield client
    client.close()


@pytest.fixture
def oracle(redis_server: RedisProcess) -> Iterator[RawClient]:
    """A raw connection to the real Redis, whose data was flushed."""
    client = _fresh(redis_server.port)
    yield client
    client.close()


class Pair:
    """One connection to each server; every command goes to both and the replies must agree."""

    def __init__(self, ours: RawClient, theirs: RawClient) -> None:
        self.ours = ours
        self.theirs = theirs

    def check(self, *args: Any, unordered: bool = False) -> Any:
        mine = self.ours.call(*args)
        real = self.theirs.call(*args)
        if unordered:
            assert canonical(parse_reply(mine)) == canonical(parse_reply(real)), (args, mine, real)
        else:
            assert mine == real, f"{args!r}\n ours: {mine!r}\n redis: {real!r}"
        return parse_reply(real)

    def run(self, *commands: tuple[Any, ...], unordered: bool = False) -> None:
        for args in commands:
            self.check(*args, unordered=unordered)

    def both(self, *args: Any) -> tuple[bytes, bytes]:
        """Send to both without comparing (for replies that legitimately differ, like TIME)."""
        return self.ours.call(*args), self.theirs.call(*args)


@pytest.fixture
def pair(node: RawClient, oracle: RawClient) -> Pair:
    return Pair(node, oracle)
