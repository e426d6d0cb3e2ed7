"""SORT and SORT_RO against a real Redis: numeric and ALPHA order, BY/GET patterns (hash
fields, `#`), LIMIT, STORE, and the errors."""

from __future__ import annotations

import random

from tests.node.conftest import Pair


def _setup(pair: Pair) -> None:
    pair.check("RPUSH", "l", "3", "1", "10", "2", "-5", "2.5", "1e2", "0x10")
    pair.check("SADD", "s", "3", "1", "10", "2", "-5", "2.5")
    pair.check("ZADD", "z", "3", "a", "1", "b", "2", "c", "2", "d", "0", "e")
    pair.check("RPUSH", "names", "bob", "alice", "carol", "dave", "eve")
    for i, name in enumerate(["bob", "alice", "carol", "dave"]):
        pair.check("SET", f"w_{name}", str(10 - i * 3))
        pair.check("SET", f"n_{name}", f"name-{name}")
        pair.check("HSET", f"h_{name}", "age", str(20 + i * 7 % 5), "city", f"city{i % 2}")


def test_numeric_and_alpha(pair: Pair) -> None:
    _setup(pair)
    pair.check("SORT", "l")
    pair.check("SORT", "l", "DESC")
    pair.check("SORT", "s")
    pair.check("SORT", "s", "DESC", "ALPHA")
    pair.check("SORT", "names", "ALPHA")
    pair.check("SORT", "names", "ALPHA", "DESC")
    pair.check("SORT", "z")
    pair.check("SORT", "z", "ALPHA")
    pair.check("SORT", "z", "ALPHA", "DESC", "ASC")
    pair.check("SORT", "missing")
    pair.check("SORT_RO", "l", "LIMIT", "1", "3")
    pair.check("sort", "l", "limit", "0", "0")
    for start, count in [(-5, 2), (2, -1), (100, 5), (3, 100), (0, -10), (7, 1), (8, 1)]:
        pair.check("SORT", "l", "LIMIT", str(start), str(count))
        pair.check("SORT", "z", "BY", "nosort", "LIMIT", str(start), str(count))
        pair.check("SORT", "z", "BY", "nosort", "DESC", "LIMIT", str(start), str(count))
        pair.check("SORT", "l", "BY", "nosort", "DESC", "LIMIT", str(start), str(count))


def test_by_and_get_patterns(pair: Pair) -> None:
    _setup(pair)
    pair.check("SORT", "names", "BY", "w_*")
    pair.check("SORT", "names", "BY", "w_*", "DESC", "GET", "#", "GET", "n_*", "GET", "h_*->city")
    pair.check("SORT", "names", "BY", "h_*->age", "GET", "h_*->age", "GET", "#")
    pair.check("SORT", "names", "BY", "n_*", "ALPHA", "GET", "n_*")
    pair.check("SORT", "names", "BY", "n_*", "ALPHA", "DESC", "LIMIT", "1", "2")
    pair.check("SORT", "names", "BY", "nosort", "GET", "w_*")
    pair.check("SORT", "names", "BY", "nosort", "DESC")
    pair.check("SORT", "names", "BY", "missing_*", "GET", "missing_*")
    pair.check("SORT", "names", "ALPHA", "GET", "h_*->", "GET", "h_*->nofield", "GET", "n_*->city")
    pair.check("SORT", "names", "ALPHA", "GET", "fixed", "GET", "w_*", "GET", "#")
    pair.check("SORT", "z", "BY", "nosort", "GET", "#")
    pair.check("SORT", "s", "BY", "nosort", unordered=True)
    pair.check("SORT_RO", "names", "BY", "w_*", "GET", "n_*")


def test_store(pair: Pair) -> None:
    _setup(pair)
    pair.check("SORT", "l", "STORE", "dst")
    pair.check("LRANGE", "dst", "0", "-1")
    pair.check("SORT", "names", "BY", "w_*", "GET", "n_*", "GET", "nope_*", "STORE", "dst2")
    pair.check("LRANGE", "dst2", "0", "-1")
    pair.check("SORT", "s", "BY", "nosort", "STORE", "dst3")  # a set is sorted ALPHA when stored
    pair.check("LRANGE", "dst3", "0", "-1")
    pair.check("SET", "dst4", "x", "EX", "100")
    pair.check("SORT", "l", "LIMIT", "0", "2", "STORE", "dst4")
    pair.check("TTL", "dst4")
    pair.check("TYPE", "dst4")
    pair.check("SORT", "missing", "STORE", "dst4")
    pair.check("EXISTS", "dst4")
    pair.check("SORT", "l", "STORE", "a", "STORE", "b")
    pair.check("EXISTS", "a", "b")
    pair.check("SORT", "l", "STORE", "l")
    pair.check("LRANGE", "l", "0", "-1")
    pair.check("COMMAND", "GETKEYS", "SORT", "l", "STORE", "a", "LIMIT", "0", "1", "BY", "x", "STORE", "b")
    pair.check("COMMAND", "GETKEYS", "SORT", "l", "GET", "store", "by", "store")


def test_weights_as_strtod_reads_them(pair: Pair) -> None:
    accepted = [" 5", "0x10", "", "1e-300", "0e-500", "0x1p3", "+5", ".5", "5.", "-.5e1", "INF", "-inf",
                "\t7", "-0", "0", "Infinity", "0X1.8P1", "1.7976931348623157e308"]  # fmt: skip
    refused = ["5 ", "1e-310", "4e-320", "1e-400", "1e", "0x", "nan", "nan(12)", "1e400", "1_0", "abc", " "]
    for i, weight in enumerate(accepted):
        pair.check("RPUSH", "ok", f"e{i}")
        pair.check("SET", f"w{i}", weight)
        pair.check("RPUSH", "direct", weight)
    pair.check("SORT", "ok", "BY", "w*")
    pair.check("SORT", "ok", "BY", "w*", "DESC")
    pair.check("SORT", "direct")
    for weight in refused:
        pair.check("DEL", "bad")
        pair.check("RPUSH", "bad", "1", weight)
        pair.check("SORT", "bad")
        pair.check("SORT", "bad", "ALPHA")
        pair.check("SORT", "bad", "STORE", "out")
        pair.check("EXISTS", "out")


def test_random_numbers(pair: Pair) -> None:
    rng = random.Random(3)
    values = [str(rng.choice([rng.randint(-50, 50), rng.uniform(-1e6, 1e6)])) for _ in range(300)]
    pair.check("RPUSH", "r", *values)
    pair.check("SORT", "r")
    pair.check("SORT", "r", "DESC", "LIMIT", "10", "20")
    pair.check("SORT", "r", "ALPHA")


def test_errors(pair: Pair) -> None:
    _setup(pair)
    pair.check("SET", "str", "x")
    pair.check("HSET", "hash", "f", "v")
    pair.check("SORT")
    pair.check("SORT_RO")
    pair.check("SORT", "str")
    pair.check("SORT", "hash")
    pair.check("SORT_RO", "str")
    pair.check("SORT", "l", "LIMIT", "0")
    pair.check("SORT", "l", "LIMIT", "a", "1")
    pair.check("SORT", "l", "LIMIT", "1", "b")
    pair.check("SORT", "l", "BY")
    pair.check("SORT", "l", "GET")
    pair.check("SORT", "l", "STORE")
    pair.check("SORT_RO", "l", "STORE", "x")
    pair.check("SORT", "l", "FOO")
    pair.check("SORT", "str", "FOO")
    pair.check("SORT", "names")
    pair.check("SORT", "names", "STORE", "x")
    pair.check("EXISTS", "x")
