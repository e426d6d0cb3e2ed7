"""`miniredis`: the operator's command. `up` (migrate, then serve), `migrate`, `create-admin`,
`nodes` (list every node), `stop-nodes` (end every local node process), `openapi`, `settings`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence

from miniredis_api.core.config import INSECURE_SECRET, get_settings


def cmd_migrate(_args: argparse.Namespace) -> int:
    from miniredis_api.core.migrate import upgrade

    settings = get_settings()
    upgrade(settings.sqlalchemy_url, secret_key=settings.secret_key)
    print(f"database migrated: {_safe_url(settings.sqlalchemy_url)}")
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    import uvicorn

    from miniredis_api.main import create_app

    settings = get_settings()
    cmd_migrate(args)
    host, port = args.host or settings.gateway_host, args.port or settings.gateway_port
    if settings.secret_key == INSECURE_SECRET:
        print("warning: MINIREDIS_SECRET_KEY is the development default; set it outside development", file=sys.stderr)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"MiniRedis API on http://{shown}:{port}  (dashboard at /, OpenAPI docs at http://{shown}:{port}/docs)")
    print(f"nodes listen on {settings.node_bind}:{settings.redis_port_start}-{settings.redis_port_end}")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=args.log_level)
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from miniredis_api.core.db import Database
    from miniredis_api.core.security import hash_password
    from miniredis_api.repositories import users as user_repo

    password = args.password or getpass.getpass("password: ")
    if len(password) < 8:
        print("the password needs at least 8 characters", file=sys.stderr)
        return 2

    async def run() -> int:
        db = Database(get_settings().sqlalchemy_url)
        try:
            async with db.sessions() as session:
                user = await user_repo.get_user_by_email(session=session, email=args.email)
                if user is None:
                    await user_repo.create_user(
                        session=session, email=args.email, password_hash=hash_password(password), is_admin=True
                    )
                else:
                    user.is_admin, user.password_hash = True, hash_password(password)
                await session.commit()
        finally:
            await db.dispose()
        print(f"platform admin: {args.email}")
        return 0

    return asyncio.run(run())


def cmd_nodes(_args: argparse.Namespace) -> int:
    from miniredis_api.core.db import Database
    from miniredis_api.repositories import nodes as node_repo

    async def run() -> int:
        db = Database(get_settings().sqlalchemy_url)
        try:
            async with db.sessions() as session:
                for node in await node_repo.all_nodes(session=session):
                    print(
                        f"{node.id}  {node.tenant_id}  {node.name:<20} {node.phase:<9} "
                        f"{node.host or '-'}:{node.port or '-'}  {node.memory} bytes  {node.eviction_policy}"
                    )
        finally:
            await db.dispose()
        return 0

    return asyncio.run(run())


def cmd_stop_nodes(_args: argparse.Namespace) -> int:
    """End every local node process recorded in the state file (they restart at the next `up`)."""
    from miniredis_api.runtimes.local import LocalRuntime

    async def run() -> int:
        runtime = LocalRuntime(get_settings())
        state = runtime._read_state()
        for node_id, entry in state.items():
            if runtime._is_our_process(entry.get("pid"), entry.get("port"), node_id):
                await runtime._terminate_pid(int(entry["pid"]))
                print(f"stopped {node_id} (pid {entry['pid']})")
        return 0

    return asyncio.run(run())


def cmd_openapi(_args: argparse.Namespace) -> int:
    from miniredis_api.main import create_app

    print(json.dumps(create_app(get_settings()).openapi(), indent=2))
    return 0


def cmd_settings(_args: argparse.Namespace) -> int:
    data = get_settings().model_dump(mode="json")
    data["secret_key"] = "***" if data["secret_key"] != INSECURE_SECRET else "(development default)"
    data["database_url"] = _safe_url(get_settings().sqlalchemy_url)
    print(json.dumps(data, indent=2))
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="miniredis", description="Run and operate the MiniRedis control plane.")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="migrate the database, then serve the API (and the dashboard when built)")
    up.add_argument("--host", help="listen address (default GATEWAY_HOST, 127.0.0.1)")
    up.add_argument("--port", type=int, help="listen port (default GATEWAY_PORT, 8080)")
    up.add_argument("--log-level", default="info")
    up.set_defaults(func=cmd_up)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    admin = sub.add_parser("create-admin", help="create a platform admin (or promote an account)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", help="prompted for when omitted")
    admin.set_defaults(func=cmd_create_admin)
    sub.add_parser("nodes", help="list every node of every tenant").set_defaults(func=cmd_nodes)
    sub.add_parser("stop-nodes", help="end every local node process").set_defaults(func=cmd_stop_nodes)
    sub.add_parser("openapi", help="print the OpenAPI document").set_defaults(func=cmd_openapi)
    sub.add_parser("settings", help="print the effective settings (secrets hidden)").set_defaults(func=cmd_settings)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
