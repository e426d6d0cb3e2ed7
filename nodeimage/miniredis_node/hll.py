"""HyperLogLog in Redis's own byte format (pure functions; commands/hyperloglog.py serves them).

An HLL is a string value. Its first 16 bytes are the header: the magic `HYLL`, the encoding
(0 dense, 1 sparse), three unused bytes, and the cached cardinality as a little-endian 64-bit
integer whose most significant bit set means "stale". Then the 16384 six-bit registers:

* dense: 12288 bytes, register i at bit i*6 counting from the least significant bit of byte 0;
* sparse: a run-length code of opcodes: ZERO `00xxxxxx` (1-64 zero registers), XZERO
  `01xxxxxx yyyyyyyy` (1-16384 zero registers), VAL `1vvvvvxx` (1-4 registers of value 1-32).

Every value must be byte-identical to what Redis stores for the same PFADDs (DUMP/RESTORE and
RDB files move HLLs between us and Redis), so the sparse updates below follow Redis's
algorithm step by step, including where it splits and merges opcodes and when it promotes a
sparse HLL to dense. Elements are hashed with MurmurHash64A, seed 0xadc83b19, as Redis does.

Bulk register work (decoding a dense HLL, histograms) is done with `bytes.translate` and slice
assignment, which run in C, never a Python loop over 16384 registers.
"""

from __future__ import annotations

import math
from typing import Final

P: Final = 14
REGISTERS: Final = 1 << P  # 16384
P_MASK: Final = REGISTERS - 1
Q: Final = 64 - P  # bits of the hash left for the run of zeros
HEADER_SIZE: Final = 16
DENSE_SIZE: Final = HEADER_SIZE + (REGISTERS * 6 + 7) // 8  # 12304
DENSE: Final = 0
SPARSE: Final = 1
MAGIC: Final = b"HYLL"
SPARSE_VAL_MAX_VALUE: Final = 32
SPARSE_VAL_MAX_LEN: Final = 4
SPARSE_ZERO_MAX_LEN: Final = 64
SPARSE_XZERO_MAX_LEN: Final = 16384
DEFAULT_SPARSE_MAX_BYTES: Final = 3000
ALPHA_INF: Final = 0.721347520444481703680  # 1 / (2 ln 2)
SEED: Final = 0xADC83B19
_M: Final = 0xC6A4A7935BD1E995
_MASK64: Final = 0xFFFFFFFFFFFFFFFF


class InvalidHLL(Exception):
    """The value is not an HLL (WRONGTYPE ... not a valid HyperLogLog string value)."""


class CorruptHLL(Exception):
    """The sparse code does not describe exactly 16384 registers (INVALIDOBJ)."""


# ---- hashing ------------------------------------------------------------------------------------


def murmurhash64a(data: bytes, seed: int = SEED) -> int:
    """Austin Appleby's MurmurHash64A over little-endian 64-bit blocks, as Redis computes it."""
    length = len(data)
    h = (seed ^ (length * _M)) & _MASK64
    blocks = length // 8
    for i in range(0, blocks * 8, 8):
        k = (int.from_bytes(data[i : i + 8], "little") * _M) & _MASK64
        k ^= k >> 47
        k = (k * _M) & _MASK64
        h ^= k
        h = (h * _M) & _MASK64
    tail = length & 7
    if tail:
        h ^= int.from_bytes(data[blocks * 8 :], "little")
        h = (h * _M) & _MASK64
    h ^= h >> 47
    h = (h * _M) & _MASK64
    h ^= h >> 47
    return h


def pattern(element: bytes) -> tuple[int, int]:
    """(register index, run length of zeros + 1) for an element: Redis's hllPatLen."""
    h = murmurhash64a(element)
    index = h & P_MASK
    h = (h >> P) | (1 << Q)  # the sentinel bit bounds the count at Q + 1
    count = ((h & -h).bit_length() - 1) + 1
    return index, count


# ---- header -------------------------------------------------------------------------------------


def empty_sparse() -> bytes:
    """A new HLL as PFADD creates it: sparse, one XZERO covering every register, cache valid (0)."""
    xzero = REGISTERS - 1
    return MAGIC + bytes((SPARSE,)) + bytes(11) + bytes((0x40 | (xzero >> 8), xzero & 0xFF))


