"""RESP2/RESP3 codec without I/O: bytes in, argument vectors out; reply values in, bytes out.

The server feeds every chunk it reads to a `RequestParser` and writes what `encode` returns.
Nothing here touches a socket, so the whole protocol is tested byte for byte
(`tests/node/test_protocol.py`).

Parsing has two paths that agree on every valid input:

* the fast path hands multibulk frames (`*N\\r\\n$len\\r\\n...`) to hiredis's C reader;
* the reference path below is a pure-Python port of Redis 7.0's `processMultibulkBuffer` and
  `processInlineBuffer`. It serves inline commands (a telnet user typing `PING`), frames too large
  to keep in hiredis, and every frame hiredis rejects or cannot judge, so that malformed input gets
  Redis's own `Protocol error: ...` text.

Switching is cheap: hiredis is only ever given whole reads that start at a frame boundary. When
a read ends inside a frame, or hiredis meets something it rejects or cannot judge, the bytes
from the end of the last frame it returned go to the reference parser, which checks the frame's
headers at once (an oversized bulk length is refused before its value arrives), and hands the
stream back to hiredis at the next frame boundary.
"""

from __future__ import annotations

from typing import Final, cast

import hiredis
from mypy_extensions import mypyc_attr

from miniredis_node import errors

PROTO_INLINE_MAX_SIZE: Final = 64 * 1024
PROTO_MBULK_BIG_ARG: Final = 32 * 1024
MAX_MULTIBULK_LEN: Final = 2**31 - 1  # INT_MAX, as Redis 7.0 checks
UNAUTHENTICATED_MAX_ARGS: Final = 10
UNAUTHENTICATED_MAX_BULK: Final = 16384


class ProtocolError(Exception):
    """Malformed input. Redis replies `-ERR <message>` and closes the connection."""


class QueryBufferLimit(ProtocolError):
    """The client's query buffer outgrew client-query-buffer-limit: Redis closes it silently."""


def _split_inline(line: bytes) -> list[bytes] | None:
    """Split an inline command as Redis's sdssplitargs does; None when quotes do not balance."""
    args: list[bytes] = []
    i = 0
    n = len(line)
    while True:
        while i < n and line[i] in b" \n\r\t\v\f\x00":
            i += 1
        if i >= n:
            return args
        current = bytearray()
        in_dq = in_sq = False
        while True:
            if in_dq:
                if i >= n:
                    return None
                ch = line[i]
                if ch == 0x5C and i + 3 < n and line[i + 1] == 0x78 and _is_hex(line[i + 2]) and _is_hex(line[i + 3]):
                    current.append(int(line[i + 2 : i + 4], 16))
                    i += 3
                elif ch == 0x5C and i + 1 < n:
                    i += 1
                    current.append(_ESCAPES.get(line[i], line[i]))
                elif ch == 0x22:
                    # A closing quote must be followed by a space or nothing.
                    if i + 1 < n and line[i + 1] not in b" \n\r\t\v\f\x00":
                        return None
                    in_dq = False
                    i += 1
                    break
                else:
                    current.append(ch)
            elif in_sq:
                if i >= n:
                    return None
                ch = line[i]
                if ch == 0x5C and i + 1 < n and line[i + 1] == 0x27:
                    i += 1
                    current.append(0x27)
                elif ch == 0x27:
                    if i + 1 < n and line[i + 1] not in b" \n\r\t\v\f\x00":
                        return None
                    in_sq = False
                    i += 1
                    break
                else:
                    current.append(ch)
            else:
                if i >= n:
                    break
                ch = line[i]
                if ch in b" \n\r\t\x00":
                    break
                if ch == 0x22:
                    in_dq = True
                elif ch == 0x27:
                    in_sq = True
                else:
                    current.append(ch)
            i += 1
        args.append(bytes(current))


_ESCAPES: Final = {0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09, 0x62: 0x08, 0x61: 0x07}


def _is_hex(ch: int) -> bool:
    return ch in b"0123456789abcdefABCDEF"


def _parse_ll(raw: bytes) -> int | None:
    """Redis's string2ll: an optional minus and digits, no spaces, no leading zeros, no plus."""
    if not raw or len(raw) > 20:
        return None
    if raw == b"0":
        return 0
    body = raw[1:] if raw[:1] == b"-" else raw
    if not body.isdigit() or body[:1] == b"0":
        return None
    value = int(raw)
    if not -(2**63) <= value < 2**63:
        return None
    return value


