"""The API on the kubernetes runtime, against kmock's Kubernetes emulator with the real operator running
in a thread and real node processes behind the pods (tests/api/kube.py).

Pure parts first (names, manifests, status -> state), then the contract through HTTP: what the API
writes into the cluster on create, start, stop, resize, password rotation and delete, and that phase,
endpoint and metrics shown by the API are the ones the operator wrote into the resource's status.
"""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
import kubernetes_validate
import pytest
import redis

from miniredis_api.core.config import Settings
from miniredis_api.runtimes.base import Endpoint, NodeSpec
from miniredis_api.runtimes.kubernetes import (
    LABEL_MANAGED_BY,
    LABEL_NODE_ID,
    LABEL_NODE_NAME,
    LABEL_TENANT,
    KubernetesRuntime,
    address_template,
    node_manifest,
    observe,
    quantity,
    resource_name,
    sample_of,
    secret_manifest,
    secret_name,
    spec_changes,
)
from miniredis_api.schemas.node import Phase
from miniredis_operator import naming
from miniredis_operator.quantity import maxmemory_for
from tests.api.conftest import SECRET, Api, make_settings, start_api, stop_api, with_admin
from tests.api.kube import KubeEnv, kube_settings, start_kube
from tests.operator.emulator import MRN, SECRETS, STATEFULSETS
from tests.operator.test_chart import K8S_VERSION, json_schema, schema

T = TypeVar("T")
SPEC = NodeSpec(
    id="6f1c2a52-9d1e-4c1b-8f0e-3f5d3c2b1a00",
    tenant_id="0b7d3f1e-2222-4c1b-8f0e-3f5d3c2b1a00",
    name="cache",
    memory=128 * 1024 * 1024,
    eviction_policy="allkeys-lru",
    password="pw-123",
)


def wait(what: Callable[[], T | None], timeout: float = 20, message: str = "") -> T:
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = what()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message or what}: last {last!r}")


# -- pure ------------------------------------------------------------------------------------------------


def settings(**overrides: Any) -> Settings:
    return Settings(environment="test", secret_key=SECRET, runtime="kubernetes", **overrides)


def test_names_and_quantities() -> None:
    assert resource_name(SPEC.id) == f"mrn-{SPEC.id}" and len(resource_name(SPEC.id)) <= 52
    assert secret_name(SPEC.id).startswith(resource_name(SPEC.id))
    assert [quantity(n) for n in (64 * 1024**2, 3 * 1024**3, 1536 * 1024, 1000)] == ["64Mi", "3Gi", "1536Ki", "1000"]


def test_manifests_are_valid_and_match_the_crd_schema() -> None:
    body = node_manifest(SPEC, running=True, namespace="team", settings=settings(kubernetes_node_image="r/node:1"))
    jsonschema.Draft7Validator(json_schema(schema())).validate(body)
    assert body["metadata"]["name"] == resource_name(SPEC.id) and body["metadata"]["namespace"] == "team"
    assert body["metadata"]["labels"] == {
        LABEL_MANAGED_BY: "miniredis-api",
        LABEL_TENANT: SPEC.tenant_id,
        LABEL_NODE_ID: SPEC.id,
        LABEL_NODE_NAME: "cache",
    }
    assert body["spec"] == {
        "tenant": SPEC.tenant_id,
        "memory": "128Mi",
        "evictionPolicy": "allkeys-lru",
        "running": True,
        "passwordSecretRef": {"name": secret_name(SPEC.id), "key": "password"},
        "service": {"type": "ClusterIP"},
        "image": "r/node:1",
    }
    secret = secret_manifest(SPEC, namespace="team")
    kubernetes_validate.validate(secret, K8S_VERSION, strict=True)
    assert base64.b64decode(secret["data"]["password"]) == b"pw-123"
    assert spec_changes(body, {"running": True, "memory": "256Mi"}) == {"memory": "256Mi"}


def test_persistence_is_written_to_the_spec() -> None:
    aof = dataclasses.replace(SPEC, persistence="aof")
    body = node_manifest(aof, running=True, namespace="team", settings=settings(kubernetes_storage_class="fast"))
    jsonschema.Draft7Validator(json_schema(schema())).validate(body)
    assert body["spec"]["persistence"] == {"mode": "aof", "size": "1Gi", "storageClassName": "fast"}
    big = dataclasses.replace(SPEC, persistence="rdb", memory=512 * 1024**2)
    assert node_manifest(big, running=True, namespace="team", settings=settings())["spec"]["persistence"] == {
        "mode": "rdb",
        "size": "2Gi",
    }
    assert "persistence" not in node_manifest(SPEC, running=True, namespace="team", settings=settings())["spec"]


