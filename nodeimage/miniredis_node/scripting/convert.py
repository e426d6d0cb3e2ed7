"""Lua <-> reply conversion, with Redis 7.0's rules (script_lua.c).

Command replies reach Lua as Redis would parse them from the script client's protocol (RESP2
unless the script called `redis.setresp(3)`):

| reply (handler value)   | RESP2 in Lua             | RESP3 in Lua                       |
|-------------------------|--------------------------|------------------------------------|
| integer                 | number                   | number                             |
| bulk string             | string                   | string                             |
| null bulk / null array  | false                    | nil                                |
| array                   | table (1-based)          | table                              |
| status                  | {ok=...}                 | {ok=...}                           |
| error (nested)          | {err=...}                | {err=...}                          |
| double                  | string (%.17g)           | {double=number}                    |
| map                     | flat table               | {map={k=v}}                        |
| set                     | table                    | {set={k=true}}                     |
| boolean                 | number 1 / 0             | true / false                       |
| verbatim                | string                   | {verbatim_string={format=,string=}}|

A script's return value becomes a reply by the reverse rules: a number is truncated to an
integer (out-of-range and NaN become LLONG_MIN, as C's cast does on x86), a string is a bulk
string, `true` is 1 and `false` nil (RESP3 scripts: booleans), a table with a string `err` or `ok`
field is an error or status, `double`/`map`/`set`/`big_number`/`verbatim_string` tables are
their RESP3 types, and any other table is an array cut at its first nil.
"""

from __future__ import annotations

import math
from typing import Any, Final

from miniredis_node.protocol import (
    NULL_ARRAY,
    ErrorReply,
    MapReply,
    PushReply,
    Raw,
    SetReply,
    SimpleString,
    Verbatim,
    format_double,
)

LLONG_MIN: Final = -(2**63)
LLONG_MAX: Final = 2**63 - 1
# Python's recursion, not Lua's stack, bounds how deep a returned table may nest.
MAX_DEPTH: Final = 400
STACK_LIMIT: Final = "ERR reached lua stack limit"


def lua_number_arg(value: int | float) -> bytes:
    """A Lua number passed to redis.call: printed with %.17g, as Redis 7.0 does."""
    number = float(value)
    if number != number:
        return b"-nan" if math.copysign(1.0, number) < 0 else b"nan"
    return b"%.17g" % number


def to_long_long(value: int | float) -> int:
    """C's `(long long)` cast of a Lua number: truncation, LLONG_MIN when out of range or NaN."""
    if type(value) is int:
        return value if LLONG_MIN <= value <= LLONG_MAX else LLONG_MIN
    number = float(value)
    if number != number or not (-9.223372036854775808e18 <= number < 9.223372036854775808e18):
        return LLONG_MIN
    return int(number)


def sanitize(text: bytes) -> bytes:
    """Error and status lines cannot hold CR or LF: Redis maps them to spaces."""
    return text.replace(b"\r", b" ").replace(b"\n", b" ")


def error_text(raw: bytes) -> str:
    return sanitize(raw).decode("utf-8", errors="replace")


class ToLua:
    """Turns handler replies into Lua values for one Lua runtime."""

    def __init__(self, lua: Any) -> None:
        self.table_from = lua.table_from

    def convert(self, value: Any, resp: int) -> Any:
        kind = type(value)
        if kind is bytes or kind is int:
            return value
        if value is None or value is NULL_ARRAY:
            return False if resp == 2 else None
        if kind is list or kind is tuple or kind is PushReply or (kind is SetReply and resp == 2):
            convert = self.convert
            return self.table_from([convert(item, resp) for item in value])
        if kind is SimpleString:
            return self.table_from({b"ok": value.encode()})
        if kind is ErrorReply:
            return self.table_from({b"err": value.encode()})
        if kind is float:
            if resp == 2:
                return format_double(value)
            return self.table_from({b"double": value})
        if kind is bool:
            if resp == 2:
                return 1 if value else 0
            return value
        if kind is MapReply or kind is dict:
            convert = self.convert
            if resp == 2:
                flat: list[Any] = []
                for key, item in value.items():
                    flat.append(convert(key, resp))
                    flat.append(convert(item, resp))
                return self.table_from(flat)
            inner = self.table_from({convert(key, resp): convert(item, resp) for key, item in value.items()})
            return self.table_from({b"map": inner})
        if kind is SetReply:
            inner = self.table_from({self.convert(item, resp): True for item in value})
            return self.table_from({b"set": inner})
        if kind is Verbatim:
            if resp == 2:
                return bytes(value)
            inner = self.table_from({b"string": bytes(value), b"format": b"txt"})
            return self.table_from({b"verbatim_string": inner})
        if isinstance(value, str):
            return self.table_from({b"ok": value.encode()})
        if isinstance(value, int):
            return int(value)
        if kind is Raw:
            return bytes(value)
        return False if resp == 2 else None


