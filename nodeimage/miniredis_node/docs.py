"""What COMMAND, COMMAND INFO, COMMAND DOCS and COMMAND LIST report, built from the command table.

Pure functions of `table.Command`: nothing here touches a client or the server. Three parts:

* `parse_syntax` turns a command's `syntax` string, written in Redis's doc notation
  (`key [NX|XX] [EX seconds | PX milliseconds] element [element ...]`), into COMMAND DOCS
  `arguments` entries: name, type (key/string/integer/double/pattern/unix-time/pure-token/oneof/
  block), token, flags optional/multiple. The notation carries no types, so types come from the
  argument's name (`count` is an integer, `score` a double; see `_type_of`), and groups get
  names made of their members' names.
* `info_entry` is COMMAND INFO's ten-element entry: name, arity, flags, first/last/step, ACL
  categories, tips, key specifications, subcommands. ACL categories follow Redis's rules: the
  ones a command's group implies, plus those its flags imply (write, read, admin+dangerous,
  pubsub, fast, blocking, and slow for everything not fast), in Redis's category order.
* `docs_entry` is COMMAND DOCS's map: summary, since, group, complexity, arguments, subcommands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from miniredis_node.protocol import MapReply, SetReply, SimpleString
from miniredis_node.table import COMMANDS, Command

# ---- COMMAND INFO -----------------------------------------------------------------------------

# Redis's order of command flags in COMMAND INFO (the flag-name table of commandFlagsToReply).
FLAG_ORDER = (
    "write",
    "readonly",
    "denyoom",
    "module",
    "admin",
    "pubsub",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "skip_monitor",
    "skip_slowlog",
    "asking",
    "fast",
    "no_auth",
    "may_replicate",
    "no_mandatory_keys",
    "no_async_loading",
    "no_multi",
    "movablekeys",
    "allow_busy",
)

# Redis's ACL categories, in the order COMMAND INFO lists them.
ACL_ORDER = (
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
)

# The ACL category each docs group implies (Redis's JSON files give every command of these groups
# that category). Server commands have no group-wide category.
GROUP_CATEGORIES = {
    "generic": "keyspace",
    "string": "string",
    "list": "list",
    "hash": "hash",
    "set": "set",
    "sorted-set": "sortedset",
    "bitmap": "bitmap",
    "hyperloglog": "hyperloglog",
    "geo": "geo",
    "stream": "stream",
    "connection": "connection",
    "transactions": "transaction",
    "scripting": "scripting",
}

# Command tips Redis 7.0 declares (a subset: the ones about output determinism that clients use).
TIPS: dict[str, tuple[str, ...]] = {
    "keys": ("request_policy:all_shards", "nondeterministic_output_order"),
    "scan": ("nondeterministic_output", "request_policy:special"),
    "randomkey": ("request_policy:all_shards", "nondeterministic_output"),
    "smembers": ("nondeterministic_output_order",),
    "sinter": ("nondeterministic_output_order",),
    "sunion": ("nondeterministic_output_order",),
    "sdiff": ("nondeterministic_output_order",),
    "hkeys": ("nondeterministic_output_order",),
    "hvals": ("nondeterministic_output_order",),
    "hgetall": ("nondeterministic_output_order",),
    "spop": ("nondeterministic_output",),
    "srandmember": ("nondeterministic_output",),
    "zscan": ("nondeterministic_output",),
    "hrandfield": ("nondeterministic_output",),
    "zrandmember": ("nondeterministic_output",),
    "info": ("nondeterministic_output", "request_policy:all_shards", "response_policy:special"),
    "time": ("nondeterministic_output",),
    "lastsave": ("nondeterministic_output",),
    "client|list": ("nondeterministic_output",),
    "client|info": ("nondeterministic_output",),
    "dbsize": ("request_policy:all_shards", "response_policy:agg_sum"),
    "flushall": ("request_policy:all_shards", "response_policy:all_succeeded"),
    "flushdb": ("request_policy:all_shards", "response_policy:all_succeeded"),
    "slowlog|get": ("request_policy:all_nodes", "nondeterministic_output"),
    "slowlog|len": ("request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"),
    "slowlog|reset": ("request_policy:all_nodes", "response_policy:all_succeeded"),
    "ping": ("request_policy:all_shards", "response_policy:all_succeeded"),
    "wait": ("request_policy:all_shards", "response_policy:agg_min"),
    "config|set": ("request_policy:all_nodes", "response_policy:all_succeeded"),
    "command": ("nondeterministic_output_order",),
    "command|info": ("nondeterministic_output_order",),
    "command|docs": ("nondeterministic_output_order",),
    "command|list": ("nondeterministic_output_order",),
    "memory|stats": ("nondeterministic_output", "request_policy:all_shards", "response_policy:special"),
    "memory|doctor": ("nondeterministic_output", "request_policy:all_shards", "response_policy:special"),
    "memory|malloc-stats": ("nondeterministic_output", "request_policy:all_shards", "response_policy:special"),
    "memory|purge": ("request_policy:all_shards", "response_policy:all_succeeded"),
    "latency|latest": ("nondeterministic_output", "request_policy:all_nodes", "response_policy:special"),
    "latency|history": ("nondeterministic_output", "request_policy:all_nodes", "response_policy:special"),
    "latency|graph": ("nondeterministic_output", "request_policy:all_nodes", "response_policy:special"),
    "latency|doctor": ("nondeterministic_output", "request_policy:all_nodes", "response_policy:special"),
    "latency|histogram": ("nondeterministic_output", "request_policy:all_nodes", "response_policy:special"),
    "latency|reset": ("request_policy:all_nodes", "response_policy:all_succeeded"),
    "object|encoding": ("nondeterministic_output",),
    "object|freq": ("nondeterministic_output",),
    "object|idletime": ("nondeterministic_output",),
    "object|refcount": ("nondeterministic_output",),
}


def acl_categories(cmd: Command) -> list[str]:
    """The command's ACL categories, without the '@', in Redis's order."""
    cats = {name.lstrip("@").lower() for name in cmd.acl_categories}
    if cmd.handler is not None and not cats:  # explicit categories replace the group's
        implied = GROUP_CATEGORIES.get(cmd.group)
        if implied:
            cats.add(implied)
    flags = cmd.flags
    if "write" in flags:
        cats.add("write")
    if "readonly" in flags and "scripting" not in cats:
        cats.add("read")
    if "admin" in flags:
        cats.update(("admin", "dangerous"))
    if "pubsub" in flags:
        cats.add("pubsub")
    if "fast" in flags:
        cats.add("fast")
    if "blocking" in flags:
        cats.add("blocking")
    if "fast" not in cats:
        cats.add("slow")
    return [name for name in ACL_ORDER if name in cats] + sorted(cats - set(ACL_ORDER))


def command_flags(cmd: Command) -> list[str]:
    flags = set(cmd.flags)
    if cmd.getkeys is not None:
        flags.add("movablekeys")
    return [name for name in FLAG_ORDER if name in flags] + sorted(flags - set(FLAG_ORDER))


def key_spec_flags(cmd: Command) -> list[str]:
    """An approximation of the key spec's flags: the table records no per-key access kind."""
    if "readonly" in cmd.flags:
        return ["RO", "access"]
    if "write" in cmd.flags:
        return ["RW", "update"]
    return ["RO"]


