"""The libraries Redis bundles with its Lua that lupa's Lua lacks: bit, cjson, cmsgpack, struct.

All four are written in Python and exposed as Lua tables of Python callables (errors are raised
as `ScriptRaise(kind=b"where")`, which the prelude turns into Lua's positioned error). Their
semantics follow the C libraries Redis 7.0 ships: LuaBitOp 1.0.2 (32-bit operations, arguments
normalised by rounding to nearest) and lua-cjson 2.1.0 (numbers printed with `%.14g`, `/`
escaped, sparse-array and nesting checks, its error texts), lua-cmsgpack 0.4.0 and struct.c 1.4
(with Redis's bounds fixes); each section below says what of the C it reproduces.
"""

from __future__ import annotations

import math
import re
import struct as _pystruct
from typing import Any, Final

from miniredis_node.scripting.runtime import ScriptRaise, _lua_tolstring, _lua_tonumber, _lua_typename

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


# ---- cmsgpack --------------------------------------------------------------------------------
# lua-cmsgpack 0.4.0 as Redis 7.0 bundles it. Encoding: a Lua number that is an int64 (and not
# infinite) is the smallest msgpack integer that holds it, any other number a float32 when
# converting to float loses nothing, else a float64; strings are fixraw/str8/raw16/raw32; a table
# whose keys are exactly the integers 1..N (the empty table included) is an array, any other a
# map; tables nested 16 deep, functions, userdata and threads become nil. Decoding builds tables
# with Lua's own `t[k] = v`, in the order the C library does, so they have the same layout
# (iteration order, `#t` with holes) as in Redis.

_MP_MAX_NESTING: Final = 16
_LUAI_MAXCSTACK: Final = 8000  # Lua 5.1's limit on a C function's stack slots
_INT_MAX: Final = 2**31 - 1
_U64: Final = 2**64 - 1
_MP_STACK_FULL: Final = b"stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)"
_MP_EOF: Final = b"Missing bytes in input."
_MP_BADFMT: Final = b"Bad data format in input."


def _where(message: bytes) -> ScriptRaise:
    return ScriptRaise(message, kind=b"where")


def _arg_error(index: int, function: str, reason: str) -> ScriptRaise:
    return _where(f"bad argument #{index} to '{function}' ({reason})".encode())


def _type_error(args: tuple[Any, ...], index: int, function: str, expected: str) -> ScriptRaise:
    got = _lua_typename(args[index - 1]) if index <= len(args) else "no value"
    return _arg_error(index, function, f"{expected} expected, got {got}")


def _check_string(args: tuple[Any, ...], index: int, function: str) -> bytes:
    """luaL_checklstring: a string, or a number printed as Lua prints it."""
    value = _lua_tolstring(args[index - 1]) if index <= len(args) else None
    if value is None:
        raise _type_error(args, index, function, "string")
    return value


def _check_number(args: tuple[Any, ...], index: int, function: str) -> float:
    value = _lua_tonumber(args[index - 1]) if index <= len(args) else None
    if value is None:
        raise _type_error(args, index, function, "number")
    return value


def _cast_int64(number: float) -> int:
    """x86-64's cvttsd2si: truncation, INT64_MIN when out of range or NaN."""
    if number != number or not -(2.0**63) <= number < 2.0**63:
        return -(2**63)
    return int(number)


def _opt_integer(args: tuple[Any, ...], index: int, function: str, default: int) -> int:
    """luaL_optinteger (lua_Integer is a truncated 64-bit cast of the number)."""
    if index > len(args) or args[index - 1] is None:
        return default
    return _cast_int64(_check_number(args, index, function))


def _float32(number: float) -> bytes | None:
    """The big-endian float32 of `number` if the conversion is exact, else None."""
    try:
        packed = _pystruct.pack(">f", number)
    except OverflowError:
        return None
    return packed if _pystruct.unpack(">f", packed)[0] == number else None


