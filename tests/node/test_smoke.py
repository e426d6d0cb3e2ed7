"""The thinnest end-to-end path: a real node process answers over TCP like Redis does."""

from tests.node.conftest import Pair


def test_ping_set_get_match_redis(pair: Pair) -> None:
    pair.check("PING")
    pair.check("PING", "hello")
    pair.check("SET", "k", "v")
    pair.check("GET", "k")
    pair.check("GET", "missing")


def test_unknown_command_and_arity_errors_match_redis(pair: Pair) -> None:
    pair.check("NOSUCHCOMMAND", "a", "b")
    pair.check("GET")
    pair.check("GET", "a", "b")


def test_inline_commands_are_served(pair: Pair) -> None:
    for client in (pair.ours, pair.theirs):
        client.send_raw(b'SET greeting "hello world"\r\nGET greeting\r\n')
    assert pair.ours.read_reply() == pair.theirs.read_reply() == b"+OK\r\n"
    assert pair.ours.read_reply() == pair.theirs.read_reply() == b"$11\r\nhello world\r\n"
