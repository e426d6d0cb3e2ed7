"""A hypothesis state machine that runs random command sequences on our node and on a real
Redis and compares every reply (fakeredis's approach, against the real thing).

Keys, fields and values come from tiny alphabets so that commands collide: the same key is
hit by string, list, hash, set and sorted-set commands, which exercises WRONGTYPE paths,
emptied containers, integer parsing and overwrite semantics.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.support import NodeProcess, RawClient, RedisProcess, canonical, parse_reply

keys = st.sampled_from(["k1", "k2", "k3"])
fields = st.sampled_from(["f1", "f2", "f3"])
values = st.sampled_from(["", "a", "bc", "0", "1", "-7", "42", "3.5", "1e3", "x y", "\x00\xff"])
ints = st.integers(min_value=-4, max_value=4).map(str)
counts = st.integers(min_value=-3, max_value=3).map(str)
scores = st.sampled_from(["0", "1", "-1", "2.5", "-inf", "+inf", "(1", "nan", "1e2", "x"])
score_values = st.sampled_from(["0", "1", "-1", "2.5", "10", "-inf", "inf"])


def cmd(*parts: Any) -> Any:
    return st.tuples(*[p if isinstance(p, st.SearchStrategy) else st.just(p) for p in parts])


ORDERED = st.one_of(
    # strings
    cmd("SET", keys, values),
    cmd("GET", keys),
    cmd("APPEND", keys, values),
    cmd("INCR", keys),
    cmd("INCRBY", keys, ints),
    cmd("DECRBY", keys, ints),
    cmd("STRLEN", keys),
    cmd("GETRANGE", keys, ints, ints),
    cmd("SETRANGE", keys, st.sampled_from(["0", "2", "5"]), values),
    cmd("SETNX", keys, values),
    cmd("GETDEL", keys),
    cmd("GETSET", keys, values),
    cmd("MSET", keys, values, keys, values),
    cmd("MGET", keys, keys),
    # keys
    cmd("DEL", keys, keys),
    cmd("EXISTS", keys, keys),
    cmd("TYPE", keys),
    cmd("RENAME", keys, keys),
    cmd("RENAMENX", keys, keys),
    cmd("EXPIRE", keys, st.just("1000")),
    cmd("PERSIST", keys),
    cmd("COPY", keys, keys),
    # lists
    cmd("LPUSH", keys, values, values),
    cmd("RPUSH", keys, values),
    cmd("LPOP", keys),
    cmd("RPOP", keys, counts),
    cmd("LLEN", keys),
    cmd("LRANGE", keys, ints, ints),
    cmd("LINDEX", keys, ints),
    cmd("LSET", keys, ints, values),
    cmd("LREM", keys, counts, values),
    cmd("LTRIM", keys, ints, ints),
    cmd("LINSERT", keys, st.sampled_from(["BEFORE", "AFTER"]), values, values),
    cmd("LPOS", keys, values),
    cmd("LMOVE", keys, keys, st.sampled_from(["LEFT", "RIGHT"]), st.sampled_from(["LEFT", "RIGHT"])),
    # hashes
    cmd("HSET", keys, fields, values),
    cmd("HGET", keys, fields),
    cmd("HDEL", keys, fields),
    cmd("HLEN", keys),
    cmd("HEXISTS", keys, fields),
    cmd("HINCRBY", keys, fields, ints),
    cmd("HMGET", keys, fields, fields),
    cmd("HSETNX", keys, fields, values),
    cmd("HSTRLEN", keys, fields),
    # sets
    cmd("SADD", keys, values, values),
    cmd("SREM", keys, values),
    cmd("SISMEMBER", keys, values),
    cmd("SCARD", keys),
    cmd("SMOVE", keys, keys, values),
    cmd("SINTERCARD", st.just("2"), keys, keys),
    # sorted sets
    cmd("ZADD", keys, score_values, values),
    cmd("ZADD", keys, st.sampled_from(["NX", "XX", "GT", "LT", "CH"]), score_values, values),
    cmd("ZINCRBY", keys, score_values, values),
    cmd("ZREM", keys, values),
    cmd("ZSCORE", keys, values),
    cmd("ZCARD", keys),
    cmd("ZRANK", keys, values),
    cmd("ZRANGE", keys, ints, ints, st.sampled_from(["WITHSCORES", "REV"])),
    cmd("ZRANGEBYSCORE", keys, scores, scores),
    cmd("ZCOUNT", keys, scores, scores),
    cmd("ZPOPMIN", keys),
    # bitmaps
    cmd("SETBIT", keys, st.sampled_from(["0", "7", "13"]), st.sampled_from(["0", "1"])),
    cmd("GETBIT", keys, st.sampled_from(["0", "7", "100"])),
    cmd("BITCOUNT", keys),
)

UNORDERED = st.one_of(
    cmd("SMEMBERS", keys),
    cmd("SUNION", keys, keys),
    cmd("SINTER", keys, keys),
    cmd("SDIFF", keys, keys),
    cmd("HGETALL", keys),
    cmd("HKEYS", keys),
    cmd("HVALS", keys),
    cmd("KEYS", st.just("*")),
)

SERVERS: dict[str, int] = {}


class SameAsRedis(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ours = RawClient(SERVERS["ours"])
        self.theirs = RawClient(SERVERS["theirs"])
        for client in (self.ours, self.theirs):
            assert client.call("FLUSHALL") == b"+OK\r\n"

    def teardown(self) -> None:
        self.ours.close()
        self.theirs.close()

    @rule(command=ORDERED)
    def ordered(self, command: tuple[str, ...]) -> None:
        mine, real = self.ours.call(*command), self.theirs.call(*command)
        assert mine == real, f"{command!r}\n ours: {mine!r}\n redis: {real!r}"

    @rule(command=UNORDERED)
    def unordered(self, command: tuple[str, ...]) -> None:
        mine, real = self.ours.call(*command), self.theirs.call(*command)
        assert canonical(parse_reply(mine)) == canonical(parse_reply(real)), (command, mine, real)

    @invariant()
    def same_size(self) -> None:
        assert self.ours.call("DBSIZE") == self.theirs.call("DBSIZE")


@pytest.mark.oracle
def test_random_command_sequences_match_redis(node_server: NodeProcess, redis_server: RedisProcess) -> None:
    SERVERS["ours"], SERVERS["theirs"] = node_server.port, redis_server.port
    run_state_machine_as_test(
        SameAsRedis,
        settings=settings(
            max_examples=150,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        ),
    )