def _mp_int(n: int) -> bytes:
    if n >= 0:
        if n <= 0x7F:
            return bytes((n,))
        if n <= 0xFF:
            return bytes((0xCC, n))
        if n <= 0xFFFF:
            return b"\xcd" + n.to_bytes(2, "big")
        if n <= 0xFFFFFFFF:
            return b"\xce" + n.to_bytes(4, "big")
        return b"\xcf" + n.to_bytes(8, "big")
    if n >= -32:
        return bytes((n & 0xFF,))
    if n >= -128:
        return bytes((0xD0, n & 0xFF))
    if n >= -32768:
        return b"\xd1" + n.to_bytes(2, "big", signed=True)
    if n >= -(2**31):
        return b"\xd2" + n.to_bytes(4, "big", signed=True)
    return b"\xd3" + n.to_bytes(8, "big", signed=True)


def _mp_number(number: float | int) -> bytes:
    if type(number) is int:
        return _mp_int(number)
    if number == number and -(2.0**63) <= number < 2.0**63 and number == int(number):
        return _mp_int(int(number))
    single = _float32(number)
    if single is not None:
        return b"\xca" + single
    return b"\xcb" + _pystruct.pack(">d", number)


def _mp_header(length: int, fix: int, codes: tuple[int, int]) -> bytes:
    if length <= 15:
        return bytes((fix | length,))
    if length <= 0xFFFF:
        return bytes((codes[0],)) + length.to_bytes(2, "big")
    return bytes((codes[1],)) + (length & 0xFFFFFFFF).to_bytes(4, "big")


def _mp_bytes(text: bytes) -> bytes:
    length = len(text)
    if length < 32:
        return bytes((0xA0 | length,)) + text
    if length <= 0xFF:
        return bytes((0xD9, length)) + text
    if length <= 0xFFFF:
        return b"\xda" + length.to_bytes(2, "big") + text
    return b"\xdb" + (length & 0xFFFFFFFF).to_bytes(4, "big") + text


def _is_array_key(key: Any) -> bool:
    """table_is_an_array's test of one key: a number n > 0 that (int)n keeps exactly."""
    kind = type(key)
    if kind is not int and kind is not float:
        return False
    return bool(0 < key <= _INT_MAX and key == int(key))


