"""Running one command on a node for the dashboard's CLI, with guard rails.

Refused outright: commands that would break the platform or never end (SHUTDOWN, DEBUG, MONITOR,
SUBSCRIBE...), commands that change the state of a pooled connection (SELECT, MULTI, HELLO...),
and CONFIG SET of settings the control plane owns. Viewers may run only commands flagged
`readonly` in the node's command table (COMMAND INFO, cached; a built-in list is used if the node
does not implement COMMAND). Each run is bounded by a timeout and a reply budget, and audited
(command name and key count, never values).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from miniredis_api.core.config import Settings
from miniredis_api.core.errors import BadRequest, Forbidden, GatewayTimeout
from miniredis_api.services.commandline import UnbalancedQuotes, split_args
from miniredis_api.services.resp import Budget, Pool, ProtocolError, Value, to_json

REFUSED = {
    "shutdown": "it would stop the node behind the control plane's back; use the stop endpoint",
    "debug": "it can crash or freeze the node",
    "monitor": "it never ends",
    "subscribe": "it never ends",
    "psubscribe": "it never ends",
    "ssubscribe": "it never ends",
    "unsubscribe": "there is no subscription",
    "punsubscribe": "there is no subscription",
    "sunsubscribe": "there is no subscription",
    "sync": "replication is not offered",
    "psync": "replication is not offered",
    "replicaof": "replication is managed by the platform",
    "slaveof": "replication is managed by the platform",
    "failover": "replication is managed by the platform",
    "module": "modules are managed by the platform",
    "migrate": "it connects to other servers",
    "hello": "the API owns its connection's protocol",
    "auth": "the API authenticates for you",
    "select": "each request runs on a pooled connection to database 0",
    "multi": "transactions cannot span requests",
    "exec": "transactions cannot span requests",
    "discard": "transactions cannot span requests",
    "watch": "transactions cannot span requests",
    "unwatch": "transactions cannot span requests",
    "reset": "the API owns its connections",
    "quit": "the API owns its connections",
}
REFUSED_SUBCOMMANDS = {
    ("config", "rewrite"): "the control plane owns the configuration",
    ("client", "reply"): "the API needs every reply",
    ("client", "tracking"): "it sends pushes to a pooled connection",
    ("client", "pause"): "it would freeze the node",
    ("client", "unpause"): "pausing is not offered",
    ("client", "no-evict"): "the API owns its connections",
    ("client", "caching"): "tracking is not offered",
    ("acl", "setuser"): "the API manages users",
    ("acl", "deluser"): "the API manages users",
    ("acl", "load"): "the API manages users",
    ("acl", "save"): "the API manages users",
}
OWNED_CONFIG = {
    "requirepass",
    "maxmemory",
    "maxmemory-policy",
    "port",
    "bind",
    "dir",
    "dbfilename",
    "appendfilename",
    "appendonly",
    "appenddirname",
    "save",
    "protected-mode",
    "masterauth",
    "masteruser",
    "unixsocket",
    "tls-port",
    "maxclients",
    "enable-debug-command",
    "enable-module-command",
    "rename-command",
}
CONTAINERS = {
    "config",
    "client",
    "acl",
    "object",
    "memory",
    "command",
    "script",
    "function",
    "xinfo",
    "xgroup",
    "cluster",
    "latency",
    "slowlog",
    "pubsub",
}
# Used only when the node cannot describe its commands (no COMMAND INFO).
READONLY_FALLBACK = set(
    [
        "get",
        "mget",
        "strlen",
        "getrange",
        "substr",
        "exists",
        "type",
        "ttl",
        "pttl",
        "expiretime",
        "pexpiretime",
        "keys",
        "scan",
        "dbsize",
        "randomkey",
        "hget",
        "hgetall",
        "hmget",
        "hkeys",
        "hvals",
        "hlen",
        "hexists",
        "hstrlen",
        "hscan",
        "hrandfield",
        "lrange",
        "llen",
        "lindex",
        "lpos",
        "smembers",
        "sismember",
        "smismember",
        "scard",
        "srandmember",
        "sscan",
        "sinter",
        "sintercard",
        "sunion",
        "sdiff",
        "zrange",
        "zrangebyscore",
        "zrangebylex",
        "zrevrange",
        "zrevrangebyscore",
        "zrevrangebylex",
        "zscore",
        "zmscore",
        "zcard",
        "zcount",
        "zlexcount",
        "zrank",
        "zrevrank",
        "zscan",
        "zrandmember",
        "zinter",
        "zunion",
        "zdiff",
        "getbit",
        "bitcount",
        "bitpos",
        "bitfield_ro",
        "pfcount",
        "xrange",
        "xrevrange",
        "xlen",
        "xread",
        "geopos",
        "geodist",
        "geohash",
        "geosearch",
        "georadius_ro",
        "georadiusbymember_ro",
        "ping",
        "echo",
        "time",
        "info",
        "lastsave",
        "dump",
        "touch",
        "sort_ro",
        "lcs",
    ]
)
READONLY_SUBCOMMANDS_FALLBACK = {
    "config|get",
    "client|list",
    "client|info",
    "client|getname",
    "client|id",
    "object|encoding",
    "object|freq",
    "object|idletime",
    "object|refcount",
    "memory|usage",
    "memory|stats",
    "command|info",
    "command|count",
    "command|docs",
    "slowlog|get",
    "slowlog|len",
    "acl|whoami",
    "acl|list",
    "acl|users",
    "acl|cat",
}


@dataclass(frozen=True)
class CommandInfo:
    readonly: bool
    first_key: int
    last_key: int
    step: int

    def key_count(self, argc: int) -> int:
        if self.first_key <= 0 or self.step <= 0:
            return 0
        last = self.last_key if self.last_key >= 0 else argc + self.last_key
        last = min(last, argc - 1)
        return len(range(self.first_key, last + 1, self.step)) if last >= self.first_key else 0


@dataclass(frozen=True)
class Outcome:
    name: str
    reply: dict[str, object]
    elapsed_ms: float
    truncated: bool
    key_count: int | None


def parse_request(command: str | None, args: list[str] | None) -> list[str]:
    if args is None:
        try:
            args = split_args(command or "")
        except UnbalancedQuotes as error:
            raise BadRequest(f"invalid command line: {error}") from None
    if not args or not args[0].strip():
        raise BadRequest("empty command")
    return args


def command_name(argv: list[str]) -> str:
    """`set`, or `config|get` for a container's subcommand."""
    name = argv[0].lower()
    if name in CONTAINERS and len(argv) > 1:
        return f"{name}|{argv[1].lower()}"
    return name