def _frames_size(frames: list[list[bytes]], empty_frames: int) -> int:
    """Bytes that these frames take in canonical RESP (the only form Redis accepts)."""
    total = 4 * empty_frames  # "*0\r\n"
    for frame in frames:
        total += len(str(len(frame))) + 3
        for arg in frame:
            size = len(arg)
            total += len(str(size)) + 5 + size
    return total


class RequestParser:
    """Turns the bytes a client sends into argument vectors, the way Redis 7.0 reads requests."""

    __slots__ = (
        "_argv",
        "_buffer",
        "_bulk_len",
        "_multibulk_left",
        "_pending",
        "_pending_returned",
        "_reader",
        "authenticated",
        "max_bulk_len",
        "max_query_buffer",
    )

    def __init__(self, *, max_bulk_len: int = 512 * 1024 * 1024, max_query_buffer: int = 1024**3) -> None:
        self._reader = hiredis.Reader()
        self._buffer = bytearray()
        self._multibulk_left = 0
        self._bulk_len = -1
        self._argv: list[bytes] = []
        self.max_bulk_len = max_bulk_len
        self.max_query_buffer = max_query_buffer
        # Before AUTH, Redis caps argument counts and sizes (see processMultibulkBuffer).
        self.authenticated = True

    @property
    def buffered(self) -> int:
        """Bytes received but not yet turned into commands (the query buffer)."""
        return len(self._buffer)

    def feed(self, data: bytes) -> tuple[list[list[bytes]], ProtocolError | None]:
        """Parse `data`; return the complete commands and the protocol error that ended them, if any.

        After an error the connection must be closed: the parser's state is undefined.
        """
        if not self._buffer and data[:1] == b"*" and self.authenticated:
            return self._parse_fast(data)
        self._buffer += data
        commands, error = self._parse_reference(hand_back=self.authenticated)
        if error is not None or not self._buffer or self._multibulk_left or self._buffer[0] != 0x2A:
            return commands, error
        # The reference parser stopped at the start of a multibulk frame: back to hiredis.
        rest = bytes(self._buffer)
        self._buffer.clear()
        more, error = self._parse_fast(rest)
        commands.extend(more)
        return commands, error

    def _parse_fast(self, data: bytes) -> tuple[list[list[bytes]], ProtocolError | None]:
        """hiredis parses the whole frames of `data`; a trailing partial frame, and anything
        hiredis rejects or cannot judge, goes to the reference parser from its first byte."""
        reader = self._reader
        reader.feed(data)
        commands: list[list[bytes]] = []
        empty_frames = 0
        # hiredis's has_data() only says whether unread bytes remain, not whether a frame is
        # half-parsed (it consumes partial elements), so the boundary is judged right after
        # each complete frame.
        at_boundary = False
        gets, has_data, append, join = reader.gets, reader.has_data, commands.append, b"".join  # per frame
        try:
            while (frame := gets()) is not False:
                # Redis takes only arrays of bulk strings; anything else is judged by the
                # reference parser (hiredis would accept nested or typed elements).
                if type(frame) is not list:
                    return self._hand_over(data, commands, empty_frames)
                try:
                    join(frame)  # in C: raises unless every element is bytes (hiredis gives no
                except TypeError:  # bytearray or memoryview), twice as fast as a Python loop
                    return self._hand_over(data, commands, empty_frames)
                if frame:
                    append(frame)
                else:
                    empty_frames += 1
                at_boundary = not has_data()
        except hiredis.ProtocolError:
            return self._hand_over(data, commands, empty_frames)
        if at_boundary:
            # hiredis returns simple strings (+), verbatim (=) and big numbers (() inside an
            # array as plain bytes, where Redis refuses them. Only a chunk that holds one of
            # those type bytes after a newline can hide one: there, the byte count decides.
            # (First a memchr per type byte, `int in bytes`: a chunk without any, the rule,
            # costs next to nothing, where each `bytes in bytes` costs ~100 ns.)
            if (
                (0x2B in data or 0x3D in data or 0x28 in data)  # '+', '=', '('
                and (b"\n+" in data or b"\n=" in data or b"\n(" in data)
                and _frames_size(commands, empty_frames) != len(data)
            ):
                return self._hand_over(data, [], 0)
            return commands, None
        return self._hand_over(data, commands, empty_frames)

    def _hand_over(
        self, data: bytes, commands: list[list[bytes]], empty_frames: int
    ) -> tuple[list[list[bytes]], ProtocolError | None]:
        """Give the reference parser `data` from the end of the frames hiredis returned.

        Redis accepts only canonical lengths (no leading zeros, no sign), so each returned
        frame's size in bytes follows from its contents.
        """
        self._reader = hiredis.Reader()
        self._buffer = bytearray(data[_frames_size(commands, empty_frames) :])
        more, error = self._parse_reference()
        commands.extend(more)
        return commands, error

    def _parse_reference(self, *, hand_back: bool = False) -> tuple[list[list[bytes]], ProtocolError | None]:
        """Parse from the buffer; with `hand_back`, stop before a multibulk frame that follows
        a complete one, so the caller can return to the fast path."""
        commands: list[list[bytes]] = []
        buf = self._buffer
        try:
            while buf:
                if self._multibulk_left == 0 and buf[0] != 0x2A:  # not '*'
                    argv = self._parse_inline()
                else:
                    argv = self._parse_multibulk()
                if argv is None:
                    break
                if argv:
                    commands.append(argv)
                if hand_back and buf[:1] == b"*":
                    break
        except ProtocolError as error:
            return commands, error
        if len(buf) > self.max_query_buffer:
            return commands, QueryBufferLimit("closing client that reached max query buffer length")
        return commands, None

    def _parse_inline(self) -> list[bytes] | None:
        buf = self._buffer
        newline = buf.find(b"\n")
        if newline == -1:
            if len(buf) > PROTO_INLINE_MAX_SIZE:
                raise ProtocolError(errors.PROTO_INLINE_TOO_BIG)
            return None
        end = newline - 1 if newline and buf[newline - 1] == 0x0D else newline
        line = bytes(buf[:end])
        del buf[: newline + 1]
        argv = _split_inline(line)
        if argv is None:
            raise ProtocolError(errors.PROTO_UNBALANCED_QUOTES)
        return argv

    def _parse_multibulk(self) -> list[bytes] | None:
        buf = self._buffer
        pos = 0
        if self._multibulk_left == 0:
            newline = buf.find(b"\r\n")
            if newline == -1:
                if len(buf) > PROTO_INLINE_MAX_SIZE:
                    raise ProtocolError(errors.PROTO_MBULK_COUNT_TOO_BIG)
                return None
            count = _parse_ll(bytes(buf[1:newline]))
            if count is None or count > MAX_MULTIBULK_LEN:
                raise ProtocolError(errors.PROTO_INVALID_MULTIBULK)
            if not self.authenticated and count > UNAUTHENTICATED_MAX_ARGS:
                raise ProtocolError(errors.PROTO_UNAUTH_MULTIBULK)
            pos = newline + 2
            if count <= 0:
                del buf[:pos]
                return []
            self._multibulk_left = count
            self._argv = []
        while self._multibulk_left:
            if self._bulk_len == -1:
                newline = buf.find(b"\r\n", pos)
                if newline == -1:
                    if len(buf) - pos > PROTO_INLINE_MAX_SIZE:
                        raise ProtocolError(errors.PROTO_BULK_COUNT_TOO_BIG)
                    break
                if buf[pos] != 0x24:  # '$'
                    raise ProtocolError(errors.PROTO_EXPECTED_DOLLAR.format(chr(buf[pos])))
                size = _parse_ll(bytes(buf[pos + 1 : newline]))
                if size is None or size < 0 or size > self.max_bulk_len:
                    raise ProtocolError(errors.PROTO_INVALID_BULK)
                if not self.authenticated and size > UNAUTHENTICATED_MAX_BULK:
                    raise ProtocolError(errors.PROTO_UNAUTH_BULK)
                pos = newline + 2
                self._bulk_len = size
            size = self._bulk_len
            if len(buf) - pos < size + 2:
                break
            self._argv.append(bytes(buf[pos : pos + size]))
            pos += size + 2
            self._bulk_len = -1
            self._multibulk_left -= 1
        del buf[:pos]
        if self._multibulk_left:
            return None
        argv, self._argv = self._argv, []
        return argv


