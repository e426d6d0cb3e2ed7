"""The API's kubernetes runtime under test: kmock's Kubernetes emulator and the real operator (both from
tests/operator/emulator.py), plus `Kubelet`, which plays the StatefulSet controller and the kubelet so
that a pod is a real node process. Nothing in the API is faked: it writes MiniRedisNodes and reads their
status; the operator reconciles them and probes the node processes; exec reaches those processes
through the runtime's `resolve` hook (in a cluster: the node's Service).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from miniredis_api.runtimes.base import Endpoint
from miniredis_api.runtimes.kubernetes import KubernetesRuntime
from miniredis_operator import naming
from miniredis_operator.config import OperatorConfig
from miniredis_operator.spec import NodeSpec as OperatorNodeSpec
from tests.operator.emulator import PODS, SECRETS, STATEFULSETS, Cluster, OperatorThread
from tests.support import NodeProcess


class Kubelet:
    """Every StatefulSet scaled to one gets a pod backed by a real node process started from the pod
    template's environment (password from its Secret, maxmemory, policy); scaled to zero or deleted, the
    pod and the process go. A pod the operator deleted (a restart) comes back with a fresh process."""

    def __init__(self, cluster: Cluster, ports: dict[str, int]) -> None:
        self.cluster = copy.copy(cluster)  # its own HTTP client: this runs on another thread
        self.cluster.http = httpx.Client(base_url=cluster.url, timeout=10)
        self.ports = ports
        self.processes: dict[str, NodeProcess] = {}
        self.started = 0
        self._stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="kubelet", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.step()
            except Exception as error:  # reported by the tests that wait on a missing pod
                self.error = error

    def step(self) -> None:
        sets = {s["metadata"]["name"]: s for s in self.cluster.list(STATEFULSETS)}
        for name, sts in sets.items():
            wanted = int(sts["spec"].get("replicas", 1)) >= 1
            if wanted and name in self.processes and self.cluster.get(PODS, naming.pod_name(name)) is None:
                self._kill(name)  # the operator deleted the pod: the controller recreates it
            if wanted and name not in self.processes:
                self._start(name, sts)
            elif not wanted and name in self.processes:
                self._kill(name)
        for name in set(self.processes) - set(sets):
            self._kill(name)

    def _start(self, name: str, sts: dict[str, Any]) -> None:
        container = sts["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e for e in container["env"]}
        ref = env["MINIREDIS_REQUIREPASS"]["valueFrom"]["secretKeyRef"]
        secret = self.cluster.get(SECRETS, ref["name"])
        if secret is None:
            return  # not yet: the next step tries again
        password = base64.b64decode(secret["data"][ref["key"]]).decode()
        process = NodeProcess(
            "--requirepass",
            password,
            "--maxmemory",
            env["MINIREDIS_MAXMEMORY"]["value"],
            "--maxmemory-policy",
            env["MINIREDIS_MAXMEMORY_POLICY"]["value"],
        )
        self.processes[name], self.ports[name] = process, process.port
        self.started += 1
        with contextlib.suppress(httpx.HTTPStatusError):
            self.cluster.delete(PODS, naming.pod_name(name))
        self.cluster.run_pod(name)

    def _kill(self, name: str) -> None:
        with contextlib.suppress(httpx.HTTPStatusError):
            self.cluster.delete(PODS, naming.pod_name(name))
        self.ports.pop(name, None)
        self.processes.pop(name).stop()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(10)
        for process in self.processes.values():
            process.stop()
        self.processes.clear()
        self.cluster.http.close()


@dataclass
class KubeEnv:
    """An emulated cluster with the operator and a kubelet running; `ports` maps resource name -> local port."""

    cluster: Cluster
    operator: OperatorThread
    kubelet: Kubelet
    ports: dict[str, int] = field(default_factory=dict)

    def resolve(self, name: str, _namespace: str, _endpoint: Endpoint) -> Endpoint:
        """Where a node's Service leads: its pod's node process (port 1 refuses: no pod)."""
        return Endpoint(host="127.0.0.1", port=self.ports.get(name, 1))

    def attach(self, runtime: object) -> None:
        assert isinstance(runtime, KubernetesRuntime)
        runtime.resolve = self.resolve

    def close(self) -> None:
        try:
            self.operator.stop()
        finally:
            self.kubelet.stop()
            self.cluster.close()


def start_kube() -> KubeEnv:
    cluster = Cluster()
    ports: dict[str, int] = {}

    def resolve(spec: OperatorNodeSpec) -> tuple[str, int]:
        return "127.0.0.1", ports.get(spec.name, 1)

    config = OperatorConfig(
        node_image="miniredis/node:test",
        probe_interval=0.5,
        status_interval=1.0,
        probe_timeout=2.0,
        health_port=0,
        metrics_port=0,
    )
    operator = OperatorThread(cluster, config, resolve=resolve)
    try:
        operator.start()
    except Exception:
        cluster.close()
        raise
    return KubeEnv(cluster=cluster, operator=operator, kubelet=Kubelet(cluster, ports), ports=ports)


def kube_settings(kube: KubeEnv) -> dict[str, Any]:
    """Settings overrides that put the API on the kubernetes runtime against this cluster."""
    return {
        "runtime": "kubernetes",
        "kubernetes_api_url": kube.cluster.url,
        "kubernetes_namespace": "default",
        "kubernetes_wait_seconds": 60.0,
    }
