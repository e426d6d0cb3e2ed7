"""Hash commands against a real Redis 7.0: replies and errors byte for byte.

Small hashes are listpacks in Redis, whose order (insertion order) is deterministic, so most
replies are compared exactly; hashes past the listpack thresholds are compared as multisets.
Random commands (HRANDFIELD) are checked by properties.
"""

from __future__ import annotations

import pytest

from tests.node.conftest import Pair
from tests.support import RawClient, parse_reply


def resp3(pair: Pair) -> None:
    pair.both("HELLO", "3")


def test_hset_hget_and_friends(pair: Pair) -> None:
    pair.run(
        ("HSET", "h", "a", "1", "b", "2"),
        ("HSET", "h", "a", "10", "c", "3", "a", "11"),
        ("HGET", "h", "a"),
        ("HGET", "h", "missing"),
        ("HGET", "nokey", "a"),
        ("HGETALL", "h"),
        ("HKEYS", "h"),
        ("HVALS", "h"),
        ("HLEN", "h"),
        ("HLEN", "nokey"),
        ("HMGET", "h", "a", "zz", "c"),
        ("HMGET", "nokey", "a", "b"),
        ("HEXISTS", "h", "a"),
        ("HEXISTS", "h", "zz"),
        ("HEXISTS", "nokey", "a"),
        ("HSTRLEN", "h", "a"),
        ("HSTRLEN", "h", "zz"),
        ("HSTRLEN", "nokey", "a"),
        ("HSETNX", "h", "a", "x"),
        ("HSETNX", "h", "d", "x"),
        ("HSETNX", "new", "f", "v"),
        ("HMSET", "h", "e", "5", "a", "0"),
        ("HGETALL", "h"),
        ("HGETALL", "nokey"),
        ("HKEYS", "nokey"),
        ("HVALS", "nokey"),
        ("HSET", "h", "", ""),
        ("HGET", "h", ""),
        ("HGETALL", "h"),
    )


def test_hdel_deletes_emptied_key(pair: Pair) -> None:
    pair.run(
        ("HSET", "h", "a", "1", "b", "2", "c", "3"),
        ("HDEL", "h", "a", "a", "zz"),
        ("HGETALL", "h"),
        ("HDEL", "h", "b", "c", "d"),
        ("EXISTS", "h"),
        ("HDEL", "nokey", "a"),
        ("HSET", "h", "x", "1"),
        ("HDEL", "h", "x"),
        ("TYPE", "h"),
    )


def test_resp3_replies(pair: Pair) -> None:
    resp3(pair)
    pair.run(
        ("HSET", "h", "a", "1", "b", "2"),
        ("HGETALL", "h"),
        ("HGETALL", "nokey"),
        ("HGET", "nokey", "a"),
        ("HMGET", "h", "a", "zz"),
        ("HEXISTS", "h", "a"),
        ("HKEYS", "h"),
        ("HRANDFIELD", "h", "5", "WITHVALUES"),
        ("HRANDFIELD", "h", "5"),
        ("HRANDFIELD", "nokey"),
        ("HRANDFIELD", "nokey", "3", "WITHVALUES"),
        ("HSCAN", "h", "0"),
        ("HSCAN", "nokey", "0"),
        ("HINCRBYFLOAT", "h", "f", "1.5"),
    )


