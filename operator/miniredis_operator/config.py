"""The operator's settings, read once from the environment (`MINIREDIS_OPERATOR_*`) by the CLI.

One frozen dataclass with a docstring per field; tests build it directly with their own values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OperatorConfig:
    """Everything the operator can be told; `from_env` documents the variable of each field."""

    node_image: str = "miniredis/node:latest"
    """The node image used when a MiniRedisNode has no spec.image (MINIREDIS_OPERATOR_NODE_IMAGE)."""

    namespaces: tuple[str, ...] = ()
    """Namespaces to watch, comma separated; empty means cluster-wide (MINIREDIS_OPERATOR_NAMESPACES)."""

    probe_interval: float = 10.0
    """Seconds between two INFO probes of a node (MINIREDIS_OPERATOR_PROBE_INTERVAL)."""

    status_interval: float = 30.0
    """Least seconds between two status writes that only refresh the live sample; phase and condition
    changes are written at once (MINIREDIS_OPERATOR_STATUS_INTERVAL)."""

    probe_timeout: float = 3.0
    """Seconds an INFO probe may take before the node counts as unreachable (MINIREDIS_OPERATOR_PROBE_TIMEOUT)."""

    probe_address: str = ""
    """Where to reach a node: a template with {service}, {namespace}, {name}, {port} (e.g. `127.0.0.1:{port}`
    for a port-forward); empty means the Service's DNS name (MINIREDIS_OPERATOR_PROBE_ADDRESS)."""

    probe_port: int = 0
    """The port in probe_address's {port}; 0 means the node's Service port (MINIREDIS_OPERATOR_PROBE_PORT)."""

    cluster_domain: str = "cluster.local"
    """The cluster's DNS domain, for status.endpoint.host (MINIREDIS_OPERATOR_CLUSTER_DOMAIN)."""

    health_port: int = 8080
    """The port of the operator's /healthz liveness endpoint; 0 turns it off (MINIREDIS_OPERATOR_HEALTH_PORT)."""

    metrics_port: int = 9090
    """The port of the Prometheus /metrics endpoint; 0 turns it off (MINIREDIS_OPERATOR_METRICS_PORT)."""

    peering: str = ""
    """The kopf peering name; empty runs standalone (one replica). With more than one operator replica set
    it and install kopf's peering CRDs so only one replica handles events (MINIREDIS_OPERATOR_PEERING)."""

    memory_pressure_percent: float = 90.0
    """Used memory above this percentage of maxmemory raises MemoryPressure (MINIREDIS_OPERATOR_MEMORY_PRESSURE)."""

    extra_labels: Mapping[str, str] = field(default_factory=dict)
    """Labels added to every child, `k=v,k2=v2` (MINIREDIS_OPERATOR_EXTRA_LABELS)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OperatorConfig:
        """Read MINIREDIS_OPERATOR_* variables; unset ones keep their defaults."""
        env = os.environ if env is None else env
        defaults = cls()

        def get(name: str) -> str | None:
            value = env.get(f"MINIREDIS_OPERATOR_{name}")
            return value if value not in (None, "") else None

        def number(name: str, default: float) -> float:
            value = get(name)
            return default if value is None else float(value)

        labels = {}
        for item in (get("EXTRA_LABELS") or "").split(","):
            if "=" in item:
                key, _, value = item.partition("=")
                labels[key.strip()] = value.strip()
        return cls(
            node_image=get("NODE_IMAGE") or defaults.node_image,
            namespaces=tuple(ns.strip() for ns in (get("NAMESPACES") or "").split(",") if ns.strip()),
            probe_interval=number("PROBE_INTERVAL", defaults.probe_interval),
            status_interval=number("STATUS_INTERVAL", defaults.status_interval),
            probe_timeout=number("PROBE_TIMEOUT", defaults.probe_timeout),
            probe_address=get("PROBE_ADDRESS") or "",
            probe_port=int(number("PROBE_PORT", 0)),
            cluster_domain=get("CLUSTER_DOMAIN") or defaults.cluster_domain,
            health_port=int(number("HEALTH_PORT", defaults.health_port)),
            metrics_port=int(number("METRICS_PORT", defaults.metrics_port)),
            peering=get("PEERING") or "",
            memory_pressure_percent=number("MEMORY_PRESSURE", defaults.memory_pressure_percent),
            extra_labels=labels,
        )
