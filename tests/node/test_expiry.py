"""Expiry against a real Redis 7.0: the EXPIRE and TTL families, PERSIST, lazy and active expiry,
and millisecond precision."""

from __future__ import annotations

import time

from tests.node.conftest import Pair
from tests.support import RawClient, parse_reply

FAR_FUTURE_S = 4102444800  # 2100-01-01
FAR_FUTURE_MS = FAR_FUTURE_S * 1000 + 123


def test_expire_and_ttl(pair: Pair) -> None:
    pair.check("EXPIRE", "nokey", "10")
    pair.check("TTL", "nokey")
    pair.check("PTTL", "nokey")
    pair.check("EXPIRETIME", "nokey")
    pair.check("PEXPIRETIME", "nokey")
    pair.check("SET", "a", "1")
    pair.check("TTL", "a")
    pair.check("PTTL", "a")
    pair.check("EXPIRETIME", "a")
    pair.check("EXPIRE", "a", "100")
    pair.check("TTL", "a")
    pair.check("PEXPIRE", "a", "100000")
    pair.check("TTL", "a")
    mine, real = pair.both("PTTL", "a")
    assert 99_000 < int(mine[1:]) <= 100_000 and 99_000 < int(real[1:]) <= 100_000
    pair.check("EXPIREAT", "a", str(FAR_FUTURE_S))
    pair.check("EXPIRETIME", "a")
    pair.check("PEXPIRETIME", "a")
    pair.check("PEXPIREAT", "a", str(FAR_FUTURE_MS))
    pair.check("EXPIRETIME", "a")  # rounded to the nearest second
    pair.check("PEXPIRETIME", "a")
    pair.check("PERSIST", "a")
    pair.check("PERSIST", "a")
    pair.check("PERSIST", "nokey")
    pair.check("TTL", "a")
    pair.check("SET", "a", "2")
    pair.check("EXPIRE", "a", "100")
    pair.check("SET", "a", "3")  # SET clears the TTL
    pair.check("TTL", "a")


def test_expire_in_the_past_deletes(pair: Pair) -> None:
    for command, when in (
        ("EXPIRE", "0"),
        ("EXPIRE", "-10"),
        ("PEXPIRE", "-1"),
        ("EXPIREAT", "1"),
        ("PEXPIREAT", "0"),
        ("PEXPIRE", "-9223372036854775808"),
    ):
        pair.check("SET", "a", "1")
        pair.check(command, "a", when)
        pair.check("EXISTS", "a")
        pair.check("DBSIZE")


def test_expire_options(pair: Pair) -> None:
    pair.check("SET", "a", "1")
    pair.check("EXPIRE", "a", "100", "XX")  # no TTL yet
    pair.check("EXPIRE", "a", "100", "GT")  # no TTL counts as infinite
    pair.check("EXPIRE", "a", "100", "LT")
    pair.check("TTL", "a")
    pair.check("EXPIRE", "a", "200", "NX")
    pair.check("EXPIRE", "a", "200", "LT")
    pair.check("EXPIRE", "a", "50", "GT")
    pair.check("EXPIRE", "a", "200", "GT")
    pair.check("TTL", "a")
    pair.check("EXPIRE", "a", "150", "xx", "lt")
    pair.check("TTL", "a")
    pair.check("EXPIRE", "a", "-1", "GT")
    pair.check("EXPIRE", "a", "-1", "LT")  # passes LT, and the past time deletes
    pair.check("EXISTS", "a")
    pair.check("SET", "b", "1")
    pair.check("EXPIRE", "b", "-1", "LT")  # no TTL: LT passes anyway
    pair.check("EXISTS", "b")
    pair.check("EXPIRE", "nokey", "100", "NX")


