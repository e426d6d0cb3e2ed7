"""The append-only file (AOF), in Redis 7.0's multi-part layout.

A directory moves between MiniRedis and Redis 7.0 in either direction, so the layout is Redis's:

    <dir>/<appenddirname>/                 (appendonlydir by default)
        appendonly.aof.manifest            the files that make up the dataset, in order
        appendonly.aof.1.base.aof          a snapshot: RESP commands (or `.base.rdb`, an RDB image)
        appendonly.aof.1.incr.aof          every write since that snapshot, as RESP commands

Manifest lines read `file <name> seq <n> type <b|h|i>` (base, history, incremental).

**Feeding.** The dispatcher hands every write command that made the keyspace dirty to `feed`,
which turns it into what Redis 7.0 propagates (see `propagation`): relative expiries become
absolute (PEXPIREAT, SET ... PXAT), blocking pops their plain form, SPOP an SREM, INCRBYFLOAT a
SET ... KEEPTTL; several writes from one EXEC or script are wrapped in MULTI/EXEC; keys that
expire or are evicted become DELs. A SELECT is written whenever the database changes.

**Writing.** Commands are buffered and written once per batch, before the batch's replies leave
(`before_reply`): a client never sees an acknowledgement for a write that is not at least in the
kernel. `appendfsync always` also fsyncs there; `everysec` fsyncs from a thread once a second;
`no` leaves it to the kernel.

**Rewriting** (BGREWRITEAOF, automatic growth, CONFIG SET appendonly yes): the parent opens a new
incr file and appends there from now on; a forked child writes the dataset as a new base; when the
child has exited the parent renames the base into place, atomically replaces the manifest and
deletes the older files. Clients are never blocked by a rewrite.

**Loading** (`load`): the base, then each incr file, replayed through the real command handlers
by a client without a connection, with the clock held at the epoch so nothing expires half-way
through the replay (Redis does not expire keys while loading either). A command cut short at the
end of the last file is truncated away (`aof-load-truncated yes`); anything else malformed
refuses to start, with Redis's log lines.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from miniredis_node import dispatch
from miniredis_node.client import Client
from miniredis_node.datatypes import HashValue, ListValue, SetValue, ZSetValue
from miniredis_node.errors import CommandError
from miniredis_node.protocol import ErrorReply

if TYPE_CHECKING:
    from miniredis_node.keyspace import Database, Keyspace
    from miniredis_node.server import Server
    from miniredis_node.table import Command

log = logging.getLogger("miniredis.node")

Argv = list[bytes]

# Elements per command when a base file spells out a container (Redis's AOF_REWRITE_ITEMS_PER_CMD).
ITEMS_PER_COMMAND: Final = 64
# SPOP with a count propagates its SREMs in batches of this many members, as Redis does.
SREM_BATCH: Final = 1024
# Commands that run other commands (EXEC, scripts): their own argv is never written, only the
# writes they made, wrapped in MULTI/EXEC when there are several.
WRAPPERS: Final = frozenset({"exec", "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})
_MULTI: Final = (-1, [b"MULTI"])
_EXEC: Final = (-1, [b"EXEC"])
_TEMP_INCR: Final = "temp-{}.incr"  # Redis's temporary incr file while AOF is being turned on


class AofLoadError(Exception):
    """The AOF cannot be loaded; the text is the log line Redis writes before exiting."""


def encode_command(argv: Argv) -> bytes:
    """A command in the RESP form the AOF stores (an array of bulk strings)."""
    return b"*%d\r\n" % len(argv) + b"".join([b"$%d\r\n%s\r\n" % (len(arg), arg) for arg in argv])


# ---- the manifest ------------------------------------------------------------------------------
@dataclass
class AofFile:
    name: str
    seq: int
    kind: str  # "b" base, "h" history (to delete), "i" incremental


@dataclass
class Manifest:
    """Which files make up the AOF, and the sequence numbers the next files take."""

    base: AofFile | None = None
    incrs: list[AofFile] = field(default_factory=list)
    history: list[AofFile] = field(default_factory=list)
    base_seq: int = 0
    incr_seq: int = 0

    @classmethod
    def parse(cls, text: str) -> Manifest:
        """Redis's manifest: `file <name> seq <n> type <t>` per line, `#` comments allowed."""
        manifest = cls()
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            words = line.split()
            if len(words) % 2:
                raise AofLoadError(f"Invalid AOF manifest file format (line {number})")
            fields = dict(zip(words[::2], words[1::2], strict=True))
            try:
                entry = AofFile(fields["file"], int(fields["seq"]), fields["type"])
            except (KeyError, ValueError):
                raise AofLoadError(f"Invalid AOF manifest file format (line {number})") from None
            if entry.kind == "b":
                if manifest.base is not None:
                    raise AofLoadError("Found duplicate base file information")
                manifest.base = entry
                manifest.base_seq = entry.seq
            elif entry.kind == "i":
                if entry.seq <= manifest.incr_seq:
                    raise AofLoadError("Found a non-monotonic sequence number")
                manifest.incrs.append(entry)
                manifest.incr_seq = entry.seq
            elif entry.kind == "h":
                manifest.history.append(entry)
            else:
                raise AofLoadError(f"Unknown AOF file type: {entry.kind}")
        return manifest

    def render(self) -> bytes:
        lines = [f"file {f.name} seq {f.seq} type {f.kind}\n" for f in self.files()]
        return "".join(lines).encode()

    def files(self) -> list[AofFile]:
        return ([self.base] if self.base else []) + self.history + self.incrs


