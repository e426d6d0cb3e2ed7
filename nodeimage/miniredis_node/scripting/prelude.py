"""The Lua side of the scripting engine: the sandbox scripts run in, as Redis 7.0 builds it.

`PRELUDE` is loaded once per Lua state (chunk name `=miniredis`, which the error handler uses to
tell our own frames from the user's) and called with the Python callbacks of `runtime.Engine`.
It returns the few functions Python drives: `compile`, `run`, `error_table(_flagged)`.

What it builds, and why:

* Redis 7.0.15 makes the globals and every library table read-only (its Lua is patched with
  `lua_enablereadonlytable`). Plain Lua 5.1 cannot, so each protected table is shown to scripts
  through an empty proxy whose `__index` is the real table and whose `__newindex` raises Redis's
  error; `rawset`, `setmetatable`, `getmetatable`, `rawget`, `next`, `pairs` and `ipairs` see
  through proxies, so scripts observe the same tables and the same refusals. Raw writes into a
  proxy by library C code (`table.insert(string, x)`) are the one hole: they are wiped after each
  script, so nothing leaks from one script to the next.
* Scripts and the chunks they load get the sandbox as their environment (`setfenv`); the
  thread's own globals stay untouched, since lupa looks names up there.
* Reading a missing global raises "Script attempted to access nonexistent global variable".
* Only the libraries Redis exposes are visible: base (without print, dofile, loadfile, require,
  module, getfenv, setfenv, newproxy), string, table, math (with Redis's PRNG), coroutine, bit,
  cjson, cmsgpack, struct, and `redis`.
* `pcall` is Redis's: an error table raised by `redis.call` comes back as its message.
* `redis.call` and the other functions that raise are Python callables, not Lua functions: a
  script's `return redis.call(...)` is then an ordinary call, not a Lua tail call that would
  erase the script's frame (and the `on @user_script:N.` of the error). Their errors arrive as
  userdata wrapping a Python exception, which the error handler, `pcall` and `xpcall` turn back
  into what Redis raises; `type()` reports them as functions.
* The error handler is Redis's `__redis__err__handler`: it turns any error into `{err=...}` and
  records where in the user's script it happened (skipping C frames and our own frames).
* A count hook every 100000 instructions asks Python whether the script ran past
  `lua-time-limit` (Python then serves other clients) or was killed; once killed, the hook fires
  on every line so that `pcall` cannot swallow the kill.
"""

from __future__ import annotations

from typing import Final

INTERNAL_SOURCE: Final = b"=miniredis"

