"""Server commands: FLUSHALL, FLUSHDB, DBSIZE, TIME, LASTSAVE, INFO, CONFIG, COMMAND, MEMORY,
SLOWLOG, LATENCY, MONITOR, WAIT, SHUTDOWN.

Handlers stay thin: INFO's text comes from `miniredis_node.info`, COMMAND's replies from
`miniredis_node.docs`, settings from `miniredis_node.config`. CONFIG SET is atomic as in Redis
7.0: every pair is validated before any is applied, and a failure leaves every setting as it was.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

# docs and info (and the platform module behind INFO) load on first use: a node starts sooner.
from miniredis_node import errors, notify
from miniredis_node.args import to_int
from miniredis_node.client import Client
from miniredis_node.commands.pubsub import glob_match
from miniredis_node.config import BY_NAME, SETTINGS, ConfigError, Setting
from miniredis_node.dispatch import NO_REPLY
from miniredis_node.errors import CommandError
from miniredis_node.keyspace import EXPIRE_ENTRY_OVERHEAD, KEY_ENTRY_OVERHEAD, bytes_size, value_size
from miniredis_node.protocol import OK, MapReply, SetReply, SimpleString, Verbatim
from miniredis_node.table import COMMANDS, Command, command, container


def help_reply(lines: tuple[str, ...]) -> list[SimpleString]:
    return [SimpleString(line) for line in lines]


def subcommand_syntax_error(argv: list[bytes], parent: str) -> CommandError:
    return CommandError(errors.SUBCOMMAND_ARGS.format(argv[1].decode(errors="replace"), parent))


# ---- keyspace-wide ----------------------------------------------------------------------------


def _flush_mode(argv: list[bytes]) -> None:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].upper() not in (b"ASYNC", b"SYNC")):
        raise CommandError(errors.SYNTAX)


@command(
    "flushall",
    -1,
    "write",
    group="server",
    summary="Remove all keys from all databases",
    syntax="[ASYNC|SYNC]",
    acl="@keyspace @dangerous",
    complexity="O(N) where N is the total number of keys in all databases",
)
def flushall(c: Client, argv: list[bytes]) -> object:
    _flush_mode(argv)
    for db in c.keyspace.dbs:
        db.flush()
    return OK


@command(
    "flushdb",
    -1,
    "write",
    group="server",
    summary="Remove all keys from the current database",
    syntax="[ASYNC|SYNC]",
    acl="@keyspace @dangerous",
    complexity="O(N) where N is the number of keys in the selected database",
)
def flushdb(c: Client, argv: list[bytes]) -> object:
    _flush_mode(argv)
    c.db.flush()
    return OK


@command(
    "dbsize",
    1,
    "readonly fast",
    group="server",
    summary="Return the number of keys in the selected database",
    acl="@keyspace",
    complexity="O(1)",
)
def dbsize(c: Client, argv: list[bytes]) -> object:
    return len(c.db.data)


@command(
    "time",
    1,
    "loading stale fast",
    group="server",
    since="2.6.0",
    summary="Return the current server time",
    complexity="O(1)",
)
def time_(c: Client, argv: list[bytes]) -> object:
    now_us = time.time_ns() // 1000
    return [b"%d" % (now_us // 1_000_000), b"%d" % (now_us % 1_000_000)]


@command(
    "lastsave",
    1,
    "loading stale fast",
    group="server",
    since="1.0.0",
    summary="Get the UNIX time stamp of the last successful save to disk",
    acl="@admin @dangerous",
    complexity="O(1)",
)
def lastsave(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import info

    return info.last_save_time(c.server)


@command(
    "info",
    -1,
    "loading stale",
    group="server",
    since="1.0.0",
    summary="Get information and statistics about the server",
    acl="@dangerous",
    syntax="[section [section ...]]",
    complexity="O(1)",
)
def info_(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import info

    return Verbatim(info.render(c.server, argv[1:]).encode())


@command(
    "monitor",
    1,
    "admin noscript loading stale",
    group="server",
    since="1.0.0",
    summary="Listen for all requests received by the server in real time",
)
def monitor(c: Client, argv: list[bytes]) -> object:
    if not c.monitor:
        c.monitor = True
        c.server.monitors.append(c)
    return OK


@command(
    "wait",
    3,
    "noscript",
    group="generic",
    since="3.0.0",
    acl="@connection",
    summary="Wait for the synchronous replication of all the write commands sent in the context of the current "
    "connection",
    syntax="numreplicas timeout",
    complexity="O(1)",
)
def wait(c: Client, argv: list[bytes]) -> object:
    replicas = to_int(argv[1])
    if replicas is None:
        raise CommandError(errors.NOT_INTEGER)
    timeout_ms = to_int(argv[2])
    if timeout_ms is None:
        raise CommandError(errors.TIMEOUT_NOT_INTEGER)
    if timeout_ms < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    if replicas <= 0 or c.no_block:
        return 0
    # No replica will ever acknowledge: wait out the timeout (forever for 0), as Redis does.
    c.server.block(c, _WaitState(), c.db, [], timeout_ms / 1000)
    return NO_REPLY


class _WaitState:
    """WAIT's blocked state: it is never served by a key, only by its timeout (0 replicas)."""

    timeout_reply = 0

    def serve(self, db: Any, key: bytes) -> Any:
        return None


