"""Bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP (Redis's bitops.c).

Bit 0 is the most significant bit of the first byte, as in Redis. Ranges are converted once into
an inclusive range of bit positions; the counting and searching then happen on Python integers
built from the bytes in range, which run at C speed (`int.bit_count`, `bit_length`).
"""

from __future__ import annotations

from typing import Final

from miniredis_node import errors
from miniredis_node.args import option_name, parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.notify import GENERIC, STRING, notify
from miniredis_node.table import command

_INVERT: Final = bytes(255 - x for x in range(256))


def bit_offset(c: Client, raw: bytes) -> int:
    """A bit offset for SETBIT/GETBIT: non-negative, within a string of proto-max-bulk-len bytes."""
    offset = to_int(raw)
    if offset is None or offset < 0 or (offset >> 3) >= c.server.config["proto-max-bulk-len"]:
        raise CommandError(errors.BIT_OFFSET)
    return offset


def bit_range(length: int, start: int, end: int, *, in_bits: bool) -> tuple[int, int] | None:
    """Start/end indexes (bytes, or bits when `in_bits`) as an inclusive range of bit positions
    in a string of `length` bytes, negative indexes counting from the end; None when empty."""
    total = length * 8 if in_bits else length
    if start < 0:
        start = max(total + start, 0)
    if end < 0:
        end = max(total + end, 0)
    end = min(end, total - 1)
    if start > end:
        return None
    if in_bits:
        return start, end
    return start * 8, end * 8 + 7


def bits_in_range(value: bytes, first: int, last: int) -> tuple[int, int]:
    """The bits first..last of `value` as an integer (bit `first` most significant), and their count."""
    chunk = int.from_bytes(value[first >> 3 : (last >> 3) + 1], "big")
    width = last - first + 1
    return (chunk >> (7 - (last & 7))) & ((1 << width) - 1), width


