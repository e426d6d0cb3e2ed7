"""Set commands against a real Redis 7.0: replies and errors byte for byte.

Sets of up to 512 integers are intsets in Redis, walked in ascending numeric order, so replies
about them are compared exactly; other sets are hashtables and compared as multisets. Random
commands (SPOP, SRANDMEMBER) are checked by properties.
"""

from __future__ import annotations

from tests.node.conftest import Pair
from tests.support import RawClient, parse_reply


def resp3(pair: Pair) -> None:
    pair.both("HELLO", "3")


def test_sadd_srem_smembers(pair: Pair) -> None:
    pair.run(
        ("SADD", "s", "a", "b", "a", "c"),
        ("SADD", "s", "c", "d"),
        ("SCARD", "s"),
        ("SCARD", "nokey"),
        ("SISMEMBER", "s", "a"),
        ("SISMEMBER", "s", "zz"),
        ("SISMEMBER", "nokey", "a"),
        ("SMISMEMBER", "s", "a", "zz", "d"),
        ("SMISMEMBER", "nokey", "a", "b"),
        ("SREM", "s", "a", "zz", "a"),
        ("SREM", "nokey", "a"),
        ("SMEMBERS", "nokey"),
        ("SREM", "s", "b", "c", "d"),
        ("EXISTS", "s"),
    )
    pair.check("SADD", "s", "x", "y", "")
    pair.check("SMEMBERS", "s", unordered=True)


def test_intsets_answer_in_numeric_order(pair: Pair) -> None:
    pair.run(
        ("SADD", "n", "10", "-3", "7", "0", "100", "-9223372036854775808", "9223372036854775807"),
        ("SMEMBERS", "n"),
        ("SSCAN", "n", "0"),
        ("SSCAN", "n", "0", "MATCH", "1*", "COUNT", "1"),
        ("SRANDMEMBER", "n", "100"),
        ("SADD", "m", "7", "8", "-1"),
        ("SUNION", "n", "m"),
        ("SINTER", "n", "m"),
        ("SINTER", "m", "n"),
        ("SDIFF", "n", "m"),
        ("SPOP", "m", "3"),
        ("EXISTS", "m"),
    )
    # "007" and "+1" are not integers to Redis: the set becomes a hashtable.
    pair.check("SADD", "n", "007")
    pair.check("SMEMBERS", "n", unordered=True)


def test_resp3_replies(pair: Pair) -> None:
    resp3(pair)
    pair.run(
        ("SADD", "s", "1", "2", "3"),
        ("SMEMBERS", "s"),
        ("SMEMBERS", "nokey"),
        ("SISMEMBER", "s", "1"),
        ("SMISMEMBER", "s", "1", "9"),
        ("SRANDMEMBER", "s", "5"),
        ("SRANDMEMBER", "nokey", "5"),
        ("SRANDMEMBER", "nokey"),
        ("SPOP", "nokey"),
        ("SPOP", "nokey", "3"),
        ("SPOP", "s", "0"),
        ("SINTER", "s", "nokey"),
        ("SUNION", "s", "nokey"),
        ("SDIFF", "nokey", "s"),
        ("SSCAN", "s", "0"),
        ("SPOP", "s", "10"),
    )


def test_wrong_type_and_arity(pair: Pair) -> None:
    pair.check("SET", "str", "x")
    pair.check("SADD", "s", "a")
    for args in (
        ("SADD", "str", "a"),
        ("SREM", "str", "a"),
        ("SMEMBERS", "str"),
        ("SISMEMBER", "str", "a"),
        ("SMISMEMBER", "str", "a"),
        ("SCARD", "str"),
        ("SPOP", "str"),
        ("SPOP", "str", "1"),
        ("SPOP", "str", "0"),
        ("SRANDMEMBER", "str"),
        ("SRANDMEMBER", "str", "0"),
        ("SMOVE", "str", "s", "a"),
        ("SMOVE", "s", "str", "a"),
        ("SMOVE", "nokey", "str", "a"),
        ("SINTER", "s", "str"),
        ("SINTER", "nokey", "str"),
        ("SINTER", "str", "nokey"),
        ("SUNION", "s", "str"),
        ("SDIFF", "nokey", "str"),
        ("SDIFF", "s", "str"),
        ("SINTERSTORE", "d", "s", "str"),
        ("SUNIONSTORE", "d", "str"),
        ("SDIFFSTORE", "d", "nokey", "str"),
        ("SINTERCARD", "2", "s", "str"),
        ("SINTERCARD", "2", "nokey", "str"),
        ("SSCAN", "str", "0"),
        ("SADD", "s"),
        ("SREM", "s"),
        ("SMEMBERS",),
        ("SISMEMBER", "s"),
        ("SMISMEMBER", "s"),
        ("SCARD",),
        ("SPOP",),
        ("SPOP", "s", "1", "2"),
        ("SRANDMEMBER", "s", "1", "2"),
        ("SMOVE", "s", "d"),
        ("SINTER",),
        ("SINTERCARD", "1"),
        ("SINTERSTORE", "d"),
        ("SUNIONSTORE", "d"),
        ("SDIFFSTORE", "d"),
        ("SSCAN", "s"),
        ("EXISTS", "d"),
    ):
        pair.check(*args)


