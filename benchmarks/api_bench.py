"""`make bench-api`: the control plane on the local runtime, measured (prints, never asserts).

1. node create -> first PONG through the API (target p50 <= 300 ms);
2. exec through the API vs redis-py straight to the node (target <= 2 ms added at p50);
3. listing a tenant's nodes with 1,000 nodes stored (target p50 <= 20 ms);
4. one sampling cycle over BENCH_SAMPLE_NODES running nodes (default 200; target <= 1 s).

Everything runs on a temporary SQLite database and a private port range; every node process is
stopped at the end.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import redis
import uvicorn

from miniredis_api.core.config import Settings
from miniredis_api.core.db import Database
from miniredis_api.core.migrate import upgrade
from miniredis_api.core.security import SecretBox
from miniredis_api.main import create_app
from miniredis_api.models import Node

SAMPLE_NODES = int(os.environ.get("BENCH_SAMPLE_NODES", "200"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def p50(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="miniredis-bench-api-"))
    settings = Settings(
        environment="development",
        var_dir=tmp,
        database_url=f"sqlite:///{tmp / 'bench.db'}",
        redis_port_start=31000,
        redis_port_end=31000 + SAMPLE_NODES + 50,
        sample_interval_seconds=3600,
        max_nodes_per_tenant=5000,
        max_memory_per_tenant="1000gb",
        dashboard_dir=tmp / "none",
    )
    upgrade(settings.sqlalchemy_url, secret_key=settings.secret_key)
    app = create_app(settings, stop_nodes_on_shutdown=True)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        client.post("/api/auth/signup", json={"email": "bench@example.com", "password": "bench-password"})
        token = client.post("/api/auth/login", json={"email": "bench@example.com", "password": "bench-password"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        tid = client.post("/api/tenants", json={"name": "bench"}, headers=headers).json()["id"]

        # 1. create -> first PONG
        times = []
        for i in range(10):
            started = time.perf_counter()
            node = client.post(
                f"/api/tenants/{tid}/nodes", json={"name": f"c{i}", "memory": "8mb"}, headers=headers
            ).json()
            password = client.get(f"/api/tenants/{tid}/nodes/{node['id']}/password", headers=headers).json()["password"]
            direct = redis.Redis(port=node["endpoint"]["port"], password=password)
            while True:
                try:
                    if direct.ping():
                        break
                except redis.ConnectionError:
                    time.sleep(0.005)
            times.append(time.perf_counter() - started)
            direct.close()
            if i < 9:
                client.delete(f"/api/tenants/{tid}/nodes/{node['id']}", headers=headers)
        print(f"create -> first PONG      p50 {p50(times):7.1f} ms   (target <= 300 ms)")

        # 2. exec overhead
        direct = redis.Redis(port=node["endpoint"]["port"], password=password)
        url = f"/api/tenants/{tid}/nodes/{node['id']}/exec"
        api_times, direct_times = [], []
        for i in range(300):
            started = time.perf_counter()
            client.post(url, json={"args": ["SET", "k", str(i)]}, headers=headers)
            api_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            direct.set("k", str(i))
            direct_times.append(time.perf_counter() - started)
        print(
            f"exec via API              p50 {p50(api_times):7.2f} ms   redis-py direct p50 {p50(direct_times):.2f} ms"
            f"   added {p50(api_times) - p50(direct_times):.2f} ms (target <= 2 ms)"
        )
        direct.close()

        # 3. listing with 1,000 nodes stored
        async def store() -> None:
            db = Database(settings.sqlalchemy_url)
            async with db.sessions() as session:
                session.add_all(
                    Node(
                        tenant_id=tid,
                        name=f"s{uuid.uuid4().hex[:12]}",
                        memory=1 << 20,
                        running=False,
                        password_encrypted=SecretBox(settings.secret_key).encrypt("x"),
                        phase="Stopped",
                    )
                    for _ in range(1000)
                )
                await session.commit()
            await db.dispose()

        asyncio.run(store())
        times = []
        for _ in range(50):
            started = time.perf_counter()
            page = client.get(f"/api/tenants/{tid}/nodes", headers=headers)
            times.append(time.perf_counter() - started)
        print(
            f"list nodes (1,000 stored) p50 {p50(times):7.1f} ms   (page of {len(page.json()['items'])}, "
            f"total {page.json()['total']}; target <= 20 ms)"
        )

        # 4. one sampling cycle over running nodes
        other = client.post("/api/tenants", json={"name": "sampled"}, headers=headers).json()["id"]
        for i in range(SAMPLE_NODES):
            client.post(f"/api/tenants/{other}/nodes", json={"name": f"m{i}", "memory": "2mb"}, headers=headers)
        nodes = app.state.services.nodes
        future = asyncio.run_coroutine_threadsafe(nodes.monitor.cycle(list(nodes.specs.values())), server_loop(server))
        answered = future.result(120)
        print(
            f"sampling cycle            {nodes.monitor.last_cycle_seconds * 1000:7.1f} ms   over {answered} running nodes"
            f" (target <= 1 s for 200)"
        )
    finally:
        client.close()
        server.should_exit = True
        thread.join(120)


def server_loop(server: uvicorn.Server) -> asyncio.AbstractEventLoop:
    """The event loop uvicorn runs on (its servers' sockets belong to it)."""
    for srv in server.servers:
        return srv.get_loop()
    raise RuntimeError("server not started")


if __name__ == "__main__":
    main()
