"""Server commands: FLUSHALL, FLUSHDB, DBSIZE (INFO, CONFIG, ... live here too)."""

from __future__ import annotations

from miniredis_node import errors
from miniredis_node.client import Client
from miniredis_node.errors import CommandError
from miniredis_node.protocol import OK
from miniredis_node.table import command


def _flush_mode(argv: list[bytes]) -> None:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].upper() not in (b"ASYNC", b"SYNC")):
        raise CommandError(errors.SYNTAX)


@command("flushall", -1, "write", group="server", summary="Remove all keys from all databases",
         syntax="[ASYNC|SYNC]")
def flushall(c: Client, argv: list[bytes]) -> object:
    _flush_mode(argv)
    for db in c.keyspace.dbs:
        db.flush()
    return OK


@command("flushdb", -1, "write", group="server", summary="Remove all keys from the current database",
         syntax="[ASYNC|SYNC]")
def flushdb(c: Client, argv: list[bytes]) -> object:
    _flush_mode(argv)
    c.db.flush()
    return OK


@command("dbsize", 1, "readonly fast", group="server", summary="Return the number of keys in the selected database")
def dbsize(c: Client, argv: list[bytes]) -> object:
    return len(c.db.data)
