"""Running a node: flags and environment variables, limits (maxclients, idle timeout, query
buffer), and a clean exit on SIGTERM — compared with a real redis-server where Redis has the
same behaviour."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support import NodeProcess, RawClient, RedisProcess, free_port, running_node, running_redis


def test_flags_accept_redis_conf_memory_units() -> None:
    with running_node("--maxmemory", "40mb", "--maxmemory-policy", "allkeys-lru", "--databases", "4") as node:
        client = RawClient(node.port)
        assert client.call("CONFIG", "GET", "maxmemory") == b"*2\r\n$9\r\nmaxmemory\r\n$8\r\n41943040\r\n"
        assert client.call("CONFIG", "GET", "maxmemory-policy").endswith(b"$11\r\nallkeys-lru\r\n")
        assert client.call("SELECT", "3") == b"+OK\r\n"
        assert client.call("SELECT", "4") == b"-ERR DB index is out of range\r\n"
        client.close()


def test_environment_variables_configure_a_container() -> None:
    port = free_port()
    env = dict(os.environ, MINIREDIS_MAXMEMORY="1gb", MINIREDIS_REQUIREPASS="s3cret")
    proc = subprocess.Popen(
        [sys.executable, "-m", "miniredis_node", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client = RawClient(port)
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert client.call("GET", "k") == b"-NOAUTH Authentication required.\r\n"
        assert client.call("AUTH", "s3cret") == b"+OK\r\n"
        assert client.call("CONFIG", "GET", "maxmemory").endswith(b"$10\r\n1073741824\r\n")
        client.close()
    finally:
        proc.terminate()
        proc.wait(5)


def test_invalid_flag_value_exits_with_a_clear_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "miniredis_node", "--maxmemory", "lots"], capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 2
    assert "maxmemory" in result.stderr and "memory value" in result.stderr


def test_sigterm_closes_the_node_cleanly() -> None:
    node = NodeProcess()
    client = RawClient(node.port)
    assert client.call("SET", "k", "v") == b"+OK\r\n"
    started = time.monotonic()
    node.proc.send_signal(signal.SIGTERM)
    assert node.proc.wait(5) == 0
    assert time.monotonic() - started < 3
    assert client.is_closed()
    node.stop()
    assert "Received SIGTERM" in node.log.read_text()


@pytest.mark.parametrize("server", ["node", "redis"])
def test_maxclients(server: str) -> None:
    with (running_node if server == "node" else running_redis)("--maxclients", "3") as proc:
        assert isinstance(proc, (NodeProcess, RedisProcess))
        clients = [RawClient(proc.port) for _ in range(3)]
        for client in clients:
            assert client.call("PING") == b"+PONG\r\n"
        extra = RawClient(proc.port)
        assert extra.read_reply() == b"-ERR max number of clients reached\r\n"
        assert extra.is_closed()
        clients[0].close()
        time.sleep(0.2)
        again = RawClient(proc.port)
        assert again.call("PING") == b"+PONG\r\n"
        for client in (*clients[1:], again):
            client.close()


def test_idle_clients_are_closed_after_timeout_but_subscribers_stay() -> None:
    with running_node("--timeout", "1") as node:
        idle = RawClient(node.port)
        subscriber = RawClient(node.port)
        assert idle.call("PING") == b"+PONG\r\n"
        subscriber.call("SUBSCRIBE", "news")
        time.sleep(2.5)
        assert idle.is_closed(timeout=1)
        assert not subscriber.is_closed(timeout=0.2)
        publisher = RawClient(node.port)
        assert publisher.call("PUBLISH", "news", "still here") == b":1\r\n"
        publisher.close()
        subscriber.close()


def test_query_buffer_limit_closes_only_the_offender() -> None:
    with running_node("--client-query-buffer-limit", "1mb") as node:
        bystander = RawClient(node.port)
        offender = RawClient(node.port)
        offender.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n")
        try:
            for _ in range(40):
                offender.send_raw(b"x" * 65536)
        except OSError:
            pass  # the node may close the socket while we are still writing
        assert offender.is_closed()
        assert bystander.call("PING") == b"+PONG\r\n"
        assert bystander.call("EXISTS", "k") == b":0\r\n"
        bystander.close()


def test_oversized_bulk_is_refused_before_it_arrives(pair_ports: tuple[int, int]) -> None:
    for port in pair_ports:
        client = RawClient(port)
        client.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n")
        assert client.read_reply() == b"-ERR Protocol error: invalid bulk length\r\n"
        assert client.is_closed()


@pytest.fixture
def pair_ports(node_server: NodeProcess, redis_server: RedisProcess) -> tuple[int, int]:
    return node_server.port, redis_server.port
