"""A MiniRedisNode's spec as a frozen dataclass, read from the raw resource body.

The API server has already validated the spec against the CRD's schema (types, enum, CEL rules) and
filled in its defaults; `NodeSpec.from_body` still defaults every optional field, so the builders
also work on bodies that skipped the API server (tests, a kmock emulator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from miniredis_operator import naming
from miniredis_operator.quantity import maxmemory_for, memory_bytes

DEFAULT_EVICTION_POLICY = "noeviction"
DEFAULT_SERVICE_TYPE = "ClusterIP"
DEFAULT_PERSISTENCE_SIZE = "1Gi"
PERSISTENCE_MODES = ("none", "rdb", "aof")


@dataclass(frozen=True)
class Persistence:
    """spec.persistence: `none` (memory only), `rdb` (snapshots) or `aof` (append-only file) on a
    PersistentVolumeClaim of `size` (and `storage_class`, None for the cluster's default)."""

    mode: str = "none"
    size: str = DEFAULT_PERSISTENCE_SIZE
    storage_class: str | None = None

    @property
    def enabled(self) -> bool:
        return self.mode in ("rdb", "aof")


@dataclass(frozen=True)
class SecretRef:
    """Where the node's password lives: a Secret's name and the key in its data."""

    name: str
    key: str = naming.PASSWORD_KEY
    generated: bool = False


@dataclass(frozen=True)
class NodeSpec:
    """The desired state of one node, with every default applied."""

    name: str
    namespace: str
    uid: str
    generation: int
    tenant: str
    memory: str
    memory_bytes: int
    maxmemory_bytes: int
    eviction_policy: str
    running: bool
    image: str
    password: SecretRef
    cpu: str | None
    service_type: str
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Mapping[str, Any], ...] = ()
    persistence: Persistence = Persistence()

    @classmethod
    def from_body(cls, body: Mapping[str, Any], *, default_image: str) -> NodeSpec:
        """Read a MiniRedisNode body (as kopf passes it, or a plain dict)."""
        meta: Mapping[str, Any] = body.get("metadata") or {}
        spec: Mapping[str, Any] = body.get("spec") or {}
        name = str(meta.get("name", ""))
        ref = spec.get("passwordSecretRef")
        if ref:
            password = SecretRef(name=str(ref["name"]), key=str(ref.get("key") or naming.PASSWORD_KEY))
        else:
            password = SecretRef(name=naming.secret_name(name), generated=True)
        memory = str(spec.get("memory", "64Mi"))
        limit = memory_bytes(memory)
        resources: Mapping[str, Any] = spec.get("resources") or {}
        cpu = resources.get("cpu")
        service: Mapping[str, Any] = spec.get("service") or {}
        raw_persistence: Mapping[str, Any] = spec.get("persistence") or {}
        mode = str(raw_persistence.get("mode") or "none")
        storage_class = raw_persistence.get("storageClassName")
        persistence = Persistence(
            mode=mode if mode in PERSISTENCE_MODES else "none",
            size=str(raw_persistence.get("size") or DEFAULT_PERSISTENCE_SIZE),
            storage_class=None if storage_class is None else str(storage_class),
        )
        return cls(
            name=name,
            namespace=str(meta.get("namespace") or "default"),
            uid=str(meta.get("uid", "")),
            generation=int(meta.get("generation") or 0),
            tenant=str(spec.get("tenant", "")),
            memory=memory,
            memory_bytes=limit,
            maxmemory_bytes=maxmemory_for(limit),
            eviction_policy=str(spec.get("evictionPolicy") or DEFAULT_EVICTION_POLICY),
            running=bool(spec.get("running", True)),
            image=str(spec.get("image") or default_image),
            password=password,
            cpu=None if cpu is None else str(cpu),
            service_type=str(service.get("type") or DEFAULT_SERVICE_TYPE),
            node_selector={str(k): str(v) for k, v in (spec.get("nodeSelector") or {}).items()},
            tolerations=tuple(dict(t) for t in (spec.get("tolerations") or ())),
            persistence=persistence,
        )