# ---------------------------------------------------------------------------------------------
# Replies. Handlers return plain Python values; `encode` writes them for the client's protocol.
# ---------------------------------------------------------------------------------------------


@mypyc_attr(native_class=False)  # a builtin's subclass: a plain Python class
class SimpleString(str):
    """A status reply: `+OK`."""

    __slots__ = ()


@mypyc_attr(native_class=False)  # a builtin's subclass: a plain Python class
class ErrorReply(str):
    """An error reply, `-ERR ...`; also an element of EXEC's array."""

    __slots__ = ()


@mypyc_attr(native_class=False)  # a builtin's subclass: a plain Python class
class Verbatim(bytes):
    """RESP3 verbatim text (INFO, CLIENT LIST); a bulk string in RESP2."""

    __slots__ = ()


@mypyc_attr(native_class=False)  # a builtin's subclass: a plain Python class
class SetReply(list):  # type: ignore[type-arg]
    """An unordered collection: RESP3 `~`, an array in RESP2."""

    __slots__ = ()


@mypyc_attr(native_class=False)  # a builtin's subclass: a plain Python class
class MapReply(dict):  # type: ignore[type-arg]
    """RESP3 `%`; a flat array of key, value pairs in RESP2."""

    __slots__ = ()


@mypyc_attr(native_class=False)  # a builtin's subclass: a plain Python class
class PushReply(list):  # type: ignore[type-arg]
    """Out-of-band data (pub/sub messages): RESP3 `>`, an array in RESP2."""

    __slots__ = ()


