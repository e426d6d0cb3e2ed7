"""LZF, the compression Redis applies to strings in RDB files (lzf_c.c / lzf_d.c by Marc Lehmann).

The format is a sequence of runs. A control byte below 32 starts a literal run of `ctrl + 1`
bytes; any other is a back reference: length `(ctrl >> 5) + 2` (a length field of 7 continues in
the next byte) at distance `((ctrl & 0x1f) << 8 | next) + 1` behind the output's end. References
may overlap the bytes they produce, which repeats a short pattern.

`compress` is a straightforward greedy compressor (a 3-byte hash of recent positions); its output
is valid LZF though not byte-identical to Redis's, which is not needed for loading.
"""

from __future__ import annotations

from typing import Final

MAX_LITERAL: Final = 32
MAX_OFFSET: Final = 1 << 13
MAX_REFERENCE: Final = (1 << 8) + (1 << 3)  # 264 bytes


class LzfError(ValueError):
    """Compressed data that does not decompress to the announced length."""


def decompress(data: bytes | memoryview, expected: int) -> bytes:
    """Decompress `data`, which must expand to exactly `expected` bytes."""
    src = bytes(data)
    out = bytearray()
    pos, end = 0, len(src)
    while pos < end:
        ctrl = src[pos]
        pos += 1
        if ctrl < 32:
            run = ctrl + 1
            if pos + run > end:
                raise LzfError("literal run past the end")
            out += src[pos : pos + run]
            pos += run
            continue
        length = ctrl >> 5
        if length == 7:
            if pos >= end:
                raise LzfError("truncated reference")
            length += src[pos]
            pos += 1
        if pos >= end:
            raise LzfError("truncated reference")
        ref = len(out) - ((ctrl & 0x1F) << 8) - src[pos] - 1
        pos += 1
        length += 2
        if ref < 0:
            raise LzfError("reference before the start")
        if ref + length <= len(out):
            out += out[ref : ref + length]
        else:  # overlapping: the reference repeats the bytes it is producing
            for i in range(length):
                out.append(out[ref + i])
    if len(out) != expected:
        raise LzfError("decompressed length differs")
    return bytes(out)


def compress(data: bytes) -> bytes | None:
    """LZF-compress `data`; None when that would not save at least 4 bytes (Redis's rule)."""
    n = len(data)
    if n < 4:
        return None
    out = bytearray()
    table: dict[bytes, int] = {}
    literal_start = 0
    pos = 0
    limit = n - 4  # stop when the result would not be smaller

    def flush_literals(upto: int) -> None:
        start = literal_start
        while start < upto:
            run = min(MAX_LITERAL, upto - start)
            out.append(run - 1)
            out.extend(data[start : start + run])
            start += run

    while pos + 2 < n:
        key = data[pos : pos + 3]
        ref = table.get(key)
        table[key] = pos
        if ref is not None and pos - ref - 1 < MAX_OFFSET:
            length = 3
            most = min(MAX_REFERENCE, n - pos)
            while length < most and data[ref + length] == data[pos + length]:
                length += 1
            flush_literals(pos)
            distance = pos - ref - 1
            encoded = length - 2
            if encoded < 7:
                out.append((encoded << 5) | (distance >> 8))
            else:
                out.append((7 << 5) | (distance >> 8))
                out.append(encoded - 7)
            out.append(distance & 0xFF)
            pos += length
            literal_start = pos
        else:
            pos += 1
        if len(out) > limit:
            return None
    flush_literals(n)
    if len(out) > limit:
        return None
    return bytes(out)
