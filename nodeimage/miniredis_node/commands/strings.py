"""String commands (GET, SET and friends)."""

from __future__ import annotations

from miniredis_node.client import Client
from miniredis_node.protocol import OK
from miniredis_node.table import command


@command("get", 2, "readonly fast", keys=(1, 1, 1), group="string", summary="Get the value of a key", syntax="key")
def get(c: Client, argv: list[bytes]) -> object:
    return c.db.lookup_typed(argv[1], bytes)


@command("set", -3, "write denyoom", keys=(1, 1, 1), group="string", summary="Set the string value of a key",
         syntax="key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]")
def set_(c: Client, argv: list[bytes]) -> object:
    c.db.set(argv[1], argv[2])
    return OK
