"""The local runtime through the API: port exhaustion, a SIGKILLed node (restarted, phase right),
an API restart (nodes adopted, data intact), and taken ports skipped."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path
from typing import Any

import redis

from tests.api.conftest import Api, port_block
from tests.api.test_flow import wait_for


def _pid_of(api: Api, nid: str) -> int:
    import json

    state = json.loads((Path(api.settings.var_dir) / "local-runtime" / "state.json").read_text())
    return int(state["nodes"][nid]["pid"])


def test_port_exhaustion_is_503_and_skips_taken_ports(sqlite_api_factory: Any) -> None:
    start, end = port_block(3)
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", start))  # someone else's port inside the range
    blocker.listen()
    try:
        api = sqlite_api_factory(redis_port_start=start, redis_port_end=end)
        owner = api.signup()
        tid = api.tenant(owner)
        ports = {api.node(owner, tid, memory="2mb")["endpoint"]["port"] for _ in range(2)}
        assert ports == {start + 1, start + 2}
        full = api.client.post(f"/api/tenants/{tid}/nodes", json={"name": "three", "memory": "2mb"}, headers=owner)
        assert full.status_code == 503 and "no free port" in full.json()["detail"]
        assert api.client.get(f"/api/tenants/{tid}/nodes", headers=owner).json()["total"] == 2  # nothing half-made
        overview = api.client.get("/api/monitoring/overview", headers=owner).json()
        assert overview["capacity"] == {"ports_total": 3, "ports_used": 2, "ports_free": 1}
        # a stopped node frees its port; starting another one while full is refused cleanly
        stopped = api.client.get(f"/api/tenants/{tid}/nodes", headers=owner).json()["items"][0]
        api.client.post(f"/api/tenants/{tid}/nodes/{stopped['id']}/stop", headers=owner)
        assert api.node(owner, tid, memory="2mb")["phase"] == "Running"
        again = api.client.post(f"/api/tenants/{tid}/nodes/{stopped['id']}/start", headers=owner)
        assert again.status_code == 503
        assert api.client.get("/api/health").status_code == 200
    finally:
        blocker.close()


def test_sigkill_restarts_node_and_phase_follows(sqlite_api_factory: Any) -> None:
    api = sqlite_api_factory(restart_backoff_seconds=1.0)
    owner = api.signup()
    tid = api.tenant(owner)
    node = api.node(owner, tid, memory="2mb")
    nid = node["id"]
    pid = _pid_of(api, nid)
    os.kill(pid, signal.SIGKILL)
    failed = wait_for(
        lambda: api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).json()["phase"] != "Running",
        timeout=5,
        every=0.05,
    )
    assert failed, "a killed node was still shown as Running"
    view = api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).json()
    assert view["phase"] in ("Failed", "Starting") and "SIGKILL" in view["reason"]
    assert api.exec(owner, tid, nid, "PING").status_code == 409
    running = wait_for(
        lambda: api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).json()["phase"] == "Running",
        timeout=10,
    )
    assert running
    after = api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).json()
    assert after["restarts"] == 1 and "SIGKILL" in after["reason"] and _pid_of(api, nid) != pid
    assert api.exec(owner, tid, nid, "PING").json()["reply"]["value"] == "PONG"


def test_api_restart_adopts_nodes_with_their_data(sqlite_api_factory: Any) -> None:
    from tests.api.conftest import stop_api

    first = sqlite_api_factory(stop_nodes=False)
    owner_email = "restart-owner@example.com"
    owner = first.signup(owner_email)
    tid = first.tenant(owner)
    nodes = [first.node(owner, tid, memory="2mb") for _ in range(2)]
    stopped = first.node(owner, tid, memory="2mb", running=False)
    for node in nodes:
        first.exec(owner, tid, node["id"], f"SET survivor {node['name']}")
    pids = {node["id"]: _pid_of(first, node["id"]) for node in nodes}
    passwords = {
        node["id"]: first.client.get(f"/api/tenants/{tid}/nodes/{node['id']}/password", headers=owner).json()[
            "password"
        ]
        for node in nodes
    }
    stop_api(first)  # the API goes away; node processes stay
    for node in nodes:
        client = redis.Redis(port=node["endpoint"]["port"], password=passwords[node["id"]])
        assert client.get("survivor") == node["name"].encode()
        client.close()

    second = sqlite_api_factory(settings=first.settings)
    owner = second.login(owner_email)
    for node in nodes:
        view = second.client.get(f"/api/tenants/{tid}/nodes/{node['id']}", headers=owner).json()
        assert view["phase"] == "Running" and view["endpoint"] == node["endpoint"]
        assert _pid_of(second, node["id"]) == pids[node["id"]]  # adopted, not restarted
        assert second.exec(owner, tid, node["id"], "GET survivor").json()["reply"]["value"] == node["name"]
    assert second.client.get(f"/api/tenants/{tid}/nodes/{stopped['id']}", headers=owner).json()["phase"] == "Stopped"
    # supervision goes on for adopted processes
    victim = nodes[0]["id"]
    os.kill(pids[victim], signal.SIGKILL)
    assert wait_for(
        lambda: second.client.get(f"/api/tenants/{tid}/nodes/{victim}", headers=owner).json()["restarts"] == 1,
        timeout=10,
    )
