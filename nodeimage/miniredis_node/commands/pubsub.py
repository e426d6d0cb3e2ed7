"""Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB introspection.

The registries live on the server (`server.channels`, `server.patterns`: name -> subscribed
clients, in subscription order) and on each client (`c.channels`, `c.patterns`), and must always
agree; `server.forget_client` cleans both when a connection goes away.

Confirmations and messages are push frames (`PushReply`): arrays in RESP2, `>` in RESP3. A
message is encoded once per protocol version and written to each subscriber straight to its
transport, where `server.check_output_limits` (client-output-buffer-limit pubsub) drops
subscribers that stop reading, so one slow consumer never holds the publisher or the others.

`publish` is the entry point for other modules too (keyspace notifications).
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from miniredis_node import errors
from miniredis_node.client import Client
from miniredis_node.dispatch import NO_REPLY
from miniredis_node.errors import CommandError
from miniredis_node.protocol import PushReply, SimpleString, encode
from miniredis_node.table import command, container

if TYPE_CHECKING:
    from miniredis_node.server import Server


def glob_match(pattern: bytes, subject: bytes) -> bool:
    """Redis's stringmatchlen; fnmatch stands in until miniredis_node.glob exists."""
    try:
        from miniredis_node.glob import match  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return fnmatch.fnmatchcase(subject, pattern)
    return bool(match(pattern, subject))


def subscription_count(c: Client) -> int:
    return len(c.channels) + len(c.patterns)


# ---- registry operations (no replies) ---------------------------------------------------------


def _add(registry: dict[bytes, dict[Client, None]], name: bytes, c: Client) -> None:
    registry.setdefault(name, {})[c] = None


def _remove(registry: dict[bytes, dict[Client, None]], name: bytes, c: Client) -> None:
    subscribers = registry.get(name)
    if subscribers is not None:
        subscribers.pop(c, None)
        if not subscribers:
            del registry[name]


def drop_all_subscriptions(c: Client) -> None:
    """Leave every channel and pattern silently (RESET)."""
    server = c.server
    for channel in c.channels:
        _remove(server.channels, channel, c)
    for pattern in c.patterns:
        _remove(server.patterns, pattern, c)
    c.channels.clear()
    c.patterns.clear()


def publish(server: Server, channel: bytes, message: bytes) -> int:
    """Deliver `message` to the channel's subscribers, then to matching patterns; the receiver count."""
    frames: dict[int, bytes] = {}
    receivers = 0
    subscribers = server.channels.get(channel)
    if subscribers:
        for client in list(subscribers):
            data = frames.get(client.resp)
            if data is None:
                data = frames[client.resp] = encode(PushReply([b"message", channel, message]), client.resp)
            client.send_raw(data)
            receivers += 1
    if server.patterns:
        for pattern, clients in list(server.patterns.items()):
            if not glob_match(pattern, channel):
                continue
            pattern_frames: dict[int, bytes] = {}
            for client in list(clients):
                data = pattern_frames.get(client.resp)
                if data is None:
                    frame = PushReply([b"pmessage", pattern, channel, message])
                    data = pattern_frames[client.resp] = encode(frame, client.resp)
                client.send_raw(data)
                receivers += 1
    return receivers


# ---- commands ---------------------------------------------------------------------------------

_SUB_FLAGS = "pubsub noscript loading stale"


@command(
    "subscribe",
    -2,
    _SUB_FLAGS,
    group="pubsub",
    since="2.0.0",
    summary="Listen for messages published to the given channels",
    complexity="O(N) where N is the number of channels to subscribe to.",
    syntax="channel [channel ...]",
)
def subscribe(c: Client, argv: list[bytes]) -> object:
    for channel in argv[1:]:
        if channel not in c.channels:
            c.channels.add(channel)
            _add(c.server.channels, channel, c)
        c.send(PushReply([b"subscribe", channel, subscription_count(c)]))
    return NO_REPLY


@command(
    "psubscribe",
    -2,
    _SUB_FLAGS,
    group="pubsub",
    since="2.0.0",
    summary="Listen for messages published to channels matching the given patterns",
    complexity="O(N) where N is the number of patterns the client is already subscribed to.",
    syntax="pattern [pattern ...]",
)
def psubscribe(c: Client, argv: list[bytes]) -> object:
    for pattern in argv[1:]:
        if pattern not in c.patterns:
            c.patterns.add(pattern)
            _add(c.server.patterns, pattern, c)
        c.send(PushReply([b"psubscribe", pattern, subscription_count(c)]))
    return NO_REPLY


def _unsubscribe(
    c: Client, kind: bytes, names: list[bytes], mine: set[bytes], registry: dict[bytes, dict[Client, None]]
) -> object:
    if not names:
        names = list(mine)
        if not names:
            # Nothing to leave: Redis still confirms, with a null channel.
            c.send(PushReply([kind, None, subscription_count(c)]))
            return NO_REPLY
    for name in names:
        if name in mine:
            mine.discard(name)
            _remove(registry, name, c)
        c.send(PushReply([kind, name, subscription_count(c)]))
    return NO_REPLY


