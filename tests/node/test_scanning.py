"""The container-scan engine (HSCAN/SSCAN/ZSCAN) and its random sampling, tested in-process.

The command-level behaviour is compared with Redis in test_hashes.py and test_sets.py; here the
guarantees are checked directly: argument parsing as Redis's, a full scan returns every member
present throughout despite concurrent changes and scans, and samples are live members.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miniredis_node import errors, scanning
from miniredis_node.datatypes import HashValue, SetValue
from miniredis_node.errors import CommandError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"0", 0),
        (b"", 0),
        (b"+0", 0),
        (b"-0", 0),
        (b"42", 42),
        (b"007", 7),
        (b"-1", 2**64 - 1),
        (b"18446744073709551615", 2**64 - 1),
        (b"-18446744073709551615", 1),
    ],
)
def test_parse_cursor_accepts_what_strtoul_accepts(raw: bytes, expected: int) -> None:
    assert scanning.parse_cursor(raw) == expected


@pytest.mark.parametrize(
    "raw", [b"x", b" 0", b"0 ", b"\t1", b"-", b"+", b"1.0", b"0x10", b"18446744073709551616", b"--1", b"\xd9\xa1"]
)
def test_parse_cursor_refuses(raw: bytes) -> None:
    with pytest.raises(CommandError) as caught:
        scanning.parse_cursor(raw)
    assert caught.value.message == errors.INVALID_CURSOR


def test_parse_options() -> None:
    argv = [b"hscan", b"k", b"0"]
    assert scanning.parse_options(argv, 3) == (None, 10)
    assert scanning.parse_options([*argv, b"MATCH", b"a*", b"count", b"5"], 3) == (b"a*", 5)
    assert scanning.parse_options([*argv, b"match", b"*"], 3) == (None, 10)
    assert scanning.parse_options([*argv, b"COUNT", b"1", b"COUNT", b"7"], 3) == (None, 7)
    for bad, message in (
        ([b"COUNT", b"0"], errors.SYNTAX),
        ([b"COUNT", b"-3"], errors.SYNTAX),
        ([b"COUNT", b"x"], errors.NOT_INTEGER),
        ([b"COUNT"], errors.SYNTAX),
        ([b"MATCH"], errors.SYNTAX),
        ([b"TYPE", b"string"], errors.SYNTAX),
    ):
        with pytest.raises(CommandError) as caught:
            scanning.parse_options([*argv, *bad], 3)
        assert caught.value.message == message


def _scan_all(container: scanning.Scannable, count: int) -> list[bytes]:
    cursor = 0
    seen: list[bytes] = []
    while True:
        next_cursor, elements = scanning.scan_container(container, cursor, count)
        seen += elements
        cursor = int(next_cursor)
        if cursor == 0:
            return seen


def test_whole_compact_container_in_given_order() -> None:
    value = SetValue({b"3", b"1", b"2"})
    reply = scanning.scan_container(value, 12345, 1, whole=[b"1", b"2", b"3"])
    assert reply == [b"0", [b"1", b"2", b"3"]]
    reply = scanning.scan_container(value, 0, 1, whole=[b"1", b"2", b"3"], pattern=b"[12]")
    assert reply == [b"0", [b"1", b"2"]]


def test_emit_gives_pairs() -> None:
    value = HashValue({b"f%d" % i: b"v%d" % i for i in range(50)})
    cursor, elements = scanning.scan_container(value, 0, 100, emit=lambda h, f: (f, h[f]))
    assert cursor == b"0" and len(elements) == 100
    assert dict(zip(elements[0::2], elements[1::2])) == value


def test_steps_honour_count() -> None:
    value = SetValue(b"m%d" % i for i in range(1000))
    cursor, elements = scanning.scan_container(value, 0, 10)
    assert cursor != b"0" and len(elements) == 10
    assert sorted(_scan_all(value, 7)) == sorted(value)


@settings(max_examples=60, deadline=None)
@given(
    initial=st.integers(min_value=0, max_value=400),
    count=st.integers(min_value=1, max_value=50),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_never_misses_members_present_throughout(initial: int, count: int, seed: int) -> None:
    rng = random.Random(seed)
    value = SetValue(b"k%d" % i for i in range(initial))
    removed: set[bytes] = set()
    added = 0
    cursor = 0
    seen: set[bytes] = set()
    other_cursor = 0
    while True:
        next_cursor, elements = scanning.scan_container(value, cursor, count)
        for member in elements:
            assert member in value  # only live members are returned
        seen.update(elements)
        cursor = int(next_cursor)
        # Churn between calls: removals, additions (recorded as the commands do), other scans.
        for _ in range(rng.randrange(4)):
            if value:
                victim = rng.choice(sorted(value))
                value.discard(victim)
                removed.add(victim)
        for _ in range(rng.randrange(4)):
            member = b"new%d" % added
            added += 1
            value.add(member)
            scanning.note_added(value, member)
        if rng.random() < 0.3:
            other_cursor = int(scanning.scan_container(value, other_cursor, 5)[0])
        if cursor == 0:
            break
    stable = {b"k%d" % i for i in range(initial)} - removed
    assert stable <= seen


def test_snapshot_compaction_restarts_stale_cursors() -> None:
    value = SetValue(b"m%d" % i for i in range(500))
    cursor = int(scanning.scan_container(value, 0, 10)[0])
    assert cursor != 0
    for i in range(480):
        value.discard(b"m%d" % i)
    # A new scan from 0 rebuilds the mostly dead snapshot under a new id.
    scanning.scan_container(value, 0, 10)
    seen: list[bytes] = []
    while True:
        next_cursor, elements = scanning.scan_container(value, cursor, 10)
        seen += elements
        cursor = int(next_cursor)
        if cursor == 0:
            break
    assert set(seen) == value


def test_sampling_returns_live_members() -> None:
    value = SetValue(b"m%d" % i for i in range(200))
    for i in range(150):
        value.discard(b"m%d" % i)
    for _ in range(200):
        assert scanning.random_member(value) in value
    many = scanning.random_members(value, 500)
    assert len(many) == 500 and set(many) <= value and len(set(many)) > 30
    for count in (1, 5, 16, 17, 40, 49):
        distinct = scanning.distinct_random_members(value, count)
        assert len(distinct) == len(set(distinct)) == count and set(distinct) <= value


def test_sampling_survives_untracked_additions() -> None:
    value = SetValue(b"m%d" % i for i in range(100))
    scanning.random_member(value)  # builds the positions
    for i in range(100):
        value.discard(b"m%d" % i)
    value.update(b"x%d" % i for i in range(60))  # added without note_added
    drawn = {scanning.random_member(value) for _ in range(300)}
    assert drawn <= value and len(drawn) > 20


def test_sampling_is_roughly_uniform() -> None:
    value = SetValue(b"m%d" % i for i in range(10))
    for i in range(10, 40):  # grow, then shrink: dead slots must not bias the draw
        value.add(b"m%d" % i)
        scanning.note_added(value, b"m%d" % i)
    for i in range(10, 40):
        value.discard(b"m%d" % i)
    counts = dict.fromkeys(value, 0)
    for member in scanning.random_members(value, 20000):
        counts[member] += 1
    assert all(1600 < n < 2400 for n in counts.values()), counts
