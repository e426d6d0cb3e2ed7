"""The kubernetes runtime: every node is a MiniRedisNode resource, run by the MiniRedis operator.

This is the only module of the API that talks to Kubernetes. It writes desired state and reads
observed state, and nothing else:

* creating a node writes a Secret `mrn-<node id>-password` (key `password`) and a MiniRedisNode
  `mrn-<node id>` whose `spec.passwordSecretRef` names it, labelled with the tenant and node ids
  (`miniredis.io/tenant`, `miniredis.io/node-id`) and `app.kubernetes.io/managed-by: miniredis-api`;
  the Secret is then owned by the resource, so deleting the resource collects it too.
  `spec.memory` is the pod's memory limit; the operator derives maxmemory from it with headroom.
* start and stop patch `spec.running`, resize patches `spec.memory` and `spec.evictionPolicy` (the
  operator applies both live), delete deletes the resource and the Secret; rotating the password
  updates the Secret and, on a running node, sets it live with CONFIG SET (the operator's probe and
  the next pod read the Secret).
* phase, reason, endpoint and the live sample come from the resource's `status`, kept current by
  one list-then-watch task: the API never probes pods. A spec change the operator has not observed
  yet (`status.observedGeneration < metadata.generation`) shows as Starting or Stopping.
* exec connects to `status.endpoint` (the node's Service), rewritten by `kubernetes_exec_address`
  or, in tests, by the `resolve` hook.

The client is the operator's: kopf's credential loaders (service account, then kubeconfig) and
aiohttp for requests; on 401 it logs in again once (service-account tokens rotate).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import logging
import os
import ssl
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import kopf

from miniredis_api.core.config import Settings
from miniredis_api.runtimes.base import (
    Capacity,
    CapacityExhausted,
    DesiredNode,
    Endpoint,
    NodeSpec,
    NodeState,
    Runtime,
    RuntimeFailure,
)
from miniredis_api.schemas.node import Phase, Sample

log = logging.getLogger(__name__)

GROUP, VERSION, PLURAL, KIND = "miniredis.io", "v1alpha1", "miniredisnodes", "MiniRedisNode"
LABEL_TENANT = f"{GROUP}/tenant"
LABEL_NODE_ID = f"{GROUP}/node-id"
LABEL_NODE_NAME = f"{GROUP}/node-name"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY = "miniredis-api"
PASSWORD_KEY = "password"
MIN_MEMORY = 64 * 1024 * 1024
"""The CRD's minimum `spec.memory` (the operator keeps 32Mi for the interpreter)."""
SA_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
WATCH_SECONDS = 290
Resolver = Callable[[str, str, Endpoint], Endpoint]
"""(resource name, namespace, endpoint in status) -> where the API connects."""


# ---- pure: names, manifests, observations ------------------------------------------------------------


def resource_name(node_id: str) -> str:
    """The MiniRedisNode of a node (a DNS label that starts with a letter, as Service names must)."""
    return f"mrn-{node_id}"


def secret_name(node_id: str) -> str:
    return f"mrn-{node_id}-password"


def quantity(size: int) -> str:
    """Bytes as a Kubernetes quantity, in the largest binary unit that divides them (`64Mi`)."""
    for suffix, unit in (("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024)):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def labels_of(spec: NodeSpec) -> dict[str, str]:
    return {
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_TENANT: spec.tenant_id,
        LABEL_NODE_ID: spec.id,
        LABEL_NODE_NAME: spec.name,
    }


def desired_spec(spec: NodeSpec, *, running: bool) -> dict[str, Any]:
    """The fields of `spec` the API owns (image and service type are set at creation only)."""
    return {"memory": quantity(spec.memory), "evictionPolicy": spec.eviction_policy, "running": running}


def persistence_spec(spec: NodeSpec, settings: Settings) -> dict[str, Any]:
    """`spec.persistence` of a node with rdb or aof: a volume of 4x its memory, at least 1Gi (room for
    a snapshot being rewritten next to the previous one, or an AOF between rewrites)."""
    body: dict[str, Any] = {"mode": spec.persistence, "size": quantity(max(4 * spec.memory, 1024**3))}
    if settings.kubernetes_storage_class:
        body["storageClassName"] = settings.kubernetes_storage_class
    return body


def node_manifest(spec: NodeSpec, *, running: bool, namespace: str, settings: Settings) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tenant": spec.tenant_id,
        **desired_spec(spec, running=running),
        "passwordSecretRef": {"name": secret_name(spec.id), "key": PASSWORD_KEY},
        "service": {"type": settings.kubernetes_service_type},
    }
    if settings.kubernetes_node_image:
        body["image"] = settings.kubernetes_node_image
    if spec.persistence in ("rdb", "aof"):
        body["persistence"] = persistence_spec(spec, settings)
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": KIND,
        "metadata": {"name": resource_name(spec.id), "namespace": namespace, "labels": labels_of(spec)},
        "spec": body,
    }