@command(
    "unsubscribe",
    -1,
    _SUB_FLAGS,
    group="pubsub",
    since="2.0.0",
    summary="Stop listening for messages posted to the given channels",
    complexity="O(N) where N is the number of clients already subscribed to a channel.",
    syntax="[channel [channel ...]]",
)
def unsubscribe(c: Client, argv: list[bytes]) -> object:
    return _unsubscribe(c, b"unsubscribe", argv[1:], c.channels, c.server.channels)


@command(
    "punsubscribe",
    -1,
    _SUB_FLAGS,
    group="pubsub",
    since="2.0.0",
    summary="Stop listening for messages posted to channels matching the given patterns",
    complexity="O(N+M) where N is the number of patterns the client is already subscribed and M is the "
    "number of total patterns subscribed in the system (by any client).",
    syntax="[pattern [pattern ...]]",
)
def punsubscribe(c: Client, argv: list[bytes]) -> object:
    return _unsubscribe(c, b"punsubscribe", argv[1:], c.patterns, c.server.patterns)


@command(
    "publish",
    3,
    "pubsub loading stale fast",
    group="pubsub",
    since="2.0.0",
    summary="Post a message to a channel",
    complexity="O(N+M) where N is the number of clients subscribed to the receiving channel and M is the "
    "total number of subscribed patterns (by any client).",
    syntax="channel message",
)
def publish_command(c: Client, argv: list[bytes]) -> object:
    return publish(c.server, argv[1], argv[2])


# ---- PUBSUB -----------------------------------------------------------------------------------

container("pubsub", group="pubsub", since="2.8.0", summary="A container for Pub/Sub commands")

PUBSUB_HELP = (
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
)


@command(
    "pubsub|help",
    2,
    "loading stale",
    group="pubsub",
    since="6.2.0",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def pubsub_help(c: Client, argv: list[bytes]) -> object:
    return [SimpleString(line) for line in PUBSUB_HELP]


def _pattern_arg(argv: list[bytes]) -> bytes | None:
    if len(argv) > 3:
        raise CommandError(errors.SUBCOMMAND_ARGS.format(argv[1].decode(errors="replace"), "PUBSUB"))
    return argv[2] if len(argv) == 3 else None


@command(
    "pubsub|channels",
    -2,
    "pubsub loading stale",
    group="pubsub",
    since="2.8.0",
    summary="List active channels",
    complexity="O(N) where N is the number of active channels, and assuming constant time pattern matching "
    "(relatively short channels and patterns)",
    syntax="[pattern]",
)
def pubsub_channels(c: Client, argv: list[bytes]) -> object:
    pattern = _pattern_arg(argv)
    return [name for name in c.server.channels if pattern is None or glob_match(pattern, name)]


@command(
    "pubsub|numsub",
    -2,
    "pubsub loading stale",
    group="pubsub",
    since="2.8.0",
    summary="Get the count of subscribers for channels",
    complexity="O(N) for the NUMSUB subcommand, where N is the requested channels",
    syntax="[channel [channel ...]]",
)
def pubsub_numsub(c: Client, argv: list[bytes]) -> object:
    reply: list[object] = []
    for channel in argv[2:]:
        reply.append(channel)
        reply.append(len(c.server.channels.get(channel, ())))
    return reply


@command(
    "pubsub|numpat",
    2,
    "pubsub loading stale",
    group="pubsub",
    since="2.8.0",
    summary="Get the count of unique patterns pattern subscriptions",
    complexity="O(1)",
)
def pubsub_numpat(c: Client, argv: list[bytes]) -> object:
    return len(c.server.patterns)


@command(
    "pubsub|shardchannels",
    -2,
    "pubsub loading stale",
    group="pubsub",
    since="7.0.0",
    summary="List active shard channels",
    complexity="O(N) where N is the number of active shard channels, and assuming constant time pattern "
    "matching (relatively short shard channels).",
    syntax="[pattern]",
)
def pubsub_shardchannels(c: Client, argv: list[bytes]) -> object:
    _pattern_arg(argv)
    return []  # sharded pub/sub has no channels on a standalone node without SSUBSCRIBE


@command(
    "pubsub|shardnumsub",
    -2,
    "pubsub loading stale",
    group="pubsub",
    since="7.0.0",
    summary="Get the count of subscribers for shard channels",
    complexity="O(N) for the SHARDNUMSUB subcommand, where N is the requested shard channels",
    syntax="[shardchannel [shardchannel ...]]",
)
def pubsub_shardnumsub(c: Client, argv: list[bytes]) -> object:
    reply: list[object] = []
    for channel in argv[2:]:
        reply.append(channel)
        reply.append(0)
    return reply
