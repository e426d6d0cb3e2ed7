"""BGREWRITEAOF: compact the append-only file in the background (persistence/aof.py does it)."""

from __future__ import annotations

from miniredis_node.client import Client
from miniredis_node.persistence import aof
from miniredis_node.protocol import SimpleString
from miniredis_node.table import command


@command(
    "bgrewriteaof",
    1,
    "admin noscript no_async_loading",
    group="server",
    since="1.0.0",
    summary="Asynchronously rewrite the append-only file",
    acl="@admin @slow @dangerous",
    complexity="O(1)",
)
def bgrewriteaof(c: Client, argv: list[bytes]) -> object:
    return SimpleString(aof.bgrewrite(c.server))
