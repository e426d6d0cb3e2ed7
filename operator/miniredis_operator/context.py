"""What every handler shares: the settings, the Kubernetes client, the metrics, and two seams for tests.

Built once by the CLI (or a test) and captured by the handlers that `handlers.register` defines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import kopf

from miniredis_operator import naming
from miniredis_operator.config import OperatorConfig
from miniredis_operator.k8s import Kube
from miniredis_operator.metrics import Metrics
from miniredis_operator.spec import NodeSpec

Resolver = Callable[[NodeSpec], tuple[str, int]]
Logger = logging.Logger | logging.LoggerAdapter[Any]


@dataclass
class Context:
    """The operator's shared state; one per running operator."""

    config: OperatorConfig
    kube: Kube = field(default_factory=Kube)
    metrics: Metrics = field(default_factory=Metrics)
    resolve: Resolver | None = None
    """Where to reach a node for INFO; None means `config.probe_address` or the Service's DNS name."""
    connection: kopf.ConnectionInfo | None = None
    """Fixed credentials (tests); None means the in-cluster service account, then ~/.kube/config."""

    def address_of(self, spec: NodeSpec) -> tuple[str, int]:
        """The host and port the operator's probe connects to."""
        if self.resolve is not None:
            return self.resolve(spec)
        service = naming.service_name(spec.name)
        port = self.config.probe_port or naming.NODE_PORT
        if self.config.probe_address:
            address = self.config.probe_address.format(
                service=service, namespace=spec.namespace, name=spec.name, port=port
            )
            host, _, port_text = address.rpartition(":")
            return host.strip("[]"), int(port_text)
        return naming.service_host(spec.name, spec.namespace, self.config.cluster_domain), port
