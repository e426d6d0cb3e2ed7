"""SORT and SORT_RO (Redis's sort.c): sort a list, set or sorted set, by its elements or by
other keys (`BY weight_*`, `BY h_*->field`), then return or STORE them or other keys' values.

Numeric sorting reads every weight as C's `strtod` does (leading blanks, hex, `inf`; `nan`,
trailing garbage and out-of-range values are errors); equal weights are ordered by comparing
the elements as binary strings, so the result is deterministic as in Redis. `BY` without a `*`
means "don't sort": lists and sorted sets keep their order (reversed by DESC), which Redis
turns into an ALPHA sort for sets when STORE is given.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Final

from miniredis_node import errors
from miniredis_node.args import option_name, parse_int
from miniredis_node.client import Client
from miniredis_node.datatypes import HashValue, ListValue, SetValue, ZSetValue
from miniredis_node.errors import CommandError
from miniredis_node.keyspace import Database
from miniredis_node.notify import GENERIC, LIST, notify
from miniredis_node.table import command

# The longest prefix strtod accepts; what follows must be the end (or a NUL, where C stops).
_STRTOD: Final = re.compile(
    rb"[ \t\n\v\f\r]*([+-]?)(?:"
    rb"(0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?)"
    rb"|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)"
    rb"|(inf(?:inity)?)"
    rb"|(nan(?:\([0-9a-z_]*\))?))",
    re.IGNORECASE,
)
_SMALLEST_NORMAL: Final = 2.2250738585072014e-308


def strtod(raw: bytes) -> float | None:
    """A weight as Redis reads it (`strtod` plus its checks), or None when it is refused."""
    match = _STRTOD.match(raw)
    if match is None:
        return 0.0 if raw[:1] in (b"", b"\0") else None  # nothing parsed: 0 if nothing follows
    rest = raw[match.end() :]
    if rest and rest[0] != 0:
        return None
    sign, hexa, decimal, infinity, _nan = match.groups()
    negative = sign == b"-"
    if infinity:
        return -math.inf if negative else math.inf
    if hexa:
        try:
            value = float.fromhex(hexa.decode())
        except OverflowError:
            return None
        digits = hexa[2:].split(b"p")[0].split(b"P")[0]
    elif decimal:
        value = float(decimal)
        digits = re.split(rb"[eE]", decimal)[0]
    else:
        return None  # NaN
    if math.isinf(value):
        return None  # ERANGE: overflow
    if (value == 0 and digits.strip(b"0.")) or 0 < value < _SMALLEST_NORMAL:
        return None  # ERANGE: underflow
    return -value if negative else value


def _by_pattern(db: Database, pattern: bytes, element: bytes) -> bytes | None:
    """Redis's lookupKeyByPattern: the value the pattern names for this element, if any.

    `#` is the element itself; the first `*` is replaced by the element; `key->field` after
    the `*` reads a hash field. Like C, the pattern's own text ends at a NUL byte when searched.
    """
    text = pattern.split(b"\0", 1)[0]
    if text == b"#":
        return element
    star = text.find(b"*")
    if star < 0:
        return None
    arrow = text.find(b"->", star + 1)
    field = None
    key_end = len(pattern)
    if arrow >= 0 and arrow + 2 < len(text):
        field = pattern[arrow + 2 :]
        key_end = arrow
    key = pattern[:star] + element + pattern[star + 1 : key_end]
    value = db.lookup(key)
    if value is None:
        return None
    if field is not None:
        if type(value) is not HashValue:
            return None
        found: bytes | None = value.get(field)
        return found
    return value if type(value) is bytes else None


def _sort_keys(argv: list[bytes]) -> list[int]:
    """SORT's keys: the sorted key and the last STORE destination (sortGetKeys)."""
    positions = [1]
    store = None
    skips = {b"LIMIT": 2, b"GET": 1, b"BY": 1}
    i = 2
    while i < len(argv):
        name = option_name(argv[i])
        if name in skips:
            i += skips[name]
        elif name == b"STORE" and i + 1 < len(argv):
            store = i + 1
        i += 1
    if store is not None:
        positions.append(store)
    return positions


def _cmp_bytes(a: bytes, b: bytes) -> int:
    return (a > b) - (a < b)


def _collate(a: bytes, b: bytes) -> int:
    """strcoll in the C locale: byte order, up to the first NUL."""
    return _cmp_bytes(a.split(b"\0", 1)[0], b.split(b"\0", 1)[0])


