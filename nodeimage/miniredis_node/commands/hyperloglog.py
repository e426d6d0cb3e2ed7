"""HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST (Redis's hyperloglog.c).

HLLs are plain string values in Redis's byte format; `miniredis_node.hll` does the register
work, these handlers do the key handling Redis does around it: type checks, the cardinality
cache PFCOUNT writes back into the value, and keyspace notifications (`pfadd`, also for
PFMERGE).
"""

from __future__ import annotations

import random
from typing import Final

from miniredis_node import errors, hll
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.notify import STRING, notify
from miniredis_node.protocol import OK, SimpleString
from miniredis_node.table import command


def _sparse_max_bytes(c: Client) -> int:
    """hll-sparse-max-bytes (Redis's default when the setting is not in the table)."""
    value = c.server.config.values.get("hll-sparse-max-bytes", hll.DEFAULT_SPARSE_MAX_BYTES)
    return int(value)


def _checked(value: object) -> bytes:
    """The value as an HLL string, or the errors Redis gives for anything else."""
    if type(value) is not bytes:
        raise CommandError(errors.WRONGTYPE)
    try:
        hll.validate(value)
    except hll.InvalidHLL:
        raise CommandError(errors.HLL_INVALID) from None
    return value


@command(
    "pfadd",
    -2,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hyperloglog",
    since="2.8.9",
    acl="@write @hyperloglog @fast",
    summary="Adds the specified elements to the specified HyperLogLog.",
    complexity="O(1) to add every element.",
    syntax="key [element [element ...]]",
)
def pfadd(c: Client, argv: list[bytes]) -> object:
    key = argv[1]
    db = c.db
    value = db.peek(key)
    updated = False
    if value is None:
        buf = bytearray(hll.empty_sparse())
        updated = True
    else:
        buf = bytearray(_checked(value))
    max_bytes = _sparse_max_bytes(c)
    try:
        for element in argv[2:]:
            buf, changed = hll.add(buf, element, max_bytes)
            updated = updated or changed
    except hll.CorruptHLL:
        raise CommandError(errors.HLL_CORRUPT) from None
    if updated:
        hll.invalidate(buf)
        db.set(key, bytes(buf), keep_ttl=True)
        notify(c, STRING, b"pfadd", key, db.id)
    return 1 if updated else 0


@command(
    "pfcount",
    -2,
    "readonly",
    keys=(1, -1, 1),
    group="hyperloglog",
    since="2.8.9",
    acl="@read @hyperloglog @slow",
    summary="Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    complexity="O(1) with a very small average constant time when called with a single key. O(N) with N "
    "being the number of keys, and much bigger constant times, when called with multiple keys.",
    syntax="key [key ...]",
)
def pfcount(c: Client, argv: list[bytes]) -> object:
    db = c.db
    if len(argv) > 2:
        # Several keys: the count of their union, computed on the side (no cache written).
        registers = bytearray(hll.REGISTERS)
        for key in argv[1:]:
            value = db.lookup(key)
            if value is None:
                continue
            try:
                hll.merge_max(registers, _checked(value))
            except hll.CorruptHLL:
                raise CommandError(errors.HLL_CORRUPT) from None
        return hll.count_histogram(hll.histogram_of(registers))
    key = argv[1]
    value = db.lookup(key)
    if value is None:
        return 0
    value = _checked(value)
    cached = hll.cached_cardinality(value)
    if cached is not None:
        return cached
    try:
        card = hll.count(value)
    except hll.CorruptHLL:
        raise CommandError(errors.HLL_CORRUPT) from None
    # Redis writes the fresh estimate back into the value (a change a WATCH sees).
    db.set(key, hll.with_cardinality(value, card), keep_ttl=True)
    return card


