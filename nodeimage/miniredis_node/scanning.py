"""Cursor iteration of one container: the engine behind HSCAN, SSCAN and ZSCAN.

The three commands share Redis's `scanGenericCommand`: parse the cursor, look the key up (a
missing key answers an empty scan before any option is checked), parse
`[MATCH pattern] [COUNT count]`, collect about `count` elements, filter them with MATCH, reply
`[next cursor, elements]`. `scan_command` is that whole flow; type modules pass the value type,
an `emit(value, member)` giving a member's reply elements (HSCAN: field and value; ZSCAN: member
and score) and `compact_members(value)`, the members in order when the value is compact.

Compact containers (those Redis keeps as a listpack or an intset) are returned whole with cursor
0, as Redis does: it cannot iterate those encodings incrementally, and clients rely on getting
small hashes in one call.

Large containers are iterated over a snapshot, because Python's dict and set expose no stable
positions. The value's `scan_snapshot` slot holds `(snapshot id, members)`: a list whose
positions never move while a scan runs, so a cursor is a position plus the snapshot id
(`position << 16 | id`). A scan walks the list from its end down to position 0, so members
appended while it runs (new ones, which SCAN need not return) land where it has already been:
a scan always ends, even while members are added faster than it reads. Members that left the
container are skipped when met. A scan that starts (cursor 0) first extends the snapshot with the
members it lacks, in place and keeping the id, so concurrent scans keep their positions and the
new scan still sees every current member. When dead slots outnumber live members the list is
rebuilt under a new id; cursors of the old id then restart, which may repeat members (SCAN
allows that) but never misses one that was present for the whole scan.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from random import randrange
from typing import TYPE_CHECKING, Any, Final, Protocol

from miniredis_node import errors
from miniredis_node.args import parse_int
from miniredis_node.errors import CommandError
from miniredis_node.glob import Pattern

if TYPE_CHECKING:
    from miniredis_node.client import Client

ULONG_MAX: Final = 2**64 - 1
SNAPSHOT_ID_BITS: Final = 16
SNAPSHOT_ID_MASK: Final = (1 << SNAPSHOT_ID_BITS) - 1
# Redis's dictScan gives up after count*10 empty buckets; we walk at most that many slots.
EMPTY_VISITS_PER_COUNT: Final = 10
DEFAULT_COUNT: Final = 10


class Scannable(Protocol):
    """What a scannable container offers: its members, membership, and the snapshot slot."""

    scan_snapshot: tuple[int, list[bytes]] | None

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[bytes]: ...

    def __contains__(self, member: object, /) -> bool: ...


# (container, member) -> the reply elements of that member: HSCAN gives field and value.
Emit = Callable[[Any, bytes], Iterable[Any]]


def empty_scan() -> list[Any]:
    """The reply to a scan of a missing key (a fresh list: replies may be mutated later)."""
    return [b"0", []]


def parse_cursor(raw: bytes) -> int:
    """Redis's parseScanCursorOrReply: `strtoul(raw, 10)` that must consume the whole argument.

    strtoul accepts a sign (`-1` wraps to 2**64-1) and converts an empty string to 0; Redis
    refuses a leading space explicitly, and anything left unconverted or out of range.
    """
    if raw[:1].isspace():
        raise CommandError(errors.INVALID_CURSOR)
    digits = raw[1:] if raw[:1] in (b"+", b"-") else raw
    if not digits:
        if raw:  # a lone sign converts nothing, so strtoul's end pointer stays on the sign
            raise CommandError(errors.INVALID_CURSOR)
        return 0
    if not digits.isdigit():  # bytes.isdigit() is ASCII-only
        raise CommandError(errors.INVALID_CURSOR)
    value = int(digits)
    if value > ULONG_MAX:
        raise CommandError(errors.INVALID_CURSOR)
    return (-value) & ULONG_MAX if raw[:1] == b"-" else value


def parse_options(argv: list[bytes], start: int) -> tuple[bytes | None, int]:
    """`[MATCH pattern] [COUNT count]` from argv[start:]: (pattern or None for "match all", count)."""
    pattern: bytes | None = None
    count = DEFAULT_COUNT
    i = start
    argc = len(argv)
    while i < argc:
        option = argv[i].lower()
        if option == b"count" and argc - i >= 2:
            count = parse_int(argv[i + 1])
            if count < 1:
                raise CommandError(errors.SYNTAX)
            i += 2
        elif option == b"match" and argc - i >= 2:
            pattern = argv[i + 1]
            if pattern == b"*":  # matches everything: the same as no pattern
                pattern = None
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    return pattern, count


def scan_command(
    c: Client,
    argv: list[bytes],
    kind: type,
    *,
    emit: Emit,
    compact_members: Callable[[Any], list[bytes] | None],
) -> list[Any]:
    """The whole of `XSCAN key cursor [MATCH pattern] [COUNT count]` for container type `kind`.

    `compact_members(value)` returns the members in Redis's order when Redis would keep the value
    in a compact encoding (listpack, intset), else None; `emit(value, member)` gives the reply
    elements of one member.
    """
    cursor = parse_cursor(argv[2])
    value = c.db.lookup_typed(argv[1], kind)
    if value is None:
        return empty_scan()
    pattern, count = parse_options(argv, 3)
    return scan_container(value, cursor, count, pattern=pattern, emit=emit, whole=compact_members(value))


def scan_container(
    items_source: Scannable,
    cursor: int,
    count: int,
    *,
    pattern: bytes | None = None,
    emit: Emit = lambda container, member: (member,),
    whole: list[bytes] | None = None,
) -> list[Any]:
    """One scan step over `items_source`: the reply `[next cursor as bytes, elements]`.

    With `whole` (the members of a compact container, in order) everything is returned at once
    with cursor 0, whatever the cursor was, as Redis does for listpacks and intsets.
    """
    members: list[bytes]
    if whole is not None:
        next_cursor, members = 0, whole
    else:
        next_cursor, members = _step(items_source, cursor, count)
    if pattern is not None:
        matches = Pattern(pattern)
        members = [m for m in members if matches(m)]
    elements: list[Any] = []
    for member in members:
        elements.extend(emit(items_source, member))
    return [b"%d" % next_cursor, elements]


def _step(container: Scannable, cursor: int, count: int) -> tuple[int, list[bytes]]:
    """Walk the snapshot from the cursor's position down towards 0 (see the module docstring)."""
    position, snap_id = cursor >> SNAPSHOT_ID_BITS, cursor & SNAPSHOT_ID_MASK
    snapshot = container.scan_snapshot
    if cursor == 0 or snapshot is None or snapshot[0] != snap_id or position > len(snapshot[1]):
        snapshot = _fresh_snapshot(container)
        position = len(snapshot[1])
    snap_id, slots = snapshot
    found: list[bytes] = []
    budget = count * EMPTY_VISITS_PER_COUNT
    while position and len(found) < count and budget:
        position -= 1
        member = slots[position]
        if member in container:
            found.append(member)
        else:
            budget -= 1
    if position == 0:
        return 0, found
    return (position << SNAPSHOT_ID_BITS) | snap_id, found


