"""The operator's Prometheus metrics, on their own registry, served on config.metrics_port at /metrics."""

from __future__ import annotations

import threading
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

PHASES = ("Pending", "Starting", "Running", "Stopping", "Stopped", "Failed", "Deleting")


class Metrics:
    """Counters for the operator's work and gauges mirroring each node's live sample."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.reconciles = Counter(
            "miniredis_operator_reconciles",
            "Reconciliations by handler and result.",
            ["handler", "result"],
            registry=self.registry,
        )
        self.probes = Counter("miniredis_operator_probes", "INFO probes by result.", ["result"], registry=self.registry)
        self.probe_seconds = Histogram(
            "miniredis_operator_probe_seconds",
            "INFO probe latency.",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 3),
        )
        self.status_writes = Counter(
            "miniredis_operator_status_writes", "Status patches written.", registry=self.registry
        )
        self.phase = Gauge(
            "miniredis_node_phase",
            "1 for the node's current phase.",
            ["namespace", "name", "phase"],
            registry=self.registry,
        )
        self.used_memory = Gauge(
            "miniredis_node_used_memory_bytes",
            "used_memory from the last sample.",
            ["namespace", "name"],
            registry=self.registry,
        )
        self.maxmemory = Gauge(
            "miniredis_node_maxmemory_bytes", "The node's maxmemory.", ["namespace", "name"], registry=self.registry
        )
        self.keys = Gauge(
            "miniredis_node_keys", "Keys from the last sample.", ["namespace", "name"], registry=self.registry
        )
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def observe_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        """Mirror a node's status into the gauges."""
        for phase in PHASES:
            self.phase.labels(namespace, name, phase).set(1 if status.get("phase") == phase else 0)
        if "maxmemoryBytes" in status:
            self.maxmemory.labels(namespace, name).set(status["maxmemoryBytes"])
        if "usedMemoryBytes" in status:
            self.used_memory.labels(namespace, name).set(status["usedMemoryBytes"])
        if "keys" in status:
            self.keys.labels(namespace, name).set(status["keys"])

    def forget(self, namespace: str, name: str) -> None:
        """Drop a deleted node's series."""
        for phase in PHASES:
            try:
                self.phase.remove(namespace, name, phase)
            except KeyError:
                pass
        for gauge in (self.used_memory, self.maxmemory, self.keys):
            try:
                gauge.remove(namespace, name)
            except KeyError:
                pass

    def serve(self, port: int) -> None:
        """Serve /metrics on a background thread (port 0: not at all)."""
        if port and self._server is None:
            self._server, self._thread = start_http_server(port, registry=self.registry)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
