"""Labels, selectors and owner references shared by every child of a MiniRedisNode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from miniredis_operator import naming
from miniredis_operator.spec import NodeSpec


def selector_for(spec: NodeSpec) -> dict[str, str]:
    """The labels that select the node's pod: stable for the node's lifetime (a selector is immutable)."""
    return {naming.LABEL_NAME: "miniredis-node", naming.LABEL_INSTANCE: spec.name}


def labels_for(spec: NodeSpec, component: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every child's labels: the selector, the tenant and node ids, and who manages it."""
    return {
        **(extra or {}),
        **selector_for(spec),
        naming.LABEL_COMPONENT: component,
        naming.LABEL_MANAGED_BY: "miniredis-operator",
        naming.LABEL_TENANT: spec.tenant,
        naming.LABEL_NODE: spec.name,
    }


def owner_reference(spec: NodeSpec) -> dict[str, Any]:
    """Adopts a child: deleting the MiniRedisNode lets the garbage collector delete it too."""
    return {
        "apiVersion": naming.API_VERSION,
        "kind": naming.KIND,
        "name": spec.name,
        "uid": spec.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def metadata(spec: NodeSpec, name: str, component: str, extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A child's metadata: name, namespace, labels and the owner reference."""
    return {
        "name": name,
        "namespace": spec.namespace,
        "labels": labels_for(spec, component, extra),
        "ownerReferences": [owner_reference(spec)],
    }
