"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0's multi.c).

Queueing is the dispatcher's job (`dispatch.execute` appends `(cmd, argv)` to `c.multi_queue`
and sets `c.multi_error` when it rejects a command inside MULTI); this module starts, runs and
ends transactions. WATCH is optimistic locking: `Database` marks every client watching a key
`dirty_cas` when the key is written, deleted or expires, and EXEC then answers a null array.

Redis 7.0 also fails EXEC when a watched key has logically expired by then, even if nobody
reclaimed it yet, but not for a key that was already expired when it was watched. We reclaim
such a key at WATCH time instead of flagging it: EXEC's outcome is the same in every case
(the key was absent at WATCH, so only a later write to it can abort), and `Database` needs no
per-watch state. The difference shows only in DBSIZE and expired_keys just after the WATCH.
"""

from __future__ import annotations

from miniredis_node import dispatch, errors
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.protocol import NULL_ARRAY, OK, ErrorReply, Raw
from miniredis_node.table import command


def discard_transaction(c: Client) -> None:
    """Leave MULTI: drop the queue and its error flag, and every WATCH (RESET uses this too)."""
    c.multi = False
    c.multi_queue = []
    c.multi_error = False
    c.server.unwatch_all(c)


def abort_exec(c: Client, text: str) -> ErrorReply:
    """The reply when EXEC itself is rejected before running (e.g. OOM): Redis's execCommandAbort
    discards the transaction and wraps the reason: `ERR` reasons lose their prefix (Redis formats
    them bare), others keep their code (`OOM ...`)."""
    discard_transaction(c)
    return ErrorReply(errors.EXECABORT_BECAUSE.format(text.removeprefix("-").removeprefix("ERR ")))


def watched_key_expired(c: Client) -> bool:
    """isWatchedKeyExpired: a watched key whose TTL has passed, reclaimed or not."""
    return any(db.is_expired(key) for db, key in c.watched)


@command(
    "multi",
    1,
    "noscript loading stale fast allow_busy",
    group="transactions",
    since="1.2.0",
    summary="Mark the start of a transaction block",
)
def multi(c: Client, argv: list[bytes]) -> object:
    if c.multi:
        raise CommandError(errors.MULTI_NESTED)
    c.multi = True
    return OK


@command(
    "discard",
    1,
    "noscript loading stale fast allow_busy",
    group="transactions",
    since="2.0.0",
    summary="Discard all commands issued after MULTI",
)
def discard(c: Client, argv: list[bytes]) -> object:
    if not c.multi:
        raise CommandError(errors.DISCARD_WITHOUT_MULTI)
    discard_transaction(c)
    return OK


@command(
    "exec",
    1,
    "noscript loading stale skip_slowlog",
    group="transactions",
    since="1.2.0",
    summary="Execute all commands issued after MULTI",
)
def exec_(c: Client, argv: list[bytes]) -> object:
    if not c.multi:
        raise CommandError(errors.EXEC_WITHOUT_MULTI)
    if not c.dirty_cas and watched_key_expired(c):
        c.dirty_cas = True
    if c.multi_error or c.dirty_cas:
        # A queueing error wins over a touched WATCH, as in Redis.
        reply: object = ErrorReply(errors.EXECABORT) if c.multi_error else NULL_ARRAY
        discard_transaction(c)
        return reply
    queue = c.multi_queue
    server = c.server
    server.unwatch_all(c)  # our own writes below must not matter, and nobody else's can happen
    no_block = c.no_block
    c.no_block = True  # blocking commands answer as timed out instead of blocking
    replies: list[object] = []
    try:
        for cmd, args in queue:
            if server.monitors:
                server.feed_monitors(c, args)
            mark = len(c.out)
            reply = dispatch.call(c, cmd, args, tick=False)  # time stands still during EXEC
            if reply is dispatch.NO_REPLY:
                # The command wrote its own replies (SUBSCRIBE): they become this element.
                written = c.out[mark:]
                del c.out[mark:]
                reply = Raw(b"".join(written))
            replies.append(reply)
    finally:
        c.no_block = no_block
        discard_transaction(c)
    # Clients blocked on keys written here are served by dispatch.execute once EXEC's reply is
    # queued, so they observe the transaction as a whole.
    return replies


@command(
    "watch",
    -2,
    "noscript loading stale fast allow_busy",
    keys=(1, -1, 1),
    group="transactions",
    since="2.2.0",
    summary="Watch the given keys to determine execution of the MULTI/EXEC block",
    syntax="key [key ...]",
)
def watch(c: Client, argv: list[bytes]) -> object:
    if c.multi:
        raise CommandError(errors.WATCH_IN_MULTI)
    if c.dirty_cas:  # the transaction is already doomed: nothing to add
        return OK
    db = c.db
    for key in argv[1:]:
        watchers = db.watched.get(key)
        if watchers is not None and c in watchers:
            continue
        if db.is_expired(key):
            db.peek(key)  # reclaim it now (see the module docstring); dirties earlier watchers
        db.watched.setdefault(key, []).append(c)
        c.watched.append((db, key))
    return OK


@command(
    "unwatch",
    1,
    "noscript loading stale fast allow_busy",
    group="transactions",
    since="2.2.0",
    summary="Forget about all watched keys",
)
def unwatch(c: Client, argv: list[bytes]) -> object:
    c.server.unwatch_all(c)
    return OK
