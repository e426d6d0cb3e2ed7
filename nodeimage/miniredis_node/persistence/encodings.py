"""Redis's compact in-memory encodings, as they appear inside RDB strings: listpack, intset
(read and written), ziplist and zipmap (read only: Redis 7.0 still loads files of older
versions that contain them).

Every decoder returns the elements as `bytes`, integers in decimal, which is how the node stores
them. The writers pick integer encodings exactly as Redis does (`canonical_int`), so a small
hash or sorted set we write is the listpack Redis itself would have written.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Final

INT64_MIN: Final = -(1 << 63)
INT64_MAX: Final = (1 << 63) - 1
LISTPACK_HEADER: Final = 6  # total bytes (u32) + element count (u16)
LISTPACK_COUNT_UNKNOWN: Final = 65535
LISTPACK_EOF: Final = 0xFF


class EncodingError(ValueError):
    """A malformed listpack, ziplist, intset or zipmap."""


def canonical_int(raw: bytes) -> int | None:
    """The integer `raw` spells, if it is one in Redis's strict sense (string2ll): decimal,
    no sign but '-', no leading zeros, no spaces, within int64. "-0" and "007" are strings."""
    if not raw or len(raw) > 20:
        return None
    first = raw[0]
    if not (48 <= first <= 57 or first == 45):  # a digit or '-'
        return None
    if not raw[-1:].isdigit():
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    if value < INT64_MIN or value > INT64_MAX or b"%d" % value != raw:
        return None
    return value


# ---- listpack ----------------------------------------------------------------------------------


def _backlen_size(length: int) -> int:
    if length < 128:
        return 1
    if length < 16383:
        return 2
    if length < 2097151:
        return 3
    if length < 268435455:
        return 4
    return 5


def _backlen(length: int) -> bytes:
    """An entry's length, written backwards 7 bits at a time (lpEncodeBacklen)."""
    size = _backlen_size(length)
    out = bytearray(size)
    out[0] = (length >> (7 * (size - 1))) & 0x7F if size > 1 else length
    for i in range(1, size):
        out[i] = ((length >> (7 * (size - 1 - i))) & 127) | 128
    return bytes(out)


def listpack_entry(raw: bytes) -> bytes:
    """One encoded listpack entry (encoding, data, backlen) holding `raw`."""
    value = canonical_int(raw)
    if value is not None:
        if 0 <= value <= 127:
            body = bytes((value,))
        elif -4096 <= value <= 4095:
            value &= 0x1FFF
            body = bytes((0xC0 | (value >> 8), value & 0xFF))
        elif -32768 <= value <= 32767:
            body = b"\xf1" + struct.pack("<h", value)
        elif -8388608 <= value <= 8388607:
            body = b"\xf2" + (value & 0xFFFFFF).to_bytes(3, "little")
        elif -2147483648 <= value <= 2147483647:
            body = b"\xf3" + struct.pack("<i", value)
        else:
            body = b"\xf4" + struct.pack("<q", value)
    else:
        n = len(raw)
        if n < 64:
            body = bytes((0x80 | n,)) + raw
        elif n < 4096:
            body = bytes((0xE0 | (n >> 8), n & 0xFF)) + raw
        else:
            body = b"\xf0" + struct.pack("<I", n) + raw
    return body + _backlen(len(body))


def listpack(items: Iterable[bytes]) -> bytes:
    """A whole listpack holding `items` in order."""
    return listpack_of_entries([listpack_entry(item) for item in items])


def listpack_of_entries(entries: list[bytes]) -> bytes:
    """A whole listpack from entries already encoded by `listpack_entry`."""
    body = b"".join(entries)
    total = LISTPACK_HEADER + len(body) + 1
    count = len(entries) if len(entries) < LISTPACK_COUNT_UNKNOWN else LISTPACK_COUNT_UNKNOWN
    return struct.pack("<IH", total, count) + body + b"\xff"


def listpack_items(blob: bytes) -> list[bytes]:
    """The elements of a listpack, integers in decimal."""
    if len(blob) < LISTPACK_HEADER + 1:
        raise EncodingError("listpack too short")
    total, _count = struct.unpack_from("<IH", blob)
    if total != len(blob) or blob[-1] != LISTPACK_EOF:
        raise EncodingError("listpack size mismatch")
    items: list[bytes] = []
    pos, end = LISTPACK_HEADER, len(blob) - 1
    try:
        while pos < end:
            b = blob[pos]
            if b < 0x80:
                items.append(b"%d" % b)
                size = 1
            elif b < 0xC0:
                n = b & 0x3F
                items.append(blob[pos + 1 : pos + 1 + n])
                size = 1 + n
            elif b < 0xE0:
                value = ((b & 0x1F) << 8) | blob[pos + 1]
                items.append(b"%d" % (value - 8192 if value >= 4096 else value))
                size = 2
            elif b < 0xF0:
                n = ((b & 0x0F) << 8) | blob[pos + 1]
                items.append(blob[pos + 2 : pos + 2 + n])
                size = 2 + n
            elif b == 0xF0:
                (n,) = struct.unpack_from("<I", blob, pos + 1)
                items.append(blob[pos + 5 : pos + 5 + n])
                size = 5 + n
            elif b == 0xF1:
                items.append(b"%d" % struct.unpack_from("<h", blob, pos + 1)[0])
                size = 3
            elif b == 0xF2:
                value = int.from_bytes(blob[pos + 1 : pos + 4], "little", signed=True)
                items.append(b"%d" % value)
                size = 4
            elif b == 0xF3:
                items.append(b"%d" % struct.unpack_from("<i", blob, pos + 1)[0])
                size = 5
            elif b == 0xF4:
                items.append(b"%d" % struct.unpack_from("<q", blob, pos + 1)[0])
                size = 9
            else:
                raise EncodingError(f"bad listpack encoding byte {b:#x}")
            pos += size + _backlen_size(size)
    except (IndexError, struct.error):
        raise EncodingError("truncated listpack") from None
    if pos != end:
        raise EncodingError("listpack entries overrun")
    return items