def _body(phase: str | None, *, running: bool = True, generation: int = 1, observed: int = 1, **status: Any) -> dict:  # type: ignore[type-arg]
    body: dict[str, Any] = {"metadata": {"generation": generation}, "spec": {"running": running}}
    if phase is not None:
        body["status"] = {"phase": phase, "observedGeneration": observed, **status}
    return body


ENDPOINT = {"host": "n.default.svc.cluster.local", "port": 6379}


@pytest.mark.parametrize(
    ("body", "phase"),
    [
        (_body(None), Phase.pending),
        (_body(None, running=False), Phase.stopped),
        (_body("Running"), Phase.running),
        # the operator has not seen the latest spec yet: show where the change leads
        (_body("Stopped", generation=2), Phase.starting),
        (_body("Failed", generation=2), Phase.starting),
        (_body("Running", running=False, generation=2), Phase.stopping),
        (_body("Running", generation=2), Phase.running),  # e.g. a resize in flight
        (_body("Stopped", running=False, generation=2), Phase.stopped),
        ({**_body("Running"), "metadata": {"generation": 1, "deletionTimestamp": "now"}}, Phase.deleting),
    ],
)
def test_phase_from_status(body: dict[str, Any], phase: Phase) -> None:
    assert observe(body).phase == phase


def test_endpoint_and_reason_from_status() -> None:
    running = observe(_body("Running", endpoint=ENDPOINT))
    assert running.endpoint == Endpoint(host="n.default.svc.cluster.local", port=6379) and running.reason is None
    assert observe(_body("Stopped", running=False, endpoint=ENDPOINT)).endpoint is None
    failed = observe(
        _body(
            "Failed",
            conditions=[
                {"type": "Ready", "status": "False", "reason": "PodNotReady", "message": "not ready"},
                {"type": "Degraded", "status": "True", "reason": "ImagePullBackOff", "message": "check spec.image"},
            ],
        )
    )
    assert failed.phase == Phase.failed and failed.reason == "ImagePullBackOff: check spec.image"
    probe = observe(
        _body("Running", conditions=[{"type": "Degraded", "status": "True", "reason": "ProbeFailed", "message": "x"}])
    )
    assert probe.phase == Phase.running and probe.reason == "ProbeFailed: x"


def test_sample_from_status() -> None:
    assert sample_of({}) is None
    sample = sample_of(
        {
            "usedMemoryBytes": 1000,
            "maxmemoryBytes": 25165824,
            "keys": 3,
            "connectedClients": 2,
            "opsPerSec": 7,
            "evictedKeys": 1,
            "expiredKeys": 4,
            "uptimeSeconds": 60,
            "sampledAt": "2025-01-02T03:04:05Z",
        }
    )
    assert sample is not None
    assert (sample.used_memory, sample.maxmemory, sample.keys, sample.connected_clients) == (1000, 25165824, 3, 2)
    assert (sample.ops_per_sec, sample.evicted_keys, sample.expired_keys, sample.uptime_seconds) == (7.0, 1, 4, 60)
    assert sample.sampled_at.isoformat() == "2025-01-02T03:04:05+00:00"


def test_exec_address_template() -> None:
    endpoint = Endpoint(host="mrn-x.team.svc.cluster.local", port=6379)
    assert address_template("")("mrn-x", "team", endpoint) == endpoint
    assert address_template("127.0.0.1:{port}")("mrn-x", "team", endpoint) == Endpoint("127.0.0.1", 6379)
    assert address_template("{name}.{namespace}:7000")("mrn-x", "team", endpoint) == Endpoint("mrn-x.team", 7000)


