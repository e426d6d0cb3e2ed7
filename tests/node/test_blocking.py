"""Blocking list commands (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH), against Redis 7.0.

Each scenario runs twice, once on our node and once on a real redis-server, with several
connections of its own; what every connection received is recorded in a transcript and the two
transcripts must be identical. Scenarios never rely on sleeps for ordering: after sending a
blocking command they poll INFO until the server reports the client blocked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.support import NodeProcess, RawClient, RedisProcess, encode_command

Transcript = list[tuple[str, bytes]]


class Scene:
    """Named connections to one server, and the transcript of what they received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.clients: dict[str, RawClient] = {}
        self.transcript: Transcript = []
        self["ctl"].call("FLUSHALL")
        # Clients another test left blocked (on their own keys) are not this scene's.
        self.baseline = self.blocked_clients()

    def __getitem__(self, name: str) -> RawClient:
        if name not in self.clients:
            self.clients[name] = RawClient(self.port, timeout=5)
        return self.clients[name]

    def call(self, name: str, *args: str | bytes) -> bytes:
        reply = self[name].call(*args)
        self.transcript.append((name, reply))
        return reply

    def send(self, name: str, *args: str | bytes) -> None:
        self[name].send(*args)

    def read(self, name: str) -> bytes:
        reply = self[name].read_reply()
        self.transcript.append((name, reply))
        return reply

    def blocked_clients(self) -> int:
        info = self["ctl"].call("INFO", "clients").decode()
        for line in info.split("\r\n"):
            if line.startswith("blocked_clients:"):
                return int(line.split(":")[1])
        raise AssertionError("INFO clients has no blocked_clients")

    def wait_blocked(self, count: int) -> None:
        deadline = time.monotonic() + 5
        count += self.baseline
        while self.blocked_clients() != count:
            assert time.monotonic() < deadline, (
                f"port {self.port}: expected {count} blocked clients, not {self.blocked_clients()}"
            )
            time.sleep(0.005)

    def silent(self, name: str, wait: float = 0.05) -> bool:
        """True when nothing arrived on this connection within `wait` seconds."""
        client = self[name]
        if client.buffer:
            return False
        client.sock.settimeout(wait)
        try:
            chunk = client.sock.recv(1 << 16)
        except TimeoutError:
            return True
        finally:
            client.sock.settimeout(5)
        client.buffer += chunk
        return False

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


Scenario = Callable[[Scene], None]


@pytest.fixture
def compare(node_server: NodeProcess, redis_server: RedisProcess) -> Callable[[Scenario], Transcript]:
    """Run a scenario on both servers; assert the transcripts match; return Redis's."""

    def run(scenario: Scenario) -> Transcript:
        results = []
        for port in (redis_server.port, node_server.port):
            scene = Scene(port)
            try:
                scenario(scene)
                results.append(scene.transcript)
            finally:
                scene.close()
        theirs, ours = results
        assert ours == theirs, f"\n ours:  {ours!r}\n redis: {theirs!r}"
        return theirs

    return run


# ---- timeouts ----------------------------------------------------------------------------------
@pytest.mark.parametrize("resp", ["2", "3"])
def test_timeouts_answer_a_null_array(compare: Callable[[Scenario], Transcript], resp: str) -> None:
    def scenario(s: Scene) -> None:
        s["a"].call("HELLO", resp)  # not recorded: the reply holds the client id
        for command in (
            ("BLPOP", "k", "0.1"),
            ("BRPOP", "k1", "k2", "0.1"),
            ("BLMPOP", "0.1", "2", "k1", "k2", "LEFT", "COUNT", "3"),
            ("BLMOVE", "k", "d", "LEFT", "RIGHT", "0.1"),
            ("BRPOPLPUSH", "k", "d", "0.1"),
        ):
            start = time.monotonic()
            s.call("a", *command)
            elapsed = time.monotonic() - start
            assert 0.09 <= elapsed < 2, (command, elapsed)
        s.call("a", "EXISTS", "d")

    compare(scenario)


@pytest.mark.parametrize("timeout", ["0.0001", "1e-10", "0x1p-4", ".05", "0.01"])
def test_tiny_timeouts_expire_soon(compare: Callable[[Scenario], Transcript], timeout: str) -> None:
    def scenario(s: Scene) -> None:
        start = time.monotonic()
        s.call("a", "BLPOP", "k", timeout)
        assert time.monotonic() - start < 1

    compare(scenario)