@command(
    "setbit",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.2.0",
    acl="@write @bitmap @slow",
    summary="Sets or clears the bit at offset in the string value stored at key",
    complexity="O(1)",
    syntax="key offset value",
)
def setbit(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    offset = bit_offset(c, argv[2])
    on = to_int(argv[3])
    if on is None or on & ~1:
        raise CommandError(errors.BIT_VALUE)
    old = c.db.lookup_typed(key, bytes, write=True)
    if old is None:
        old = b""
    index = offset >> 3
    grown = len(old) <= index
    if grown:  # the string grows (zero-padded) even when clearing a bit
        old += bytes(index + 1 - len(old))
    byte = old[index]
    mask = 0x80 >> (offset & 7)
    was_set = 1 if byte & mask else 0
    # As in Redis, a bit already at the wanted value is no write at all (a WATCH stays intact).
    if grown or was_set != on:
        new_byte = byte | mask if on else byte & ~mask
        c.db.set(key, old[:index] + bytes((new_byte,)) + old[index + 1 :], keep_ttl=True)
        notify(c, STRING, b"setbit", key, c.db.id)
    return was_set


@command(
    "getbit",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.2.0",
    acl="@read @bitmap @fast",
    summary="Returns the bit value at offset in the string value stored at key",
    complexity="O(1)",
    syntax="key offset",
)
def getbit(c: Client, argv: list[bytes]) -> object:
    offset = bit_offset(c, argv[2])
    value = c.db.lookup_typed(argv[1], bytes)
    if value is None or len(value) <= offset >> 3:
        return 0
    return 1 if value[offset >> 3] & (0x80 >> (offset & 7)) else 0


def _unit(raw: bytes) -> bool:
    """BYTE or BIT (True): the unit of BITCOUNT's and BITPOS's range."""
    unit = option_name(raw)
    if unit == b"BIT":
        return True
    if unit == b"BYTE":
        return False
    raise CommandError(errors.SYNTAX)


@command(
    "bitcount",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.6.0",
    acl="@read @bitmap @slow",
    summary="Count set bits in a string",
    complexity="O(N)",
    syntax="key [start end [BYTE|BIT]]",
)
def bitcount(c: Client, argv: list[bytes]) -> object:
    # Redis looks the key up first: a missing key counts 0 whatever the other arguments.
    value = c.db.lookup_typed(argv[1], bytes)
    if value is None:
        return 0
    argc = len(argv)
    if argc == 2:
        return int.from_bytes(value, "big").bit_count()
    if argc not in (4, 5):
        raise CommandError(errors.SYNTAX)
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    if start < 0 and end < 0 and start > end:
        return 0
    in_bits = _unit(argv[4]) if argc == 5 else False
    bounds = bit_range(len(value), start, end, in_bits=in_bits)
    if bounds is None:
        return 0
    bits, _ = bits_in_range(value, *bounds)
    return bits.bit_count()


@command(
    "bitpos",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.8.7",
    acl="@read @bitmap @slow",
    summary="Find first bit set or clear in a string",
    complexity="O(N)",
    syntax="key bit [start [end [BYTE|BIT]]]",
)
def bitpos(c: Client, argv: list[bytes]) -> object:
    bit = parse_int(argv[2])
    if bit not in (0, 1):
        raise CommandError(errors.BITPOS_BIT)
    value = c.db.lookup_typed(argv[1], bytes)
    if value is None:  # an endless run of clear bits
        return -1 if bit else 0
    argc = len(argv)
    end_given = argc >= 5
    if argc == 3:
        bounds = bit_range(len(value), 0, -1, in_bits=False)
    elif argc <= 6:
        start = parse_int(argv[3])
        in_bits = _unit(argv[5]) if argc == 6 else False
        end = parse_int(argv[4]) if end_given else -1
        bounds = bit_range(len(value), start, end, in_bits=in_bits)
    else:
        raise CommandError(errors.SYNTAX)
    if bounds is None:  # an empty range holds neither a 0 nor a 1
        return -1
    bits, width = bits_in_range(value, *bounds)
    if not bit:
        bits ^= (1 << width) - 1
    if bits:
        return bounds[0] + width - bits.bit_length()
    if bit or end_given:
        return -1
    # Looking for a clear bit with no explicit end: the string is as if padded with zeros.
    return bounds[1] + 1


@command(
    "bitop",
    -4,
    "write denyoom",
    keys=(2, -1, 1),
    group="bitmap",
    since="2.6.0",
    acl="@write @bitmap @slow",
    summary="Perform bitwise operations between strings",
    complexity="O(N)",
    syntax="AND|OR|XOR|NOT destkey key [key ...]",
)
def bitop(c: Client, argv: list[bytes]) -> object:
    op = option_name(argv[1])
    if op not in (b"AND", b"OR", b"XOR", b"NOT"):
        raise CommandError(errors.SYNTAX)
    if op == b"NOT" and len(argv) != 4:
        raise CommandError(errors.BITOP_NOT_ONE_KEY)
    db = c.db
    sources: list[bytes] = []
    for key in argv[3:]:
        value = db.lookup(key)
        if value is None:
            value = b""  # a missing key is an empty string
        elif type(value) is not bytes:
            raise CommandError(errors.WRONGTYPE)
        sources.append(value)
    size = max(len(source) for source in sources)
    dest = argv[2]
    if size == 0:
        if db.delete(dest):
            notify(c, GENERIC, b"del", dest, db.id)
        return 0
    if op == b"NOT":
        result = sources[0].translate(_INVERT)
    else:
        # Shorter strings are zero-padded on the right to the longest one.
        numbers = [int.from_bytes(source.ljust(size, b"\0"), "big") for source in sources]
        acc = numbers[0]
        for number in numbers[1:]:
            if op == b"AND":
                acc &= number
            elif op == b"OR":
                acc |= number
            else:
                acc ^= number
        result = acc.to_bytes(size, "big")
    db.set(dest, result)
    notify(c, STRING, b"set", dest, db.id)
    return size
