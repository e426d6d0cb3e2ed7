"""CLIENT against Redis 7.0: names, ids, LIST/INFO formats, KILL, PAUSE, REPLY, UNBLOCK."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess, parse_reply

FIELD = re.compile(rb"([a-z-]+)=(\S*)")


@pytest.fixture
def others(node_server: NodeProcess, redis_server: RedisProcess) -> Iterator[Pair]:
    """A second connection to each server."""
    ours, theirs = RawClient(node_server.port), RawClient(redis_server.port)
    yield Pair(ours, theirs)
    ours.close()
    theirs.close()


def fields(line: bytes) -> list[tuple[bytes, bytes]]:
    return FIELD.findall(line)


def shape(value: bytes) -> str:
    """A value's format: integer, address, or free text."""
    if re.fullmatch(rb"-?\d+", value):
        return "int"
    if re.fullmatch(rb"[\d.]+:\d+", value):
        return "addr"
    return "text"


def assert_same_format(ours: bytes, theirs: bytes) -> None:
    mine, real = parse_reply(ours), parse_reply(theirs)
    assert type(mine) is type(real)
    mine_lines, real_lines = mine.split(b"\n"), real.split(b"\n")
    assert len(mine_lines) == len(real_lines)
    for a, b in zip(mine_lines, real_lines, strict=True):
        fa, fb = fields(a), fields(b)
        assert [name for name, _ in fa] == [name for name, _ in fb]
        assert [shape(v) for _, v in fa] == [shape(v) for _, v in fb], (a, b)


def test_names(pair: Pair) -> None:
    pair.check("CLIENT", "GETNAME")
    pair.check("CLIENT", "SETNAME", "worker-1")
    pair.check("CLIENT", "GETNAME")
    pair.check("CLIENT", "SETNAME", "a b")
    pair.check("CLIENT", "SETNAME", "new\nline")
    pair.check("CLIENT", "SETNAME", "")
    pair.check("CLIENT", "GETNAME")
    pair.check("CLIENT", "SETNAME")
    pair.check("CLIENT", "GETNAME", "x")


def test_help_and_errors(pair: Pair) -> None:
    pair.check("CLIENT")
    pair.check("CLIENT", "HELP")
    pair.check("CLIENT", "NOPE")
    pair.check("CLIENT", "ID", "x")
    pair.check("CLIENT", "INFO", "x")
    pair.check("CLIENT", "NO-EVICT", "on")
    pair.check("CLIENT", "NO-EVICT", "OFF")
    pair.check("CLIENT", "NO-EVICT", "maybe")
    pair.check("CLIENT", "NO-EVICT")
    pair.check("CLIENT", "REPLY", "maybe")


def test_id_is_an_integer(pair: Pair) -> None:
    ours, theirs = pair.both("CLIENT", "ID")
    assert ours.startswith(b":") and theirs.startswith(b":")


def test_list_and_info_have_redis_fields(pair: Pair, others: Pair) -> None:
    others.check("CLIENT", "SETNAME", "other")
    assert_same_format(*pair.both("CLIENT", "INFO"))
    assert_same_format(*pair.both("CLIENT", "LIST"))
    assert_same_format(*pair.both("CLIENT", "LIST", "TYPE", "normal"))
    pair.both("HELLO", "3")
    assert_same_format(*pair.both("CLIENT", "INFO"))
    assert_same_format(*pair.both("CLIENT", "LIST", "TYPE", "NORMAL"))
    pair.both("HELLO", "2")


def test_list_filters(pair: Pair, others: Pair) -> None:
    pair.check("CLIENT", "LIST", "TYPE", "pubsub")
    pair.check("CLIENT", "LIST", "TYPE", "master")
    pair.check("CLIENT", "LIST", "TYPE", "replica")
    pair.check("CLIENT", "LIST", "TYPE", "slave")
    pair.check("CLIENT", "LIST", "TYPE", "foo")
    pair.check("CLIENT", "LIST", "TYPE")
    pair.check("CLIENT", "LIST", "ID")
    pair.check("CLIENT", "LIST", "ID", "1", "x")
    pair.check("CLIENT", "LIST", "ID", "999999")
    pair.check("CLIENT", "LIST", "ID", "-1")
    pair.check("CLIENT", "LIST", "foo")
    others.check("SUBSCRIBE", "c")
    assert_same_format(*pair.both("CLIENT", "LIST", "TYPE", "pubsub"))
    ours_id = parse_reply(pair.ours.call("CLIENT", "ID"))
    theirs_id = parse_reply(pair.theirs.call("CLIENT", "ID"))
    mine = parse_reply(pair.ours.call("CLIENT", "LIST", "ID", str(ours_id), "999999", str(ours_id)))
    real = parse_reply(pair.theirs.call("CLIENT", "LIST", "ID", str(theirs_id), "999999", str(theirs_id)))
    assert mine.count(b"\n") == real.count(b"\n") == 2


def test_kill_errors(pair: Pair) -> None:
    pair.check("CLIENT", "KILL")
    pair.check("CLIENT", "KILL", "1.2.3.4:5")
    pair.check("CLIENT", "KILL", "foo")
    pair.check("CLIENT", "KILL", "ID")
    pair.check("CLIENT", "KILL", "ID", "999999")
    pair.check("CLIENT", "KILL", "ID", "x")
    pair.check("CLIENT", "KILL", "ID", "0")
    pair.check("CLIENT", "KILL", "ID", "-5")
    pair.check("CLIENT", "KILL", "ADDR", "1.2.3.4:5")
    pair.check("CLIENT", "KILL", "LADDR", "1.2.3.4:5")
    pair.check("CLIENT", "KILL", "SKIPME", "maybe")
    pair.check("CLIENT", "KILL", "TYPE", "foo")
    pair.check("CLIENT", "KILL", "USER", "nobody")
    pair.check("CLIENT", "KILL", "foo", "bar")
    pair.check("CLIENT", "KILL", "ID", "1", "ADDR")
    pair.check("CLIENT", "KILL", "TYPE", "pubsub")