def validate(value: bytes) -> None:
    """Redis's isHLLObjectOrReply: raise InvalidHLL unless `value` has an HLL header."""
    if len(value) < HEADER_SIZE or value[:4] != MAGIC or value[4] > SPARSE:
        raise InvalidHLL
    if value[4] == DENSE and len(value) != DENSE_SIZE:
        raise InvalidHLL


def cached_cardinality(value: bytes) -> int | None:
    """The cached cardinality, or None when the cache is stale."""
    if value[15] & 0x80:
        return None
    return int.from_bytes(value[8:16], "little")


def with_cardinality(value: bytes, card: int) -> bytes:
    return value[:8] + card.to_bytes(8, "little") + value[16:]


def invalidate(buf: bytearray) -> None:
    buf[15] |= 0x80


# ---- dense registers -----------------------------------------------------------------------------

_LOW6: Final = bytes(b & 63 for b in range(256))
_SHR6: Final = bytes(b >> 6 for b in range(256))
_LOW4_SHL2: Final = bytes((b & 15) << 2 for b in range(256))
_SHR4: Final = bytes(b >> 4 for b in range(256))
_LOW2_SHL4: Final = bytes((b & 3) << 4 for b in range(256))
_SHR2: Final = bytes(b >> 2 for b in range(256))
_LOW2_SHL6: Final = bytes(((b & 3) << 6) & 0xFF for b in range(256))
_SHR2_LOW4: Final = bytes((b >> 2) & 15 for b in range(256))
_LOW4_SHL4: Final = bytes(((b & 15) << 4) & 0xFF for b in range(256))
_SHR4_LOW2: Final = bytes((b >> 4) & 3 for b in range(256))
_SHL2: Final = bytes((b << 2) & 0xFF for b in range(256))


def _or(a: bytes, b: bytes) -> bytes:
    """Byte-wise OR of two equal-length strings (big integers have no carries for OR)."""
    return (int.from_bytes(a, "big") | int.from_bytes(b, "big")).to_bytes(len(a), "big")


def dense_registers(payload: bytes) -> bytearray:
    """The 16384 register values (one per byte) of a dense payload (12288 bytes)."""
    b0, b1, b2 = payload[0::3], payload[1::3], payload[2::3]
    out = bytearray(REGISTERS)
    out[0::4] = b0.translate(_LOW6)
    out[1::4] = _or(b0.translate(_SHR6), b1.translate(_LOW4_SHL2))
    out[2::4] = _or(b1.translate(_SHR4), b2.translate(_LOW2_SHL4))
    out[3::4] = b2.translate(_SHR2)
    return out


