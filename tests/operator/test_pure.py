"""Unit tests for the operator's pure layers: quantities, spec, manifest builders, INFO parsing, RESP
reading, status computation, settings. The RESP probe script also runs against a real node process."""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from miniredis_operator import manifests, naming, resp
from miniredis_operator.config import OperatorConfig
from miniredis_operator.context import Context
from miniredis_operator.quantity import MIB, QuantityError, maxmemory_for, memory_bytes, parse_quantity
from miniredis_operator.sample import Sample, parse_info
from miniredis_operator.spec import NodeSpec
from miniredis_operator.status import (
    FAILED,
    PENDING,
    RUNNING,
    STARTING,
    STOPPED,
    STOPPING,
    Observation,
    PodObservation,
    compute,
    judge,
    patch_for,
    transitions,
    worth_writing,
)
from tests.support import NodeProcess, RawClient

NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def body(**spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "cache", "namespace": "team", "uid": "u-1", "generation": 3},
        "spec": {"tenant": "acme", "memory": "256Mi", **spec},
    }


def node(**spec: Any) -> NodeSpec:
    return NodeSpec.from_body(body(**spec), default_image="miniredis/node:1")


def sample(used: int = 10 * MIB, maxmemory: int = 100 * MIB, **kw: Any) -> Sample:
    values: dict[str, Any] = dict(
        used_memory=used,
        maxmemory=maxmemory,
        maxmemory_policy="noeviction",
        keys=3,
        connected_clients=2,
        ops_per_sec=7,
        evicted_keys=0,
        expired_keys=1,
        keyspace_hits=3,
        keyspace_misses=1,
        uptime_seconds=60,
    )
    values.update(kw)
    return Sample(**values)


def obs(**kw: Any) -> Observation:
    values: dict[str, Any] = dict(
        generation=3,
        running=True,
        maxmemory_bytes=100 * MIB,
        endpoint_host="h",
        endpoint_port=6379,
        workload_exists=True,
    )
    values.update(kw)
    return Observation(**values)


# -- quantities and spec -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("64Mi", 64 * MIB),
        ("1Gi", 2**30),
        ("1G", 10**9),
        ("250m", Decimal("0.25")),
        ("1e3", 1000),
        (512, 512),
        ("0.5Gi", 2**29),
        ("2k", 2000),
    ],
)
def test_parse_quantity(text: str | int, value: int | Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "Mi", "12XB", "1.2.3", "-"])
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_maxmemory_headroom_is_documented_formula() -> None:
    assert maxmemory_for(64 * MIB) == 24 * MIB
    assert maxmemory_for(1024 * MIB) == (1024 - 32) * MIB * 3 // 4
    assert maxmemory_for(16 * MIB) == MIB  # never zero (zero means unlimited to the node)
    assert memory_bytes("0.1Ki") == 103  # rounded up


def test_spec_defaults_and_generated_secret() -> None:
    spec = node()
    assert (spec.name, spec.namespace, spec.uid, spec.generation) == ("cache", "team", "u-1", 3)
    assert spec.eviction_policy == "noeviction" and spec.running and spec.service_type == "ClusterIP"
    assert spec.image == "miniredis/node:1"
    assert spec.password.generated and spec.password.name == "cache-auth" and spec.password.key == "password"
    assert spec.maxmemory_bytes == maxmemory_for(256 * MIB)


def test_spec_reads_every_field() -> None:
    spec = node(
        evictionPolicy="allkeys-lru",
        running=False,
        image="img:2",
        passwordSecretRef={"name": "s"},
        resources={"cpu": "250m"},
        service={"type": "LoadBalancer"},
        nodeSelector={"a": "b"},
        tolerations=[{"key": "k", "operator": "Exists"}],
    )
    assert spec.eviction_policy == "allkeys-lru" and not spec.running and spec.image == "img:2"
    assert spec.password.name == "s" and spec.password.key == "password" and not spec.password.generated
    assert spec.cpu == "250m" and spec.service_type == "LoadBalancer"
    assert spec.node_selector == {"a": "b"} and spec.tolerations == ({"key": "k", "operator": "Exists"},)