@pytest.mark.parametrize("timeout", ["0", "-0", "-0.0005", "-0.001", "9.223372e15"])
def test_timeouts_that_mean_forever(compare: Callable[[Scenario], Transcript], timeout: str) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k", timeout)
        s.wait_blocked(1)
        assert s.silent("a", 0.2)
        s.call("b", "RPUSH", "k", "v")
        s.read("a")

    compare(scenario)


# ---- waking ------------------------------------------------------------------------------------
def test_push_from_another_client_wakes_waiters_in_arrival_order(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k", "0")
        s.wait_blocked(1)
        s.send("b", "BRPOP", "k", "other", "0")
        s.wait_blocked(2)
        s.send("c", "BLPOP", "k", "5")
        s.wait_blocked(3)
        s.call("ctl", "RPUSH", "k", "x", "y")
        s.read("a")
        s.read("b")
        assert s.silent("c")
        s.call("ctl", "LPUSH", "k", "z")
        s.read("c")
        s.call("ctl", "EXISTS", "k")

    compare(scenario)


def test_waiter_on_several_keys_is_served_by_the_first_ready(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k1", "k2", "k3", "0")
        s.wait_blocked(1)
        s.call("ctl", "RPUSH", "k3", "three")
        s.read("a")
        s.send("a", "BRPOP", "k1", "k1", "0")  # a key given twice is served once
        s.wait_blocked(1)
        s.call("ctl", "RPUSH", "k1", "a", "b")
        s.read("a")
        s.call("ctl", "LRANGE", "k1", "0", "-1")

    compare(scenario)


@pytest.mark.parametrize("resp", ["2", "3"])
def test_blmpop_waiters_take_count_elements(compare: Callable[[Scenario], Transcript], resp: str) -> None:
    def scenario(s: Scene) -> None:
        s["a"].call("HELLO", resp)  # not recorded: the reply holds the client id
        s.send("a", "BLMPOP", "0", "2", "k1", "k2", "RIGHT", "COUNT", "3")
        s.wait_blocked(1)
        s.send("b", "BLPOP", "k2", "0")
        s.wait_blocked(2)
        s.send("c", "BLMPOP", "0", "1", "k2", "LEFT")
        s.wait_blocked(3)
        s.call("ctl", "RPUSH", "k2", "1", "2", "3", "4")
        s.read("a")
        s.read("b")
        assert s.silent("c")
        s.call("ctl", "RPUSH", "k2", "5", "6")
        s.read("c")
        s.call("ctl", "LRANGE", "k2", "0", "-1")

    compare(scenario)


@pytest.mark.parametrize("command", [("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"), ("BRPOPLPUSH", "src", "dst", "0")])
def test_blmove_wakes_and_its_push_wakes_the_next(
    compare: Callable[[Scenario], Transcript], command: tuple[str, ...]
) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", *command)
        s.wait_blocked(1)
        s.send("b", "BLPOP", "dst", "0")
        s.wait_blocked(2)
        s.call("ctl", "RPUSH", "src", "one", "two")
        s.read("a")
        s.read("b")
        s.call("ctl", "LRANGE", "src", "0", "-1")
        s.call("ctl", "EXISTS", "dst")

    compare(scenario)


def test_blmove_onto_a_wrong_type_destination_is_answered_wrongtype(
    compare: Callable[[Scenario], Transcript],
) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
        s.wait_blocked(1)
        s.call("ctl", "SET", "dst", "string")
        s.call("ctl", "RPUSH", "src", "x", "y")
        s.read("a")
        s.call("a", "PING")
        s.call("ctl", "LRANGE", "src", "0", "-1")

    compare(scenario)


def test_rotation_onto_the_blocked_key_itself(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLMOVE", "k", "k", "LEFT", "RIGHT", "0")
        s.wait_blocked(1)
        s.call("ctl", "RPUSH", "k", "1", "2", "3")
        s.read("a")
        s.call("ctl", "LRANGE", "k", "0", "-1")

    compare(scenario)


def test_push_inside_multi_wakes_after_exec(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k", "0")
        s.wait_blocked(1)
        s.call("ctl", "MULTI")
        s.call("ctl", "RPUSH", "k", "x")
        s.call("ctl", "LPUSH", "k", "y")
        assert s.silent("a")
        s.call("ctl", "EXEC")
        s.read("a")
        # A push popped again inside the same transaction leaves the waiter blocked.
        s.send("a", "BLPOP", "k2", "0")
        s.wait_blocked(1)
        s.call("ctl", "MULTI")
        s.call("ctl", "RPUSH", "k2", "x")
        s.call("ctl", "RPOP", "k2")
        s.call("ctl", "EXEC")
        assert s.silent("a")
        s.call("ctl", "RPUSH", "k2", "later")
        s.read("a")
        s.call("ctl", "LRANGE", "k", "0", "-1")

    compare(scenario)


def test_blocking_inside_multi_never_blocks(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.call("a", "MULTI")
        s.call("a", "BLPOP", "k", "0")
        s.call("a", "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
        s.call("a", "BLMPOP", "0", "1", "k", "LEFT")
        s.call("a", "EXEC")
        assert s.blocked_clients() == s.baseline

    compare(scenario)


def test_move_from_another_db_wakes_waiters(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k", "0")
        s.wait_blocked(1)
        s.call("ctl", "SELECT", "1")
        s.call("ctl", "RPUSH", "k", "moved")
        assert s.silent("a")  # a push in db 1 does not wake a waiter of db 0
        s.call("ctl", "MOVE", "k", "0")
        s.read("a")

    compare(scenario)


def test_key_of_another_type_keeps_the_waiter_blocked(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k", "0.3")
        s.wait_blocked(1)
        s.call("ctl", "SET", "k", "string")
        assert s.silent("a")
        s.read("a")  # the timeout
        s.call("a", "BLPOP", "k", "0")  # now WRONGTYPE at once

    compare(scenario)


# ---- the blocked connection --------------------------------------------------------------------
def test_pipelined_commands_wait_until_unblocked(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s["a"].send_raw(
            b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n"
        )
        s.wait_blocked(1)
        assert s.silent("a")
        s.call("ctl", "RPUSH", "k", "first", "second")
        s.read("a")
        s.read("a")
        s.read("a")
        # More commands typed while blocked also wait their turn.
        s.send("a", "BRPOP", "k2", "0")
        s.wait_blocked(1)
        s.send("a", "ECHO", "after")
        assert s.silent("a")
        s.call("ctl", "RPUSH", "k2", "v")
        s.read("a")
        s.read("a")

    compare(scenario)


@pytest.mark.parametrize("pipelined", [False, True])
def test_disconnect_while_blocked(compare: Callable[[Scenario], Transcript], pipelined: bool) -> None:
    # A key of its own: should a server keep a dead waiter, it must not spoil other tests.
    key = f"gone-{pipelined}"

    def scenario(s: Scene) -> None:
        if pipelined:  # a command waiting behind the block must not hide the disconnect
            s["a"].send_raw(encode_command(["BLPOP", key, "0"]) + encode_command(["PING"]))
        else:
            s.send("a", "BLPOP", key, "0")
        s.wait_blocked(1)
        s.send("b", "BLPOP", key, "0")
        s.wait_blocked(2)
        s["a"].close()
        del s.clients["a"]
        s.wait_blocked(1)
        s.call("ctl", "RPUSH", key, "x", "y")
        s.read("b")
        s.call("ctl", "LRANGE", key, "0", "-1")

    compare(scenario)


@pytest.mark.parametrize("how", ["TIMEOUT", "ERROR"])
def test_client_unblock(compare: Callable[[Scenario], Transcript], how: str) -> None:
    def scenario(s: Scene) -> None:
        client_id = s["a"].call("CLIENT", "ID")  # not recorded: ids differ between servers
        s.send("a", "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
        s.wait_blocked(1)
        s.send("a", "PING")
        assert s.silent("a")
        s.call("ctl", "CLIENT", "UNBLOCK", client_id[1:-2].decode(), how)
        s.read("a")
        s.read("a")
        s.call("ctl", "RPUSH", "k", "x")
        s.call("ctl", "LLEN", "k")

    compare(scenario)


def test_swapdb_wakes_waiters(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k", "0")
        s.wait_blocked(1)
        s.call("ctl", "SELECT", "1")
        s.call("ctl", "RPUSH", "k", "from-db1")
        s.call("ctl", "SWAPDB", "0", "1")
        s.read("a")

    compare(scenario)


def test_keys_made_ready_together_are_served_in_readiness_order(compare: Callable[[Scenario], Transcript]) -> None:
    def scenario(s: Scene) -> None:
        s.send("a", "BLPOP", "k1", "k2", "0")
        s.wait_blocked(1)
        s.send("b", "BLPOP", "k1", "0")
        s.wait_blocked(2)
        s.call("ctl", "MULTI")
        s.call("ctl", "RPUSH", "k2", "two")
        s.call("ctl", "RPUSH", "k1", "one")
        s.call("ctl", "EXEC")
        s.read("a")  # served by k2, the first key made ready, leaving k1's element to b
        s.read("b")
        s.call("ctl", "EXISTS", "k1", "k2")

    compare(scenario)