def _fresh_snapshot(container: Scannable) -> tuple[int, list[bytes]]:
    """A snapshot holding every current member, keeping the old positions whenever possible."""
    old = container.scan_snapshot
    live = len(container)
    if old is not None and len(old[1]) <= 2 * live + 64:
        snap_id, slots = old
        known = set(slots)
        slots.extend(member for member in container if member not in known)
        return old
    snap_id = ((old[0] if old is not None else 0) % SNAPSHOT_ID_MASK) + 1  # never 0
    snapshot = (snap_id, list(container))
    container.scan_snapshot = snapshot
    return snapshot


# ---- random sampling over the same positions -------------------------------------------------
# HRANDFIELD, SRANDMEMBER and SPOP need uniformly random members, which a Python dict or set
# cannot give without listing itself (O(n) per call: a loop of SPOPs would be quadratic). The
# scan snapshot already is a list of positions; kept complete (hashes.py and sets.py append each
# member they add, see `note_added`), a random live member is a random slot, retried while dead.


def note_added(container: Scannable, member: bytes) -> None:
    """Record a member just added in place, so sampling can find it without a rebuild."""
    snapshot = container.scan_snapshot
    if snapshot is not None:
        snapshot[1].append(member)


def _positions(container: Scannable, *, rebuild: bool = False) -> list[bytes]:
    """The snapshot's slots, rebuilt when asked, plainly incomplete, or mostly dead."""
    snapshot = container.scan_snapshot
    live = len(container)
    if rebuild or snapshot is None or len(snapshot[1]) < live or len(snapshot[1]) > 2 * live + 64:
        old_id = snapshot[0] if snapshot is not None else 0
        snapshot = ((old_id % SNAPSHOT_ID_MASK) + 1, list(container))
        container.scan_snapshot = snapshot
    return snapshot[1]


class _Sampler:
    """Draws live members from random slots of a non-empty container.

    At most half the slots are dead, so a draw takes two tries on average. Should a writer
    elsewhere have added members without `note_added`, many failed tries in a row rebuild the
    slots from the container, so a draw always ends and every member stays reachable.
    """

    __slots__ = ("container", "slots")

    def __init__(self, container: Scannable) -> None:
        self.container = container
        self.slots = _positions(container)

    def draw(self) -> bytes:
        container, slots = self.container, self.slots
        misses = 0
        while True:
            member = slots[randrange(len(slots))]
            if member in container:
                return member
            misses += 1
            if misses == 64:
                self.slots = slots = _positions(container, rebuild=True)


def random_member(container: Scannable) -> bytes:
    """One uniformly random member of a non-empty container."""
    return _Sampler(container).draw()


def random_members(container: Scannable, count: int) -> list[bytes]:
    """`count` independent random members (repetitions allowed), as a negative count asks."""
    draw = _Sampler(container).draw
    return [draw() for _ in range(count)]


def distinct_random_members(container: Scannable, count: int) -> list[bytes]:
    """`count` distinct random members, `count` below the container's size."""
    if count * 3 > len(container):
        # Many of them: sampling the listed members beats rejecting repeats.
        return random.sample(list(container), count)
    draw = _Sampler(container).draw
    picked: dict[bytes, None] = {}
    while len(picked) < count:
        picked[draw()] = None
    return list(picked)


# ---- encodings ---------------------------------------------------------------------------------


def fits_listpack(lengths: Iterable[int], size: int, max_entries: int, max_value: int) -> bool:
    """Whether Redis would keep a container of `size` entries with these string lengths in a
    listpack (hash-/zset-max-listpack-entries and -value): the test for a whole-container scan."""
    return size <= max_entries and all(n <= max_value for n in lengths)
