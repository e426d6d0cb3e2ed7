"""Connection commands: PING, ECHO, SELECT, QUIT (the rest of connection handling lives here too)."""

from __future__ import annotations

from miniredis_node import errors
from miniredis_node.args import to_int
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.protocol import OK, PushReply, SimpleString
from miniredis_node.table import command

PONG = SimpleString("PONG")


@command("ping", -1, "fast", group="connection", summary="Ping the server", syntax="[message]")
def ping(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 2:
        raise CommandError(errors.WRONG_ARGS.format("ping"))
    if c.resp == 2 and (c.channels or c.patterns):
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    return argv[1] if len(argv) == 2 else PONG


@command("echo", 2, "fast", group="connection", summary="Echo the given string", syntax="message")
def echo(c: Client, argv: list[bytes]) -> object:
    return argv[1]


@command("select", 2, "loading stale fast", group="connection", since="1.0.0",
         summary="Change the selected database for the current connection", syntax="index")
def select(c: Client, argv: list[bytes]) -> object:
    index = to_int(argv[1])
    if index is None:
        raise CommandError(errors.NOT_INTEGER)
    if not 0 <= index < len(c.keyspace.dbs):
        raise CommandError(errors.DB_INDEX_OUT_OF_RANGE)
    c.select(index)
    return OK


@command("quit", -1, "noscript loading stale fast no_auth allow_busy", group="connection",
         summary="Close the connection")
def quit_(c: Client, argv: list[bytes]) -> object:
    c.close_after_reply = True
    return OK


__all__ = ["PushReply"]
