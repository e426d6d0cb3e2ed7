"""Redis's glob-style pattern matching (util.c `stringmatchlen`), for KEYS, SCAN MATCH, HSCAN...

A pattern is compiled once into elements, then matched against many strings:

* `*` matches any run of bytes (consecutive stars collapse into one);
* `?` matches one byte;
* `[abc]`, `[^abc]`, `[a-z]` (reversed ranges allowed) match one byte from a class, `\\x` inside
  a class is a literal `x`;
* `\\x` matches a literal `x`; any other byte matches itself.

Redis's quirks are kept because clients can observe them:

* a non-empty pattern never matches the empty string, not even `*` or `**` (KEYS and SCAN
  special-case the exact pattern `*`, which `match_all` reports);
* an unterminated class swallows the rest of the pattern (`a[^` matches `ab`, `a[` nothing);
* a trailing lone backslash is a literal backslash;
* class ranges compare bytes as C's signed `char`, so a range with a byte >= 0x80 is not what
  an unsigned reading would suggest.

Bracket parsing never depends on the string being matched, which is what makes compiling
possible. Matching runs Redis's backtracking with its `skipLongerMatches` cut-off, which amounts
to retrying only from the most recent star: linear in practice, quadratic at worst, never
exponential, and no recursion.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

# An element: None for a star, else the set of byte values it accepts.
Element = frozenset[int] | None

_STAR: Final = 0x2A
_QUESTION: Final = 0x3F
_OPEN: Final = 0x5B
_CLOSE: Final = 0x5D
_CARET: Final = 0x5E
_BACKSLASH: Final = 0x5C
_DASH: Final = 0x2D
_ALL_BYTES: Final = frozenset(range(256))


def _signed(byte: int) -> int:
    """A byte as C's (signed) char."""
    return byte - 256 if byte >= 128 else byte


def compile_pattern(pattern: bytes) -> list[Element]:
    """The pattern's elements, parsed as stringmatchlen parses them."""
    elements: list[Element] = []
    n = len(pattern)
    i = 0

    def at(pos: int) -> int:
        # stringmatchlen reads one byte past the end, where the argument's NUL terminator is.
        return pattern[pos] if pos < n else 0

    while i < n:
        ch = pattern[i]
        if ch == _STAR:
            while i + 1 < n and pattern[i + 1] == _STAR:
                i += 1
            elements.append(None)
        elif ch == _QUESTION:
            elements.append(_ALL_BYTES)
        elif ch == _OPEN:
            i += 1
            negate = at(i) == _CARET
            if negate:
                i += 1
            accepted: set[int] = set()
            while True:
                remaining = n - i
                if at(i) == _BACKSLASH and remaining >= 2:
                    i += 1
                    accepted.add(pattern[i])
                elif at(i) == _CLOSE:
                    break
                elif remaining == 0:
                    i -= 1  # unterminated: the class ends with the pattern
                    break
                elif remaining >= 3 and pattern[i + 1] == _DASH:
                    start, end = _signed(pattern[i]), _signed(pattern[i + 2])
                    if start > end:
                        start, end = end, start
                    accepted.update(b for b in range(256) if start <= _signed(b) <= end)
                    i += 2
                else:
                    accepted.add(pattern[i])
                i += 1
            elements.append(_ALL_BYTES - accepted if negate else frozenset(accepted))
        else:
            if ch == _BACKSLASH and n - i >= 2:
                i += 1
                ch = pattern[i]
            elements.append(frozenset((ch,)))
        i += 1
    return elements


def match_elements(elements: list[Element], string: bytes) -> bool:
    """True when `string` matches the compiled pattern."""
    n = len(string)
    if n == 0:
        return not elements
    count = len(elements)
    ei = si = 0
    star_e = star_s = -1  # where to resume after the latest star: element index, string index
    while True:
        if ei < count:
            element = elements[ei]
            if element is None:
                if ei + 1 == count:
                    return True  # a final star takes whatever is left (there is something left)
                star_e, star_s = ei + 1, si
                ei += 1
                continue
            if string[si] in element:
                ei += 1
                si += 1
                if si < n:
                    continue
                # The string is consumed: only stars may remain in the pattern.
                while ei < count and elements[ei] is None:
                    ei += 1
                if ei == count:
                    return True
        # Mismatch: let the latest star take one more byte; the rest must match a non-empty tail.
        if star_e < 0:
            return False
        star_s += 1
        if star_s >= n:
            return False
        ei, si = star_e, star_s


class Pattern:
    """A compiled pattern; calling it matches a string exactly as stringmatchlen does.

    Fast paths cover the shapes clients use most: a literal, and `prefix*`. `match_all` tells
    KEYS and SCAN that the pattern is exactly `*`, which they do not match at all (so, unlike
    stringmatchlen, it lets the empty key through).
    """

    __slots__ = ("_elements", "_literal", "_prefix", "match_all", "source")

    def __init__(self, pattern: bytes) -> None:
        self.source = pattern
        self.match_all = pattern == b"*"
        self._elements = compile_pattern(pattern)
        self._literal: bytes | None = None
        self._prefix: bytes | None = None
        singles = [e for e in self._elements if e is not None and len(e) == 1]
        if len(singles) == len(self._elements):
            self._literal = bytes(next(iter(e)) for e in singles)
        elif singles and len(singles) == len(self._elements) - 1 and self._elements[-1] is None:
            self._prefix = bytes(next(iter(e)) for e in singles)

    def __call__(self, string: bytes) -> bool:
        if self._literal is not None:
            return string == self._literal
        if self._prefix is not None:
            # A trailing star also matches nothing: Redis drops it once the string is consumed.
            return string.startswith(self._prefix)
        return match_elements(self._elements, string)


@lru_cache(maxsize=512)
def compiled(pattern: bytes) -> Pattern:
    """The compiled form of `pattern`, cached: PSUBSCRIBE patterns are matched on every PUBLISH."""
    return Pattern(pattern)


def match(pattern: bytes, string: bytes) -> bool:
    """Redis's stringmatchlen(pattern, string, nocase=0); no special case for `*`."""
    return compiled(pattern)(string)
