"""`miniredis-node`: run one node. Flags mirror redis.conf names; each also reads an environment
variable (`--maxmemory` from `MINIREDIS_MAXMEMORY`), which is how containers configure it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from miniredis_node.config import BY_NAME, Config, ConfigError

# The flags the README documents; any other setting can still be given as --name value.
FLAGS = (
    "port",
    "bind",
    "requirepass",
    "maxmemory",
    "maxmemory-policy",
    "maxmemory-samples",
    "maxclients",
    "databases",
    "proto-max-bulk-len",
    "client-query-buffer-limit",
    "timeout",
    "loglevel",
    "hz",
    "dir",
    "appendonly",
    "appendfsync",
    "save",
    "dbfilename",
    "appendfilename",
    "appenddirname",
    "aof-load-truncated",
    "enable-debug-command",
    "notify-keyspace-events",
)


def env_name(setting: str) -> str:
    return "MINIREDIS_" + setting.upper().replace("-", "_")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="miniredis-node",
        description="A Redis-compatible in-memory server (one MiniRedis node).",
        epilog="Every flag also reads MINIREDIS_<NAME> from the environment, e.g. MINIREDIS_MAXMEMORY=40mb.",
    )
    for name in FLAGS:
        setting = BY_NAME[name]
        parser.add_argument(
            f"--{name}",
            dest=name,
            metavar="VALUE",
            help=f"{setting.doc} (default: {setting.show(setting.default).decode() or chr(34) * 2})",
        )
    parser.add_argument(
        "--config-set",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        default=[],
        help="Any other setting, as CONFIG SET would take it.",
    )
    return parser


def load_config(argv: Sequence[str] | None = None) -> Config:
    """Settings from defaults, then environment variables, then flags; invalid values exit(2)."""
    args = build_parser().parse_args(argv)
    config = Config()
    given: list[tuple[str, str]] = []
    for name in FLAGS:
        if (value := os.environ.get(env_name(name))) is not None:
            given.append((name, value))
    for name in FLAGS:
        if (value := getattr(args, name)) is not None:
            given.append((name, value))
    given.extend((name, value) for name, value in args.config_set)
    for name, value in given:
        try:
            config.parse_and_set(name, value.encode())
        except (ConfigError, KeyError) as error:
            print(f"miniredis-node: invalid --{name} {value!r}: {error}", file=sys.stderr)
            raise SystemExit(2) from None
    return config


def main(argv: Sequence[str] | None = None) -> None:
    config = load_config(argv)
    level = {
        "debug": logging.DEBUG,
        "verbose": logging.INFO,
        "notice": logging.INFO,
        "warning": logging.WARNING,
        "nothing": logging.CRITICAL,
    }[config["loglevel"]]
    logging.basicConfig(level=level, format="%(process)d:M %(asctime)s %(levelname).1s %(message)s")
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency; plain asyncio still works
        runner = asyncio.run
    else:
        runner = uvloop.run
    runner(_serve(config))


async def _serve(config: Config) -> None:
    from miniredis_node import commands  # noqa: F401  (fills the command table)
    from miniredis_node.server import Server

    server = Server(config)
    if config["appendonly"]:  # the AOF wins over an RDB snapshot, as in Redis
        from miniredis_node.persistence.aof import AofLoadError, open_on_start

        try:
            open_on_start(server)
        except AofLoadError as error:
            logging.getLogger("miniredis.node").critical("%s", error)
            raise SystemExit(1) from None
    await server.start()
    server.install_signal_handlers()
    await server.serve_until_stopped()
    await server.close()