class _Cmsgpack:
    def __init__(self, lua_type: Any, new_table: Any, settable: Any) -> None:
        self.lua_type = lua_type
        self.new_table = new_table
        self.settable = settable

    # pack --------------------------------------------------------------------------------------
    def pack(self, *args: Any) -> bytes:
        if not args:
            raise _arg_error(0, "pack", "MessagePack pack needs input.")
        out: list[bytes] = []
        for arg in args:
            self._encode(arg, out, 0)
        return b"".join(out)

    def _encode(self, value: Any, out: list[bytes], level: int) -> None:
        kind = type(value)
        if kind is bytes:
            out.append(_mp_bytes(value))
        elif kind is bool:
            out.append(b"\xc3" if value else b"\xc2")
        elif kind is int or kind is float:
            out.append(_mp_number(value))
        elif value is not None and level < _MP_MAX_NESTING and self.lua_type(value) == "table":
            self._encode_table(value, out, level)
        else:
            out.append(b"\xc0")

    def _encode_table(self, table: Any, out: list[bytes], level: int) -> None:
        items = list(table.items())
        largest = 0
        array = True
        for key, _ in items:
            if not _is_array_key(key):
                array = False
                break
            largest = max(largest, int(key))
        if array and largest == len(items):
            by_index = {int(key): item for key, item in items}
            out.append(_mp_header(largest, 0x90, (0xDC, 0xDD)))
            for index in range(1, largest + 1):
                self._encode(by_index[index], out, level + 1)
            return
        out.append(_mp_header(len(items), 0x80, (0xDE, 0xDF)))
        for key, item in items:
            self._encode(key, out, level + 1)
            self._encode(item, out, level + 1)

    # unpack ------------------------------------------------------------------------------------
    def unpack(self, *args: Any) -> tuple[Any, ...]:
        return self._unpack_full(args, 0, 0, base=max(len(args), 1), function="unpack")

    def unpack_one(self, *args: Any) -> tuple[Any, ...]:
        offset = _opt_integer(args, 2, "unpack_one", 0)
        return self._unpack_full(args[:1], 1, offset, base=1, function="unpack_one")

    def unpack_limit(self, *args: Any) -> tuple[Any, ...]:
        if len(args) < 2 or args[1] is None:
            raise _type_error(args, 2, "unpack_limit", "number")
        limit = _cast_int64(_check_number(args, 2, "unpack_limit"))
        offset = _opt_integer(args, 3, "unpack_limit", 0)
        return self._unpack_full(args[:1], limit, offset, base=1, function="unpack_limit")

    def _unpack_full(
        self, args: tuple[Any, ...], limit: int, offset: int, *, base: int, function: str
    ) -> tuple[Any, ...]:
        data = _check_string(args, 1, function)
        length = len(data)
        decode_all = not limit and not offset
        if offset < 0 or limit < 0:
            raise _where(
                b"Invalid request to unpack with offset of %d and limit of %d."
                % (_c_int_wrap(offset), _c_int_wrap(length))
            )
        if offset > length:
            raise _where(b"Start offset %d greater than input length %d." % (_c_int_wrap(offset), _c_int_wrap(length)))
        if decode_all:
            limit = _INT_MAX
        values: list[Any] = []
        pos = offset
        while pos < length and len(values) < limit:
            value, pos = self._decode(data, pos, base + len(values))
            values.append(value)
        if decode_all:
            return tuple(values)
        return (-1 if pos == length else pos, *values)

    def _decode(self, data: bytes, pos: int, top: int) -> tuple[Any, int]:
        """One msgpack value at `pos`, iteratively (nesting is bounded by Lua's stack, not
        Python's); `top` tracks the Lua stack height the C decoder would have."""
        frames: list[list[Any]] = []  # [table, items left, is_map, next index or key, key pending]
        length = len(data)
        while True:
            if pos >= length:
                raise _where(_MP_EOF)
            if top + 1 > _LUAI_MAXCSTACK:
                raise _where(_MP_STACK_FULL)
            code = data[pos]
            container = -1
            is_map = False
            value: Any = None
            if code <= 0x7F:
                value, pos = code, pos + 1
            elif code >= 0xE0:
                value, pos = code - 256, pos + 1
            elif 0xA0 <= code <= 0xBF or code in (0xD9, 0xDA, 0xDB):
                if code <= 0xBF:
                    size, start = code & 0x1F, pos + 1
                else:
                    width = {0xD9: 1, 0xDA: 2, 0xDB: 4}[code]
                    if pos + 1 + width > length:
                        raise _where(_MP_EOF)
                    size, start = int.from_bytes(data[pos + 1 : pos + 1 + width], "big"), pos + 1 + width
                if start + size > length:
                    raise _where(_MP_EOF)
                value, pos = data[start : start + size], start + size
            elif 0x80 <= code <= 0x9F:
                container, is_map, pos = code & 0x0F, code < 0x90, pos + 1
            elif code in (0xDC, 0xDD, 0xDE, 0xDF):
                width = 2 if code in (0xDC, 0xDE) else 4
                if pos + 1 + width > length:
                    raise _where(_MP_EOF)
                container = int.from_bytes(data[pos + 1 : pos + 1 + width], "big")
                is_map, pos = code >= 0xDE, pos + 1 + width
            elif code in _MP_SCALARS:
                fmt, width = _MP_SCALARS[code]
                if pos + 1 + width > length:
                    raise _where(_MP_EOF)
                value = _pystruct.unpack(fmt, data[pos + 1 : pos + 1 + width])[0]
                if code == 0xCF and value >= 2**63:
                    value -= 2**64  # lua_pushinteger of the uint64 as a signed lua_Integer
                pos += 1 + width
            elif code == 0xC0:
                value, pos = None, pos + 1
            elif code in (0xC2, 0xC3):
                value, pos = code == 0xC3, pos + 1
            else:
                raise _where(_MP_BADFMT)
            if container >= 0:
                if not is_map and top + 2 > _LUAI_MAXCSTACK:
                    raise _where(b"stack overflow (in function mp_decode_to_lua_array)")
                table = self.new_table()
                if container > 0:
                    top += 1
                    frames.append([table, container, is_map, 1, None if is_map else False])
                    if not is_map:
                        top += 1  # the index pushed before each element
                    continue
                value = table
            # Hand the finished value to the tables waiting for it.
            while True:
                if not frames:
                    return value, pos
                frame = frames[-1]
                if frame[2] and frame[4] is None:
                    frame[3], frame[4] = value, True  # a map key: its value comes next
                    top += 1
                    break
                key = frame[3]
                if key is None:
                    raise ScriptRaise(b"table index is nil", kind=b"string")
                if key != key:
                    raise ScriptRaise(b"table index is NaN", kind=b"string")
                self.settable(frame[0], key, value)
                frame[1] -= 1
                if frame[2]:
                    frame[4] = None
                    top -= 1
                else:
                    frame[3] += 1
                if frame[1] == 0:
                    frames.pop()
                    value = frame[0]
                    top -= 1 if frame[2] else 2
                    continue
                break


