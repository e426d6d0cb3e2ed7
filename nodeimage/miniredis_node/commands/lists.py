"""List commands: LPUSH/RPUSH and friends, LPOS, LMOVE, LMPOP, and the blocking pops.

A list is a `datatypes.ListValue` (a deque). The module has Redis's two parts: pure functions
over a list (index arithmetic, LPOS's search, LREM's filter), then thin handlers that parse
arguments in Redis's order (so the same bad input gets the same error), touch the keyspace
through `c.db`, and return the reply.

Blocking commands (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH) first try to serve at once, exactly
as their non-blocking forms would; inside MULTI/EXEC they answer as if timed out; otherwise they
park the client with a `_Waiter`, which the server calls back (`serve`) whenever a write makes
one of its keys ready, in the order clients blocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Final

from miniredis_node import errors
from miniredis_node.args import INT64_MIN, parse_int, parse_timeout, to_int
from miniredis_node.client import Client
from miniredis_node.datatypes import ListValue
from miniredis_node.dispatch import NO_REPLY
from miniredis_node.errors import CommandError
from miniredis_node.notify import GENERIC, LIST, notify
from miniredis_node.protocol import NULL_ARRAY, OK, ErrorReply
from miniredis_node.table import GetKeys, command

if TYPE_CHECKING:
    import asyncio

    from miniredis_node.keyspace import Database

LEFT: Final = True  # list ends, as booleans: True is the head (LEFT), False the tail (RIGHT)
RIGHT: Final = False
_ENDS: Final = {b"LEFT": LEFT, b"RIGHT": RIGHT}


# ---- list functions ----------------------------------------------------------------------------
def clamp_range(start: int, stop: int, length: int) -> tuple[int, int] | None:
    """LRANGE/LTRIM's inclusive index range, made absolute and clipped; None when empty."""
    if start < 0:
        start += length
    if stop < 0:
        stop += length
    if start < 0:
        start = 0
    if start > stop or start >= length:
        return None
    return start, min(stop, length - 1)


def slice_list(items: ListValue, start: int, stop: int) -> list[bytes]:
    """Elements start..stop (absolute, inclusive), walking from the nearer end."""
    length = len(items)
    if start > length - 1 - stop:  # nearer the tail: walk backwards
        tail = list(islice(reversed(items), length - 1 - stop, length - start))
        tail.reverse()
        return tail
    return list(islice(items, start, stop + 1))


def pop_many(items: ListValue, head: bool, count: int) -> list[bytes]:
    """Pop up to `count` elements from one end, in pop order."""
    pop = items.popleft if head else items.pop
    return [pop() for _ in range(min(count, len(items)))]


def push(items: ListValue, head: bool, elements: Iterable[bytes]) -> None:
    """Push elements one by one at an end (LPUSH a b c leaves c first)."""
    if head:
        items.extendleft(elements)
    else:
        items.extend(elements)


def positions(items: ListValue, element: bytes, *, rank: int, count: int | None, maxlen: int) -> list[int]:
    """LPOS's matching indexes: skip |rank|-1 matches (from the tail when rank < 0), then collect
    up to `count` (0: all; None: just one), looking at no more than `maxlen` elements (0: all).

    Redis negates a negative rank in a C long; LONG_MIN stays negative, every match then counts
    and its COUNT check overflows, so LPOS RANK -9223372036854775808 returns all matches from the
    tail. We reproduce that rather than refuse it.
    """
    from_tail = rank < 0
    skip = 0 if rank == INT64_MIN else abs(rank) - 1
    limit = 1 if count is None else (0 if rank == INT64_MIN else count)
    last = len(items) - 1
    found: list[int] = []
    walk = reversed(items) if from_tail else iter(items)
    for index, item in enumerate(walk):
        if maxlen and index >= maxlen:
            break
        if item == element:
            if skip:
                skip -= 1
                continue
            found.append(last - index if from_tail else index)
            if limit and len(found) >= limit:
                break
    return found


def remove(items: ListValue, element: bytes, count: int) -> int:
    """LREM: drop up to |count| occurrences (all when 0), from the tail when count < 0."""
    kept: list[bytes] = []
    removed = 0
    budget = abs(count) or len(items)
    walk = reversed(items) if count < 0 else iter(items)
    for item in walk:
        if removed < budget and item == element:
            removed += 1
        else:
            kept.append(item)
    if removed:
        if count < 0:
            kept.reverse()
        items.clear()
        items.extend(kept)
    return removed


