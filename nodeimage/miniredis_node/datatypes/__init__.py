"""The value types a key can hold, and what TYPE / OBJECT ENCODING call them.

Strings are plain `bytes`. Containers are thin subclasses of Python's own collections with
a few extra slots: `mem`, the dataset-memory estimate the keyspace last accounted for them,
and `mem_anchor`/`mem_at_anchor`, the element count and estimate of the last full sample
(see `keyspace.Database.modified`). Keeping the estimate on the value costs nothing per key for
strings and one slot per container.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from miniredis_node.datatypes.stream import StreamValue
from miniredis_node.datatypes.zset import ZSetValue


class ListValue(deque):  # type: ignore[type-arg]
    """A Redis list: O(1) pushes and pops at both ends."""

    __slots__ = ("mem", "mem_anchor", "mem_at_anchor")

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self.mem = 0
        self.mem_anchor = (0, 0)
        self.mem_at_anchor = 0


class HashValue(dict):  # type: ignore[type-arg]
    """A Redis hash: field bytes to value bytes, in insertion order."""

    __slots__ = ("mem", "mem_anchor", "mem_at_anchor", "scan_snapshot")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.mem = 0
        self.mem_anchor = (0, 0)
        self.mem_at_anchor = 0
        self.scan_snapshot: tuple[int, list[bytes]] | None = None


class SetValue(set):  # type: ignore[type-arg]
    """A Redis set of bytes members."""

    __slots__ = ("mem", "mem_anchor", "mem_at_anchor", "scan_snapshot")

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self.mem = 0
        self.mem_anchor = (0, 0)
        self.mem_at_anchor = 0
        self.scan_snapshot: tuple[int, list[bytes]] | None = None


TYPE_NAMES: dict[type, bytes] = {
    bytes: b"string",
    ListValue: b"list",
    HashValue: b"hash",
    SetValue: b"set",
    ZSetValue: b"zset",
    StreamValue: b"stream",
}


def type_name(value: object) -> bytes:
    """The name TYPE reports for a stored value."""
    return TYPE_NAMES.get(type(value), b"none")


__all__ = ["HashValue", "ListValue", "SetValue", "StreamValue", "ZSetValue", "TYPE_NAMES", "type_name"]
