"""The scripting engine: one Lua 5.1 state per server, the script cache, and running a script.

`Engine` is what commands/scripting.py drives: `compile(body)` caches a script by SHA1 (SCRIPT
LOAD, EVAL), `run(...)` executes one, `kill()` serves SCRIPT KILL, `flush()` SCRIPT FLUSH. The
Lua state is created on first use (lupa's bundled Lua 5.1), so a node that never runs a script
never loads Lua.

A script runs synchronously inside its EVAL, so it is atomic like any command. Its commands run
through `dispatch.call` on a client of its own (Redis's "lua client": RESP2 unless the script
calls `redis.setresp(3)`, starts in the caller's database, SELECT inside a script does not
affect the caller, blocking commands answer as timed out), with the keyspace clock frozen for
the whole script.

Busy scripts. The event loop cannot run while a script runs, so the count hook does what Redis's
processEventsWhileBlocked does: once the script has run longer than `lua-time-limit`, every
hook call reads what other clients sent (straight from their sockets, which the loop is not
watching meanwhile), answers `-BUSY ...` to everything but the commands flagged `allow_busy`
(SCRIPT KILL, SHUTDOWN NOSAVE, MULTI, AUTH, HELLO...), and runs those. New connections wait in
the listen backlog until the script ends.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import select
import time
from typing import TYPE_CHECKING, Any, Final

from miniredis_node import REDIS_VERSION, dispatch, errors
from miniredis_node.errors import CommandError
from miniredis_node.protocol import NULL_ARRAY, ErrorReply, encode
from miniredis_node.scripting import convert
from miniredis_node.scripting.prelude import INTERNAL_SOURCE, PRELUDE
from miniredis_node.table import COMMANDS, Command

if TYPE_CHECKING:
    from miniredis_node.client import Client
    from miniredis_node.server import Server

log = logging.getLogger("miniredis.node")

SHEBANG_FLAGS: Final = frozenset({"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"})
_LOG_LEVELS: Final = (logging.DEBUG, logging.DEBUG + 5, logging.INFO, logging.WARNING)
_VERBOSITY: Final = {"debug": 0, "verbose": 1, "notice": 2, "warning": 3, "nothing": 4}
_LRAND48_MAX: Final = 2**31 - 1


class Script:
    """A compiled script: its Lua function and its shebang flags (None: no shebang, EVAL's
    compatibility mode, where any command may run)."""

    __slots__ = ("sha", "body", "function", "flags")

    def __init__(self, sha: str, body: bytes, function: Any, flags: frozenset[str] | None) -> None:
        self.sha = sha
        self.body = body
        self.function = function
        self.flags = flags


class Run:
    """The script in execution."""

    __slots__ = ("caller", "client", "sha", "start", "readonly", "oom", "wrote", "timed_out", "killed", "resp")

    def __init__(self, caller: Client, client: Client, sha: str, readonly: bool, oom: bool) -> None:
        self.caller = caller
        self.client = client
        self.sha = sha
        self.start = time.monotonic()
        self.readonly = readonly
        self.oom = oom
        self.wrote = False
        self.timed_out = False
        self.killed = False
        self.resp = 2


def sha1hex(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def parse_shebang(body: bytes) -> tuple[frozenset[str] | None, bytes]:
    """Split `#!lua flags=a,b` off a script: (flags or None, the code to compile).

    The code keeps the shebang's line break, so line numbers in errors count the shebang."""
    if not body.startswith(b"#!"):
        return None, body
    end = body.find(b"\n")
    if end < 0:
        raise CommandError(errors.SCRIPT_INVALID_SHEBANG)
    parts = body[:end].decode("utf-8", errors="replace").split()
    if not parts or parts[0] != "#!lua":
        raise CommandError(errors.SCRIPT_UNEXPECTED_ENGINE.format(parts[0] if parts else ""))
    flags: set[str] = set()
    for part in parts[1:]:
        if not part.startswith("flags="):
            raise CommandError(errors.SCRIPT_UNKNOWN_SHEBANG_OPTION.format(part))
        for flag in part[6:].split(",") if part[6:] else ():
            if flag not in SHEBANG_FLAGS:
                raise CommandError(errors.SCRIPT_UNEXPECTED_FLAG.format(flag))
            flags.add(flag)
    return frozenset(flags), body[end:]


