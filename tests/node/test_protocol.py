"""The RESP codec byte for byte (no sockets), then malformed input against a real Redis.

The parser has a hiredis fast path and a pure-Python reference path; the tests below feed the
same streams split at every byte boundary so both paths, and the hand-over between them, are
exercised.
"""

from __future__ import annotations

import random

import pytest

from miniredis_node.protocol import (
    NULL_ARRAY,
    OK,
    ErrorReply,
    MapReply,
    PushReply,
    RequestParser,
    SetReply,
    SimpleString,
    Verbatim,
    encode,
)
from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess

PIPELINE = (
    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"
    b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    b"PING\r\n"
    b"SET \"two words\" 'it\\'s' \r\n"
    b"*1\r\n$4\r\nPING\r\n"
    b"\r\n"
    b"*0\r\n"
    b'ECHO "\\x41\\n"\n'
)
EXPECTED = [
    [b"SET", b"k", b"hello"],
    [b"GET", b"k"],
    [b"PING"],
    [b"SET", b"two words", b"it's"],
    [b"PING"],
    [b"ECHO", b"A\n"],
]


def parse_all(chunks: list[bytes]) -> tuple[list[list[bytes]], str | None]:
    parser = RequestParser()
    commands: list[list[bytes]] = []
    for chunk in chunks:
        got, error = parser.feed(chunk)
        commands.extend(got)
        if error is not None:
            return commands, str(error)
    return commands, None


def test_pipeline_of_multibulk_and_inline_in_one_read() -> None:
    assert parse_all([PIPELINE]) == (EXPECTED, None)


@pytest.mark.parametrize("cut", range(1, len(PIPELINE)))
def test_pipeline_split_at_every_byte(cut: int) -> None:
    assert parse_all([PIPELINE[:cut], PIPELINE[cut:]]) == (EXPECTED, None)


def test_byte_at_a_time() -> None:
    assert parse_all([PIPELINE[i : i + 1] for i in range(len(PIPELINE))]) == (EXPECTED, None)


def test_large_value_goes_through_the_reference_path_intact() -> None:
    value = bytes(random.Random(1).randrange(256) for _ in range(300_000))
    frame = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(value), value)
    chunks = [frame[i : i + 7000] for i in range(0, len(frame), 7000)]
    assert parse_all(chunks) == ([[b"SET", b"k", value], [b"PING"]], None)


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (b"*abc\r\n", "Protocol error: invalid multibulk length"),
        (b"*3000000000\r\n", "Protocol error: invalid multibulk length"),
        (b"*1\r\n:5\r\n", "Protocol error: expected '$', got ':'"),
        (b"*1\r\n*1\r\n$4\r\nPING\r\n", "Protocol error: expected '$', got '*'"),
        (b"*1\r\n$-5\r\n", "Protocol error: invalid bulk length"),
        (b"*1\r\n$x\r\n", "Protocol error: invalid bulk length"),
        (b"*1\r\n$600000000\r\n", "Protocol error: invalid bulk length"),
        (b'GET "unterminated\r\n', "Protocol error: unbalanced quotes in request"),
        (b"SET 'a'b\r\n", "Protocol error: unbalanced quotes in request"),
        (b"A" * 70_000, "Protocol error: too big inline request"),
        (b"*" + b"1" * 70_000, "Protocol error: too big mbulk count string"),
        (b"*1\r\n$" + b"1" * 70_000, "Protocol error: too big bulk count string"),
    ],
)
def test_malformed_streams_get_redis_errors(stream: bytes, message: str) -> None:
    # Valid commands before the bad frame are still returned, as Redis runs them.
    commands, error = parse_all([b"*1\r\n$4\r\nPING\r\n" + stream])
    assert commands == [[b"PING"]]
    assert error == message


def test_unauthenticated_clients_have_tight_limits() -> None:
    parser = RequestParser()
    parser.authenticated = False
    _, error = parser.feed(b"*11\r\n")
    assert str(error) == "Protocol error: unauthenticated multibulk length"
    parser = RequestParser()
    parser.authenticated = False
    _, error = parser.feed(b"*1\r\n$20000\r\n")
    assert str(error) == "Protocol error: unauthenticated bulk length"


def test_query_buffer_limit() -> None:
    parser = RequestParser(max_query_buffer=1024 * 1024)
    _, error = parser.feed(b"*2\r\n$3\r\nSET\r\n$5000000\r\n" + b"x" * (1024 * 1024 + 10))
    assert error is not None


