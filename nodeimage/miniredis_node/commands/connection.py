"""Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH and the CLIENT family.

Everything here acts on the calling connection (`Client`) or, for CLIENT LIST/KILL/PAUSE/UNBLOCK,
on the server's table of connections. Authentication follows Redis 7.0 with only the `default`
user: `requirepass` is its password, and without one the user is "nopass" (any password works
through HELLO/AUTH with a username, `AUTH <password>` alone is refused).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterable

from miniredis_node import REDIS_VERSION, errors
from miniredis_node.args import to_int
from miniredis_node.client import Client
from miniredis_node.dispatch import NO_REPLY
from miniredis_node.errors import CommandError
from miniredis_node.protocol import OK, ErrorReply, MapReply, PushReply, SimpleString, Verbatim
from miniredis_node.table import command, container

PONG = SimpleString("PONG")
RESET = SimpleString("RESET")

# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------


def valid_client_name(name: bytes) -> bool:
    """Redis accepts printable ASCII without spaces ('!' to '~') in client names."""
    return all(33 <= byte <= 126 for byte in name)


def password_ok(c: Client, username: bytes, password: bytes) -> bool:
    """ACLAuthenticateUser with only the default user: nopass unless requirepass is set."""
    if username != b"default":
        return False
    required: str = c.server.config["requirepass"]
    if not required:
        return True
    return hmac.compare_digest(password, required.encode())


def set_authenticated(c: Client, value: bool) -> None:
    c.authenticated = value
    # The parser caps argument sizes for unauthenticated clients (processMultibulkBuffer).
    c.parser.authenticated = value


def client_type(c: Client) -> str:
    """getClientType: "pubsub" for subscribed clients, "normal" otherwise (no replicas here)."""
    return "pubsub" if c.subscribed else "normal"


# CLIENT LIST/KILL TYPE names -> our client type; replicas and masters never exist here.
CLIENT_TYPES = {
    b"normal": "normal",
    b"pubsub": "pubsub",
    b"master": "master",
    b"replica": "replica",
    b"slave": "replica",
}


def parse_client_type(raw: bytes) -> str:
    kind = CLIENT_TYPES.get(raw.lower())
    if kind is None:
        raise CommandError(errors.UNKNOWN_CLIENT_TYPE.format(raw.decode(errors="replace")))
    return kind


def client_line(c: Client) -> str:
    return c.info_line() + "\n"


def help_reply(lines: Iterable[str]) -> list[SimpleString]:
    return [SimpleString(line) for line in lines]


# ---------------------------------------------------------------------------------------------
# PING, ECHO, SELECT, QUIT, RESET
# ---------------------------------------------------------------------------------------------


@command("ping", -1, "fast", group="connection", summary="Ping the server", syntax="[message]", complexity="O(1)")
def ping(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 2:
        raise CommandError(errors.WRONG_ARGS.format("ping"))
    if c.resp == 2 and (c.channels or c.patterns):
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    return argv[1] if len(argv) == 2 else PONG


@command(
    "echo",
    2,
    "loading stale fast",
    group="connection",
    summary="Echo the given string",
    syntax="message",
    complexity="O(1)",
)
def echo(c: Client, argv: list[bytes]) -> object:
    return argv[1]


@command(
    "select",
    2,
    "loading stale fast",
    group="connection",
    since="1.0.0",
    summary="Change the selected database for the current connection",
    syntax="index",
    complexity="O(1)",
)
def select(c: Client, argv: list[bytes]) -> object:
    index = to_int(argv[1])
    if index is None:
        raise CommandError(errors.NOT_INTEGER)
    if not 0 <= index < len(c.keyspace.dbs):
        raise CommandError(errors.DB_INDEX_OUT_OF_RANGE)
    c.select(index)
    return OK


@command(
    "quit",
    -1,
    "noscript loading stale fast no_auth allow_busy",
    group="connection",
    summary="Close the connection",
    complexity="O(1)",
)
def quit_(c: Client, argv: list[bytes]) -> object:
    c.close_after_reply = True
    return OK


@command(
    "reset",
    1,
    "noscript loading stale fast no_auth allow_busy",
    group="connection",
    since="6.2.0",
    summary="Reset the connection",
    complexity="O(1)",
)
def reset(c: Client, argv: list[bytes]) -> object:
    """clearClientConnectionState: as if the client had just connected (the id stays)."""
    from miniredis_node.commands.pubsub import drop_all_subscriptions
    from miniredis_node.commands.transactions import discard_transaction

    server = c.server
    if c.monitor:
        c.monitor = False
        if c in server.monitors:
            server.monitors.remove(c)
    c.select(0)
    c.resp = 2
    set_authenticated(c, not server.config["requirepass"])
    discard_transaction(c)
    drop_all_subscriptions(c)
    c.name = b""
    c.reply_mode = "on"
    return RESET


# ---------------------------------------------------------------------------------------------
# HELLO, AUTH
# ---------------------------------------------------------------------------------------------


def hello_map(c: Client) -> MapReply:
    return MapReply(
        {
            b"server": b"redis",
            b"version": REDIS_VERSION.encode(),
            b"proto": c.resp,
            b"id": c.id,
            b"mode": b"standalone",
            b"role": b"master",
            b"modules": [],
        }
    )


@command(
    "hello",
    -1,
    "noscript loading stale fast no_auth allow_busy",
    group="connection",
    since="6.0.0",
    summary="Handshake with Redis",
    complexity="O(1)",
    syntax="[protover [AUTH username password] [SETNAME clientname]]",
)
def hello(c: Client, argv: list[bytes]) -> object:
    version = 0
    if len(argv) >= 2:
        parsed = to_int(argv[1])
        if parsed is None:
            raise CommandError(errors.HELLO_PROTO_NOT_INTEGER)
        if parsed not in (2, 3):
            raise CommandError(errors.NOPROTO)
        version = parsed
    credentials: tuple[bytes, bytes] | None = None
    name: bytes | None = None
    i = 2
    while i < len(argv):
        option = argv[i].lower()
        more = len(argv) - 1 - i
        if option == b"auth" and more >= 2:
            credentials = (argv[i + 1], argv[i + 2])
            i += 3
        elif option == b"setname" and more >= 1:
            name = argv[i + 1]
            i += 2
        else:
            raise CommandError(errors.HELLO_SYNTAX.format(argv[i].decode(errors="replace")))
    if not c.authenticated and credentials is None:
        raise CommandError(errors.HELLO_NOAUTH)
    if credentials is not None:
        if not password_ok(c, *credentials):
            raise CommandError(errors.WRONGPASS)
        set_authenticated(c, True)
    if name is not None:
        if not valid_client_name(name):
            raise CommandError(errors.CLIENT_NAME_INVALID)
        c.name = name
    if version:
        c.resp = version
    return hello_map(c)


@command(
    "auth",
    -2,
    "noscript loading stale fast no_auth allow_busy",
    group="connection",
    since="1.0.0",
    summary="Authenticate to the server",
    complexity="O(N) where N is the number of passwords defined for the user",
    syntax="[username] password",
)
def auth(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 2:
        if not c.server.config["requirepass"]:
            raise CommandError(errors.AUTH_NOT_CONFIGURED)
        username, password = b"default", argv[1]
    else:
        username, password = argv[1], argv[2]
    if not password_ok(c, username, password):
        raise CommandError(errors.WRONGPASS)
    set_authenticated(c, True)
    return OK


# ---------------------------------------------------------------------------------------------
# CLIENT
# ---------------------------------------------------------------------------------------------

container("client", group="connection", since="2.4.0", summary="A container for client connection commands")

CLIENT_HELP = (
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
)

_CLIENT_FLAGS = "noscript loading stale"
_CLIENT_ADMIN = "admin noscript loading stale"


@command(
    "client|help",
    2,
    "loading stale",
    group="connection",
    since="5.0.0",
    summary="Show helpful text about the different subcommands",
    complexity="O(1)",
)
def client_help(c: Client, argv: list[bytes]) -> object:
    return help_reply(CLIENT_HELP)


@command(
    "client|id",
    2,
    _CLIENT_FLAGS,
    group="connection",
    since="5.0.0",
    summary="Returns the client ID for the current connection",
    complexity="O(1)",
)
def client_id(c: Client, argv: list[bytes]) -> object:
    return c.id


@command(
    "client|getname",
    2,
    _CLIENT_FLAGS,
    group="connection",
    since="2.6.9",
    summary="Get the current connection name",
    complexity="O(1)",
)
def client_getname(c: Client, argv: list[bytes]) -> object:
    return c.name or None


@command(
    "client|setname",
    3,
    _CLIENT_FLAGS,
    group="connection",
    since="2.6.9",
    summary="Set the current connection name",
    complexity="O(1)",
    syntax="connection-name",
)
def client_setname(c: Client, argv: list[bytes]) -> object:
    if not valid_client_name(argv[2]):
        raise CommandError(errors.CLIENT_NAME_INVALID)
    c.name = argv[2]
    return OK


@command(
    "client|info",
    2,
    _CLIENT_FLAGS,
    group="connection",
    since="6.2.0",
    summary="Returns information about the current client connection.",
    complexity="O(1)",
)
def client_info(c: Client, argv: list[bytes]) -> object:
    c.last_command = "client|info"
    return Verbatim(client_line(c).encode())


@command(
    "client|list",
    -2,
    _CLIENT_ADMIN,
    group="connection",
    since="2.4.0",
    summary="Get the list of client connections",
    complexity="O(N) where N is the number of client connections",
    syntax="[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]",
)
def client_list(c: Client, argv: list[bytes]) -> object:
    c.last_command = "client|list"
    clients = c.server.clients
    chosen: list[Client]
    if len(argv) == 4 and argv[2].lower() == b"type":
        kind = parse_client_type(argv[3])
        chosen = [other for other in clients.values() if client_type(other) == kind and not other.closing]
    elif len(argv) > 3 and argv[2].lower() == b"id":
        ids = []
        for raw in argv[3:]:
            ident = to_int(raw)
            if ident is None:
                raise CommandError(errors.INVALID_CLIENT_ID)
            ids.append(ident)
        chosen = [clients[ident] for ident in ids if ident in clients]
    elif len(argv) != 2:
        raise CommandError(errors.SYNTAX)
    else:
        chosen = [other for other in clients.values() if not other.closing]
    return Verbatim("".join(client_line(other) for other in chosen).encode())


def _kill_filter(argv: list[bytes]) -> tuple[Callable[[Client], bool], bool]:
    """The new form's filters (every given one must match) as one predicate, and SKIPME."""
    wanted: dict[str, object] = {}
    skipme = True
    i = 2
    while i < len(argv):
        if i + 1 >= len(argv):
            raise CommandError(errors.SYNTAX)
        option, value = argv[i].lower(), argv[i + 1]
        if option == b"id":
            ident = to_int(value)
            if ident is None or ident <= 0:
                raise CommandError(errors.CLIENT_ID_POSITIVE)
            wanted["id"] = ident
        elif option == b"type":
            wanted["type"] = parse_client_type(value)
        elif option == b"addr":
            wanted["addr"] = value.decode(errors="replace")
        elif option == b"laddr":
            wanted["laddr"] = value.decode(errors="replace")
        elif option == b"user":
            if value != b"default":
                raise CommandError(errors.NO_SUCH_USER.format(value.decode(errors="replace")))
        elif option == b"skipme":
            lowered = value.lower()
            if lowered not in (b"yes", b"no"):
                raise CommandError(errors.SYNTAX)
            skipme = lowered == b"yes"
        else:
            raise CommandError(errors.SYNTAX)
        i += 2

    def matches(other: Client) -> bool:
        found = {"id": other.id, "type": client_type(other), "addr": other.addr, "laddr": other.laddr}
        return all(found[name] == value for name, value in wanted.items())

    return matches, skipme