def test_expire_errors(pair: Pair) -> None:
    pair.check("SET", "a", "1")
    for options in (
        ("NX", "XX"),
        ("NX", "GT"),
        ("NX", "LT"),
        ("GT", "LT"),
        ("XX", "GT", "LT"),
        ("FOO",),
        ("NX", "FOO"),
        ("nx", "nx"),
    ):
        for command in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
            pair.check(command, "a", "100", *options)
    pair.check("EXPIRE", "a", "x", "FOO")  # options are checked before the time
    for command in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        for when in (
            "x",
            "1.5",
            "",
            " 1",
            "9223372036854775808",
            "9223372036854775807",
            "9223372036854775",
            "9223372036854776",
            "-9223372036854776",
            "92233720368547758",
        ):
            pair.check(command, "a", when)
            pair.check(command, "nokey", when)
        pair.check(command, "a")
    pair.check("TTL")
    pair.check("TTL", "a", "b")
    pair.check("PERSIST")
    pair.check("EXPIRETIME")


def test_expire_on_containers(pair: Pair) -> None:
    pair.check("HSET", "h", "f", "v")
    pair.check("EXPIRE", "h", "100")
    pair.check("TTL", "h")
    pair.check("HSET", "h", "g", "w")  # in-place changes keep the TTL
    pair.check("TTL", "h")
    pair.check("HDEL", "h", "f", "g")  # emptied: gone, TTL with it
    pair.check("TTL", "h")


def test_lazy_expiry_and_dbsize(pair: Pair) -> None:
    for client in (pair.ours, pair.theirs):
        client.call("SET", "a", "1")
        client.call("SET", "b", "1")
        client.call("PEXPIRE", "a", "20")
    time.sleep(0.05)
    pair.check("GET", "a")
    pair.check("EXISTS", "a")
    pair.check("TTL", "a")
    pair.check("KEYS", "*")
    pair.check("DBSIZE")


def test_millisecond_precision(node: RawClient) -> None:
    node.call("SET", "k", "v")
    start = time.monotonic()
    assert node.call("PEXPIRE", "k", "50") == b":1\r\n"
    gone_after = None
    while time.monotonic() - start < 1.0:
        if node.call("EXISTS", "k") == b":0\r\n":
            gone_after = time.monotonic() - start
            break
        time.sleep(0.002)
    assert gone_after is not None
    assert 0.045 <= gone_after <= 0.150, gone_after


def test_active_expiry_reclaims_untouched_keys(pair: Pair) -> None:
    """Keys nobody touches are reclaimed by the background cycle: DBSIZE counts them until then."""
    for client in (pair.ours, pair.theirs):
        for i in range(300):
            client.send("SET", f"k{i}", "v", "PX", "100")
        for _ in range(300):
            client.read_reply()
        client.call("SET", "keep", "v")
    pair.check("DBSIZE")
    deadline = time.monotonic() + 5
    sizes: dict[str, int] = {}
    while time.monotonic() < deadline:
        sizes = {
            name: parse_reply(client.call("DBSIZE")) for name, client in (("ours", pair.ours), ("redis", pair.theirs))
        }
        if sizes == {"ours": 1, "redis": 1}:
            break
        time.sleep(0.05)
    assert sizes == {"ours": 1, "redis": 1}
    info = pair.ours.call("INFO", "stats")
    assert b"expired_keys:" in info


def test_expired_keys_are_skipped_everywhere(pair: Pair) -> None:
    for client in (pair.ours, pair.theirs):
        client.call("SET", "gone", "v")
        client.call("SET", "kept", "v")
        client.call("PEXPIRE", "gone", "10")
    time.sleep(0.03)
    pair.check("KEYS", "*")
    pair.check("SCAN", "0", "COUNT", "100")
    pair.check("RANDOMKEY")
    pair.check("TYPE", "gone")
    pair.check("RENAME", "gone", "x")
    pair.check("COPY", "gone", "x")
    pair.check("MOVE", "gone", "1")
    pair.check("PERSIST", "gone")
    pair.check("EXPIRE", "gone", "100")
    pair.check("OBJECT", "ENCODING", "gone")
    pair.check("DBSIZE")
