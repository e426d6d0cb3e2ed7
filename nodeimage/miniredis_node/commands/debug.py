"""DEBUG: the subcommands tools and test suites rely on, behind `enable-debug-command` as in
Redis 7 (off by default).

* RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the snapshot, empty the keyspace, load it back;
* DIGEST / DIGEST-VALUE key...: Redis's dataset digest, computed exactly as debug.c does (below),
  so a digest from our node can be compared with one from a real Redis holding the same data;
* SLEEP seconds, ERROR text, LOG message, HELP, and harmless no-ops (CHANGE-REPL-ID,
  QUICKLIST-PACKED-THRESHOLD).

The digest: every value is folded into 20 bytes with two SHA1-based steps. `xor` XORs the SHA1
of some bytes into the digest (order-insensitive: set members, hash fields, keys); `mix` does the
same and then replaces the digest by its own SHA1 (order-sensitive: list elements). A key's digest
mixes the key, its type (4 bytes, big-endian), its contents, and "!!expire!!" when it has a TTL;
the dataset's digest mixes each non-empty database's number and XORs in its keys' digests.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import time
from collections.abc import Callable
from typing import Any, Final

from miniredis_node import errors
from miniredis_node.args import parse_int, to_float
from miniredis_node.client import Client
from miniredis_node.datatypes import HashValue, ListValue, SetValue, ZSetValue
from miniredis_node.errors import CommandError
from miniredis_node.keyspace import Database
from miniredis_node.persistence.rdb import RdbError
from miniredis_node.protocol import OK, ErrorReply, SimpleString
from miniredis_node.table import command

log = logging.getLogger("miniredis.node")

ZERO_DIGEST: Final = bytes(20)
# Redis's object type numbers (OBJ_STRING...), mixed into each key's digest.
TYPE_CODES: Final[dict[type, int]] = {bytes: 0, ListValue: 1, SetValue: 2, ZSetValue: 3, HashValue: 4}
STREAM_TYPE_CODE: Final = 6
EXPIRE_MARK: Final = b"!!expire!!"


# ---- the digest ----------------------------------------------------------------------------------
def _xor(digest: bytearray, data: bytes) -> None:
    for i, byte in enumerate(hashlib.sha1(data).digest()):
        digest[i] ^= byte


def _mix(digest: bytearray, data: bytes) -> None:
    _xor(digest, data)
    digest[:] = hashlib.sha1(digest).digest()


def _score(score: float) -> bytes:
    return b"%.17g" % score


def value_digest(digest: bytearray, value: Any, *, volatile: bool) -> None:
    """xorObjectDigest: fold one value (its type, contents and whether it expires) into digest."""
    kind = type(value)
    code = TYPE_CODES.get(kind)
    is_stream = code is None and hasattr(value, "entries") and hasattr(value, "groups")
    if code is None:
        code = STREAM_TYPE_CODE if is_stream else 5
    _mix(digest, struct.pack(">I", code))
    if kind is bytes:
        _mix(digest, value)
    elif kind is ListValue:
        for item in value:
            _mix(digest, item)
    elif kind is SetValue:
        for member in value:
            _xor(digest, member)
    elif kind is ZSetValue:
        for score, member in value.ordered:
            element = bytearray(20)
            _mix(element, member)
            _mix(element, _score(score))
            _xor(digest, bytes(element))
    elif kind is HashValue:
        for field, item in value.items():
            element = bytearray(20)
            _mix(element, field)
            _mix(element, item)
            _xor(digest, bytes(element))
    elif is_stream:
        for (ms, seq), fields in value.entries.items():
            _mix(digest, b"%d.%d" % (ms, seq))
            for part in fields:
                _mix(digest, part)
    if volatile:
        _xor(digest, EXPIRE_MARK)


def key_digest(db: Database, key: bytes) -> bytes:
    """DEBUG DIGEST-VALUE of one key (zeros when missing); expired-but-present keys count."""
    digest = bytearray(20)
    value = db.data.get(key)
    if value is not None:
        value_digest(digest, value, volatile=key in db.expires)
    return bytes(digest)


def dataset_digest(dbs: list[Database]) -> bytes:
    """computeDatasetDigest: zeros for an empty dataset."""
    final = bytearray(20)
    for db in dbs:
        if not db.data:
            continue
        _mix(final, struct.pack(">I", db.id))
        expires = db.expires
        for key, value in db.data.items():
            digest = bytearray(20)
            _mix(digest, key)
            value_digest(digest, value, volatile=key in expires)
            _xor(final, bytes(digest))
    return bytes(final)


# ---- subcommands ---------------------------------------------------------------------------------
def _reload(c: Client, argv: list[bytes]) -> object:
    flush = save = True
    for option in argv[2:]:
        word = option.lower()
        if word == b"merge":
            pass  # the file's value always wins over an existing key (Redis would abort without MERGE)
        elif word == b"noflush":
            flush = False
        elif word == b"nosave":
            save = False
        else:
            raise CommandError(errors.DEBUG_RELOAD_OPTIONS)
    server = c.server
    snapshots = server.rdb
    pending = 0 if save else snapshots.changes
    if save and not snapshots.save():
        raise CommandError(errors.BARE_ERR)
    if flush:
        for db in c.keyspace.dbs:
            db.flush()
    try:
        snapshots.load(merge=True)
    except (OSError, RdbError) as error:
        log.warning("Error trying to load the RDB dump: %s", error)
        raise CommandError(errors.DEBUG_RELOAD_LOAD_FAILED) from None
    snapshots.dirty_at_last_save = c.keyspace.dirty - pending
    log.warning("DB reloaded by DEBUG RELOAD")
    return OK


def _digest(c: Client, argv: list[bytes]) -> object:
    if len(argv) != 2:
        raise _subcommand_error(argv)
    return SimpleString(dataset_digest(c.keyspace.dbs).hex())


def _digest_value(c: Client, argv: list[bytes]) -> object:
    return [SimpleString(key_digest(c.db, key).hex()) for key in argv[2:]]


def _sleep(c: Client, argv: list[bytes]) -> object:
    if len(argv) != 3:
        raise _subcommand_error(argv)
    seconds = to_float(argv[2]) or 0.0  # strtod: anything unparsable is 0
    if seconds > 0:
        time.sleep(seconds)  # blocks the whole server, which is the point
    return OK


def _error(c: Client, argv: list[bytes]) -> object:
    if len(argv) != 3:
        raise _subcommand_error(argv)
    return ErrorReply(argv[2].decode(errors="replace"))


def _log(c: Client, argv: list[bytes]) -> object:
    if len(argv) != 3:
        raise _subcommand_error(argv)
    log.warning("DEBUG LOG: %s", argv[2].decode(errors="replace"))
    return OK


def _object(c: Client, argv: list[bytes]) -> object:
    """DEBUG OBJECT: Redis's line; the encoding, refcount and serialized length are exact, the
    address and LRU clock are this process's own."""
    if len(argv) != 3:
        raise _subcommand_error(argv)
    from miniredis_node.commands.keys import lookup_notouch, object_encoding, object_refcount
    from miniredis_node.persistence import rdb

    value = lookup_notouch(c.db, argv[2])
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    config = c.server.config
    out = bytearray()
    rdb.write_value(out, value, rdb.Limits.from_config(config), compress=True)
    now_s = c.keyspace.now_ms // 1000
    accessed = c.db.access.get(argv[2])
    idle = max(0, now_s - accessed // 1000) if accessed and c.keyspace.track_access == "lru" else 0
    extra = ""
    if type(value) is ListValue:
        fill = config["list-max-listpack-size"]
        nodes = list(rdb._list_nodes(value, fill))
        extra = (
            f" ql_nodes:{len(nodes)} ql_avg_node:{len(value) / max(len(nodes), 1):.2f} ql_listpack_max:{fill}"
            f" ql_compressed:{int(config['list-compress-depth'] != 0)}"
            f" ql_uncompressed_size:{sum(map(len, nodes))}"
        )
    return SimpleString(
        f"Value at:{id(value):#x} refcount:{object_refcount(value, config)} "
        f"encoding:{object_encoding(value, config).decode()} serializedlength:{len(out) - 1} "
        f"lru:{(now_s - idle) & 0xFFFFFF} lru_seconds_idle:{idle}{extra}"
    )


def _set_active_expire(c: Client, argv: list[bytes]) -> object:
    """DEBUG SET-ACTIVE-EXPIRE 0|1 (atoi, as Redis): the server's cron skips active expiry at 0."""
    if len(argv) != 3:
        raise _subcommand_error(argv)
    digits = argv[2].strip()
    sign = -1 if digits[:1] == b"-" else 1
    digits = digits.lstrip(b"+-")
    number = digits[: len(digits) - len(digits.lstrip(b"0123456789"))]
    c.server.active_expire_enabled = sign * int(number or b"0") != 0
    return OK


def _populate(c: Client, argv: list[bytes]) -> object:
    """DEBUG POPULATE count [prefix] [size]: `prefix:n` = `value:n` (zero-padded or cut to
    size) for n below count, skipping keys that exist; no notifications, as in Redis."""
    if not 3 <= len(argv) <= 5:
        raise _subcommand_error(argv)
    count = parse_int(argv[2], errors.VALUE_OUT_OF_RANGE_POSITIVE)
    size = parse_int(argv[4], errors.VALUE_OUT_OF_RANGE_POSITIVE) if len(argv) == 5 else 0
    if count < 0 or size < 0:
        raise CommandError(errors.VALUE_OUT_OF_RANGE_POSITIVE)
    prefix = argv[3].split(b"\0", 1)[0] if len(argv) > 3 else b"key"
    db = c.db
    for n in range(count):
        key = (b"%s:%d" % (prefix, n))[:127]  # Redis formats into a 128-byte buffer
        if db.peek(key) is not None:
            continue
        value = b"value:%d" % n
        if size:
            value = value[:size].ljust(size, b"\0")
        db.set(key, value)
    return OK


def _listpack(c: Client, argv: list[bytes]) -> object:
    if len(argv) != 3:
        raise _subcommand_error(argv)
    from miniredis_node.commands.keys import lookup_notouch, object_encoding

    value = lookup_notouch(c.db, argv[2])
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if object_encoding(value, c.server.config) != b"listpack":
        raise CommandError(errors.DEBUG_NOT_LISTPACK)
    return SimpleString("Listpack structure printed on stdout")


def _quicklist(c: Client, argv: list[bytes]) -> object:
    if len(argv) not in (3, 4):
        raise _subcommand_error(argv)
    from miniredis_node.commands.keys import lookup_notouch

    value = lookup_notouch(c.db, argv[2])
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if type(value) is not ListValue:
        raise CommandError(errors.DEBUG_NOT_QUICKLIST)
    return SimpleString("Quicklist structure printed on stdout")


def _ok(c: Client, argv: list[bytes]) -> object:
    return OK


def _help(c: Client, argv: list[bytes]) -> object:
    return [SimpleString(line) for line in DEBUG_HELP]


SUBCOMMANDS: Final[dict[bytes, Callable[[Client, list[bytes]], object]]] = {
    b"reload": _reload,
    b"digest": _digest,
    b"digest-value": _digest_value,
    b"sleep": _sleep,
    b"error": _error,
    b"log": _log,
    b"help": _help,
    b"change-repl-id": _ok,
    b"quicklist-packed-threshold": _ok,
    b"object": _object,
    b"set-active-expire": _set_active_expire,
    b"populate": _populate,
    b"listpack": _listpack,
    b"quicklist": _quicklist,
    b"set-skip-checksum-validation": _ok,
    b"pause-cron": _ok,
    b"replybuffer": _ok,
    b"aof-flush-sleep": _ok,
}


def _subcommand_error(argv: list[bytes]) -> CommandError:
    return CommandError(errors.SUBCOMMAND_ARGS.format(argv[1].decode(errors="replace"), "DEBUG"))


@command(
    "debug",
    -2,
    "admin noscript loading stale",
    group="server",
    since="1.0.0",
    summary="A container for debugging commands",
    acl="@admin @slow @dangerous",
    complexity="Depends on subcommand.",
)
def debug(c: Client, argv: list[bytes]) -> object:
    if not c.server.config["enable-debug-command"]:
        raise CommandError(errors.DEBUG_NOT_ALLOWED)
    handler = SUBCOMMANDS.get(argv[1].lower())
    if handler is None:
        raise _subcommand_error(argv)
    return handler(c, argv)


DEBUG_HELP: Final = (
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
    "HELP",
    "    Prints this help.",
)
