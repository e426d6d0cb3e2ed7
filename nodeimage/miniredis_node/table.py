"""The command table: every command the node serves, with the metadata Redis keeps for it.

Handlers register themselves with `@command(...)` in the modules of `miniredis_node.commands`
(one module per data type or concern). The table is what the dispatcher looks commands up in,
and what COMMAND COUNT/INFO/DOCS/LIST/GETKEYS and the README's command list are generated from,
so a command's arity, flags and key positions are written exactly once.

Flags are Redis's own command flags, lower-case:

* `write` / `readonly`: modifies data / only reads it (viewers in the API may run readonly ones);
* `denyoom`: may grow memory, refused with OOM when over maxmemory under noeviction;
* `admin`: server administration; `pubsub`; `noscript`: not callable from Lua;
* `blocking`: may block the client; `loading`, `stale`: allowed while loading / stale;
* `fast`: O(1) or O(log n); `no_auth`: allowed before AUTH; `no_multi`: refused inside MULTI;
* `allow_busy`: allowed while a script runs too long; `may_replicate`.

Key positions follow COMMAND INFO's legacy triple (first key, last key, step; last -1 means
"to the end"); commands whose keys cannot be described that way (ZUNIONSTORE's numkeys, XREAD's
STREAMS) pass `getkeys`, a function from argv to key positions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from miniredis_node.client import Client

Handler = Callable[["Client", list[bytes]], Any]
GetKeys = Callable[[list[bytes]], list[int]]


@dataclass(slots=True)
class Command:
    name: str  # lower-case; subcommands are "parent|sub"
    handler: Handler | None
    arity: int  # exact count of argv if positive, minimum count if negative (argv[0] included)
    flags: frozenset[str]
    first_key: int = 0
    last_key: int = 0
    step: int = 0
    group: str = "generic"  # as COMMAND DOCS spells it: "string", "sorted-set", "transactions"...
    since: str = "1.0.0"
    summary: str = ""
    complexity: str = ""
    syntax: str = ""  # arguments after the name, in Redis's doc notation: "key [NX|XX] value"
    acl_categories: tuple[str, ...] = ()
    getkeys: GetKeys | None = None
    subcommands: dict[bytes, Command] = field(default_factory=dict)
    # Statistics for INFO commandstats, updated by the dispatcher.
    calls: int = 0
    usec: int = 0
    rejected_calls: int = 0
    failed_calls: int = 0

    @property
    def is_write(self) -> bool:
        return "write" in self.flags

    def key_positions(self, argv: list[bytes]) -> list[int]:
        """Indexes into argv of the keys this invocation touches."""
        if self.getkeys is not None:
            return self.getkeys(argv)
        if self.first_key <= 0:
            return []
        last = self.last_key if self.last_key >= 0 else len(argv) + self.last_key
        return list(range(self.first_key, min(last, len(argv) - 1) + 1, self.step or 1))

    def arity_ok(self, argc: int) -> bool:
        arity = self.arity
        return argc == arity if arity > 0 else argc >= -arity


COMMANDS: dict[bytes, Command] = {}


def command(
    name: str,
    arity: int,
    flags: str = "",
    *,
    keys: tuple[int, int, int] = (0, 0, 0),
    group: str = "generic",
    since: str = "1.0.0",
    summary: str = "",
    complexity: str = "",
    syntax: str = "",
    acl: str = "",
    getkeys: GetKeys | None = None,
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of `name` ("get", or "config|get").

    A subcommand's parent must be registered first, with `container(...)`.
    """

    def register(handler: Handler) -> Handler:
        entry = Command(
            name=name.lower(),
            handler=handler,
            arity=arity,
            flags=frozenset(flags.split()),
            first_key=keys[0],
            last_key=keys[1],
            step=keys[2],
            group=group,
            since=since,
            summary=summary,
            complexity=complexity,
            syntax=syntax,
            acl_categories=tuple(acl.split()),
            getkeys=getkeys,
        )
        parent, _, sub = entry.name.partition("|")
        if sub:
            COMMANDS[parent.encode()].subcommands[sub.encode()] = entry
        else:
            if parent.encode() in COMMANDS:
                raise ValueError(f"command {parent!r} registered twice")
            COMMANDS[parent.encode()] = entry
        return handler

    return register


def container(name: str, *, group: str, since: str, summary: str, flags: str = "") -> None:
    """Register a command made of subcommands (CONFIG, CLIENT, OBJECT...)."""
    COMMANDS[name.lower().encode()] = Command(
        name=name.lower(),
        handler=None,
        arity=-2,
        flags=frozenset(flags.split()),
        group=group,
        since=since,
        summary=summary,
    )


def lookup(argv: list[bytes]) -> Command | None:
    """The table entry for argv (descending into subcommands), or None when unknown."""
    entry = COMMANDS.get(argv[0].lower())
    if entry is not None and entry.subcommands and len(argv) > 1:
        return entry.subcommands.get(argv[1].lower(), entry)
    return entry