# ---- argument parsing --------------------------------------------------------------------------
def parse_end(raw: bytes) -> bool:
    """LEFT or RIGHT (any case), else a syntax error."""
    end = _ENDS.get(raw.upper())
    if end is None:
        raise CommandError(errors.SYNTAX)
    return end


def _range_long(raw: bytes, message: str, minimum: int) -> int:
    """getRangeLongFromObjectOrReply: an integer >= minimum, else `message` (bad text included)."""
    value = to_int(raw)
    if value is None or value < minimum:
        raise CommandError(message)
    return value


def _mpop_args(argv: list[bytes], numkeys_at: int) -> tuple[list[bytes], bool, int]:
    """[B]LMPOP's `numkeys key... LEFT|RIGHT [COUNT n]` from argv[numkeys_at]: keys, end, count."""
    numkeys = _range_long(argv[numkeys_at], errors.NUMKEYS_ZERO, 1)
    end_at = numkeys_at + numkeys + 1
    if end_at >= len(argv):
        raise CommandError(errors.SYNTAX)
    head = parse_end(argv[end_at])
    count = -1
    j = end_at + 1
    while j < len(argv):
        if count == -1 and argv[j].upper() == b"COUNT" and j + 1 < len(argv):
            count = _range_long(argv[j + 1], errors.COUNT_POSITIVE, 1)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    return argv[numkeys_at + 1 : end_at], head, 1 if count == -1 else count


def _mpop_keys(numkeys_at: int) -> GetKeys:
    def getkeys(argv: list[bytes]) -> list[int]:
        numkeys = to_int(argv[numkeys_at]) if len(argv) > numkeys_at else None
        if numkeys is None or numkeys < 1 or numkeys_at + numkeys >= len(argv):
            return []
        return list(range(numkeys_at + 1, numkeys_at + 1 + numkeys))

    return getkeys


def _unique(keys: list[bytes]) -> list[bytes]:
    return list(dict.fromkeys(keys))


# ---- keyspace operations shared by handlers and waiters ---------------------------------------
def _pop_key(db: Database, key: bytes, items: ListValue, head: bool, count: int) -> list[bytes]:
    popped = pop_many(items, head, count)
    db.modified(key)
    if db.keyspace.notify_flags:
        _notify_popped(db, key, items, head)
    return popped


def _notify_popped(db: Database, key: bytes, items: ListValue, head: bool) -> None:
    """The events of a pop: lpop/rpop, and del when it emptied the list."""
    notify(db, LIST, b"lpop" if head else b"rpop", key, db.id)
    if not items:
        notify(db, GENERIC, b"del", key, db.id)


def _move(db: Database, source: bytes, items: ListValue, destination: bytes, head: bool, to_head: bool) -> bytes:
    """Pop from `items` (at `source`) and push onto the list at `destination`, created if needed.

    The caller has checked the destination's type. With source == destination the popped element
    goes back onto the same list (a rotation), as Redis's pop-then-push does.
    """
    target = db.peek(destination)
    value: bytes = items.popleft() if head else items.pop()
    if target is None:
        db.set(destination, ListValue((value,)))
    else:
        if to_head:
            target.appendleft(value)
        else:
            target.append(value)
        db.modified(destination)
    notify(db, LIST, b"lpush" if to_head else b"rpush", destination, db.id)
    db.modified(source)
    notify(db, LIST, b"lpop" if head else b"rpop", source, db.id)
    if not items:
        notify(db, GENERIC, b"del", source, db.id)
    return value


def _wrong_destination(db: Database, destination: bytes) -> bool:
    target = db.peek(destination)
    return target is not None and type(target) is not ListValue