@command(
    "shutdown",
    -1,
    "admin noscript loading stale no_multi allow_busy",
    group="server",
    since="1.0.0",
    summary="Synchronously save the dataset to disk and then shut down the server",
    syntax="[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]",
    complexity="O(N) when saving, where N is the total number of keys in all databases when saving data, "
    "otherwise O(1)",
)
def shutdown(c: Client, argv: list[bytes]) -> object:
    words = {arg.lower() for arg in argv[1:]}
    if not words <= {b"nosave", b"save", b"now", b"force", b"abort"} or len(words) != len(argv) - 1:
        raise CommandError(errors.SYNTAX)
    if {b"nosave", b"save"} <= words or (b"abort" in words and len(words) > 1):
        raise CommandError(errors.SYNTAX)
    if b"abort" in words:
        raise CommandError(errors.NO_SHUTDOWN_IN_PROGRESS)
    save = True if b"save" in words else False if b"nosave" in words else None
    if not c.server.shutdown("User requested shutdown...", save=save, force=b"force" in words):
        raise CommandError(errors.SHUTDOWN_FAILED)
    return NO_REPLY


# ---- CONFIG -----------------------------------------------------------------------------------

container("config", group="server", since="2.0.0", summary="A container for server configuration commands")

CONFIG_HELP = (
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
)
_CONFIG_FLAGS = "admin noscript loading stale"
# Settings Redis clamps into range instead of refusing (hz).
_CLAMPED = {"hz": (1, 500)}


def config_names() -> list[str]:
    """Every name CONFIG GET answers to: canonical names and their aliases."""
    names: list[str] = []
    for setting in SETTINGS:
        names.append(setting.name)
        names.extend(setting.aliases)
    return names


def config_get(patterns: list[bytes], show: Any) -> dict[bytes, bytes]:
    """Name -> value for every setting matching any pattern (each name once)."""
    found: dict[bytes, bytes] = {}
    names = config_names()
    for raw in patterns:
        pattern = raw.lower()
        if not any(ch in pattern for ch in b"*?["):
            if pattern.decode(errors="replace") in BY_NAME:
                found[raw] = show(pattern.decode())
            continue
        for name in names:
            if glob_match(pattern, name.encode()):
                found.setdefault(name.encode(), show(name))
    return found


def _clamp(setting: Setting, raw: bytes) -> bytes:
    """Redis clamps some settings into range instead of refusing them (`CONFIG SET hz 1000`)."""
    bounds = _CLAMPED.get(setting.name)
    number = to_int(raw)
    if bounds is None or number is None:
        return raw
    return b"%d" % min(max(number, bounds[0]), bounds[1])