class Engine:
    """The scripting state of one server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.scripts: dict[str, Script] = {}
        self.run_state: Run | None = None
        self._lua: Any = None
        self._api: Any = None
        self._client: Client | None = None
        # redisLrand48's 48-bit state, as Redis initialises it; it survives SCRIPT FLUSH.
        self._rand = 0x1234ABCD330E

    # ---- the Lua state ---------------------------------------------------------------------------
    def _boot(self) -> None:
        from lupa import lua51

        from miniredis_node.scripting import libraries

        lua = lua51.LuaRuntime(
            encoding=None,
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=True,
            attribute_filter=_deny_attributes,
        )
        loadstring = lua.eval("loadstring")
        modules = libraries.build(lua)
        libs = lua.table_from(
            {
                b"version": REDIS_VERSION.encode(),
                b"version_num": _version_num(REDIS_VERSION),
                b"modules": lua.table_from(modules),
            }
        )
        prelude = loadstring(PRELUDE, INTERNAL_SOURCE)
        if isinstance(prelude, tuple):  # pragma: no cover - (nil, message): a bug in PRELUDE
            raise RuntimeError(prelude[1])
        self._to_lua = convert.ToLua(lua)
        self._to_reply = convert.ToReply(lua.eval("rawget"), lua51.lua_type)
        callbacks: dict[bytes, Any] = {
            b"call": self._redis_call,
            b"pcall": self._redis_pcall,
            b"sha1hex": _redis_sha1hex,
            b"log": self._redis_log,
            b"setresp": self._redis_setresp,
            b"set_repl": _redis_set_repl,
            b"acl_check_cmd": _redis_acl_check_cmd,
            b"random": self._math_random,
            b"randomseed": self._math_randomseed,
            b"unwrap": _unwrap_error,
            b"hook": self._hook,
        }
        self._api = prelude(lua.table_from(callbacks), libs)
        self._error_table = self._api[b"error_table_flagged"]
        self._compile = self._api[b"compile"]
        self._execute = self._api[b"run"]
        self._lua = lua

    def _script_client(self) -> Client:
        if self._client is None:
            from miniredis_node.client import Client

            client = Client(self.server, None, 0)
            client.authenticated = True
            client.no_block = True
            client.addr = "lua"
            self._client = client
        return self._client

    # ---- the cache -------------------------------------------------------------------------------
    def compile(self, body: bytes) -> Script:
        """The cached script for `body`, compiling it on first sight (errors as Redis words them)."""
        sha = sha1hex(body)
        script = self.scripts.get(sha)
        if script is not None:
            return script
        flags, code = parse_shebang(body)
        if self._lua is None:
            self._boot()
        function = self._compile(code)
        if isinstance(function, tuple):  # (nil, message)
            raise CommandError(errors.SCRIPT_COMPILE.format(_text(function[1])))
        script = Script(sha, body, function, flags)
        self.scripts[sha] = script
        return script

    def flush(self) -> None:
        """SCRIPT FLUSH: forget every script and start a fresh Lua state."""
        self.scripts.clear()
        self._lua = None
        self._api = None

    def memory(self) -> int:
        """used_memory_scripts_eval's estimate: the cached bodies plus per-script overhead."""
        return sum(len(script.body) + 120 for script in self.scripts.values())

    # ---- running ---------------------------------------------------------------------------------
    def run(self, c: Client, script: Script, keys: list[bytes], args: list[bytes], *, readonly: bool) -> Any:
        """Run `script` for client `c` and return its reply (CommandError for script errors)."""
        flags = script.flags
        server = self.server
        over_memory = bool(server.maxmemory) and server.used_memory() > server.maxmemory
        if flags is not None:
            if readonly and "no-writes" not in flags:
                raise CommandError(errors.SCRIPT_RO_WITH_WRITE_FLAG)
            readonly = readonly or "no-writes" in flags
            if over_memory and not readonly and "allow-oom" not in flags:
                raise CommandError(errors.OOM)
            if "allow-oom" in flags:
                over_memory = False
        client = self._script_client()
        client.db = c.db
        client.resp = 2
        state = Run(c, client, script.sha, readonly, over_memory)
        self.run_state = state
        table_from = self._lua.table_from
        try:
            ok, result = self._execute(script.function, table_from(keys), table_from(args))
        finally:
            self.run_state = None
            if state.timed_out:
                log.warning("Slow script detected: finished after %d milliseconds", _elapsed_ms(state))
        if ok:
            return convert.finalize(self._to_reply.convert(result, state.resp), c.resp)
        raise CommandError(self._error_message(result, script.sha))

    def _error_message(self, error: Any, sha: str) -> str:
        rawget = self._to_reply.rawget
        if type(error) is bytes or self._to_reply.lua_type(error) != "table":
            return f"ERR Error running script {sha}, {_text(error)[:100]}"
        message = rawget(error, b"err")
        if type(message) is bytes:
            text = _text(message.split(b"\0", 1)[0])
        elif type(message) is int or type(message) is float:
            text = _text(_lua_tostring(message))
        else:
            text = "ERR unknown error"
        source, line = rawget(error, b"source"), rawget(error, b"line")
        if type(source) is bytes and line is not None and line != 0:
            text += f" script: {sha}, on {_text(source)}:{_text(_lua_tostring(line))}."
        return text

    # ---- callbacks from Lua ---------------------------------------------------------------------
    # They raise only ScriptRaise, which the prelude's error handler turns into Redis's error; any
    # other exception is a bug and costs the script an error, never the sandbox.
    def _redis_call(self, *args: Any) -> Any:
        ok, value, flagged = self._call(args)
        if ok:
            return value
        raise ScriptRaise(value, flagged=flagged)

    def _redis_pcall(self, *args: Any) -> Any:
        ok, value, flagged = self._call(args)
        if ok:
            return value
        if flagged:
            return self._error_table(value)
        return self._api[b"error_table"](value)

    def _call(self, args: tuple[Any, ...]) -> tuple[bool, Any, bool]:
        state = self.run_state
        if state is None:
            return False, b"ERR redis.call can only be called inside a script invocation", False
        if not args:
            return False, _NO_ARGS, False
        argv = _to_argv(args)
        if argv is None:
            return False, _BAD_ARGS, False
        cmd = dispatch.resolve(argv)
        if type(cmd) is str:
            return False, _WRONG_ARITY if cmd.startswith(_WRONG_ARGS_PREFIX) else _UNKNOWN, True
        assert isinstance(cmd, Command)
        flags = cmd.flags
        if "noscript" in flags:
            return False, _NOT_ALLOWED, True
        write = "write" in flags
        if write and state.readonly:
            return False, _WRITE_IN_RO, True
        if state.oom and not state.wrote and "denyoom" in flags:
            return False, errors.OOM.encode(), True
        if write:
            state.wrote = True
        client = state.client
        server = self.server
        if server.monitors:
            server.feed_monitors(client, argv)
        reply = dispatch.call(client, cmd, argv, tick=False)
        if type(reply) is ErrorReply:
            return False, reply.encode(), True
        if reply is dispatch.NO_REPLY:
            reply = NULL_ARRAY
        return True, self._to_lua.convert(reply, state.resp), False

    def _redis_setresp(self, *args: Any) -> None:
        if len(args) != 1:
            raise ScriptRaise(b"ERR redis.setresp() requires one argument.")
        resp = _c_int(_lua_tonumber(args[0]) or 0.0)
        if resp not in (2, 3):
            raise ScriptRaise(b"ERR RESP version must be 2 or 3.")
        if self.run_state is not None:
            self.run_state.resp = resp

    def _redis_log(self, *args: Any) -> None:
        if len(args) < 2:
            raise ScriptRaise(b"ERR redis.log() requires two arguments or more.")
        number = _lua_tonumber(args[0])
        if number is None:
            raise ScriptRaise(b"ERR First argument must be a number (log level).")
        level = _c_int(number)
        if not 0 <= level <= 3:
            raise ScriptRaise(b"ERR Invalid debug level.")
        message = b""
        for position, arg in enumerate(args[1:], 1):
            text = _lua_tolstring(arg)
            if text is not None:
                if position != 1:
                    message += b" "
                message += text
        if level >= _VERBOSITY.get(self.server.config["loglevel"], 2):
            log.log(_LOG_LEVELS[level], "%s", message.decode("utf-8", errors="replace"))

    def _math_random(self, *args: Any) -> float:
        # redisLrand48: the 48-bit linear congruential generator of drand48, high 31 bits.
        self._rand = (0x5DEECE66D * self._rand + 0xB) & 0xFFFFFFFFFFFF
        r = ((self._rand >> 17) % _LRAND48_MAX) / _LRAND48_MAX
        if not args:
            return r
        if len(args) == 1:
            upper = _check_int(args, 0, "random")
            if upper < 1:
                raise ScriptRaise(b"bad argument #1 to 'random' (interval is empty)", kind=b"where")
            return float(math.floor(r * upper) + 1)
        if len(args) == 2:
            lower = _check_int(args, 0, "random")
            upper = _check_int(args, 1, "random")
            if lower > upper:
                raise ScriptRaise(b"bad argument #2 to 'random' (interval is empty)", kind=b"where")
            return float(math.floor(r * (upper - lower + 1)) + lower)
        raise ScriptRaise(b"wrong number of arguments", kind=b"where")

    def _math_randomseed(self, *args: Any) -> None:
        seed = _check_int(args, 0, "randomseed")
        self._rand = ((seed & 0xFFFFFFFF) << 16) | 0x330E

    def _hook(self) -> bytes | None:
        try:
            return self._hook_unsafe()
        except Exception:
            log.exception("script hook failed")
            return None

    def _hook_unsafe(self) -> bytes | None:
        state = self.run_state
        if state is None:
            return None
        if not state.timed_out:
            if _elapsed_ms(state) < self.server.config["lua-time-limit"]:
                return None
            state.timed_out = True
            log.warning(
                "Slow script detected: still in execution after %d milliseconds. You can try killing "
                "the script using the SCRIPT KILL command. Script name is: %s.",
                _elapsed_ms(state),
                state.sha,
            )
        if not state.killed:
            self._serve_while_busy(state)
        if state.killed:
            return _KILLED
        return None

    # ---- SCRIPT KILL and other clients while busy ------------------------------------------------
    def kill(self) -> None:
        """SCRIPT KILL: stop the running script unless it already wrote."""
        state = self.run_state
        if state is None:
            raise CommandError(errors.NOTBUSY)
        if state.wrote:
            raise CommandError(errors.UNKILLABLE)
        state.killed = True

    def _serve_while_busy(self, state: Run) -> None:
        server = self.server
        keyspace = server.keyspace
        frozen = keyspace.now_ms
        by_fd: dict[int, Client] = {}
        for client in list(server.clients.values()):
            if client is state.caller or client.closing or client.transport is None:
                continue
            if client.blocked is not None or client.backlog:
                continue  # its reading is paused until it is served; leave its socket alone
            sock = client.transport.get_extra_info("socket")
            if sock is None:
                continue
            try:
                by_fd[sock.fileno()] = client
            except OSError:
                continue
        if not by_fd:
            return
        poller = select.poll()
        for fd in by_fd:
            poller.register(fd, select.POLLIN)
        try:
            events = poller.poll(0)
        except OSError:
            return
        for fd, _event in events:
            client = by_fd[fd]
            try:
                data = os.read(fd, 65536)
            except OSError:
                continue
            if data:
                self._feed_while_busy(client, data, state)
        keyspace.now_ms = frozen

    def _feed_while_busy(self, client: Client, data: bytes, state: Run) -> None:
        commands, error = client.parser.feed(data)
        client.last_interaction = time.monotonic()
        client.in_batch = True
        try:
            for argv in commands:
                if client.closing:
                    break
                if client.blocked is not None or client.backlog:
                    client.backlog.append(argv)
                    continue
                self._busy_command(client, argv, state)
        finally:
            client.in_batch = False
        if error is not None:
            client.out.append(b"-ERR %s\r\n" % str(error).encode())
            client.close()
        else:
            client.flush()

    def _busy_command(self, client: Client, argv: list[bytes], state: Run) -> None:
        cmd = dispatch.resolve(argv)
        if type(cmd) is str:
            self._reject(client, cmd)
            return
        assert isinstance(cmd, Command)
        if not client.authenticated and "no_auth" not in cmd.flags:
            dispatch.execute(client, argv)
            return
        shutdown = cmd.name == "shutdown"
        nosave = any(arg.lower() == b"nosave" for arg in argv[1:])
        if "allow_busy" in cmd.flags and (not shutdown or nosave):
            dispatch.execute(client, argv)
            if shutdown and nosave:
                state.killed = True  # the server is going away: stop the script now
            return
        cmd.rejected_calls += 1
        self._reject(client, errors.BUSY)

    def _reject(self, client: Client, text: str) -> None:
        if client.multi:
            client.multi_error = True
        reply = ErrorReply(text)
        self.server.count_error(reply)
        client.out.append(encode(reply, client.resp))


