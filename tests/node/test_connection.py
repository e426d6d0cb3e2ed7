"""Connection commands against Redis 7.0: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.node.conftest import Pair
from tests.support import REDIS_SERVER, NodeProcess, RawClient, RedisProcess, parse_reply


def test_ping_and_echo(pair: Pair) -> None:
    pair.check("PING")
    pair.check("PING", "hello")
    pair.check("PING", "a", "b")
    pair.check("ECHO", "hi")
    pair.check("ECHO", "")
    pair.check("ECHO")
    pair.check("ECHO", "a", "b")


def test_select(pair: Pair) -> None:
    pair.check("SELECT", "1")
    pair.check("SET", "k", "v")
    pair.check("SELECT", "0")
    pair.check("GET", "k")
    pair.check("SELECT", "16")
    pair.check("SELECT", "-1")
    pair.check("SELECT", "x")
    pair.check("SELECT")


def test_hello_replies_and_errors(pair: Pair) -> None:
    # The id differs between servers: compare everything else.
    for args in (("HELLO",), ("HELLO", "2"), ("HELLO", "3"), ("HELLO", "2", "SETNAME", "myname")):
        ours, theirs = pair.both(*args)
        mine, real = parse_reply(ours), parse_reply(theirs)
        assert mine[0] == real[0]
        assert [item for i, item in enumerate(mine[1]) if i != 7] == [item for i, item in enumerate(real[1]) if i != 7]
    pair.check("CLIENT", "GETNAME")
    pair.check("HELLO", "4")
    pair.check("HELLO", "1")
    pair.check("HELLO", "x")
    pair.check("HELLO", "3", "AUTH")
    pair.check("HELLO", "3", "foo")
    pair.check("HELLO", "2", "SETNAME", "a b")
    pair.check("HELLO", "2", "AUTH", "nobody", "pw")
    pair.check("AUTH", "x")
    pair.check("AUTH", "a", "b")
    pair.check("AUTH", "a", "b", "c")
    pair.check("AUTH")


def test_hello_switches_protocol(pair: Pair) -> None:
    pair.both("HELLO", "3")
    pair.check("GET", "missing")
    pair.check("CONFIG", "GET", "maxmemory")
    pair.check("PING")
    pair.both("HELLO", "2")
    pair.check("GET", "missing")


def test_reset_restores_connection_state(pair: Pair) -> None:
    pair.both("HELLO", "3")
    pair.check("SELECT", "2")
    pair.check("SET", "k", "in-db-2")
    pair.check("CLIENT", "SETNAME", "before")
    pair.check("SUBSCRIBE", "chan")
    pair.check("RESET")
    pair.check("GET", "k")  # RESP2 again, database 0, no subscriptions
    pair.check("CLIENT", "GETNAME")
    pair.check("RESET", "extra")


def test_reset_leaves_multi(pair: Pair) -> None:
    if pair.ours.call("MULTI").startswith(b"-ERR unknown command"):
        pytest.skip("MULTI is not implemented yet")
    pair.theirs.call("MULTI")
    pair.check("SET", "k", "v")
    pair.check("RESET")
    pair.check("EXEC")
    pair.check("GET", "k")


def test_quit_closes_after_reply(pair: Pair) -> None:
    pair.check("QUIT")
    assert pair.ours.is_closed()
    assert pair.theirs.is_closed()


@pytest.fixture(scope="module")
def protected() -> Iterator[tuple[NodeProcess, RedisProcess]]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    node = NodeProcess("--requirepass", "s3cret")
    redis = RedisProcess("--requirepass", "s3cret")
    yield node, redis
    node.stop()
    redis.stop()


@pytest.fixture
def protected_pair(protected: tuple[NodeProcess, RedisProcess]) -> Iterator[Pair]:
    node, redis = protected
    ours, theirs = RawClient(node.port), RawClient(redis.port)
    yield Pair(ours, theirs)
    ours.close()
    theirs.close()


def test_requirepass_refuses_until_auth(protected_pair: Pair) -> None:
    pair = protected_pair
    pair.check("PING")
    pair.check("GET", "k")
    pair.check("HELLO")
    pair.check("HELLO", "3")
    pair.check("AUTH", "wrong")
    pair.check("AUTH", "default", "wrong")
    pair.check("AUTH", "someone", "s3cret")
    pair.check("GET", "k")
    pair.check("AUTH", "s3cret")
    pair.check("GET", "k")
    pair.check("RESET")
    pair.check("GET", "k")  # RESET signs the client out again
    pair.check("AUTH", "default", "s3cret")
    pair.check("DEL", "k")


def test_hello_authenticates(protected_pair: Pair) -> None:
    pair = protected_pair
    pair.check("HELLO", "3", "AUTH", "default", "wrong")
    pair.check("HELLO", "2", "AUTH", "nobody", "s3cret")
    ours, theirs = pair.both("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "me")
    assert ours[:4] == theirs[:4] == b"*14\r"
    pair.check("CLIENT", "GETNAME")
    pair.check("GET", "k")


def test_unauthenticated_big_requests_are_refused(protected_pair: Pair) -> None:
    # Before AUTH Redis caps multibulk lengths (and closes the connection).
    for client in (protected_pair.ours, protected_pair.theirs):
        client.send_raw(b"*20000\r\n")
    assert protected_pair.ours.read_reply() == protected_pair.theirs.read_reply()