@pytest.mark.parametrize(
    ("value", "resp2", "resp3"),
    [
        (b"hi", b"$2\r\nhi\r\n", b"$2\r\nhi\r\n"),
        (b"", b"$0\r\n\r\n", b"$0\r\n\r\n"),
        (OK, b"+OK\r\n", b"+OK\r\n"),
        (SimpleString("PONG"), b"+PONG\r\n", b"+PONG\r\n"),
        (ErrorReply("ERR bad"), b"-ERR bad\r\n", b"-ERR bad\r\n"),
        (42, b":42\r\n", b":42\r\n"),
        (-1, b":-1\r\n", b":-1\r\n"),
        (None, b"$-1\r\n", b"_\r\n"),
        (NULL_ARRAY, b"*-1\r\n", b"_\r\n"),
        (1.5, b"$3\r\n1.5\r\n", b",1.5\r\n"),
        (1.1, b"$18\r\n1.1000000000000001\r\n", b",1.1000000000000001\r\n"),
        (float("inf"), b"$3\r\ninf\r\n", b",inf\r\n"),
        (float("-inf"), b"$4\r\n-inf\r\n", b",-inf\r\n"),
        (True, b":1\r\n", b"#t\r\n"),
        ([b"a", 1, None], b"*3\r\n$1\r\na\r\n:1\r\n$-1\r\n", b"*3\r\n$1\r\na\r\n:1\r\n_\r\n"),
        ([], b"*0\r\n", b"*0\r\n"),
        (MapReply({b"f": 1}), b"*2\r\n$1\r\nf\r\n:1\r\n", b"%1\r\n$1\r\nf\r\n:1\r\n"),
        (SetReply([b"m"]), b"*1\r\n$1\r\nm\r\n", b"~1\r\n$1\r\nm\r\n"),
        (PushReply([b"message"]), b"*1\r\n$7\r\nmessage\r\n", b">1\r\n$7\r\nmessage\r\n"),
        (Verbatim(b"x"), b"$1\r\nx\r\n", b"=5\r\ntxt:x\r\n"),
        ([[b"nested"]], b"*1\r\n*1\r\n$6\r\nnested\r\n", b"*1\r\n*1\r\n$6\r\nnested\r\n"),
    ],
)
def test_encode_resp2_and_resp3(value: object, resp2: bytes, resp3: bytes) -> None:
    assert encode(value, 2) == resp2
    assert encode(value, 3) == resp3


# ---- against real servers ---------------------------------------------------------------------

MALFORMED = [
    b"*abc\r\n",
    b"*1\r\n:5\r\n",
    b"*1\r\n$-5\r\n",
    b"*2\r\n$3\r\nGET\r\n+k\r\n",
    b"*1\r\n$600000000\r\n",
    b'SET k "oops\r\n',
]


@pytest.mark.parametrize("stream", MALFORMED)
def test_malformed_input_same_error_and_connection_closed(pair: Pair, stream: bytes) -> None:
    replies = []
    for client in (pair.ours, pair.theirs):
        client.send_raw(b"*1\r\n$4\r\nPING\r\n" + stream)
        replies.append((client.read_reply(), client.read_reply(), client.is_closed()))
    assert replies[0] == replies[1]
    assert replies[0][1].startswith(b"-ERR Protocol error")
    assert replies[0][2] is True


def test_other_clients_are_served_after_a_protocol_error(node_server: NodeProcess) -> None:
    bystander = RawClient(node_server.port)
    offender = RawClient(node_server.port)
    offender.send_raw(b"*1\r\n$-5\r\n")
    assert offender.read_reply().startswith(b"-ERR Protocol error")
    assert offender.is_closed()
    assert bystander.call("PING") == b"+PONG\r\n"
    bystander.close()


def test_deep_pipeline(pair: Pair) -> None:
    count = 5000
    batch = b"".join(b"*3\r\n$3\r\nSET\r\n$6\r\nk%05d\r\n$1\r\nv\r\n" % i for i in range(count))
    batch += b"*2\r\n$3\r\nGET\r\n$6\r\nk04999\r\n"
    for client in (pair.ours, pair.theirs):
        client.send_raw(batch)
        replies = [client.read_reply() for _ in range(count + 1)]
        assert replies[:count] == [b"+OK\r\n"] * count
        assert replies[-1] == b"$1\r\nv\r\n"


def test_random_bytes_never_take_the_node_down(node_server: NodeProcess) -> None:
    """Fuzz: random and mutated frames on fresh connections; the node keeps answering PING."""
    rng = random.Random(20261125)
    seeds = [PIPELINE, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", b"*2\r\n$4\r\nLLEN\r\n$1\r\nl\r\n"]
    for attempt in range(300):
        if attempt % 2:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        else:
            data = bytearray(rng.choice(seeds))
            for _ in range(rng.randrange(1, 6)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        client = RawClient(node_server.port, timeout=2)
        try:
            client.send_raw(data)
            client.is_closed(timeout=0.02)
        except OSError:
            pass
        finally:
            client.close()
    survivor = RawClient(node_server.port)
    assert survivor.call("PING") == b"+PONG\r\n"
    survivor.close()


def test_redis_accepts_what_we_accept_for_inline_quoting(redis_server: RedisProcess, node_server: NodeProcess) -> None:
    lines = [b'ECHO "a\\tb"', b"ECHO 'single \\' quote'", b'ECHO "\\x41\\x4a"', b"ECHO   spaced   ", b'ECHO ""']
    ours, theirs = RawClient(node_server.port), RawClient(redis_server.port)
    for line in lines:
        ours.send_raw(line + b"\r\n")
        theirs.send_raw(line + b"\r\n")
        assert ours.read_reply() == theirs.read_reply(), line
    ours.close()
    theirs.close()
