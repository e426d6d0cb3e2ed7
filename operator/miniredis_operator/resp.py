"""A minimal asyncio RESP2 client for the operator's probes: AUTH, INFO and CONFIG SET, nothing more.

`RespReader` is sans-I/O (feed bytes, take replies) and tested on its own; `call` opens one
connection, pipelines the commands and returns their replies. The operator needs no Redis library.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

Reply = bytes | int | str | None | list["Reply"]


class RespError(Exception):
    """An error reply (`-ERR ...`) or a protocol violation."""


class _Incomplete(Exception):
    pass


class RespReader:
    """Parses RESP2 replies from fed bytes; error replies come back as RespError instances."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def get(self) -> Reply | RespError | type[_Incomplete]:
        """The next whole reply, or `RespReader.INCOMPLETE` when more bytes are needed."""
        try:
            reply, end = self._parse(0)
        except _Incomplete:
            return _Incomplete
        del self._buffer[:end]
        return reply

    INCOMPLETE = _Incomplete

    def _line(self, pos: int) -> tuple[bytes, int]:
        end = self._buffer.find(b"\r\n", pos)
        if end < 0:
            raise _Incomplete
        return bytes(self._buffer[pos:end]), end + 2

    def _parse(self, pos: int) -> tuple[Reply | RespError, int]:
        line, pos = self._line(pos)
        if not line:
            raise RespError("empty reply line")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode(errors="replace"), pos
        if kind == b"-":
            return RespError(rest.decode(errors="replace")), pos
        if kind == b":":
            return int(rest), pos
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None, pos
            if len(self._buffer) < pos + size + 2:
                raise _Incomplete
            return bytes(self._buffer[pos : pos + size]), pos + size + 2
        if kind == b"*":
            count = int(rest)
            if count < 0:
                return None, pos
            items: list[Reply] = []
            for _ in range(count):
                item, pos = self._parse(pos)
                if isinstance(item, RespError):
                    raise RespError(str(item))
                items.append(item)
            return items, pos
        raise RespError(f"unexpected reply type {kind!r}")


def encode(*args: str | bytes | int) -> bytes:
    """One command as a RESP array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        raw = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


async def call(
    host: str,
    port: int,
    commands: Sequence[Sequence[str | bytes | int]],
    *,
    password: str | None = None,
    timeout: float = 3.0,
) -> list[Reply]:
    """Run the commands on one connection (after AUTH when a password is given); raise on any error reply."""

    async def run() -> list[Reply]:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            batch = list(commands)
            if password:
                batch.insert(0, ("AUTH", password))
            writer.write(b"".join(encode(*command) for command in batch))
            await writer.drain()
            parser = RespReader()
            replies: list[Reply] = []
            while len(replies) < len(batch):
                reply = parser.get()
                if reply is RespReader.INCOMPLETE:
                    data = await reader.read(65536)
                    if not data:
                        raise RespError("connection closed before the reply")
                    parser.feed(data)
                    continue
                if isinstance(reply, RespError):
                    raise reply
                replies.append(reply)  # type: ignore[arg-type]
            return replies[1:] if password else replies
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    return await asyncio.wait_for(run(), timeout)