class _Waiter:
    """A client parked by a blocking list command; the server fills `keys`, `db` and `timer`.

    `count` None is BLPOP/BRPOP's single [key, element]; a number is BLMPOP's [key, [elements]].
    `destination` set makes it BLMOVE/BRPOPLPUSH.
    """

    __slots__ = ("head", "count", "destination", "to_head", "keys", "db", "timer")

    # Redis answers every timed-out list block with a null array, BLMOVE's included.
    timeout_reply: Final = NULL_ARRAY

    def __init__(
        self, head: bool, count: int | None = None, destination: bytes | None = None, to_head: bool = False
    ) -> None:
        self.head = head
        self.count = count
        self.destination = destination
        self.to_head = to_head
        self.keys: list[bytes] = []
        self.db: Database | None = None
        self.timer: asyncio.TimerHandle | None = None

    def serve(self, db: Database, key: bytes) -> object:
        """The reply once `key` holds a non-empty list, else None (stay blocked)."""
        items = db.peek(key)
        if type(items) is not ListValue or not items:
            return None
        if self.destination is not None:
            if _wrong_destination(db, self.destination):
                # Redis answers WRONGTYPE and unblocks, popping nothing.
                return ErrorReply(errors.WRONGTYPE)
            return _move(db, key, items, self.destination, self.head, self.to_head)
        if self.count is None:
            return [key, _pop_key(db, key, items, self.head, 1)[0]]
        return [key, _pop_key(db, key, items, self.head, self.count)]


def _block(c: Client, waiter: _Waiter, keys: list[bytes], timeout_s: float) -> object:
    c.server.block(c, waiter, c.db, _unique(keys), timeout_s)
    return NO_REPLY


def _first_ready(c: Client, keys: list[bytes]) -> tuple[bytes, ListValue] | None:
    """The first key holding a non-empty list; WRONGTYPE if a non-list comes before one."""
    for key in keys:
        items = c.db.lookup_typed(key, ListValue, write=True)
        if items:
            return key, items
    return None


# ---- pushes ------------------------------------------------------------------------------------
def _push(c: Client, argv: list[bytes], head: bool, *, only_existing: bool) -> int:
    key = argv[1]
    db = c.db
    items = db.lookup_typed(key, ListValue, write=True)
    if items is None:
        if only_existing:
            return 0
        items = ListValue()
        push(items, head, argv[2:])
        db.set(key, items)
    else:
        if len(argv) == 3:  # one element, the common case: no slice, no extend
            if head:
                items.appendleft(argv[2])
            else:
                items.append(argv[2])
        else:
            push(items, head, argv[2:])
        db.modified(key)
    if c.keyspace.notify_flags:
        notify(c, LIST, b"lpush" if head else b"rpush", key, db.id)
    return len(items)


_PUSH_COMPLEXITY: Final = (
    "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
)


@command(
    "lpush",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Prepend one or multiple elements to a list",
    acl="@write @list @fast",
    complexity=_PUSH_COMPLEXITY,
    syntax="key element [element ...]",
)
def lpush(c: Client, argv: list[bytes]) -> object:
    return _push(c, argv, LEFT, only_existing=False)


@command(
    "rpush",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Append one or multiple elements to a list",
    acl="@write @list @fast",
    complexity=_PUSH_COMPLEXITY,
    syntax="key element [element ...]",
)
def rpush(c: Client, argv: list[bytes]) -> object:
    return _push(c, argv, RIGHT, only_existing=False)


@command(
    "lpushx",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="list",
    since="2.2.0",
    summary="Prepend an element to a list, only if the list exists",
    acl="@write @list @fast",
    complexity=_PUSH_COMPLEXITY,
    syntax="key element [element ...]",
)
def lpushx(c: Client, argv: list[bytes]) -> object:
    return _push(c, argv, LEFT, only_existing=True)


@command(
    "rpushx",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="list",
    since="2.2.0",
    summary="Append an element to a list, only if the list exists",
    acl="@write @list @fast",
    complexity=_PUSH_COMPLEXITY,
    syntax="key element [element ...]",
)
def rpushx(c: Client, argv: list[bytes]) -> object:
    return _push(c, argv, RIGHT, only_existing=True)


@command(
    "linsert",
    5,
    "write denyoom",
    keys=(1, 1, 1),
    group="list",
    since="2.2.0",
    summary="Insert an element before or after another element in a list",
    acl="@write @list @slow",
    complexity="O(N) where N is the number of elements to traverse before seeing the value pivot. "
    "This means that inserting somewhere on the left end on the list (head) can be considered O(1) and "
    "inserting somewhere on the right end (tail) is O(N).",
    syntax="key BEFORE|AFTER pivot element",
)
def linsert(c: Client, argv: list[bytes]) -> object:
    where = argv[2].upper()
    if where not in (b"BEFORE", b"AFTER"):
        raise CommandError(errors.SYNTAX)
    key = argv[1]
    items = c.db.lookup_typed(key, ListValue, write=True)
    if items is None:
        return 0
    try:
        index = items.index(argv[3])
    except ValueError:
        return -1
    items.insert(index if where == b"BEFORE" else index + 1, argv[4])
    c.db.modified(key)
    notify(c, LIST, b"linsert", key, c.db.id)
    return len(items)


