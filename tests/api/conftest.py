"""Fixtures for the API tests: a real uvicorn serving the app in a thread, a real database
(SQLite file, or a uniquely named PostgreSQL database per run, dropped at the end), real node
processes on a private port range, and small helpers to sign up and create things through HTTP."""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from miniredis_api.core.config import Settings, parse_memory
from miniredis_api.core.migrate import upgrade
from miniredis_api.main import create_app
from miniredis_api.runtimes.kubernetes import MIN_MEMORY
from miniredis_operator.quantity import maxmemory_for
from tests.api.kube import KubeEnv, kube_settings, start_kube

PG_ADMIN_URL = os.environ.get("MINIREDIS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_block(size: int) -> tuple[int, int]:
    """A random block of ports below the ephemeral range, so tests of other suites rarely collide."""
    start = random.randrange(20000, 30000 - size)
    return start, start + size - 1


def _pg_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


_created_pg: list[str] = []


def new_pg_database() -> str:
    """A uniquely named PostgreSQL database for this run; every one is dropped at the end of the session."""
    if not _pg_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    import psycopg

    name = f"miniredis_api_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _created_pg.append(name)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_databases() -> Iterator[None]:
    yield
    if not _created_pg:
        return
    import psycopg

    with psycopg.connect(_libpq(PG_ADMIN_URL), autocommit=True) as conn:
        for name in _created_pg:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Api:
    """A running API: `client` talks HTTP to it; `admin` holds the platform admin's headers."""

    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread
    url: str
    client: httpx.Client
    admin: dict[str, str] = field(default_factory=dict)
    app: Any = None
    kube: KubeEnv | None = None
    """The emulated cluster (operator, kubelet) behind an API on the kubernetes runtime."""

    def mem(self, size: str) -> str:
        """`size`, or the runtime's smallest node (64Mi on kubernetes) when that is larger."""
        return size if self.kube is None else ("64mb" if parse_memory(size) < MIN_MEMORY else size)

    def maxmemory_of(self, memory: int) -> int:
        """A node's maxmemory: its memory limit, or on kubernetes what the operator derives from it."""
        return memory if self.kube is None else maxmemory_for(memory)

    def reach(self, endpoint: dict[str, Any]) -> tuple[str, int]:
        """Where a test connects to a node's endpoint (on kubernetes: the Service's node process)."""
        if self.kube is None:
            return str(endpoint["host"]), int(endpoint["port"])
        return "127.0.0.1", self.kube.ports.get(str(endpoint["host"]).split(".")[0], 1)

    def signup(self, email: str | None = None, password: str = "correct-horse-battery") -> dict[str, str]:
        """Sign up and sign in; returns Authorization headers."""
        email = email or f"u-{uuid.uuid4().hex[:10]}@example.com"
        response = self.client.post("/api/auth/signup", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        return self.login(email, password)

    def login(self, email: str, password: str = "correct-horse-battery") -> dict[str, str]:
        response = self.client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def tenant(self, headers: dict[str, str], name: str = "team") -> str:
        response = self.client.post("/api/tenants", json={"name": name}, headers=headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def node(self, headers: dict[str, str], tid: str, name: str | None = None, **body: Any) -> dict[str, Any]:
        payload = {"name": name or f"n-{uuid.uuid4().hex[:8]}", "memory": self.mem("8mb"), **body}
        response = self.client.post(f"/api/tenants/{tid}/nodes", json=payload, headers=headers)
        assert response.status_code == 201, response.text
        node: dict[str, Any] = response.json()
        return node

    def exec(self, headers: dict[str, str], tid: str, nid: str, command: str) -> httpx.Response:
        return self.client.post(f"/api/tenants/{tid}/nodes/{nid}/exec", json={"command": command}, headers=headers)


def make_settings(tmp: Path, database_url: str, **overrides: Any) -> Settings:
    start, end = port_block(40)
    values: dict[str, Any] = dict(
        environment="test",
        secret_key=SECRET,
        database_url=database_url,
        var_dir=tmp,
        redis_port_start=start,
        redis_port_end=end,
        sample_interval_seconds=0.5,
        login_attempts_per_minute=1000,
        dashboard_dir=tmp / "no-dashboard",
        restart_backoff_seconds=0.2,
    )
    values.update(overrides)
    return Settings(**values)


def start_api(settings: Settings, *, stop_nodes: bool = True, kube: KubeEnv | None = None) -> Api:
    upgrade(settings.sqlalchemy_url, secret_key=settings.secret_key)
    app = create_app(settings, stop_nodes_on_shutdown=stop_nodes)
    if kube is not None:
        kube.attach(app.state.services.nodes.runtime)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API did not start")
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=url, timeout=60)
    return Api(settings=settings, server=server, thread=thread, url=url, app=app, client=client, kube=kube)


def stop_api(api: Api) -> None:
    api.client.close()
    api.server.should_exit = True
    api.thread.join(30)


def with_admin(api: Api) -> Api:
    """Make sure the platform admin (the first account) exists and is signed in."""
    email = "admin@example.com"
    if api.client.post("/api/auth/signup", json={"email": email, "password": "admin-password-1"}).status_code == 201:
        pass
    api.admin = api.login(email, "admin-password-1")
    return api


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "kubernetes_too: also run the module's `api` tests on the kubernetes runtime (emulated cluster)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "api" in metafunc.fixturenames:
        backends = ["sqlite", "postgres"]
        if metafunc.definition.get_closest_marker("kubernetes_too") is not None:
            backends.append("kubernetes")
        metafunc.parametrize("api", backends, indirect=True, scope="module")


@pytest.fixture(scope="module")
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The API on SQLite and on PostgreSQL with the local runtime (one database per module and backend),
    and for modules marked `kubernetes_too` on SQLite with the kubernetes runtime against an emulated
    cluster running the real operator."""
    tmp = tmp_path_factory.mktemp(f"api-{request.param}")
    if request.param == "postgres":
        url = new_pg_database()
    else:
        url = f"sqlite:///{tmp / 'api.db'}"
    kube = start_kube() if request.param == "kubernetes" else None
    try:
        overrides = kube_settings(kube) if kube is not None else {}
        running = with_admin(start_api(make_settings(tmp, url, **overrides), kube=kube))
        yield running
        stop_api(running)
    finally:
        if kube is not None:
            kube.close()


@pytest.fixture
def sqlite_api_factory(tmp_path: Path) -> Iterator[Any]:
    """Start (and later stop) APIs on a private SQLite database, with settings overrides."""
    started: list[Api] = []

    def factory(*, stop_nodes: bool = True, settings: Settings | None = None, **overrides: Any) -> Api:
        settings = settings or make_settings(tmp_path, f"sqlite:///{tmp_path / 'api.db'}", **overrides)
        running = start_api(settings, stop_nodes=stop_nodes)
        if settings.auth == "builtin":
            with_admin(running)
        started.append(running)
        return running

    yield factory
    for running in started:
        if running.thread.is_alive():
            stop_api(running)