_MP_SCALARS: Final = {
    0xCC: (">B", 1),
    0xCD: (">H", 2),
    0xCE: (">I", 4),
    0xCF: (">Q", 8),
    0xD0: (">b", 1),
    0xD1: (">h", 2),
    0xD2: (">i", 4),
    0xD3: (">q", 8),
    0xCA: (">f", 4),
    0xCB: (">d", 8),
}


def _c_int_wrap(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def _cmsgpack_library(lua_type: Any, new_table: Any, settable: Any) -> dict[bytes, Any]:
    cmsgpack = _Cmsgpack(lua_type, new_table, settable)
    return {
        b"pack": cmsgpack.pack,
        b"unpack": cmsgpack.unpack,
        b"unpack_one": cmsgpack.unpack_one,
        b"unpack_limit": cmsgpack.unpack_limit,
        b"_NAME": b"cmsgpack",
        b"_VERSION": b"lua-cmsgpack 0.4.0",
        b"_COPYRIGHT": b"Copyright (C) 2012, Salvatore Sanfilippo",
        b"_DESCRIPTION": b"MessagePack C implementation for Lua",
    }


# ---- struct ----------------------------------------------------------------------------------
# Roberto Ierusalimschy's struct library (struct.c 1.4) as Redis 7.0 bundles it, on x86-64:
# native little-endian, int 4 bytes, short 2, long and size_t 8, maximum alignment 8. Integers go
# through a 64-bit unsigned long (so sizes above 8 bytes are zero-filled), numbers are converted
# with C casts as the x86-64 build does them, a format string ends at its first NUL, and `=` is
# not an option of this version.

_STRUCT_MAXINTSIZE: Final = 32
_STRUCT_MAXALIGN: Final = 8
_STRUCT_SIZES: Final = {
    ord("b"): 1,
    ord("B"): 1,
    ord("h"): 2,
    ord("H"): 2,
    ord("l"): 8,
    ord("L"): 8,
    ord("T"): 8,
    ord("f"): 4,
    ord("d"): 8,
    ord("x"): 1,
}
_STRUCT_INTEGERS: Final = frozenset(b"bBhHlLTiI")
_INT64_MIN_BITS: Final = 2**63


class _Format:
    """A format string being read, with the endianness and alignment it set so far."""

    __slots__ = ("fmt", "at", "little", "align")

    def __init__(self, fmt: bytes) -> None:
        self.fmt = fmt.split(b"\0", 1)[0]
        self.at = 0
        self.little = True
        self.align = 1

    def next(self) -> int | None:
        if self.at >= len(self.fmt):
            return None
        self.at += 1
        return self.fmt[self.at - 1]

    def number(self, default: int) -> int:
        fmt = self.fmt
        if self.at >= len(fmt) or not 0x30 <= fmt[self.at] <= 0x39:
            return default
        value = 0
        while self.at < len(fmt) and 0x30 <= fmt[self.at] <= 0x39:
            digit = fmt[self.at] - 0x30
            if value > _INT_MAX // 10 or value * 10 > _INT_MAX - digit:
                raise _where(b"integral size overflow")
            value = value * 10 + digit
            self.at += 1
        return value

    def size(self, opt: int) -> int:
        """optsize: the bytes option `opt` takes (reading its count)."""
        if opt in _STRUCT_SIZES:
            return _STRUCT_SIZES[opt]
        if opt == ord("c"):
            return self.number(1)
        if opt in (ord("i"), ord("I")):
            size = self.number(4)
            if size > _STRUCT_MAXINTSIZE:
                raise _where(b"integral size %d is larger than limit of %d" % (size, _STRUCT_MAXINTSIZE))
            return size
        return 0

    def padding(self, position: int, opt: int, size: int) -> int:
        """gettoalign: zero bytes before an item of `size` at `position`."""
        if size == 0 or opt == ord("c"):
            return 0
        size = min(size, self.align)
        return (size - (position & (size - 1))) & (size - 1)

    def control(self, opt: int, function: str) -> None:
        """controloptions: spaces, endianness, alignment; anything else is an error."""
        if opt == ord(" "):
            return
        if opt == ord(">"):
            self.little = False
        elif opt == ord("<"):
            self.little = True
        elif opt == ord("!"):
            align = self.number(_STRUCT_MAXALIGN)
            if align <= 0 or align & (align - 1):
                raise _where(b"alignment %d is not a power of 2" % align)
            self.align = align
        else:
            raise _where(b"bad argument #1 to '%s' (invalid format option '%c')" % (function.encode(), opt))


def _to_ulong(number: float) -> int:
    """putinteger's conversion: `n < 0 ? (unsigned long)(long)n : (unsigned long)n` on x86-64."""
    if number != number:
        return _INT64_MIN_BITS
    if number < 0:
        return _cast_int64(number) & _U64
    if number < 2.0**63:
        return int(number)
    return (_cast_int64(number - 2.0**63) & _U64) ^ _INT64_MIN_BITS


def _float_bytes(number: float, code: str, little: bool) -> bytes:
    order = "<" if little else ">"
    if code == "f":
        try:
            return _pystruct.pack(order + "f", number)
        except OverflowError:  # C's (float) cast overflows to infinity
            return _pystruct.pack(order + "f", math.copysign(math.inf, number))
    return _pystruct.pack(order + "d", number)


def _struct_pack(*args: Any) -> bytes:
    fmt = _Format(_check_string(args, 1, "pack"))
    args = (*args, None)  # b_pack pushes a nil mark: the first missing argument reads as nil
    out = bytearray()
    arg = 2
    total = 0
    while (opt := fmt.next()) is not None:
        size = fmt.size(opt)
        padding = fmt.padding(total, opt, size)
        total += padding
        out += bytes(padding)
        if opt in _STRUCT_INTEGERS:
            value = _to_ulong(_check_number(args, arg, "pack"))
            arg += 1
            data = (value & ((1 << (8 * size)) - 1) if size < 8 else value).to_bytes(max(size, 0), "little")
            out += data if fmt.little else data[::-1]
        elif opt == ord("x"):
            out += b"\0"
        elif opt in (ord("f"), ord("d")):
            out += _float_bytes(_check_number(args, arg, "pack"), chr(opt), fmt.little)
            arg += 1
        elif opt in (ord("c"), ord("s")):
            text = _check_string(args, arg, "pack")
            arg += 1
            if size == 0:
                size = len(text)
            if len(text) < size:
                raise _arg_error(arg, "pack", "string too short")
            out += text[:size]
            if opt == ord("s"):
                out += b"\0"
                size += 1
        else:
            fmt.control(opt, "pack")
        total += size
    return bytes(out)


def _get_integer(data: bytes, little: bool, signed: bool, size: int) -> float:
    value = 0
    for byte in reversed(data) if little else data:
        value = ((value << 8) | byte) & _U64
    if not signed:
        return float(value)
    mask = (_U64 << ((size * 8 - 1) & 63)) & _U64  # x86 masks the shift count
    if value & mask:
        value |= mask
    return float(value - 2**64 if value >= 2**63 else value)


def _struct_unpack(*args: Any) -> tuple[Any, ...]:
    fmt = _Format(_check_string(args, 1, "unpack"))
    data = _check_string(args, 2, "unpack")
    length = len(data)
    pos = _opt_integer(args, 3, "unpack", 1) & _U64  # a size_t
    if pos == 0:
        raise _arg_error(3, "unpack", "offset must be 1 or greater")
    pos -= 1
    results: list[Any] = []
    while (opt := fmt.next()) is not None:
        size = fmt.size(opt)
        pos = (pos + fmt.padding(pos, opt, size)) & _U64
        if not (size <= length and pos <= length - size):
            raise _arg_error(2, "unpack", "data string too short")
        if 2 + len(results) + 2 > _LUAI_MAXCSTACK:  # the two arguments stay on the stack
            raise _where(b"stack overflow (too many results)")
        if opt in _STRUCT_INTEGERS:
            results.append(_get_integer(data[pos : pos + size], fmt.little, opt in b"bhli", size))
        elif opt in (ord("f"), ord("d")):
            order = "<" if fmt.little else ">"
            results.append(_pystruct.unpack(order + chr(opt), data[pos : pos + size])[0])
        elif opt == ord("c"):
            if size == 0:
                previous = _lua_tonumber(results[-1]) if results else None
                if previous is None:
                    raise _where(b"format 'c0' needs a previous size")
                size = _to_ulong(previous) if previous >= 0 else _cast_int64(previous) & _U64
                results.pop()
                if not (size <= length and pos <= length - size):
                    raise _arg_error(2, "unpack", "data string too short")
            results.append(data[pos : pos + size])
        elif opt == ord("s"):
            end = data.find(b"\0", pos)
            if end < 0:
                raise _where(b"unfinished string in data")
            size = end - pos + 1
            results.append(data[pos:end])
        elif opt != ord("x"):
            fmt.control(opt, "unpack")
        pos = (pos + size) & _U64
    following = (pos + 1) & _U64
    results.append(following - 2**64 if following >= 2**63 else following)  # lua_pushinteger
    return tuple(results)


def _struct_size(*args: Any) -> int:
    fmt = _Format(_check_string(args, 1, "size"))
    pos = 0
    while (opt := fmt.next()) is not None:
        size = fmt.size(opt)
        pos += fmt.padding(pos, opt, size)
        if opt == ord("s"):
            raise _arg_error(1, "size", "option 's' has no fixed size")
        if opt == ord("c") and size == 0:
            raise _arg_error(1, "size", "option 'c0' has no fixed size")
        if not (0x30 <= opt <= 0x39 or 0x41 <= opt <= 0x5A or 0x61 <= opt <= 0x7A):
            fmt.control(opt, "size")
        pos += size
    return pos


def _struct_library() -> dict[bytes, Any]:
    return {b"pack": _struct_pack, b"unpack": _struct_unpack, b"size": _struct_size}


def build(lua: Any) -> dict[bytes, Any]:
    """Each library as a Lua table, keyed by its global name."""
    from lupa import lua51

    # cmsgpack fills its tables with Lua's own assignment (lua_settable), never a raw Python write.
    settable = lua.eval("function(t, k, v) t[k] = v end")
    new_table = lua.eval("function() return {} end")
    return {
        b"bit": lua.table_from(_bit_library()),
        b"cjson": lua.table_from(_cjson_library(lua51.lua_type, lua.table_from)),
        b"cmsgpack": lua.table_from(_cmsgpack_library(lua51.lua_type, new_table, settable)),
        b"struct": lua.table_from(_struct_library()),
    }
