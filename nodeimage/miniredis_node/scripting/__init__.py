"""Lua scripting (EVAL and friends): the engine behind commands/scripting.py.

* `runtime`: the per-server `Engine` (Lua state, script cache, running, busy scripts, KILL);
* `prelude`: the Lua code that builds Redis's sandbox and `redis.*` API;
* `convert`: Lua <-> reply conversion rules;
* `libraries`: bit, cjson, cmsgpack and struct, the libraries Redis bundles with its Lua.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from miniredis_node.scripting.runtime import Engine
    from miniredis_node.server import Server


def engine_for(server: Server) -> Engine:
    """The server's scripting engine, created on first use (Lua starts only when a script runs)."""
    engine = server.scripting
    if engine is None:
        from miniredis_node.scripting.runtime import Engine

        engine = server.scripting = Engine(server)
    return engine


def cached_scripts(server: Server) -> tuple[int, int]:
    """(number_of_cached_scripts, used_memory_scripts_eval) for INFO memory."""
    engine = server.scripting
    if engine is None:
        return 0, 0
    return len(engine.scripts), engine.memory()
