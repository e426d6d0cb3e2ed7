"""BITFIELD and BITFIELD_RO: integers of 1 to 64 bits at arbitrary bit offsets of a string.

As Redis does, the whole argument list is parsed before anything runs (an error anywhere means
no change at all); then the operations run in order on one buffer, so a GET sees an earlier
SET of the same command. Overflow handling (WRAP, SAT, FAIL) follows Redis's C code including
its int64 arithmetic, which wraps where Python's integers would not (see `_signed_overflow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from miniredis_node import errors
from miniredis_node.args import option_name, parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.notify import STRING, notify
from miniredis_node.table import command

WRAP: Final = 0
SAT: Final = 1
FAIL: Final = 2
_OVERFLOW: Final = {b"WRAP": WRAP, b"SAT": SAT, b"FAIL": FAIL}
_U64: Final = (1 << 64) - 1
INT64_MAX: Final = (1 << 63) - 1


def _i64(value: int) -> int:
    """`value` as C's int64_t after wrapping."""
    value &= _U64
    return value - (1 << 64) if value >> 63 else value


@dataclass(slots=True)
class Op:
    kind: bytes  # b"GET", b"SET", b"INCRBY"
    signed: bool
    bits: int
    offset: int
    value: int
    overflow: int


def parse_type(raw: bytes) -> tuple[bool, int]:
    """`i<bits>` (1..64) or `u<bits>` (1..63): (signed, bits)."""
    text = raw.split(b"\0", 1)[0]
    if not text or text[0] not in b"iu":
        raise CommandError(errors.BITFIELD_TYPE)
    signed = text[0] == ord("i")
    bits = to_int(text[1:])
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise CommandError(errors.BITFIELD_TYPE)
    return signed, bits


def parse_offset(c: Client, raw: bytes, bits: int) -> int:
    """A bit offset, or `#n` meaning n * bits; within proto-max-bulk-len bytes."""
    hashed = raw[:1] == b"#"
    offset = to_int(raw[1:] if hashed else raw)
    if offset is None:
        raise CommandError(errors.BIT_OFFSET)
    if hashed:
        offset = _i64(offset * bits)  # Redis multiplies in a long long
    if offset < 0 or (offset >> 3) >= c.server.config["proto-max-bulk-len"]:
        raise CommandError(errors.BIT_OFFSET)
    return offset


def parse_ops(c: Client, argv: list[bytes]) -> list[Op]:
    ops: list[Op] = []
    overflow = WRAP
    j = 2
    argc = len(argv)
    while j < argc:
        remaining = argc - j - 1
        name = option_name(argv[j])
        if name == b"OVERFLOW" and remaining >= 1:
            kind = _OVERFLOW.get(option_name(argv[j + 1]))
            if kind is None:
                raise CommandError(errors.BITFIELD_OVERFLOW_TYPE)
            overflow = kind
            j += 2
            continue
        if not ((name == b"GET" and remaining >= 2) or (name in (b"SET", b"INCRBY") and remaining >= 3)):
            raise CommandError(errors.SYNTAX)
        signed, bits = parse_type(argv[j + 1])
        offset = parse_offset(c, argv[j + 2], bits)
        value = 0
        if name != b"GET":
            value = parse_int(argv[j + 3])
        ops.append(Op(name, signed, bits, offset, value, overflow))
        j += 3 if name == b"GET" else 4
    return ops


def get_bits(buf: bytes | bytearray, offset: int, bits: int) -> int:
    """The unsigned integer in bits offset..offset+bits-1 (most significant first); zeros past
    the end of the string."""
    first, last = offset >> 3, (offset + bits - 1) >> 3
    chunk = bytes(buf[first : last + 1])
    chunk += bytes(last + 1 - first - len(chunk))
    width = (last - first + 1) * 8
    return (int.from_bytes(chunk, "big") >> (width - (offset & 7) - bits)) & ((1 << bits) - 1)


def set_bits(buf: bytearray, offset: int, bits: int, value: int) -> None:
    first, last = offset >> 3, (offset + bits - 1) >> 3
    width = (last - first + 1) * 8
    shift = width - (offset & 7) - bits
    mask = ((1 << bits) - 1) << shift
    chunk = int.from_bytes(buf[first : last + 1], "big")
    chunk = (chunk & ~mask) | ((value << shift) & mask)
    buf[first : last + 1] = chunk.to_bytes(last - first + 1, "big")


def to_signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) else value