# ---- what a write propagates ----------------------------------------------------------------
Rewrite = Callable[[Argv, Any, "Database"], list[Argv]]


def _expire_options(argv: Argv, start: int) -> tuple[bool, bool]:
    """(has EX/PX/EXAT/PXAT, has PERSIST) among the options of SET or GETEX."""
    expire = persist = False
    i = start
    while i < len(argv):
        word = argv[i].upper()
        if word in (b"EX", b"PX", b"EXAT", b"PXAT"):
            expire = True
            i += 2
            continue
        if word == b"PERSIST":
            persist = True
        i += 1
    return expire, persist


def _absolute(db: Database, key: bytes, value: bytes) -> list[Argv]:
    when = db.expires.get(key)
    if key not in db.data:
        return [[b"DEL", key]]
    if when is None:
        return [[b"SET", key, value]]
    return [[b"SET", key, value, b"PXAT", b"%d" % when]]


def _set(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    if not _expire_options(argv, 3)[0]:
        return [argv]
    return _absolute(db, argv[1], argv[2])


def _setex(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    return _absolute(db, argv[1], argv[3])


def _expire(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    key = argv[1]
    if key not in db.data:  # a time in the past deleted the key: Redis propagates DEL
        return [[b"DEL", key]]
    when = db.expires.get(key)
    return [[b"PEXPIREAT", key, b"%d" % when]] if when is not None else [[b"PERSIST", key]]


def _getex(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    key = argv[1]
    if key not in db.data:
        return [[b"DEL", key]]
    when = db.expires.get(key)
    return [[b"PEXPIREAT", key, b"%d" % when]] if when is not None else [[b"PERSIST", key]]


def _getdel(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    return [[b"DEL", argv[1]]]


def _incrbyfloat(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    return [[b"SET", argv[1], reply, b"KEEPTTL"]] if type(reply) is bytes else []


def _hincrbyfloat(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    return [[b"HSET", argv[1], argv[2], reply]] if type(reply) is bytes else []


def _pop(name: bytes) -> Rewrite:
    """BLPOP/BRPOP/BZPOPMIN/BZPOPMAX served at once: the plain pop of the key that answered."""

    def rewrite(argv: Argv, reply: Any, db: Database) -> list[Argv]:
        return [[name, reply[0]]] if type(reply) is list and reply else []

    return rewrite


def _mpop(keys_at: int, left: bytes, right: bytes) -> Rewrite:
    """LMPOP/BLMPOP/ZMPOP/BZMPOP: `<pop> key count` with the count actually popped."""

    def rewrite(argv: Argv, reply: Any, db: Database) -> list[Argv]:
        if type(reply) is not list or len(reply) != 2:
            return []
        numkeys = int(argv[keys_at])
        where = argv[keys_at + 1 + numkeys].upper()
        name = left if where in (b"LEFT", b"MIN") else right
        return [[name, reply[0], b"%d" % len(reply[1])]]

    return rewrite


def _blmove(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    return [[b"LMOVE", *argv[1:5]]] if type(reply) is bytes else []


def _brpoplpush(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    return [[b"RPOPLPUSH", argv[1], argv[2]]] if type(reply) is bytes else []


def _spop(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    key = argv[1]
    if len(argv) == 2:
        return [[b"SREM", key, reply]] if type(reply) is bytes else []
    if key not in db.data:  # the whole set was popped
        return [[b"DEL", key]]
    members = list(reply) if isinstance(reply, (list, tuple, set)) else []
    return [[b"SREM", key, *members[i : i + SREM_BATCH]] for i in range(0, len(members), SREM_BATCH)]


def _restore(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    key = argv[1]
    when = db.expires.get(key)
    if when is None or any(arg.upper() == b"ABSTTL" for arg in argv[4:]):
        return [argv]
    return [[argv[0], key, b"%d" % when, *argv[3:], b"ABSTTL"]]


def _xadd(argv: Argv, reply: Any, db: Database) -> list[Argv]:
    """XADD with `*` or a partial id: the id the stream actually assigned."""
    if type(reply) is not bytes:
        return [argv]
    i = 2
    while i < len(argv):
        word = argv[i].upper()
        if word == b"NOMKSTREAM":
            i += 1
        elif word in (b"MAXLEN", b"MINID"):
            i += 3 if argv[i + 1] in (b"=", b"~") else 2
        elif word == b"LIMIT":
            i += 2
        else:
            break
    if i >= len(argv) or argv[i] == reply:
        return [argv]
    return [[*argv[:i], reply, *argv[i + 1 :]]]


PROPAGATION: Final[dict[str, Rewrite]] = {
    "set": _set,
    "setex": _setex,
    "psetex": _setex,
    "expire": _expire,
    "pexpire": _expire,
    "expireat": _expire,
    "pexpireat": _expire,
    "getex": _getex,
    "getdel": _getdel,
    "incrbyfloat": _incrbyfloat,
    "hincrbyfloat": _hincrbyfloat,
    "blpop": _pop(b"LPOP"),
    "brpop": _pop(b"RPOP"),
    "bzpopmin": _pop(b"ZPOPMIN"),
    "bzpopmax": _pop(b"ZPOPMAX"),
    "lmpop": _mpop(1, b"LPOP", b"RPOP"),
    "blmpop": _mpop(2, b"LPOP", b"RPOP"),
    "zmpop": _mpop(1, b"ZPOPMIN", b"ZPOPMAX"),
    "bzmpop": _mpop(2, b"ZPOPMIN", b"ZPOPMAX"),
    "blmove": _blmove,
    "brpoplpush": _brpoplpush,
    "spop": _spop,
    "restore": _restore,
    "xadd": _xadd,
}


def served_propagation(state: Any, key: bytes, reply: Any) -> list[Argv] | None:
    """What a blocked client served later (BLPOP woken by an LPUSH) propagates, or None when the
    waiter's kind is unknown. A waiter may define `aof_commands(key, reply)` to say it itself."""
    own = getattr(state, "aof_commands", None)
    if own is not None:
        return list(own(key, reply))
    if type(reply) is ErrorReply or reply is None:
        return []
    kind = type(state).__name__
    if kind == "_Waiter":  # lists.py: BLPOP/BRPOP, BLMPOP, BLMOVE/BRPOPLPUSH
        head = b"LEFT" if state.head else b"RIGHT"
        if state.destination is not None:
            return [[b"LMOVE", key, state.destination, head, b"LEFT" if state.to_head else b"RIGHT"]]
        pop = b"LPOP" if state.head else b"RPOP"
        return [[pop, key]] if state.count is None else [[pop, key, b"%d" % len(reply[1])]]
    if kind == "_PopWaiter":  # zsets.py: BZPOPMIN/BZPOPMAX, BZMPOP
        pop = b"ZPOPMAX" if state.highest else b"ZPOPMIN"
        return [[pop, key]] if state.count is None else [[pop, key, b"%d" % len(reply[1])]]
    return None


# ---- the dataset as commands (an AOF-format base) ---------------------------------------------
def _score(value: float) -> bytes:
    if value != value or value in (float("inf"), float("-inf")):
        return b"inf" if value > 0 else b"-inf"
    return b"%.17g" % value


def key_commands(key: bytes, value: Any) -> Iterator[Argv]:
    """Commands that rebuild one value (Redis's rewriteAppendOnlyFileRio, per type)."""
    kind = type(value)
    if kind is bytes:
        yield [b"SET", key, value]
        return
    if kind is ListValue:
        items = list(value)
        for i in range(0, len(items), ITEMS_PER_COMMAND):
            yield [b"RPUSH", key, *items[i : i + ITEMS_PER_COMMAND]]
        return
    if kind is SetValue:
        members = list(value)
        for i in range(0, len(members), ITEMS_PER_COMMAND):
            yield [b"SADD", key, *members[i : i + ITEMS_PER_COMMAND]]
        return
    if kind is HashValue:
        pairs = list(value.items())
        for i in range(0, len(pairs), ITEMS_PER_COMMAND):
            yield [b"HMSET", key, *[part for pair in pairs[i : i + ITEMS_PER_COMMAND] for part in pair]]
        return
    if kind is ZSetValue:
        scored = list(value.scores.items())
        for i in range(0, len(scored), ITEMS_PER_COMMAND):
            args: Argv = [b"ZADD", key]
            for member, score in scored[i : i + ITEMS_PER_COMMAND]:
                args += (_score(score), member)
            yield args
        return
    own = getattr(value, "aof_commands", None)  # a type that knows how to spell itself
    if own is not None:
        yield from own(key)
        return
    dump = _rdb_function("dump_value")  # anything else travels as RESTORE with a DUMP payload
    if dump is None:
        raise TypeError(f"cannot write a {kind.__name__} to the AOF")
    yield [b"RESTORE", key, b"0", dump(value), b"REPLACE"]


def write_dataset(keyspace: Keyspace, out: BinaryIO, now_ms: int) -> int:
    """Write every live key as commands; returns the number of keys written."""
    written = 0
    for db in keyspace.dbs:
        if not db.data:
            continue
        out.write(encode_command([b"SELECT", b"%d" % db.id]))
        expires = db.expires
        for key, value in db.data.items():
            when = expires.get(key) if expires else None
            if when is not None and when < now_ms:
                continue  # already expired: Redis leaves it out of the rewrite
            for argv in key_commands(key, value):
                out.write(encode_command(argv))
            if when is not None:
                out.write(encode_command([b"PEXPIREAT", key, b"%d" % when]))
            written += 1
    return written


def _rdb_function(name: str) -> Callable[..., Any] | None:
    """A function of the RDB module when it provides it (RDB bases, DUMP payloads)."""
    try:
        from miniredis_node.persistence import rdb  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    function = getattr(rdb, name, None)
    return function if callable(function) else None


# ---- parsing an AOF ---------------------------------------------------------------------------
class _Truncated(Exception):
    pass


class _Malformed(Exception):
    pass


def parse_commands(data: bytes) -> Iterator[tuple[Argv, int, int]]:
    """Yield (argv, start offset, end offset) for each command; `_Truncated` at a command cut
    short by the end of the data, `_Malformed` at anything that is not RESP."""
    pos, size = 0, len(data)
    while pos < size:
        start = pos
        if data[pos] == 0x23:  # '#': an annotation line (aof-timestamp-enabled)
            newline = data.find(b"\n", pos)
            if newline < 0:
                raise _Truncated
            pos = newline + 1
            continue
        newline = data.find(b"\r\n", pos)
        if data[pos] != 0x2A:  # '*'
            raise _Malformed
        if newline < 0:
            raise _Truncated
        try:
            argc = int(data[pos + 1 : newline])
        except ValueError:
            raise _Malformed from None
        if argc < 1:
            raise _Malformed
        pos = newline + 2
        argv: Argv = []
        for _ in range(argc):
            if pos >= size:
                raise _Truncated
            if data[pos] != 0x24:  # '$'
                raise _Malformed
            newline = data.find(b"\r\n", pos)
            if newline < 0:
                raise _Truncated
            try:
                length = int(data[pos + 1 : newline])
            except ValueError:
                raise _Malformed from None
            pos = newline + 2
            if pos + length + 2 > size:
                raise _Truncated
            if data[pos + length : pos + length + 2] != b"\r\n":
                raise _Malformed
            argv.append(data[pos : pos + length])
            pos += length + 2
        yield argv, start, pos


def _fast_commands(data: bytes) -> list[Argv] | None:
    """Every command of a well-formed AOF, parsed by hiredis (several times faster than
    `parse_commands`); None when the data is anything else (truncated, annotated, malformed),
    which the exact parser then handles."""
    import hiredis

    reader = hiredis.Reader()
    reader.feed(data)
    commands: list[Argv] = []
    try:
        while (item := reader.gets()) is not False:
            if type(item) is not list or not item or any(type(arg) is not bytes for arg in item):
                return None
            commands.append(item)
    except hiredis.ProtocolError:
        return None
    return None if reader.has_data() else commands


def _command_offsets(data: bytes) -> Iterator[tuple[Argv, int, int]]:
    fast = _fast_commands(data)
    if fast is None:
        yield from parse_commands(data)
        return
    # Offsets are only needed for an unfinished MULTI at the end: -1 says "look it up".
    last = len(fast) - 1
    for index, argv in enumerate(fast):
        yield argv, -1 - index, len(data) if index == last else 0


def _start_of(data: bytes, start: int) -> int:
    """The byte offset of a command `_command_offsets` located by index (-1 - index)."""
    if start >= 0:
        return start
    for index, (_, offset, _) in enumerate(parse_commands(data)):
        if index == -1 - start:
            return offset
    return 0


# ---- loading ----------------------------------------------------------------------------------
def aof_dir(server: Server) -> str:
    return os.path.join(str(server.config["dir"]), str(server.config["appenddirname"]))


def manifest_name(server: Server) -> str:
    return str(server.config["appendfilename"]) + ".manifest"


def read_manifest(server: Server) -> Manifest | None:
    path = os.path.join(aof_dir(server), manifest_name(server))
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return Manifest.parse(handle.read())
    except FileNotFoundError:
        return None


def load(server: Server) -> Manifest | None:
    """Load the AOF the config names into the server's keyspace; None when there is none.

    An old single-file AOF (`dir/appendfilename`, Redis before 7.0) is loaded and then moved into
    the directory as its base, as Redis 7.0's upgrade does. Raises AofLoadError when the files
    cannot be loaded (the server must not start).
    """
    directory = aof_dir(server)
    manifest = read_manifest(server)
    if manifest is None:
        legacy = os.path.join(server.config["dir"], server.config["appendfilename"])
        if not os.path.isfile(legacy):
            return None
        log.info("Loading the old style AOF file %s", server.config["appendfilename"])
        _load_file(server, legacy, server.config["appendfilename"], last=True, base=True)
        os.makedirs(directory, exist_ok=True)
        name = server.config["appendfilename"]
        os.rename(legacy, os.path.join(directory, name))
        manifest = Manifest(base=AofFile(name, 1, "b"), base_seq=1)
        write_manifest(server, manifest)
        log.info("Successfully migrated an old-style AOF into the AOF directory %s", directory)
        return manifest
    started = time.monotonic()
    files = ([manifest.base] if manifest.base else []) + manifest.incrs
    if not files:
        return manifest
    for position, entry in enumerate(files):
        path = os.path.join(directory, entry.name)
        if not os.path.exists(path):
            raise AofLoadError(f"The AOF file {entry.name} doesn't exist")
        kind = "base" if entry.kind == "b" else "incr"
        began = time.monotonic()
        _load_file(server, path, entry.name, last=position == len(files) - 1, base=entry.kind == "b")
        log.info("DB loaded from %s file %s: %.3f seconds", kind, entry.name, time.monotonic() - began)
    log.info("DB loaded from append only file: %.3f seconds", time.monotonic() - started)
    return manifest


def _load_file(server: Server, path: str, name: str, *, last: bool, base: bool) -> None:
    with open(path, "rb") as handle:
        data = handle.read()
    if not data:
        return
    if data.startswith(b"REDIS"):  # an RDB preamble: only a base may be one
        loader = _rdb_function("load_bytes")
        if not base or loader is None:
            raise AofLoadError(f"Bad file format reading the append only file {name}: RDB data cannot be loaded here")
        log.info("Reading RDB base file on AOF loading...")
        loader(server, data)
        return
    valid = replay(server, data, name)
    if valid == len(data):
        return
    # The file ends in the middle of a command (a crash mid-write) or of a MULTI block.
    if not last:
        raise AofLoadError(f"Fatal error: the truncated file is not the last file ({name})")
    if not server.config["aof-load-truncated"]:
        raise AofLoadError(
            f"Unexpected end of file reading the append only file {name}. You can: "
            "1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "
            "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
        )
    log.warning("!!! Warning: short read while loading the AOF file %s!!!", name)
    log.warning("!!! Truncating the AOF %s at offset %d !!!", name, valid)
    with open(path, "r+b") as handle:
        handle.truncate(valid)
        handle.flush()
        os.fsync(handle.fileno())
    log.warning("AOF %s loaded anyway because aof-load-truncated is enabled", name)


def replay(server: Server, data: bytes, name: str) -> int:
    """Run the commands in `data`; returns the offset up to which they were whole (and run)."""
    keyspace = server.keyspace
    client = Client(server, None, 0)  # Redis's fake AOF client: no connection, never blocks
    client.authenticated = True
    client.no_block = True
    saved_now = keyspace.now_ms
    keyspace.now_ms = 0  # nothing expires while loading (see the module docstring)
    queue: list[tuple[Command, Argv]] | None = None
    valid = before_multi = 0
    try:
        for argv, start, end in _command_offsets(data):
            lowered = argv[0].lower()
            if lowered == b"multi":
                queue, before_multi = [], start
            elif lowered == b"exec" and queue is not None:
                for queued, args in queue:
                    _run(client, queued, args)
                queue = None
            else:
                cmd = dispatch.resolve(argv)
                if isinstance(cmd, str):
                    shown = argv[0].decode(errors="replace")
                    raise AofLoadError(f"Unknown command '{shown}' reading the append only file {name}")
                if queue is not None:
                    queue.append((cmd, argv))
                else:
                    _run(client, cmd, argv)
            if queue is None and end:
                valid = end
    except _Truncated:
        pass
    except _Malformed:
        raise AofLoadError(
            f"Bad file format reading the append only file {name}: make a backup of your AOF file, "
            "then use ./redis-check-aof --fix <filename.manifest>"
        ) from None
    finally:
        keyspace.now_ms = saved_now
        keyspace.ready_keys.clear()
    if queue is not None:
        log.warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
        valid = _start_of(data, before_multi)
    return valid


def _run(client: Client, cmd: Command, argv: Argv) -> None:
    try:
        cmd.handler(client, argv)  # type: ignore[misc]
    except CommandError:
        pass  # a command that failed when it was written fails again: nothing changed then either
    client.out.clear()


# ---- files ------------------------------------------------------------------------------------
def write_manifest(server: Server, manifest: Manifest) -> None:
    """Replace the manifest atomically: a temporary file, fsync, rename, fsync the directory."""
    directory = aof_dir(server)
    name = manifest_name(server)
    temp = os.path.join(directory, "temp-" + name)
    with open(temp, "wb") as handle:
        handle.write(manifest.render())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, os.path.join(directory, name))
    _fsync_dir(directory)


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_append(path: str) -> int:
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def _base_suffix(server: Server) -> str:
    return "rdb" if server.config["aof-use-rdb-preamble"] and _rdb_function("write_base") else "aof"


def write_base(server: Server, path: str) -> None:
    """Write the dataset to `path` as a base file (RDB when enabled and available) and fsync it."""
    with open(path, "wb", buffering=1 << 20) as out:
        writer = _rdb_function("write_base") if path.endswith(".rdb") else None
        if writer is not None:
            writer(server, out)
        else:
            write_dataset(server.keyspace, out, int(time.time() * 1000))
        out.flush()
        os.fsync(out.fileno())


# ---- the running AOF --------------------------------------------------------------------------
class AppendOnlyFile:
    """The open AOF of a running server (`server.aof`), from start-up or CONFIG SET to stop."""

    def __init__(self, server: Server, manifest: Manifest) -> None:
        self.server = server
        self.manifest = manifest
        self.directory = aof_dir(server)
        self.pending: list[tuple[int, Argv]] = []
        self.flushed = 0  # entries written so far: `mark` + this locate a wrapper's first write
        self.fd = -1
        self.selected_db = -1  # the database the file is at; -1 forces a SELECT first
        self.waiting_rewrite = False  # turned on at runtime: writes go to a temporary incr file
        self.unsynced = False
        self.last_fsync = time.monotonic()
        self.fsync_thread: threading.Thread | None = None
        self.current_size = 0
        self.base_size = 0
        # Rewrite state and INFO persistence figures.
        self.child_pid = 0
        self.child_temp = ""
        self.rewrite_started = 0.0
        self.rewrite_first_incr = 0
        self.rewrite_scheduled = False
        self.rewrites = 0
        self.rewrite_failures = 0
        self.last_rewrite_time_sec = -1
        self.last_bgrewrite_status = "ok"
        self.last_write_status = "ok"
        self._previous_expired: Callable[[Database, bytes], None] | None = None
        self._previous_evicted: Callable[[Database, bytes], None] | None = None

    # ---- feeding ---------------------------------------------------------------------------------
    def mark(self) -> int:
        """Where the next entry goes, counted from the first ever (survives flushes)."""
        return self.flushed + len(self.pending)

    def feed(self, c: Client, cmd: Command, argv: Argv, reply: Any, mark: int) -> None:
        """Buffer what command `cmd` propagates; called when it made the keyspace dirty."""
        name = cmd.name
        if name in WRAPPERS:
            # The writes inside were fed already; several become one MULTI/EXEC block, unless this
            # runs inside another wrapper (EVAL in a MULTI), whose block will hold them.
            first = mark - self.flushed  # < 0 if a flush came in between: too late to wrap
            if first >= 0 and len(self.pending) - first > 1 and not c.no_block:
                self.pending.insert(first, _MULTI)
                self.pending.append(_EXEC)
            return
        if "write" not in cmd.flags:
            return  # a read that expired keys: their DELs were fed by the expiry hook
        if type(reply) is ErrorReply:
            return
        rewrite = PROPAGATION.get(name)
        db = c.db
        if rewrite is None:
            self.pending.append((db.id, argv))
            return
        for propagated in rewrite(argv, reply, db):
            self.pending.append((db.id, propagated))

    def feed_served(self, db: Database, state: Any, key: bytes, reply: Any) -> None:
        """A blocked client was just served; its reply leaves right after this, so flush."""
        commands = served_propagation(state, key, reply)
        if commands is None:
            log.warning("AOF: cannot propagate a served %s; the AOF may miss a write", type(state).__name__)
            return
        for argv in commands:
            self.pending.append((db.id, argv))
        self.before_reply()

    def _expired(self, db: Database, key: bytes) -> None:
        if self._previous_expired is not None:
            self._previous_expired(db, key)
        self.pending.append((db.id, [b"DEL", key]))

    def _evicted(self, db: Database, key: bytes) -> None:
        if self._previous_evicted is not None:
            self._previous_evicted(db, key)
        self.pending.append((db.id, [b"DEL", key]))

    # ---- writing ---------------------------------------------------------------------------------
    def before_reply(self) -> None:
        """Write what is pending (and fsync it under `always`) before any reply leaves."""
        if self.pending:
            self.flush(fsync=self.server.config["appendfsync"] == "always")

    def flush(self, *, fsync: bool = False) -> None:
        pending, self.pending = self.pending, []
        self.flushed += len(pending)
        if pending and self.fd >= 0:
            parts: list[bytes] = []
            selected = self.selected_db
            for position, (db_id, argv) in enumerate(pending):
                if argv is _MULTI[1] and position + 1 < len(pending):
                    db_id = pending[position + 1][0]  # SELECT before MULTI, as Redis writes it
                if db_id >= 0 and db_id != selected:
                    parts.append(encode_command([b"SELECT", b"%d" % db_id]))
                    selected = db_id
                parts.append(encode_command(argv))
            self.selected_db = selected
            self._write(b"".join(parts))
        if fsync and self.unsynced and self.fd >= 0:
            self._wait_fsync_thread()
            os.fsync(self.fd)
            self.unsynced = False
            self.last_fsync = time.monotonic()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except InterruptedError:
                continue
            except OSError as error:
                self.last_write_status = "err"
                log.warning("Error writing to the AOF file: %s", error)
                if self.server.config["appendfsync"] == "always":
                    # An acknowledged write must be on disk: Redis gives up rather than lie.
                    log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
                    os._exit(1)
                return
            view = view[written:]
            self.current_size += written
        self.last_write_status = "ok"
        self.unsynced = True

    def _wait_fsync_thread(self) -> None:
        if self.fsync_thread is not None:
            self.fsync_thread.join()
            self.fsync_thread = None

    def cron(self) -> None:
        """Once per server tick: write leftovers (active-expiry DELs), everysec fsync, reap the
        rewrite child, start scheduled or automatic rewrites."""
        if self.pending:
            self.flush()
        if self.child_pid:
            self._check_child()
        policy = self.server.config["appendfsync"]
        now = time.monotonic()
        if policy == "everysec" and self.unsynced and now - self.last_fsync >= 1.0:
            if self.fsync_thread is None or not self.fsync_thread.is_alive():
                self.unsynced = False
                self.last_fsync = now
                self.fsync_thread = threading.Thread(target=_fsync_quietly, args=(self.fd,), daemon=True)
                self.fsync_thread.start()
        if not self.child_pid:
            if self.rewrite_scheduled or self.waiting_rewrite:
                self.start_rewrite()
            elif self._growth_wants_rewrite():
                log.info(
                    "Starting automatic rewriting of AOF on %d%% growth",
                    self.server.config["auto-aof-rewrite-percentage"],
                )
                self.start_rewrite()

    def _growth_wants_rewrite(self) -> bool:
        config = self.server.config
        percentage: int = config["auto-aof-rewrite-percentage"]
        if not percentage or self.current_size < config["auto-aof-rewrite-min-size"]:
            return False
        base = self.base_size or 1
        return (self.current_size - base) * 100 // base >= percentage

    # ---- lifecycle -------------------------------------------------------------------------------
    def hook(self) -> None:
        keyspace = self.server.keyspace
        self._previous_expired, keyspace.on_expired = keyspace.on_expired, self._expired
        self._previous_evicted, keyspace.on_evicted = keyspace.on_evicted, self._evicted
        self.server.aof = self

    def open_incr(self, entry: AofFile) -> None:
        """Append from now on to `entry` (closing the current file, fsynced)."""
        self.close_file()
        path = os.path.join(self.directory, entry.name)
        self.fd = _open_append(path)
        self.selected_db = -1  # each file is loaded by a fresh client, at database 0
        self.current_size = self._files_size()

    def close_file(self) -> None:
        if self.fd >= 0:
            self.flush(fsync=True)
            os.close(self.fd)
            self.fd = -1

    def stop(self) -> None:
        """Flush, fsync and close; stop a rewrite in progress; unhook from the server."""
        self.close_file()
        if self.child_pid:
            self._kill_child()
        keyspace = self.server.keyspace
        if keyspace.on_expired == self._expired:
            keyspace.on_expired = self._previous_expired
        if keyspace.on_evicted == self._evicted:
            keyspace.on_evicted = self._previous_evicted
        if self.server.aof is self:
            self.server.aof = None

    def _files_size(self) -> int:
        total = 0
        for entry in self.manifest.files():
            try:
                total += os.path.getsize(os.path.join(self.directory, entry.name))
            except OSError:
                pass
        return total

    # ---- rewriting -------------------------------------------------------------------------------
    def start_rewrite(self) -> bool:
        """Fork a child that writes a new base; False when one runs already or the fork failed."""
        if self.child_pid:
            return False
        self.rewrite_scheduled = False
        self.flush(fsync=True)
        self._wait_fsync_thread()  # no thread may hold anything across the fork
        manifest = self.manifest
        if self.waiting_rewrite:
            # Everything written so far is in the coming snapshot: the temporary incr file starts
            # empty at every attempt (as Redis truncates it), or a retry would replay writes twice.
            self.close_file()
            temp = os.path.join(self.directory, _TEMP_INCR.format(manifest_name(self.server)))
            self.fd = os.open(temp, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_TRUNC, 0o644)
            self.selected_db = -1
            self.rewrite_first_incr = len(manifest.incrs)
        else:
            manifest.incr_seq += 1
            entry = AofFile(
                f"{self.server.config['appendfilename']}.{manifest.incr_seq}.incr.aof", manifest.incr_seq, "i"
            )
            manifest.incrs.append(entry)
            self.rewrite_first_incr = len(manifest.incrs) - 1
            self.open_incr(entry)
            write_manifest(self.server, manifest)
            log.info("Creating AOF incr file %s on background rewrite", entry.name)
        suffix = _base_suffix(self.server)
        try:
            pid = os.fork()
        except OSError as error:
            log.warning("Can't rewrite append only file in background: fork: %s", error)
            self.last_bgrewrite_status = "err"
            self.rewrite_failures += 1
            return False
        if pid == 0:  # the child: write the snapshot it inherited, then leave without cleanup
            status = 1
            try:
                temp = os.path.join(self.server.config["dir"], f"temp-rewriteaof-bg-{os.getpid()}.{suffix}")
                write_base(self.server, temp)
                log.info("Successfully created the temporary AOF base file %s", os.path.basename(temp))
                status = 0
            except BaseException:
                log.exception("AOF rewrite child failed")
            finally:
                os._exit(status)
        self.child_pid = pid
        self.child_temp = os.path.join(self.server.config["dir"], f"temp-rewriteaof-bg-{pid}.{suffix}")
        self.rewrite_started = time.monotonic()
        log.info("Background append only file rewriting started by pid %d", pid)
        return True

    def _check_child(self) -> None:
        try:
            pid, status = os.waitpid(self.child_pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.child_pid, 1 << 8
        if pid == 0:
            return
        self.child_pid = 0
        self.last_rewrite_time_sec = int(time.monotonic() - self.rewrite_started)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            log.info("Background AOF rewrite terminated with success")
            try:
                self._install_base()
            except OSError as error:
                log.warning("Error trying to install the rewritten AOF: %s", error)
                self._rewrite_failed()
                return
            self.last_bgrewrite_status = "ok"
            self.rewrites += 1
            self.rewrite_failures = 0
            log.info("Background AOF rewrite finished successfully")
        else:
            log.warning("Background AOF rewrite terminated with error")
            self._rewrite_failed()

    def _rewrite_failed(self) -> None:
        self.last_bgrewrite_status = "err"
        self.rewrite_failures += 1
        _remove_quietly(self.child_temp)

    def _install_base(self) -> None:
        """The child wrote a new base: it replaces the old base and incr files in the manifest."""
        server = self.server
        old = self.manifest
        suffix = self.child_temp.rsplit(".", 1)[1]
        base_seq = old.base_seq + 1
        base = AofFile(f"{server.config['appendfilename']}.{base_seq}.base.{suffix}", base_seq, "b")
        os.replace(self.child_temp, os.path.join(self.directory, base.name))
        log.info(
            "Successfully renamed the temporary AOF base file %s into %s", os.path.basename(self.child_temp), base.name
        )
        kept = old.incrs[self.rewrite_first_incr :]
        history = ([old.base] if old.base else []) + old.incrs[: self.rewrite_first_incr] + old.history
        manifest = Manifest(base=base, incrs=kept, base_seq=base_seq, incr_seq=old.incr_seq)
        if self.waiting_rewrite:
            # Turned on at runtime: the temporary incr file becomes the first real one.
            self.flush(fsync=True)
            manifest.incr_seq += 1
            entry = AofFile(f"{server.config['appendfilename']}.{manifest.incr_seq}.incr.aof", manifest.incr_seq, "i")
            temp = os.path.join(self.directory, _TEMP_INCR.format(manifest_name(server)))
            os.replace(temp, os.path.join(self.directory, entry.name))
            manifest.incrs = [entry]
            self.waiting_rewrite = False
        keep_history = server.config["aof-disable-auto-gc"]
        manifest.history = [AofFile(f.name, f.seq, "h") for f in history] if keep_history else []
        write_manifest(server, manifest)
        self.manifest = manifest
        if not keep_history:
            for entry in history:
                log.info("Removing the history file %s in the background", entry.name)
                _remove_quietly(os.path.join(self.directory, entry.name))
        self.base_size = os.path.getsize(os.path.join(self.directory, base.name))
        self.current_size = self._files_size()

    def _kill_child(self) -> None:
        try:
            os.kill(self.child_pid, 9)
            os.waitpid(self.child_pid, 0)
        except OSError:
            pass
        log.info("Killing running AOF rewrite child: %d", self.child_pid)
        _remove_quietly(self.child_temp)
        self.child_pid = 0

    # ---- INFO --------------------------------------------------------------------------------------
    def info_fields(self) -> list[tuple[str, object]]:
        """The fields INFO persistence shows while AOF is on (after module_fork_last_cow_size)."""
        return [
            ("aof_current_size", self.current_size),
            ("aof_base_size", self.base_size),
            ("aof_pending_rewrite", 1 if self.rewrite_scheduled else 0),
            ("aof_buffer_length", sum(len(encode_command(argv)) for _, argv in self.pending)),
            ("aof_pending_bio_fsync", 1 if self.fsync_thread is not None and self.fsync_thread.is_alive() else 0),
            ("aof_delayed_fsync", 0),
        ]


def _fsync_quietly(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError as error:  # the file was closed under us: the next fsync covers it
        log.debug("background AOF fsync: %s", error)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


# ---- entry points for the server --------------------------------------------------------------
def open_on_start(server: Server) -> None:
    """At start-up with appendonly yes: load the AOF (it wins over any RDB), or create a new one
    from the current dataset, then append to its last incr file. Raises AofLoadError."""
    manifest = load(server)
    directory = aof_dir(server)
    os.makedirs(directory, exist_ok=True)
    if manifest is None:
        manifest = Manifest()
    if manifest.base is None and not manifest.incrs:
        manifest.base_seq = 1
        suffix = _base_suffix(server)
        base = AofFile(f"{server.config['appendfilename']}.1.base.{suffix}", 1, "b")
        write_base(server, os.path.join(directory, base.name))
        manifest.base = base
        log.info("Creating AOF base file %s on server start", base.name)
    aof = AppendOnlyFile(server, manifest)
    if not manifest.incrs:
        manifest.incr_seq += 1
        entry = AofFile(f"{server.config['appendfilename']}.{manifest.incr_seq}.incr.aof", manifest.incr_seq, "i")
        manifest.incrs.append(entry)
        aof.open_incr(entry)
        write_manifest(server, manifest)
        log.info("Creating AOF incr file %s on server start", entry.name)
    else:
        aof.open_incr(manifest.incrs[-1])
    if manifest.base is not None:
        try:
            aof.base_size = os.path.getsize(os.path.join(directory, manifest.base.name))
        except OSError:
            aof.base_size = 0
    aof.current_size = aof._files_size()
    server.keyspace.dirty = 0
    aof.hook()
    server.shutdown_hooks.append(aof.stop)


def start_at_runtime(server: Server) -> None:
    """CONFIG SET appendonly yes: as Redis, rewrite first. Writes made meanwhile go to a temporary
    incr file, which becomes the first incr file once the new base is in place."""
    directory = aof_dir(server)
    os.makedirs(directory, exist_ok=True)
    try:
        manifest = read_manifest(server) or Manifest()
    except AofLoadError:
        manifest = Manifest()
    aof = AppendOnlyFile(server, manifest)
    aof.waiting_rewrite = True
    aof.hook()
    server.shutdown_hooks.append(aof.stop)
    if not aof.start_rewrite():
        aof.rewrite_scheduled = True


def sync_with_config(server: Server) -> None:
    """Start or stop the AOF to follow the `appendonly` setting (CONFIG SET, from the cron)."""
    wanted = bool(server.config["appendonly"])
    aof = server.aof
    if wanted and aof is None:
        start_at_runtime(server)
    elif not wanted and aof is not None:
        aof.stop()
        if aof.stop in server.shutdown_hooks:
            server.shutdown_hooks.remove(aof.stop)
    elif aof is not None:
        aof.cron()


def bgrewrite(server: Server) -> str:
    """BGREWRITEAOF: the reply text, or raise CommandError when one is running already."""
    from miniredis_node import errors

    aof = server.aof
    if aof is not None and aof.child_pid:
        raise CommandError(errors.AOF_REWRITE_IN_PROGRESS)
    if aof is None:
        # AOF off: Redis still writes a fresh AOF directory from the dataset, then stops.
        rewrite_once(server)
        return "Background append only file rewriting started"
    if not aof.start_rewrite():
        aof.rewrite_scheduled = True
        return "Background append only file rewriting scheduled"
    return "Background append only file rewriting started"


def rewrite_once(server: Server) -> None:
    """BGREWRITEAOF with AOF off: a new base from the dataset (and no incr file), written by a
    forked grandchild that also swaps the manifest (nobody appends meanwhile). The child exits at
    once and is reaped here, so the grandchild needs no reaping."""
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    if os.fork():
        os._exit(0)
    status = 1
    try:
        directory = aof_dir(server)
        os.makedirs(directory, exist_ok=True)
        old = read_manifest(server) or Manifest()
        seq = old.base_seq + 1
        suffix = _base_suffix(server)
        base = AofFile(f"{server.config['appendfilename']}.{seq}.base.{suffix}", seq, "b")
        write_base(server, os.path.join(directory, base.name))
        write_manifest(server, Manifest(base=base, base_seq=seq, incr_seq=old.incr_seq))
        for entry in old.files():
            _remove_quietly(os.path.join(directory, entry.name))
        status = 0
    except BaseException:
        log.exception("AOF rewrite child failed")
    finally:
        os._exit(status)


def info_fields(server: Server) -> list[tuple[str, object]]:
    """INFO persistence's AOF rewrite fields, aof_rewrite_in_progress to aof_last_write_status."""
    aof = server.aof
    if aof is None:
        return [
            ("aof_rewrite_in_progress", 0),
            ("aof_rewrite_scheduled", 0),
            ("aof_last_rewrite_time_sec", -1),
            ("aof_current_rewrite_time_sec", -1),
            ("aof_last_bgrewrite_status", "ok"),
            ("aof_rewrites", 0),
            ("aof_rewrites_consecutive_failures", 0),
            ("aof_last_write_status", "ok"),
        ]
    running = aof.child_pid != 0
    return [
        ("aof_rewrite_in_progress", 1 if running else 0),
        ("aof_rewrite_scheduled", 1 if aof.rewrite_scheduled and not running else 0),
        ("aof_last_rewrite_time_sec", aof.last_rewrite_time_sec),
        ("aof_current_rewrite_time_sec", int(time.monotonic() - aof.rewrite_started) if running else -1),
        ("aof_last_bgrewrite_status", aof.last_bgrewrite_status),
        ("aof_rewrites", aof.rewrites),
        ("aof_rewrites_consecutive_failures", aof.rewrite_failures),
        ("aof_last_write_status", aof.last_write_status),
    ]
