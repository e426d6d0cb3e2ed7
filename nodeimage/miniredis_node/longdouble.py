"""C `long double` arithmetic, exactly as Redis on x86-64 does it, for INCRBYFLOAT (and HINCRBYFLOAT).

Redis parses the increment and the stored value with `strtold`, adds them as x87 80-bit extended
floats (64-bit mantissa), and prints the sum with `%.17Lf` minus trailing zeros. A Python float
(53-bit mantissa) gives visibly different answers (`0.1 + 0.2` is `0.30000000000000004` as a
double, `0.3` as a long double), so this module emulates the format with exact rationals: every
finite value is a `Fraction` that is exactly representable as a long double, and every operation
rounds its exact result to the nearest such value, ties to even, as the FPU does.

Infinities are the floats `inf`/`-inf`; NaN never appears (parsing refuses it, and `add` reports
a NaN or infinite sum as None).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final

MANTISSA_BITS: Final = 64
MIN_NORMAL_EXP: Final = -16382  # the smallest normal long double is 2**-16382
OVERFLOW_EXP: Final = 16384  # every finite long double is below 2**16384
# Quantum of the subnormals: 2**-16445, the smallest positive long double.
SUBNORMAL_SHIFT: Final = MIN_NORMAL_EXP - (MANTISSA_BITS - 1)
# Redis's string2ld copies into a buffer of MAX_LONG_DOUBLE_CHARS and refuses longer input.
MAX_CHARS: Final = 5 * 1024
# Decimal bounds used to refuse absurd exponents before building huge integers: every finite
# long double is below 10**4933, and anything below 10**-4952 rounds to zero.
_DEC_OVERFLOW: Final = 4933
_DEC_UNDERFLOW: Final = -4952

LongDouble = Fraction | float  # finite values are Fractions; a float is always +-inf

_DECIMAL = re.compile(rb"([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?")
_HEX = re.compile(rb"([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?")
_INFINITY = re.compile(rb"([+-]?)(?:inf|infinity)", re.IGNORECASE)
# Python refuses int <-> str conversions of more than 4300 digits by default; long doubles
# have up to ~4950, so conversions go through chunks of this many digits.
_CHUNK: Final = 4000
_CHUNK_POW: Final = 10**_CHUNK
_SCALE: Final = 10**17  # %.17Lf


def round_exact(x: Fraction) -> LongDouble:
    """The long double nearest to `x` (ties to even), or +-inf when it overflows."""
    if x == 0:
        return Fraction(0)
    negative = x < 0
    num, den = abs(x.numerator), x.denominator
    exp = num.bit_length() - den.bit_length()  # 2**exp <= |x| < 2**(exp + 2)
    if (num if exp >= 0 else num << -exp) < (den << exp if exp >= 0 else den):
        exp -= 1
    shift = max(exp, MIN_NORMAL_EXP) - (MANTISSA_BITS - 1)  # weight of the mantissa's last bit
    if shift < 0:
        num <<= -shift
    else:
        den <<= shift
    mantissa, rest = divmod(num, den)
    twice = rest * 2
    if twice > den or (twice == den and mantissa & 1):
        mantissa += 1
    if mantissa.bit_length() + shift > OVERFLOW_EXP:
        return float("-inf") if negative else float("inf")
    value = Fraction(mantissa << shift) if shift >= 0 else Fraction(mantissa, 1 << -shift)
    return -value if negative else value


def parse(raw: bytes) -> LongDouble | None:
    """Redis's string2ld: strtold over the whole argument, or None when Redis refuses it.

    Refused: empty or over-long input, anything strtold does not consume entirely (spaces
    included), NaN, and values that overflow or underflow to zero (strtold's ERANGE).
    Hexadecimal floats (`0x1.8p3`) and `inf`/`infinity` are accepted, as strtold accepts them.
    """
    if not raw or len(raw) >= MAX_CHARS:
        return None
    match = _DECIMAL.fullmatch(raw)
    if match is not None:
        sign, whole, frac, frac_only, exp = match.groups()
        digits = whole + frac if frac_only is None else frac_only
        power = _exponent(exp) - len(frac if frac_only is None else frac_only)
        significant = digits.lstrip(b"0")
        if not significant:
            return Fraction(0)
        magnitude = len(significant) + power  # 10**(magnitude - 1) <= value < 10**magnitude
        if magnitude - 1 >= _DEC_OVERFLOW or magnitude <= _DEC_UNDERFLOW:
            return None
        mantissa = _int_from_digits(significant)
        exact = Fraction(mantissa * 10**power) if power >= 0 else Fraction(mantissa, 10**-power)
    else:
        match = _HEX.fullmatch(raw)
        if match is None:
            infinity = _INFINITY.fullmatch(raw)
            if infinity is None:
                return None
            return float("-inf") if infinity.group(1) == b"-" else float("inf")
        sign, whole, frac, frac_only, exp = match.groups()
        hexdigits = whole + frac if frac_only is None else frac_only
        power = _exponent(exp) - 4 * len(frac if frac_only is None else frac_only)
        mantissa = int(hexdigits, 16)
        if mantissa == 0:
            return Fraction(0)
        top = mantissa.bit_length() + power  # 2**(top - 1) <= value < 2**top
        if top > OVERFLOW_EXP + 1:
            return None
        if top < SUBNORMAL_SHIFT - 1:
            return None
        exact = Fraction(mantissa << power) if power >= 0 else Fraction(mantissa, 1 << -power)
    value = round_exact(exact)
    if isinstance(value, float) or value == 0:  # ERANGE: overflow, or underflow to zero
        return None
    return -value if sign == b"-" else value


def add(a: LongDouble, b: LongDouble) -> Fraction | None:
    """`a + b` rounded to a long double; None when the sum is infinite or NaN."""
    if isinstance(a, float) or isinstance(b, float):
        return None
    total = round_exact(a + b)
    return None if isinstance(total, float) else total


def format_human(value: Fraction) -> bytes:
    """Redis's ld2string in LD_STR_HUMAN mode: `%.17Lf`, trailing zeros and dot trimmed, `-0` as `0`."""
    negative = value < 0
    scaled = abs(value) * _SCALE
    # printf rounds the exact binary value to 17 decimals, ties to even.
    digits, rest = divmod(scaled.numerator, scaled.denominator)
    twice = rest * 2
    if twice > scaled.denominator or (twice == scaled.denominator and digits & 1):
        digits += 1
    whole, frac = divmod(digits, _SCALE)
    text = _digits_from_int(whole)
    if frac:
        text += b"." + (b"%017d" % frac).rstrip(b"0")
    if negative and text != b"0":
        text = b"-" + text
    return text


def _exponent(raw: bytes | None) -> int:
    """The exponent after e/p, clamped: any exponent of ten digits or more over- or underflows."""
    if not raw:
        return 0
    negative = raw[:1] == b"-"
    digits = raw.lstrip(b"+-").lstrip(b"0") or b"0"
    value = int(digits) if len(digits) < 10 else 10**10
    return -value if negative else value


def _int_from_digits(digits: bytes) -> int:
    if len(digits) <= _CHUNK:
        return int(digits)
    return _int_from_digits(digits[:-_CHUNK]) * _CHUNK_POW + int(digits[-_CHUNK:])


def _digits_from_int(n: int) -> bytes:
    if n < _CHUNK_POW:
        return b"%d" % n
    high, low = divmod(n, _CHUNK_POW)
    return _digits_from_int(high) + (b"%d" % low).rjust(_CHUNK, b"0")