@mypyc_attr(native_class=False)  # a builtin's subclass: a plain Python class
class Raw(bytes):
    """Bytes already encoded in RESP, written as they are."""

    __slots__ = ()


class _NullArray:
    """Redis's null array: `*-1` in RESP2 (BLPOP timeout, aborted EXEC), `_` in RESP3."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL_ARRAY"


NULL_ARRAY: Final = _NullArray()
OK: Final = SimpleString("OK")
QUEUED: Final = SimpleString("QUEUED")

Reply = object  # any value `encode` accepts; see the classes above


def format_double(value: float) -> bytes:
    """Redis 7.0's addReplyDouble text: `%.17g`, with inf spelled out."""
    if value != value:
        return b"nan"
    if value == float("inf"):
        return b"inf"
    if value == float("-inf"):
        return b"-inf"
    return b"%.17g" % value


def encode(value: Reply, resp: int) -> bytes:
    """Encode one reply value for a client speaking RESP2 (`resp=2`) or RESP3."""
    out: list[bytes] = []
    _encode(value, resp, out)
    return b"".join(out)


def _encode(value: Reply, resp: int, out: list[bytes]) -> None:
    kind = type(value)
    if kind is bytes:
        out.append(b"$%d\r\n%s\r\n" % (len(value), value))  # type: ignore[arg-type]
    elif kind is SimpleString:
        out.append(b"+%s\r\n" % cast(str, value).encode())
    elif kind is int:
        out.append(b":%d\r\n" % value)  # type: ignore[str-format]
    elif value is None:
        out.append(b"$-1\r\n" if resp == 2 else b"_\r\n")
    elif kind is list or kind is tuple:
        out.append(b"*%d\r\n" % len(value))  # type: ignore[arg-type]
        for item in value:  # type: ignore[attr-defined]
            _encode(item, resp, out)
    elif kind is ErrorReply:
        out.append(b"-%s\r\n" % cast(str, value).encode())
    elif kind is Raw:
        out.append(value)  # type: ignore[arg-type]
    elif kind is float:
        text = format_double(value)  # type: ignore[arg-type]
        out.append(b"$%d\r\n%s\r\n" % (len(text), text) if resp == 2 else b",%s\r\n" % text)
    elif value is NULL_ARRAY:
        out.append(b"*-1\r\n" if resp == 2 else b"_\r\n")
    elif kind is MapReply or kind is dict:
        items = value.items()  # type: ignore[attr-defined]
        out.append(b"*%d\r\n" % (2 * len(items)) if resp == 2 else b"%%%d\r\n" % len(items))
        for key, item in items:
            _encode(key, resp, out)
            _encode(item, resp, out)
    elif kind is SetReply:
        out.append(b"%s%d\r\n" % (b"*" if resp == 2 else b"~", len(value)))  # type: ignore[arg-type]
        for item in value:  # type: ignore[attr-defined]
            _encode(item, resp, out)
    elif kind is PushReply:
        out.append(b"%s%d\r\n" % (b"*" if resp == 2 else b">", len(value)))  # type: ignore[arg-type]
        for item in value:  # type: ignore[attr-defined]
            _encode(item, resp, out)
    elif kind is Verbatim:
        if resp == 2:
            out.append(b"$%d\r\n%s\r\n" % (len(value), value))  # type: ignore[arg-type]
        else:
            out.append(b"=%d\r\ntxt:%s\r\n" % (len(value) + 4, value))  # type: ignore[arg-type]
    elif kind is bool:
        if resp == 2:
            out.append(b":1\r\n" if value else b":0\r\n")
        else:
            out.append(b"#t\r\n" if value else b"#f\r\n")
    elif isinstance(value, str):
        _encode(SimpleString(value), resp, out)
    elif isinstance(value, int):
        out.append(b":%d\r\n" % value)
    else:
        raise TypeError(f"cannot encode reply {value!r}")
