"""The asyncio glue: a listening socket, one `RespProtocol` per connection, and the server state
that outlives a single command (clients, pub/sub, blocked clients, statistics, cron).

Commands run synchronously on the event loop, one at a time, exactly as in Redis: every command
is atomic without locks. Blocking commands park the client (its further input waits in a
backlog) and are served when a write makes their key ready, or time out from a loop timer.

The protocol reads a batch of bytes, runs every complete command in it, and writes all replies
with one `transport.write` — the single most important choice for pipelined throughput.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from miniredis_node import errors, notify
from miniredis_node.client import Client
from miniredis_node.config import Config
from miniredis_node.dispatch import execute
from miniredis_node.eviction import EvictionPool, perform_evictions
from miniredis_node.eviction import configure as configure_eviction
from miniredis_node.keyspace import Database, Keyspace
from miniredis_node.persistence.snapshot import Snapshots
from miniredis_node.protocol import ErrorReply, QueryBufferLimit, encode

if TYPE_CHECKING:
    from collections.abc import Callable

    from miniredis_node.persistence.aof import AppendOnlyFile
    from miniredis_node.scripting.runtime import Engine

log = logging.getLogger("miniredis.node")

# Commands a blocked or paused client may queue before it is disconnected.
MAX_BACKLOG_COMMANDS = 1_000_000
# Redis's own figure for a started server's used_memory, before any key.
BASELINE_USED_MEMORY = 880_000


class RespProtocol(asyncio.Protocol):
    """One client connection: bytes in through the parser, replies out in one write per batch."""

    __slots__ = ("client", "server")

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client: Client | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have the same methods.
        transport = cast(asyncio.Transport, transport)
        server = self.server
        if len(server.clients) >= server.config["maxclients"]:
            transport.write(b"-%s\r\n" % errors.MAX_CLIENTS.encode())
            transport.close()
            server.rejected_connections += 1
            return
        server.next_client_id += 1
        client = Client(server, transport, server.next_client_id)
        server.clients[client.id] = client
        server.total_connections += 1
        self.client = client

    def data_received(self, data: bytes) -> None:
        client = self.client
        if client is None or client.closing:
            return
        commands, error = client.parser.feed(data)
        client.last_interaction = time.monotonic()
        if client.backlog or client.blocked is not None:
            # Redis keeps reading from blocked and paused clients (a disconnect must be seen);
            # what they send waits here, bounded like a query buffer.
            client.backlog.extend(commands)
            if len(client.backlog) > MAX_BACKLOG_COMMANDS:
                client.kill()
                return
            if error is not None:
                client.backlog_error = str(error)
            return
        self.server.run_batch(client, commands)
        if error is not None:
            if isinstance(error, QueryBufferLimit):
                log.warning("Client id=%d %s", client.id, error)
            else:
                client.out.append(b"-ERR %s\r\n" % str(error).encode())
            client.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.client is not None:
            self.server.forget_client(self.client)


def is_compiled() -> bool:
    """Whether the hot path runs as mypyc-built extensions (scripts/build_node_native.py)."""
    return not __file__.endswith(".py")


class Server:
    """Everything a running node holds. `start()` listens; `close()` stops."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.keyspace = Keyspace(self.config["databases"])
        self.clients: dict[int, Client] = {}
        self.next_client_id = 0
        self.started = time.time()
        self.started_monotonic = time.monotonic()
        self.run_id = os.urandom(20).hex()
        self._server: asyncio.base_events.Server | None = None
        self._cron: asyncio.TimerHandle | None = None
        self._stopped: asyncio.Future[None] | None = None
        self.port = self.config["port"]
        # Pub/Sub: channel or pattern -> subscribed clients, in subscription order.
        self.channels: dict[bytes, dict[Client, None]] = {}
        self.patterns: dict[bytes, dict[Client, None]] = {}
        self.monitors: list[Client] = []
        # CLIENT PAUSE: until this monotonic time; "write" or "all"; clients waiting on it.
        self.pause_until = 0.0
        self.pause_mode = ""
        self.paused_clients: dict[Client, None] = {}
        # Statistics.
        self.total_connections = 0
        self.rejected_connections = 0
        self.error_counts: dict[str, int] = {}
        self.ops_samples: deque[tuple[float, int]] = deque(maxlen=16)
        self.used_memory_peak = 0
        self.slowlog: deque[list[Any]] = deque(maxlen=self.config["slowlog-max-len"])
        self.slowlog_next_id = 0
        self.slowlog_threshold_us = self.config["slowlog-log-slower-than"]
        self.maxmemory = self.config["maxmemory"]
        # Redis's static EvictionPoolLRU and next_db (eviction.py), one per server.
        self.eviction_pool: EvictionPool | None = None
        self.eviction_next_db = 0
        # The Lua engine (scripting/), created by the first script.
        self.scripting: Engine | None = None
        configure_eviction(self)
        self.shutdown_hooks: list[Callable[[], None]] = []
        # DEBUG SET-ACTIVE-EXPIRE 0 turns the background expiry cycle off (tests rely on it).
        self.active_expire_enabled = True
        notify.attach(self)  # keyspace notifications: the setting, expiry and eviction hooks
        # The open append-only file while `appendonly` is on (persistence/aof.py).
        self.aof: AppendOnlyFile | None = None
        # RDB snapshots: SAVE/BGSAVE state, `save` rules, INFO's rdb_* (persistence/snapshot.py).
        self.rdb = Snapshots(self)

    # ---- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if not self.config["appendonly"]:  # with appendonly on, the AOF is the dataset
            self.rdb.load_on_start()
        hosts = self.config["bind"].split() or ["127.0.0.1"]
        self._server = await loop.create_server(
            lambda: RespProtocol(self),
            host=hosts,
            port=self.config["port"],
            reuse_address=True,
            backlog=self.config["tcp-backlog"],
        )
        # (uvloop gives a list where typeshed says tuple; compiled code would check the claim)
        sockets: list[Any] = list(getattr(self._server, "sockets", None) or [])
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self._stopped = loop.create_future()
        self._schedule_cron()
        log.info("Hot path: %s", "compiled (mypyc)" if is_compiled() else "pure Python (run `make native` to compile)")
        log.info("Ready to accept connections tcp on %s port %d", " ".join(hosts), self.port)

    async def serve_until_stopped(self) -> None:
        assert self._stopped is not None
        await self._stopped

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.shutdown, f"Received {signal.Signals(signum).name}")

    def shutdown(self, reason: str = "SHUTDOWN", *, save: bool | None = None, force: bool = False) -> bool:
        """Stop accepting, close every client, and let `serve_until_stopped` return.

        First the final snapshot: `save` True/False is SHUTDOWN SAVE/NOSAVE, None saves when
        `save` rules are set. If that snapshot fails the server keeps running and this returns
        False, unless `force`.
        """
        log.warning("%s, shutting down", reason)
        if not self.rdb.on_shutdown(save) and not force:
            log.warning("Errors trying to shut down the server. Check the logs for more information.")
            return False
        for hook in self.shutdown_hooks:
            hook()
        if self._server is not None:
            self._server.close()
        for client in list(self.clients.values()):
            client.close()
        if self._cron is not None:
            self._cron.cancel()
        if self._stopped is not None and not self._stopped.done():
            self._stopped.set_result(None)
        return True

    async def close(self) -> None:
        self.shutdown("close()")
        if self._server is not None:
            await self._server.wait_closed()

    # ---- request flow -------------------------------------------------------------------------
    def run_batch(self, client: Client, commands: list[list[bytes]]) -> None:
        """Run commands in order until they end or the client blocks, pauses or closes."""
        client.in_batch = True
        try:
            for position, argv in enumerate(commands):
                if self.pause_until and self._is_paused_for(client, argv):
                    client.backlog.extend(commands[position:])
                    self.paused_clients[client] = None
                    break
                execute(client, argv)
                if client.blocked is not None or client.closing:
                    client.backlog.extend(commands[position + 1 :])
                    break
        finally:
            client.in_batch = False
        if self.aof is not None:
            self.aof.before_reply()  # no reply leaves before its write is in the AOF
        client.flush()
        if client.close_after_reply:
            client.close()

    def resume(self, client: Client) -> None:
        """Continue a client's backlog after it was unblocked or unpaused."""
        if client.closing:
            return
        backlog, client.backlog = client.backlog, []
        if backlog:
            self.run_batch(client, backlog)
        if client.backlog_error and not client.backlog and client.blocked is None:
            client.out.append(b"-ERR %s\r\n" % client.backlog_error.encode())
            client.close()

    def forget_client(self, client: Client) -> None:
        client.closing = True
        self.clients.pop(client.id, None)
        for channel in client.channels:
            subscribers = self.channels.get(channel)
            if subscribers is not None:
                subscribers.pop(client, None)
                if not subscribers:
                    del self.channels[channel]
        for pattern in client.patterns:
            subscribers = self.patterns.get(pattern)
            if subscribers is not None:
                subscribers.pop(client, None)
                if not subscribers:
                    del self.patterns[pattern]
        client.channels.clear()
        client.patterns.clear()
        self.unwatch_all(client)
        if client.blocked is not None:
            self.unblock(client, None, send=False)
        if client in self.monitors:
            self.monitors.remove(client)
        self.paused_clients.pop(client, None)

    def unwatch_all(self, client: Client) -> None:
        for db, key in client.watched:
            watchers = db.watched.get(key)
            if watchers is not None:
                if client in watchers:
                    watchers.remove(client)
                if not watchers:
                    del db.watched[key]
        client.watched.clear()
        client.dirty_cas = False

    # ---- blocking -----------------------------------------------------------------------------
    def block(self, client: Client, state: Any, db: Database, keys: list[bytes], timeout_s: float) -> None:
        """Park `client` on `keys` until `state.serve(db, key)` succeeds or `timeout_s` passes.

        `state` is the blocking command's own object; it must have `serve(db, key) -> Any`
        returning a reply when it could be served (None otherwise) and `timeout_reply`.
        """
        client.blocked = state
        state.keys = keys
        state.db = db
        state.timer = None
        for key in keys:
            db.blocked.setdefault(key, deque()).append(client)
        if timeout_s > 0:
            loop = asyncio.get_running_loop()
            state.timer = loop.call_later(timeout_s, self._block_timeout, client, state)

    def _block_timeout(self, client: Client, state: Any) -> None:
        if client.blocked is state:
            self.unblock(client, state.timeout_reply)

    def unblock(self, client: Client, reply: Any, *, send: bool = True) -> None:
        state = client.blocked
        if state is None:
            return
        client.blocked = None
        db: Database = state.db
        for key in state.keys:
            waiters = db.blocked.get(key)
            if waiters is not None:
                try:
                    waiters.remove(client)
                except ValueError:
                    pass
                if not waiters:
                    del db.blocked[key]
        if state.timer is not None:
            state.timer.cancel()
        if send and not client.closing:
            if reply is not None and client.reply_mode == "on":
                client.send_raw(encode(reply, client.resp))
            asyncio.get_running_loop().call_soon(self.resume, client)

    def serve_blocked_clients(self) -> None:
        """Serve clients blocked on keys that writes made ready, in the order they blocked."""
        keyspace = self.keyspace
        while keyspace.ready_keys:
            ready, keyspace.ready_keys = keyspace.ready_keys, []
            for db, key in ready:
                waiters = db.blocked.get(key)
                while waiters:
                    client = waiters[0]
                    state = client.blocked
                    if state is None:
                        waiters.popleft()
                        continue
                    keyspace.tick()
                    dirty = keyspace.dirty
                    reply = state.serve(db, key)
                    if reply is None:
                        break
                    if self.aof is not None and keyspace.dirty != dirty:
                        self.aof.feed_served(db, state, key, reply)
                    self.unblock(client, reply)
                    waiters = db.blocked.get(key)

    # ---- CLIENT PAUSE -------------------------------------------------------------------------
    def _is_paused_for(self, client: Client, argv: list[bytes]) -> bool:
        if time.monotonic() >= self.pause_until:
            self.unpause()
            return False
        if self.pause_mode == "all":
            return True
        from miniredis_node.table import lookup

        cmd = lookup(argv)
        return cmd is not None and ("write" in cmd.flags or cmd.name in ("eval", "evalsha", "publish"))

    def unpause(self) -> None:
        self.pause_until = 0.0
        self.pause_mode = ""
        waiting, self.paused_clients = list(self.paused_clients), {}
        for client in waiting:
            self.resume(client)

    # ---- memory -------------------------------------------------------------------------------
    def used_memory(self) -> int:
        return BASELINE_USED_MEMORY + self.keyspace.used_memory

    def make_room(self) -> bool:
        """Evict keys by maxmemory-policy until under maxmemory (see `eviction`).

        False only when over the limit with nothing evictable (noeviction, or no volatile key
        under volatile-*): the dispatcher then refuses `denyoom` commands with OOM.
        """
        if not self.maxmemory or self.used_memory() <= self.maxmemory:
            return True
        return perform_evictions(self)

    def check_output_limits(self, client: Client) -> None:
        """Disconnect pub/sub clients that fall too far behind (client-output-buffer-limit pubsub)."""
        if not client.subscribed or client.transport is None:
            return
        size = client.transport.get_write_buffer_size()
        hard, soft, seconds = self.output_limits("pubsub")
        if hard and size > hard:
            log.warning("Client id=%d closed for overcoming of output buffer limits.", client.id)
            client.kill()
            return
        if soft and size > soft:
            now = time.monotonic()
            if not client.output_soft_since:
                client.output_soft_since = now
            elif now - client.output_soft_since > seconds:
                client.kill()
        else:
            client.output_soft_since = 0.0

    def output_limits(self, klass: str) -> tuple[int, int, int]:
        from miniredis_node.config import parse_memory

        words = self.config["client-output-buffer-limit"].split()
        for i in range(0, len(words) - 3, 4):
            if words[i] == klass:
                return parse_memory(words[i + 1]), parse_memory(words[i + 2]), int(words[i + 3])
        return 0, 0, 0

    # ---- monitoring ---------------------------------------------------------------------------
    def feed_monitors(self, client: Client, argv: list[bytes]) -> None:
        now = time.time()
        args = " ".join('"' + _monitor_escape(arg) + '"' for arg in argv)
        line = f"{now:.6f} [{client.db.id} {client.addr}] {args}"
        from miniredis_node.protocol import SimpleString

        for monitor in self.monitors:
            if monitor is not client:
                monitor.send(SimpleString(line))

    def slowlog_add(self, client: Client, argv: list[bytes], elapsed_us: int) -> None:
        shown = [a if len(a) <= 128 else a[:128] + b"... (%d more bytes)" % (len(a) - 128) for a in argv[:32]]
        if len(argv) > 32:
            shown[-1] = b"... (%d more arguments)" % (len(argv) - 31)
        self.slowlog.appendleft(
            [self.slowlog_next_id, int(time.time()), elapsed_us, shown, client.addr.encode(), client.name]
        )
        self.slowlog_next_id += 1

    @property
    def stats_commands(self) -> int:
        """total_commands_processed: the sum of every command's call counter."""
        from miniredis_node.table import COMMANDS

        total = 0
        for cmd in COMMANDS.values():
            total += cmd.calls
            for sub in cmd.subcommands.values():
                total += sub.calls
        return total

    def count_error(self, reply: ErrorReply) -> None:
        prefix = reply.split(" ", 1)[0]
        self.error_counts[prefix] = self.error_counts.get(prefix, 0) + 1

    def ops_per_sec(self) -> int:
        samples = self.ops_samples
        if len(samples) < 2:
            return 0
        (t0, c0), (t1, c1) = samples[0], samples[-1]
        return int((c1 - c0) / (t1 - t0)) if t1 > t0 else 0

    # ---- cron ---------------------------------------------------------------------------------
    def _schedule_cron(self) -> None:
        loop = asyncio.get_running_loop()
        self._cron = loop.call_later(1 / self.config["hz"], self._run_cron)

    def _run_cron(self) -> None:
        """Redis's serverCron, trimmed: active expiry, statistics, idle clients, pause expiry."""
        try:
            now = time.monotonic()
            self.ops_samples.append((now, self.stats_commands))
            self.keyspace.tick()
            deadline = now + 0.025
            if self.active_expire_enabled:
                for db in self.keyspace.dbs:
                    if db.expires:
                        db.active_expire(deadline)
            if self.keyspace.ready_keys:
                self.serve_blocked_clients()
            used = self.used_memory()
            if used > self.used_memory_peak:
                self.used_memory_peak = used
            if self.maxmemory:
                self.make_room()
            if self.aof is not None or self.config["appendonly"]:
                from miniredis_node.persistence.aof import sync_with_config

                sync_with_config(self)
            self.rdb.cron()
            timeout = self.config["timeout"]
            if timeout:
                for client in list(self.clients.values()):
                    if (
                        now - client.last_interaction > timeout
                        and not client.subscribed
                        and client.blocked is None
                        and not client.monitor
                    ):
                        client.close()
            if self.pause_until and now >= self.pause_until:
                self.unpause()
        except Exception:  # the cron must survive anything a bug throws at it
            log.exception("cron failed")
        self._schedule_cron()


def _monitor_escape(raw: bytes) -> str:
    out = []
    for byte in raw:
        if byte == 0x5C:
            out.append("\\\\")
        elif byte == 0x22:
            out.append('\\"')
        elif byte == 0x0A:
            out.append("\\n")
        elif byte == 0x0D:
            out.append("\\r")
        elif byte == 0x09:
            out.append("\\t")
        elif 32 <= byte < 127:
            out.append(chr(byte))
        else:
            out.append("\\x%02x" % byte)
    return "".join(out)
