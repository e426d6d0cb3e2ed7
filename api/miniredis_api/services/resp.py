"""A typed RESP3 reader and a small connection pool for the exec endpoint.

redis-py turns replies into Python values and so loses RESP3's types (a set and an array, a
status and a bulk string look alike), which the dashboard shows. Exec therefore reads replies with
this sans-I/O reader, over connections opened with `HELLO 3 AUTH default <password>`. Everything
else (sampling, CONFIG SET) goes through redis-py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass
from typing import Any

Value = tuple[str, Any]
"""(type, payload): payload is bytes/int/float/bool/None for scalars, a list of Values for
array/set/push, a list of (Value, Value) for map."""


class Incomplete(Exception):
    """More bytes are needed."""


class ProtocolError(Exception):
    """The node sent something that is not RESP."""


def parse(buf: bytes, pos: int = 0) -> tuple[Value, int]:
    """One reply from `buf[pos:]` and the position after it; raises Incomplete."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete
    kind, line, after = buf[pos : pos + 1], buf[pos + 1 : end], end + 2
    try:
        if kind == b"+":
            return ("simple", line), after
        if kind == b"-":
            return ("error", line), after
        if kind == b":":
            return ("integer", int(line)), after
        if kind == b"_":
            return ("nil", None), after
        if kind == b"#":
            return ("boolean", line == b"t"), after
        if kind == b",":
            number = float(line)
            return ("double", number if number == number and abs(number) != float("inf") else line), after
        if kind == b"(":
            return ("bignum", line), after
        if kind in (b"$", b"=", b"!"):
            size = int(line)
            if size < 0:
                return ("nil", None), after
            if len(buf) < after + size + 2:
                raise Incomplete
            data = buf[after : after + size]
            if kind == b"=":
                return ("verbatim", data[4:]), after + size + 2
            return ("error" if kind == b"!" else "string", data), after + size + 2
        if kind in (b"*", b"~", b">"):
            count = int(line)
            if count < 0:
                return ("nil", None), after
            items = []
            for _ in range(count):
                item, after = parse(buf, after)
                items.append(item)
            return ({b"*": "array", b"~": "set", b">": "push"}[kind], items), after
        if kind in (b"%", b"|"):
            pairs = []
            for _ in range(int(line)):
                key, after = parse(buf, after)
                value, after = parse(buf, after)
                pairs.append((key, value))
            if kind == b"|":  # attributes decorate the reply that follows; skip them
                return parse(buf, after)
            return ("map", pairs), after
    except ValueError as error:
        raise ProtocolError(str(error)) from error
    raise ProtocolError(f"unexpected RESP type byte {kind!r}")


@dataclass
class Budget:
    items: int
    string_bytes: int
    truncated: bool = False


def to_json(value: Value, budget: Budget) -> dict[str, Any]:
    """The typed JSON of a reply, within the budget (elements beyond it are dropped, flagged)."""
    kind, payload = value
    if kind in ("array", "set", "push"):
        items = []
        for item in payload:
            if budget.items <= 0:
                budget.truncated = True
                break
            budget.items -= 1
            items.append(to_json(item, budget))
        return {"type": kind, "items": items}
    if kind == "map":
        pairs = []
        for key, item in payload:
            if budget.items <= 0:
                budget.truncated = True
                break
            budget.items -= 1
            pairs.append({"key": to_json(key, budget), "value": to_json(item, budget)})
        return {"type": "map", "pairs": pairs}
    if isinstance(payload, bytes):
        if len(payload) > budget.string_bytes:
            payload = payload[: budget.string_bytes]
            budget.truncated = True
        try:
            return {"type": kind, "value": payload.decode("utf-8")}
        except UnicodeDecodeError:
            return {"type": kind, "value": base64.b64encode(payload).decode(), "base64": True}
    return {"type": kind, "value": payload}


def encode_command(args: list[bytes]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


class Connection:
    """One authenticated RESP3 connection to a node."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = b""
        self.sent_anything_back = False
        """Whether the current call received any byte (then a failure may have run the command)."""

    @classmethod
    async def open(cls, host: str, port: int, password: str, timeout: float) -> Connection:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        connection = cls(reader, writer)
        kind, payload = await connection.call([b"HELLO", b"3", b"AUTH", b"default", password.encode()], timeout)
        if kind == "error":
            connection.close()
            raise ConnectionError(f"node refused HELLO: {payload!r}")
        return connection

    async def call(self, args: list[bytes], timeout: float) -> Value:
        self.sent_anything_back = False
        self.writer.write(encode_command(args))
        async with asyncio.timeout(timeout):
            await self.writer.drain()
            while True:
                try:
                    value, used = parse(self.buffer)
                except Incomplete:
                    chunk = await self.reader.read(65536)
                    if not chunk:
                        raise ConnectionError("the node closed the connection") from None
                    self.sent_anything_back = True
                    self.buffer += chunk
                    continue
                self.buffer = self.buffer[used:]
                if value[0] == "push":
                    continue  # out-of-band messages are not the reply
                return value

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class Pool:
    """Idle exec connections per node, keyed by (host, port, password)."""

    def __init__(self, max_idle: int = 4) -> None:
        self.max_idle = max_idle
        self.idle: dict[tuple[str, int, str], list[Connection]] = {}

    async def call(self, host: str, port: int, password: str, args: list[bytes], timeout: float) -> Value:
        key = (host, port, password)
        idle = self.idle.setdefault(key, [])
        while idle:
            # an idle connection may belong to a process that has since stopped or restarted on the
            # same port: if it is dead on arrival, the command never reached a node, so try the next
            connection = idle.pop()
            try:
                value = await connection.call(args, timeout)
            except (ConnectionError, OSError) as error:
                connection.close()
                if connection.sent_anything_back:
                    raise error
                continue
            except BaseException:
                connection.close()
                raise
            self._release(key, connection)
            return value
        connection = await Connection.open(host, port, password, timeout)
        try:
            value = await connection.call(args, timeout)
        except BaseException:
            connection.close()  # its state is unknown (timeout, disconnect): never reuse it
            raise
        self._release(key, connection)
        return value

    def _release(self, key: tuple[str, int, str], connection: Connection) -> None:
        idle = self.idle.setdefault(key, [])
        if len(idle) < self.max_idle:
            idle.append(connection)
        else:
            connection.close()

    def forget(self, host: str, port: int) -> None:
        for key in [key for key in self.idle if key[:2] == (host, port)]:
            for connection in self.idle.pop(key):
                connection.close()

    def close(self) -> None:
        for connections in self.idle.values():
            for connection in connections:
                connection.close()
        self.idle.clear()