def _sort(c: Client, argv: list[bytes], *, readonly: bool) -> object:
    desc = alpha = dontsort = False
    start, count = 0, -1
    sortby: bytes | None = None
    store: bytes | None = None
    gets: list[bytes] = []
    j = 2
    argc = len(argv)
    while j < argc:
        left = argc - j - 1
        name = option_name(argv[j])
        if name == b"ASC":
            desc = False
        elif name == b"DESC":
            desc = True
        elif name == b"ALPHA":
            alpha = True
        elif name == b"LIMIT" and left >= 2:
            start = parse_int(argv[j + 1])
            count = parse_int(argv[j + 2])
            j += 2
        elif not readonly and name == b"STORE" and left >= 1:
            store = argv[j + 1]
            j += 1
        elif name == b"BY" and left >= 1:
            sortby = argv[j + 1]
            dontsort = b"*" not in sortby.split(b"\0", 1)[0]
            j += 1
        elif name == b"GET" and left >= 1:
            gets.append(argv[j + 1])
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1

    db = c.db
    value = db.lookup(argv[1])
    if value is not None and type(value) not in (ListValue, SetValue, ZSetValue):
        raise CommandError(errors.WRONGTYPE)
    if dontsort and type(value) is SetValue and store is not None:
        dontsort, alpha, sortby = False, True, None  # a stored result must be deterministic

    if type(value) is ZSetValue:
        value.skiplist = True  # Redis converts the sorted set to a skiplist to sort it
    length = len(value) if value is not None else 0
    start = min(max(start, 0), length)
    count = min(max(count, -1), length)
    end = length if count < 0 else min(start + count, length)

    elements: list[bytes]
    if value is None:
        elements = []
    elif type(value) is ZSetValue:
        elements = [member for _, member in value.ordered]
    else:
        elements = list(value)
    if dontsort:
        if type(value) in (ListValue, ZSetValue) and desc:
            elements.reverse()
    else:
        elements = _sorted(db, elements, sortby, alpha=alpha, desc=desc, store=store is not None)
    selected = elements[start:end]

    if store is None:
        if not gets:
            return selected
        reply: list[bytes | None] = []
        for element in selected:
            reply.extend(_by_pattern(db, pattern, element) for pattern in gets)
        return reply
    stored = ListValue()
    for element in selected:
        if not gets:
            stored.append(element)
        else:
            stored.extend(_by_pattern(db, pattern, element) or b"" for pattern in gets)
    if stored:
        db.set(store, stored)
        notify(c, LIST, b"sortstore", store, db.id)
    elif db.delete(store):
        notify(c, GENERIC, b"del", store, db.id)
    return len(stored)


def _sorted(
    db: Database, elements: list[bytes], sortby: bytes | None, *, alpha: bool, desc: bool, store: bool
) -> list[bytes]:
    """The elements in Redis's sortCompare order (raises the score conversion error)."""
    keys: list[Any] = []
    failed = False
    for element in elements:
        weight = _by_pattern(db, sortby, element) if sortby is not None else element
        if alpha:
            keys.append(weight if sortby is not None else element)
        elif weight is None:
            keys.append(0.0)
        else:
            score = strtod(weight)
            if score is None:
                failed = True
                score = 0.0
            keys.append(score)
    if failed:
        raise CommandError(errors.SORT_SCORE_NOT_DOUBLE)
    sign = -1 if desc else 1
    pairs = list(zip(keys, elements, strict=True))
    if not alpha:

        def compare(a: tuple[Any, bytes], b: tuple[Any, bytes]) -> int:
            if a[0] != b[0]:
                return sign if a[0] > b[0] else -sign
            return sign * _cmp_bytes(a[1], b[1])

    elif sortby is not None:
        by_text = _cmp_bytes if store else _collate

        def compare(a: tuple[Any, bytes], b: tuple[Any, bytes]) -> int:
            if a[0] is None or b[0] is None:
                return 0 if a[0] is b[0] else (-sign if a[0] is None else sign)
            return sign * by_text(a[0], b[0])

    else:
        by_element = _cmp_bytes if store else _collate

        def compare(a: tuple[Any, bytes], b: tuple[Any, bytes]) -> int:
            return sign * by_element(a[1], b[1])

    pairs.sort(key=functools.cmp_to_key(compare))
    return [element for _, element in pairs]


@command(
    "sort",
    -2,
    "write denyoom movablekeys",
    keys=(1, 1, 1),
    getkeys=_sort_keys,
    group="generic",
    since="1.0.0",
    acl="@write @set @sortedset @list @slow @dangerous",
    summary="Sort the elements in a list, set or sorted set",
    complexity="O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
    "number of returned elements. When the elements are not sorted, complexity is O(N).",
    syntax="key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] "
    "[STORE destination]",
)
def sort(c: Client, argv: list[bytes]) -> object:
    return _sort(c, argv, readonly=False)


@command(
    "sort_ro",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="generic",
    since="7.0.0",
    acl="@read @set @sortedset @list @slow @dangerous",
    summary="Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    complexity="O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
    "number of returned elements. When the elements are not sorted, complexity is O(N).",
    syntax="key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]",
)
def sort_ro(c: Client, argv: list[bytes]) -> object:
    return _sort(c, argv, readonly=True)
