"""Pure builders: a `NodeSpec` in, plain Kubernetes manifests (dicts) out.

Nothing here does I/O or reads the clock; `tests/operator/test_manifests.py` checks each builder.
`handlers/` applies what these return through `k8s.py`.
"""

from miniredis_operator.manifests.common import labels_for, owner_reference, selector_for
from miniredis_operator.manifests.probes import RESP_PING_SCRIPT, resp_probe
from miniredis_operator.manifests.secret import generated_secret
from miniredis_operator.manifests.service import service
from miniredis_operator.manifests.statefulset import container_resources, restart_hash, statefulset

__all__ = [
    "RESP_PING_SCRIPT",
    "container_resources",
    "generated_secret",
    "labels_for",
    "owner_reference",
    "resp_probe",
    "restart_hash",
    "selector_for",
    "service",
    "statefulset",
]
