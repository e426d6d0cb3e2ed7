"""The sorted set: a member→score dict beside a SortedList of (score, member) pairs.

The dict answers ZSCORE in O(1); the SortedList (sortedcontainers, a B-tree-like list of lists)
gives O(log n) inserts, removals, rank lookups and range slicing, which is what Redis's skiplist
gives. Pairs order by score, then by member bytes, exactly Redis's ordering.

Ranges are resolved to index bounds `[start, end)` into `ordered` by bisection, so ZRANGE,
ZCOUNT and ZREMRANGEBY* cost O(log n) plus the elements they touch. The range types and the set
algebra (ZUNION/ZINTER/ZDIFF with Redis's weights, aggregates and NaN conventions) are pure
functions of this module; `commands/zsets.py` only parses arguments and shapes replies.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from sortedcontainers import SortedList

INF: Final = math.inf


class ZSetValue:
    __slots__ = ("scores", "ordered", "mem", "mem_anchor", "mem_at_anchor", "scan_snapshot", "skiplist")

    def __init__(self, pairs: Iterable[tuple[float, bytes]] = ()) -> None:
        self.scores: dict[bytes, float] = {member: score for score, member in pairs}
        self.ordered: SortedList = SortedList((score, member) for member, score in self.scores.items())
        self.mem = 0
        self.mem_anchor = (0, 0)
        self.mem_at_anchor = 0
        self.scan_snapshot: tuple[int, list[bytes]] | None = None
        # Redis converts a listpack zset to a skiplist once it outgrows zset-max-listpack-*
        # and never back (except when a store command writes a fresh key); ZSCAN and OBJECT
        # ENCODING follow the encoding, so it is remembered here (see `note_growth`).
        self.skiplist = False

    def __len__(self) -> int:
        return len(self.scores)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.scores)

    def __contains__(self, member: object) -> bool:
        return member in self.scores

    # ---- single members ------------------------------------------------------------------------
    def add(self, member: bytes, score: float) -> bool:
        """Insert or re-score `member`; True when it is new."""
        old = self.scores.get(member)
        if old is not None:
            if old == score:
                return False
            self.ordered.remove((old, member))
            self.scores[member] = score
            self.ordered.add((score, member))
            return False
        self.scores[member] = score
        self.ordered.add((score, member))
        return True

    def discard(self, member: bytes) -> bool:
        """Remove `member`; True when it was there."""
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.ordered.remove((score, member))
        return True

    def rank(self, member: bytes) -> int | None:
        """0-based position of `member` in ascending order, or None."""
        score = self.scores.get(member)
        if score is None:
            return None
        return int(self.ordered.index((score, member)))

    def pop(self, *, highest: bool) -> tuple[float, bytes]:
        """Remove and return the (score, member) pair with the lowest or highest score."""
        score, member = self.ordered.pop(-1 if highest else 0)
        del self.scores[member]
        return score, member

    def copy(self) -> ZSetValue:
        """An independent copy, encoding included (COPY keeps a skiplist a skiplist)."""
        clone = ZSetValue()
        clone.scores = dict(self.scores)
        clone.ordered = self.ordered.copy()
        clone.skiplist = self.skiplist
        return clone

    # ---- encoding ----------------------------------------------------------------------------
    # Redis keeps a small sorted set as a listpack, where a score is stored as text and an
    # integral one as an integer: -0.0 comes back as 0 there, but stays -0 in a skiplist. The
    # encoding is therefore observable (ZSCORE answers "0" or "-0"), and followed here.
    def admit(self, member: bytes, *, new: bool, max_entries: int, max_value: int) -> None:
        """Before writing `member`: switch to the skiplist if the listpack cannot take it."""
        if not self.skiplist and (len(member) > max_value or (new and len(self.scores) >= max_entries)):
            self.skiplist = True

    def encoding(self, max_entries: int, max_value: int) -> bytes:
        """OBJECT ENCODING: b"skiplist" once converted (or when too large), else b"listpack"."""
        if self.skiplist or len(self.scores) > max_entries or any(len(m) > max_value for m in self.scores):
            return b"skiplist"
        return b"listpack"

    def stored(self, score: float) -> float:
        """`score` as this encoding keeps it (a listpack turns -0.0 into 0)."""
        return 0.0 if score == 0 and not self.skiplist else score

    def settle(self, max_entries: int, max_value: int) -> None:
        """Pick the encoding of a freshly computed set (ZUNIONSTORE, ZRANGESTORE...): a listpack
        when it fits, whose -0.0 scores then read as 0."""
        self.skiplist = len(self.scores) > max_entries or any(len(m) > max_value for m in self.scores)
        if self.skiplist:
            return
        zeros = self.ordered.irange((0.0,), (math.nextafter(0.0, INF),), inclusive=(True, False))
        for score, member in [pair for pair in zeros if math.copysign(1.0, pair[0]) < 0]:
            self.ordered.remove((score, member))
            self.ordered.add((0.0, member))
            self.scores[member] = 0.0

    # ---- ranges ----------------------------------------------------------------------------------
    def slice(self, start: int, end: int, *, reverse: bool = False) -> list[tuple[float, bytes]]:
        """Pairs at positions [start, end), ascending or (reverse) descending."""
        if start >= end:
            return []
        return list(self.ordered.islice(start, end, reverse=reverse))

    def remove_slice(self, start: int, end: int) -> int:
        """Delete the pairs at positions [start, end); how many were deleted."""
        if start >= end:
            return 0
        ordered, scores = self.ordered, self.scores
        for _, member in ordered.islice(start, end):
            del scores[member]
        del ordered[start:end]
        return end - start

    def rank_bounds(self, start: int, stop: int) -> tuple[int, int]:
        """ZRANGE's index arithmetic (negative from the end, clamped) as [start, end)."""
        size = len(self.scores)
        if start < 0:
            start += size
        if stop < 0:
            stop += size
        start = max(start, 0)
        if start > stop or start >= size:
            return 0, 0
        return start, min(stop, size - 1) + 1

    def score_bounds(self, rng: ScoreRange) -> tuple[int, int]:
        """Positions [start, end) of the pairs whose scores lie in `rng`."""
        ordered = self.ordered
        if rng.min_exclusive:
            if rng.min == INF:
                return 0, 0
            start = ordered.bisect_left((math.nextafter(rng.min, INF),))
        else:
            start = ordered.bisect_left((rng.min,))
        if rng.max_exclusive:
            end = ordered.bisect_left((rng.max,))
        elif rng.max == INF:
            end = len(ordered)
        else:
            end = ordered.bisect_left((math.nextafter(rng.max, INF),))
        return (start, end) if start < end else (0, 0)

    def lex_bounds(self, rng: LexRange, *, reverse: bool = False) -> tuple[int, int]:
        """Positions [start, end) of the members in the lexicographic range `rng`.

        Lex ranges are meant for sets whose scores are all equal, where members are sorted and
        bisection applies. Otherwise Redis's answer depends on the encoding; we give the
        listpack's (a linear walk: from the first member above `min` while members stay below
        `max`, or the mirror image in `reverse`), which is what Redis answers for small sets.
        """
        ordered = self.ordered
        size = len(ordered)
        if not size or rng.is_empty():
            return 0, 0
        score = ordered[0][0]
        if score == ordered[-1][0]:
            if rng.min is None:
                start = 0
            elif rng.min_exclusive:
                start = ordered.bisect_right((score, rng.min))
            else:
                start = ordered.bisect_left((score, rng.min))
            if rng.max is None:
                end = size
            elif rng.max_exclusive:
                end = ordered.bisect_left((score, rng.max))
            else:
                end = ordered.bisect_right((score, rng.max))
            return (start, end) if start < end else (0, 0)
        members = [member for _, member in ordered]
        if not rng.above_min(members[-1]) or not rng.below_max(members[0]):
            return 0, 0  # zzlIsInLexRange's precheck: the last above min, the first below max
        if reverse:
            last = size - 1
            while last >= 0 and not rng.below_max(members[last]):
                last -= 1
            if last < 0 or not rng.above_min(members[last]):
                return 0, 0
            first = last
            while first > 0 and rng.above_min(members[first - 1]):
                first -= 1
            return first, last + 1
        first = 0
        while first < size and not rng.above_min(members[first]):
            first += 1
        if first == size or not rng.below_max(members[first]):
            return 0, 0
        end = first + 1
        while end < size and rng.below_max(members[end]):
            end += 1
        return first, end