# ---- helpers ---------------------------------------------------------------------------------

_NO_ARGS: Final = b"ERR Please specify at least one argument for this redis lib call"
_BAD_ARGS: Final = b"ERR Lua redis lib command arguments must be strings or integers"
_UNKNOWN: Final = b"ERR Unknown Redis command called from script"
_WRONG_ARITY: Final = b"ERR Wrong number of args calling Redis command from script"
_NOT_ALLOWED: Final = b"ERR This Redis command is not allowed from script"
_WRITE_IN_RO: Final = b"ERR Write commands are not allowed from read-only scripts."
_KILLED: Final = b"ERR Script killed by user with SCRIPT KILL..."
_WRONG_ARGS_PREFIX: Final = "ERR wrong number of arguments"


def _to_argv(args: tuple[Any, ...]) -> list[bytes] | None:
    argv: list[bytes] = []
    for arg in args:
        kind = type(arg)
        if kind is bytes:
            argv.append(arg)
        elif kind is int or kind is float:
            argv.append(convert.lua_number_arg(arg))
        else:
            return None
    return argv


class ScriptRaise(Exception):
    """An error a Python function called from Lua raises in the script: `kind` b"table" is an
    error table `{err=message}`, b"string" a plain Lua error, b"where" a luaL_error message that
    gets the caller's position."""

    def __init__(self, message: bytes, *, flagged: bool = False, kind: bytes = b"table") -> None:
        super().__init__(message)
        self.message = message
        self.flagged = flagged
        self.kind = kind


