"""The operator's test cluster: kmock's Kubernetes emulator, made a little more like an API server, run in
a background thread, plus the operator itself running in another thread against it.

kmock stores objects as sent; kopf expects what a real API server adds. `Emulator` fills in
metadata.uid, resourceVersion, generation, creationTimestamp and generateName'd names, bumps
resourceVersion (and generation on spec changes) on every patch, and honours the `test` operation kopf
puts on resourceVersion in its JSON patches (422 on a conflict, as the API server answers).
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import kmock
import kopf

from miniredis_operator import naming
from miniredis_operator.config import OperatorConfig
from miniredis_operator.context import Context, Resolver
from miniredis_operator.handlers import configure, register

_VERSIONS = itertools.count(1000)

MRN = f"/apis/{naming.GROUP}/{naming.VERSION}/namespaces/{{ns}}/{naming.PLURAL}"
SECRETS = "/api/v1/namespaces/{ns}/secrets"
SERVICES = "/api/v1/namespaces/{ns}/services"
PODS = "/api/v1/namespaces/{ns}/pods"
EVENTS = "/api/v1/namespaces/{ns}/events"
STATEFULSETS = "/apis/apps/v1/namespaces/{ns}/statefulsets"


class Emulator(kmock.KubernetesEmulator):
    """kmock's emulator plus the metadata an API server maintains."""

    async def _handle(self, request: kmock.Request) -> Any:
        if request.resource is not None:
            self._stamp(request)
        return await super()._handle(request)

    def _stamp(self, request: kmock.Request) -> None:
        data = request.data
        if request.action == kmock.action.CREATE and isinstance(data, dict):
            meta = data.setdefault("metadata", {})
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + secrets.token_hex(3)
            if request.namespace and not meta.get("namespace"):
                meta["namespace"] = request.namespace
            meta.setdefault("uid", str(uuid.uuid4()))
            meta["resourceVersion"] = str(next(_VERSIONS))
            meta.setdefault("generation", 1)
            meta.setdefault("creationTimestamp", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif request.action == kmock.action.UPDATE and request.name is not None:
            key = (request.resource, request.namespace, request.name)
            if key not in self.objects or self.objects[key].deleted:
                return  # kmock answers 404
            current = self.objects[key].raw
            version = str(next(_VERSIONS))
            if isinstance(data, dict):
                meta = data.setdefault("metadata", {})
                meta["resourceVersion"] = version
                if request.subresource is None and "spec" in data and data["spec"] != current.get("spec"):
                    meta["generation"] = int(current.get("metadata", {}).get("generation", 1)) + 1
            elif isinstance(data, list):
                for op in data:
                    if op.get("op") == "test" and op.get("path") == "/metadata/resourceVersion":
                        if op.get("value") != current.get("metadata", {}).get("resourceVersion"):
                            raise kmock.KubernetesError(
                                status=422, reason="Conflict", message="the object has been modified"
                            )
                data[:] = [
                    op for op in data if not (op.get("op") == "test" and op.get("path") == "/metadata/resourceVersion")
                ]
                data.append({"op": "replace", "path": "/metadata/resourceVersion", "value": version})

    async def _serve_watch(self, request: kmock.Request) -> AsyncIterator[Any]:
        """kmock's watch, made gapless as an API server's is.

        kmock snapshots the objects under its lock, streams them as ADDED, and only then starts
        reading its event bus, so a change made while the snapshot is on the wire is lost to this
        watcher for good (kopf watches without a timeout). Under load that was a node the operator
        never saw. Here the bus position is marked under the same lock as the snapshot: every
        change lands either in the snapshot or in the stream after it.
        """
        yield b""  # send the headers: the client is waiting for them before it reads events
        bus = self._buses[request.resource]
        async with self._lock:
            marker = await bus.mark()
            # kmock's private helpers (name-mangled): the same selection its own watch makes.
            objects = [obj for obj in self._KubernetesEmulator__get_objs(request, strict=False) if not obj.deleted]
            events = [{"type": "ADDED", "object": obj.raw} for obj in objects]
        try:
            for event in events:
                yield event
            async for event in bus.stream(since=marker):
                meta = event.get("object", {}).get("metadata", {})
                if self._KubernetesEmulator__check(
                    request, request.resource, meta.get("namespace"), meta.get("name"), strict=False
                ):
                    yield event
        finally:
            await bus.unmark(marker)


class LoopThread:
    """An asyncio loop on a daemon thread, for kmock's server."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kmock", daemon=True)
        self.thread.start()

    def run(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class Cluster:
    """The emulated API server (kmock in a thread) and a synchronous client for tests."""

    def __init__(self) -> None:
        self.background = LoopThread()
        self.emulator = Emulator()
        self.emulator.resources[f"{naming.GROUP}/{naming.VERSION}/{naming.PLURAL}"] = kmock.ResourceInfo(
            kind=naming.KIND,
            singular="miniredisnode",
            namespaced=True,
            shortnames={"mrn"},
            categories={"miniredis"},
            subresources={"status"},
            verbs={"get", "list", "watch", "create", "update", "patch", "delete"},
        )
        for plural, kind in (("secrets", "Secret"), ("services", "Service"), ("pods", "Pod"), ("events", "Event")):
            self.emulator.resources[f"v1/{plural}"] = kmock.ResourceInfo(
                kind=kind, namespaced=True, verbs={"get", "list", "watch", "create", "patch", "delete"}
            )
        self.emulator.resources["apps/v1/statefulsets"] = kmock.ResourceInfo(
            kind="StatefulSet", namespaced=True, verbs={"get", "list", "watch", "create", "patch", "delete"}
        )
        # kopf's backbone: it waits for these two to be discoverable before it watches anything.
        self.emulator.resources["v1/namespaces"] = kmock.ResourceInfo(
            kind="Namespace", namespaced=False, verbs={"get", "list", "watch"}
        )
        self.emulator.resources["apiextensions.k8s.io/v1/customresourcedefinitions"] = kmock.ResourceInfo(
            kind="CustomResourceDefinition", namespaced=False, verbs={"get", "list", "watch"}
        )
        self.server = kmock.Server(self.emulator)

        async def start() -> None:
            await self.emulator.__aenter__()
            await self.server.__aenter__()

        self.background.run(start())
        self.url = str(self.server.url).rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def close(self) -> None:
        self.http.close()

        async def stop() -> None:
            await self.server.__aexit__(None, None, None)
            await self.emulator.__aexit__(None, None, None)

        try:
            self.background.run(stop())
        finally:
            self.background.stop()

    # -- requests ---------------------------------------------------------------------------------
    def create(self, collection: str, body: dict[str, Any], ns: str = "default") -> dict[str, Any]:
        response = self.http.post(collection.format(ns=ns), json=body)
        response.raise_for_status()
        return dict(response.json())

    def get(self, collection: str, name: str, ns: str = "default") -> dict[str, Any] | None:
        response = self.http.get(f"{collection.format(ns=ns)}/{name}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return dict(response.json())

    def patch(
        self, collection: str, name: str, patch: dict[str, Any], ns: str = "default", subresource: str = ""
    ) -> dict[str, Any]:
        path = f"{collection.format(ns=ns)}/{name}" + (f"/{subresource}" if subresource else "")
        response = self.http.patch(path, json=patch, headers={"Content-Type": "application/merge-patch+json"})
        response.raise_for_status()
        return dict(response.json())

    def delete(self, collection: str, name: str, ns: str = "default") -> None:
        self.http.delete(f"{collection.format(ns=ns)}/{name}").raise_for_status()

    def list(self, collection: str, ns: str = "default") -> list[dict[str, Any]]:
        response = self.http.get(collection.format(ns=ns))
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return list(response.json().get("items", []))

    def events(self, name: str, ns: str = "default") -> list[dict[str, Any]]:
        return [e for e in self.list(EVENTS, ns) if (e.get("involvedObject") or {}).get("name") == name]

    def reasons(self, name: str, ns: str = "default") -> list[str]:
        return [str(e.get("reason")) for e in self.events(name, ns)]

    # -- playing the StatefulSet controller and the kubelet -----------------------------------------
    def run_pod(self, node: str, ready: bool = True, ns: str = "default") -> dict[str, Any]:
        """Create the StatefulSet's pod from its template, as the controller would, and mark it ready."""
        sts = self.get(STATEFULSETS, node, ns)
        assert sts is not None, f"no StatefulSet {node}"
        template = sts["spec"]["template"]
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {**template["metadata"], "name": naming.pod_name(node), "namespace": ns},
            "spec": template["spec"],
            "status": {"phase": "Pending"},
        }
        self.create(PODS, pod, ns)
        if ready:
            self.set_pod_ready(node, True, ns)
        return pod

    def set_pod_ready(self, node: str, ready: bool, ns: str = "default", **container: Any) -> None:
        state = "True" if ready else "False"
        self.patch(
            PODS,
            naming.pod_name(node),
            {
                "status": {
                    "phase": "Running",
                    "conditions": [
                        {"type": "PodScheduled", "status": "True"},
                        {"type": "Ready", "status": state},
                        {"type": "ContainersReady", "status": state},
                    ],
                    "containerStatuses": [
                        {
                            "name": "node",
                            "ready": ready,
                            "restartCount": 0,
                            "state": container if container else {"running": {}},
                        }
                    ],
                }
            },
            ns,
            subresource="status",
        )

    def wait_events(self, name: str, *reasons: str, ns: str = "default") -> list[str]:
        """Wait until events with all these reasons were posted about `name`; return every reason."""
        return list(
            self.wait(
                lambda: set(reasons) <= set(got := self.reasons(name, ns)) and got,
                message=f"events {reasons} about {name}",
            )
        )

    def wait(self, what: Callable[[], Any], timeout: float = 20, message: str = "") -> Any:
        """Poll until `what()` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            last = what()
            if last:
                return last
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {message or what}: last {last!r}")

    def status(self, name: str, ns: str = "default") -> dict[str, Any]:
        body = self.get(MRN, name, ns) or {}
        return dict(body.get("status") or {})

    def condition(self, name: str, ctype: str, ns: str = "default") -> dict[str, Any]:
        for cond in self.status(name, ns).get("conditions") or ():
            if cond.get("type") == ctype:
                return dict(cond)
        return {}


class OperatorThread:
    """The real operator (our registry, our settings) running in its own thread and event loop."""

    def __init__(self, cluster: Cluster, config: OperatorConfig, resolve: Resolver | None = None) -> None:
        self.ctx = Context(config=config, resolve=resolve, connection=kopf.ConnectionInfo(server=cluster.url))
        self.registry = kopf.OperatorRegistry()
        register(self.registry, self.ctx)
        self.settings = kopf.OperatorSettings()
        configure(self.settings, config)
        self.settings.watching.reconnect_backoff = 0.1
        self.settings.posting.idle_timeout = 0.1
        self.stop_flag = threading.Event()
        self.ready_flag = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="operator", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(
                kopf.operator(
                    registry=self.registry,
                    settings=self.settings,
                    clusterwide=True,
                    standalone=True,
                    stop_flag=self.stop_flag,
                    ready_flag=self.ready_flag,
                )
            )
        except BaseException as error:  # reported by stop()
            self.error = error

    def start(self) -> None:
        self.thread.start()
        if not self.ready_flag.wait(20):
            raise RuntimeError(f"the operator did not start: {self.error!r}")

    def stop(self) -> None:
        self.stop_flag.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the operator did not stop"


def node_body(name: str, tenant: str = "acme", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": naming.API_VERSION,
        "kind": naming.KIND,
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"tenant": tenant, "memory": "64Mi", **spec},
    }