def secret_manifest(spec: NodeSpec, *, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": secret_name(spec.id), "namespace": namespace, "labels": labels_of(spec)},
        "data": {PASSWORD_KEY: _b64(spec.password)},
    }


def owner_reference(body: Mapping[str, Any]) -> dict[str, Any]:
    meta = body["metadata"]
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": KIND,
        "name": meta["name"],
        "uid": meta["uid"],
        "blockOwnerDeletion": False,
    }


def spec_changes(body: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The wanted spec fields that differ from the resource's (a no-op patch would bump generation)."""
    current = body.get("spec") or {}
    return {key: value for key, value in wanted.items() if current.get(key) != value}


def _condition(status: Mapping[str, Any], ctype: str) -> Mapping[str, Any]:
    for cond in status.get("conditions") or ():
        if isinstance(cond, Mapping) and cond.get("type") == ctype:
            return cond
    return {}


def observe(body: Mapping[str, Any]) -> NodeState:
    """The node's state as the operator reported it in the resource's status."""
    meta = body.get("metadata") or {}
    spec = body.get("spec") or {}
    status = body.get("status") or {}
    running = bool(spec.get("running", True))
    reported = status.get("phase")
    stale = int(status.get("observedGeneration") or 0) < int(meta.get("generation") or 1)
    if meta.get("deletionTimestamp"):
        phase = Phase.deleting
    elif reported not in Phase.__members__.values():
        phase = Phase.pending if running else Phase.stopped
    else:
        phase = Phase(str(reported))
        if stale and running and phase in (Phase.stopped, Phase.stopping, Phase.failed):
            phase = Phase.starting
        elif stale and not running and phase != Phase.stopped:
            phase = Phase.stopping
    reason = None
    degraded = _condition(status, "Degraded")
    if phase == Phase.failed or degraded.get("status") == "True":
        cond = degraded if degraded.get("status") == "True" else _condition(status, "Ready")
        reason = ": ".join(str(part) for part in (cond.get("reason"), cond.get("message")) if part) or None
    endpoint = None
    raw = status.get("endpoint") or {}
    if phase in (Phase.pending, Phase.starting, Phase.running) and raw.get("host") and raw.get("port"):
        endpoint = Endpoint(host=str(raw["host"]), port=int(raw["port"]))
    return NodeState(phase=phase, reason=reason, endpoint=endpoint)


def sample_of(status: Mapping[str, Any]) -> Sample | None:
    """The live sample the operator wrote into status (hits and misses are only there as hitRatio)."""
    sampled_at = status.get("sampledAt")
    if not sampled_at:
        return None
    try:
        when = dt.datetime.fromisoformat(str(sampled_at).replace("Z", "+00:00"))
    except ValueError:
        return None

    def number(name: str) -> float:
        try:
            return float(status.get(name) or 0)
        except (TypeError, ValueError):
            return 0.0

    return Sample(
        used_memory=int(number("usedMemoryBytes")),
        maxmemory=int(number("maxmemoryBytes")),
        keys=int(number("keys")),
        connected_clients=int(number("connectedClients")),
        ops_per_sec=number("opsPerSec"),
        evicted_keys=int(number("evictedKeys")),
        expired_keys=int(number("expiredKeys")),
        uptime_seconds=int(number("uptimeSeconds")),
        sampled_at=when,
    )


def address_template(template: str) -> Resolver:
    """A resolver from `kubernetes_exec_address` (`host:port` with `{host}`, `{port}`, `{name}`, `{namespace}`)."""

    def resolve(name: str, namespace: str, endpoint: Endpoint) -> Endpoint:
        if not template:
            return endpoint
        text = template.format(host=endpoint.host, port=endpoint.port, name=name, namespace=namespace)
        host, _, port = text.rpartition(":")
        return Endpoint(host=host.strip("[]"), port=int(port))

    return resolve


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# While a request waits for the operator, how often it reads the resource itself.
SETTLE_READ_SECONDS = 2.0


def _newer(incoming: Mapping[str, Any], current: Mapping[str, Any] | None) -> bool:
    """Whether `incoming` is not older than `current` (resourceVersions compared when both are numbers)."""
    if current is None:
        return True
    new = str((incoming.get("metadata") or {}).get("resourceVersion", ""))
    old = str((current.get("metadata") or {}).get("resourceVersion", ""))
    return not (new.isdigit() and old.isdigit()) or int(new) >= int(old)


# ---- the client ----------------------------------------------------------------------------------


class KubeError(RuntimeFailure):
    """A request the API server refused, with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Kubernetes answered HTTP {status}: {message}")
        self.status = status


class Kube:
    """A small aiohttp client for the few calls the runtime makes, logged in as the operator logs in."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.info: kopf.ConnectionInfo | None = None
        self._session: aiohttp.ClientSession | None = None
        self._files = tempfile.TemporaryDirectory(prefix="miniredis-kube-")

    def login(self) -> kopf.ConnectionInfo:
        """Fixed URL (no credentials), else the pod's service account, else ~/.kube/config."""
        if self.settings.kubernetes_api_url:
            info: kopf.ConnectionInfo | None = kopf.ConnectionInfo(server=self.settings.kubernetes_api_url)
        else:
            operator_settings = kopf.OperatorSettings()
            info = kopf.login_with_service_account(settings=operator_settings) or kopf.login_with_kubeconfig(
                settings=operator_settings
            )
        if info is None:
            raise RuntimeFailure("no Kubernetes credentials: no service account token and no kubeconfig")
        self.info = info
        return info

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._files.cleanup()

    def _ssl(self, info: kopf.ConnectionInfo) -> ssl.SSLContext | bool:
        if not info.server.startswith("https") or info.insecure:
            return False
        ca_data = info.ca_data.decode() if isinstance(info.ca_data, bytes) else info.ca_data
        context = ssl.create_default_context(cafile=os.fsdecode(info.ca_path) if info.ca_path else None, cadata=ca_data)
        cert, key = info.certificate_path, info.private_key_path
        if info.certificate_data and info.private_key_data:  # inline kubeconfig data (kind's client cert)
            cert, key = self._file("client.crt", info.certificate_data), self._file("client.key", info.private_key_data)
        if cert and key:
            context.load_cert_chain(os.fsdecode(cert), os.fsdecode(key))
        return context

    def _file(self, name: str, data: str | bytes) -> str:
        path = Path(self._files.name) / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        path.chmod(0o600)
        return str(path)

    def _client(self) -> aiohttp.ClientSession:
        info = self.info or self.login()
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json"}
            if info.token:
                headers["Authorization"] = f"{info.scheme or 'Bearer'} {info.token}"
            elif info.username and info.password:
                headers["Authorization"] = f"Basic {_b64(f'{info.username}:{info.password}')}"
            self._session = aiohttp.ClientSession(
                base_url=info.server.rstrip("/"),
                headers=headers,
                connector=aiohttp.TCPConnector(ssl=self._ssl(info)),
                timeout=aiohttp.ClientTimeout(total=30),
            )
        return self._session

    async def _relogin(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self.login()

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        content_type: str = "application/json",
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """The answer's JSON, None on 404; raises KubeError on any other refusal."""
        headers = {"Content-Type": content_type} if body is not None else {}
        for attempt in (1, 2):
            try:
                async with self._client().request(method, path, json=body, headers=headers, params=params) as response:
                    if response.status == 401 and attempt == 1 and not self.settings.kubernetes_api_url:
                        await self._relogin()
                        continue
                    if response.status == 404:
                        return None
                    if response.status >= 400:
                        raise KubeError(response.status, _message(await response.text()))
                    data = await response.json(content_type=None)
                    return data if isinstance(data, dict) else {}
            except aiohttp.ClientError as error:
                raise KubeError(0, f"cannot reach the Kubernetes API: {error}") from error
        raise KubeError(401, "unauthorized")  # pragma: no cover - the loop returns or raises

    async def watch(self, path: str, params: Mapping[str, str]) -> AsyncIterator[dict[str, Any]]:
        """Watch events (`{"type", "object"}`) until the server ends the stream."""
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=WATCH_SECONDS + 30)
        query = {**params, "watch": "true", "timeoutSeconds": str(WATCH_SECONDS)}
        async with self._client().get(path, params=query, timeout=timeout) as response:
            if response.status == 401 and not self.settings.kubernetes_api_url:
                await self._relogin()
                return
            if response.status >= 400:
                raise KubeError(response.status, _message(await response.text()))
            async for line in response.content:
                if line.strip():
                    event = json.loads(line)
                    if isinstance(event, dict):
                        yield event


def _message(text: str) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        return str(json.loads(text).get("message") or text)[:500]
    return text[:500]


# ---- the runtime ---------------------------------------------------------------------------------


class KubernetesRuntime(Runtime):
    name = "kubernetes"
    min_memory = MIN_MEMORY

    def __init__(self, settings: Settings, *, resolve: Resolver | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.kube = Kube(settings)
        self.namespace = settings.kubernetes_namespace
        self.resolve: Resolver = resolve or address_template(settings.kubernetes_exec_address)
        """Where the API connects to a node's endpoint; tests point it at local node processes."""
        self.bodies: dict[str, dict[str, Any]] = {}
        """Node id -> the last MiniRedisNode seen (from a response or the watch)."""
        self.specs: dict[str, NodeSpec] = {}
        self.running: dict[str, bool] = {}
        self._states: dict[str, NodeState] = {}
        self._uptimes: dict[str, int] = {}
        """Node id -> `status.uptimeSeconds` last seen while Running: a drop means the pod restarted."""
        self._failed: set[str] = set()
        """Nodes seen Failed and not Running (or stopped) since: reaching Running is a restart."""
        self._event_listeners: list[Callable[[str, str, str, str], None]] = []
        self._deleted: set[str] = set()
        self._pending: list[DesiredNode] | None = None
        self._synced = False
        self._watcher: asyncio.Task[None] | None = None

    # ---- paths ---------------------------------------------------------------------------------------

    def _nodes_path(self, name: str | None = None) -> str:
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{self.namespace}/{PLURAL}"
        return path if name is None else f"{path}/{name}"

    def _secrets_path(self, name: str | None = None) -> str:
        path = f"/api/v1/namespaces/{self.namespace}/secrets"
        return path if name is None else f"{path}/{name}"

    # ---- the interface -----------------------------------------------------------------------------

    async def open(self, nodes: Sequence[DesiredNode]) -> None:
        info = self.kube.login()
        if not self.namespace:
            from_pod = SA_NAMESPACE.read_text().strip() if SA_NAMESPACE.exists() else ""
            self.namespace = from_pod or info.default_namespace or "default"
        for desired in nodes:
            self.specs[desired.spec.id] = desired.spec
            self.running[desired.spec.id] = desired.running
        self._pending = list(nodes)  # reconciled after the first successful listing
        self._watcher = asyncio.get_running_loop().create_task(self._watch_loop(), name="kubernetes-runtime-watch")
        log.info("kubernetes runtime: MiniRedisNodes in namespace %s at %s", self.namespace, info.server)

    async def close(self, *, stop_nodes: bool = False) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        if stop_nodes:  # tests: leave nothing running behind the API
            for node_id in [node_id for node_id in self.specs if node_id in self.bodies]:
                with contextlib.suppress(RuntimeFailure):
                    await self._patch_spec(node_id, {"running": False})
        await self.close_clients()
        await self.kube.close()

    async def create(self, spec: NodeSpec, *, running: bool) -> NodeState:
        if spec.id not in self.specs and len(self.specs) >= self.settings.kubernetes_max_nodes:
            raise CapacityExhausted(f"this API already runs {len(self.specs)} nodes (MINIREDIS_KUBERNETES_MAX_NODES)")
        self.specs[spec.id], self.running[spec.id] = spec, running
        self._deleted.discard(spec.id)
        await self._create_resources(spec, running=running)
        return await self._settle(spec.id, running=running)

    async def start(self, spec: NodeSpec) -> NodeState:
        self.specs[spec.id], self.running[spec.id] = spec, True
        if await self._body(spec.id) is None:
            await self._create_resources(spec, running=True)
        else:
            await self._patch_spec(spec.id, desired_spec(spec, running=True))
        return await self._settle(spec.id, running=True)

    async def stop(self, node_id: str) -> NodeState:
        self.running[node_id] = False
        if await self._body(node_id) is None:
            return NodeState(phase=Phase.stopped)
        await self._patch_spec(node_id, {"running": False})
        self.forget_client(node_id)
        return await self._settle(node_id, running=False)

    async def delete(self, node_id: str) -> None:
        self._deleted.add(node_id)
        self.forget_client(node_id)
        await self.kube.request("DELETE", self._nodes_path(resource_name(node_id)))
        await self.kube.request("DELETE", self._secrets_path(secret_name(node_id)))
        self.bodies.pop(node_id, None)
        self._states.pop(node_id, None)
        self._uptimes.pop(node_id, None)
        self._failed.discard(node_id)
        self.specs.pop(node_id, None)
        self.running.pop(node_id, None)

    async def resize(self, spec: NodeSpec) -> None:
        self.specs[spec.id] = spec
        if await self._body(spec.id) is None:
            raise RuntimeFailure(f"MiniRedisNode {resource_name(spec.id)} does not exist; start the node first")
        await self._patch_spec(spec.id, {"memory": quantity(spec.memory), "evictionPolicy": spec.eviction_policy})

    async def set_password(self, spec: NodeSpec) -> None:
        """The Secret first (the operator's probe and the next pod read it), then the running node."""
        old = self.specs.get(spec.id)
        state = self.status(spec.id)
        if state is not None and state.phase in (Phase.pending, Phase.starting) and self.running.get(spec.id):
            # its pod may already hold the old password, and the node cannot be reached to change it
            raise RuntimeFailure("the node is starting: rotate its password once it is Running (or stopped)")
        path = self._secrets_path(secret_name(spec.id))
        merge = "application/merge-patch+json"
        if (
            await self.kube.request(
                "PATCH", path, body={"data": {PASSWORD_KEY: _b64(spec.password)}}, content_type=merge
            )
            is None
        ):
            await self.kube.request("POST", self._secrets_path(), body=secret_manifest(spec, namespace=self.namespace))
        if old is not None and self.exec_endpoint(spec.id) is not None:
            try:
                await self.client(old).config_set("requirepass", spec.password)
            except Exception as error:  # undo: the node still has the old password
                if old.password:
                    await self.kube.request(
                        "PATCH", path, body={"data": {PASSWORD_KEY: _b64(old.password)}}, content_type=merge
                    )
                raise RuntimeFailure(f"the node refused the new password: {error}") from error
        self.specs[spec.id] = spec
        self.forget_client(spec.id)

    def status(self, node_id: str) -> NodeState | None:
        body = self.bodies.get(node_id)
        if body is not None:
            return observe(body)
        if self._synced and node_id in self.specs:
            return NodeState(
                phase=Phase.failed,
                reason=f"MiniRedisNode {resource_name(node_id)} is missing from namespace {self.namespace}; "
                "start the node to create it again",
            )
        return None

    def exec_endpoint(self, node_id: str) -> Endpoint | None:
        body = self.bodies.get(node_id)
        if body is None:
            return None
        state = observe(body)
        if state.phase != Phase.running or state.endpoint is None:
            return None
        return self.resolve(resource_name(node_id), self.namespace, state.endpoint)

    def capacity(self) -> Capacity:
        return Capacity(total=self.settings.kubernetes_max_nodes, used=len(self.specs))

    async def ready(self) -> bool:
        return self._synced and self._watcher is not None and not self._watcher.done()

    async def sample(self, spec: NodeSpec) -> Sample | None:
        """The live sample from the resource's status (the operator probes; the API never does)."""
        body = self.bodies.get(spec.id)
        if body is None or observe(body).phase != Phase.running:
            return None
        return sample_of(body.get("status") or {})

    # ---- writing ---------------------------------------------------------------------------------

    async def _create_resources(self, spec: NodeSpec, *, running: bool) -> None:
        """The password Secret, then the MiniRedisNode, then the Secret's owner reference."""
        secret = secret_manifest(spec, namespace=self.namespace)
        try:
            await self.kube.request("POST", self._secrets_path(), body=secret)
        except KubeError as error:
            if error.status != 409:
                raise
            await self.kube.request(
                "PATCH",
                self._secrets_path(secret_name(spec.id)),
                body={"data": secret["data"]},
                content_type="application/merge-patch+json",
            )
        manifest = node_manifest(spec, running=running, namespace=self.namespace, settings=self.settings)
        try:
            body = await self.kube.request("POST", self._nodes_path(), body=manifest)
        except KubeError as error:
            if error.status != 409:
                raise
            body = None
        if body is None:  # it existed already: bring its spec to ours
            self.bodies.pop(spec.id, None)
            body = await self._patch_spec(spec.id, desired_spec(spec, running=running))
        self._store(body)
        with contextlib.suppress(KubeError, KeyError):  # garbage collection is a safety net only
            await self.kube.request(
                "PATCH",
                self._secrets_path(secret_name(spec.id)),
                body={"metadata": {"ownerReferences": [owner_reference(body)]}},
                content_type="application/merge-patch+json",
            )

    async def _patch_spec(self, node_id: str, wanted: Mapping[str, Any]) -> dict[str, Any]:
        body = await self._body(node_id)
        changes = spec_changes(body, wanted) if body is not None else dict(wanted)
        if body is not None and not changes:
            return body
        patched = await self.kube.request(
            "PATCH",
            self._nodes_path(resource_name(node_id)),
            body={"spec": changes},
            content_type="application/merge-patch+json",
        )
        if patched is None:
            raise RuntimeFailure(f"MiniRedisNode {resource_name(node_id)} does not exist")
        self._store(patched)
        return patched

    async def _body(self, node_id: str) -> dict[str, Any] | None:
        body = self.bodies.get(node_id)
        return body if body is not None else await self._read(node_id)

    async def _read(self, node_id: str) -> dict[str, Any] | None:
        """The resource as the API server has it now (stored, as a watch event would be)."""
        body = await self.kube.request("GET", self._nodes_path(resource_name(node_id)))
        if body is not None:
            self._store(body)
        return body

    async def _settle(self, node_id: str, *, running: bool) -> NodeState:
        """Wait (up to kubernetes_wait_seconds) until the operator reports where the change leads."""
        goals = {Phase.running, Phase.failed} if running else {Phase.stopped, Phase.failed}
        now = time.monotonic()
        deadline = now + self.settings.kubernetes_wait_seconds
        next_read = now + SETTLE_READ_SECONDS
        while True:
            state = self.status(node_id) or NodeState(phase=Phase.pending)
            now = time.monotonic()
            if state.phase in goals or now >= deadline:
                return state
            if now >= next_read:
                # The watch normally brings the status; a stalled or reconnecting watch must
                # not turn one missed event into a request that waits out the deadline.
                next_read = now + SETTLE_READ_SECONDS
                with contextlib.suppress(KubeError):
                    await self._read(node_id)
            await asyncio.sleep(0.05)

    # ---- reading: list, then watch ---------------------------------------------------------------

    def _store(self, body: Mapping[str, Any]) -> None:
        labels = (body.get("metadata") or {}).get("labels") or {}
        node_id = labels.get(LABEL_NODE_ID)
        if labels.get(LABEL_MANAGED_BY) != MANAGED_BY or not node_id or node_id in self._deleted:
            return
        if not _newer(body, self.bodies.get(node_id)):
            return
        self.bodies[node_id] = dict(body)
        self._changed(node_id)

    def _changed(self, node_id: str) -> None:
        state = self.status(node_id)
        previous = self._states.get(node_id)
        if state is not None and state != previous:
            self._states[node_id] = state
            self._notify(node_id, state)
            if previous is not None:  # the first sighting (e.g. at startup) is no transition
                self._transition(node_id, previous, state)
            elif state.phase == Phase.failed:  # failed before we looked: running again will be a restart
                self._failed.add(node_id)
        self._watch_uptime(node_id, state)

    # ---- events: what the status shows of failures and restarts --------------------------------------

    def on_event(self, listener: Callable[[str, str, str, str], None]) -> None:
        """Call `listener(tenant_id, node_id, kind, message)` for each failure or restart the status shows."""
        self._event_listeners.append(listener)

    def _event(self, node_id: str, kind: str, message: str) -> None:
        spec = self.specs.get(node_id)
        labels = (self.bodies.get(node_id, {}).get("metadata") or {}).get("labels") or {}
        tenant_id = spec.tenant_id if spec is not None else labels.get(LABEL_TENANT)
        if not tenant_id:
            return
        for listener in self._event_listeners:
            try:
                listener(str(tenant_id), node_id, kind, message)
            except Exception:  # recording an event never breaks the watch
                log.exception("could not record a %s event of node %s", kind, node_id)

    def _transition(self, node_id: str, previous: NodeState, state: NodeState) -> None:
        if state.phase == Phase.failed and previous.phase != Phase.failed:
            self._failed.add(node_id)
            self._event(node_id, "failed", f"the node failed: {state.reason or 'no reason given'}")
        elif state.phase == Phase.running and node_id in self._failed:
            self._failed.discard(node_id)
            self._event(node_id, "restarted", "running again after a failure")
        elif state.phase in (Phase.stopped, Phase.deleting):
            self._failed.discard(node_id)

    def _watch_uptime(self, node_id: str, state: NodeState | None) -> None:
        body = self.bodies.get(node_id)
        status = (body or {}).get("status") or {}
        if state is None or state.phase != Phase.running or body is None or "uptimeSeconds" not in status:
            self._uptimes.pop(node_id, None)
            return
        try:
            uptime = int(status["uptimeSeconds"])
        except (TypeError, ValueError):
            return
        before = self._uptimes.get(node_id)
        self._uptimes[node_id] = uptime
        if before is not None and uptime < before:
            why = f"; {state.reason}" if state.reason else ""
            self._event(node_id, "restarted", f"the node's pod restarted (uptime {before}s, now {uptime}s){why}")

    async def _watch_loop(self) -> None:
        backoff = 0.5
        selector = {"labelSelector": f"{LABEL_MANAGED_BY}={MANAGED_BY}"}
        while True:
            try:
                listing = await self.kube.request("GET", self._nodes_path(), params=selector)
                if listing is None:
                    raise RuntimeFailure(
                        f"no MiniRedisNode resource in namespace {self.namespace}: is the CRD installed?"
                    )
                seen: set[str] = set()
                for item in listing.get("items") or ():
                    node_id = ((item.get("metadata") or {}).get("labels") or {}).get(LABEL_NODE_ID)
                    if node_id:
                        seen.add(node_id)
                        self.bodies.pop(node_id, None)  # a listing is the truth, whatever its version
                        self._store(item)
                for node_id in set(self.bodies) - seen:
                    self.bodies.pop(node_id, None)
                    self._changed(node_id)
                self._synced = True
                if self._pending is not None:
                    pending, self._pending = self._pending, None
                    await self._reconcile(pending)
                version = str((listing.get("metadata") or {}).get("resourceVersion") or "")
                params = {**selector, "allowWatchBookmarks": "true"}
                if version.isdigit():
                    params["resourceVersion"] = version
                async for event in self.kube.watch(self._nodes_path(), params):
                    kind, obj = event.get("type"), event.get("object") or {}
                    if kind == "ERROR":
                        break  # e.g. 410 Gone: list again
                    if kind == "DELETED":
                        node_id = ((obj.get("metadata") or {}).get("labels") or {}).get(LABEL_NODE_ID)
                        if node_id and self.bodies.pop(node_id, None) is not None:
                            self._changed(node_id)
                    elif kind in ("ADDED", "MODIFIED"):
                        self._store(obj)
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the watch never dies: it lists again after a pause
                self._synced = False
                log.warning("watching MiniRedisNodes failed (%s); retrying in %.1fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    async def _reconcile(self, nodes: Sequence[DesiredNode]) -> None:
        """At startup: create what is missing, bring running/memory/policy to the database's values."""
        for desired in nodes:
            spec = desired.spec
            try:
                if spec.id not in self.bodies:
                    await self._create_resources(spec, running=desired.running)
                else:
                    await self._patch_spec(spec.id, desired_spec(spec, running=desired.running))
            except RuntimeFailure as error:
                log.warning("could not reconcile node %s: %s", spec.id, error)
        orphans = set(self.bodies) - {desired.spec.id for desired in nodes}
        for node_id in sorted(orphans):
            log.warning(
                "MiniRedisNode %s is labelled as ours but unknown to the database; left alone", resource_name(node_id)
            )