# ---- intset --------------------------------------------------------------------------------------

_INTSET_FORMATS: Final = {2: "h", 4: "i", 8: "q"}


def intset(values: list[int]) -> bytes:
    """An intset of `values` (sorted, smallest width that holds them all)."""
    values = sorted(values)
    lo, hi = (values[0], values[-1]) if values else (0, 0)
    if lo >= -32768 and hi <= 32767:
        width = 2
    elif lo >= -2147483648 and hi <= 2147483647:
        width = 4
    else:
        width = 8
    return struct.pack(f"<II{len(values)}{_INTSET_FORMATS[width]}", width, len(values), *values)


def intset_items(blob: bytes) -> list[bytes]:
    if len(blob) < 8:
        raise EncodingError("intset too short")
    width, count = struct.unpack_from("<II", blob)
    fmt = _INTSET_FORMATS.get(width)
    if fmt is None or len(blob) != 8 + width * count:
        raise EncodingError("intset size mismatch")
    return [b"%d" % v for v in struct.unpack_from(f"<{count}{fmt}", blob, 8)]


# ---- ziplist (RDB versions before 10) ----------------------------------------------------------


def ziplist_items(blob: bytes) -> list[bytes]:
    if len(blob) < 11 or blob[-1] != 0xFF:
        raise EncodingError("ziplist too short")
    (total,) = struct.unpack_from("<I", blob)
    if total != len(blob):
        raise EncodingError("ziplist size mismatch")
    items: list[bytes] = []
    pos, end = 10, len(blob) - 1
    try:
        while pos < end:
            pos += 5 if blob[pos] == 0xFE else 1  # previous entry length
            b = blob[pos]
            kind = b >> 6
            if kind == 0:
                n = b & 0x3F
                items.append(blob[pos + 1 : pos + 1 + n])
                pos += 1 + n
            elif kind == 1:
                n = ((b & 0x3F) << 8) | blob[pos + 1]
                items.append(blob[pos + 2 : pos + 2 + n])
                pos += 2 + n
            elif kind == 2:
                (n,) = struct.unpack_from(">I", blob, pos + 1)
                items.append(blob[pos + 5 : pos + 5 + n])
                pos += 5 + n
            elif b == 0xC0:
                items.append(b"%d" % struct.unpack_from("<h", blob, pos + 1)[0])
                pos += 3
            elif b == 0xD0:
                items.append(b"%d" % struct.unpack_from("<i", blob, pos + 1)[0])
                pos += 5
            elif b == 0xE0:
                items.append(b"%d" % struct.unpack_from("<q", blob, pos + 1)[0])
                pos += 9
            elif b == 0xF0:
                items.append(b"%d" % int.from_bytes(blob[pos + 1 : pos + 4], "little", signed=True))
                pos += 4
            elif b == 0xFE:
                items.append(b"%d" % struct.unpack_from("<b", blob, pos + 1)[0])
                pos += 2
            elif 0xF1 <= b <= 0xFD:
                items.append(b"%d" % ((b & 0x0F) - 1))
                pos += 1
            else:
                raise EncodingError(f"bad ziplist encoding byte {b:#x}")
    except (IndexError, struct.error):
        raise EncodingError("truncated ziplist") from None
    if pos != end:
        raise EncodingError("ziplist entries overrun")
    return items


# ---- zipmap (RDB versions before 4) ------------------------------------------------------------


def zipmap_items(blob: bytes) -> list[bytes]:
    """Field, value, field, value... of a zipmap."""
    items: list[bytes] = []
    pos = 1  # the count byte is only a hint
    try:
        while blob[pos] != 0xFF:
            for is_value in (False, True):
                n = blob[pos]
                if n < 254:
                    pos += 1
                elif n == 254:
                    (n,) = struct.unpack_from("<I", blob, pos + 1)
                    pos += 5
                else:
                    raise EncodingError("bad zipmap length")
                free = 0
                if is_value:
                    free = blob[pos]
                    pos += 1
                items.append(blob[pos : pos + n])
                pos += n + free
    except (IndexError, struct.error):
        raise EncodingError("truncated zipmap") from None
    return items