def _kill(c: Client, victim: Client) -> None:
    if victim is c:
        c.close_after_reply = True  # the reply is written first, as Redis does
    else:
        victim.kill()


@command(
    "client|kill",
    -3,
    _CLIENT_ADMIN,
    group="connection",
    since="2.4.0",
    summary="Kill the connection of a client",
    complexity="O(N) where N is the number of client connections",
    syntax="ip:port | [ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] "
    "[ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO]",
)
def client_kill(c: Client, argv: list[bytes]) -> object:
    clients = list(c.server.clients.values())
    if len(argv) == 3:
        addr = argv[2].decode(errors="replace")
        for other in clients:
            if other.addr == addr and not other.closing:
                _kill(c, other)
                return OK
        raise CommandError(errors.NO_SUCH_CLIENT)
    matches, skipme = _kill_filter(argv)
    killed = 0
    for other in clients:
        if other.closing or (other is c and skipme) or not matches(other):
            continue
        _kill(c, other)
        killed += 1
    return killed


@command(
    "client|pause",
    -3,
    _CLIENT_ADMIN,
    group="connection",
    since="2.9.50",
    summary="Stop processing commands from clients for some time",
    complexity="O(1)",
    syntax="timeout [WRITE|ALL]",
)
def client_pause(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 4:
        raise CommandError(errors.SUBCOMMAND_ARGS.format(argv[1].decode(errors="replace"), "CLIENT"))
    timeout_ms = to_int(argv[2])
    if timeout_ms is None:
        raise CommandError(errors.TIMEOUT_NOT_INTEGER)
    if timeout_ms < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    mode = "all"
    if len(argv) == 4:
        word = argv[3].lower()
        if word not in (b"write", b"all"):
            raise CommandError(errors.CLIENT_PAUSE_MODE)
        mode = word.decode()
    server = c.server
    # A pause already in effect keeps its later end and its stricter mode (pauseClients).
    server.pause_until = max(server.pause_until, time.monotonic() + timeout_ms / 1000)
    if server.pause_mode != "all":
        server.pause_mode = mode
    return OK


@command(
    "client|unpause",
    2,
    _CLIENT_ADMIN,
    group="connection",
    since="6.2.0",
    summary="Resume processing of clients that were paused",
    complexity="O(N) Where N is the number of paused clients",
)
def client_unpause(c: Client, argv: list[bytes]) -> object:
    c.server.unpause()
    return OK


@command(
    "client|no-evict",
    3,
    _CLIENT_ADMIN,
    group="connection",
    since="7.0.0",
    summary="Set client eviction mode for the current connection",
    complexity="O(1)",
    syntax="ON|OFF",
)
def client_no_evict(c: Client, argv: list[bytes]) -> object:
    word = argv[2].lower()
    if word not in (b"on", b"off"):
        raise CommandError(errors.SYNTAX)
    c.no_evict = word == b"on"
    return OK


@command(
    "client|reply",
    3,
    _CLIENT_FLAGS,
    group="connection",
    since="3.2.0",
    summary="Instruct the server whether to reply to commands",
    complexity="O(1)",
    syntax="ON|OFF|SKIP",
)
def client_reply(c: Client, argv: list[bytes]) -> object:
    word = argv[2].lower()
    if word == b"on":
        c.reply_mode = "on"
        return OK
    if word == b"off":
        c.reply_mode = "off"
        return NO_REPLY
    if word == b"skip":
        # The dispatcher drops the next reply while the mode is "skip", then turns it back on.
        if c.reply_mode != "off":
            c.reply_mode = "skip"
        return NO_REPLY
    raise CommandError(errors.SYNTAX)


@command(
    "client|unblock",
    -3,
    _CLIENT_ADMIN,
    group="connection",
    since="5.0.0",
    summary="Unblock a client blocked in a blocking command from a different connection",
    complexity="O(log N) where N is the number of client connections",
    syntax="client-id [TIMEOUT|ERROR]",
)
def client_unblock(c: Client, argv: list[bytes]) -> object:
    if len(argv) > 4:
        raise CommandError(errors.SUBCOMMAND_ARGS.format(argv[1].decode(errors="replace"), "CLIENT"))
    as_error = False
    if len(argv) == 4:
        word = argv[3].lower()
        if word not in (b"timeout", b"error"):
            raise CommandError(errors.UNBLOCK_REASON)
        as_error = word == b"error"
    ident = to_int(argv[2])
    if ident is None:
        raise CommandError(errors.NOT_INTEGER)
    target = c.server.clients.get(ident)
    if target is None or target.blocked is None:
        return 0
    reply = ErrorReply(errors.UNBLOCKED) if as_error else target.blocked.timeout_reply
    c.server.unblock(target, reply)
    return 1


__all__ = ["PushReply"]