@dataclass(frozen=True, slots=True)
class ScoreRange:
    """A score interval: ZRANGEBYSCORE's `min max`, each end inclusive unless given with `(`."""

    min: float
    max: float
    min_exclusive: bool = False
    max_exclusive: bool = False


@dataclass(frozen=True, slots=True)
class LexRange:
    """A member interval: ZRANGEBYLEX's `[a (b - +`; None stands for `-` (min) or `+` (max)."""

    min: bytes | None
    max: bytes | None
    min_exclusive: bool = False
    max_exclusive: bool = False
    min_is_plus: bool = False  # `+` given as the minimum: nothing is above it
    max_is_minus: bool = False  # `-` given as the maximum: nothing is below it

    def is_empty(self) -> bool:
        """True when no member can be in range (Redis's zslIsInLexRange precheck)."""
        if self.min_is_plus or self.max_is_minus:
            return True
        if self.min is None or self.max is None:
            return False
        return self.min > self.max or (self.min == self.max and (self.min_exclusive or self.max_exclusive))

    def above_min(self, member: bytes) -> bool:
        if self.min_is_plus:
            return False
        if self.min is None:
            return True
        return member > self.min if self.min_exclusive else member >= self.min

    def below_max(self, member: bytes) -> bool:
        if self.max_is_minus:
            return False
        if self.max is None:
            return True
        return member < self.max if self.max_exclusive else member <= self.max


