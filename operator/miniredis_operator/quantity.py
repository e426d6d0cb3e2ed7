"""Kubernetes quantities (`64Mi`, `1G`, `250m`) as numbers, and the node's derived maxmemory.

Pure functions, used by the manifest builders and the status computation.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
}

MIB = 2**20
# The headroom between the pod's memory limit and the node's maxmemory, so the kernel never OOM-kills
# the pod before the node starts evicting: a fixed reserve for the Python interpreter and its modules
# (a fresh node's RSS is about 25 MiB), then a quarter of what is left for allocator fragmentation,
# client buffers and the gap between the node's used_memory estimate and its real footprint.
INTERPRETER_RESERVE = 32 * MIB
DATASET_FRACTION = (3, 4)
MIN_MAXMEMORY = 1 * MIB


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


def parse_quantity(value: str | int | float) -> Decimal:
    """The quantity's value in base units (bytes, cores): `64Mi` -> 67108864, `250m` -> 0.25."""
    if isinstance(value, bool):
        raise QuantityError(f"not a quantity: {value!r}")
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = _QUANTITY.match(value.strip())
    if match is None:
        raise QuantityError(f"not a quantity: {value!r}")
    number, suffix = match.group(1), match.group(2) or ""
    try:
        base = Decimal(number)
    except InvalidOperation:
        raise QuantityError(f"not a quantity: {value!r}") from None
    if suffix in _BINARY:
        return base * _BINARY[suffix]
    if suffix in _DECIMAL:
        return base * _DECIMAL[suffix]
    return base * (Decimal(10) ** int(suffix[1:]))  # an exponent, e.g. 1e9


def memory_bytes(value: str | int | float) -> int:
    """A memory quantity in whole bytes (rounded up, as Kubernetes does)."""
    amount = parse_quantity(value)
    whole = int(amount)
    return whole + 1 if amount > whole else whole


def maxmemory_for(limit_bytes: int) -> int:
    """The node's maxmemory for a pod memory limit: (limit - 32 MiB) * 3/4, at least 1 MiB."""
    numerator, denominator = DATASET_FRACTION
    return max((limit_bytes - INTERPRETER_RESERVE) * numerator // denominator, MIN_MAXMEMORY)
