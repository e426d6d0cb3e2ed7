"""The value types a key can hold, and what TYPE / OBJECT ENCODING call them.

Strings are plain `bytes`. Containers are thin subclasses of Python's own collections with
a few extra slots: `mem`, the dataset-memory estimate the keyspace last accounted for them,
and `mem_anchor`/`mem_at_anchor`, the element count and estimate of the last full sample
(see `keyspace.Database.modified`). Keeping the estimate on the value costs nothing per key for
strings and one slot per container.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from miniredis_node.args import to_int
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
    """A Redis hash: field bytes to value bytes, in insertion order. `converted`: Redis would
    hold it as a hashtable now, having outgrown the listpack once (it never converts back)."""

    __slots__ = ("converted", "mem", "mem_anchor", "mem_at_anchor", "scan_snapshot")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.converted = False
        self.mem = 0
        self.mem_anchor = (0, 0)
        self.mem_at_anchor = 0
        self.scan_snapshot: tuple[int, list[bytes]] | None = None


class SetValue(set):  # type: ignore[type-arg]
    """A Redis set of bytes members. `converted`: a hashtable now, having outgrown the intset
    once (Redis never converts back)."""

    __slots__ = ("converted", "mem", "mem_anchor", "mem_at_anchor", "scan_snapshot")

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self.converted = False
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


# ---- compact encodings: Redis 7.0 converts a listpack hash or an intset to a hashtable when it
# outgrows the configured limits, and never back. Writes call note_*; readers ask *_fits_*.
def note_hash_write(value: HashValue, written: Iterable[bytes], max_entries: int, max_value: int) -> None:
    """After fields and values `written` were stored: a listpack that outgrew the limits converts."""
    if not value.converted and (len(value) > max_entries or any(len(item) > max_value for item in written)):
        value.converted = True


def hash_fits_listpack(value: HashValue, max_entries: int, max_value: int) -> bool:
    """Whether Redis holds this hash as a listpack (never once converted; else by its contents)."""
    if value.converted:
        return False
    if len(value) <= max_entries and all(len(f) <= max_value and len(v) <= max_value for f, v in value.items()):
        return True
    value.converted = True  # e.g. restored or loaded too big: from now on it stays a hashtable
    return False


def _is_intset_member(member: bytes) -> bool:
    return to_int(member) is not None


def note_set_write(value: SetValue, added: Iterable[bytes], max_entries: int) -> None:
    """After members `added` were stored: an intset that outgrew it (or took a non-integer) converts."""
    if not value.converted and (len(value) > max_entries or not all(_is_intset_member(m) for m in added)):
        value.converted = True


def set_fits_intset(value: SetValue | set[bytes], max_entries: int) -> bool:
    """Whether Redis holds these members as an intset (a computed `set` is judged by contents)."""
    if getattr(value, "converted", False):
        return False
    if len(value) <= max_entries and all(_is_intset_member(m) for m in value):
        return True
    if isinstance(value, SetValue):
        value.converted = True
    return False


def type_name(value: object) -> bytes:
    """The name TYPE reports for a stored value."""
    return TYPE_NAMES.get(type(value), b"none")


__all__ = [
    "HashValue",
    "ListValue",
    "SetValue",
    "StreamValue",
    "ZSetValue",
    "TYPE_NAMES",
    "hash_fits_listpack",
    "note_hash_write",
    "note_set_write",
    "set_fits_intset",
    "type_name",
]