def test_failures_and_restarts_seen_in_status_are_events() -> None:
    runtime = KubernetesRuntime(settings(kubernetes_api_url="http://127.0.0.1:9"))
    events: list[tuple[str, str, str, str]] = []
    runtime.on_event(lambda *event: events.append(event))
    runtime.specs[SPEC.id] = SPEC
    version = iter(range(1, 100))

    def seen(phase: str, **status: Any) -> None:
        body = node_manifest(SPEC, running=True, namespace="team", settings=settings())
        body["metadata"].update(generation=1, resourceVersion=str(next(version)))
        body["status"] = {"phase": phase, "observedGeneration": 1, "endpoint": ENDPOINT, **status}
        runtime._store(body)

    degraded = {"type": "Degraded", "status": "True", "reason": "CrashLoop", "message": "the pod keeps crashing"}
    seen("Failed", conditions=[degraded])  # the first sighting (e.g. at startup) is no transition
    assert events == []
    seen("Running", uptimeSeconds=100)
    seen("Running", uptimeSeconds=120)
    assert [event[2] for event in events] == ["restarted"]  # Failed -> Running
    seen("Failed", conditions=[degraded])
    assert events[-1] == (SPEC.tenant_id, SPEC.id, "failed", "the node failed: CrashLoop: the pod keeps crashing")
    seen("Failed", conditions=[degraded])  # still failed: no second event
    seen("Starting")
    seen("Running", uptimeSeconds=3)
    seen("Running", uptimeSeconds=50)
    seen("Running", uptimeSeconds=2)  # uptime went back: the pod restarted (e.g. OOM-killed) without a Failed phase
    assert [event[2] for event in events] == ["restarted", "failed", "restarted", "restarted"]
    assert events[-1][3].startswith("the node's pod restarted (uptime 50s, now 2s)")
    seen("Stopped")
    seen("Running", uptimeSeconds=1)  # a start after a stop is no restart
    assert len(events) == 4


# -- through HTTP, against the emulated cluster and the real operator -----------------------------------


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeEnv]:
    env = start_kube()
    yield env
    env.close()


