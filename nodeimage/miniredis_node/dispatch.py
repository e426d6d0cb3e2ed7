"""From an argument vector to a reply: the checks Redis's processCommand makes, then the call.

`execute` is the per-command hot path (every request goes through it), so it is written flat:
table lookup, arity, authentication, memory, pub/sub context, MULTI queueing, call, encode.
`call` is the part EXEC and scripts reuse: run the handler, turn a `CommandError` into an error
reply, count statistics.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Final

from miniredis_node import errors
from miniredis_node.errors import CommandError
from miniredis_node.protocol import OK, QUEUED, ErrorReply, encode
from miniredis_node.table import COMMANDS, Command

if TYPE_CHECKING:
    from miniredis_node.client import Client


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


log = logging.getLogger("miniredis.node")

# A handler returns NO_REPLY when it has written its replies itself (SUBSCRIBE writes one per
# channel) or when it blocked the client (BLPOP): nothing is written now.
NO_REPLY: Final = _Marker("NO_REPLY")

# Commands a client in a MULTI runs at once instead of queueing.
_MULTI_IMMEDIATE: Final = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})
# Commands a RESP2 client may send while subscribed.
_SUBSCRIBED_ALLOWED: Final = frozenset(
    {"ping", "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "quit", "reset"}
)
_OK_BYTES: Final = b"+OK\r\n"

# The clock, as a Final alias: compiled, a Final module name is a C static where any other
# global is a dict lookup per use (twice per command here).
time_ns: Final = time.time_ns
_OK_REPLY: Final = OK  # the same aliasing for the two replies execute() tests on every command
_ERROR_REPLY: Final = ErrorReply

# Raw command name (any casing a client uses) -> table entry; avoids lower() on the hot path.
_BY_RAW_NAME: Final[dict[bytes, Command]] = {}


def resolve(argv: list[bytes]) -> Command | str:
    """The table entry for argv, or the error text that rejects it (unknown, wrong arity)."""
    name = argv[0]
    cmd = _BY_RAW_NAME.get(name)
    if cmd is None:
        cmd = COMMANDS.get(name.lower())
        if cmd is None:
            return _unknown_command(argv)
        if len(_BY_RAW_NAME) < 4096:
            _BY_RAW_NAME[name] = cmd
    if cmd.subcommands and (len(argv) > 1 or cmd.handler is None):
        if len(argv) < 2:
            cmd.rejected_calls += 1
            return errors.WRONG_ARGS.format(cmd.name)
        sub = cmd.subcommands.get(argv[1].lower())
        if sub is None:
            return errors.UNKNOWN_SUBCOMMAND.format(_printable(argv[1])[:128], cmd.name.upper())
        cmd = sub
    arity = cmd.arity
    argc = len(argv)
    if (argc != arity) if arity > 0 else (argc < -arity):
        cmd.rejected_calls += 1
        return errors.WRONG_ARGS.format(cmd.name)
    return cmd


def execute(c: Client, argv: list[bytes]) -> None:
    """Run one request from client `c` and queue its encoded reply on `c.out`."""
    cmd = _BY_RAW_NAME.get(argv[0])
    if cmd is None or cmd.subcommands:
        resolved = resolve(argv)
        if isinstance(resolved, str):
            _refuse(c, argv, resolved)
            return
        cmd = resolved
    else:
        arity = cmd.arity
        if (len(argv) != arity) if arity > 0 else (len(argv) < -arity):
            cmd.rejected_calls += 1
            _refuse(c, argv, errors.WRONG_ARGS.format(cmd.name))
            return
    server = c.server
    # The gates of processCommand, cheapest first; a plain client passes them in a few loads.
    if not c.authenticated and "no_auth" not in cmd.flags:
        _reject(c, cmd, errors.NOAUTH)
        return
    if server.maxmemory and not _memory_ok(c, cmd):
        return
    if c.multi:
        if cmd.name not in _MULTI_IMMEDIATE:
            if "no_multi" in cmd.flags:
                _reject(c, cmd, errors.COMMAND_NOT_ALLOWED_IN_MULTI)
                return
            c.multi_queue.append((cmd, argv))
            _reply(c, QUEUED)
            return
    elif (c.channels or c.patterns) and c.resp == 2:
        base = cmd.name.partition("|")[0]
        if base not in _SUBSCRIBED_ALLOWED:
            _reject(c, cmd, errors.SUBSCRIBED_CONTEXT.format(base))
            return
    if server.monitors:
        server.feed_monitors(c, argv)
    keyspace = c.keyspace
    if server.aof is None:
        # `call` inlined for the common case (no AOF to feed): one Python frame less per
        # command. It must do exactly what `call(c, cmd, argv)` does.
        start = time_ns()
        keyspace.now_ms = start // 1_000_000  # one clock reading per command
        c.last_command = cmd.name
        try:
            reply = cmd.handler(c, argv)  # type: ignore[misc]
        except Exception as error:
            reply = _handler_failed(cmd, error)
        elapsed_us = (time_ns() - start) // 1000
        cmd.calls += 1
        cmd.usec += elapsed_us
        if elapsed_us >= server.slowlog_threshold_us >= 0:
            server.slowlog_add(c, argv, elapsed_us)
        kind = type(reply)
        if kind is _ERROR_REPLY:
            server.count_error(reply)
    else:
        reply = call(c, cmd, argv)
        kind = type(reply)
    if reply is not NO_REPLY:
        if c.reply_mode == "on":
            # `_reply` inlined for the three commonest replies; the rest go through `encode`.
            if reply is _OK_REPLY:
                c.out.append(_OK_BYTES)
            elif kind is bytes:
                c.out.append(b"$%d\r\n%s\r\n" % (len(reply), reply))
            elif kind is int:
                c.out.append(b":%d\r\n" % reply)
            elif reply is None and c.resp == 2:
                c.out.append(b"$-1\r\n")
            else:
                c.out.append(encode(reply, c.resp))
        else:
            _reply(c, reply)
    if keyspace.ready_keys:
        server.serve_blocked_clients()


def _refuse(c: Client, argv: list[bytes], text: str) -> None:
    """Reply to a request the table rejects (unknown command, wrong arity)."""
    if argv[0].lower() == b"exec":
        _abort_exec(c, text)
        return
    if c.multi:
        c.multi_error = True
    error = ErrorReply(text)
    c.server.count_error(error)
    _reply(c, error)


def call(c: Client, cmd: Command, argv: list[bytes], *, tick: bool = True) -> Any:
    """Run the handler; errors become error replies; statistics and the slow log are kept.

    `tick=False` keeps the keyspace clock where it is: EXEC and scripts freeze time for their
    whole body, so no key expires half-way through a transaction. `execute` has an inlined copy
    of this for the case without an AOF; keep the two in step.
    """
    keyspace = c.keyspace
    server = c.server
    aof = server.aof
    if aof is not None:  # what the AOF needs to see whether (and what) this command wrote
        dirty, mark = keyspace.dirty, aof.mark()
    start = time_ns()
    if tick:
        keyspace.now_ms = start // 1_000_000  # one clock reading per command
    c.last_command = cmd.name
    try:
        reply = cmd.handler(c, argv)  # type: ignore[misc]
    except Exception as error:
        reply = _handler_failed(cmd, error)
    elapsed_us = (time_ns() - start) // 1000
    cmd.calls += 1
    cmd.usec += elapsed_us
    if aof is not None and keyspace.dirty != dirty:
        aof.feed(c, cmd, argv, reply, mark)
    if elapsed_us >= server.slowlog_threshold_us >= 0:
        server.slowlog_add(c, argv, elapsed_us)
    if type(reply) is ErrorReply:
        server.count_error(reply)
    return reply


def _handler_failed(cmd: Command, error: Exception) -> ErrorReply:
    """The reply for a handler that raised: its `CommandError`, or a bug, which must cost one
    reply, never the server."""
    cmd.failed_calls += 1
    if isinstance(error, CommandError):
        return ErrorReply(error.message)
    log.exception("command %r failed", cmd.name, exc_info=error)
    return ErrorReply(f"ERR internal error in '{cmd.name}': {type(error).__name__}")


def _memory_ok(c: Client, cmd: Command) -> bool:
    """Evict under the policy; refuse commands that may grow memory when that is not enough."""
    server = c.server
    if server.make_room() or "denyoom" not in cmd.flags:
        return True
    if cmd.name == "exec" and not any("denyoom" in queued.flags for queued, _ in c.multi_queue):
        return True
    _reject(c, cmd, errors.OOM)
    return False


def _abort_exec(c: Client, text: str) -> None:
    """A rejected EXEC discards the transaction: `EXECABORT ... because of: <reason>`."""
    from miniredis_node.commands.transactions import abort_exec

    _reply(c, abort_exec(c, text))


def _reject(c: Client, cmd: Command, text: str) -> None:
    if cmd.name == "exec":
        cmd.rejected_calls += 1
        _abort_exec(c, text)
        return
    cmd.rejected_calls += 1
    if c.multi:
        c.multi_error = True
    error = ErrorReply(text)
    c.server.count_error(error)
    _reply(c, error)


def _reply(c: Client, reply: Any) -> None:
    mode = c.reply_mode
    if mode != "on":
        if mode == "skip":
            c.reply_mode = "on"
        return
    kind = type(reply)
    if reply is OK:
        c.out.append(_OK_BYTES)
    elif kind is bytes:
        c.out.append(b"$%d\r\n%s\r\n" % (len(reply), reply))
    elif kind is int:
        c.out.append(b":%d\r\n" % reply)
    else:
        c.out.append(encode(reply, c.resp))


def _printable(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").replace("\r", " ").replace("\n", " ")


def _unknown_command(argv: list[bytes]) -> str:
    args = ""
    for arg in argv[1:]:
        if len(args) >= 128:
            break
        args += "'" + _printable(arg)[: 128 - len(args)] + "' "
    return errors.UNKNOWN_COMMAND.format(_printable(argv[0])[:128], args)
