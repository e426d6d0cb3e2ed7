"""The node's Service: one port, `redis`, selecting the node's pod."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from miniredis_operator import naming
from miniredis_operator.manifests.common import metadata, selector_for
from miniredis_operator.spec import NodeSpec


def service(spec: NodeSpec, extra_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A Service of spec.service.type on port 6379; only ready pods receive traffic."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(spec, naming.service_name(spec.name), "service", extra_labels),
        "spec": {
            "type": spec.service_type,
            "selector": selector_for(spec),
            "ports": [{"name": "redis", "port": naming.NODE_PORT, "targetPort": "redis", "protocol": "TCP"}],
        },
    }