@pytest.fixture(scope="module")
def kapi(kube: KubeEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("api-kubernetes")
    running = with_admin(start_api(make_settings(tmp, f"sqlite:///{tmp / 'api.db'}", **kube_settings(kube)), kube=kube))
    yield running
    stop_api(running)


@pytest.fixture
def owner(kapi: Api) -> Iterator[tuple[dict[str, str], str]]:
    """A tenant for one test, deleted (nodes first) afterwards, so the emulated cluster stays small."""
    headers = kapi.signup()
    tid = kapi.tenant(headers)
    yield headers, tid
    assert kapi.client.delete(f"/api/tenants/{tid}", headers=headers).status_code == 204


def resource(kube: KubeEnv, node_id: str) -> dict[str, Any] | None:
    return kube.cluster.get(MRN, resource_name(node_id))


def node_of(api: Api, headers: dict[str, str], tid: str, nid: str) -> dict[str, Any]:
    response = api.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_ready_once_the_runtime_watches(kapi: Api) -> None:
    assert kapi.client.get("/api/health/ready").status_code == 200


def test_create_writes_the_resource_and_secret_and_shows_its_status(
    kapi: Api, kube: KubeEnv, owner: tuple[dict[str, str], str]
) -> None:
    headers, tid = owner
    node = kapi.node(headers, tid, name="cache", memory="128Mi", eviction_policy="allkeys-lru")
    nid = node["id"]
    body = resource(kube, nid)
    assert body is not None
    assert body["metadata"]["labels"] == {
        LABEL_MANAGED_BY: "miniredis-api",
        LABEL_TENANT: tid,
        LABEL_NODE_ID: nid,
        LABEL_NODE_NAME: "cache",
    }
    assert body["spec"]["tenant"] == tid and body["spec"]["memory"] == "128Mi"
    assert body["spec"]["evictionPolicy"] == "allkeys-lru" and body["spec"]["running"] is True
    assert body["spec"]["passwordSecretRef"] == {"name": secret_name(nid), "key": "password"}

    secret = kube.cluster.get(SECRETS, secret_name(nid))
    assert secret is not None and secret["metadata"]["labels"][LABEL_NODE_ID] == nid
    password = kapi.client.get(f"/api/tenants/{tid}/nodes/{nid}/password", headers=headers).json()["password"]
    assert base64.b64decode(secret["data"]["password"]).decode() == password
    (owner_ref,) = secret["metadata"]["ownerReferences"]
    assert owner_ref["uid"] == body["metadata"]["uid"] and owner_ref["kind"] == "MiniRedisNode"

    # The operator built the StatefulSet from it; the pod's node process runs with the API's password.
    sts = kube.cluster.get(STATEFULSETS, resource_name(nid))
    assert sts is not None and sts["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] == {
        "memory": "128Mi"
    }
    # Create waited for the operator's Running; the endpoint is the one in status (the Service).
    assert node["phase"] == "Running", node
    status = kube.cluster.status(resource_name(nid))
    assert (
        node["endpoint"]
        == status["endpoint"]
        == {
            "host": naming.service_host(resource_name(nid), "default"),
            "port": 6379,
        }
    )
    assert node["memory"] == 128 * 1024 * 1024

    # exec goes to the Service's node process; the live sample comes from status, once the operator saw it.
    assert kapi.exec(headers, tid, nid, "SET a 1").json()["reply"]["value"] == "OK"
    assert kapi.exec(headers, tid, nid, "SET b 2").json()["reply"]["value"] == "OK"
    metrics = wait(
        lambda: (m := node_of(kapi, headers, tid, nid)["metrics"]) and m["keys"] == 2 and m,
        message="the sample from status",
    )
    status = kube.cluster.status(resource_name(nid))
    assert metrics["maxmemory"] == status["maxmemoryBytes"] == maxmemory_for(128 * 1024 * 1024)
    assert metrics["keys"] == status["keys"] == 2
    assert metrics["sampled_at"][:4] == status["sampledAt"][:4]  # a timestamp from status, not a probe of ours
    client = redis.Redis(*kapi.reach(node["endpoint"]), password=password)
    assert client.get("a") == b"1"
    client.close()


def test_stop_and_start_patch_spec_running(kapi: Api, kube: KubeEnv, owner: tuple[dict[str, str], str]) -> None:
    headers, tid = owner
    nid = kapi.node(headers, tid)["id"]
    started = kube.kubelet.started
    stopped = kapi.client.post(f"/api/tenants/{tid}/nodes/{nid}/stop", headers=headers).json()
    assert (resource(kube, nid) or {})["spec"]["running"] is False
    assert stopped["phase"] == "Stopped" and stopped["endpoint"] is None and stopped["metrics"] is None
    assert (kube.cluster.get(STATEFULSETS, resource_name(nid)) or {})["spec"]["replicas"] == 0
    assert kapi.exec(headers, tid, nid, "PING").status_code == 409

    again = kapi.client.post(f"/api/tenants/{tid}/nodes/{nid}/start", headers=headers).json()
    assert (resource(kube, nid) or {})["spec"]["running"] is True
    assert again["phase"] == "Running" and kube.kubelet.started == started + 1
    assert kapi.exec(headers, tid, nid, "PING").json()["reply"]["value"] == "PONG"


def test_create_stopped(kapi: Api, kube: KubeEnv, owner: tuple[dict[str, str], str]) -> None:
    headers, tid = owner
    node = kapi.node(headers, tid, running=False)
    assert node["phase"] == "Stopped" and (resource(kube, node["id"]) or {})["spec"]["running"] is False


def test_resize_patches_spec_and_the_operator_applies_it_live(
    kapi: Api, kube: KubeEnv, owner: tuple[dict[str, str], str]
) -> None:
    headers, tid = owner
    node = kapi.node(headers, tid, memory="64Mi")
    nid = node["id"]
    response = kapi.client.patch(
        f"/api/tenants/{tid}/nodes/{nid}", json={"memory": "96Mi", "eviction_policy": "volatile-ttl"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["memory"] == 96 * 1024 * 1024 and response.json()["eviction_policy"] == "volatile-ttl"
    spec = (resource(kube, nid) or {})["spec"]
    assert spec["memory"] == "96Mi" and spec["evictionPolicy"] == "volatile-ttl"

    def config(name: str) -> str:
        reply = kapi.exec(headers, tid, nid, f"CONFIG GET {name}").json()["reply"]  # a RESP3 map
        return str(reply["pairs"][0]["value"]["value"])

    want = str(maxmemory_for(96 * 1024 * 1024))
    wait(lambda: config("maxmemory") == want, message="the operator's live CONFIG SET")
    assert config("maxmemory-policy") == "volatile-ttl"
    small = kapi.client.patch(f"/api/tenants/{tid}/nodes/{nid}", json={"memory": "16mb"}, headers=headers)
    assert small.status_code == 400 and "kubernetes" in small.json()["detail"]
    assert (resource(kube, nid) or {})["spec"]["memory"] == "96Mi"


def test_too_small_nodes_are_refused(kapi: Api, owner: tuple[dict[str, str], str]) -> None:
    headers, tid = owner
    response = kapi.client.post(f"/api/tenants/{tid}/nodes", json={"name": "tiny", "memory": "8mb"}, headers=headers)
    assert response.status_code == 400 and "at least 67108864 bytes" in response.json()["detail"]
    default = kapi.client.post(f"/api/tenants/{tid}/nodes", json={"name": "dflt", "running": False}, headers=headers)
    assert default.status_code == 201 and default.json()["memory"] == 64 * 1024 * 1024


def test_rotate_password_updates_secret_and_node(kapi: Api, kube: KubeEnv, owner: tuple[dict[str, str], str]) -> None:
    headers, tid = owner
    node = kapi.node(headers, tid)
    nid = node["id"]
    assert node["phase"] == "Running", node  # while Pending or Starting a rotation is refused (502)
    old = kapi.client.get(f"/api/tenants/{tid}/nodes/{nid}/password", headers=headers).json()["password"]
    new = kapi.client.post(f"/api/tenants/{tid}/nodes/{nid}/password", headers=headers).json()["password"]
    assert new != old
    secret = kube.cluster.get(SECRETS, secret_name(nid)) or {}
    assert base64.b64decode(secret["data"]["password"]).decode() == new
    client = redis.Redis(*kapi.reach(node["endpoint"]), password=new)
    assert client.ping() is True
    client.close()
    assert kapi.exec(headers, tid, nid, "PING").json()["reply"]["value"] == "PONG"
    # the operator's probe reads the Secret: the node stays healthy
    time.sleep(1.0)
    assert kube.cluster.condition(resource_name(nid), "Degraded").get("status") == "False"


def test_delete_deletes_the_resource(kapi: Api, kube: KubeEnv, owner: tuple[dict[str, str], str]) -> None:
    headers, tid = owner
    nid = kapi.node(headers, tid)["id"]
    assert kapi.client.delete(f"/api/tenants/{tid}/nodes/{nid}", headers=headers).status_code == 204
    wait(lambda: resource(kube, nid) is None, message="the MiniRedisNode gone (the operator's finalizer ran)")
    assert kube.cluster.get(SECRETS, secret_name(nid)) is None
    assert kube.cluster.get(STATEFULSETS, resource_name(nid)) is None
    assert kapi.client.get(f"/api/tenants/{tid}/nodes/{nid}", headers=headers).status_code == 404


def test_a_resource_deleted_behind_the_api_is_failed_then_recreated_by_start(
    kapi: Api, kube: KubeEnv, owner: tuple[dict[str, str], str]
) -> None:
    headers, tid = owner
    nid = kapi.node(headers, tid)["id"]
    kube.cluster.delete(MRN, resource_name(nid))
    gone = wait(
        lambda: (n := node_of(kapi, headers, tid, nid))["phase"] == "Failed" and n,
        message="Failed after kubectl delete",
    )
    assert "missing" in gone["reason"]
    again = kapi.client.post(f"/api/tenants/{tid}/nodes/{nid}/start", headers=headers).json()
    assert again["phase"] == "Running" and resource(kube, nid) is not None


def test_overview_counts_from_status(kapi: Api, owner: tuple[dict[str, str], str]) -> None:
    headers, tid = owner
    kapi.node(headers, tid)
    overview = kapi.client.get("/api/monitoring/overview", headers=headers).json()
    assert overview["totals"]["by_phase"].get("Running", 0) >= 1
    assert overview["capacity"]["ports_total"] == 1000 and overview["capacity"]["ports_free"] >= 1


def test_api_restart_keeps_nodes_and_data(kube: KubeEnv, tmp_path: Path) -> None:
    """Another API on the same database and cluster: the resources are adopted as they are."""
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'api.db'}", **kube_settings(kube))
    first = with_admin(start_api(settings, stop_nodes=False, kube=kube))
    tid = first.tenant(first.admin)
    node = first.node(first.admin, tid, name="keep")
    nid = node["id"]
    assert first.exec(first.admin, tid, nid, "SET kept yes").json()["reply"]["value"] == "OK"
    version = (resource(kube, nid) or {})["metadata"]["generation"]
    stop_api(first)

    second = start_api(settings, kube=kube)
    try:
        second.admin = second.login("admin@example.com", "admin-password-1")
        assert wait(lambda: second.client.get("/api/health/ready").status_code == 200, message="ready")
        again = node_of(second, second.admin, tid, nid)
        assert again["phase"] == "Running" and again["endpoint"] == node["endpoint"]
        assert second.exec(second.admin, tid, nid, "GET kept").json()["reply"]["value"] == "yes"
        assert (resource(kube, nid) or {})["metadata"]["generation"] == version  # nothing re-applied
    finally:
        stop_api(second)