@command(
    "pfmerge",
    -2,
    "write denyoom",
    keys=(1, -1, 1),
    group="hyperloglog",
    since="2.8.9",
    acl="@write @hyperloglog @slow",
    summary="Merge N different HyperLogLogs into a single one.",
    complexity="O(N) to merge N HyperLogLogs, but with high constant times.",
    syntax="destkey [sourcekey [sourcekey ...]]",
)
def pfmerge(c: Client, argv: list[bytes]) -> object:
    db = c.db
    registers = bytearray(hll.REGISTERS)
    use_dense = False
    for key in argv[1:]:
        value = db.lookup(key)
        if value is None:
            continue
        value = _checked(value)
        if value[4] == hll.DENSE:
            use_dense = True
        try:
            hll.merge_max(registers, value)
        except hll.CorruptHLL:
            raise CommandError(errors.HLL_CORRUPT) from None
    dest = argv[1]
    existing = db.peek(dest)
    buf = bytearray(existing if existing is not None else hll.empty_sparse())
    try:
        if use_dense and buf[4] == hll.SPARSE:
            buf = hll.to_dense(buf)
        if buf[4] == hll.DENSE:
            header = buf[: hll.HEADER_SIZE]
            buf = header + hll.dense_payload(registers)
        else:
            # Redis sets each non-zero register in turn: the sparse code it builds (and its
            # promotion to dense) depends on that order, so it is followed here too.
            max_bytes = _sparse_max_bytes(c)
            for index, count in enumerate(registers):
                if count:
                    buf, _ = hll.sparse_set(buf, index, count, max_bytes)
                    if buf[4] == hll.DENSE:
                        buf = buf[: hll.HEADER_SIZE] + hll.dense_payload(registers)
                        break
    except hll.CorruptHLL:
        raise CommandError(errors.HLL_CORRUPT) from None
    hll.invalidate(buf)
    db.set(dest, bytes(buf), keep_ttl=True)
    notify(c, STRING, b"pfadd", dest, db.id)
    return OK


@command(
    "pfdebug",
    3,
    "write denyoom admin",
    keys=(2, 2, 1),
    group="hyperloglog",
    since="2.8.9",
    acl="@write @hyperloglog @admin @slow @dangerous",
    summary="Internal commands for debugging HyperLogLog values",
    complexity="N/A",
    syntax="subcommand key",
)
def pfdebug(c: Client, argv: list[bytes]) -> object:
    sub, key = argv[1], argv[2]
    db = c.db
    value = db.peek(key)
    if value is None:
        raise CommandError(errors.HLL_NO_KEY)
    value = _checked(value)
    name = sub.split(b"\0", 1)[0].lower()
    try:
        if name == b"getreg":
            if value[4] == hll.SPARSE:
                value = bytes(hll.to_dense(value))
                db.set(key, value, keep_ttl=True)
            return list(hll.registers(value))
        if name == b"decode":
            if value[4] != hll.SPARSE:
                raise CommandError(errors.HLL_NOT_SPARSE)
            return hll.decode_sparse(value)
        if name == b"encoding":
            return SimpleString("dense" if value[4] == hll.DENSE else "sparse")
        if name == b"todense":
            if value[4] == hll.SPARSE:
                db.set(key, bytes(hll.to_dense(value)), keep_ttl=True)
                return 1
            return 0
    except hll.CorruptHLL:
        raise CommandError(errors.HLL_CORRUPT) from None
    raise CommandError(errors.HLL_PFDEBUG_UNKNOWN.format(sub.decode(errors="replace")))


_SELFTEST_ELEMENTS: Final = 2000


@command(
    "pfselftest",
    1,
    "admin",
    group="hyperloglog",
    since="2.8.9",
    acl="@hyperloglog @admin @slow @dangerous",
    summary="An internal command for testing HyperLogLog values",
    complexity="N/A",
)
def pfselftest(c: Client, argv: list[bytes]) -> object:
    # Redis checks its register accessors and the estimator's error; here: a sparse and a dense
    # HLL fed the same elements must hold the same registers and count within the error bound.
    sparse = bytearray(hll.empty_sparse())
    dense = hll.to_dense(sparse)
    rng = random.Random(0xADC83B19)
    for n in range(1, _SELFTEST_ELEMENTS + 1):
        element = b"%d" % rng.getrandbits(64)
        sparse, _ = hll.add(sparse, element, hll.DEFAULT_SPARSE_MAX_BYTES)
        dense, _ = hll.add(dense, element, hll.DEFAULT_SPARSE_MAX_BYTES)
        if n % 500 == 0:
            if hll.registers(sparse) != hll.registers(dense):
                raise CommandError(errors.HLL_SELFTEST_FAILED.format("Register error"))
            estimate = hll.count(dense)
            if abs(estimate - n) > n * 5 * 1.04 / (hll.REGISTERS**0.5) + 1:
                raise CommandError(errors.HLL_SELFTEST_FAILED.format("Too big error"))
    return OK
