"""The acceptance path, through HTTP on SQLite and PostgreSQL with real node processes: sign up,
create a tenant and a node, see it listed and counted, run commands, connect with a Redis client,
resize, stop, start, rotate the password, delete; health, readiness and /metrics."""

from __future__ import annotations

import time

import pytest
import redis

from miniredis_api.core.config import parse_memory
from tests.api.conftest import Api

pytestmark = pytest.mark.kubernetes_too


def wait_for(predicate, timeout: float = 10.0, every: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def test_health_and_ready(api: Api) -> None:
    assert api.client.get("/api/health").json() == {"message": "ok"}
    assert api.client.get("/api/health/ready").status_code == 200


def test_node_lifecycle(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    memory = api.mem("16mb")
    node = api.node(owner, tid, name="cache", memory=memory, eviction_policy="allkeys-lru")
    assert node["phase"] == "Running", node
    assert node["memory"] == parse_memory(memory) and node["eviction_policy"] == "allkeys-lru"
    assert node["endpoint"]["port"] and node["created_at"] and node["updated_at"]
    nid = node["id"]

    listed = api.client.get(f"/api/tenants/{tid}/nodes", headers=owner).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == nid

    reply = api.exec(owner, tid, nid, 'SET greeting "hello world"').json()
    assert reply["reply"] == {"type": "simple", "value": "OK", "base64": False, "items": None, "pairs": None}
    got = api.exec(owner, tid, nid, "GET greeting").json()
    assert got["reply"]["type"] == "string" and got["reply"]["value"] == "hello world"
    assert got["elapsed_ms"] >= 0 and got["truncated"] is False
    api.client.post(f"/api/tenants/{tid}/nodes/{nid}/exec", json={"args": ["RPUSH", "l", "a", "b"]}, headers=owner)
    array = api.exec(owner, tid, nid, "LRANGE l 0 -1").json()["reply"]
    assert array["type"] == "array" and [i["value"] for i in array["items"]] == ["a", "b"]
    assert api.exec(owner, tid, nid, "INCR l").json()["reply"]["type"] == "error"
    assert api.exec(owner, tid, nid, "GET missing").json()["reply"]["type"] == "nil"

    password = api.client.get(f"/api/tenants/{tid}/nodes/{nid}/password", headers=owner).json()["password"]
    client = redis.Redis(*api.reach(node["endpoint"]), password=password)
    assert client.get("greeting") == b"hello world"
    client.close()

    overview = api.client.get("/api/monitoring/overview", headers=owner).json()
    assert overview["totals"]["nodes"] == 1 and overview["totals"]["by_phase"] == {"Running": 1}
    assert overview["tenants"][0]["tenant_id"] == tid and overview["capacity"]["ports_free"] >= 1

    stopped = api.client.post(f"/api/tenants/{tid}/nodes/{nid}/stop", headers=owner).json()
    assert stopped["phase"] == "Stopped" and stopped["running"] is False and stopped["endpoint"] is None
    assert stopped["data_kept_when_stopped"] is False
    assert api.exec(owner, tid, nid, "PING").status_code == 409
    started = api.client.post(f"/api/tenants/{tid}/nodes/{nid}/start", headers=owner).json()
    assert started["phase"] == "Running"
    assert api.exec(owner, tid, nid, "GET greeting").json()["reply"]["type"] == "nil"  # in-memory data is gone

    rotated = api.client.post(f"/api/tenants/{tid}/nodes/{nid}/password", headers=owner).json()["password"]
    assert rotated != password
    assert api.exec(owner, tid, nid, "PING").json()["reply"]["value"] == "PONG"

    assert api.client.delete(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).status_code == 204
    assert api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).status_code == 404
    assert api.client.get(f"/api/tenants/{tid}/nodes", headers=owner).json() == {"items": [], "total": 0}


def test_metrics_sampled(api: Api) -> None:
    owner = api.signup()
    tid = api.tenant(owner)
    nid = api.node(owner, tid)["id"]
    api.exec(owner, tid, nid, "SET a 1")
    # (on kubernetes the sample is the operator's, written into status at its own pace: wait for the SET)
    sample = wait_for(
        lambda: (
            (m := api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=owner).json()["metrics"])
            and m["keys"] == 1
            and m
        )
    )
    assert sample, "no sample within 10 s (does the node implement INFO?)"
    assert sample["keys"] == 1 and sample["maxmemory"] == api.maxmemory_of(parse_memory(api.mem("8mb")))
    history = api.client.get(f"/api/tenants/{tid}/nodes/{nid}/metrics", headers=owner).json()
    assert history["latest"] is not None and len(history["history"]) >= 1
    text = api.client.get("/metrics").text
    assert 'miniredis_nodes{phase="Running"}' in text and "miniredis_api_requests_total" in text
    assert f'node_id="{nid}"' in text
    api.client.delete(f"/api/tenants/{tid}/nodes/{nid}", headers=owner)
