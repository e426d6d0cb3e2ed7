"""The libraries Redis bundles with its Lua that lupa's Lua lacks: bit (LuaBitOp) and cjson.

Both are written in Python and exposed as Lua tables of Python callables (errors are raised
as `ScriptRaise(kind=b"where")`, which the prelude turns into Lua's positioned error). Their
semantics follow the C libraries Redis 7.0 ships: LuaBitOp 1.0.2 (32-bit operations, arguments
normalised by rounding to nearest) and lua-cjson 2.1.0 (numbers printed with `%.14g`, `/`
escaped, sparse-array and nesting checks, its error texts). cmsgpack and struct are not
provided yet.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from miniredis_node.scripting.runtime import ScriptRaise, _lua_tonumber, _lua_typename

# ---- bit -------------------------------------------------------------------------------------


def _bit_arg(args: tuple[Any, ...], index: int, function: str) -> int:
    number = _lua_tonumber(args[index]) if index < len(args) else None
    if number is None:
        got = _lua_typename(args[index]) if index < len(args) else "no value"
        raise ScriptRaise(
            f"bad argument #{index + 1} to '{function}' (number expected, got {got})".encode(), kind=b"where"
        )
    if number != number or number in (math.inf, -math.inf):
        return 0
    return round(number) & 0xFFFFFFFF  # the 2^52+2^51 trick: round half to even, modulo 2^32


def _signed(value: int) -> float:
    value &= 0xFFFFFFFF
    return float(value - 2**32 if value >= 2**31 else value)


def _bit_library() -> dict[bytes, Any]:
    def tobit(*args: Any) -> float:
        return _signed(_bit_arg(args, 0, "tobit"))

    def bnot(*args: Any) -> float:
        return _signed(~_bit_arg(args, 0, "bnot"))

    def variadic(name: str, op: Any) -> Any:
        def apply(*args: Any) -> float:
            result = _bit_arg(args, 0, name)
            for index in range(1, len(args)):
                result = op(result, _bit_arg(args, index, name))
            return _signed(result)

        return apply

    def shift(name: str, op: Any) -> Any:
        def apply(*args: Any) -> float:
            value = _bit_arg(args, 0, name)
            count = _bit_arg(args, 1, name) & 31
            return _signed(op(value, count))

        return apply

    def arshift(value: int, count: int) -> int:
        signed = value - 2**32 if value >= 2**31 else value
        return signed >> count

    def rol(value: int, count: int) -> int:
        return (value << count) | (value >> (32 - count)) if count else value

    def ror(value: int, count: int) -> int:
        return (value >> count) | (value << (32 - count)) if count else value

    def bswap(*args: Any) -> float:
        value = _bit_arg(args, 0, "bswap")
        return _signed(int.from_bytes(value.to_bytes(4, "little"), "big"))

    def tohex(*args: Any) -> bytes:
        value = _bit_arg(args, 0, "tohex")
        digits = _bit_arg(args, 1, "tohex") if len(args) > 1 and args[1] is not None else 8
        digits = digits - 2**32 if digits >= 2**31 else digits
        upper = digits < 0
        digits = min(abs(digits), 8)
        text = f"{value:08X}" if upper else f"{value:08x}"
        return text[8 - digits :].encode()

    return {
        b"tobit": tobit,
        b"bnot": bnot,
        b"band": variadic("band", lambda a, b: a & b),
        b"bor": variadic("bor", lambda a, b: a | b),
        b"bxor": variadic("bxor", lambda a, b: a ^ b),
        b"lshift": shift("lshift", lambda v, n: v << n),
        b"rshift": shift("rshift", lambda v, n: v >> n),
        b"arshift": shift("arshift", arshift),
        b"rol": shift("rol", rol),
        b"ror": shift("ror", ror),
        b"bswap": bswap,
        b"tohex": tohex,
    }


# ---- cjson -----------------------------------------------------------------------------------


class _Null:
    """cjson.null: a value of its own (a light userdata in C; a Python object here)."""

    __slots__ = ()


NULL: Final = _Null()
_MAX_DEPTH: Final = 1000
_SPARSE_RATIO: Final = 2
_SPARSE_SAFE: Final = 10
_ESCAPES: Final = {
    0x22: b'\\"',
    0x5C: b"\\\\",
    0x2F: b"\\/",
    0x08: b"\\b",
    0x0C: b"\\f",
    0x0A: b"\\n",
    0x0D: b"\\r",
    0x09: b"\\t",
    0x7F: b"\\u007f",
}
_NEEDS_ESCAPE: Final = re.compile(rb'[\x00-\x1f"\\/\x7f]')


def _escape(match: re.Match[bytes]) -> bytes:
    byte = match.group()[0]
    return _ESCAPES.get(byte) or b"\\u%04x" % byte


def _encode_error(kind: str, reason: str) -> ScriptRaise:
    return ScriptRaise(f"Cannot serialise {kind}: {reason}".encode(), kind=b"where")


def _format_number(number: float) -> bytes:
    if number != number or number in (math.inf, -math.inf):
        raise _encode_error("number", "must not be NaN or Inf")
    return b"%.14g" % number


class _Cjson:
    def __init__(self, lua_type: Any, table_from: Any) -> None:
        self.lua_type = lua_type
        self.table_from = table_from

    # encode ------------------------------------------------------------------------------------
    def encode(self, *args: Any) -> bytes:
        if len(args) != 1:
            raise ScriptRaise(b"bad argument #1 to 'encode' (expected 1 argument)", kind=b"where")
        out: list[bytes] = []
        self._encode(args[0], out, 0)
        return b"".join(out)

    def _encode(self, value: Any, out: list[bytes], depth: int) -> None:
        kind = type(value)
        if kind is bytes:
            out.append(b'"' + _NEEDS_ESCAPE.sub(_escape, value) + b'"')
        elif kind is bool:
            out.append(b"true" if value else b"false")
        elif kind is int or kind is float:
            out.append(_format_number(float(value)))
        elif value is None or value is NULL:
            out.append(b"null")
        else:
            lua_type = self.lua_type(value)
            if lua_type == "table":
                self._encode_table(value, out, depth + 1)
                return
            # Our Python callables (lua_type None) are C functions in Redis.
            name = "function" if lua_type in (None, "function", "userdata") else str(lua_type)
            raise _encode_error(name, "type not supported")

    def _encode_table(self, table: Any, out: list[bytes], depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise ScriptRaise(f"Cannot serialise, excessive nesting ({depth})".encode(), kind=b"where")
        items = list(table.items())
        length = self._array_length(items)
        if length > 0:
            out.append(b"[")
            for index in range(1, length + 1):
                if index > 1:
                    out.append(b",")
                self._encode(table[index], out, depth)
            out.append(b"]")
            return
        out.append(b"{")
        first = True
        for key, item in items:
            if not first:
                out.append(b",")
            first = False
            if type(key) is bytes:
                out.append(b'"' + _NEEDS_ESCAPE.sub(_escape, key) + b'":')
            elif type(key) is int or type(key) is float:
                out.append(b'"' + _format_number(float(key)) + b'":')
            else:
                raise _encode_error(_lua_typename(key), "table key must be a number or string")
            self._encode(item, out, depth)
        out.append(b"}")

    @staticmethod
    def _array_length(items: list[tuple[Any, Any]]) -> int:
        """lua_array_length: the array size if every key is a positive integer, else -1."""
        largest = 0
        for key, _ in items:
            if type(key) is int or type(key) is float:
                if key >= 1 and float(key) == math.floor(key):
                    largest = max(largest, int(key))
                    continue
            return -1
        if largest > _SPARSE_SAFE and largest > len(items) * _SPARSE_RATIO:
            raise _encode_error("table", "excessively sparse array")
        return largest

    # decode ------------------------------------------------------------------------------------
    def decode(self, *args: Any) -> Any:
        if len(args) != 1:
            raise ScriptRaise(b"bad argument #1 to 'decode' (expected 1 argument)", kind=b"where")
        text = args[0]
        if type(text) is not bytes:
            if type(text) is int or type(text) is float:
                text = b"%.14g" % float(text)
            else:
                got = _lua_typename(text)
                raise ScriptRaise(f"bad argument #1 to 'decode' (string expected, got {got})".encode(), kind=b"where")
        parser = _JsonParser(text, self.table_from)
        value = parser.value(parser.token(), 0)
        end = parser.token()
        if end[0] != "T_END":
            parser.fail("the end", end)
        return value


_TOKEN_CHARS: Final = {
    ord("{"): "T_OBJ_BEGIN",
    ord("}"): "T_OBJ_END",
    ord("["): "T_ARR_BEGIN",
    ord("]"): "T_ARR_END",
    ord(":"): "T_COLON",
    ord(","): "T_COMMA",
}
_NUMBER: Final = re.compile(rb"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_SIMPLE_ESCAPES: Final = {
    ord('"'): b'"',
    ord("\\"): b"\\",
    ord("/"): b"/",
    ord("b"): b"\b",
    ord("f"): b"\f",
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
}

Token = tuple[str, Any, int]  # (type, value, index)


class _JsonParser:
    """lua-cjson's tokenizer and recursive descent, with its error messages."""

    def __init__(self, text: bytes, table_from: Any) -> None:
        self.text = text
        self.pos = 0
        self.table_from = table_from

    def fail(self, expected: str, token: Token) -> None:
        found = token[1] if token[0] == "T_ERROR" else token[0]
        raise ScriptRaise(f"Expected {expected} but found {found} at character {token[2] + 1}".encode(), kind=b"where")

    def token(self) -> Token:
        text = self.text
        while self.pos < len(text) and text[self.pos] in b" \t\r\n":
            self.pos += 1
        start = self.pos
        if start >= len(text):
            return ("T_END", None, start)
        char = text[start]
        kind = _TOKEN_CHARS.get(char)
        if kind is not None:
            self.pos += 1
            return (kind, None, start)
        if char == ord('"'):
            return self._string(start)
        if char == ord("-") or 48 <= char <= 57:
            match = _NUMBER.match(text, start)
            if not match:
                return ("T_ERROR", "invalid number", start)
            self.pos = match.end()
            return ("T_NUMBER", float(match.group()), start)
        for word, kind, value in (
            (b"true", "T_BOOLEAN", True),
            (b"false", "T_BOOLEAN", False),
            (b"null", "T_NULL", NULL),
        ):
            if text.startswith(word, start):
                self.pos = start + len(word)
                return (kind, value, start)
        return ("T_ERROR", "invalid token", start)

    def _string(self, start: int) -> Token:
        text = self.text
        out = bytearray()
        pos = start + 1
        while True:
            if pos >= len(text):
                return ("T_ERROR", "unexpected end of string", pos)
            char = text[pos]
            if char == ord('"'):
                self.pos = pos + 1
                return ("T_STRING", bytes(out), start)
            if char != ord("\\"):
                out.append(char)
                pos += 1
                continue
            if pos + 1 >= len(text):
                return ("T_ERROR", "unexpected end of string", pos + 1)
            escape = text[pos + 1]
            if escape in _SIMPLE_ESCAPES:
                out += _SIMPLE_ESCAPES[escape]
                pos += 2
                continue
            if escape != ord("u"):
                return ("T_ERROR", "invalid escape code", pos)
            code, after = self._unicode(pos)
            if code < 0:
                return ("T_ERROR", "invalid unicode escape code", pos)
            pos = after
            out += chr(code).encode("utf-8", errors="surrogatepass")

    def _unicode(self, pos: int) -> tuple[int, int]:
        text = self.text
        digits = text[pos + 2 : pos + 6]
        if len(digits) != 4 or not all(c in b"0123456789abcdefABCDEF" for c in digits):
            return -1, pos
        code = int(digits, 16)
        pos += 6
        if 0xD800 <= code <= 0xDBFF:
            if text[pos : pos + 2] != b"\\u":
                return -1, pos
            low_digits = text[pos + 2 : pos + 6]
            if len(low_digits) != 4 or not all(c in b"0123456789abcdefABCDEF" for c in low_digits):
                return -1, pos
            low = int(low_digits, 16)
            if not 0xDC00 <= low <= 0xDFFF:
                return -1, pos
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            pos += 6
        elif 0xDC00 <= code <= 0xDFFF:
            return -1, pos
        return code, pos

    def value(self, token: Token, depth: int) -> Any:
        kind = token[0]
        if kind in ("T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL"):
            return token[1]
        if kind == "T_OBJ_BEGIN":
            return self._object(depth + 1)
        if kind == "T_ARR_BEGIN":
            return self._array(depth + 1)
        self.fail("value", token)
        return None  # pragma: no cover - fail raises

    def _check_depth(self, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise ScriptRaise(
                f"Found too many nested data structures ({depth}) at character {self.pos}".encode(), kind=b"where"
            )

    def _array(self, depth: int) -> Any:
        self._check_depth(depth)
        items: list[Any] = []
        token = self.token()
        if token[0] == "T_ARR_END":
            return self.table_from(items)
        while True:
            items.append(self.value(token, depth))
            token = self.token()
            if token[0] == "T_ARR_END":
                return self.table_from(items)
            if token[0] != "T_COMMA":
                self.fail("comma or array end", token)
            token = self.token()

    def _object(self, depth: int) -> Any:
        self._check_depth(depth)
        items: dict[Any, Any] = {}
        token = self.token()
        if token[0] == "T_OBJ_END":
            return self.table_from(items)
        while True:
            if token[0] != "T_STRING":
                self.fail("object key string", token)
            key = token[1]
            token = self.token()
            if token[0] != "T_COLON":
                self.fail("colon", token)
            items[key] = self.value(self.token(), depth)
            token = self.token()
            if token[0] == "T_OBJ_END":
                return self.table_from(items)
            if token[0] != "T_COMMA":
                self.fail("comma or object end", token)
            token = self.token()


def _cjson_library(lua_type: Any, table_from: Any) -> dict[bytes, Any]:
    cjson = _Cjson(lua_type, table_from)

    def setting(value: Any) -> Any:
        def configure(*args: Any) -> Any:
            return value

        return configure

    return {
        b"encode": cjson.encode,
        b"decode": cjson.decode,
        b"null": NULL,
        b"_NAME": b"cjson",
        b"_VERSION": b"2.1.0",
        b"encode_sparse_array": lambda *args: (False, 2, 10),
        b"encode_max_depth": setting(1000),
        b"decode_max_depth": setting(1000),
        b"encode_number_precision": setting(14),
        b"encode_keep_buffer": setting(True),
        b"encode_invalid_numbers": setting(False),
        b"decode_invalid_numbers": setting(True),
        b"new": lambda *args: None,
    }


def build(lua: Any) -> dict[bytes, Any]:
    """Each library as a Lua table, keyed by its global name."""
    from lupa import lua51

    return {
        b"bit": lua.table_from(_bit_library()),
        b"cjson": lua.table_from(_cjson_library(lua51.lua_type, lua.table_from)),
    }