def dense_payload(registers: bytes | bytearray) -> bytes:
    """The inverse of `dense_registers` (values must be < 64)."""
    regs = bytes(registers)
    r0, r1, r2, r3 = regs[0::4], regs[1::4], regs[2::4], regs[3::4]
    out = bytearray(REGISTERS * 6 // 8)
    out[0::3] = _or(r0, r1.translate(_LOW2_SHL6))
    out[1::3] = _or(r1.translate(_SHR2_LOW4), r2.translate(_LOW4_SHL4))
    out[2::3] = _or(r2.translate(_SHR4_LOW2), r3.translate(_SHL2))
    return bytes(out)


def dense_get(buf: bytearray | bytes, index: int) -> int:
    pos = index * 6
    byte, shift = HEADER_SIZE + (pos >> 3), pos & 7
    low = buf[byte] >> shift
    high = buf[byte + 1] << (8 - shift) if byte + 1 < len(buf) else 0
    return (low | high) & 63


def dense_set(buf: bytearray, index: int, value: int) -> None:
    pos = index * 6
    byte, shift = HEADER_SIZE + (pos >> 3), pos & 7
    buf[byte] = (buf[byte] & ~(63 << shift) & 0xFF) | ((value << shift) & 0xFF)
    if byte + 1 < len(buf):
        buf[byte + 1] = (buf[byte + 1] & ~(63 >> (8 - shift)) & 0xFF) | (value >> (8 - shift))


def dense_add(buf: bytearray, index: int, count: int) -> bool:
    if dense_get(buf, index) < count:
        dense_set(buf, index, count)
        return True
    return False


# ---- sparse code ---------------------------------------------------------------------------------


def sparse_ops(buf: bytes | bytearray, start: int = HEADER_SIZE) -> list[tuple[int, int, int, int]]:
    """Opcodes as (position, size in bytes, run length, value; 0 for ZERO/XZERO)."""
    ops = []
    p, end = start, len(buf)
    while p < end:
        op = buf[p]
        if op & 0x80:
            ops.append((p, 1, (op & 3) + 1, ((op >> 2) & 31) + 1))
            p += 1
        elif op & 0x40:
            if p + 1 >= end:
                raise CorruptHLL
            ops.append((p, 2, (((op & 63) << 8) | buf[p + 1]) + 1, 0))
            p += 2
        else:
            ops.append((p, 1, (op & 63) + 1, 0))
            p += 1
    return ops


def _val(value: int, length: int) -> int:
    return 0x80 | ((value - 1) << 2) | (length - 1)


def _zeros(length: int) -> bytes:
    if length > SPARSE_ZERO_MAX_LEN:
        return bytes((0x40 | ((length - 1) >> 8), (length - 1) & 0xFF))
    return bytes((length - 1,))


def sparse_registers(buf: bytes | bytearray) -> bytearray:
    """Every register of a sparse HLL; CorruptHLL unless the code covers exactly 16384."""
    out = bytearray(REGISTERS)
    index = 0
    for _, _, length, value in sparse_ops(buf):
        if index + length > REGISTERS:
            raise CorruptHLL
        if value:
            out[index : index + length] = bytes((value,)) * length
        index += length
    if index != REGISTERS:
        raise CorruptHLL
    return out


def to_dense(buf: bytes | bytearray) -> bytearray:
    """hllSparseToDense: same header (cache included), encoding dense, registers expanded."""
    registers = sparse_registers(buf)
    out = bytearray(buf[:HEADER_SIZE])
    out[4] = DENSE
    out += dense_payload(registers)
    return out


def sparse_set(buf: bytearray, index: int, count: int, max_bytes: int) -> tuple[bytearray, bool]:
    """Redis's hllSparseSet: raise register `index` to `count`; (new buffer, changed).

    The buffer returned may be a new, dense one (promotion when a value exceeds what VAL can
    hold, or when the sparse code would outgrow `max_bytes`).
    """
    if count > SPARSE_VAL_MAX_VALUE:
        return _promote(buf, index, count)
    end = len(buf)
    p = HEADER_SIZE
    first = 0
    prev = -1
    span = 0
    oplen = 1
    while p < end:
        op = buf[p]
        oplen = 1
        if op & 0xC0 == 0:
            span = (op & 63) + 1
        elif op & 0x80:
            span = (op & 3) + 1
        else:
            if p + 1 >= end:
                raise CorruptHLL
            span = (((op & 63) << 8) | buf[p + 1]) + 1
            oplen = 2
        if index <= first + span - 1:
            break
        prev = p
        p += oplen
        first += span
    if span == 0 or p >= end:
        raise CorruptHLL
    op = buf[p]
    is_zero = op & 0xC0 == 0
    is_xzero = op & 0xC0 == 0x40
    is_val = bool(op & 0x80)
    if is_val:
        if ((op >> 2) & 31) + 1 >= count:
            return buf, False
        if span == 1:
            buf[p] = _val(count, 1)
            _merge(buf, prev)
            return buf, True
    if is_zero and span == 1:
        buf[p] = _val(count, 1)
        _merge(buf, prev)
        return buf, True
    # The general case: the opcode becomes up to three (run before, the value, run after).
    last = first + span - 1
    seq = bytearray()
    if is_val:
        current = ((op >> 2) & 31) + 1
        if index != first:
            seq.append(_val(current, index - first))
        seq.append(_val(count, 1))
        if index != last:
            seq.append(_val(current, last - index))
    else:
        if index != first:
            seq += _zeros(index - first)
        seq.append(_val(count, 1))
        if index != last:
            seq += _zeros(last - index)
    old_len = 2 if is_xzero else 1
    delta = len(seq) - old_len
    if delta > 0 and len(buf) + delta > max_bytes:
        return _promote(buf, index, count)
    buf[p : p + old_len] = seq
    _merge(buf, prev)
    return buf, True


def _merge(buf: bytearray, prev: int) -> None:
    """Step 4 of hllSparseSet: merge adjacent VALs of equal value, scanning 5 opcodes from `prev`."""
    p = prev if prev >= 0 else HEADER_SIZE
    scan = 5
    while p < len(buf) and scan > 0:
        scan -= 1
        op = buf[p]
        if op & 0xC0 == 0x40:
            p += 2
            continue
        if op & 0xC0 == 0:
            p += 1
            continue
        if p + 1 < len(buf) and buf[p + 1] & 0x80:
            nxt = buf[p + 1]
            value = ((op >> 2) & 31) + 1
            if value == ((nxt >> 2) & 31) + 1:
                length = (op & 3) + 1 + (nxt & 3) + 1
                if length <= SPARSE_VAL_MAX_LEN:
                    buf[p + 1] = _val(value, length)
                    del buf[p]
                    continue
        p += 1


def _promote(buf: bytearray, index: int, count: int) -> tuple[bytearray, bool]:
    dense = to_dense(buf)
    dense_set(dense, index, count)  # promotion always changes the register (Redis asserts it)
    return dense, True


def add(buf: bytearray, element: bytes, max_bytes: int) -> tuple[bytearray, bool]:
    """hllAdd: (buffer, whether a register changed); the buffer may have been promoted."""
    index, count = pattern(element)
    if buf[4] == DENSE:
        return buf, dense_add(buf, index, count)
    return sparse_set(buf, index, count, max_bytes)


# ---- counting and merging ------------------------------------------------------------------------


def registers(value: bytes | bytearray) -> bytearray:
    """The 16384 registers of a valid HLL of either encoding (CorruptHLL for bad sparse code)."""
    if value[4] == DENSE:
        return dense_registers(bytes(value[HEADER_SIZE:]))
    return sparse_registers(value)


def _sparse_histogram(value: bytes | bytearray) -> list[int]:
    histogram = [0] * 64
    index = 0
    for _, _, length, reg in sparse_ops(value):
        histogram[reg] += length
        index += length
    if index != REGISTERS:
        raise CorruptHLL
    return histogram


def _tau(x: float) -> float:
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= math.pow(1 - x, 2) * y
        if previous == z:
            return z / 3


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if previous == z:
            return z


def count_histogram(histogram: list[int]) -> int:
    """Otmar Ertl's estimator over the register histogram, exactly as Redis's hllCount."""
    m = float(REGISTERS)
    z = m * _tau((m - histogram[Q + 1]) / m)
    for j in range(Q, 0, -1):
        z += histogram[j]
        z *= 0.5
    z += m * _sigma(histogram[0] / m)
    estimate = ALPHA_INF * m * m / z
    floor = math.floor(estimate)
    return int(floor + 1 if estimate - floor >= 0.5 else floor)  # llroundl: halves away from 0


def histogram_of(regs: bytes | bytearray) -> list[int]:
    return [regs.count(v) for v in range(64)]


def count(value: bytes | bytearray) -> int:
    """The estimated cardinality of one HLL (ignoring its cache)."""
    if value[4] == DENSE:
        return count_histogram(histogram_of(registers(value)))
    return count_histogram(_sparse_histogram(value))


def merge_max(into: bytearray, value: bytes | bytearray) -> None:
    """into[i] = max(into[i], register i of `value`) (Redis's hllMerge)."""
    if value[4] == DENSE:
        regs = registers(value)
        into[:] = bytes(map(max, into, regs))
        return
    index = 0
    for _, _, length, reg in sparse_ops(value):
        if index + length > REGISTERS:
            raise CorruptHLL
        if reg:
            for i in range(index, index + length):
                if into[i] < reg:
                    into[i] = reg
        index += length
    if index != REGISTERS:
        raise CorruptHLL


def decode_sparse(value: bytes) -> bytes:
    """PFDEBUG DECODE: `z:<len>`, `Z:<len>`, `v:<value>,<len>` for each opcode."""
    parts = []
    for _, size, length, reg in sparse_ops(value):
        if reg:
            parts.append(b"v:%d,%d" % (reg, length))
        elif size == 2:
            parts.append(b"Z:%d" % length)
        else:
            parts.append(b"z:%d" % length)
    return b" ".join(parts)