def test_algebra(pair: Pair) -> None:
    pair.run(
        ("SADD", "a", "x", "y", "z", "w"),
        ("SADD", "b", "y", "z", "q"),
        ("SADD", "c", "z", "y", "r"),
    )
    for args in (
        ("SINTER", "a", "b", "c"),
        ("SINTER", "a"),
        ("SINTER", "a", "a"),
        ("SINTER", "a", "nokey"),
        ("SUNION", "a", "b", "c"),
        ("SUNION", "nokey", "b"),
        ("SUNION", "nokey"),
        ("SDIFF", "a", "b", "c"),
        ("SDIFF", "a", "nokey"),
        ("SDIFF", "nokey", "a"),
        ("SDIFF", "a", "b", "a"),
        ("SDIFF", "a"),
    ):
        pair.check(*args, unordered=True)
    pair.run(
        ("SINTERCARD", "3", "a", "b", "c"),
        ("SINTERCARD", "1", "a"),
        ("SINTERCARD", "2", "a", "b", "LIMIT", "1"),
        ("SINTERCARD", "2", "a", "b", "limit", "0"),
        ("SINTERCARD", "2", "a", "b", "LIMIT", "100"),
        ("SINTERCARD", "2", "a", "nokey"),
        ("SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "3"),
        ("SINTERCARD", "abc", "a"),
        ("SINTERCARD", "0", "a"),
        ("SINTERCARD", "-1", "a"),
        ("SINTERCARD", "3", "a", "b"),
        ("SINTERCARD", "1", "a", "LIMIT"),
        ("SINTERCARD", "1", "a", "LIMIT", "-1"),
        ("SINTERCARD", "1", "a", "LIMIT", "x"),
        ("SINTERCARD", "1", "a", "b"),
        ("SINTERCARD", "9223372036854775808", "a"),
        ("SINTERSTORE", "d", "a", "b", "c"),
        ("SCARD", "d"),
        ("SISMEMBER", "d", "y"),
        ("SUNIONSTORE", "d", "a", "b"),
        ("SCARD", "d"),
        ("SDIFFSTORE", "d", "a", "b"),
        ("SCARD", "d"),
        ("SET", "str", "v"),
        ("EXPIRE", "str", "100"),
        ("SUNIONSTORE", "str", "a"),
        ("TTL", "str"),
        ("TYPE", "str"),
        ("SINTERSTORE", "str", "a", "nokey"),
        ("EXISTS", "str"),
        ("SDIFFSTORE", "a", "a", "b"),
        ("SCARD", "a"),
        ("SDIFFSTORE", "d", "nokey"),
        ("EXISTS", "d"),
        ("SADD", "e", "1"),
        ("SUNIONSTORE", "d", "e"),
        ("SINTERSTORE", "d", "e", "a"),
        ("EXISTS", "d"),
    )
    pair.check("SMEMBERS", "a", unordered=True)


def test_smove(pair: Pair) -> None:
    pair.run(
        ("SADD", "src", "a", "b"),
        ("SADD", "dst", "c"),
        ("SMOVE", "src", "dst", "a"),
        ("SMOVE", "src", "dst", "zz"),
        ("SMOVE", "nokey", "dst", "a"),
        ("SMOVE", "src", "src", "b"),
        ("SMOVE", "src", "src", "zz"),
        ("SADD", "dst", "b"),
        ("SMOVE", "src", "dst", "b"),
        ("EXISTS", "src"),
        ("SCARD", "dst"),
        ("SMOVE", "dst", "new", "c"),
        ("SMEMBERS", "new"),
    )


def test_spop_srandmember_errors_and_edges(pair: Pair) -> None:
    pair.check("SADD", "s", "a", "b", "c")
    pair.run(
        ("SPOP", "s", "-1"),
        ("SPOP", "s", "x"),
        ("SPOP", "nokey", "-1"),
        ("SPOP", "nokey", "x"),
        ("SPOP", "nokey", "0"),
        ("SPOP", "nokey"),
        ("SPOP", "s", "0"),
        ("SRANDMEMBER", "s", "x"),
        ("SRANDMEMBER", "s", "-9223372036854775808"),
        ("SRANDMEMBER", "nokey", "0"),
        ("SRANDMEMBER", "nokey", "-1"),
        ("SRANDMEMBER", "nokey"),
        ("SRANDMEMBER", "s", "0"),
        ("SCARD", "s"),
    )
    pair.check("SRANDMEMBER", "s", "3", unordered=True)
    pair.check("SRANDMEMBER", "s", "30", unordered=True)
    pair.check("SPOP", "s", "3", unordered=True)
    pair.check("EXISTS", "s")


def _members(raw: bytes) -> list[bytes]:
    kind, items = parse_reply(raw)
    assert kind in ("*", "~")
    return list(items)


def test_random_member_properties(node: RawClient) -> None:
    members = [f"m{i}".encode() for i in range(100)]
    node.call("SADD", "s", *members)
    assert parse_reply(node.call("SRANDMEMBER", "s")) in members
    picked = _members(node.call("SRANDMEMBER", "s", "10"))
    assert len(set(picked)) == 10 and set(picked) <= set(members)
    picked = _members(node.call("SRANDMEMBER", "s", "60"))
    assert len(set(picked)) == 60 and set(picked) <= set(members)
    repeated = _members(node.call("SRANDMEMBER", "s", "-500"))
    assert len(repeated) == 500 and set(repeated) <= set(members) and len(set(repeated)) > 50
    popped = parse_reply(node.call("SPOP", "s"))
    assert popped in members and parse_reply(node.call("SISMEMBER", "s", popped)) == 0
    batch = _members(node.call("SPOP", "s", "30"))
    assert len(set(batch)) == 30 and popped not in batch
    assert parse_reply(node.call("SCARD", "s")) == 69
    assert parse_reply(node.call("SMISMEMBER", "s", *batch)) == ("*", [0] * 30)
    batch = _members(node.call("SPOP", "s", "60"))
    assert len(set(batch)) == 60 and parse_reply(node.call("SCARD", "s")) == 9
    rest = set(_members(node.call("SMEMBERS", "s")))
    for _ in range(9):
        member = parse_reply(node.call("SPOP", "s"))
        assert member in rest
        rest.discard(member)
    assert parse_reply(node.call("EXISTS", "s")) == 0


def test_spop_drains_a_large_set_with_additions(node: RawClient) -> None:
    node.call("SADD", "q", *[f"job{i}" for i in range(2000)])
    popped: set[bytes] = set()
    for i in range(400):
        popped.add(parse_reply(node.call("SPOP", "q")))
        node.call("SADD", "q", f"late{i}")
    while True:
        batch = _members(node.call("SPOP", "q", "500"))
        if not batch:
            break
        popped.update(batch)
    assert popped == {f"job{i}".encode() for i in range(2000)} | {f"late{i}".encode() for i in range(400)}


def test_sscan_large_set(node: RawClient) -> None:
    members = {f"m{i}".encode() for i in range(1000)}
    node.call("SADD", "s", *members)
    cursor = b"0"
    seen: list[bytes] = []
    calls = 0
    while True:
        _, (cursor, (_, elements)) = parse_reply(node.call("SSCAN", "s", cursor, "COUNT", "20"))
        seen += elements
        calls += 1
        if cursor == b"0":
            break
    assert set(seen) == members and calls >= 50


def test_sscan_errors(pair: Pair) -> None:
    pair.check("SADD", "s", "1", "2")
    pair.run(
        ("SSCAN", "s", "x"),
        ("SSCAN", "s", "0", "COUNT", "0"),
        ("SSCAN", "s", "0", "COUNT", "x"),
        ("SSCAN", "s", "0", "MATCH"),
        ("SSCAN", "s", "0", "NOPE", "1"),
        ("SSCAN", "s", "12345"),
        ("SSCAN", "nokey", "0", "NOPE"),
    )


def test_watch_sees_real_changes_only(pair: Pair) -> None:
    pair.run(("SADD", "s", "a", "b"), ("HSET", "h", "f", "v"))
    # No-op writes leave WATCHed keys clean, as Redis signals only actual changes.
    for noop in (
        ("SADD", "s", "a"),
        ("SREM", "s", "zz"),
        ("SMOVE", "s", "s", "a"),
        ("HSETNX", "h", "f", "x"),
        ("HDEL", "h", "zz"),
        ("SPOP", "s", "0"),
    ):
        pair.run(("WATCH", "s", "h"), noop, ("MULTI",), ("SCARD", "s"), ("EXEC",))
    for change in (
        ("SADD", "s", "c"),
        ("SREM", "s", "c"),
        ("HSET", "h", "f", "v"),
        ("HINCRBY", "h", "n", "1"),
        ("SMOVE", "s", "t", "a"),
        ("SINTERSTORE", "h", "nokey"),
    ):
        pair.run(("WATCH", "s", "h"), change, ("MULTI",), ("SCARD", "s"), ("EXEC",))
