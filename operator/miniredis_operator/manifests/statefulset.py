"""The node's StatefulSet: zero or one replica of the node image, restricted and probed over RESP.

Why a StatefulSet and not a Deployment: it never runs two pods of the same node at once (a Deployment's
rolling update briefly does, and two nodes behind one Service would split the dataset), and its pod has a
stable name (`<node>-0`) that status.podName and the in-place resize can address.

The update strategy is OnDelete: the operator, not the StatefulSet controller, decides when the pod
restarts. Memory and eviction policy are applied live (CONFIG SET, and an in-place resize of the pod's
limits where the cluster supports it), so changing them does not restart the node; an image, password or
scheduling change, or a resize the cluster refuses, makes the operator delete the pod, and the controller
recreates it from the updated template (a restart, announced by a `Restarting` event).

Persistence (`spec.persistence.mode` rdb or aof) replaces the `data` emptyDir with a volumeClaimTemplate:
the claim `data-<node>-0` is mounted at the node's --dir (/data), survives stops (zero replicas) and pod
restarts, and goes with the node (retention policy whenDeleted: Delete, and the operator's teardown).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from miniredis_operator import naming
from miniredis_operator.manifests.common import labels_for, metadata, selector_for
from miniredis_operator.manifests.probes import resp_probe
from miniredis_operator.spec import NodeSpec

RUN_AS = 10001  # the uid Dockerfile.node creates; any non-root uid works
DEFAULT_CPU_REQUEST = "100m"
DATA_DIR = "/data"
RDB_SAVE_RULES = "900 1 300 10 60 10000"
"""Snapshot rules of `rdb` nodes (seconds and changes); with rules set the node also snapshots on SIGTERM."""


def restart_hash(spec: NodeSpec) -> str:
    """A digest of the pod settings that only a restart can change (not memory, CPU or eviction policy)."""
    settings = {
        "image": spec.image,
        "password": [spec.password.name, spec.password.key],
        "nodeSelector": dict(spec.node_selector),
        "tolerations": [dict(t) for t in spec.tolerations],
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def container_resources(spec: NodeSpec) -> dict[str, Any]:
    """Requests and limits: memory request = limit = spec.memory; CPU request = limit = spec.resources.cpu."""
    memory = spec.memory
    if spec.cpu is None:
        return {"requests": {"memory": memory, "cpu": DEFAULT_CPU_REQUEST}, "limits": {"memory": memory}}
    return {"requests": {"memory": memory, "cpu": spec.cpu}, "limits": {"memory": memory, "cpu": spec.cpu}}


def node_env(spec: NodeSpec) -> list[dict[str, Any]]:
    """The node's settings, as the MINIREDIS_<FLAG> variables `miniredis-node` reads."""
    return [
        {"name": "MINIREDIS_PORT", "value": str(naming.NODE_PORT)},
        {"name": "MINIREDIS_BIND", "value": "0.0.0.0"},
        {"name": "MINIREDIS_MAXMEMORY", "value": str(spec.maxmemory_bytes)},
        {"name": "MINIREDIS_MAXMEMORY_POLICY", "value": spec.eviction_policy},
        {"name": "MINIREDIS_DIR", "value": DATA_DIR},
        *persistence_env(spec),
        {
            "name": "MINIREDIS_REQUIREPASS",
            "valueFrom": {"secretKeyRef": {"name": spec.password.name, "key": spec.password.key}},
        },
        {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
        {"name": "PYTHONUNBUFFERED", "value": "1"},
    ]


def persistence_env(spec: NodeSpec) -> list[dict[str, Any]]:
    """The node's persistence flags: save rules for `rdb`, appendonly (fsync every second) for `aof`."""
    if spec.persistence.mode == "rdb":
        return [{"name": "MINIREDIS_SAVE", "value": RDB_SAVE_RULES}]
    if spec.persistence.mode == "aof":
        return [
            {"name": "MINIREDIS_APPENDONLY", "value": "yes"},
            {"name": "MINIREDIS_APPENDFSYNC", "value": "everysec"},
        ]
    return []


def volume_claim_template(spec: NodeSpec) -> dict[str, Any]:
    """The `data` claim of a persistent node (PVC `data-<node>-0`), mounted at the node's --dir."""
    claim: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "volumeMode": "Filesystem",
        "resources": {"requests": {"storage": spec.persistence.size}},
    }
    if spec.persistence.storage_class is not None:
        claim["storageClassName"] = spec.persistence.storage_class
    return {"metadata": {"name": "data", "labels": selector_for(spec)}, "spec": claim}


def statefulset(spec: NodeSpec, extra_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The StatefulSet: replicas 1 when spec.running, else 0."""
    pod_labels = labels_for(spec, "node", extra_labels)
    container = {
        "name": "node",
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "env": node_env(spec),
        "ports": [{"name": "redis", "containerPort": naming.NODE_PORT, "protocol": "TCP"}],
        "resources": container_resources(spec),
        # Where the cluster supports in-place resize (InPlacePodVerticalScaling), limits change live.
        "resizePolicy": [
            {"resourceName": "memory", "restartPolicy": "NotRequired"},
            {"resourceName": "cpu", "restartPolicy": "NotRequired"},
        ],
        "readinessProbe": resp_probe(period=5, failures=2),
        "livenessProbe": resp_probe(period=10, failures=3, initial_delay=5),
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "privileged": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"}],
    }
    pod_spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        # Service links would inject <SERVICE>_PORT variables, and a Service named `miniredis` would set
        # MINIREDIS_PORT=tcp://... in the node's environment.
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": 10,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "fsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [
            *([] if spec.persistence.enabled else [{"name": "data", "emptyDir": {"sizeLimit": "64Mi"}}]),
            {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "8Mi"}},
        ],
    }
    if spec.node_selector:
        pod_spec["nodeSelector"] = dict(spec.node_selector)
    if spec.tolerations:
        pod_spec["tolerations"] = [dict(t) for t in spec.tolerations]
    workload: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata(spec, naming.workload_name(spec.name), "node", extra_labels),
        "spec": {
            "replicas": 1 if spec.running else 0,
            "serviceName": naming.service_name(spec.name),
            "selector": {"matchLabels": selector_for(spec)},
            "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "OnDelete"},
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {naming.ANNOTATION_CONFIG_HASH: restart_hash(spec)},
                },
                "spec": pod_spec,
            },
        },
    }
    if spec.persistence.enabled:
        # The claim outlives stops (scaled to zero) and pod restarts; deleting the node deletes it
        # (the retention policy, and the operator's teardown on clusters without it).
        workload["spec"]["volumeClaimTemplates"] = [volume_claim_template(spec)]
        workload["spec"]["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Delete", "whenScaled": "Retain"}
    return workload