def _unwrap_error(error: Any) -> tuple[bytes, bytes, bool] | None:
    if isinstance(error, ScriptRaise):
        return error.kind, error.message, error.flagged
    if isinstance(error, BaseException):
        log.error("error in a scripting callback", exc_info=error)
        return b"table", f"ERR internal error: {type(error).__name__}".encode(), False
    return None


def _redis_sha1hex(*args: Any) -> bytes:
    if len(args) != 1:
        raise ScriptRaise(b"wrong number of arguments", kind=b"string")
    return hashlib.sha1(_lua_tolstring(args[0]) or b"").hexdigest().encode()


def _redis_set_repl(*args: Any) -> None:
    if len(args) != 1:
        raise ScriptRaise(b"ERR redis.set_repl() requires two arguments.")
    if _c_int(_lua_tonumber(args[0]) or 0.0) & ~3:
        raise ScriptRaise(b"ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")


def _redis_acl_check_cmd(*args: Any) -> bool:
    if not args:
        raise ScriptRaise(_NO_ARGS)
    argv = _to_argv(args)
    if argv is None:
        raise ScriptRaise(_BAD_ARGS)
    entry = COMMANDS.get(argv[0].lower())
    if entry is not None and entry.subcommands and len(argv) > 1:
        entry = entry.subcommands.get(argv[1].lower())
    if entry is None:
        raise ScriptRaise(b"ERR Invalid command passed to redis.acl_check_cmd()")
    return True