# ---- pops --------------------------------------------------------------------------------------
def _pop(c: Client, argv: list[bytes], head: bool, name: str) -> object:
    if len(argv) > 3:
        raise CommandError(errors.WRONG_ARGS.format(name))
    count: int | None = None
    if len(argv) == 3:
        count = _range_long(argv[2], errors.VALUE_OUT_OF_RANGE_POSITIVE, 0)
    key = argv[1]
    db = c.db
    items = db.lookup_typed(key, ListValue, write=True)
    if items is None:
        return None if count is None else NULL_ARRAY
    if count is None:
        # _pop_key(db, key, items, head, 1)[0] without building a one-element list.
        value = items.popleft() if head else items.pop()
        db.modified(key)
        if c.keyspace.notify_flags:
            _notify_popped(db, key, items, head)
        return value
    if count == 0:
        return []
    return _pop_key(c.db, key, items, head, count)


@command(
    "lpop",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Remove and get the first elements in a list",
    acl="@write @list @fast",
    complexity="O(N) where N is the number of elements returned",
    syntax="key [count]",
)
def lpop(c: Client, argv: list[bytes]) -> object:
    return _pop(c, argv, LEFT, "lpop")


@command(
    "rpop",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Remove and get the last elements in a list",
    acl="@write @list @fast",
    complexity="O(N) where N is the number of elements returned",
    syntax="key [count]",
)
def rpop(c: Client, argv: list[bytes]) -> object:
    return _pop(c, argv, RIGHT, "rpop")


def _mpop_now(c: Client, keys: list[bytes], head: bool, count: int) -> object:
    ready = _first_ready(c, keys)
    if ready is None:
        return None
    key, items = ready
    return [key, _pop_key(c.db, key, items, head, count)]


@command(
    "lmpop",
    -4,
    "write",
    group="list",
    since="7.0.0",
    summary="Pop elements from a list",
    acl="@write @list @slow",
    getkeys=_mpop_keys(1),
    complexity="O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    syntax="numkeys key [key ...] LEFT|RIGHT [COUNT count]",
)
def lmpop(c: Client, argv: list[bytes]) -> object:
    keys, head, count = _mpop_args(argv, 1)
    reply = _mpop_now(c, keys, head, count)
    return NULL_ARRAY if reply is None else reply


# ---- reads -------------------------------------------------------------------------------------
@command(
    "llen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Get the length of a list",
    acl="@read @list @fast",
    complexity="O(1)",
    syntax="key",
)
def llen(c: Client, argv: list[bytes]) -> object:
    items = c.db.lookup_typed(argv[1], ListValue)
    return 0 if items is None else len(items)


@command(
    "lindex",
    3,
    "readonly",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Get an element from a list by its index",
    acl="@read @list @slow",
    complexity="O(N) where N is the number of elements to traverse to get to the element at index. "
    "This makes asking for the first or the last element of the list O(1).",
    syntax="key index",
)
def lindex(c: Client, argv: list[bytes]) -> object:
    items = c.db.lookup_typed(argv[1], ListValue)
    if items is None:
        return None
    index = parse_int(argv[2])
    if index < 0:
        index += len(items)
    if not 0 <= index < len(items):
        return None
    return items[index]


@command(
    "lrange",
    4,
    "readonly",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Get a range of elements from a list",
    acl="@read @list @slow",
    complexity="O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest "
    "end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    syntax="key start stop",
)
def lrange(c: Client, argv: list[bytes]) -> object:
    start, stop = parse_int(argv[2]), parse_int(argv[3])
    items = c.db.lookup_typed(argv[1], ListValue)
    if items is None:
        return []
    span = clamp_range(start, stop, len(items))
    return [] if span is None else slice_list(items, *span)