# ---- set algebra (ZUNION, ZINTER, ZDIFF and their STORE forms) ----------------------------------


class Source:
    """One input key of a set operation: a sorted set, a plain set (every score 1) or nothing."""

    __slots__ = ("value", "weight")

    def __init__(self, value: ZSetValue | Collection[bytes] | None, weight: float = 1.0) -> None:
        self.value = value
        self.weight = weight

    def __len__(self) -> int:
        return 0 if self.value is None else len(self.value)

    def pairs(self) -> Iterator[tuple[bytes, float]]:
        """(member, unweighted score) pairs."""
        value = self.value
        if value is None:
            return iter(())
        if isinstance(value, ZSetValue):
            return ((member, score) for score, member in value.ordered)
        return ((member, 1.0) for member in value)

    def score(self, member: bytes) -> float | None:
        value = self.value
        if isinstance(value, ZSetValue):
            return value.scores.get(member)
        return 1.0 if value is not None and member in value else None


def aggregate(target: float, value: float, how: bytes) -> float:
    """Redis's zunionInterAggregate: SUM turns NaN (inf + -inf) into 0; MIN/MAX keep the target
    when a comparison with NaN is false."""
    if how == b"sum":
        total = target + value
        return 0.0 if total != total else total
    if how == b"min":
        return value if value < target else target
    return value if value > target else target


def by_size(sources: list[Source]) -> list[Source]:
    """The inputs from the smallest to the largest, as Redis visits them: that order decides the
    order of floating-point additions, hence the last bits of a SUM (Python's sort is stable)."""
    return sorted(sources, key=len)


def union(sources: list[Source], how: bytes) -> dict[bytes, float]:
    """Members of any input, scores weighted and aggregated."""
    result: dict[bytes, float] = {}
    for source in by_size(sources):
        weight = source.weight
        for member, score in source.pairs():
            value = weight * score
            if value != value:  # 0 * inf
                value = 0.0
            if member in result:
                result[member] = aggregate(result[member], value, how)
            else:
                result[member] = value
    return result


def intersection(sources: list[Source], how: bytes) -> dict[bytes, float]:
    """Members of every input, scores weighted and aggregated (only the first product is
    cleared of NaN, as in Redis; SUM clears its own)."""
    first, *others = by_size(sources)
    result: dict[bytes, float] = {}
    for member, score in first.pairs():
        total = first.weight * score
        if total != total:
            total = 0.0
        for other in others:
            value = other.score(member)
            if value is None:
                break
            total = aggregate(total, value * other.weight, how)
        else:
            result[member] = total
    return result


def intersection_size(sources: list[Source], limit: int) -> int:
    """ZINTERCARD: how many members every input holds; counting stops at `limit` (0: never)."""
    first, *others = by_size(sources)
    count = 0
    for member, _ in first.pairs():
        if all(other.score(member) is not None for other in others):
            count += 1
            if limit and count >= limit:
                break
    return count


def difference(sources: list[Source]) -> dict[bytes, float]:
    """Members of the first input in none of the others, with their first scores (no weights)."""
    first, *others = sources
    return {
        member: score for member, score in first.pairs() if not any(other.score(member) is not None for other in others)
    }