def test_wrong_type_and_arity(pair: Pair) -> None:
    pair.check("SET", "s", "x")
    for args in (
        ("HSET", "s", "a", "1"),
        ("HSETNX", "s", "a", "1"),
        ("HMSET", "s", "a", "1"),
        ("HGET", "s", "a"),
        ("HMGET", "s", "a"),
        ("HGETALL", "s"),
        ("HKEYS", "s"),
        ("HVALS", "s"),
        ("HDEL", "s", "a"),
        ("HEXISTS", "s", "a"),
        ("HLEN", "s"),
        ("HSTRLEN", "s", "a"),
        ("HINCRBY", "s", "a", "1"),
        ("HINCRBYFLOAT", "s", "a", "1"),
        ("HRANDFIELD", "s"),
        ("HRANDFIELD", "s", "2"),
        ("HRANDFIELD", "s", "0"),
        ("HSCAN", "s", "0"),
        ("HSCAN", "s", "0", "COUNT", "0"),
        # arity
        ("HSET", "h", "a"),
        ("HSET", "h", "a", "1", "b"),
        ("HMSET", "h", "a", "1", "b"),
        ("HSETNX", "h", "a"),
        ("HGET", "h"),
        ("HMGET", "h"),
        ("HGETALL",),
        ("HDEL", "h"),
        ("HLEN", "h", "x"),
        ("HINCRBY", "h", "a"),
        ("HRANDFIELD",),
        ("HSCAN", "h"),
    ):
        pair.check(*args)


def test_hincrby(pair: Pair) -> None:
    pair.run(
        ("HINCRBY", "h", "n", "5"),
        ("HINCRBY", "h", "n", "-7"),
        ("HINCRBY", "h", "n", "x"),
        ("HINCRBY", "h", "n", "1.5"),
        ("HINCRBY", "h", "n", " 1"),
        ("HINCRBY", "nokey", "n", "x"),
        ("EXISTS", "nokey"),
        ("HSET", "h", "s", "abc", "sp", " 5", "z", "007", "f", "1.0", "max", "9223372036854775807"),
        ("HINCRBY", "h", "s", "1"),
        ("HINCRBY", "h", "sp", "1"),
        ("HINCRBY", "h", "z", "1"),
        ("HINCRBY", "h", "f", "1"),
        ("HINCRBY", "h", "max", "1"),
        ("HINCRBY", "h", "max", "0"),
        ("HINCRBY", "h", "max", "-9223372036854775808"),
        ("HINCRBY", "h", "min", "-9223372036854775808"),
        ("HINCRBY", "h", "min", "-1"),
        ("HINCRBY", "h", "n", "9223372036854775808"),
        ("HGETALL", "h"),
    )


def test_hincrbyfloat(pair: Pair) -> None:
    pair.run(
        ("HINCRBYFLOAT", "h", "f", "0.1"),
        ("HINCRBYFLOAT", "h", "f", "0.2"),
        ("HINCRBYFLOAT", "h", "f", "-0.3"),
        ("HINCRBYFLOAT", "h", "g", "1e308"),
        ("HINCRBYFLOAT", "h", "g", "1e308"),
        ("HINCRBYFLOAT", "h", "i", "10"),
        ("HINCRBYFLOAT", "h", "i", "5.0e3"),
        ("HINCRBYFLOAT", "h", "x", "0x10"),
        ("HINCRBYFLOAT", "h", "x", "nan"),
        ("HINCRBYFLOAT", "h", "x", "inf"),
        ("HINCRBYFLOAT", "h", "x", "-infinity"),
        ("HINCRBYFLOAT", "h", "x", "abc"),
        ("HINCRBYFLOAT", "h", "x", " 1"),
        ("HINCRBYFLOAT", "h", "x", ""),
        ("HSET", "h", "s", "abc", "big", "1e4932"),
        ("HINCRBYFLOAT", "h", "s", "1"),
        ("HINCRBYFLOAT", "h", "big", "1e4932"),
        ("HINCRBYFLOAT", "h", "i", "-5010"),
    )
    pair.check("HGETALL", "h", unordered=True)  # a 309-byte value made it a hashtable