def refusal(argv: list[str]) -> str | None:
    """Why the platform refuses this command, or None."""
    name = argv[0].lower()
    if name in REFUSED:
        return REFUSED[name]
    sub = argv[1].lower() if len(argv) > 1 else ""
    if (name, sub) in REFUSED_SUBCOMMANDS:
        return REFUSED_SUBCOMMANDS[(name, sub)]
    if name == "config" and sub == "set":
        owned = sorted({p.lower() for p in argv[2::2]} & OWNED_CONFIG)
        if owned:
            return f"the control plane owns {', '.join(owned)} (use the node's PATCH endpoint for memory and policy)"
    return None


class Executor:
    """Runs commands on nodes: one pool of RESP3 connections, one cache of command info."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = Pool()
        self.infos: dict[str, CommandInfo | None] = {}
        self.node_has_command_table: bool | None = None

    async def info(self, host: str, port: int, password: str, name: str) -> CommandInfo | None:
        if name in self.infos:
            return self.infos[name]
        info: CommandInfo | None = None
        if self.node_has_command_table is not False:
            try:
                reply = await self.pool.call(
                    host, port, password, [b"COMMAND", b"INFO", name.encode()], self.settings.exec_timeout_seconds
                )
                info = _parse_command_info(reply)
                self.node_has_command_table = reply[0] != "error"
            except (OSError, TimeoutError, ProtocolError, ConnectionError):
                return _fallback_info(name)
        if not self.node_has_command_table:
            info = _fallback_info(name)
        self.infos[name] = info
        return info

    async def run(self, *, host: str, port: int, password: str, argv: list[str], readonly_only: bool) -> Outcome:
        name = command_name(argv)
        reason = refusal(argv)
        if reason is not None:
            raise Forbidden(f"{name.replace('|', ' ').upper()} is refused: {reason}")
        info = await self.info(host, port, password, name)
        if readonly_only and (info is None or not info.readonly):
            raise Forbidden(f"a viewer may run only read-only commands; {name.replace('|', ' ').upper()} is not one")
        started = time.perf_counter()
        try:
            reply = await self.pool.call(
                host,
                port,
                password,
                [a.encode("utf-8", "surrogateescape") for a in argv],
                self.settings.exec_timeout_seconds,
            )
        except TimeoutError:
            raise GatewayTimeout(f"the command did not finish within {self.settings.exec_timeout_seconds:g}s") from None
        elapsed = (time.perf_counter() - started) * 1000
        budget = Budget(items=self.settings.exec_max_items, string_bytes=self.settings.exec_max_string_bytes)
        body = to_json(reply, budget)
        return Outcome(
            name=name,
            reply=body,
            elapsed_ms=round(elapsed, 3),
            truncated=budget.truncated,
            key_count=info.key_count(len(argv)) if info is not None else None,
        )

    def close(self) -> None:
        self.pool.close()


def _parse_command_info(reply: Value) -> CommandInfo | None:
    kind, payload = reply
    if kind != "array" or not payload or payload[0][0] != "array":
        return None
    entry = payload[0][1]
    try:
        flags = {flag[1].decode().lower() for flag in entry[2][1]}
        return CommandInfo(
            readonly="readonly" in flags, first_key=int(entry[3][1]), last_key=int(entry[4][1]), step=int(entry[5][1])
        )
    except (IndexError, TypeError, ValueError, AttributeError):
        return None


def _fallback_info(name: str) -> CommandInfo | None:
    readonly = name in READONLY_FALLBACK or name in READONLY_SUBCOMMANDS_FALLBACK
    return CommandInfo(readonly=readonly, first_key=0, last_key=0, step=0) if readonly else None