class ToReply:
    """Turns a script's Lua return value into a reply (fields read raw, as Redis does)."""

    def __init__(self, rawget: Any, lua_type: Any) -> None:
        self.rawget = rawget
        self.lua_type = lua_type

    def convert(self, value: Any, script_resp: int, depth: int = 0) -> Any:
        kind = type(value)
        if kind is bytes:
            return value
        if kind is bool:
            if script_resp == 2:
                return 1 if value else None
            return value
        if kind is int or kind is float:
            return to_long_long(value)
        lua_type = self.lua_type
        if value is None or lua_type(value) != "table":
            return None
        if depth >= MAX_DEPTH:
            return ErrorReply(STACK_LIMIT)
        rawget = self.rawget
        err = rawget(value, b"err")
        if type(err) is bytes:
            return ErrorReply(error_text(err.split(b"\0", 1)[0]))
        ok = rawget(value, b"ok")
        if type(ok) is bytes:
            return Raw(b"+%s\r\n" % sanitize(ok.split(b"\0", 1)[0]))
        double = rawget(value, b"double")
        if type(double) is int or type(double) is float:
            return float(double)
        big = rawget(value, b"big_number")
        if type(big) is bytes:
            return BigNumber(big)
        verbatim = rawget(value, b"verbatim_string")
        if verbatim is not None and lua_type(verbatim) == "table":
            text, fmt = rawget(verbatim, b"string"), rawget(verbatim, b"format")
            if type(text) is bytes and type(fmt) is bytes and len(fmt) == 3:
                return Verbatim(text) if fmt == b"txt" else VerbatimOther(text, fmt)
        convert = self.convert
        mapping = rawget(value, b"map")
        if mapping is not None and lua_type(mapping) == "table":
            return MapReply(
                (_key(convert(k, script_resp, depth + 1)), convert(v, script_resp, depth + 1))
                for k, v in mapping.items()
            )
        members = rawget(value, b"set")
        if members is not None and lua_type(members) == "table":
            return SetReply(convert(k, script_resp, depth + 1) for k in members)
        items: list[Any] = []
        index = 1
        while True:
            item = rawget(value, index)
            if item is None:
                return items
            items.append(convert(item, script_resp, depth + 1))
            index += 1


def _key(reply: Any) -> Any:
    try:
        hash(reply)
    except TypeError:
        return Raw(_encode_any(reply))
    return reply


def _encode_any(reply: Any) -> bytes:
    from miniredis_node.protocol import encode

    return encode(reply, 3)


class BigNumber(bytes):
    """RESP3 big number: a bulk string in RESP2."""


class VerbatimOther(bytes):
    """A verbatim string whose format is not `txt`."""

    fmt: bytes

    def __new__(cls, text: bytes, fmt: bytes) -> VerbatimOther:
        obj = super().__new__(cls, text)
        obj.fmt = fmt
        return obj


def finalize(reply: Any, resp: int) -> Any:
    """Replace the reply types `protocol.encode` does not know (big numbers, verbatim strings with
    another format) by their encoding for a client speaking `resp`."""
    kind = type(reply)
    if kind is BigNumber:
        return bytes(reply) if resp == 2 else Raw(b"(%s\r\n" % reply)
    if kind is VerbatimOther:
        text = bytes(reply)
        if resp == 2:
            return text
        return Raw(b"=%d\r\n%s:%s\r\n" % (len(text) + 4, reply.fmt, text))
    if kind is list:
        return [finalize(item, resp) for item in reply]
    if kind is SetReply:
        return SetReply(finalize(item, resp) for item in reply)
    if kind is MapReply:
        return MapReply((finalize(k, resp), finalize(v, resp)) for k, v in reply.items())
    return reply
