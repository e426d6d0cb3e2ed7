"""Snapshot and serialization commands: SAVE, BGSAVE, DUMP, RESTORE (LASTSAVE is in server.py).

The RDB format lives in `persistence/rdb.py` and the server's snapshot state (the BGSAVE child,
`save` rules, INFO figures) in `persistence/snapshot.py`; these handlers only parse arguments and
shape replies, in the order Redis 7.0's checks run (it matters for which error wins).
"""

from __future__ import annotations

from miniredis_node import errors
from miniredis_node.args import parse_int
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.eviction import lfu_minutes
from miniredis_node.notify import GENERIC, notify
from miniredis_node.persistence import rdb
from miniredis_node.protocol import OK, SimpleString
from miniredis_node.table import command

BGSAVE_STARTED = SimpleString("Background saving started")
BGSAVE_SCHEDULED = SimpleString("Background saving scheduled")


@command(
    "save",
    1,
    "admin noscript no_multi",
    group="server",
    since="1.0.0",
    summary="Synchronously save the dataset to disk",
    acl="@admin @slow @dangerous",
    complexity="O(N) where N is the total number of keys in all databases",
)
def save(c: Client, argv: list[bytes]) -> object:
    snapshots = c.server.rdb
    if snapshots.child_pid:
        raise CommandError(errors.BGSAVE_IN_PROGRESS)
    snapshots.saves += 1  # Redis counts attempts, failed ones too
    if not snapshots.save():
        raise CommandError(errors.BARE_ERR)
    return OK


@command(
    "bgsave",
    -1,
    "admin noscript",
    group="server",
    since="1.0.0",
    summary="Asynchronously save the dataset to disk",
    syntax="[SCHEDULE]",
    acl="@admin @slow @dangerous",
    complexity="O(1)",
)
def bgsave(c: Client, argv: list[bytes]) -> object:
    schedule = False
    if len(argv) > 1:
        if len(argv) == 2 and argv[1].lower() == b"schedule":
            schedule = True
        else:
            raise CommandError(errors.SYNTAX)
    snapshots = c.server.rdb
    if snapshots.child_pid:
        raise CommandError(errors.BGSAVE_IN_PROGRESS)
    # Inside EXEC the fork waits for the cron (Redis never forks in the middle of a transaction).
    if snapshots.other_child_active() or c.no_block:
        if schedule or c.no_block:
            snapshots.scheduled = True
            return BGSAVE_SCHEDULED
        raise CommandError(errors.BGSAVE_OTHER_CHILD)
    if not snapshots.bgsave():
        raise CommandError(errors.BARE_ERR)
    return BGSAVE_STARTED


@command(
    "dump",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="generic",
    since="2.6.0",
    summary="Return a serialized version of the value stored at the specified key.",
    syntax="key",
    acl="@keyspace @read @slow",
    complexity="O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis "
    "objects composing the value and M their average size. For small string values the time complexity is thus "
    "O(1)+O(1*M) where M is small, so simply O(1).",
)
def dump(c: Client, argv: list[bytes]) -> object:
    value = c.db.lookup(argv[1])
    if value is None:
        return None
    return rdb.dump(value, rdb.Limits.from_config(c.server.config))


@command(
    "restore",
    -4,
    "write denyoom",
    keys=(1, 1, 1),
    group="generic",
    since="2.6.0",
    summary="Create a key using the provided serialized value, previously obtained using DUMP.",
    syntax="key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]",
    acl="@keyspace @write @slow @dangerous",
    complexity="O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is "
    "the number of Redis objects composing the value and M their average size. For small string values the time "
    "complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the "
    "complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
)
def restore(c: Client, argv: list[bytes]) -> object:
    replace = absttl = False
    idle: int | None = None
    freq: int | None = None
    i = 4
    while i < len(argv):
        option = argv[i].lower()
        more = len(argv) - i - 1
        if option == b"replace":
            replace = True
        elif option == b"absttl":
            absttl = True
        elif option == b"idletime" and more >= 1 and freq is None:
            idle = parse_int(argv[i + 1])
            if idle < 0:
                raise CommandError(errors.RESTORE_INVALID_IDLETIME)
            i += 1
        elif option == b"freq" and more >= 1 and idle is None:
            freq = parse_int(argv[i + 1])
            if not 0 <= freq <= 255:
                raise CommandError(errors.RESTORE_INVALID_FREQ)
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    db = c.db
    key = argv[1]
    if not replace and db.peek(key) is not None:
        raise CommandError(errors.BUSYKEY)
    ttl = parse_int(argv[2])
    if ttl < 0:
        raise CommandError(errors.RESTORE_INVALID_TTL)
    payload = argv[3]
    if not rdb.verify_payload(payload):
        raise CommandError(errors.DUMP_PAYLOAD_INVALID)
    try:
        value = rdb.restore(payload, rdb.Limits.from_config(c.server.config))
    except (rdb.RdbError, ValueError, OverflowError):
        raise CommandError(errors.BAD_DATA_FORMAT) from None
    now = c.keyspace.now_ms
    if ttl and not absttl:
        ttl += now
    if ttl and ttl <= now:  # already expired: the key is not created (an old one is deleted)
        if replace and db.delete(key):
            notify(c, GENERIC, b"del", key, db.id)
        return OK
    db.set(key, value)
    if ttl:
        db.set_expire(key, ttl)
    mode = c.keyspace.track_access
    if mode == "lfu" and freq is not None:
        db.access[key] = lfu_minutes(now) << 8 | freq
    elif mode == "lru" and idle is not None:
        db.access[key] = now - idle * 1000
    notify(c, GENERIC, b"restore", key, db.id)
    return OK
