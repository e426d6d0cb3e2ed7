"""MULTI/EXEC/DISCARD/WATCH/UNWATCH against a real Redis 7.0, with a second connection per server
to dirty WATCHed keys from outside."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess


@pytest.fixture
def other(pair: Pair, node_server: NodeProcess, redis_server: RedisProcess) -> Iterator[Pair]:
    """A second connection to each server (another client, for WATCH)."""
    second = Pair(RawClient(node_server.port), RawClient(redis_server.port))
    yield second
    second.ours.close()
    second.theirs.close()


def test_multi_exec_basics(pair: Pair) -> None:
    pair.check("MULTI")
    pair.check("SET", "a", "1")
    pair.check("INCR", "a")
    pair.check("GET", "a")
    pair.check("EXEC")
    pair.check("MULTI")
    pair.check("EXEC")  # empty transaction: empty array


def test_errors_outside_and_inside(pair: Pair) -> None:
    pair.check("EXEC")
    pair.check("DISCARD")
    pair.check("MULTI")
    pair.check("MULTI")  # nested: an error that does not abort the transaction
    pair.check("WATCH", "a")  # likewise
    pair.check("SET", "a", "1")
    pair.check("EXEC")
    pair.check("MULTI", "x")
    pair.check("DISCARD", "x")
    pair.check("WATCH")
    pair.check("UNWATCH", "x")


def test_exec_rejected_before_running_aborts_the_transaction(pair: Pair) -> None:
    """Redis's execCommandAbort: an EXEC the dispatcher rejects (arity, OOM) discards the
    transaction and says why, even outside MULTI. Needs dispatch.py to call
    transactions.abort_exec for a rejected EXEC."""
    pair.check("EXEC", "x")
    pair.check("MULTI")
    pair.check("SET", "a", "1")
    pair.check("EXEC", "x")
    pair.check("EXEC")


def test_queueing_errors_abort_with_execabort(pair: Pair) -> None:
    pair.check("MULTI")
    pair.check("SET", "a")  # wrong arity: rejected at queueing
    pair.check("SET", "b", "1")
    pair.check("EXEC")
    pair.check("EXISTS", "b")
    pair.check("MULTI")
    pair.check("NOSUCHCOMMAND")
    pair.check("EXEC")
    pair.check("MULTI")
    pair.check("OBJECT", "NOSUCH")  # unknown subcommand
    pair.check("EXEC")
    pair.check("EXEC")  # the transaction is gone


def test_runtime_errors_do_not_abort(pair: Pair) -> None:
    pair.check("SET", "s", "text")
    pair.check("MULTI")
    pair.check("INCR", "s")
    pair.check("SET", "t", "1")
    pair.check("HSET", "s", "f", "v")
    pair.check("EXEC")
    pair.check("GET", "t")


def test_discard(pair: Pair) -> None:
    pair.check("MULTI")
    pair.check("SET", "a", "1")
    pair.check("DISCARD")
    pair.check("GET", "a")
    pair.check("EXEC")


def test_select_inside_exec_sticks(pair: Pair) -> None:
    pair.check("MULTI")
    pair.check("SELECT", "2")
    pair.check("SET", "a", "in-2")
    pair.check("EXEC")
    pair.check("GET", "a")
    pair.check("SELECT", "0")
    pair.check("GET", "a")


def test_watch_untouched_runs(pair: Pair, other: Pair) -> None:
    pair.check("SET", "k", "1")
    pair.check("WATCH", "k", "k", "missing")
    other.check("GET", "k")
    other.check("SET", "unrelated", "1")
    pair.check("MULTI")
    pair.check("INCR", "k")
    pair.check("EXEC")


@pytest.mark.parametrize(
    "write",
    [
        ("SET", "k", "2"),
        ("DEL", "k"),
        ("INCR", "k"),
        ("APPEND", "k", "x"),
        ("EXPIRE", "k", "100"),
        ("RENAME", "k", "k2"),
        ("RENAME", "j", "k"),
        ("COPY", "j", "k", "REPLACE"),
        ("MOVE", "k", "1"),
        ("FLUSHDB",),
        ("FLUSHALL",),
    ],
)
def test_watch_dirtied_by_another_client(pair: Pair, other: Pair, write: tuple[str, ...]) -> None:
    pair.check("SET", "k", "1")
    pair.check("SET", "j", "1")
    pair.check("WATCH", "k")
    other.check(*write)
    pair.check("MULTI")
    pair.check("SET", "k", "mine")
    pair.check("EXEC")
    pair.check("GET", "k")


@pytest.mark.parametrize(
    "write",
    [("DEL", "k"), ("PERSIST", "k"), ("EXPIRE", "k", "100", "XX"), ("TOUCH", "k"), ("GET", "k"), ("TTL", "k")],
)
def test_watch_not_dirtied_by_no_ops(pair: Pair, other: Pair, write: tuple[str, ...]) -> None:
    pair.check("WATCH", "k")  # k is missing: DEL, PERSIST, EXPIRE XX change nothing
    other.check(*write)
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")


def test_watch_missing_key_created_then_deleted(pair: Pair, other: Pair) -> None:
    pair.check("WATCH", "k")
    other.check("SET", "k", "1")
    other.check("DEL", "k")
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")


def test_watch_is_per_database(pair: Pair, other: Pair) -> None:
    pair.check("SELECT", "1")
    pair.check("WATCH", "k")
    pair.check("SELECT", "0")
    other.check("SET", "k", "in-0")  # another database's k: no effect
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")
    pair.check("SELECT", "1")
    pair.check("WATCH", "k")
    other.check("SELECT", "1")
    other.check("SET", "k", "in-1")
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")
    pair.check("SELECT", "0")


def test_own_writes_before_multi_dirty_the_watch(pair: Pair) -> None:
    pair.check("WATCH", "k")
    pair.check("SET", "k", "1")
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")


def test_own_writes_inside_exec_do_not_matter(pair: Pair) -> None:
    pair.check("WATCH", "k")
    pair.check("MULTI")
    pair.check("SET", "k", "1")
    pair.check("SET", "k", "2")
    pair.check("EXEC")


def test_unwatch_and_discard_forget_watches(pair: Pair, other: Pair) -> None:
    pair.check("WATCH", "k")
    other.check("SET", "k", "1")
    pair.check("UNWATCH")
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")
    pair.check("WATCH", "k")
    pair.check("MULTI")
    pair.check("DISCARD")
    other.check("SET", "k", "2")
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")


def test_exec_forgets_watches(pair: Pair, other: Pair) -> None:
    pair.check("WATCH", "k")
    pair.check("MULTI")
    pair.check("EXEC")
    other.check("SET", "k", "1")
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")


def test_execabort_wins_over_dirty_watch(pair: Pair, other: Pair) -> None:
    pair.check("WATCH", "k")
    other.check("SET", "k", "1")
    pair.check("MULTI")
    pair.check("SET", "k")
    pair.check("EXEC")


def test_watched_key_expiring_aborts_exec(pair: Pair) -> None:
    for client in (pair.ours, pair.theirs):
        client.call("SET", "k", "1", "PX", "30")
    pair.check("WATCH", "k")
    time.sleep(0.06)  # expired now, reclaimed or not
    pair.check("MULTI")
    pair.check("PING")
    pair.check("EXEC")


def test_watching_an_already_expired_key(pair: Pair, other: Pair) -> None:
    for client in (pair.ours, pair.theirs):
        client.call("SET", "k", "1", "PX", "5")
    time.sleep(0.02)
    pair.check("WATCH", "k")  # already expired: its reclamation alone must not abort
    other.check("GET", "k")
    pair.check("MULTI")
    pair.check("GET", "k")
    pair.check("EXEC")
    for client in (pair.ours, pair.theirs):
        client.call("SET", "k", "1", "PX", "5")
    time.sleep(0.02)
    pair.check("WATCH", "k")
    other.check("SET", "k", "2")  # a real write does
    pair.check("MULTI")
    pair.check("GET", "k")
    pair.check("EXEC")


def test_blocking_commands_inside_exec_do_not_block(pair: Pair) -> None:
    for command in (("BLPOP", "nolist", "0"), ("BZPOPMIN", "nozset", "0")):
        if not pair.ours.call("COMMAND", "INFO", command[0]).startswith(b"*1\r\n*1"):
            continue
        pair.check("MULTI")
        pair.check(*command)
        pair.check("EXEC")


def test_blocked_client_served_after_the_whole_exec(pair: Pair, other: Pair) -> None:
    if pair.ours.call("COMMAND", "INFO", "BLPOP").startswith(b"*1\r\n*-1"):
        pytest.skip("the node has no BLPOP yet")
    for client in (other.ours, other.theirs):
        client.send("BLPOP", "l", "5")
    time.sleep(0.1)
    pair.check("MULTI")
    pair.check("RPUSH", "l", "a")
    pair.check("RPUSH", "l", "b")
    pair.check("LPOP", "l")
    pair.check("EXEC")
    assert other.ours.read_reply() == other.theirs.read_reply()
    pair.check("LRANGE", "l", "0", "-1")