def key_specs(cmd: Command) -> list[MapReply]:
    """The legacy (first, last, step) triple as one index/range key specification."""
    if cmd.first_key <= 0:
        return []
    last = cmd.last_key
    lastkey = last if last < 0 else last - cmd.first_key
    return [
        MapReply(
            {
                b"flags": SetReply([SimpleString(flag) for flag in key_spec_flags(cmd)]),
                b"begin_search": MapReply({b"type": b"index", b"spec": MapReply({b"index": cmd.first_key})}),
                b"find_keys": MapReply(
                    {
                        b"type": b"range",
                        b"spec": MapReply({b"lastkey": lastkey, b"keystep": cmd.step or 1, b"limit": 0}),
                    }
                ),
            }
        )
    ]


def info_entry(cmd: Command) -> list[object]:
    """COMMAND INFO's entry for one command (subcommands nested)."""
    return [
        cmd.name.encode(),
        cmd.arity,
        SetReply([SimpleString(flag) for flag in command_flags(cmd)]),
        cmd.first_key,
        cmd.last_key,
        cmd.step,
        SetReply([SimpleString("@" + name) for name in acl_categories(cmd)]),
        SetReply([tip.encode() for tip in TIPS.get(cmd.name, ())]),
        SetReply(key_specs(cmd)),
        SetReply([info_entry(sub) for sub in cmd.subcommands.values()]),
    ]


def find(name: bytes) -> Command | None:
    """A command by name, "parent|sub" naming a subcommand (lookupCommandBySds)."""
    parent, _, sub = name.lower().partition(b"|")
    cmd = COMMANDS.get(parent)
    if cmd is None or not sub:
        return cmd
    return cmd.subcommands.get(sub)


