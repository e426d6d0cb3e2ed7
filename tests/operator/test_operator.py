"""The operator against kmock's Kubernetes emulator: create, update, stop, start and delete MiniRedisNodes.

The operator runs in its own thread exactly as `miniredis-operator` runs it (our registry and settings);
the test plays the StatefulSet controller and the kubelet (creating the pod, marking it ready), and a real
node process stands behind the probe so the live sample in status is real.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from miniredis_operator import naming
from miniredis_operator.quantity import maxmemory_for, memory_bytes
from tests.operator.emulator import MRN, PODS, SECRETS, SERVICES, STATEFULSETS, Cluster, OperatorThread, node_body
from tests.support import NodeProcess, RawClient


def password_of(cluster: Cluster, name: str) -> str:
    secret = cluster.wait(lambda: cluster.get(SECRETS, naming.secret_name(name)), message="the generated Secret")
    return base64.b64decode(secret["data"]["password"]).decode()


@pytest.fixture
def live_node(cluster: Cluster, ports: dict[str, int]) -> Iterator[NodeProcess]:
    """A running MiniRedisNode `cache` whose probe reaches a real node process started with its password."""
    cluster.create(MRN, node_body("cache", evictionPolicy="allkeys-lru"))
    password = password_of(cluster, "cache")
    node = NodeProcess("--requirepass", password)
    ports["cache"] = node.port
    try:
        yield node
    finally:
        node.stop()


def test_create_builds_children_adopted_and_labelled(cluster: Cluster, operator: OperatorThread) -> None:
    body = cluster.create(MRN, node_body("cache", tenant="acme"))
    sts = cluster.wait(lambda: cluster.get(STATEFULSETS, "cache"), message="the StatefulSet")
    service = cluster.wait(lambda: cluster.get(SERVICES, "cache"), message="the Service")
    secret = cluster.wait(lambda: cluster.get(SECRETS, "cache-auth"), message="the Secret")
    for child in (sts, service, secret):
        (owner,) = child["metadata"]["ownerReferences"]
        assert owner["uid"] == body["metadata"]["uid"] and owner["kind"] == "MiniRedisNode" and owner["controller"]
        assert child["metadata"]["labels"][naming.LABEL_TENANT] == "acme"
        assert child["metadata"]["labels"][naming.LABEL_NODE] == "cache"
    assert sts["spec"]["replicas"] == 1
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "miniredis/node:test"
    assert container["resources"]["limits"]["memory"] == "64Mi"
    env = {e["name"]: e for e in container["env"]}
    assert env["MINIREDIS_MAXMEMORY"]["value"] == str(maxmemory_for(memory_bytes("64Mi")))
    assert env["MINIREDIS_REQUIREPASS"]["valueFrom"]["secretKeyRef"] == {"name": "cache-auth", "key": "password"}
    assert len(base64.b64decode(secret["data"]["password"])) >= 24

    status = cluster.wait(lambda: cluster.status("cache").get("phase") == "Pending" and cluster.status("cache"))
    assert status["observedGeneration"] == 1
    assert status["endpoint"] == {"host": "cache.default.svc.cluster.local", "port": 6379}
    assert {c["type"] for c in status["conditions"]} == {"Ready", "Progressing", "Degraded", "MemoryPressure"}
    assert all(c["observedGeneration"] == 1 for c in status["conditions"])
    assert cluster.condition("cache", "Ready")["status"] == "False"
    body = cluster.get(MRN, "cache")
    assert body is not None and naming.FINALIZER in body["metadata"]["finalizers"]
    assert any(key.startswith(f"{naming.GROUP}/") for key in body["metadata"].get("annotations", {}))
    cluster.wait_events("cache", "SecretCreated", "ServiceCreated", "StatefulSetCreated", "Pending")


def test_referenced_secret_is_used_and_never_generated(cluster: Cluster, operator: OperatorThread) -> None:
    cluster.create(
        SECRETS,
        {"metadata": {"name": "mine", "namespace": "default"}, "data": {"pw": base64.b64encode(b"s3cret").decode()}},
    )
    cluster.create(MRN, node_body("sessions", passwordSecretRef={"name": "mine", "key": "pw"}))
    sts = cluster.wait(lambda: cluster.get(STATEFULSETS, "sessions"), message="the StatefulSet")
    env = {e["name"]: e for e in sts["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MINIREDIS_REQUIREPASS"]["valueFrom"]["secretKeyRef"] == {"name": "mine", "key": "pw"}
    assert cluster.get(SECRETS, "sessions-auth") is None


def test_ready_pod_and_real_node_give_running_with_live_sample(
    cluster: Cluster, operator: OperatorThread, live_node: NodeProcess
) -> None:
    cluster.wait(lambda: cluster.get(STATEFULSETS, "cache"), message="the StatefulSet")
    client = RawClient(live_node.port)
    client.call("AUTH", password_of(cluster, "cache"))
    for i in range(5):
        client.call("SET", f"key:{i}", "x" * 100)
    client.call("GET", "key:0")
    client.call("GET", "missing")
    client.close()
    cluster.run_pod("cache")

    status = cluster.wait(lambda: (s := cluster.status("cache")).get("keys") == 5 and s, message="a live sample")
    assert status["phase"] == "Running"
    assert status["podName"] == "cache-0"
    assert status["usedMemoryBytes"] > 0 and 0 < status["usedMemoryPercent"] < 90
    assert status["connectedClients"] >= 1
    assert status["hitRatio"] == 0.5
    assert status["uptimeSeconds"] >= 0 and status["sampledAt"].endswith("Z")
    assert cluster.condition("cache", "Ready")["status"] == "True"
    assert cluster.condition("cache", "Progressing")["status"] == "False"
    assert cluster.condition("cache", "Degraded")["status"] == "False"
    assert cluster.condition("cache", "MemoryPressure")["status"] == "False"
    # The node was started without maxmemory: the operator applied the spec's live with CONFIG SET.
    client = RawClient(live_node.port)
    client.call("AUTH", password_of(cluster, "cache"))
    assert str(maxmemory_for(memory_bytes("64Mi"))).encode() in client.call("CONFIG", "GET", "maxmemory")
    assert b"allkeys-lru" in client.call("CONFIG", "GET", "maxmemory-policy")
    client.close()
    cluster.wait_events("cache", "ConfigApplied", "Running")


def test_memory_pressure_condition_and_event(
    cluster: Cluster, operator: OperatorThread, live_node: NodeProcess
) -> None:
    cluster.wait(lambda: cluster.get(STATEFULSETS, "cache"), message="the StatefulSet")
    cluster.run_pod("cache")
    cluster.wait(lambda: cluster.status("cache").get("phase") == "Running", message="Running")
    client = RawClient(live_node.port)
    client.call("AUTH", password_of(cluster, "cache"))
    client.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
    maxmemory = maxmemory_for(memory_bytes("64Mi"))
    value = "v" * 10_000
    i = 0
    while b"OOM" not in client.call("SET", f"big:{i}", value) and i < 5000:
        i += 1
    client.close()
    cond = cluster.wait(
        lambda: (c := cluster.condition("cache", "MemoryPressure")).get("status") == "True" and c,
        message="MemoryPressure",
        timeout=20,
    )
    assert "maxmemory" in cond["message"] and cond["reason"] == "MemoryPressure"
    assert cluster.status("cache")["usedMemoryPercent"] >= 90
    assert maxmemory > 0
    cluster.wait_events("cache", "MemoryPressure")


def test_update_memory_and_policy_resizes_pod_in_place(
    cluster: Cluster, operator: OperatorThread, live_node: NodeProcess
) -> None:
    cluster.wait(lambda: cluster.get(STATEFULSETS, "cache"), message="the StatefulSet")
    cluster.run_pod("cache")
    cluster.wait(lambda: cluster.status("cache").get("phase") == "Running", message="Running")
    cluster.patch(MRN, "cache", {"spec": {"memory": "128Mi", "evictionPolicy": "volatile-ttl"}})

    want = maxmemory_for(memory_bytes("128Mi"))
    status = cluster.wait(
        lambda: (s := cluster.status("cache")).get("maxmemoryBytes") == want and s.get("observedGeneration") == 2 and s,
        message="the new maxmemory in status",
    )
    assert status["phase"] == "Running"
    sts = cluster.get(STATEFULSETS, "cache")
    assert sts is not None
    assert sts["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == "128Mi"
    pod = cluster.wait(
        lambda: (
            (p := cluster.get(PODS, "cache-0"))
            and p["spec"]["containers"][0]["resources"]["limits"]["memory"] == "128Mi"
            and p
        ),
        message="the pod resized in place",
    )
    assert pod["metadata"]["uid"]  # the same pod: resized, not deleted
    client = RawClient(live_node.port)
    client.call("AUTH", password_of(cluster, "cache"))
    cluster.wait(lambda: str(want).encode() in client.call("CONFIG", "GET", "maxmemory"), message="live maxmemory")
    assert b"volatile-ttl" in client.call("CONFIG", "GET", "maxmemory-policy")
    client.close()
    reasons = cluster.wait_events("cache", "Resized", "ConfigApplied")
    assert "Restarting" not in reasons


def test_image_change_restarts_the_pod(cluster: Cluster, operator: OperatorThread) -> None:
    cluster.create(MRN, node_body("cache"))
    cluster.wait(lambda: cluster.get(STATEFULSETS, "cache"), message="the StatefulSet")
    cluster.run_pod("cache")
    cluster.patch(MRN, "cache", {"spec": {"image": "miniredis/node:v2"}})
    cluster.wait(lambda: cluster.get(PODS, "cache-0") is None, message="the old pod deleted")
    sts = cluster.get(STATEFULSETS, "cache")
    assert sts is not None and sts["spec"]["template"]["spec"]["containers"][0]["image"] == "miniredis/node:v2"
    cluster.wait_events("cache", "Restarting")


def test_stop_and_start(cluster: Cluster, operator: OperatorThread, live_node: NodeProcess) -> None:
    cluster.wait(lambda: cluster.get(STATEFULSETS, "cache"), message="the StatefulSet")
    cluster.run_pod("cache")
    cluster.wait(lambda: cluster.status("cache").get("keys") is not None, message="Running with a sample")

    cluster.patch(MRN, "cache", {"spec": {"running": False}})
    cluster.wait(
        lambda: (cluster.get(STATEFULSETS, "cache") or {}).get("spec", {}).get("replicas") == 0,
        message="scaled to zero",
    )
    cluster.wait(lambda: cluster.status("cache").get("phase") == "Stopping", message="Stopping")
    cluster.delete(PODS, "cache-0")  # the StatefulSet controller's part
    status = cluster.wait(lambda: (s := cluster.status("cache")).get("phase") == "Stopped" and s, message="Stopped")
    assert "keys" not in status and "usedMemoryBytes" not in status  # no stale live sample
    assert cluster.condition("cache", "Ready")["reason"] == "Stopped"
    assert cluster.get(SERVICES, "cache") is not None and cluster.get(SECRETS, "cache-auth") is not None

    cluster.patch(MRN, "cache", {"spec": {"running": True}})
    cluster.wait(
        lambda: (cluster.get(STATEFULSETS, "cache") or {}).get("spec", {}).get("replicas") == 1,
        message="scaled back to one",
    )
    cluster.wait(lambda: cluster.status("cache").get("phase") == "Pending", message="Pending")
    cluster.run_pod("cache")
    cluster.wait(lambda: cluster.status("cache").get("phase") == "Running", message="Running again")
    cluster.wait_events("cache", "Stopping", "Stopped", "Running")


def test_failing_pod_is_failed_with_an_actionable_reason(cluster: Cluster, operator: OperatorThread) -> None:
    cluster.create(MRN, node_body("broken", image="nope/nope:missing"))
    cluster.wait(lambda: cluster.get(STATEFULSETS, "broken"), message="the StatefulSet")
    cluster.run_pod("broken", ready=False)
    cluster.set_pod_ready("broken", False, waiting={"reason": "ImagePullBackOff", "message": "not found"})
    status = cluster.wait(lambda: (s := cluster.status("broken")).get("phase") == "Failed" and s, message="Failed")
    degraded = cluster.condition("broken", "Degraded")
    assert degraded["status"] == "True" and degraded["reason"] == "ImagePullBackOff"
    assert "spec.image" in degraded["message"]
    warnings = [e for e in cluster.events("broken") if e.get("type") == "Warning"]
    assert any(e["reason"] in ("Failed", "ImagePullBackOff") for e in warnings), warnings
    assert status["podName"] == "broken-0"


def test_ready_pod_with_unreachable_node_is_degraded(cluster: Cluster, operator: OperatorThread) -> None:
    cluster.create(MRN, node_body("lonely"))  # no node process: the probe's port refuses
    cluster.wait(lambda: cluster.get(STATEFULSETS, "lonely"), message="the StatefulSet")
    cluster.run_pod("lonely")
    cond = cluster.wait(
        lambda: (c := cluster.condition("lonely", "Degraded")).get("status") == "True" and c, message="Degraded"
    )
    assert cond["reason"] == "ProbeFailed"
    assert cluster.status("lonely")["phase"] == "Running"
    assert cluster.condition("lonely", "Ready")["status"] == "True"


def test_delete_cleans_up_children_and_releases_the_resource(cluster: Cluster, operator: OperatorThread) -> None:
    cluster.create(MRN, node_body("cache"))
    cluster.wait(lambda: cluster.get(STATEFULSETS, "cache") and cluster.get(SECRETS, "cache-auth"))
    cluster.wait(
        lambda: naming.FINALIZER in (cluster.get(MRN, "cache") or {}).get("metadata", {}).get("finalizers", [])
    )
    cluster.delete(MRN, "cache")
    cluster.wait(lambda: cluster.get(MRN, "cache") is None, message="the resource gone")
    assert cluster.get(STATEFULSETS, "cache") is None
    assert cluster.get(SERVICES, "cache") is None
    assert cluster.get(SECRETS, "cache-auth") is None
    cluster.wait_events("cache", "Deleting", "Deleted")


def test_status_writes_are_rate_bounded(cluster: Cluster, operator: OperatorThread, live_node: NodeProcess) -> None:
    cluster.wait(lambda: cluster.get(STATEFULSETS, "cache"), message="the StatefulSet")
    cluster.run_pod("cache")
    cluster.wait(lambda: cluster.status("cache").get("keys") is not None, message="a sample")
    import time

    before = operator.ctx.metrics.status_writes._value.get()
    probes_before = operator.ctx.metrics.probes.labels("ok")._value.get()
    time.sleep(2.5)  # about 8 probes at 0.3 s; samples may be written at most every 1 s
    writes = operator.ctx.metrics.status_writes._value.get() - before
    probes = operator.ctx.metrics.probes.labels("ok")._value.get() - probes_before
    assert probes >= 5
    assert writes <= 3, f"{writes} status writes for {probes} probes"


PVCS = "/api/v1/namespaces/{ns}/persistentvolumeclaims"


def test_persistent_node_claims_a_volume_kept_across_stop_and_deleted_with_it(
    cluster: Cluster, operator: OperatorThread
) -> None:
    cluster.create(MRN, node_body("queue", persistence={"mode": "aof", "size": "2Gi"}))
    sts = cluster.wait(lambda: cluster.get(STATEFULSETS, "queue"), message="the StatefulSet")
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data" and claim["spec"]["resources"]["requests"]["storage"] == "2Gi"
    container = sts["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["MINIREDIS_APPENDONLY"] == "yes" and env["MINIREDIS_DIR"] == "/data"
    # the StatefulSet controller's part: the claim of pod queue-0
    cluster.create(PVCS, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data-queue-0"}})
    cluster.patch(MRN, "queue", {"spec": {"running": False}})
    cluster.wait(lambda: (cluster.get(STATEFULSETS, "queue") or {}).get("spec", {}).get("replicas") == 0)
    stopped = cluster.get(STATEFULSETS, "queue")
    assert stopped is not None and stopped["spec"]["volumeClaimTemplates"] == [claim]
    assert cluster.get(PVCS, "data-queue-0") is not None  # a stop keeps the data
    cluster.delete(MRN, "queue")
    cluster.wait(lambda: cluster.get(MRN, "queue") is None, message="the resource gone")
    assert cluster.get(PVCS, "data-queue-0") is None
    deleted = [e for e in cluster.events("queue") if e.get("reason") == "Deleted"]
    assert deleted and "PersistentVolumeClaim data-queue-0" in deleted[-1]["message"]
