"""Pub/Sub against Redis 7.0: subscription replies, messages in RESP2 and RESP3, introspection,
and a subscriber that stops reading being dropped while the others keep being served."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess, parse_reply


@pytest.fixture
def publishers(node_server: NodeProcess, redis_server: RedisProcess) -> Iterator[Pair]:
    """A second connection to each server, to publish from."""
    ours, theirs = RawClient(node_server.port), RawClient(redis_server.port)
    yield Pair(ours, theirs)
    ours.close()
    theirs.close()


def read_both(pair: Pair) -> None:
    """The next pushed frame must be identical on both servers."""
    mine, real = pair.ours.read_reply(), pair.theirs.read_reply()
    assert mine == real, f"\n ours: {mine!r}\n redis: {real!r}"


def send_both(pair: Pair, *args: str) -> None:
    pair.ours.send(*args)
    pair.theirs.send(*args)


def test_subscribe_replies_one_frame_per_channel(pair: Pair) -> None:
    send_both(pair, "SUBSCRIBE", "a", "b", "a")
    for _ in range(3):
        read_both(pair)
    pair.check("PING")
    pair.check("PING", "x")
    pair.check("GET", "a")
    pair.check("PUBLISH", "a", "x")
    pair.check("UNSUBSCRIBE", "b")
    pair.check("PSUBSCRIBE", "h*")
    pair.check("PUNSUBSCRIBE")
    pair.check("UNSUBSCRIBE")
    pair.check("UNSUBSCRIBE")  # subscribed to nothing: a null channel
    pair.check("PUNSUBSCRIBE")
    pair.check("GET", "a")  # out of the subscribed context again


def test_unsubscribe_from_unknown_channels(pair: Pair) -> None:
    send_both(pair, "UNSUBSCRIBE", "x", "y")
    read_both(pair)
    read_both(pair)
    pair.check("PUNSUBSCRIBE", "p*")
    pair.check("SUBSCRIBE")
    pair.check("PSUBSCRIBE")


@pytest.mark.parametrize("protocol", ["2", "3"])
def test_messages_reach_channel_and_pattern_subscribers(pair: Pair, publishers: Pair, protocol: str) -> None:
    pair.both("HELLO", protocol)
    pair.check("SUBSCRIBE", "news")
    pair.check("PSUBSCRIBE", "ne*")
    publishers.check("PUBLISH", "news", "hello")
    read_both(pair)  # message
    read_both(pair)  # pmessage
    publishers.check("PUBLISH", "nest", "x")
    read_both(pair)
    publishers.check("PUBLISH", "other", "x")
    publishers.check("PUBSUB", "NUMSUB", "news", "nest", "other")
    publishers.check("PUBSUB", "NUMPAT")
    publishers.check("PUBSUB", "CHANNELS")
    publishers.check("PUBSUB", "CHANNELS", "n*")
    publishers.check("PUBSUB", "CHANNELS", "x*")
    if protocol == "3":
        pair.check("GET", "k")  # RESP3 clients may run any command while subscribed
        pair.check("PUBLISH", "news", "to-self")  # the message is pushed before the reply
        read_both(pair)
    pair.check("UNSUBSCRIBE", "news")
    pair.check("PUNSUBSCRIBE", "ne*")
    pair.check("UNSUBSCRIBE")
    publishers.check("PUBLISH", "news", "nobody")
    publishers.check("PUBSUB", "NUMPAT")


def test_binary_channels_and_payloads(pair: Pair, publishers: Pair) -> None:
    pair.check("SUBSCRIBE", "bin\x00chan")
    publishers.check("PUBLISH", "bin\x00chan", "\r\n\x00\xff")
    read_both(pair)


def test_pubsub_introspection_errors(pair: Pair) -> None:
    pair.check("PUBSUB")
    pair.check("PUBSUB", "FOO")
    pair.check("PUBSUB", "HELP")
    pair.check("PUBSUB", "CHANNELS", "a", "b")
    pair.check("PUBSUB", "NUMSUB")
    pair.check("PUBSUB", "NUMPAT", "x")
    pair.check("PUBSUB", "SHARDCHANNELS")
    pair.check("PUBSUB", "SHARDNUMSUB", "a")
    pair.check("PUBLISH")
    pair.check("PUBLISH", "a")
    pair.check("PUBLISH", "a", "b", "c")


def test_disconnected_subscriber_is_forgotten(
    pair: Pair, publishers: Pair, node_server: NodeProcess, redis_server: RedisProcess
) -> None:
    for port, publisher in ((node_server.port, publishers.ours), (redis_server.port, publishers.theirs)):
        gone = RawClient(port)
        gone.call("SUBSCRIBE", "leaving")
        gone.close()
        deadline = time.monotonic() + 2
        while publisher.call("PUBLISH", "leaving", "x") != b":0\r\n":
            assert time.monotonic() < deadline
            time.sleep(0.01)
    publishers.check("PUBSUB", "NUMSUB", "leaving")


def test_slow_subscriber_is_dropped_and_others_keep_receiving() -> None:
    # client-output-buffer-limit pubsub: hard 256kb; the kernel's socket buffers absorb a few MB
    # before anything stays queued in the server, hence the large messages.
    node = NodeProcess("--config-set", "client-output-buffer-limit", "pubsub 256kb 128kb 1")
    try:
        slow, fast, publisher = RawClient(node.port), RawClient(node.port), RawClient(node.port)
        assert slow.call("SUBSCRIBE", "firehose").startswith(b"*3")
        assert fast.call("SUBSCRIBE", "firehose").startswith(b"*3")
        payload = "x" * 65536
        receivers = []
        for _ in range(400):
            receivers.append(parse_reply(publisher.call("PUBLISH", "firehose", payload)))
            frame = parse_reply(fast.read_reply())
            assert frame == ("*", [b"message", b"firehose", payload.encode()])
            if receivers[-1] == 1 and len(receivers) > 1 and receivers[-2] == 1:
                break
        # The subscriber that never read was disconnected; the other one got every message.
        assert receivers[0] == 2 and receivers[-1] == 1, receivers
        assert parse_reply(publisher.call("PUBSUB", "NUMSUB", "firehose")) == ("*", [b"firehose", 1])
        assert slow.is_closed(timeout=5)
        assert publisher.call("CLIENT", "LIST").count(b"id=") == 2
    finally:
        node.stop()
