"""miniredis_node.glob: Redis's stringmatchlen, unit-tested, then compared with KEYS on a real Redis."""

from __future__ import annotations

import random

import pytest

from miniredis_node.glob import Pattern, compile_pattern, match
from tests.support import RawClient, parse_reply


@pytest.mark.parametrize(
    ("pattern", "string", "expected"),
    [
        # literals and the empty cases
        (b"abc", b"abc", True),
        (b"abc", b"abd", False),
        (b"abc", b"ab", False),
        (b"", b"", True),
        (b"", b"a", False),
        (b"*", b"", False),  # stringmatchlen never matches "" against a non-empty pattern
        (b"**", b"", False),
        # stars
        (b"*", b"anything", True),
        (b"a*", b"a", True),
        (b"a*", b"abc", True),
        (b"*c", b"abc", True),
        (b"*c", b"c", True),
        (b"a*c", b"ac", True),
        (b"a*c", b"abbbc", True),
        (b"a*c", b"abcd", False),
        (b"a**b", b"ab", True),
        (b"*a*a*a*b", b"a" * 60, False),  # would be exponential without the cut-off
        (b"*a*b*c*", b"xaybzc", True),
        # question mark
        (b"?", b"a", True),
        (b"?", b"", False),
        (b"a?c", b"abc", True),
        (b"a?c", b"ac", False),
        # classes
        (b"[abc]", b"b", True),
        (b"[abc]", b"d", False),
        (b"[^abc]", b"d", True),
        (b"[^abc]", b"a", False),
        (b"[a-c]x", b"bx", True),
        (b"[c-a]x", b"bx", True),  # reversed ranges are swapped
        (b"[a-c]", b"d", False),
        (b"[\\]]", b"]", True),
        (b"[\\-]", b"-", True),
        (b"[a-]", b"-", False),  # "a-]" is a range from "]" to "a", and the class is unterminated
        (b"[a-]", b"^", True),
        # escapes
        (b"\\*", b"*", True),
        (b"\\*", b"a", False),
        (b"\\?", b"?", True),
        (b"a\\", b"a\\", True),  # a trailing backslash is literal
        (b"\\[a]", b"[a]", True),
        # unterminated classes swallow the rest of the pattern
        (b"a[", b"a", False),
        (b"a[", b"ab", False),
        (b"a[^", b"ab", True),
        (b"a[bc", b"ab", True),
        (b"a[bc", b"ad", False),
        # bytes >= 0x80 compare as signed chars in ranges
        (b"[a-\xff]", b"b", False),  # the range is -1..97 ("a"), not 97..255
        (b"[a-\xff]", b"Z", True),
        (b"[\xff-a]", b"\x00", True),
        (b"[\x80-\xff]", b"\x90", True),
    ],
)
def test_stringmatchlen_semantics(pattern: bytes, string: bytes, expected: bool) -> None:
    assert match(pattern, string) is expected
    assert Pattern(pattern)(string) is expected


def test_compile_collapses_stars_and_parses_classes() -> None:
    assert compile_pattern(b"a**b") == [frozenset(b"a"), None, frozenset(b"b")]
    assert compile_pattern(b"[a-c]") == [frozenset(b"abc")]
    assert compile_pattern(b"[^a]") == [frozenset(range(256)) - {ord("a")}]


def test_match_all_flag_is_only_for_a_lone_star() -> None:
    assert Pattern(b"*").match_all
    assert not Pattern(b"**").match_all
    assert not Pattern(b"a*").match_all


ALPHABET = b"ab*?[]^-\\\x80\xff"


def test_random_patterns_match_redis_keys(oracle: RawClient) -> None:
    """KEYS on a real Redis is stringmatchlen: compare thousands of random patterns with it."""
    rng = random.Random(20240607)
    for _ in range(60):
        oracle.call("FLUSHALL")
        keys = {bytes(rng.choice(ALPHABET + b"c") for _ in range(rng.randint(1, 5))) for _ in range(30)}
        for key in keys:
            oracle.call("SET", key, "1")
        for _ in range(25):
            pattern = bytes(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))
            _, items = parse_reply(oracle.call("KEYS", pattern))
            expected = set(items)
            compiled = Pattern(pattern)
            assert {key for key in keys if compiled(key)} == expected, pattern