PRELUDE: Final = rb"""
local py, libs = ...

local real_rawget, real_rawset, real_next = rawget, rawset, next
local real_getmetatable, real_setmetatable = getmetatable, setmetatable
local real_pcall, real_xpcall, real_loadstring, real_load, real_setfenv = pcall, xpcall, loadstring, load, setfenv
local real_type, error, tostring, select, ipairs, pairs = type, error, tostring, select, ipairs, pairs
local getinfo, sethook = debug.getinfo, debug.sethook
local py_unwrap, py_hook = py.unwrap, py.hook
local INTERNAL = "=miniredis"
local READONLY = "Attempt to modify a readonly table"

-- ---- read-only tables ------------------------------------------------------------------------
local real_of = real_setmetatable({}, {__mode = "k"})   -- proxy -> real table
local proxy_of = real_setmetatable({}, {__mode = "k"})  -- real table -> proxy
local proxies = {}

local function refuse()
  error(READONLY, 2)
end

local function readonly(t)
  local p = proxy_of[t]
  if p then return p end
  p = real_setmetatable({}, {__index = t, __newindex = refuse, __metatable = false})
  real_of[p] = t
  proxy_of[t] = p
  proxies[#proxies + 1] = p
  return p
end

local function unwrap(t)
  return real_of[t] or t
end

-- Python callables are userdata to Lua; scripts must see them as the functions they are in Redis.
local callables = real_setmetatable({}, {__mode = "k"})
local function callable(fn)
  callables[fn] = true
  return fn
end

-- ---- errors ----------------------------------------------------------------------------------
local function err_table(msg)
  local t = {}
  t.err = msg
  return t
end

local function err_table_flagged(msg)
  local t = {}
  t.err = msg
  t.ignore_error_stats_update = true
  return t
end

-- An error raised by one of our Python functions arrives as a userdata wrapping the Python
-- exception; py.unwrap gives back (kind, message, flagged): kind "table" is an error table,
-- "string" a plain message, "where" a message luaL_error would prefix with the caller's position.
local function err_handler(err)
  local kind, msg, flagged
  if real_type(err) == "userdata" then kind, msg, flagged = py_unwrap(err) end
  local level = 2
  local i = getinfo(level, "nSl")
  if i and i.what == "C" then
    level = 3
    i = getinfo(level, "nSl")
  end
  while i and i.source == INTERNAL do
    level = level + 1
    i = getinfo(level, "nSl")
  end
  if kind == "table" then
    err = flagged and err_table_flagged(msg) or err_table(msg)
  elseif kind == "where" then
    local where = ""
    if i and i.currentline > 0 then where = i.short_src .. ":" .. i.currentline .. ": " end
    err = err_table("ERR " .. where .. msg)
  elseif kind == "string" then
    err = err_table("ERR " .. msg)
  elseif real_type(err) ~= "table" then
    err = err_table("ERR " .. tostring(err))
  end
  if i then
    err.source = i.source
    err.line = i.currentline
  end
  return err
end

-- The value a pcall-like catcher sees for an error raised by our Python functions.
local function caught(e)
  if real_type(e) == "userdata" then
    local kind, msg, flagged = py_unwrap(e)
    if kind == "table" then return flagged and err_table_flagged(msg) or err_table(msg) end
    if kind then return msg end
  end
  return e
end

-- ---- the user's global environment -----------------------------------------------------------
local env = {}
local env_proxy = readonly(env)

for _, name in ipairs({"assert", "collectgarbage", "error", "gcinfo", "rawequal", "select",
                       "tonumber", "tostring", "unpack"}) do
  env[name] = _G[name]
end
env._VERSION = _VERSION
env._G = env_proxy

env.type = function(x)
  local t = real_type(x)
  if t == "userdata" and callables[x] then return "function" end
  return t
end
local function safe_next(t, k)
  return real_next(unwrap(t), k)
end
env.next = safe_next
env.pairs = function(t)
  if real_type(t) ~= "table" then return pairs(t) end
  return safe_next, t, nil
end
env.ipairs = function(t)
  if real_type(t) ~= "table" then return ipairs(t) end
  return ipairs(unwrap(t))
end
env.rawget = function(t, k)
  if real_type(t) ~= "table" then return real_rawget(t, k) end
  return real_rawget(unwrap(t), k)
end
env.rawset = function(t, k, v)
  if real_of[t] then error(READONLY, 0) end
  return real_rawset(t, k, v)
end
env.setmetatable = function(t, mt)
  if real_of[t] then error(READONLY, 0) end
  return real_setmetatable(t, mt)
end
env.getmetatable = function(x)
  local mt = real_getmetatable(unwrap(x))
  if real_type(mt) == "table" and proxy_of[mt] then return proxy_of[mt] end
  return mt
end

-- Redis's pcall: an error table raised by redis.call comes back as its message.
local function pcall_result(ok, ...)
  if ok then return true, ... end
  local e = caught((...))
  if real_type(e) == "table" then
    local msg = e.err
    if real_type(msg) == "string" or real_type(msg) == "number" then return false, msg end
  end
  return false, e
end
env.pcall = function(...)
  return pcall_result(real_pcall(...))
end
env.xpcall = function(f, handler)
  return real_xpcall(f, function(e) return handler(caught(e)) end)
end

-- Chunks loaded by scripts see the sandbox too (the thread's own globals stay lupa's).
env.loadstring = function(s, name)
  local f, e = real_loadstring(s, name)
  if f then real_setfenv(f, env_proxy) end
  return f, e
end
env.load = function(fn, name)
  local f, e = real_load(fn, name)
  if f then real_setfenv(f, env_proxy) end
  return f, e
end

-- Libraries, each behind its own read-only proxy.
local mathlib = {}
for k, v in real_next, math do mathlib[k] = v end
mathlib.random = callable(py.random)
mathlib.randomseed = callable(py.randomseed)
env.math = readonly(mathlib)
env.string = readonly(string)
env.table = readonly(table)
env.coroutine = readonly(coroutine)
readonly(real_getmetatable(""))

-- ---- the redis table -------------------------------------------------------------------------
local redis = {}
redis.REDIS_VERSION = libs.version
redis.REDIS_VERSION_NUM = libs.version_num
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.call = callable(py.call)
redis.pcall = callable(py.pcall)
redis.sha1hex = callable(py.sha1hex)
redis.log = callable(py.log)
redis.setresp = callable(py.setresp)
redis.set_repl = callable(py.set_repl)
redis.acl_check_cmd = callable(py.acl_check_cmd)
redis.error_reply = function(...)
  local s = ...
  if select("#", ...) ~= 1 or real_type(s) ~= "string" then
    return err_table("ERR wrong number or type of arguments")
  end
  if s:sub(1, 1) ~= "-" then s = "-" .. s end
  local space = s:find(" ", 1, true)
  local code, msg
  if space then
    code, msg = s:sub(2, space - 1), s:sub(space + 1)
  else
    code, msg = "ERR", s:sub(2)
  end
  msg = msg:gsub("^[\r\n]+", ""):gsub("[\r\n]+$", "")
  return err_table(code .. " " .. msg)
end
redis.status_reply = function(...)
  local s = ...
  if select("#", ...) ~= 1 or real_type(s) ~= "string" then
    return err_table("ERR wrong number or type of arguments")
  end
  local t = {}
  t.ok = s
  return t
end
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
env.redis = readonly(redis)

for name, lib in real_next, libs.modules do
  for key, value in real_next, lib do
    if real_type(value) == "userdata" and key ~= "null" then callable(value) end
  end
  env[name] = readonly(lib)
end

env.__redis__err__handler = err_handler

real_setmetatable(env, {__index = function(_, name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
end})
readonly(real_getmetatable(env))

-- ---- the time limit --------------------------------------------------------------------------
local hook
hook = function()
  -- Once killed, the line hook also fires in our own code after the script: stay quiet there.
  local where = getinfo(2, "S")
  if where and where.source == INTERNAL then return end
  local msg = py_hook()
  if msg then
    sethook(hook, "l")
    error(err_table(msg))
  end
end

-- ---- what Python drives ----------------------------------------------------------------------
local api = {}

function api.compile(body)
  local f, err = real_loadstring(body, "@user_script")
  if not f then return nil, err end
  real_setfenv(f, env_proxy)
  return f
end

local function scrub()
  for i = 1, #proxies do
    local p = proxies[i]
    if real_next(p) ~= nil then
      for k in real_next, p do real_rawset(p, k, nil) end
    end
  end
end

function api.run(f, keys, argv)
  real_rawset(env, "KEYS", keys)
  real_rawset(env, "ARGV", argv)
  sethook(hook, "", 100000)
  local ok, result = real_xpcall(f, err_handler)
  sethook()
  scrub()
  return ok, result
end

api.error_table = err_table
api.error_table_flagged = err_table_flagged

return api
"""
