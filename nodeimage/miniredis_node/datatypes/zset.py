"""The sorted set: a member→score dict beside a SortedList of (score, member) pairs.

The dict answers ZSCORE in O(1); the SortedList (sortedcontainers, a B-tree-like list of lists)
gives O(log n) inserts, removals, rank lookups and range slicing, which is what Redis's skiplist
gives. Pairs order by score, then by member bytes, exactly Redis's ordering.
"""

from __future__ import annotations

from collections.abc import Iterator

from sortedcontainers import SortedList


class ZSetValue:
    __slots__ = ("scores", "ordered", "mem", "scan_snapshot")

    def __init__(self) -> None:
        self.scores: dict[bytes, float] = {}
        self.ordered: SortedList = SortedList()
        self.mem = 0
        self.scan_snapshot: tuple[int, list[bytes]] | None = None

    def __len__(self) -> int:
        return len(self.scores)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.scores)

    def __contains__(self, member: object) -> bool:
        return member in self.scores

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
