"""Keyspace notifications: `notify-keyspace-events` and the pub/sub messages it enables.

Command handlers call `notify(c, klass, event, key, db_id)` after a write, with Redis's event
name and class (`STRING`, `LIST`...), exactly where Redis calls notifyKeyspaceEvent. With
notifications off (the default) that is one attribute test, so the write path does not slow
down. When the class is enabled the event goes out through pub/sub as Redis sends it:

* `__keyspace@<db>__:<key>` with the event name as message (class `K`);
* `__keyevent@<db>__:<event>` with the key as message (class `E`).

The setting's text is parsed and printed as Redis does (`parse_classes`, `show_classes`:
`CONFIG SET notify-keyspace-events KEA` reads back as `AKE`). `attach(server)` hooks expiry and
eviction (classes `x` and `e`) once at start-up; `configure(server)` applies the setting after
CONFIG SET, and hooks new keys and read misses (classes `n` and `m`) into the keyspace while
they are enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from miniredis_node.client import Client
    from miniredis_node.keyspace import Database
    from miniredis_node.server import Server

KEYSPACE: Final = 1 << 0  # K
KEYEVENT: Final = 1 << 1  # E
GENERIC: Final = 1 << 2  # g
STRING: Final = 1 << 3  # $
LIST: Final = 1 << 4  # l
SET: Final = 1 << 5  # s
HASH: Final = 1 << 6  # h
ZSET: Final = 1 << 7  # z
EXPIRED: Final = 1 << 8  # x
EVICTED: Final = 1 << 9  # e
STREAM: Final = 1 << 10  # t
KEY_MISS: Final = 1 << 11  # m
LOADED: Final = 1 << 12  # module key loaded (never set from the setting)
MODULE: Final = 1 << 13  # d
NEW: Final = 1 << 14  # n
ALL: Final = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE  # A

_CLASSES: Final = {
    ord("A"): ALL,
    ord("g"): GENERIC,
    ord("$"): STRING,
    ord("l"): LIST,
    ord("s"): SET,
    ord("h"): HASH,
    ord("z"): ZSET,
    ord("x"): EXPIRED,
    ord("e"): EVICTED,
    ord("K"): KEYSPACE,
    ord("E"): KEYEVENT,
    ord("t"): STREAM,
    ord("m"): KEY_MISS,
    ord("d"): MODULE,
    ord("n"): NEW,
}
# The order keyspaceEventsFlagsToString prints the type classes in.
_TYPE_LETTERS: Final = ((GENERIC, "g"), (STRING, "$"), (LIST, "l"), (SET, "s"), (HASH, "h"), (ZSET, "z"),
                        (EXPIRED, "x"), (EVICTED, "e"), (STREAM, "t"), (MODULE, "d"), (NEW, "n"))  # fmt: skip
INVALID_CLASS: Final = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."


def parse_classes(raw: bytes) -> int:
    """The setting's text as flags (Redis's keyspaceEventsStringToFlags); ValueError if invalid.

    Like Redis's C string loop, the text ends at the first NUL byte.
    """
    flags = 0
    for char in raw.split(b"\0", 1)[0]:
        bit = _CLASSES.get(char)
        if bit is None:
            from miniredis_node.config import ConfigError

            raise ConfigError(INVALID_CLASS)
        flags |= bit
    return flags


def show_classes(flags: int) -> bytes:
    """The canonical text of flags, as CONFIG GET prints it (`A` for all type classes; like
    Redis, `A` then hides `n`)."""
    if flags & ALL == ALL:
        text = "A"
    else:
        text = "".join(letter for bit, letter in _TYPE_LETTERS if flags & bit)
    if flags & KEYSPACE:
        text += "K"
    if flags & KEYEVENT:
        text += "E"
    if flags & KEY_MISS:
        text += "m"
    return text.encode()


# The enabled classes. Module state rather than a server attribute: one process is one node
# (DEVELOPERS.md), and a global is the cheapest test the write path can make while off. The
# hottest handlers (plain SET, INCR, pushes...) test a copy, `Keyspace.notify_flags` (a native
# attribute once compiled), before calling `notify`: no call while notifications are off.
flags = 0
# The server `attach` hooked; events are published through it (the first argument of `notify`
# says where an event comes from: a client, the server, or a database for blocked-client code
# that has no client at hand).
_server: Server | None = None


def notify(origin: Client | Server | Database, klass: int, event: bytes, key: bytes, db_id: int) -> None:
    """Publish `event` on `key` (database `db_id`) if class `klass` is enabled."""
    if not flags & klass or _server is None:
        return
    publish_event(_server, event, key, db_id)


def publish_event(server: Server, event: bytes, key: bytes, db_id: int) -> None:
    from miniredis_node.commands.pubsub import publish

    if flags & KEYSPACE:
        publish(server, b"__keyspace@%d__:%s" % (db_id, key), event)
    if flags & KEYEVENT:
        publish(server, b"__keyevent@%d__:%s" % (db_id, event), key)


def configure(server: Server) -> None:
    """Apply `notify-keyspace-events` (after start-up or CONFIG SET)."""
    global flags
    value = server.config["notify-keyspace-events"]
    flags = value if isinstance(value, int) else parse_classes(value.encode())
    # `n` and `m` fire from the keyspace itself (a new key, a read miss): hooks that exist only
    # while their class is on, so the keyspace pays one attribute test otherwise.
    keyspace = server.keyspace
    keyspace.notify_flags = flags
    keyspace.on_new = (lambda db, key: publish_event(server, b"new", key, db.id)) if flags & NEW else None
    keyspace.on_miss = (lambda db, key: publish_event(server, b"keymiss", key, db.id)) if flags & KEY_MISS else None


def attach(server: Server) -> None:
    """Apply the setting and hook expiry and eviction; call once, when the server is created."""
    global _server
    _server = server
    keyspace = server.keyspace
    previous_expired = keyspace.on_expired
    previous_evicted = keyspace.on_evicted

    def expired(db: Database, key: bytes) -> None:
        if previous_expired is not None:
            previous_expired(db, key)
        if flags & EXPIRED:
            publish_event(server, b"expired", key, db.id)

    def evicted(db: Database, key: bytes) -> None:
        if previous_evicted is not None:
            previous_evicted(db, key)
        if flags & EVICTED:
            publish_event(server, b"evicted", key, db.id)

    keyspace.on_expired = expired
    keyspace.on_evicted = evicted
    configure(server)