@command(
    "lpos",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="list",
    since="6.0.6",
    summary="Return the index of matching elements on a list",
    acl="@read @list @slow",
    complexity="O(N) where N is the number of elements in the list, for the average case. When searching "
    "for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command "
    "may run in constant time.",
    syntax="key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
)
def lpos(c: Client, argv: list[bytes]) -> object:
    rank, count, maxlen = 1, None, 0
    j = 3
    while j < len(argv):
        option = argv[j].upper()
        if j + 1 >= len(argv):
            raise CommandError(errors.SYNTAX)
        if option == b"RANK":
            rank = parse_int(argv[j + 1])
            if rank == 0:
                raise CommandError(errors.LPOS_RANK_ZERO)
        elif option == b"COUNT":
            count = _range_long(argv[j + 1], errors.LPOS_COUNT_NEGATIVE, 0)
        elif option == b"MAXLEN":
            maxlen = _range_long(argv[j + 1], errors.LPOS_MAXLEN_NEGATIVE, 0)
        else:
            raise CommandError(errors.SYNTAX)
        j += 2
    items = c.db.lookup_typed(argv[1], ListValue)
    if items is None:
        return None if count is None else []
    found = positions(items, argv[2], rank=rank, count=count, maxlen=maxlen)
    if count is None:
        return found[0] if found else None
    return found


# ---- in-place edits ----------------------------------------------------------------------------
@command(
    "lset",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Set the value of an element in a list by its index",
    acl="@write @list @slow",
    complexity="O(N) where N is the length of the list. Setting either the first or the last element "
    "of the list is O(1).",
    syntax="key index element",
)
def lset(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    items = c.db.lookup_typed(key, ListValue, write=True)
    if items is None:
        raise CommandError(errors.NO_SUCH_KEY)
    index = parse_int(argv[2])
    if index < 0:
        index += len(items)
    if not 0 <= index < len(items):
        raise CommandError(errors.INDEX_OUT_OF_RANGE)
    items[index] = argv[3]
    c.db.modified(key)
    notify(c, LIST, b"lset", key, c.db.id)
    return OK


@command(
    "lrem",
    4,
    "write",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Remove elements from a list",
    acl="@write @list @slow",
    complexity="O(N+M) where N is the length of the list and M is the number of elements removed.",
    syntax="key count element",
)
def lrem(c: Client, argv: list[bytes]) -> object:
    count = parse_int(argv[2])
    key = argv[1]
    items = c.db.lookup_typed(key, ListValue, write=True)
    if items is None:
        return 0
    removed = remove(items, argv[3], count)
    if removed:
        c.db.modified(key)
        notify(c, LIST, b"lrem", key, c.db.id)
        if not items:
            notify(c, GENERIC, b"del", key, c.db.id)
    return removed


@command(
    "ltrim",
    4,
    "write",
    keys=(1, 1, 1),
    group="list",
    since="1.0.0",
    summary="Trim a list to the specified range",
    acl="@write @list @slow",
    complexity="O(N) where N is the number of elements to be removed by the operation.",
    syntax="key start stop",
)
def ltrim(c: Client, argv: list[bytes]) -> object:
    start, stop = parse_int(argv[2]), parse_int(argv[3])
    key = argv[1]
    items = c.db.lookup_typed(key, ListValue, write=True)
    if items is None:
        return OK
    length = len(items)
    span = clamp_range(start, stop, length)
    if span is None:
        items.clear()
    else:
        for _ in range(span[0]):
            items.popleft()
        for _ in range(length - 1 - span[1]):
            items.pop()
    c.db.modified(key)
    notify(c, LIST, b"ltrim", key, c.db.id)
    if not items:
        notify(c, GENERIC, b"del", key, c.db.id)
    return OK


# ---- moves -------------------------------------------------------------------------------------
def _lmove(c: Client, source: bytes, destination: bytes, head: bool, to_head: bool) -> object:
    items = c.db.lookup_typed(source, ListValue, write=True)
    if items is None:
        return None
    if _wrong_destination(c.db, destination):
        raise CommandError(errors.WRONGTYPE)
    return _move(c.db, source, items, destination, head, to_head)


@command(
    "lmove",
    5,
    "write denyoom",
    keys=(1, 2, 1),
    group="list",
    since="6.2.0",
    summary="Pop an element from a list, push it to another list and return it",
    acl="@write @list @slow",
    complexity="O(1)",
    syntax="source destination LEFT|RIGHT LEFT|RIGHT",
)
def lmove(c: Client, argv: list[bytes]) -> object:
    head, to_head = parse_end(argv[3]), parse_end(argv[4])
    return _lmove(c, argv[1], argv[2], head, to_head)


@command(
    "rpoplpush",
    3,
    "write denyoom",
    keys=(1, 2, 1),
    group="list",
    since="1.2.0",
    summary="Remove the last element in a list, prepend it to another list and return it",
    acl="@write @list @slow",
    complexity="O(1)",
    syntax="source destination",
)
def rpoplpush(c: Client, argv: list[bytes]) -> object:
    return _lmove(c, argv[1], argv[2], RIGHT, LEFT)


# ---- blocking ----------------------------------------------------------------------------------
def _blocking_pop(c: Client, argv: list[bytes], head: bool) -> object:
    timeout = parse_timeout(argv[-1], c.keyspace.now_ms)
    keys = argv[1:-1]
    ready = _first_ready(c, keys)
    if ready is not None:
        key, items = ready
        return [key, _pop_key(c.db, key, items, head, 1)[0]]
    if c.no_block:
        return NULL_ARRAY
    return _block(c, _Waiter(head), keys, timeout)


@command(
    "blpop",
    -3,
    "write noscript blocking",
    keys=(1, -2, 1),
    group="list",
    since="2.0.0",
    summary="Remove and get the first element in a list, or block until one is available",
    acl="@write @list @slow @blocking",
    complexity="O(N) where N is the number of provided keys.",
    syntax="key [key ...] timeout",
)
def blpop(c: Client, argv: list[bytes]) -> object:
    return _blocking_pop(c, argv, LEFT)


@command(
    "brpop",
    -3,
    "write noscript blocking",
    keys=(1, -2, 1),
    group="list",
    since="2.0.0",
    summary="Remove and get the last element in a list, or block until one is available",
    acl="@write @list @slow @blocking",
    complexity="O(N) where N is the number of provided keys.",
    syntax="key [key ...] timeout",
)
def brpop(c: Client, argv: list[bytes]) -> object:
    return _blocking_pop(c, argv, RIGHT)


@command(
    "blmpop",
    -5,
    "write blocking",
    group="list",
    since="7.0.0",
    summary="Pop elements from a list, or block until one is available",
    acl="@write @list @slow @blocking",
    getkeys=_mpop_keys(2),
    complexity="O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    syntax="timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]",
)
def blmpop(c: Client, argv: list[bytes]) -> object:
    keys, head, count = _mpop_args(argv, 2)
    timeout = parse_timeout(argv[1], c.keyspace.now_ms)  # after the other arguments, as Redis
    reply = _mpop_now(c, keys, head, count)
    if reply is not None:
        return reply
    if c.no_block:
        return NULL_ARRAY
    return _block(c, _Waiter(head, count), keys, timeout)


