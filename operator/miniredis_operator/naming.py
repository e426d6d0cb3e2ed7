"""Names shared by every layer: the resource's coordinates, label and annotation keys, children's names.

Pure constants and string functions; nothing here talks to Kubernetes.
"""

from __future__ import annotations

GROUP = "miniredis.io"
VERSION = "v1alpha1"
PLURAL = "miniredisnodes"
KIND = "MiniRedisNode"
API_VERSION = f"{GROUP}/{VERSION}"

# kopf's own bookkeeping lives under our group, never under kopf.zalando.org.
FINALIZER = f"{GROUP}/finalizer"
ANNOTATIONS_PREFIX = GROUP

LABEL_NAME = "app.kubernetes.io/name"
LABEL_INSTANCE = "app.kubernetes.io/instance"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_TENANT = f"{GROUP}/tenant"
LABEL_NODE = f"{GROUP}/node"
ANNOTATION_CONFIG_HASH = f"{GROUP}/config-hash"

NODE_PORT = 6379  # the port inside the pod and on the Service
PASSWORD_KEY = "password"


def secret_name(node: str) -> str:
    """The generated password Secret of a node."""
    return f"{node}-auth"


def workload_name(node: str) -> str:
    """The StatefulSet (and the governing Service's name prefix) of a node."""
    return node


def pod_name(node: str) -> str:
    """The one pod the StatefulSet runs."""
    return f"{workload_name(node)}-0"


def claim_name(node: str) -> str:
    """The PersistentVolumeClaim of a node with persistence (volumeClaimTemplate `data`, pod `<node>-0`)."""
    return f"data-{pod_name(node)}"


def service_name(node: str) -> str:
    """The Service clients connect through."""
    return node


def service_host(node: str, namespace: str, cluster_domain: str = "cluster.local") -> str:
    """The Service's in-cluster DNS name, as written to status.endpoint.host."""
    return f"{service_name(node)}.{namespace}.svc.{cluster_domain}"