def test_kill_by_id_and_by_address(pair: Pair, others: Pair) -> None:
    for me, victim in ((pair.ours, others.ours), (pair.theirs, others.theirs)):
        victim_id = parse_reply(victim.call("CLIENT", "ID"))
        assert me.call("CLIENT", "KILL", "ID", str(victim_id)) == b":1\r\n"
        assert victim.is_closed()
    for port, me in (
        (others.ours.sock.getpeername()[1], pair.ours),
        (others.theirs.sock.getpeername()[1], pair.theirs),
    ):
        victim = RawClient(port)
        assert victim.call("PING") == b"+PONG\r\n"  # registered by the server
        host, victim_port = victim.sock.getsockname()[:2]
        assert me.call("CLIENT", "KILL", f"{host}:{victim_port}") == b"+OK\r\n"
        assert victim.is_closed()
        victim = RawClient(port)
        assert victim.call("PING") == b"+PONG\r\n"  # registered by the server
        host, victim_port = victim.sock.getsockname()[:2]
        assert me.call("CLIENT", "KILL", "ADDR", f"{host}:{victim_port}", "SKIPME", "yes") == b":1\r\n"
        assert victim.is_closed()


def test_kill_myself_replies_first(pair: Pair) -> None:
    for client in (pair.ours, pair.theirs):
        my_id = parse_reply(client.call("CLIENT", "ID"))
        assert client.call("CLIENT", "KILL", "ID", str(my_id), "SKIPME", "no") == b":1\r\n"
        assert client.is_closed()


def test_reply_off_skip_on(pair: Pair) -> None:
    for client in (pair.ours, pair.theirs):
        client.send("CLIENT", "REPLY", "OFF")
        client.send("SET", "k", "1")
        client.send("CLIENT", "REPLY", "SKIP")  # ignored while OFF
        client.send("GET", "k")
        client.send("CLIENT", "REPLY", "ON")
        assert client.read_reply() == b"+OK\r\n"
        client.send("CLIENT", "REPLY", "SKIP")
        client.send("GET", "k")
        client.send("ECHO", "after")
        assert client.read_reply() == b"$5\r\nafter\r\n"


def test_pause_validation(pair: Pair) -> None:
    pair.check("CLIENT", "PAUSE")
    pair.check("CLIENT", "PAUSE", "x")
    pair.check("CLIENT", "PAUSE", "-1")
    pair.check("CLIENT", "PAUSE", "10", "foo")
    pair.check("CLIENT", "PAUSE", "10", "ALL", "extra")
    pair.check("CLIENT", "UNPAUSE", "x")
    pair.check("CLIENT", "PAUSE", "0", "write")
    pair.check("CLIENT", "UNPAUSE")


def test_pause_write_delays_writes_not_reads(pair: Pair, others: Pair) -> None:
    for admin, client in ((pair.ours, others.ours), (pair.theirs, others.theirs)):
        assert admin.call("CLIENT", "PAUSE", "400", "WRITE") == b"+OK\r\n"
        start = time.monotonic()
        assert client.call("GET", "k") == b"$-1\r\n"
        assert time.monotonic() - start < 0.2
        assert client.call("SET", "k", "v") == b"+OK\r\n"
        assert time.monotonic() - start >= 0.3
        assert client.call("DEL", "k") == b":1\r\n"


def test_unpause_releases_waiting_clients(pair: Pair, others: Pair) -> None:
    for admin, client in ((pair.ours, others.ours), (pair.theirs, others.theirs)):
        # Under ALL the admin would wait too (as in Redis): pause writes only.
        assert admin.call("CLIENT", "PAUSE", "5000", "WRITE") == b"+OK\r\n"
        start = time.monotonic()
        client.send("SET", "k", "v")
        time.sleep(0.1)
        assert admin.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
        assert client.read_reply() == b"+OK\r\n"
        assert time.monotonic() - start < 2
        assert client.call("DEL", "k") == b":1\r\n"


def test_unblock(pair: Pair, others: Pair) -> None:
    pair.check("CLIENT", "UNBLOCK")
    pair.check("CLIENT", "UNBLOCK", "x")
    pair.check("CLIENT", "UNBLOCK", "999999")
    pair.check("CLIENT", "UNBLOCK", "999999", "foo")
    pair.check("CLIENT", "UNBLOCK", "x", "foo")
    pair.check("CLIENT", "UNBLOCK", "999999", "error")
    pair.check("CLIENT", "UNBLOCK", "999999", "error", "x")
    for admin, client in ((pair.ours, others.ours), (pair.theirs, others.theirs)):
        blocked_id = parse_reply(client.call("CLIENT", "ID"))
        assert admin.call("CLIENT", "UNBLOCK", str(blocked_id)) == b":0\r\n"  # not blocked
        client.send("WAIT", "1", "0")  # no replica will ever acknowledge: blocks forever
        time.sleep(0.05)
        assert admin.call("CLIENT", "UNBLOCK", str(blocked_id), "TIMEOUT") == b":1\r\n"
        assert client.read_reply() == b":0\r\n"
        client.send("WAIT", "1", "0")
        time.sleep(0.05)
        assert admin.call("CLIENT", "UNBLOCK", str(blocked_id), "ERROR") == b":1\r\n"
        assert client.read_reply() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
        assert client.call("PING") == b"+PONG\r\n"