def _blmove(c: Client, argv: list[bytes], head: bool, to_head: bool, timeout_raw: bytes) -> object:
    timeout = parse_timeout(timeout_raw, c.keyspace.now_ms)
    source, destination = argv[1], argv[2]
    if c.db.lookup_typed(source, ListValue, write=True) is not None:
        return _lmove(c, source, destination, head, to_head)
    if c.no_block:
        return None  # unlike a real timeout (a null array), Redis answers a null bulk here
    return _block(c, _Waiter(head, destination=destination, to_head=to_head), [source], timeout)


@command(
    "blmove",
    6,
    "write denyoom noscript blocking",
    keys=(1, 2, 1),
    group="list",
    since="6.2.0",
    summary="Pop an element from a list, push it to another list and return it; or block until one is available",
    acl="@write @list @slow @blocking",
    complexity="O(1)",
    syntax="source destination LEFT|RIGHT LEFT|RIGHT timeout",
)
def blmove(c: Client, argv: list[bytes]) -> object:
    head, to_head = parse_end(argv[3]), parse_end(argv[4])
    return _blmove(c, argv, head, to_head, argv[5])


@command(
    "brpoplpush",
    4,
    "write denyoom noscript blocking",
    keys=(1, 2, 1),
    group="list",
    since="2.2.0",
    summary="Pop an element from a list, push it to another list and return it; or block until one is available",
    acl="@write @list @slow @blocking",
    complexity="O(1)",
    syntax="source destination timeout",
)
def brpoplpush(c: Client, argv: list[bytes]) -> object:
    return _blmove(c, argv, RIGHT, LEFT, argv[3])
