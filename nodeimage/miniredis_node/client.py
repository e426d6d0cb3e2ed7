"""One connected client: its protocol state, selected database and per-connection modes.

The server creates a `Client` per connection; handlers receive it as their first argument and
reach everything else through it (`c.db`, `c.server`, `c.keyspace`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from miniredis_node.protocol import RequestParser, encode

if TYPE_CHECKING:
    import asyncio

    from miniredis_node.keyspace import Database, Keyspace
    from miniredis_node.server import Server


class Client:
    __slots__ = (
        "id",
        "server",
        "keyspace",
        "transport",
        "parser",
        "db",
        "resp",
        "name",
        "lib_name",
        "lib_ver",
        "authenticated",
        "addr",
        "laddr",
        "created",
        "last_interaction",
        "last_command",
        "out",
        "in_batch",
        "closing",
        "close_after_reply",
        # transactions
        "multi",
        "multi_queue",
        "multi_error",
        "dirty_cas",
        "watched",
        # pub/sub
        "channels",
        "patterns",
        # blocking and pausing
        "blocked",
        "backlog",
        # modes
        "reply_mode",
        "no_evict",
        "monitor",
        "output_soft_since",
        "no_block",
        "backlog_error",
    )

    def __init__(self, server: Server, transport: asyncio.Transport | None, client_id: int) -> None:
        self.id = client_id
        self.server = server
        self.keyspace: Keyspace = server.keyspace
        self.transport = transport
        config = server.config
        self.parser = RequestParser(
            max_bulk_len=config["proto-max-bulk-len"],
            max_query_buffer=config["client-query-buffer-limit"],
        )
        self.db: Database = server.keyspace.dbs[0]
        self.resp = 2
        self.name = b""
        self.lib_name = b""
        self.lib_ver = b""
        self.authenticated = not config["requirepass"]
        self.parser.authenticated = self.authenticated
        self.addr = "?:0"
        self.laddr = "?:0"
        if transport is not None:
            peer = transport.get_extra_info("peername")
            sock = transport.get_extra_info("sockname")
            if peer:
                self.addr = _format_addr(peer)
            if sock:
                self.laddr = _format_addr(sock)
        self.created = self.last_interaction = time.monotonic()
        self.last_command = "NULL"  # the full name of the last command run ("client|list")
        self.out: list[bytes] = []
        self.in_batch = False
        self.closing = False
        self.close_after_reply = False
        self.multi = False
        self.multi_queue: list[tuple[Any, list[bytes]]] = []
        self.multi_error = False
        self.dirty_cas = False
        self.watched: list[tuple[Database, bytes]] = []
        self.channels: set[bytes] = set()
        self.patterns: set[bytes] = set()
        # While blocked (BLPOP...) or paused (CLIENT PAUSE), commands wait in `backlog`.
        self.blocked: Any = None
        self.backlog: list[list[bytes]] = []
        # A protocol error that arrived while commands waited in the backlog: sent, then the
        # connection closed, once the backlog has run.
        self.backlog_error = ""
        self.reply_mode = "on"  # CLIENT REPLY on|off|skip
        self.no_evict = False
        self.monitor = False
        self.output_soft_since = 0.0
        # True while this client's commands run inside EXEC (or a script): blocking commands
        # must then answer as if their timeout had passed, never block.
        self.no_block = False

    @property
    def subscribed(self) -> bool:
        return bool(self.channels or self.patterns)

    def select(self, index: int) -> None:
        self.db = self.keyspace.dbs[index]

    def send(self, reply: Any) -> None:
        """Send a reply outside the request/response flow (pub/sub messages, unblocked pops)."""
        self.send_raw(encode(reply, self.resp))

    def send_raw(self, data: bytes) -> None:
        if self.closing:
            return
        if self.in_batch:
            self.out.append(data)
        elif self.transport is not None:
            self.transport.write(data)
            self.server.check_output_limits(self)

    def flush(self) -> None:
        out = self.out
        if out and self.transport is not None and not self.closing:
            self.transport.write(out[0] if len(out) == 1 else b"".join(out))
            if self.channels or self.patterns:  # only subscribers have an output limit here
                self.server.check_output_limits(self)
        self.out = []

    def close(self) -> None:
        """Close the connection after what is already queued has been written."""
        if self.closing:
            return
        self.flush()
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def kill(self) -> None:
        """Drop the connection now, discarding pending output (CLIENT KILL, buffer limits)."""
        self.closing = True
        self.out = []
        if self.transport is not None:
            self.transport.abort()

    def info_line(self) -> str:
        """This client's line in CLIENT LIST / CLIENT INFO, fields in Redis 7.0's order."""
        now = time.monotonic()
        flags = ""
        if self.multi:
            flags += "x"
        if self.blocked is not None:
            flags += "b"
        if self.dirty_cas:
            flags += "d"
        if self.subscribed:
            flags += "P"
        if self.monitor:
            flags += "O"
        if self.no_evict:
            flags += "e"
        flags = flags or "N"
        qbuf = self.parser.buffered
        omem = 0
        if self.transport is not None:
            omem = self.transport.get_write_buffer_size()
        return (
            f"id={self.id} addr={self.addr} laddr={self.laddr} fd={8 + self.id} "
            f"name={self.name.decode(errors='replace')} age={int(now - self.created)} "
            f"idle={int(now - self.last_interaction)} flags={flags} db={self.db.id} "
            f"sub={len(self.channels)} psub={len(self.patterns)} ssub=0 "
            f"multi={len(self.multi_queue) if self.multi else -1} qbuf={qbuf} qbuf-free=0 "
            f"argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem={omem} tot-mem={qbuf + omem + 1024} "
            f"events=r cmd={self.last_command} user=default redir=-1 "
            f"resp={self.resp}"
        )


def _format_addr(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = address[0]
        return f"[{host}]:{address[1]}" if ":" in str(host) else f"{host}:{address[1]}"
    return str(address)