# -- manifests -----------------------------------------------------------------------------------------


def test_statefulset_replicas_follow_running() -> None:
    assert manifests.statefulset(node())["spec"]["replicas"] == 1
    assert manifests.statefulset(node(running=False))["spec"]["replicas"] == 0


def test_statefulset_is_restricted_and_adopted() -> None:
    sts = manifests.statefulset(node(), {"team": "x"})
    pod = sts["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["runAsNonRoot"] and security["readOnlyRootFilesystem"]
    assert security["allowPrivilegeEscalation"] is False and security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["securityContext"]["runAsNonRoot"] and pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    assert {m["mountPath"] for m in container["volumeMounts"]} == {"/data", "/tmp"}
    assert sts["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "miniredis.io/v1alpha1",
            "kind": "MiniRedisNode",
            "name": "cache",
            "uid": "u-1",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert sts["metadata"]["labels"]["team"] == "x"
    assert sts["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert sts["spec"]["selector"]["matchLabels"].items() <= sts["spec"]["template"]["metadata"]["labels"].items()


def test_statefulset_resources_env_and_scheduling() -> None:
    spec = node(
        resources={"cpu": "500m"},
        nodeSelector={"disk": "ssd"},
        tolerations=[{"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}],
        evictionPolicy="allkeys-lfu",
    )
    pod = manifests.statefulset(spec)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"] == {
        "requests": {"memory": "256Mi", "cpu": "500m"},
        "limits": {"memory": "256Mi", "cpu": "500m"},
    }
    assert manifests.container_resources(node())["limits"] == {"memory": "256Mi"}
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["MINIREDIS_MAXMEMORY"] == str(maxmemory_for(256 * MIB))
    assert env["MINIREDIS_MAXMEMORY_POLICY"] == "allkeys-lfu" and env["MINIREDIS_BIND"] == "0.0.0.0"
    assert pod["nodeSelector"] == {"disk": "ssd"} and pod["tolerations"][0]["key"] == "k"
    assert {p["resourceName"]: p["restartPolicy"] for p in container["resizePolicy"]} == {
        "memory": "NotRequired",
        "cpu": "NotRequired",
    }


def test_statefulset_without_persistence_uses_an_empty_dir() -> None:
    for spec in (node(), node(persistence={"mode": "none", "size": "5Gi"})):
        sts = manifests.statefulset(spec)
        assert "volumeClaimTemplates" not in sts["spec"] and "persistentVolumeClaimRetentionPolicy" not in sts["spec"]
        volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
        assert "emptyDir" in volumes["data"]
        env = {e["name"] for e in sts["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert not env & {"MINIREDIS_SAVE", "MINIREDIS_APPENDONLY", "MINIREDIS_APPENDFSYNC"}
    assert not node().persistence.enabled and node().persistence.mode == "none"


@pytest.mark.parametrize(
    ("mode", "flags"),
    [
        ("rdb", {"MINIREDIS_SAVE": "900 1 300 10 60 10000"}),
        ("aof", {"MINIREDIS_APPENDONLY": "yes", "MINIREDIS_APPENDFSYNC": "everysec"}),
    ],
)
def test_statefulset_with_persistence_claims_a_volume_at_the_dir(mode: str, flags: dict[str, str]) -> None:
    spec = node(persistence={"mode": mode, "size": "2Gi", "storageClassName": "fast"})
    assert spec.persistence.enabled and spec.persistence.size == "2Gi" and spec.persistence.storage_class == "fast"
    sts = manifests.statefulset(spec)
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "volumeMode": "Filesystem",
        "resources": {"requests": {"storage": "2Gi"}},
        "storageClassName": "fast",
    }
    # kept while stopped (zero replicas), deleted with the node
    assert sts["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Delete", "whenScaled": "Retain"}
    pod = sts["spec"]["template"]["spec"]
    assert "data" not in {v["name"] for v in pod["volumes"]}  # the claim, not an emptyDir
    container = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    mount = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}["data"]
    assert env["MINIREDIS_DIR"] == mount == "/data"
    assert flags.items() <= env.items()
    assert naming.claim_name("cache") == "data-cache-0"
    default = node(persistence={"mode": mode})
    assert default.persistence.size == "1Gi" and default.persistence.storage_class is None
    assert "storageClassName" not in manifests.statefulset(default)["spec"]["volumeClaimTemplates"][0]["spec"]


def test_restart_hash_ignores_live_settings() -> None:
    base = manifests.restart_hash(node())
    assert manifests.restart_hash(node(memory="1Gi", evictionPolicy="allkeys-lru", resources={"cpu": "1"})) == base
    assert manifests.restart_hash(node(image="other:1")) != base
    assert manifests.restart_hash(node(passwordSecretRef={"name": "s"})) != base


def test_service_and_secret() -> None:
    service = manifests.service(node(service={"type": "NodePort"}))
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"] == [{"name": "redis", "port": 6379, "targetPort": "redis", "protocol": "TCP"}]
    assert service["spec"]["selector"] == manifests.selector_for(node())
    secret = manifests.generated_secret(node(), "pw")
    assert secret["metadata"]["name"] == "cache-auth" and secret["data"] == {"password": "cHc="}


@pytest.mark.parametrize("password", ["", "s3cret with spaces"])
def test_resp_probe_script_against_a_real_node(password: str) -> None:
    flags = ("--requirepass", password) if password else ()
    server = NodeProcess(*flags)
    try:

        def probe(env_password: str) -> int:
            env = {"MINIREDIS_REQUIREPASS": env_password, "MINIREDIS_PORT": str(server.port)}
            return subprocess.run([sys.executable, "-c", manifests.RESP_PING_SCRIPT], env=env, timeout=10).returncode

        assert probe(password) == 0
        if password:
            assert probe("wrong") == 1
            assert probe("") == 1
    finally:
        server.stop()
    assert manifests.resp_probe(period=5, failures=2)["exec"]["command"][:2] == ["python", "-c"]


# -- RESP and INFO -------------------------------------------------------------------------------------


def test_resp_reader_handles_every_type_and_partial_input() -> None:
    reader = resp.RespReader()
    wire = b"+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n"
    for byte in wire[:7]:
        reader.feed(bytes([byte]))
    assert reader.get() == "OK"
    assert reader.get() is resp.RespReader.INCOMPLETE
    reader.feed(wire[7:])
    error = reader.get()
    assert isinstance(error, resp.RespError) and str(error) == "ERR bad"
    assert [reader.get() for _ in range(4)] == [42, b"hello", None, [b"a", 1]]
    assert reader.get() is resp.RespReader.INCOMPLETE
    assert resp.encode("GET", b"k", 1) == b"*3\r\n$3\r\nGET\r\n$1\r\nk\r\n$1\r\n1\r\n"


def test_parse_info_sums_databases_and_ignores_headers() -> None:
    text = (
        "# Memory\r\nused_memory:1000\r\nmaxmemory:2000\r\nmaxmemory_policy:allkeys-lru\r\n# Stats\r\n"
        "instantaneous_ops_per_sec:5\r\nkeyspace_hits:1\r\nkeyspace_misses:3\r\nexpired_keys:2\r\n"
        "evicted_keys:4\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\ndb5:keys=4,expires=1,avg_ttl=9\r\n"
    )
    info = parse_info(text)
    assert (info.used_memory, info.maxmemory, info.maxmemory_policy, info.keys) == (1000, 2000, "allkeys-lru", 7)
    assert (info.ops_per_sec, info.expired_keys, info.evicted_keys, info.hit_ratio) == (5, 2, 4, 0.25)
    assert parse_info("").hit_ratio is None


def test_resp_call_and_parse_info_against_a_real_node() -> None:
    import asyncio

    server = NodeProcess("--requirepass", "pw", "--maxmemory", "10mb")
    try:
        client = RawClient(server.port)
        client.call("AUTH", "pw")
        client.call("SET", "a", "1")
        client.close()
        (info,) = asyncio.run(resp.call("127.0.0.1", server.port, [("INFO", "everything")], password="pw"))
        assert isinstance(info, bytes)
        sample_ = parse_info(info.decode())
        assert sample_.keys == 1 and sample_.maxmemory == 10 * MIB and sample_.used_memory > 0
        with pytest.raises(resp.RespError):
            asyncio.run(resp.call("127.0.0.1", server.port, [("PING",)], password="wrong"))
    finally:
        server.stop()


# -- status ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("observation", "phase"),
    [
        (obs(workload_exists=False), PENDING),
        (obs(pod=PodObservation("cache-0")), STARTING),
        (obs(pod=PodObservation("cache-0", scheduled=False)), PENDING),
        (obs(pod=PodObservation("cache-0", waiting_reason="CrashLoopBackOff")), FAILED),
        (obs(pod=PodObservation("cache-0", phase="Failed")), FAILED),
        (obs(pod=PodObservation("cache-0", phase="Running", ready=True), sample=sample()), RUNNING),
        (obs(running=False, pod=PodObservation("cache-0", ready=True)), STOPPING),
        (obs(running=False), STOPPED),
        (obs(deleting=True), "Deleting"),
    ],
)
def test_judge_phase(observation: Observation, phase: str) -> None:
    verdict = judge(observation)
    assert verdict.phase == phase
    assert [c.type for c in verdict.conditions] == ["Ready", "Progressing", "Degraded", "MemoryPressure"]


def test_conditions_for_running_and_pressure() -> None:
    ready = PodObservation("cache-0", phase="Running", ready=True)
    conds = {c.type: c for c in judge(obs(pod=ready, sample=sample())).conditions}
    assert (conds["Ready"].status, conds["Progressing"].status, conds["Degraded"].status) == ("True", "False", "False")
    assert conds["MemoryPressure"].status == "False"
    conds = {c.type: c for c in judge(obs(pod=ready, sample=sample(used=95 * MIB))).conditions}
    assert conds["MemoryPressure"].status == "True" and "95.0%" in conds["MemoryPressure"].message
    conds = {c.type: c for c in judge(obs(pod=ready, probe_error="refused")).conditions}
    assert conds["Degraded"].reason == "ProbeFailed" and conds["MemoryPressure"].status == "Unknown"
    oom = PodObservation("cache-0", ready=True, last_termination_reason="OOMKilled", restarts=2)
    conds = {c.type: c for c in judge(obs(pod=oom, sample=sample())).conditions}
    assert conds["Degraded"].reason == "OOMKilled" and "spec.memory" in conds["Degraded"].message


def test_compute_keeps_transition_times_and_sample() -> None:
    ready = PodObservation("cache-0", phase="Running", ready=True)
    first = compute(obs(pod=ready, sample=sample()), {}, NOW)
    assert first["phase"] == RUNNING and first["podName"] == "cache-0" and first["keys"] == 3
    assert (
        first["usedMemoryPercent"] == 10.0
        and first["hitRatio"] == 0.75
        and first["sampledAt"] == "2026-01-02T03:04:05Z"
    )
    assert all(
        c["observedGeneration"] == 3 and c["lastTransitionTime"] == "2026-01-02T03:04:05Z" for c in first["conditions"]
    )
    later = NOW + datetime.timedelta(minutes=5)
    second = compute(obs(pod=ready, probe_error="timeout"), first, later)
    times = {c["type"]: c["lastTransitionTime"] for c in second["conditions"]}
    assert times["Ready"] == "2026-01-02T03:04:05Z"  # still True: unchanged
    assert times["Degraded"] == "2026-01-02T03:09:05Z"  # False -> True
    assert second["keys"] == 3  # the last sample stays while a probe fails
    stopped = compute(obs(running=False), second, later)
    assert "keys" not in stopped and "podName" not in stopped
    patch = patch_for(second, stopped)
    assert patch["phase"] == STOPPED and patch["keys"] is None and patch["podName"] is None


def test_worth_writing_bounds_sample_refreshes() -> None:
    ready = PodObservation("cache-0", phase="Running", ready=True)
    old = compute(obs(pod=ready, sample=sample()), {}, NOW)
    soon, later = NOW + datetime.timedelta(seconds=5), NOW + datetime.timedelta(seconds=31)
    assert not worth_writing(old, compute(obs(pod=ready, sample=sample(used=11 * MIB)), old, soon), soon, 30)
    assert worth_writing(old, compute(obs(pod=ready, sample=sample(used=11 * MIB)), old, later), later, 30)
    assert worth_writing(old, compute(obs(pod=ready, sample=sample(used=99 * MIB)), old, soon), soon, 30)
    assert worth_writing(old, compute(obs(running=False), old, soon), soon, 30)


def test_transitions_name_actionable_events() -> None:
    ready = PodObservation("cache-0", phase="Running", ready=True)
    running = compute(obs(pod=ready, sample=sample()), {}, NOW)
    events = transitions({}, running)
    assert [(e.type, e.reason) for e in events] == [("Normal", "Running")]
    pressure = compute(obs(pod=ready, sample=sample(used=99 * MIB)), running, NOW)
    assert [(e.type, e.reason) for e in transitions(running, pressure)] == [("Warning", "MemoryPressure")]
    relieved = compute(obs(pod=ready, sample=sample()), pressure, NOW)
    assert [(e.type, e.reason) for e in transitions(pressure, relieved)] == [("Normal", "MemoryPressureResolved")]
    failed = compute(obs(pod=PodObservation("cache-0", waiting_reason="ImagePullBackOff")), running, NOW)
    kinds = {(e.type, e.reason) for e in transitions(running, failed)}
    assert ("Warning", FAILED) in kinds and ("Warning", "ImagePullBackOff") in kinds
    assert transitions(running, running) == []


# -- settings -------------------------------------------------------------------------------------------


def test_config_from_env() -> None:
    config = OperatorConfig.from_env(
        {
            "MINIREDIS_OPERATOR_NODE_IMAGE": "img:9",
            "MINIREDIS_OPERATOR_NAMESPACES": "a, b",
            "MINIREDIS_OPERATOR_PROBE_INTERVAL": "2.5",
            "MINIREDIS_OPERATOR_METRICS_PORT": "0",
            "MINIREDIS_OPERATOR_EXTRA_LABELS": "team=x,env=prod",
            "MINIREDIS_OPERATOR_PROBE_ADDRESS": "127.0.0.1:{port}",
        }
    )
    assert config.node_image == "img:9" and config.namespaces == ("a", "b") and config.probe_interval == 2.5
    assert config.metrics_port == 0 and config.extra_labels == {"team": "x", "env": "prod"}
    assert OperatorConfig.from_env({}) == OperatorConfig()


def test_probe_address_resolution() -> None:
    spec = node()
    assert Context(config=OperatorConfig()).address_of(spec) == ("cache.team.svc.cluster.local", 6379)
    forwarded = OperatorConfig(probe_address="127.0.0.1:{port}", probe_port=16379)
    assert Context(config=forwarded).address_of(spec) == ("127.0.0.1", 16379)
    assert Context(config=OperatorConfig(), resolve=lambda s: ("x", 1)).address_of(spec) == ("x", 1)
    assert naming.pod_name("cache") == "cache-0"