def all_names() -> list[str]:
    """COMMAND LIST: every command, each followed by its subcommands."""
    names: list[str] = []
    for cmd in COMMANDS.values():
        names.append(cmd.name)
        names.extend(sub.name for sub in cmd.subcommands.values())
    return names


def all_commands() -> list[Command]:
    found: list[Command] = []
    for cmd in COMMANDS.values():
        found.append(cmd)
        found.extend(cmd.subcommands.values())
    return found


# ---- COMMAND DOCS: the syntax notation --------------------------------------------------------

_INTEGER_NAMES = frozenset(
    {
        "count",
        "index",
        "start",
        "stop",
        "end",
        "offset",
        "numkeys",
        "numreplicas",
        "db",
        "seconds",
        "milliseconds",
        "cursor",
        "ttl",
        "len",
        "length",
        "limit",
        "client-id",
        "increment",
        "decrement",
        "destination-db",
        "numparams",
        "maxlen",
        "threshold",
        "port",
        "timeout-ms",
        "samples",
        "bit",
        "value-integer",
        "rank",
        "maxlen-count",
        "min-idle-time",
        "pivot-index",
    }
)
_DOUBLE_NAMES = frozenset(
    {
        "score",
        "min",
        "max",
        "timeout",
        "longitude",
        "latitude",
        "radius",
        "weight",
        "width",
        "height",
        "increment-float",
    }
)
_KEY_NAMES = frozenset({"key", "destination", "source", "newkey", "srckey", "dstkey"})
# Brackets, ellipses and words; a `|` between spaces separates sequences (`EX seconds | PX ms`),
# while `NX|XX` without spaces stays one word: alternatives of single words.
_TOKEN = re.compile(r"\.\.\.|[\[\]()]|[^\s\[\]()]+")


@dataclass
class Argument:
    """One COMMAND DOCS argument."""

    name: str
    type: str
    token: str = ""
    optional: bool = False
    multiple: bool = False
    children: list[Argument] = field(default_factory=list)

    def reply(self) -> MapReply:
        entry: dict[bytes, object] = {b"name": self.name.encode(), b"type": self.type.encode()}
        if self.type == "key":
            entry[b"key_spec_index"] = 0
        if self.token:
            entry[b"token"] = self.token.encode()
        flags = [SimpleString(flag) for flag, on in (("optional", self.optional), ("multiple", self.multiple)) if on]
        if flags:
            entry[b"flags"] = SetReply(flags)
        if self.children:
            entry[b"arguments"] = [child.reply() for child in self.children]
        return MapReply(entry)

    def same_shape(self, other: Argument) -> bool:
        """Same argument, ignoring the keyword that introduces the first occurrence."""
        return (self.name, self.type, len(self.children)) == (other.name, other.type, len(other.children))


def _type_of(name: str) -> str:
    if name in _KEY_NAMES or name.endswith("key"):
        return "key"
    if name == "pattern":
        return "pattern"
    if name.startswith("unix-time"):
        return "unix-time"
    if name in _INTEGER_NAMES:
        return "integer"
    if name in _DOUBLE_NAMES:
        return "double"
    return "string"


def _is_token(word: str) -> bool:
    """Literal keywords are upper-case in the notation (NX, WITHSCORES, GET)."""
    return any(ch.isalpha() for ch in word) and word == word.upper()


def _tokenize(syntax: str) -> list[str]:
    return _TOKEN.findall(syntax)


def _word(word: str) -> Argument:
    if "|" in word:
        children = [_word(part) for part in word.split("|") if part]
        return Argument(name=_choice_name(children), type="oneof", children=children)
    if _is_token(word):
        return Argument(name=word.lower(), type="pure-token", token=word)
    return Argument(name=word, type=_type_of(word))


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def alternatives(self, closer: str | None) -> list[list[Argument]]:
        """Sequences separated by '|' up to `closer` (consumed) or the end."""
        options = [self.sequence(closer)]
        while self.peek() == "|":
            self.take()
            options.append(self.sequence(closer))
        if closer is not None and self.peek() == closer:
            self.take()
        return options

    def sequence(self, closer: str | None) -> list[Argument]:
        items: list[Argument] = []
        while (token := self.peek()) is not None and token != "|" and token != closer:
            self.take()
            if token in ("[", "("):
                group = _group(self.alternatives("]" if token == "[" else ")"))
                if group is None:
                    continue
                if token == "[":
                    # `x [x ...]`: the optional repetition of the previous argument.
                    if group.multiple and _repeats(items, group):
                        continue
                    group.optional = True
                items.append(group)
            elif token == "...":
                if items:
                    items[-1].multiple = True
            elif token in ("]", ")"):
                continue  # unbalanced notation: ignore the stray closer
            elif _is_token(token) and "|" not in token:
                nxt = self.peek()
                if (
                    nxt is not None
                    and nxt not in ("[", "]", "(", ")", "|", "...")
                    and ("|" in nxt or not _is_token(nxt))
                ):
                    # `EX seconds`, `TYPE normal|pubsub`: an argument introduced by a keyword.
                    self.take()
                    argument = _word(nxt)
                    argument.token = token
                    items.append(argument)
                else:
                    items.append(_word(token))
            else:
                items.append(_word(token))
        return items