def test_hrandfield_whole_hash_and_errors(pair: Pair) -> None:
    pair.check("HSET", "h", "a", "1", "b", "2", "c", "3")
    pair.run(
        ("HRANDFIELD", "h", "3"),
        ("HRANDFIELD", "h", "10"),
        ("HRANDFIELD", "h", "10", "WITHVALUES"),
        ("HRANDFIELD", "h", "10", "withvalues"),
        ("HRANDFIELD", "h", "0"),
        ("HRANDFIELD", "h", "0", "WITHVALUES"),
        ("HRANDFIELD", "nokey"),
        ("HRANDFIELD", "nokey", "5"),
        ("HRANDFIELD", "nokey", "-5", "WITHVALUES"),
        ("HRANDFIELD", "nokey", "5", "foo"),
        ("HRANDFIELD", "h", "x"),
        ("HRANDFIELD", "h", "1", "foo"),
        ("HRANDFIELD", "h", "1", "WITHVALUES", "x"),
        ("HRANDFIELD", "h", "-9223372036854775808"),
        ("HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"),
        ("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
        ("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
    )


def _array(raw: bytes) -> list[bytes]:
    kind, items = parse_reply(raw)
    assert kind == "*"
    return list(items)


def test_hrandfield_properties(node: RawClient) -> None:
    fields = {f"f{i}".encode(): f"v{i}".encode() for i in range(50)}
    args: list[bytes] = []
    for field, value in fields.items():
        args += [field, value]
    node.call("HSET", "h", *args)
    one = parse_reply(node.call("HRANDFIELD", "h"))
    assert one in fields
    distinct = _array(node.call("HRANDFIELD", "h", "20"))
    assert len(distinct) == len(set(distinct)) == 20 and set(distinct) <= set(fields)
    distinct = _array(node.call("HRANDFIELD", "h", "3"))
    assert len(set(distinct)) == 3 and set(distinct) <= set(fields)
    repeated = _array(node.call("HRANDFIELD", "h", "-200"))
    assert len(repeated) == 200 and set(repeated) <= set(fields)
    assert len(set(repeated)) > 10  # 200 draws from 50 fields
    pairs = _array(node.call("HRANDFIELD", "h", "-30", "WITHVALUES"))
    assert len(pairs) == 60
    for i in range(0, 60, 2):
        assert fields[pairs[i]] == pairs[i + 1]
    node.call("HELLO", "3")
    nested = _array(node.call("HRANDFIELD", "h", "5", "WITHVALUES"))
    assert len(nested) == 5
    for item in nested:
        kind, (field, value) = item
        assert kind == "*" and fields[field] == value
    # Deleted fields are never drawn.
    node.call("HDEL", "h", *list(fields)[:45])
    drawn = _array(node.call("HRANDFIELD", "h", "-100"))
    assert set(drawn) <= set(list(fields)[45:])
    assert _array(node.call("HRANDFIELD", "h", "4")) != []


def test_large_hash_unordered(pair: Pair) -> None:
    args: list[str] = []
    for i in range(600):  # past hash-max-listpack-entries (512 built in; redis.conf says 128)
        args += [f"field:{i}", str(i)]
    pair.check("HSET", "big", *args)
    pair.check("HLEN", "big")
    pair.check("HGETALL", "big", unordered=True)
    pair.check("HKEYS", "big", unordered=True)
    pair.check("HVALS", "big", unordered=True)
    pair.check("HSET", "long", "f", "x" * 65)
    pair.check("HSET", "long", "g", "y")
    pair.check("HGETALL", "long", unordered=True)


@pytest.mark.parametrize("cursor", ["0", "", "+0", "-0", "-1", "18446744073709551615", "7"])
def test_hscan_small_hash_returns_everything(pair: Pair, cursor: str) -> None:
    pair.check("HSET", "h", "a", "1", "b", "2", "c", "3")
    pair.check("HSCAN", "h", cursor)


def test_hscan_options_and_errors(pair: Pair) -> None:
    pair.check("HSET", "h", "apple", "1", "banana", "2", "avocado", "3", "", "empty")
    pair.run(
        ("HSCAN", "h", "0", "MATCH", "a*"),
        ("HSCAN", "h", "0", "match", "*an*", "count", "1"),
        ("HSCAN", "h", "0", "MATCH", "*"),
        ("HSCAN", "h", "0", "MATCH", "?"),
        ("HSCAN", "h", "0", "MATCH", "a*", "MATCH", "b*"),
        ("HSCAN", "h", "0", "COUNT", "1000"),
        ("HSCAN", "h", "0", "COUNT", "0"),
        ("HSCAN", "h", "0", "COUNT", "-1"),
        ("HSCAN", "h", "0", "COUNT", "x"),
        ("HSCAN", "h", "0", "COUNT"),
        ("HSCAN", "h", "0", "MATCH"),
        ("HSCAN", "h", "0", "TYPE", "string"),
        ("HSCAN", "h", "0", "foo", "bar"),
        ("HSCAN", "h", "x"),
        ("HSCAN", "h", " 0"),
        ("HSCAN", "h", "0 "),
        ("HSCAN", "h", "-"),
        ("HSCAN", "h", "18446744073709551616"),
        ("HSCAN", "nokey", "0", "COUNT", "0"),
        ("HSCAN", "nokey", "x"),
    )


def _full_scan(client: RawClient, *args: str) -> tuple[list[bytes], int]:
    cursor = b"0"
    seen: list[bytes] = []
    calls = 0
    while True:
        _, (cursor, (_, elements)) = parse_reply(client.call("HSCAN", "big", cursor, *args))
        calls += 1
        seen += elements[0::2]
        for field, value in zip(elements[0::2], elements[1::2]):
            assert value == field.replace(b"f", b"v")
        if cursor == b"0":
            return seen, calls


def test_hscan_large_hash_iterates_in_steps(node: RawClient) -> None:
    args: list[str] = []
    for i in range(1000):
        args += [f"f{i}", f"v{i}"]
    node.call("HSET", "big", *args)
    seen, calls = _full_scan(node)
    assert sorted(seen) == sorted(a.encode() for a in args[0::2])
    assert calls > 50  # COUNT 10 by default
    seen, calls = _full_scan(node, "COUNT", "300")
    assert len(seen) == 1000 and calls <= 5
    seen, _ = _full_scan(node, "MATCH", "f1*", "COUNT", "50")
    assert sorted(seen) == sorted(f"f{i}".encode() for i in range(1000) if str(i).startswith("1"))


def test_hscan_never_misses_fields_present_throughout(node: RawClient) -> None:
    args: list[str] = []
    for i in range(600):
        args += [f"f{i}", f"v{i}"]
    node.call("HSET", "big", *args)
    cursor = b"0"
    seen: set[bytes] = set()
    step = 0
    while True:
        _, (cursor, (_, elements)) = parse_reply(node.call("HSCAN", "big", cursor, "COUNT", "25"))
        seen.update(elements[0::2])
        step += 1
        # Churn while scanning: delete low fields, add new ones, and start other scans.
        node.call("HDEL", "big", f"f{step}")
        node.call("HSET", "big", f"new{step}", f"v{step}")
        node.call("HSCAN", "big", "0")
        if cursor == b"0":
            break
    stable = {f"f{i}".encode() for i in range(step + 1, 600)}
    assert stable <= seen


def test_hscan_stale_cursor_restarts(node: RawClient) -> None:
    args: list[str] = []
    for i in range(1000):
        args += [f"f{i}", f"v{i}"]
    node.call("HSET", "big", *args)
    _, (cursor, _) = parse_reply(node.call("HSCAN", "big", "0"))
    assert cursor != b"0"
    node.call("DEL", "big")
    node.call("HSET", "big", *args)
    seen, _ = _full_scan_from(node, cursor)
    assert set(seen) == {a.encode() for a in args[0::2]}


def _full_scan_from(client: RawClient, cursor: bytes) -> tuple[list[bytes], int]:
    seen: list[bytes] = []
    calls = 0
    while True:
        _, (cursor, (_, elements)) = parse_reply(client.call("HSCAN", "big", cursor, "COUNT", "100"))
        calls += 1
        seen += elements[0::2]
        if cursor == b"0":
            return seen, calls
