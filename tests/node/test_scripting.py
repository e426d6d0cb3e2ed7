"""Lua scripting: EVAL/EVALSHA/EVAL_RO/EVALSHA_RO and SCRIPT, differential against Redis 7.0.

Every deterministic behaviour goes through `pair` (replies compared byte for byte, error texts
and their `script: <sha>, on @user_script:N.` suffix included): the Lua <-> RESP conversion
rules, `redis.*` functions, the sandbox, shebang flags, read-only scripts. Busy scripts (BUSY
replies, SCRIPT KILL, UNKILLABLE) are compared as transcripts from a second connection. Last,
redis-py's `Lock`, which is built on Lua scripts, is exercised against our node.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from tests.node.conftest import Pair
from tests.support import NodeProcess, RawClient, RedisProcess, parse_reply

# ---- conversions -----------------------------------------------------------------------------

CONVERSIONS = [
    "return 1",
    "return -7",
    "return 3.99",
    "return -3.99",
    "return 1e20",
    "return 0/0",
    "return 1/0",
    "return 'hello'",
    "return ''",
    "return true",
    "return false",
    "return nil",
    "return",
    "return {}",
    "return {1, 2.7, -3.9, 'a', true, false, nil, 5}",
    "return {1, {2, {3}}, {}, {ok='x'}, {err='y'}}",
    "return {ok='fine'}",
    "return {ok=5}",
    "return {err=5}",
    "return {err='MY boom'}",
    "return {err='a\\r\\nb'}",
    "return {ok='a\\r\\nb'}",
    "return {err='x', ok='y'}",
    "return {a=1, 'first'}",
    "return {double=3.5}",
    "return {double=3}",
    "return {map={a=1}}",
    "return {set={a=true}}",
    "return {big_number='123456789012345678901234567890'}",
    "return {verbatim_string={format='txt', string='hi'}}",
    "return redis.status_reply('FINE')",
    "return redis.error_reply('MY boom')",
    "return redis.error_reply('boom')",
    "return redis.error_reply('-X y')",
    "return redis.error_reply('a\\r\\nb')",
    "return redis.error_reply('')",
    "return redis.error_reply()",
    "return redis.error_reply(5)",
    "return redis.status_reply()",
    "return redis.status_reply({})",
    "return KEYS",
    "return ARGV",
    "return {#KEYS, #ARGV}",
    "return type(redis.call)",
]


@pytest.mark.parametrize("script", CONVERSIONS)
def test_lua_to_reply(pair: Pair, script: str) -> None:
    pair.check("EVAL", script, 2, "k1", "k2", "a1", "a2", "a3")


@pytest.mark.parametrize("protocol", [2, 3])
def test_lua_to_reply_resp3_caller(pair: Pair, protocol: int) -> None:
    pair.both("HELLO", protocol)  # the replies differ in the client id
    for script in ("return nil", "return false", "return true", "return {double=1.5}", "return {map={a={1,2}}}"):
        pair.check("EVAL", script, 0)
    pair.check("EVAL", "redis.setresp(3) return {true, false}", 0)


REPLIES_TO_LUA = [
    # (setup commands, script)
    ([], "return redis.call('incr', 'n')"),
    ([("SET", "s", "abc")], "return redis.call('get', 's')"),
    ([], "return type(redis.call('get', 'missing'))"),
    ([], "return redis.call('get', 'missing')"),
    ([("RPUSH", "l", "a", "b", "c")], "return redis.call('lrange', 'l', 0, -1)"),
    ([], "return type(redis.call('lpop', 'missing', 2))"),
    ([("HSET", "h", "a", "1", "b", "2")], "return redis.call('hgetall', 'h')"),
    ([("ZADD", "z", "1.5", "a")], "return redis.call('zscore', 'z', 'a')"),
    ([("ZADD", "z", "1.5", "a")], "return redis.call('zrange', 'z', 0, -1, 'withscores')"),
    ([], "return redis.call('ping')"),
    ([], "return redis.call('ping')['ok']"),
    ([("SET", "s", "v")], "return redis.call('type', 's')['ok']"),
    ([], "return redis.call('set', 'k', 'v', 'nx')"),
    ([("SET", "k", "v")], "return type(redis.call('set', 'k', 'v', 'nx'))"),
    ([], "return redis.call('hgetall', 'missing')"),
    ([], "return redis.call('exists', 'missing')"),
    ([], "redis.setresp(3) return redis.call('get', 'missing') == nil"),
    ([("HSET", "h", "a", "1")], "redis.setresp(3) return redis.call('hgetall', 'h')['map']['a']"),
    ([("SADD", "s", "x")], "redis.setresp(3) return type(redis.call('smembers', 's')['set'])"),
    ([("ZADD", "z", "2.5", "a")], "redis.setresp(3) return redis.call('zscore', 'z', 'a')['double']"),
    ([], "redis.setresp(3) return redis.call('exists', 'x')"),
]


@pytest.mark.parametrize(("setup", "script"), REPLIES_TO_LUA)
def test_reply_to_lua(pair: Pair, setup: list[tuple[str, ...]], script: str) -> None:
    for args in setup:
        pair.check(*args)
    pair.check("EVAL", script, 0)


def test_number_arguments_are_printed_with_17_digits(pair: Pair) -> None:
    script = (
        "local r = {} for i, v in ipairs({1e20, 0.1, 1/3, 2^53, 1e-5, 123456789012345678, 1e21, 100, "
        "12345.678, 1e-7, 2^63, 1e15, 1e16, 1e17, 1/0, -1/0, -5}) do "
        "redis.call('set', 'k', v) r[i] = redis.call('get', 'k') end return r"
    )
    pair.check("EVAL", script, 0)


# ---- errors ----------------------------------------------------------------------------------

ERRORS = [
    "return redis.call('incr', 's')",
    "return redis.pcall('incr', 's')",
    "return {pcall(redis.call, 'incr', 's')}",
    "local ok, e = pcall(redis.call, 'incr', 's') return e",
    "local e = redis.pcall('incr', 's') local t = {} for k, v in pairs(e) do t[#t+1] = k .. '=' .. tostring(v) end "
    "return t",
    "local e = redis.pcall('nosuch') local t = {} for k in pairs(e) do t[#t+1] = k end return t",
    "local e = redis.pcall() local t = {} for k in pairs(e) do t[#t+1] = k end return t",
    "redis.call('incr', 's')",
    "local x = redis.call('incr', 's')\nreturn x",
    "\n\nreturn redis.call('incr', 's')",
    "return redis.call('nosuch')",
    "return redis.call(1)",
    "return redis.call('get')",
    "return redis.call('get', 'a', 'b')",
    "return redis.call('config')",
    "return redis.call('config', 'nosuch')",
    "return redis.call()",
    "return redis.call('get', {})",
    "return redis.call('set', 'k', true)",
    "return redis.call('set', 'k', nil)",
    "return redis.pcall('nosuch')",
    "return redis.pcall()",
    "return redis.pcall('get', {})",
    "return redis.call('multi')",
    "return redis.call('eval', 'return 1', 0)",
    "return redis.call('subscribe', 'x')",
    "return redis.call('script', 'load', 'return 1')",
    "return error('boom')",
    "error('boom')",
    "return error({err='MYERR boom'})",
    "return error({err='boom'})",
    "error({err=5})",
    "error('x', 0)",
    "error('x', 2)",
    "error()",
    "local function f() error('in f') end f()",
    "local function f()\n  error('in f')\nend\nf()",
    "return nil + 1",
    "return string.rep()",
    "local a = 1\n\nerror('third line')",
    "return redis.sha1hex()",
    "return redis.sha1hex('a', 'b')",
    "return redis.log(redis.LOG_WARNING)",
    "return redis.log(99, 'x')",
    "return redis.log(-1, 'x')",
    "return redis.log('a', 'x')",
    "return redis.setresp(4)",
    "return redis.setresp()",
    "return redis.set_repl(99)",
    "return redis.set_repl()",
    "return redis.acl_check_cmd('nosuch')",
    "return redis.acl_check_cmd()",
    "return redis.acl_check_cmd({})",
    "return math.random(0)",
    "return math.random(1, 2, 3)",
    "return math.random(5, 1)",
    "return math.random('x')",
]


@pytest.mark.parametrize("script", ERRORS)
def test_errors(pair: Pair, script: str) -> None:
    pair.check("SET", "s", "abc")
    pair.check("EVAL", script, 0)


def test_compile_errors(pair: Pair) -> None:
    for script in ("syntax error here", "return 1 +", "return +", "return 1\nreturn +", "#x\nreturn 1", "x"):
        pair.check("EVAL", script, 0)
        pair.check("SCRIPT", "LOAD", script)


def test_eval_argument_errors(pair: Pair) -> None:
    pair.check("EVAL", "return 1", -1)
    pair.check("EVAL", "return 1", "abc")
    pair.check("EVAL", "return 1", 3, "a")
    pair.check("EVAL", "return 1", "1.5", "a")
    pair.check("EVAL", "return 1")
    pair.check("EVAL")
    pair.check("EVAL", "return +", -1)
    pair.check("EVALSHA", "abc", 0)
    pair.check("EVALSHA", "abc", -1)
    pair.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8dc", -1)
    pair.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8dc", 0)
    pair.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8dc")
    pair.check("EVAL_RO", "return 1", 1)
    pair.check("EVALSHA_RO", "abc", 0)


# ---- the sandbox -----------------------------------------------------------------------------

SANDBOX = [
    "return foo",
    "foo = 1",
    "KEYS = 5",
    "redis.call = nil",
    "redis.foo = 1",
    "string.len = nil",
    "math.pi = 3",
    "table.sort = nil",
    "rawset(_G, 'x', 1)",
    "setmetatable(_G, nil)",
    "return getmetatable(_G)",
    "return type(getmetatable(_G))",
    "return type(getmetatable('x'))",
    "getmetatable('').__index = nil",
    "getmetatable(_G).__index = nil",
    "return tostring(print)",
    "return os",
    "return io",
    "return debug",
    "return require",
    "return loadfile",
    "return dofile",
    "return type(newproxy)",
    "return type(setfenv)",
    "return type(getfenv)",
    "return package",
    "return _G.foo",
    "return _G == _G._G",
    "return _VERSION",
    "return rawget(_G, 'foo')",
    "return type(rawget(_G, 'redis'))",
    "local t = {} for k in pairs(_G) do t[#t+1] = k end table.sort(t) return t",
    "local t = {} for k in pairs(redis) do t[#t+1] = k end table.sort(t) return t",
    "local t = {} for k in pairs(string) do t[#t+1] = k end table.sort(t) return t",
    "local t = {} for k in pairs(math) do t[#t+1] = k end table.sort(t) return t",
    "local t = {} for k in pairs(table) do t[#t+1] = k end table.sort(t) return t",
    "local t = {} for k in pairs(coroutine) do t[#t+1] = k end table.sort(t) return t",
    "local t = {} for k, v in next, _G do t[#t+1] = k end return #t",
    "local x = 1; x = 2; return x",
    "KEYS[1] = 'z' return KEYS[1]",
    "return loadstring('return 1 + 1')()",
    "return loadstring('x = 1')()",
    "return loadstring('return nosuch')()",
    "return loadstring('return +')",
    "return ('abc'):upper()",
    "local t = setmetatable({}, {__index = function(t, k) return k .. '!' end}) return t.x",
    "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) "
    "local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return {x, y}",
    "return string.format('%d %s %5.2f %q', 3, 'x', 1.234, 'a\"b')",
    "return {tostring(1/0), tostring(-1/0), tostring(12345.678), tostring(1e15), tostring(0.1)}",
    "return table.concat({1, 2, 3}, ',')",
    "return {math.floor(3.7), math.max(1, 5, 3), math.fmod(7, 3)}",
    "return xpcall(function() error('x') end, function(e) return 'handled: ' .. e end)",
    "return {pcall(error, 'x')}",
    "return {pcall(error, {err='E x'})}",
    "return select('#', pcall(function() return 1, 2, 3 end))",
]


@pytest.mark.parametrize("script", SANDBOX)
def test_sandbox(pair: Pair, script: str) -> None:
    pair.check("EVAL", script, 1, "k1", "a1")


def test_globals_do_not_leak_between_scripts(pair: Pair) -> None:
    pair.check("EVAL", "pcall(function() x = 1 end) return 1", 0)
    pair.check("EVAL", "return rawget(_G, 'x')", 0)
    pair.check("EVAL", "return KEYS[1]", 1, "first")
    pair.check("EVAL", "return KEYS[1]", 0)


# ---- redis.* ---------------------------------------------------------------------------------

REDIS_API = [
    "return redis.REDIS_VERSION",
    "return redis.REDIS_VERSION_NUM",
    "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
    "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}",
    "return redis.sha1hex('')",
    "return redis.sha1hex('hello world')",
    "return redis.sha1hex(1)",
    "return redis.sha1hex(1.5)",
    "return redis.sha1hex({})",
    "return redis.sha1hex(nil)",
    "return redis.log(redis.LOG_WARNING, 'hello', 'x')",
    "return redis.log('3', 'numeric string level')",
    "return redis.log(redis.LOG_DEBUG, 'debug', 1, {}, 'x')",
    "return redis.replicate_commands()",
    "return redis.set_repl(redis.REPL_ALL)",
    "return redis.set_repl(redis.REPL_NONE)",
    "return redis.breakpoint()",
    "return redis.debug('x')",
    "return redis.setresp(3)",
    "return redis.setresp(2)",
    "return redis.acl_check_cmd('get', 'x')",
    "return redis.acl_check_cmd('set')",
    "math.randomseed(1) return {math.random(1000), math.random(1000), tostring(math.random())}",
    "math.randomseed(42) return {math.random(5, 10), math.random(3), math.random(-3, -1)}",
    "math.randomseed(7) local t = {} for i = 1, 20 do t[i] = math.random(100) end return t",
]


@pytest.mark.parametrize("script", REDIS_API)
def test_redis_api(pair: Pair, script: str) -> None:
    pair.check("EVAL", script, 0)


def test_select_inside_a_script_does_not_change_the_callers_db(pair: Pair) -> None:
    pair.check("SET", "k", "db0")
    pair.check("EVAL", "redis.call('select', 1) redis.call('set', 'k', 'db1') return redis.call('get', 'k')", 0)
    pair.check("GET", "k")
    pair.check("SELECT", "1")
    pair.check("GET", "k")
    pair.check("EVAL", "return redis.call('get', 'k')", 0)
    pair.check("FLUSHDB")
    pair.check("SELECT", "0")


def test_blocking_commands_and_time_inside_scripts(pair: Pair) -> None:
    pair.check("RPUSH", "l", "a")
    pair.check("EVAL", "return redis.call('lpop', 'l')", 0)
    pair.check("EVAL", "return redis.pcall('blpop', 'l', 0)", 0)
    pair.check("EVAL", "redis.call('set', 'k', 'v', 'px', 1) return redis.call('get', 'k')", 0)


def test_writes_are_visible_and_atomic(pair: Pair) -> None:
    script = (
        "local n = redis.call('incrby', KEYS[1], ARGV[1]) "
        "redis.call('rpush', KEYS[2], n) "
        "return {n, redis.call('lrange', KEYS[2], 0, -1)}"
    )
    for _ in range(3):
        pair.check("EVAL", script, 2, "counter", "log", "5")
    pair.check("GET", "counter")
    pair.check("EVAL", "redis.call('set', 'a', '1') error('stop')", 0)
    pair.check("GET", "a")


LIBRARIES = [
    "return cjson.encode({'a/b', 1.5, 1e15, 100, true, false, cjson.null, 'q\"\\\\\\n\\t'})",
    "return cjson.encode({a=1, b={1,2}, c={}})",
    "return cjson.encode({[1]=1, [3]=3})",
    "return cjson.encode({[1]=1, [20]=3})",
    "return cjson.encode({[true]=1})",
    "return cjson.encode({[1.5]='x'})",
    "return cjson.encode(redis.call)",
    "return cjson.encode(0/0)",
    "return cjson.encode()",
    "return cjson.encode('plain')",
    "return cjson.encode(string.char(1, 127, 200))",
    'local t = cjson.decode(\'{"a":[1,2,{"b":null}],"c":"\\u00e9\\n"}\') '
    "return {t.a[1], t.a[3].b == cjson.null, t.c, type(t.a[3].b)}",
    "return cjson.decode('[1,2')",
    "return cjson.decode('x')",
    "return cjson.decode('{\"a\" 1}')",
    "return cjson.decode('{1:2}')",
    "return cjson.decode('[1,]')",
    "return cjson.decode('[1] 2')",
    "return cjson.decode('')",
    "return cjson.decode('1.5')",
    "return cjson.decode('\"abc')",
    "return cjson.decode('\"\\\\x\"')",
    "return cjson.decode('[true, false, -1.5e2, \"\\ud83d\\ude00\"]')",
    "return cjson.decode(cjson.encode({1, 2, {x='y'}}))[3].x",
    "return {cjson._NAME, cjson._VERSION}",
    "return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 31), "
    "bit.rshift(-1, 28), bit.arshift(-16, 2), bit.tohex(255), bit.tohex(-1, -4), bit.tobit(2^32 + 5), "
    "bit.rol(1, 33), bit.ror(1, 1), bit.bswap(0x12345678), bit.tobit(1.5), bit.tobit(2.5), bit.tohex(0x1234, 2)}",
    "return bit.band()",
    "return bit.band('x')",
    "return bit.band('3', 1)",
    "return type(bit.band)",
]


@pytest.mark.parametrize("script", LIBRARIES)
def test_bundled_libraries(pair: Pair, script: str) -> None:
    pair.check("EVAL", script, 0)


# cmsgpack: every integer size class, floats (float32 when exact, else float64), strings of each
# header size, arrays vs maps, nesting past 16, round trips, unpack_one/unpack_limit, the Lua
# stack limits and the error texts.
CMSGPACK = [
    "return cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53)",
    "return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^53, -2^63)",
    "return cmsgpack.pack(0.5, -0.5, 1.1, 1e20, 2^63, 2^64, -2^64, 1/0, -1/0, 0/0, -0.0, 3.4028234663852886e38, 1e300, 1e-300)",
    "return cmsgpack.pack('', string.rep('a', 31), string.rep('a', 32), string.rep('a', 255), string.rep('a', 256))",
    "return #cmsgpack.pack(string.rep('a', 65535)) .. ' ' .. cmsgpack.pack(string.rep('a', 65535)):sub(1, 4)",
    "return #cmsgpack.pack(string.rep('a', 65536)) .. ' ' .. cmsgpack.pack(string.rep('a', 65536)):sub(1, 6)",
    "return cmsgpack.pack(nil, true, false, {}, {1, 2, 3}, {a=1}, {1, nil, 3}, {[2]=1}, {[1]=1, [2]=2, x=3})",
    "return cmsgpack.pack({1, {2, {3, {4}}}, {x={y={z=1}}}})",
    "return cmsgpack.pack({[1.5]=1}, {[-1]=1}, {[0]=1}, {['1']=1}, {[true]=1}, {[2^31]=1, [1]=1})",
    "return cmsgpack.pack(redis.call, cjson.null, coroutine.create(function() end))",
    "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
    "local t = {} t[1] = t return cmsgpack.pack(t)",
    "local t = {} t.self = t return cmsgpack.pack(t)",
    "local t = {} for i = 1, 16 do t[i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 65536 do t[i] = i % 3 end return cmsgpack.pack(t):sub(1, 10)",
    "local t = {} for i = 1, 16 do t['k' .. i] = i end return #cmsgpack.pack(t)",
    "local t = {} for i = 1, 65536 do t['k' .. i] = 1 end return cmsgpack.pack(t):sub(1, 5)",
    "local t = {} for i = 1, 20 do t['k' .. i] = i end return cmsgpack.pack(t)",
    "return cmsgpack.pack()",
    "return cmsgpack.unpack(cmsgpack.pack(1, -1, 'x', {1, 2, {a='b'}}, true, false, 1.5, 1e300))",
    "return {cmsgpack.unpack(cmsgpack.pack(1, -1, 'x', {1, 2, {a='b'}}, true, false, 1.5, 1e300))}",
    "return {cmsgpack.unpack(cmsgpack.pack(2^53, -2^53, 4294967296, -2147483649, 0.1, 65535, -129))}",
    "return {cmsgpack.unpack(string.char(0xcf, 255, 255, 255, 255, 255, 255, 255, 255, 0xd3, 128, 0, 0, 0, 0, 0, 0, 0))}",
    "return {cmsgpack.unpack(string.char(0xcf, 0, 0, 0, 1, 0, 0, 0, 0, 0xce, 255, 255, 255, 255))}",
    "return cmsgpack.unpack('')",
    "return {cmsgpack.unpack('')}",
    "return cmsgpack.unpack(string.char(0xc1))",
    "return cmsgpack.unpack(string.char(0xc4, 1, 65))",
    "return cmsgpack.unpack(string.char(0xcd, 1))",
    "return cmsgpack.unpack(string.char(0x92, 1))",
    "return cmsgpack.unpack(string.char(0xa5, 65))",
    "return cmsgpack.unpack(string.char(0xd9, 3, 65, 66, 67))",
    "return cmsgpack.unpack(string.char(0x81, 0xc0, 1))",
    "return cmsgpack.unpack(string.char(0x81, 0xcb, 0xff, 0xf8, 0, 0, 0, 0, 0, 0, 1))",
    "return cmsgpack.unpack(string.char(0x81, 0xc0))",
    "return cmsgpack.unpack(string.char(0x82, 1, 0xc0, 2, 3))",
    "local t = cmsgpack.unpack(string.char(0x93, 1, 0xc0, 3)) return {#t, t[1], t[3]}",
    "local t = cmsgpack.unpack(string.char(0x83, 1, 1, 2, 0xc0, 3, 3)) local r = {} for k, v in pairs(t) do r[#r+1] = k end return r",
    "local t = cmsgpack.unpack(cmsgpack.pack({a=1, b=2, c=3, d=4, e=5, f=6, g=7})) local r = {} for k, v in pairs(t) do r[#r+1] = k end return r",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), '1')}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 'x')}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1.7)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 2)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 10)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -1)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), nil, 1)}",
    "return {cmsgpack.unpack_limit(nil, 1)}",
    "return {cmsgpack.unpack_one()}",
    "return {cmsgpack.unpack_one({})}",
    "return {cmsgpack.unpack(123)}",
    "return {cmsgpack.unpack(cmsgpack.pack(1), 2, 3)}",
    "local s = string.rep(string.char(1), 7999) return select('#', cmsgpack.unpack(s))",
    "local s = string.rep(string.char(1), 8000) return select('#', cmsgpack.unpack(s))",
    "local s = string.rep(string.char(1), 7998) return select('#', cmsgpack.unpack(s, 1))",
    "local s = string.rep(string.char(1), 7999) return select('#', cmsgpack.unpack(s, 1))",
    "local s = string.rep(string.char(0x91), 3998) .. string.char(1) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x91), 3999) .. string.char(1) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x91), 4000) .. string.char(1) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 1), 7998) .. string.char(1) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 1), 7997) .. string.char(1) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 1), 3000) .. string.char(1) return type(cmsgpack.unpack(s))",
    "return cmsgpack.pack(cmsgpack.unpack(cmsgpack.pack({1, 2, {a={b={c={1, 2}}}}, 'x', 1.5})))",
    "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}",
    "local t = {} for k in pairs(cmsgpack) do t[#t+1] = k end table.sort(t) return t",
    "return {type(cmsgpack.pack), type(cmsgpack.unpack_one)}",
    "cmsgpack.pack = nil",
    "cmsgpack.foo = 1",
    "return cmsgpack.pack(1.5, 0.1, 100000.5, 3.14159, -2.5e-10, 16777217, 16777216.5)",
    "local s = string.rep(string.char(0x91), 4000) .. string.char(1) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x91), 3999) .. string.char(0x90) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x91), 3998) .. string.char(0x90) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 1), 3998) .. string.char(0x90) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 1), 7997) .. string.char(0x90) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 0x91), 2660) .. string.char(0x90) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 0x91), 2666) .. string.char(0x90) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x81, 0x91), 2667) .. string.char(0x90) return type(cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x90), 7998) return select('#', cmsgpack.unpack(s))",
    "local s = string.rep(string.char(0x90), 7999) return select('#', cmsgpack.unpack(s))",
]


@pytest.mark.parametrize("script", CMSGPACK)
def test_cmsgpack(pair: Pair, script: str) -> None:
    pair.check("EVAL", script, 0)


# struct: every format letter in each endianness and alignment, C conversions of odd numbers,
# offsets, c0/s, struct.size, and the error texts.
STRUCT = [
    "return struct.pack('>bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 5)",
    "return struct.pack('<bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 5)",
    "return struct.pack('bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 5)",
    "return struct.pack('>i1i2i3i5i8i16i32', 1, -1, 2^20, -2^33, 2^62, -5, 6)",
    "return struct.pack('<I1I2I3I5I8I16I32', 1, 1, 2^20, 2^33, 2^62, 5, 6)",
    "return struct.pack('>d<d', 1.5, 0.1) .. struct.pack('>f<f', 1.5, 0.1) .. struct.pack('f', 1e300) .. struct.pack('f', -1e300) .. struct.pack('>f', 0/0)",
    "return struct.pack('c', 'abc') .. struct.pack('c0', 'xyz') .. struct.pack('c2', 'xyz') .. struct.pack('s', 'a\\0b') .. struct.pack('x x')",
    "return struct.pack('!4 b i b d', 1, 2, 3, 4.5)",
    "return struct.pack('!2 b i b d h', 1, 2, 3, 4.5, 6)",
    "return struct.pack('! b d b l', 1, 2, 3, 4)",
    "return struct.pack('!8 b i3 b I6', 1, 2, 3, 4)",
    "return struct.pack('!16 b d', 1, 2)",
    "return struct.pack('b', '12') .. struct.pack('b', 3.9) .. struct.pack('b', -3.9) .. struct.pack('B', 256) .. struct.pack('b', 200)",
    "return struct.pack('c', 12) .. struct.pack('s', 1.5)",
    "return struct.pack('>L', 2^64) .. struct.pack('>L', 0/0) .. struct.pack('>l', -2^64) .. struct.pack('>L', 1/0) .. struct.pack('>L', -1/0) .. struct.pack('>L', 2^63+2^40)",
    "return struct.pack()",
    "return struct.pack('z')",
    "return struct.pack('=i', 1)",
    "return struct.pack('i')",
    "return struct.pack('i', 'x')",
    "return struct.pack('i', {})",
    "return struct.pack('d', nil)",
    "return struct.pack('c5', 'ab')",
    "return struct.pack('bc5', 1, 'ab')",
    "return struct.pack('s', {})",
    "return struct.pack('i33', 1)",
    "return struct.pack('i99999999999', 1)",
    "return struct.pack('!3')",
    "return struct.pack('!0')",
    "return struct.pack({})",
    "return struct.pack('i\\0z', 1)",
    "return struct.pack(5, 1)",
    "return {struct.unpack('>bBhHlLTiI', struct.pack('>bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 5))}",
    "return {struct.unpack('<bBhHlLTiI', struct.pack('<bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 5))}",
    "return {struct.unpack('bBhHlLTiI', struct.pack('bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 5))}",
    "return {struct.unpack('>i1i2i3i5i8', struct.pack('>i1i2i3i5i8', -1, -2, -3, -4, -5))}",
    "return {struct.unpack('>I1I2I3I5I8', struct.pack('>i1i2i3i5i8', -1, -2, -3, -4, -5))}",
    "return {struct.unpack('>i16', string.rep(string.char(255), 16))}",
    "return {struct.unpack('>i9', string.char(1, 128, 0, 0, 0, 0, 0, 0, 0))}",
    "return {struct.unpack('<i9', string.char(0, 0, 0, 0, 0, 0, 0, 0, 128))}",
    "return {struct.unpack('<i12', string.char(0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 1))}",
    "return {struct.unpack('>i12', string.char(0,0,0,0,0,0,0,0,0,0,0,1))}",
    "return {struct.unpack('<I12', string.rep(string.char(255), 12))}",
    "return {struct.unpack('i0i', 'abcd')}",
    "return {tostring(struct.unpack('>d', struct.pack('>d', 0.1))), tostring(struct.unpack('<f', struct.pack('<f', 0.1))), tostring(struct.unpack('f', struct.pack('f', 1e300)))}",
    "return {struct.unpack('c2c0', 'ab')}",
    "return {struct.unpack('bc0', string.char(3) .. 'xyz!')}",
    "return {struct.unpack('bc0', string.char(9) .. 'xyz!')}",
    "return {struct.unpack('c0', '2abc')}",
    "return {struct.unpack('c0', '3')}",
    "return {struct.unpack('sbs', 'hello\\0' .. string.char(5) .. 'x\\0rest')}",
    "return {struct.unpack('s', 'abc')}",
    "return {struct.unpack('x b', 'ab')}",
    "return {struct.unpack('!4 b i', 'a\\0\\0\\0\\1\\0\\0\\0')}",
    "return {struct.unpack('b', 'abc', 2)}",
    "return {struct.unpack('b', 'abc', 3)}",
    "return {struct.unpack('b', 'abc', 4)}",
    "return {struct.unpack('', 'abc', 4)}",
    "return {struct.unpack('', 'abc', 100)}",
    "return {struct.unpack('b', 'abc', 0)}",
    "return {struct.unpack('b', 'abc', -1)}",
    "return {struct.unpack('', 'abc', -5)}",
    "return {struct.unpack('b', 'abc', 2.9)}",
    "return {struct.unpack('b', 'abc', '2')}",
    "return {struct.unpack('b', 'abc', 'x')}",
    "return {struct.unpack('b', 'abc', nil)}",
    "return {struct.unpack('i', 'ab')}",
    "return {struct.unpack('i')}",
    "return {struct.unpack()}",
    "return {struct.unpack('i', {})}",
    "return {struct.unpack('z', 'abcd')}",
    "return {struct.unpack('=', 'abcd')}",
    "return {struct.unpack('b', 12)}",
    "return select('#', struct.unpack(string.rep('b', 7997), string.rep('a', 7997)))",
    "return select('#', struct.unpack(string.rep('b', 7998), string.rep('a', 7998)))",
    "return select('#', struct.unpack(string.rep('b', 7999), string.rep('a', 7999)))",
    "return {struct.size('bBhHlLTiIdfx'), struct.size(''), struct.size('c10'), struct.size('!4 b i'), struct.size('!8 b d'), struct.size('! b d'), struct.size('i3'), struct.size('zi'), struct.size('<>')}",
    "return {struct.size('!4 b i3 b I6'), struct.size('!2 b d'), struct.size('i0'), struct.size('!1 b d')}",
    "return struct.size('s')",
    "return struct.size('c0')",
    "return struct.size('i99999999999')",
    "return struct.size('i33')",
    "return struct.size('!3')",
    "return struct.size('=i')",
    "return struct.size()",
    "return struct.size(12)",
    "local t = {} for k in pairs(struct) do t[#t+1] = k end table.sort(t) return t",
    "struct.pack = nil",
    "return type(struct.pack)",
    "return {struct.unpack('c1c0', '3abcd')}",
    "return struct.pack('ii', 1)",
    "return struct.pack('cc', 'a')",
    "return struct.pack('c')",
]


@pytest.mark.parametrize("script", STRUCT)
def test_struct(pair: Pair, script: str) -> None:
    pair.check("EVAL", script, 0)


# ---- script cache ----------------------------------------------------------------------------


def test_script_cache(pair: Pair) -> None:
    sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"  # sha1("return 1")
    pair.check("SCRIPT", "FLUSH")
    pair.check("EVALSHA", sha, 0)
    pair.check("SCRIPT", "EXISTS", sha, "abc", sha.upper())
    pair.check("SCRIPT", "LOAD", "return 1")
    pair.check("SCRIPT", "EXISTS", sha, "abc", sha.upper())
    pair.check("EVALSHA", sha, 0)
    pair.check("EVALSHA", sha.upper(), 0)
    pair.check("EVALSHA", sha, -1)
    pair.check("EVALSHA", sha, 5)
    pair.check("EVALSHA_RO", sha, 0)
    pair.check("SCRIPT", "FLUSH", "ASYNC")
    pair.check("SCRIPT", "EXISTS", sha)
    pair.check("EVAL", "return 1", 0)
    pair.check("SCRIPT", "EXISTS", sha)
    pair.check("SCRIPT", "FLUSH", "SYNC")
    pair.check("SCRIPT", "EXISTS", sha)
    pair.check("SCRIPT", "LOAD", "return +")
    pair.check("SCRIPT", "EXISTS", "0aae5c2c0fba6e5f3d2b5ff4a3da4c9e0bb2f1a1")


def test_script_subcommand_errors(pair: Pair) -> None:
    pair.run(
        ("SCRIPT",),
        ("SCRIPT", "EXISTS"),
        ("SCRIPT", "LOAD"),
        ("SCRIPT", "LOAD", "a", "b"),
        ("SCRIPT", "FLUSH", "foo"),
        ("SCRIPT", "FLUSH", "ASYNC", "SYNC"),
        ("SCRIPT", "KILL"),
        ("SCRIPT", "KILL", "x"),
        ("SCRIPT", "HELP"),
        ("SCRIPT", "HELP", "x"),
        ("SCRIPT", "FOO"),
        ("SCRIPT", "DEBUG"),
        ("SCRIPT", "DEBUG", "foo"),
        ("SCRIPT", "DEBUG", "no"),
    )


def test_command_table_entries(pair: Pair) -> None:
    for name in ("eval", "evalsha", "eval_ro", "evalsha_ro"):
        # Name, arity, flags, key triple and ACL categories (key specifications are docs.py's).
        ours, theirs = (parse_reply(reply)[0][:7] for reply in pair.both("COMMAND", "INFO", name))
        assert ours == theirs
    pair.check("COMMAND", "GETKEYS", "EVAL", "return 1", 2, "a", "b", "c")
    pair.check("COMMAND", "GETKEYS", "EVALSHA", "x", 1, "a", "b")


# ---- read-only scripts and shebangs ----------------------------------------------------------


def test_read_only_scripts(pair: Pair) -> None:
    pair.check("SET", "a", "1")
    pair.check("EVAL_RO", "return redis.call('get', 'a')", 0)
    pair.check("EVAL_RO", "return redis.call('set', 'a', 2)", 0)
    pair.check("EVAL_RO", "return redis.pcall('set', 'a', 2)", 0)
    pair.check("EVAL_RO", "return redis.call('get', KEYS[1])", 1, "a")
    pair.check("SCRIPT", "LOAD", "return redis.call('del', 'a')")
    pair.check("EVALSHA_RO", "2c6ed5ab50edc24f3a3e1b4c2d1e6765a4d42863", 0)
    pair.check("GET", "a")


SHEBANGS = [
    "#!lua flags=no-writes\nreturn redis.call('set', 'a', 1)",
    "#!lua flags=no-writes\nreturn redis.call('get', 'a')",
    "#!lua\nreturn redis.call('set', 'a', 1)",
    "#!lua\nreturn redis.call('get', KEYS[1])",
    "#!lua flags=foo\nreturn 1",
    "#!luax\nreturn 1",
    "#!python\nreturn 1",
    "#!\nreturn 1",
    "#!lua foo=bar\nreturn 1",
    "#!lua name=x\nreturn 1",
    "#!lua flags=no-writes,allow-oom\nreturn 1",
    "#!lua flags=\nreturn 1",
    "#!lua flags=no-cluster,allow-stale,allow-cross-slot-keys\nreturn 1",
    "#!lua  flags=no-writes\nreturn 1",
    "#!lua flags=no-writes \nreturn 1",
    "#!lua\nreturn 1 +",
    "#!lua\nreturn foo",
    "#!lua",
    "\nreturn foo",
]


@pytest.mark.parametrize("script", SHEBANGS)
def test_shebang(pair: Pair, script: str) -> None:
    pair.check("EVAL", script, 1, "a")
    pair.check("EVAL_RO", script, 1, "a")


def test_eval_inside_multi(pair: Pair) -> None:
    pair.check("MULTI")
    pair.check("EVAL", "return redis.call('incr', KEYS[1])", 1, "n")
    pair.check("EVAL", "return redis.call('incr', 'nosuch', 'x')", 0)
    pair.check("EVAL", "return redis.call('incr', KEYS[1])", 1, "n")
    pair.check("EXEC")


def test_watch_sees_script_writes(pair: Pair) -> None:
    pair.check("WATCH", "w")
    pair.check("EVAL", "return redis.call('set', 'w', 'x')", 0)
    pair.check("MULTI")
    pair.check("GET", "w")
    pair.check("EXEC")


def test_oom_inside_scripts(pair: Pair) -> None:
    pair.check("SET", "big", "x" * 100_000)
    pair.check("CONFIG", "SET", "maxmemory", "1")
    try:
        pair.check("EVAL", "return redis.call('get', 'big') ~= nil", 0)
        pair.check("EVAL", "return redis.call('set', 'a', 'b')", 0)
        pair.check("EVAL", "return redis.pcall('set', 'a', 'b')", 0)
        pair.check("EVAL", "redis.call('del', 'nosuch') return redis.call('set', 'a', 'b')", 0)
        pair.check("EVAL", "#!lua\nreturn 1", 0)
        pair.check("EVAL", "#!lua flags=no-writes\nreturn 1", 0)
        pair.check("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'a', 'c')", 0)
    finally:
        pair.check("CONFIG", "SET", "maxmemory", "0")


# ---- busy scripts ----------------------------------------------------------------------------


@pytest.fixture
def busy_pairs(node_server: NodeProcess, redis_server: RedisProcess) -> Iterator[list[tuple[RawClient, RawClient]]]:
    """Per server: (the connection that runs scripts, another connection); lua-time-limit 100 ms."""
    conns = []
    for port in (node_server.port, redis_server.port):
        runner, other = RawClient(port), RawClient(port)
        assert other.call("CONFIG", "SET", "busy-reply-threshold", "100") == b"+OK\r\n"
        conns.append((runner, other))
    yield conns
    for runner, other in conns:
        other.call("CONFIG", "SET", "lua-time-limit", "5000")
        runner.close()
        other.close()


def _transcript(runner: RawClient, other: RawClient, script: str, commands: list[tuple[str, ...]]) -> list[bytes]:
    runner.send("EVAL", script, 0)
    time.sleep(0.3)
    out = [other.call(*args) for args in commands]
    out.append(runner.read_reply())
    return out


def test_busy_script_is_killed(busy_pairs: list[tuple[RawClient, RawClient]]) -> None:
    commands = [
        ("PING",),
        ("GET", "x"),
        ("SHUTDOWN",),
        ("SHUTDOWN", "SAVE"),
        ("SCRIPT", "FLUSH"),
        ("NOSUCH",),
        ("GET",),
        ("SCRIPT", "KILL"),
    ]
    ours, theirs = (_transcript(r, o, "local i = 0 while true do i = i + 1 end", commands) for r, o in busy_pairs)
    assert ours == theirs
    assert ours[-1].startswith(b"-ERR Script killed by user with SCRIPT KILL...")
    for _runner, other in busy_pairs:
        assert other.call("SCRIPT", "KILL") == b"-NOTBUSY No scripts in execution right now.\r\n"


def test_pcall_cannot_swallow_script_kill(busy_pairs: list[tuple[RawClient, RawClient]]) -> None:
    script = "local i = 0 while true do pcall(function() while true do i = i + 1 end end) end"
    ours, theirs = (_transcript(r, o, script, [("SCRIPT", "KILL")]) for r, o in busy_pairs)
    assert ours == theirs


def test_script_that_wrote_is_unkillable(busy_pairs: list[tuple[RawClient, RawClient]]) -> None:
    script = (
        "redis.call('set', 'x', '1') local start = tonumber(redis.call('time')[1]) "
        "while tonumber(redis.call('time')[1]) - start < 2 do end return 1"
    )
    ours, theirs = (_transcript(r, o, script, [("GET", "x"), ("SCRIPT", "KILL")]) for r, o in busy_pairs)
    assert ours == theirs
    assert ours[1].startswith(b"-UNKILLABLE Sorry the script already executed write commands")


# ---- redis-py's Lock (built on Lua scripts) ---------------------------------------------------


@pytest.fixture
def client(node_server: NodeProcess) -> Iterator[redis.Redis]:
    conn = redis.Redis(port=node_server.port)
    conn.flushall()
    yield conn
    conn.close()


def test_redis_py_lock(client: redis.Redis) -> None:
    lock = client.lock("resource", timeout=10)
    assert lock.acquire(blocking=False)
    assert lock.owned()
    assert lock.locked()
    ttl = client.pttl("resource")
    assert 0 < ttl <= 10_000
    assert lock.extend(20)
    assert 10_000 < client.pttl("resource") <= 30_000
    assert lock.extend(5, replace_ttl=True)
    assert client.pttl("resource") <= 5_000
    assert lock.reacquire()
    lock.release()
    assert not lock.locked()
    assert client.exists("resource") == 0


def test_redis_py_lock_contention(client: redis.Redis) -> None:
    first = client.lock("resource", timeout=10)
    second = client.lock("resource", timeout=10, blocking_timeout=0.2)
    assert first.acquire()
    assert not second.acquire()
    assert not second.owned()
    with pytest.raises(redis.exceptions.LockError):
        second.release()
    with pytest.raises(redis.exceptions.LockError):
        second.extend(5)
    first.release()
    assert second.acquire()
    assert second.owned()
    with pytest.raises(redis.exceptions.LockNotOwnedError):
        first.do_release(b"not-the-owners-token")  # the release script refuses another token
    assert second.owned()
    second.release()


def test_redis_py_lock_expires(client: redis.Redis) -> None:
    lock = client.lock("resource", timeout=0.2)
    assert lock.acquire()
    time.sleep(0.35)
    other = client.lock("resource", timeout=1)
    assert other.acquire(blocking=False)
    with pytest.raises(redis.exceptions.LockNotOwnedError):
        lock.release()
    other.release()


def test_redis_py_register_script(client: redis.Redis) -> None:
    script = client.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    client.script_flush()
    assert script(keys=["n"], args=[5]) == 5  # NOSCRIPT, then EVAL, as redis-py does
    assert script(keys=["n"], args=[2]) == 7
    assert client.script_exists(script.sha) == [True]