def _redis_wording(setting: Setting, raw: bytes, error: ConfigError) -> str:
    # Settings without a declared maximum are C ints in Redis: it prints INT_MAX, never "inf".
    return str(error).replace(" and inf inclusive", " and 2147483647 inclusive")


@command(
    "config|help",
    2,
    "loading stale",
    group="server",
    since="5.0.0",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def config_help(c: Client, argv: list[bytes]) -> object:
    return help_reply(CONFIG_HELP)


@command(
    "config|get",
    -3,
    _CONFIG_FLAGS,
    group="server",
    since="2.0.0",
    summary="Get the values of configuration parameters",
    complexity="O(N) when N is the number of configuration parameters provided",
    syntax="parameter [parameter ...]",
)
def config_get_command(c: Client, argv: list[bytes]) -> object:
    return MapReply(config_get(argv[2:], c.server.config.show))


@command(
    "config|set",
    -4,
    _CONFIG_FLAGS,
    group="server",
    since="2.0.0",
    summary="Set configuration parameters to the given values",
    complexity="O(N) when N is the number of configuration parameters provided",
    syntax="parameter value [parameter value ...]",
)
def config_set(c: Client, argv: list[bytes]) -> object:
    if len(argv) % 2:
        raise CommandError(errors.SYNTAX)
    pairs = [(argv[i], argv[i + 1]) for i in range(2, len(argv), 2)]
    seen: set[bytes] = set()
    targets: list[tuple[bytes, Setting, bytes]] = []
    for raw_name, raw_value in pairs:
        name = raw_name.decode(errors="replace")
        setting = BY_NAME.get(name.lower())
        if setting is None:
            raise CommandError(errors.CONFIG_SET_UNKNOWN.format(name))
        if not setting.mutable:
            raise CommandError(errors.CONFIG_SET_FAILED.format(name, "can't set immutable config"))
        if raw_name.lower() in seen:
            raise CommandError(errors.CONFIG_SET_FAILED.format(name, "duplicate parameter"))
        seen.add(raw_name.lower())
        targets.append((raw_name, setting, raw_value))
    config = c.server.config
    before = dict(config.values)
    for raw_name, setting, raw_value in targets:
        try:
            config.parse_and_set(setting.name, _clamp(setting, raw_value))
        except ConfigError as error:
            config.values.clear()
            config.values.update(before)
            reason = _redis_wording(setting, raw_value, error)
            raise CommandError(errors.CONFIG_SET_FAILED.format(raw_name.decode(errors="replace"), reason)) from None
    apply_settings(c, {setting.name for _, setting, _ in targets})
    return OK


def apply_settings(c: Client, names: set[str]) -> None:
    """Make the running server follow settings CONFIG SET just changed."""
    server = c.server
    config = server.config
    if "maxmemory" in names:
        server.maxmemory = config["maxmemory"]
    if names & {"maxmemory-policy", "lfu-log-factor", "lfu-decay-time"}:
        from miniredis_node.eviction import configure

        configure(server)
    if "notify-keyspace-events" in names:
        notify.configure(server)
    if "slowlog-log-slower-than" in names:
        server.slowlog_threshold_us = config["slowlog-log-slower-than"]
    if "slowlog-max-len" in names:
        server.slowlog = deque(server.slowlog, maxlen=config["slowlog-max-len"])
    if "proto-max-bulk-len" in names or "client-query-buffer-limit" in names:
        for client in server.clients.values():
            client.parser.max_bulk_len = config["proto-max-bulk-len"]
            client.parser.max_query_buffer = config["client-query-buffer-limit"]
    if "appendonly" in names:
        from miniredis_node.persistence.aof import sync_with_config

        sync_with_config(server)
    if names & {"maxmemory", "maxmemory-policy"} and server.maxmemory:
        server.make_room()


@command(
    "config|resetstat",
    2,
    _CONFIG_FLAGS,
    group="server",
    since="2.0.0",
    summary="Reset the stats returned by INFO",
    complexity="O(1)",
)
def config_resetstat(c: Client, argv: list[bytes]) -> object:
    reset_stats(c)
    return OK


def reset_stats(c: Client) -> None:
    """resetServerStats + resetCommandTableStats + resetErrorTableStats."""
    from miniredis_node import docs

    server = c.server
    for cmd in docs.all_commands():
        cmd.calls = cmd.usec = cmd.rejected_calls = cmd.failed_calls = 0
    server.error_counts.clear()
    server.total_connections = 0
    server.rejected_connections = 0
    server.ops_samples.clear()
    server.used_memory_peak = server.used_memory()
    keyspace = server.keyspace
    keyspace.hits = keyspace.misses = keyspace.expired_keys = keyspace.evicted_keys = 0


@command(
    "config|rewrite",
    2,
    _CONFIG_FLAGS,
    group="server",
    since="2.8.0",
    summary="Rewrite the configuration file with the in memory configuration",
    complexity="O(1)",
)
def config_rewrite(c: Client, argv: list[bytes]) -> object:
    raise CommandError(errors.CONFIG_NO_FILE)


# ---- COMMAND ----------------------------------------------------------------------------------

COMMAND_HELP = (
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
)
_COMMAND_FLAGS = "loading stale"


@command(
    "command",
    -1,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="2.8.13",
    summary="Get array of Redis command details",
    complexity="O(N) where N is the total number of Redis commands",
)
def command_(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import docs

    if len(argv) > 1:  # reached only when the subcommand is unknown: the dispatcher answers that
        raise CommandError(errors.UNKNOWN_SUBCOMMAND.format(argv[1].decode(errors="replace"), "COMMAND"))
    return [docs.info_entry(cmd) for cmd in COMMANDS.values()]


@command(
    "command|help",
    2,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="5.0.0",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def command_help(c: Client, argv: list[bytes]) -> object:
    return help_reply(COMMAND_HELP)


@command(
    "command|count",
    2,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="2.8.13",
    summary="Get total number of Redis commands",
    complexity="O(1)",
)
def command_count(c: Client, argv: list[bytes]) -> object:
    return len(COMMANDS)


@command(
    "command|info",
    -2,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="2.8.13",
    summary="Get array of specific Redis command details, or all when no argument is given.",
    complexity="O(N) where N is the number of commands to look up",
    syntax="[command-name [command-name ...]]",
)
def command_info(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import docs

    if len(argv) == 2:
        return [docs.info_entry(cmd) for cmd in COMMANDS.values()]
    found = [docs.find(name) for name in argv[2:]]
    return [docs.info_entry(cmd) if cmd is not None else None for cmd in found]


@command(
    "command|docs",
    -2,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="7.0.0",
    summary="Get array of specific Redis command documentation",
    complexity="O(N) where N is the number of commands to look up",
    syntax="[command-name [command-name ...]]",
)
def command_docs(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import docs

    if len(argv) == 2:
        chosen = list(COMMANDS.values())
    else:
        chosen = [cmd for cmd in (docs.find(name) for name in argv[2:]) if cmd is not None]
    return MapReply({cmd.name.encode(): docs.docs_entry(cmd) for cmd in chosen})


@command(
    "command|list",
    -2,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="7.0.0",
    summary="Get an array of Redis command names",
    complexity="O(N) where N is the total number of Redis commands",
    syntax="[FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]",
)
def command_list(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import docs

    if len(argv) == 2:
        return [name.encode() for name in docs.all_names()]
    if len(argv) != 5 or argv[2].lower() != b"filterby":
        raise CommandError(errors.SYNTAX)
    kind, value = argv[3].lower(), argv[4]
    if kind == b"module":
        return []
    if kind == b"aclcat":
        category = value.decode(errors="replace").lower()
        return [cmd.name.encode() for cmd in docs.all_commands() if category in docs.acl_categories(cmd)]
    if kind == b"pattern":
        pattern = value.lower()
        return [name.encode() for name in docs.all_names() if glob_match(pattern, name.encode())]
    raise CommandError(errors.SYNTAX)


def _keys_of(argv: list[bytes]) -> tuple[Command, list[int]]:
    """COMMAND GETKEYS: the target command and the positions of its keys in `argv[2:]`."""
    target = argv[2:]
    cmd = COMMANDS.get(target[0].lower())
    if cmd is not None and cmd.subcommands and len(target) > 1:
        cmd = cmd.subcommands.get(target[1].lower())
    if cmd is None:
        raise CommandError(errors.GETKEYS_INVALID_COMMAND)
    if cmd.first_key <= 0 and cmd.getkeys is None:
        raise CommandError(errors.GETKEYS_NO_KEYS)
    if not cmd.arity_ok(len(target)):
        raise CommandError(errors.GETKEYS_INVALID_ARITY)
    try:
        positions = cmd.key_positions(target)
    except (CommandError, IndexError, ValueError):
        positions = []
    if not positions:
        raise CommandError(errors.GETKEYS_INVALID_ARGS)
    return cmd, positions


@command(
    "command|getkeys",
    -4,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="2.8.13",
    summary="Extract keys given a full Redis command",
    complexity="O(N) where N is the number of arguments to the command",
    syntax="command [arg [arg ...]]",
)
def command_getkeys(c: Client, argv: list[bytes]) -> object:
    _, positions = _keys_of(argv)
    return [argv[2 + i] for i in positions]


@command(
    "command|getkeysandflags",
    -4,
    _COMMAND_FLAGS,
    group="server",
    acl="@connection",
    since="7.0.0",
    summary="Extract keys and access flags given a full Redis command",
    complexity="O(N) where N is the number of arguments to the command",
    syntax="command [arg [arg ...]]",
)
def command_getkeysandflags(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import docs

    cmd, positions = _keys_of(argv)
    flags = SetReply([SimpleString(flag) for flag in docs.key_spec_flags(cmd)])
    return [[argv[2 + i], flags] for i in positions]


# ---- MEMORY -----------------------------------------------------------------------------------

container("memory", group="server", since="4.0.0", summary="A container for memory diagnostics commands")

MEMORY_HELP = (
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
)
DOCTOR_EMPTY = (
    "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these "
    "conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back "
    "to our programming as soon as I finished rebooting.\n"
)
DOCTOR_FINE = (
    "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
)


@command(
    "memory|help",
    2,
    "loading stale",
    group="server",
    since="4.0.0",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def memory_help(c: Client, argv: list[bytes]) -> object:
    return help_reply(MEMORY_HELP)


def key_memory(c: Client, key: bytes, value: Any) -> int:
    """MEMORY USAGE: the key's entry, its name, its value, and its TTL entry if any."""
    size = KEY_ENTRY_OVERHEAD + bytes_size(len(key)) + value_size(value)
    if key in c.db.expires:
        size += EXPIRE_ENTRY_OVERHEAD
    return size


@command(
    "memory|usage",
    -3,
    "readonly",
    keys=(2, 2, 1),
    group="server",
    since="4.0.0",
    summary="Estimate the memory usage of a key",
    complexity="O(N) where N is the number of samples.",
    syntax="key [SAMPLES count]",
)
def memory_usage(c: Client, argv: list[bytes]) -> object:
    i = 3
    while i < len(argv):
        if argv[i].lower() == b"samples" and i + 1 < len(argv):
            samples = to_int(argv[i + 1])
            if samples is None:
                raise CommandError(errors.NOT_INTEGER)
            if samples < 0:
                raise CommandError(errors.SYNTAX)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    value = c.db.peek(argv[2])
    if value is None:
        return None
    return key_memory(c, argv[2], value)


@command("memory|stats", 2, "", group="server", since="4.0.0", summary="Show memory usage details", complexity="O(1)")
def memory_stats(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import info

    server = c.server
    used = server.used_memory()
    peak = max(server.used_memory_peak, used)
    startup = 880_000
    rss = info.rss_bytes()
    stats: dict[bytes, object] = {
        b"peak.allocated": peak,
        b"total.allocated": used,
        b"startup.allocated": startup,
        b"replication.backlog": 0,
        b"clients.slaves": 0,
        b"clients.normal": 0,
        b"cluster.links": 0,
        b"aof.buffer": 0,
        b"lua.caches": 0,
        b"functions.caches": 0,
    }
    keys = 0
    for db in server.keyspace.dbs:
        if db.data or db.expires:
            keys += len(db.data)
            stats[b"db.%d" % db.id] = MapReply(
                {
                    b"overhead.hashtable.main": KEY_ENTRY_OVERHEAD * len(db.data),
                    b"overhead.hashtable.expires": EXPIRE_ENTRY_OVERHEAD * len(db.expires),
                    b"overhead.hashtable.slot-to-keys": 0,
                }
            )
    dataset = max(used - startup, 0)
    stats.update(
        {
            b"overhead.total": startup,
            b"keys.count": keys,
            b"keys.bytes-per-key": (used - startup) // keys if keys else 0,
            b"dataset.bytes": dataset,
            b"dataset.percentage": dataset * 100 / used if used else 0.0,
            b"peak.percentage": used * 100 / peak if peak else 0.0,
            b"allocator.allocated": used,
            b"allocator.active": used,
            b"allocator.resident": rss,
            b"allocator-fragmentation.ratio": 1.0,
            b"allocator-fragmentation.bytes": 0,
            b"allocator-rss.ratio": rss / used if used else 0.0,
            b"allocator-rss.bytes": rss - used,
            b"rss-overhead.ratio": 1.0,
            b"rss-overhead.bytes": 0,
            b"fragmentation": rss / used if used else 0.0,
            b"fragmentation.bytes": rss - used,
        }
    )
    return MapReply(stats)


@command(
    "memory|doctor", 2, "", group="server", since="4.0.0", summary="Outputs memory problems report", complexity="O(1)"
)
def memory_doctor(c: Client, argv: list[bytes]) -> object:
    # Redis's detector needs at least 5 MB of data to say anything.
    empty = c.server.keyspace.used_memory < 5 * 1024 * 1024
    return Verbatim((DOCTOR_EMPTY if empty else DOCTOR_FINE).encode())


@command(
    "memory|malloc-stats",
    2,
    "",
    group="server",
    since="4.0.0",
    summary="Show allocator internal stats",
    complexity="Depends on how much memory is allocated, could be slow",
)
def memory_malloc_stats(c: Client, argv: list[bytes]) -> object:
    return Verbatim(b"Stats not supported for the current allocator")


@command(
    "memory|purge",
    2,
    "",
    group="server",
    since="4.0.0",
    summary="Ask the allocator to release memory",
    complexity="Depends on how much memory is allocated, could be slow",
)
def memory_purge(c: Client, argv: list[bytes]) -> object:
    return OK


# ---- SLOWLOG ----------------------------------------------------------------------------------

container("slowlog", group="server", since="2.2.12", summary="A container for slow log commands")

SLOWLOG_HELP = (
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    "HELP",
    "    Prints this help.",
)


@command(
    "slowlog|help",
    2,
    "loading stale",
    group="server",
    since="6.2.0",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def slowlog_help(c: Client, argv: list[bytes]) -> object:
    return help_reply(SLOWLOG_HELP)


@command(
    "slowlog|get",
    -2,
    "admin loading stale",
    group="server",
    since="2.2.12",
    summary="Get the slow log's entries",
    complexity="O(N) where N is the number of entries returned",
    syntax="[count]",
)
def slowlog_get(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 3:
        raise subcommand_syntax_error(argv, "SLOWLOG")
    count = 10
    if len(argv) == 3:
        parsed = to_int(argv[2])
        if parsed is None or parsed < -1:
            raise CommandError(errors.SLOWLOG_COUNT)
        count = parsed
    entries = list(c.server.slowlog)
    if count >= 0:
        entries = entries[:count]
    return entries


@command(
    "slowlog|len",
    2,
    "admin loading stale",
    group="server",
    since="2.2.12",
    summary="Get the slow log's length",
    complexity="O(1)",
)
def slowlog_len(c: Client, argv: list[bytes]) -> object:
    return len(c.server.slowlog)


@command(
    "slowlog|reset",
    2,
    "admin loading stale",
    group="server",
    since="2.2.12",
    summary="Clear all entries from the slow log",
    complexity="O(N) where N is the number of entries in the slowlog",
)
def slowlog_reset(c: Client, argv: list[bytes]) -> object:
    c.server.slowlog.clear()
    return OK


# ---- LATENCY ----------------------------------------------------------------------------------

container("latency", group="server", since="2.8.13", summary="A container for latency diagnostics commands")

LATENCY_HELP = (
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
    "HELP",
    "    Prints this help.",
)
LATENCY_DISABLED = (
    "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use "
    '"CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space '
    "mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
)
LATENCY_NO_EVENTS = (
    "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. "
    "I honestly think you ought to sleep better tonight.\n"
)
_LATENCY_FLAGS = "admin noscript loading stale"


@command(
    "latency|help",
    2,
    "loading stale",
    group="server",
    since="2.8.13",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def latency_help(c: Client, argv: list[bytes]) -> object:
    return help_reply(LATENCY_HELP)


# The node does not sample latency events yet (fork, AOF fsync and expiry-cycle stalls are not
# timed), so the event-based reports are always empty.


@command(
    "latency|latest",
    2,
    _LATENCY_FLAGS,
    group="server",
    since="2.8.13",
    summary="Return the latest latency samples for all events.",
    complexity="O(1)",
)
def latency_latest(c: Client, argv: list[bytes]) -> object:
    return []


@command(
    "latency|history",
    3,
    _LATENCY_FLAGS,
    group="server",
    since="2.8.13",
    summary="Return timestamp-latency samples for the event.",
    complexity="O(1)",
    syntax="event",
)
def latency_history(c: Client, argv: list[bytes]) -> object:
    return []


@command(
    "latency|reset",
    -2,
    _LATENCY_FLAGS,
    group="server",
    since="2.8.13",
    summary="Reset latency data for one or more events.",
    complexity="O(1)",
    syntax="[event [event ...]]",
)
def latency_reset(c: Client, argv: list[bytes]) -> object:
    return 0


@command(
    "latency|graph",
    3,
    _LATENCY_FLAGS,
    group="server",
    since="2.8.13",
    summary="Return a latency graph for the event.",
    complexity="O(1)",
    syntax="event",
)
def latency_graph(c: Client, argv: list[bytes]) -> object:
    raise CommandError(errors.LATENCY_NO_SAMPLES.format(argv[2].decode(errors="replace")))


@command(
    "latency|doctor",
    2,
    _LATENCY_FLAGS,
    group="server",
    since="2.8.13",
    summary="Return a human readable latency analysis report.",
    complexity="O(1)",
)
def latency_doctor(c: Client, argv: list[bytes]) -> object:
    enabled = c.server.config["latency-monitor-threshold"] > 0
    return Verbatim((LATENCY_NO_EVENTS if enabled else LATENCY_DISABLED).encode())


@command(
    "latency|histogram",
    -2,
    _LATENCY_FLAGS,
    group="server",
    since="7.0.0",
    summary="Return the cumulative distribution of latencies of a subset of commands or all commands.",
    complexity="O(N) where N is the number of commands with latency information being retrieved.",
    syntax="[command [command ...]]",
)
def latency_histogram(c: Client, argv: list[bytes]) -> object:
    from miniredis_node import docs

    if len(argv) == 2:
        chosen = [cmd for cmd in docs.all_commands() if cmd.calls]
    else:
        chosen = [cmd for cmd in (docs.find(name) for name in argv[2:]) if cmd is not None and cmd.calls]
    return MapReply(
        {cmd.name.encode(): MapReply({b"calls": cmd.calls, b"histogram_usec": MapReply()}) for cmd in chosen}
    )