def _repeats(items: list[Argument], group: Argument) -> bool:
    """`x [x ...]` / `a b [a b ...]`: fold the repetition into the preceding argument(s)."""
    members = group.children if group.type == "block" else [group]
    n = len(members)
    if len(items) < n or not all(a.same_shape(b) for a, b in zip(items[-n:], members, strict=True)):
        return False
    if group.type == "block":
        del items[-n:]
        group.optional = False
        items.append(group)
    else:
        items[-1].multiple = True
    return True


def _block(items: list[Argument]) -> Argument:
    if len(items) == 1:
        return items[0]
    block = Argument(name="_".join(item.name for item in items), type="block", children=items)
    if items[-1].multiple:
        # A trailing `...` in a group repeats the whole group (`[score member ...]`).
        items[-1].multiple = False
        block.multiple = True
    return block


# What Redis calls a choice between these keywords (COMMAND DOCS, the CLI's hints); a choice
# not listed here is named after its alternatives ("a-b").
_CHOICE_NAMES: dict[frozenset[str], str] = {
    frozenset({"NX", "XX"}): "condition",
    frozenset({"NX", "XX", "GT", "LT"}): "condition",
    frozenset({"GT", "LT"}): "comparison",
    frozenset({"EX", "PX", "EXAT", "PXAT", "KEEPTTL"}): "expiration",
    frozenset({"EX", "PX", "EXAT", "PXAT", "PERSIST"}): "expiration",
    frozenset({"BEFORE", "AFTER"}): "where",
    frozenset({"LEFT", "RIGHT"}): "where",
    frozenset({"MIN", "MAX"}): "where",
    frozenset({"ASYNC", "SYNC"}): "flush-type",
    frozenset({"ASC", "DESC"}): "order",
    frozenset({"BYSCORE", "BYLEX"}): "sortby",
    frozenset({"BYTE", "BIT"}): "unit",
    frozenset({"SUM", "MIN", "MAX"}): "aggregate",
    frozenset({"AND", "OR", "XOR", "NOT"}): "operation",
    frozenset({"MAXLEN", "MINID"}): "strategy",
    frozenset({"ON", "OFF", "SKIP"}): "action",
    frozenset({"WRITE", "ALL"}): "mode",
    frozenset({"TIMEOUT", "ERROR"}): "unblock-type",
}


def _choice_name(children: list[Argument]) -> str:
    keywords = frozenset((child.token or child.name).upper() for child in children)
    return _CHOICE_NAMES.get(keywords) or "-".join(child.name for child in children)


def _group(options: list[list[Argument]]) -> Argument | None:
    options = [items for items in options if items]
    if not options:
        return None
    if len(options) == 1:
        return _block(options[0])
    children = [_block(items) for items in options]
    return Argument(name=_choice_name(children), type="oneof", children=children)


def parse_syntax(syntax: str) -> list[Argument]:
    """COMMAND DOCS arguments from Redis's doc notation (`key [NX|XX] member [member ...]`)."""
    parser = _Parser(_tokenize(syntax))
    options = parser.alternatives(None)
    if len(options) == 1:
        return options[0]
    group = _group(options)
    return [group] if group is not None else []


def docs_entry(cmd: Command) -> MapReply:
    """COMMAND DOCS's map for one command."""
    entry: dict[bytes, object] = {
        b"summary": cmd.summary.encode(),
        b"since": cmd.since.encode(),
        b"group": cmd.group.encode(),
        b"complexity": (cmd.complexity or ("Depends on subcommand." if cmd.subcommands else "")).encode(),
    }
    arguments = parse_syntax(cmd.syntax) if cmd.syntax else []
    if arguments:
        entry[b"arguments"] = [argument.reply() for argument in arguments]
    if cmd.subcommands:
        entry[b"subcommands"] = MapReply({sub.name.encode(): docs_entry(sub) for sub in cmd.subcommands.values()})
    return MapReply(entry)
