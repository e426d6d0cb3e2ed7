"""Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis 7.0's eval.c).

Thin handlers over `scripting.runtime.Engine`, which owns the Lua state and the script cache;
see that module for how scripts run, time out and are killed.
"""

from __future__ import annotations

from typing import Final

from miniredis_node import errors
from miniredis_node.args import parse_int, to_int
from miniredis_node.client import Client
from miniredis_node.commands.server import help_reply
from miniredis_node.errors import CommandError
from miniredis_node.protocol import OK
from miniredis_node.scripting import engine_for
from miniredis_node.table import command, container

_EVAL_FLAGS: Final = "noscript stale skip_monitor no_mandatory_keys movablekeys"
_EVAL_RO_FLAGS: Final = "readonly " + _EVAL_FLAGS
_COMPLEXITY: Final = "Depends on the script that is executed."


def _eval_keys(argv: list[bytes]) -> list[int]:
    numkeys = to_int(argv[2]) if len(argv) > 2 else None
    if numkeys is None or numkeys < 1:
        return []
    return list(range(3, min(3 + numkeys, len(argv))))


def _run(c: Client, argv: list[bytes], *, by_sha: bool, readonly: bool) -> object:
    engine = engine_for(c.server)
    if by_sha and len(argv[1]) != 40:
        raise CommandError(errors.NOSCRIPT)
    numkeys = parse_int(argv[2])
    if numkeys > len(argv) - 3:
        raise CommandError(errors.NUMKEYS_GREATER_THAN_ARGS)
    if numkeys < 0:
        raise CommandError(errors.NUMKEYS_NEGATIVE)
    if by_sha:
        script = engine.scripts.get(argv[1].decode("latin-1").lower())
        if script is None:
            raise CommandError(errors.NOSCRIPT)
    else:
        script = engine.compile(argv[1])
    keys = argv[3 : 3 + numkeys]
    args = argv[3 + numkeys :]
    return engine.run(c, script, keys, args, readonly=readonly)


@command(
    "eval",
    -3,
    _EVAL_FLAGS,
    getkeys=_eval_keys,
    group="scripting",
    since="2.6.0",
    summary="Execute a Lua script server side",
    complexity=_COMPLEXITY,
    syntax="script numkeys [key [key ...]] [arg [arg ...]]",
)
def eval_(c: Client, argv: list[bytes]) -> object:
    return _run(c, argv, by_sha=False, readonly=False)


@command(
    "evalsha",
    -3,
    _EVAL_FLAGS,
    getkeys=_eval_keys,
    group="scripting",
    since="2.6.0",
    summary="Execute a Lua script server side",
    complexity=_COMPLEXITY,
    syntax="sha1 numkeys [key [key ...]] [arg [arg ...]]",
)
def evalsha(c: Client, argv: list[bytes]) -> object:
    return _run(c, argv, by_sha=True, readonly=False)


@command(
    "eval_ro",
    -3,
    _EVAL_RO_FLAGS,
    getkeys=_eval_keys,
    group="scripting",
    since="7.0.0",
    summary="Execute a read-only Lua script server side",
    complexity=_COMPLEXITY,
    syntax="script numkeys [key [key ...]] [arg [arg ...]]",
)
def eval_ro(c: Client, argv: list[bytes]) -> object:
    return _run(c, argv, by_sha=False, readonly=True)


@command(
    "evalsha_ro",
    -3,
    _EVAL_RO_FLAGS,
    getkeys=_eval_keys,
    group="scripting",
    since="7.0.0",
    summary="Execute a read-only Lua script server side",
    complexity=_COMPLEXITY,
    syntax="sha1 numkeys [key [key ...]] [arg [arg ...]]",
)
def evalsha_ro(c: Client, argv: list[bytes]) -> object:
    return _run(c, argv, by_sha=True, readonly=True)


# ---- SCRIPT -----------------------------------------------------------------------------------

container("script", group="scripting", since="2.6.0", summary="A container for Lua scripts management commands")

SCRIPT_HELP: Final = (
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
)


@command(
    "script|load",
    3,
    "noscript stale",
    group="scripting",
    since="2.6.0",
    summary="Load the specified Lua script into the script cache.",
    complexity="O(N) with N being the length in bytes of the script body.",
    syntax="script",
)
def script_load(c: Client, argv: list[bytes]) -> object:
    return engine_for(c.server).compile(argv[2]).sha.encode()


@command(
    "script|exists",
    -3,
    "noscript",
    group="scripting",
    since="2.6.0",
    summary="Check existence of scripts in the script cache.",
    complexity="O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
    syntax="sha1 [sha1 ...]",
)
def script_exists(c: Client, argv: list[bytes]) -> object:
    scripts = engine_for(c.server).scripts
    return [1 if sha.decode("latin-1").lower() in scripts else 0 for sha in argv[2:]]


@command(
    "script|flush",
    -2,
    "noscript",
    group="scripting",
    since="2.6.0",
    summary="Remove all the scripts from the script cache.",
    complexity="O(N) with N being the number of scripts in cache",
    syntax="[ASYNC|SYNC]",
)
def script_flush(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 3 or (len(argv) == 3 and argv[2].upper() not in (b"ASYNC", b"SYNC")):
        raise CommandError(errors.SCRIPT_FLUSH_OPTION)
    engine_for(c.server).flush()
    return OK


@command(
    "script|kill",
    2,
    "noscript allow_busy",
    group="scripting",
    since="2.6.0",
    summary="Kill the script currently in execution.",
    complexity="O(1)",
)
def script_kill(c: Client, argv: list[bytes]) -> object:
    engine_for(c.server).kill()
    return OK


@command(
    "script|debug",
    3,
    "noscript",
    group="scripting",
    since="3.2.0",
    summary="Set the debug mode for executed scripts.",
    complexity="O(1)",
    syntax="YES|SYNC|NO",
)
def script_debug(c: Client, argv: list[bytes]) -> object:
    mode = argv[2].lower()
    if mode == b"no":
        return OK
    if mode in (b"yes", b"sync"):
        # The Lua debugger (LDB) is not implemented: refuse rather than pretend.
        raise CommandError(errors.SCRIPT_DEBUG_UNSUPPORTED)
    raise CommandError(errors.SCRIPT_DEBUG_OPTION)


@command(
    "script|help",
    2,
    "loading stale",
    group="scripting",
    since="5.0.0",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def script_help(c: Client, argv: list[bytes]) -> object:
    return help_reply(SCRIPT_HELP)
