"""Argument parsing shared by handlers, with Redis's exact acceptance rules and error texts.

Redis is strict: `string2ll` refuses spaces, a plus sign and leading zeros, and `strtod`-based
float parsing accepts `inf` but never `nan`. Handlers use these instead of `int()`/`float()`,
which accept more than Redis does.
"""

from __future__ import annotations

import math
import re

from miniredis_node import errors
from miniredis_node.errors import CommandError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_FLOAT = re.compile(rb"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity)$", re.IGNORECASE)


def to_int(raw: bytes) -> int | None:
    """Redis's string2ll: the integer `raw` spells, or None."""
    n = len(raw)
    if n == 0 or n > 20:
        return None
    if n == 1:
        return raw[0] - 48 if 48 <= raw[0] <= 57 else None
    first = raw[0]
    if first == 45:  # '-'
        if raw[1] == 48 or not raw[1:].isdigit():
            return None
    elif first == 48 or not raw.isdigit():
        return None
    value = int(raw)
    if value < INT64_MIN or value > INT64_MAX:
        return None
    return value


def parse_int(raw: bytes, message: str = errors.NOT_INTEGER) -> int:
    """An int64 or `ERR value is not an integer or out of range` (or the given message)."""
    value = to_int(raw)
    if value is None:
        raise CommandError(message)
    return value


def parse_positive_int(raw: bytes, message: str = errors.VALUE_OUT_OF_RANGE_POSITIVE) -> int:
    value = parse_int(raw)
    if value < 0:
        raise CommandError(message)
    return value


def to_float(raw: bytes) -> float | None:
    """Redis's string2d/strtod: a double (inf allowed), or None for anything else, NaN included."""
    if not raw or raw[0] in b" \t\r\n\v\f" or not _FLOAT.match(raw):
        return None
    value = float(raw)
    if math.isnan(value):
        return None
    return value


def parse_float(raw: bytes, message: str = errors.NOT_FLOAT) -> float:
    value = to_float(raw)
    if value is None:
        raise CommandError(message)
    return value


def parse_timeout(raw: bytes) -> float:
    """Blocking commands' timeout in seconds (a double, non-negative), 0 meaning forever."""
    value = to_float(raw)
    if value is None or math.isinf(value):
        raise CommandError(errors.TIMEOUT_NOT_FLOAT)
    if value < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    return value


def option_name(raw: bytes) -> bytes:
    """An option keyword as Redis compares it (strcasecmp on a C string): up to the first NUL,
    case-insensitive. Compare the result with upper-case literals: `option_name(arg) == b"NX"`."""
    return raw.split(b"\0", 1)[0].upper()
