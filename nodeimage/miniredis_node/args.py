"""Argument parsing shared by handlers, with Redis's exact acceptance rules and error texts.

Redis is strict: `string2ll` refuses spaces, a plus sign and leading zeros, and `strtod`-based
float parsing accepts `inf` but never `nan`. Handlers use these instead of `int()`/`float()`,
which accept more than Redis does.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from miniredis_node import errors, longdouble
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


def parse_timeout(raw: bytes, now_ms: int) -> float:
    """A blocking command's timeout in seconds, 0 meaning forever, as Redis 7.0 reads it.

    Redis parses a long double, multiplies by 1000 and rounds up (`ceill`) to whole
    milliseconds, then casts to a long long: so 0.0001 waits 1 ms, -0.0005 means forever, and
    values too large for the cast (1e300, inf) become LLONG_MIN, reported as negative. A
    deadline past LLONG_MAX overflows in Redis and never fires: forever here too.
    """
    value = longdouble.parse(raw)
    if value is None:
        raise CommandError(errors.TIMEOUT_NOT_FLOAT)
    millis: int | None = None
    if isinstance(value, Fraction):
        product = longdouble.round_exact(value * 1000)
        if isinstance(product, Fraction):
            millis = math.ceil(product)
    if millis is None or not INT64_MIN <= millis <= INT64_MAX or millis < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    if millis > INT64_MAX - now_ms:
        return 0.0
    return millis / 1000


def option_name(raw: bytes) -> bytes:
    """An option keyword as Redis compares it (strcasecmp on a C string): up to the first NUL,
    case-insensitive. Compare the result with upper-case literals: `option_name(arg) == b"NX"`."""
    return raw.split(b"\0", 1)[0].upper()