_LUA_NUMBER = re.compile(
    rb"^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|inf|infinity|nan)\s*$", re.I
)


def _lua_tonumber(value: Any) -> float | None:
    """lua_tonumber's view of a value: numbers, and strings that spell one; None otherwise."""
    kind = type(value)
    if kind is int or kind is float:
        return float(value)
    if kind is bytes and _LUA_NUMBER.match(value):
        text = value.strip()
        if text.lstrip(b"+-")[:2].lower() == b"0x":
            number = float(int(text.lstrip(b"+-"), 16))
            return -number if text.startswith(b"-") else number
        return float(text)
    return None


def _lua_tolstring(value: Any) -> bytes | None:
    """lua_tolstring: strings as they are, numbers as %.14g, anything else None."""
    kind = type(value)
    if kind is bytes:
        return bytes(value)
    if kind is int or kind is float:
        number = float(value)
        if number != number:
            return b"-nan" if math.copysign(1.0, number) < 0 else b"nan"
        return b"%.14g" % number
    return None


def _c_int(number: float) -> int:
    """C's `(int)` of a double (truncation, then 32-bit wrap-around)."""
    if number != number or number in (math.inf, -math.inf):
        return -(2**31)
    value = int(number) & 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def _check_int(args: tuple[Any, ...], index: int, function: str) -> int:
    """luaL_checkint: the argument as a C int, or Lua's "bad argument" error."""
    number = _lua_tonumber(args[index]) if index < len(args) else None
    if number is None:
        got = _lua_typename(args[index]) if index < len(args) else "no value"
        raise ScriptRaise(
            f"bad argument #{index + 1} to '{function}' (number expected, got {got})".encode(), kind=b"where"
        )
    return _c_int(number)


def _lua_typename(value: Any) -> str:
    kind = type(value)
    if kind is bytes:
        return "string"
    if kind is int or kind is float:
        return "number"
    if kind is bool:
        return "boolean"
    if value is None:
        return "nil"
    from lupa import lua51

    return str(lua51.lua_type(value))


def _deny_attributes(obj: Any, name: Any, is_setting: bool) -> Any:
    raise AttributeError("access denied")


def _elapsed_ms(state: Run) -> int:
    return int((time.monotonic() - state.start) * 1000)


def _version_num(version: str) -> int:
    major, minor, patch = (int(part) for part in version.split("."))
    return (major << 16) | (minor << 8) | patch


def _lua_tostring(value: Any) -> bytes:
    if type(value) is bytes:
        return value
    if type(value) is int:
        return b"%d" % value
    if type(value) is float:
        return b"%.14g" % value
    return str(value).encode()


def _text(value: Any) -> str:
    raw = value if type(value) is bytes else _lua_tostring(value)
    return convert.error_text(raw)