def _signed_overflow(value: int, incr: int, bits: int, overflow: int) -> tuple[int, int | None]:
    """Redis's checkSignedBitfieldOverflow: (direction 1/-1/0, the value to store if any)."""
    high = INT64_MAX if bits == 64 else (1 << (bits - 1)) - 1
    low = -high - 1
    max_incr = _i64(high - value)
    min_incr = _i64(low - value)
    direction = 0
    if value > high or (bits != 64 and incr > max_incr) or (value >= 0 and incr > 0 and incr > max_incr):
        direction = 1
    elif value < low or (bits != 64 and incr < min_incr) or (value < 0 and incr < 0 and incr < min_incr):
        direction = -1
    if not direction:
        return 0, None
    if overflow == WRAP:
        wrapped = (value + incr) & ((1 << bits) - 1)
        return direction, to_signed(wrapped, bits)
    if overflow == SAT:
        return direction, high if direction > 0 else low
    return direction, None


def _unsigned_overflow(value: int, incr: int, bits: int, overflow: int) -> tuple[int, int | None]:
    """Redis's checkUnsignedBitfieldOverflow; `value` is a uint64."""
    high = (1 << bits) - 1
    max_incr = _i64(high - value)
    min_incr = _i64(-value)
    direction = 0
    if value > high or (incr > 0 and incr > max_incr):
        direction = 1
    elif incr < 0 and incr < min_incr:
        direction = -1
    if not direction:
        return 0, None
    if overflow == WRAP:
        return direction, (value + incr) & high
    if overflow == SAT:
        return direction, high if direction > 0 else 0
    return direction, None


def run(ops: list[Op], buf: bytearray) -> list[int | None]:
    """Execute parsed operations on `buf` (already grown to hold every write)."""
    replies: list[int | None] = []
    for op in ops:
        old = get_bits(buf, op.offset, op.bits)
        if op.kind == b"GET":
            replies.append(to_signed(old, op.bits) if op.signed else old)
            continue
        if op.signed:
            old = to_signed(old, op.bits)
            if op.kind == b"INCRBY":
                direction, limit = _signed_overflow(old, op.value, op.bits, op.overflow)
                new = limit if direction else old + op.value
                reply = new
            else:
                direction, limit = _signed_overflow(op.value, 0, op.bits, op.overflow)
                new = limit if direction else op.value
                reply = old
        else:
            if op.kind == b"INCRBY":
                direction, limit = _unsigned_overflow(old, op.value, op.bits, op.overflow)
                new = limit if direction else old + op.value
                reply = new
            else:
                value = op.value & _U64  # a negative SET value is a huge uint64 in Redis
                direction, limit = _unsigned_overflow(value, 0, op.bits, op.overflow)
                new = limit if direction else value
                reply = old
        if direction and op.overflow == FAIL:
            replies.append(None)
            continue
        assert new is not None
        replies.append(reply)
        set_bits(buf, op.offset, op.bits, new & _U64)
    return replies


def _bitfield(c: Client, argv: list[bytes], *, readonly: bool) -> object:
    ops = parse_ops(c, argv)
    key = argv[1]
    db = c.db
    writes = [op for op in ops if op.kind != b"GET"]
    if not writes:
        value = db.lookup_typed(key, bytes)
        return run(ops, bytearray(value or b""))
    if readonly:
        raise CommandError(errors.BITFIELD_RO_WRITE)
    value = db.lookup_typed(key, bytes, write=True)
    needed = (max(op.offset + op.bits - 1 for op in writes) >> 3) + 1
    buf = bytearray(value or b"")
    if len(buf) < needed:
        buf += bytes(needed - len(buf))
    replies = run(ops, buf)
    # Every SET/INCRBY counts as a change in Redis, even one that FAIL refused.
    db.set(key, bytes(buf), keep_ttl=True)
    notify(c, STRING, b"setbit", key, db.id)
    return replies


@command(
    "bitfield",
    -2,
    "write denyoom",
    keys=(1, 1, 1),
    group="bitmap",
    since="3.2.0",
    acl="@write @bitmap @slow",
    summary="Perform arbitrary bitfield integer operations on strings",
    complexity="O(1) for each subcommand specified",
    syntax="key [GET encoding offset | [OVERFLOW WRAP|SAT|FAIL] SET encoding offset value | "
    "[OVERFLOW WRAP|SAT|FAIL] INCRBY encoding offset increment [GET encoding offset | "
    "[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value | [OVERFLOW WRAP|SAT|FAIL] INCRBY encoding "
    "offset increment ...]]",
)
def bitfield(c: Client, argv: list[bytes]) -> object:
    return _bitfield(c, argv, readonly=False)


@command(
    "bitfield_ro",
    -2,
    "readonly fast",
    keys=(1, 1, 1),
    group="bitmap",
    since="6.0.0",
    acl="@read @bitmap @fast",
    summary="Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    complexity="O(1) for each subcommand specified",
    syntax="key [GET encoding offset [GET encoding offset ...]]",
)
def bitfield_ro(c: Client, argv: list[bytes]) -> object:
    return _bitfield(c, argv, readonly=True)
