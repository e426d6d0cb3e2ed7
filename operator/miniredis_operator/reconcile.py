"""The reconciliation steps the handlers run: apply children, adjust the running pod, observe, tear down.

Each step builds manifests with the pure builders, reads and writes through `k8s.Kube`, and returns the
events it wants posted; the handlers post them (through kopf) and write status. No kopf import here.
"""

from __future__ import annotations

import datetime
import secrets
import time
from collections.abc import Mapping
from typing import Any

from miniredis_operator import manifests, naming, resp
from miniredis_operator.context import Context, Logger
from miniredis_operator.k8s import PERSISTENTVOLUMECLAIMS, PODS, SECRETS, SERVICES, STATEFULSETS, KubeError
from miniredis_operator.quantity import QuantityError, parse_quantity
from miniredis_operator.sample import Sample, parse_info
from miniredis_operator.spec import NodeSpec
from miniredis_operator.status import Event, Observation, PodObservation


async def apply(ctx: Context, spec: NodeSpec, logger: Logger) -> list[Event]:
    """Bring the Secret, Service and StatefulSet in line with the spec, then the running pod."""
    events: list[Event] = []
    labels = ctx.config.extra_labels
    if spec.password.generated:
        password = secrets.token_urlsafe(24)
        _, created = await ctx.kube.ensure(SECRETS, manifests.generated_secret(spec, password, labels))
        if created:
            events.append(
                Event(
                    "Normal",
                    "SecretCreated",
                    f"Generated the password into Secret {spec.password.name} (key {spec.password.key}).",
                )
            )
    elif await ctx.kube.get(SECRETS, spec.namespace, spec.password.name) is None:
        events.append(
            Event(
                "Warning",
                "SecretMissing",
                f"Secret {spec.password.name} named in spec.passwordSecretRef does not exist; the pod "
                "cannot start until it does.",
            )
        )
    _, created = await ctx.kube.apply(SERVICES, manifests.service(spec, labels))
    if created:
        events.append(Event("Normal", "ServiceCreated", f"Created Service {naming.service_name(spec.name)}."))
    _, created = await ctx.kube.apply(STATEFULSETS, manifests.statefulset(spec, labels))
    if created:
        events.append(
            Event(
                "Normal",
                "StatefulSetCreated",
                f"Created StatefulSet {naming.workload_name(spec.name)} with {1 if spec.running else 0} replica(s).",
            )
        )
    if spec.running:
        events.extend(await adjust_pod(ctx, spec, logger))
    return events


def _resources_equal(actual: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    for section in ("requests", "limits"):
        got, want = actual.get(section) or {}, desired.get(section) or {}
        if set(got) != set(want):
            return False
        for name, value in want.items():
            try:
                if parse_quantity(str(got[name])) != parse_quantity(str(value)):
                    return False
            except QuantityError:
                return False
    return True


async def adjust_pod(ctx: Context, spec: NodeSpec, logger: Logger) -> list[Event]:
    """Resize the pod in place when memory or CPU changed; restart it when only a restart can apply the spec."""
    pod = await ctx.kube.get(PODS, spec.namespace, naming.pod_name(spec.name))
    if pod is None or (pod.get("metadata") or {}).get("deletionTimestamp"):
        return []
    pod_name = naming.pod_name(spec.name)
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    if annotations.get(naming.ANNOTATION_CONFIG_HASH, manifests.restart_hash(spec)) != manifests.restart_hash(spec):
        await ctx.kube.delete(PODS, spec.namespace, pod_name)
        return [
            Event(
                "Normal",
                "Restarting",
                f"Restarting pod {pod_name}: the image, password or scheduling "
                f"changed, which only a restart applies ({_data_fate(spec)}).",
            )
        ]
    containers = list((pod.get("spec") or {}).get("containers") or [])
    desired = manifests.container_resources(spec)
    for index, container in enumerate(containers):
        if container.get("name") != "node" or _resources_equal(container.get("resources") or {}, desired):
            continue
        containers[index] = {**container, "resources": desired}
        try:
            resized = await ctx.kube.patch(
                PODS, spec.namespace, pod_name, {"spec": {"containers": containers}}, subresource="resize"
            )
        except KubeError as error:
            logger.info(f"In-place resize of {pod_name} refused ({error}); restarting it instead.")
            resized = None
        if resized is not None:
            return [
                Event(
                    "Normal",
                    "Resized",
                    f"Resized pod {pod_name} in place to memory {spec.memory}"
                    f"{' and cpu ' + spec.cpu if spec.cpu else ''}; maxmemory follows.",
                )
            ]
        await ctx.kube.delete(PODS, spec.namespace, pod_name)
        return [
            Event(
                "Normal",
                "Restarting",
                f"Restarting pod {pod_name} to apply memory {spec.memory}: the cluster "
                f"cannot resize pods in place ({_data_fate(spec)}).",
            )
        ]
    return []


def _data_fate(spec: NodeSpec) -> str:
    if spec.persistence.enabled:
        return f"the data is kept: {spec.persistence.mode} on PersistentVolumeClaim {naming.claim_name(spec.name)}"
    return "the data is not kept"


def observe_pod(pod: Mapping[str, Any]) -> PodObservation:
    """The parts of a pod's status that decide the node's phase."""
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or ()}
    ready = (conditions.get("Ready") or {}).get("status") == "True"
    scheduled_cond = conditions.get("PodScheduled") or {}
    scheduled = not (scheduled_cond.get("status") == "False" and scheduled_cond.get("reason") == "Unschedulable")
    waiting_reason = waiting_message = last_reason = ""
    restarts = 0
    for container in status.get("containerStatuses") or ():
        if container.get("name") != "node":
            continue
        waiting = (container.get("state") or {}).get("waiting") or {}
        waiting_reason, waiting_message = str(waiting.get("reason", "")), str(waiting.get("message", ""))
        last_reason = str(((container.get("lastState") or {}).get("terminated") or {}).get("reason", ""))
        restarts = int(container.get("restartCount") or 0)
    return PodObservation(
        name=str(meta.get("name", "")),
        phase=str(status.get("phase") or "Pending"),
        ready=ready,
        scheduled=scheduled,
        unschedulable_message=str(scheduled_cond.get("message", "")),
        waiting_reason=waiting_reason,
        waiting_message=waiting_message,
        last_termination_reason=last_reason,
        restarts=restarts,
        terminating=bool(meta.get("deletionTimestamp")),
    )


async def probe(ctx: Context, spec: NodeSpec) -> tuple[Sample | None, str]:
    """INFO through the node's address: the sample, or None and why not."""
    host, port = ctx.address_of(spec)
    started = time.monotonic()
    try:
        password = await ctx.kube.secret_value(spec.namespace, spec.password.name, spec.password.key)
        (info,) = await resp.call(
            host, port, [("INFO", "everything")], password=password, timeout=ctx.config.probe_timeout
        )
    except (TimeoutError, OSError, resp.RespError, KubeError, ValueError) as error:
        ctx.metrics.probes.labels("error").inc()
        return None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    ctx.metrics.probes.labels("ok").inc()
    ctx.metrics.probe_seconds.observe(time.monotonic() - started)
    if not isinstance(info, bytes):
        return None, "INFO did not answer with a bulk string"
    return parse_info(info.decode(errors="replace")), ""


async def sync_live_config(ctx: Context, spec: NodeSpec, sample: Sample) -> list[Event]:
    """CONFIG SET maxmemory and maxmemory-policy when the running node disagrees with the spec."""
    changes: list[tuple[str, str]] = []
    if sample.maxmemory != spec.maxmemory_bytes:
        changes.append(("maxmemory", str(spec.maxmemory_bytes)))
    if sample.maxmemory_policy and sample.maxmemory_policy != spec.eviction_policy:
        changes.append(("maxmemory-policy", spec.eviction_policy))
    if not changes:
        return []
    host, port = ctx.address_of(spec)
    try:
        password = await ctx.kube.secret_value(spec.namespace, spec.password.name, spec.password.key)
        await resp.call(
            host,
            port,
            [("CONFIG", "SET", name, value) for name, value in changes],
            password=password,
            timeout=ctx.config.probe_timeout,
        )
    except (TimeoutError, OSError, resp.RespError, KubeError) as error:
        return [
            Event(
                "Warning",
                "ConfigFailed",
                f"Could not apply {', '.join(n for n, _ in changes)} live: {error}. The next probe retries.",
            )
        ]
    applied = ", ".join(f"{name} {value}" for name, value in changes)
    return [Event("Normal", "ConfigApplied", f"Applied {applied} live with CONFIG SET (no restart).")]


async def observe(
    ctx: Context, spec: NodeSpec, *, deleting: bool = False, with_probe: bool = True
) -> tuple[Observation, list[Event]]:
    """Read the StatefulSet and the pod, probe a ready node, and fix live settings the node disagrees on."""
    events: list[Event] = []
    workload = await ctx.kube.get(STATEFULSETS, spec.namespace, naming.workload_name(spec.name))
    raw_pod = await ctx.kube.get(PODS, spec.namespace, naming.pod_name(spec.name))
    pod = observe_pod(raw_pod) if raw_pod is not None else None
    sample, error = None, ""
    if with_probe and not deleting and spec.running and pod is not None and pod.ready and not pod.terminating:
        sample, error = await probe(ctx, spec)
        if sample is not None:
            events.extend(await sync_live_config(ctx, spec, sample))
    return Observation(
        generation=spec.generation,
        running=spec.running,
        maxmemory_bytes=spec.maxmemory_bytes,
        endpoint_host=naming.service_host(spec.name, spec.namespace, ctx.config.cluster_domain),
        endpoint_port=naming.NODE_PORT,
        deleting=deleting,
        workload_exists=workload is not None,
        pod=pod,
        sample=sample,
        probe_error=error,
        memory_pressure_percent=ctx.config.memory_pressure_percent,
    ), events


async def teardown(ctx: Context, spec: NodeSpec) -> list[Event]:
    """Delete the children now rather than waiting for the garbage collector (owner references remain)."""
    deleted = []
    if await ctx.kube.delete(STATEFULSETS, spec.namespace, naming.workload_name(spec.name)):
        deleted.append(f"StatefulSet {naming.workload_name(spec.name)}")
    if await ctx.kube.delete(SERVICES, spec.namespace, naming.service_name(spec.name)):
        deleted.append(f"Service {naming.service_name(spec.name)}")
    if spec.password.generated and await ctx.kube.delete(SECRETS, spec.namespace, spec.password.name):
        deleted.append(f"Secret {spec.password.name}")
    # the StatefulSet's retention policy deletes the claim too, where the cluster supports it
    if spec.persistence.enabled and await ctx.kube.delete(
        PERSISTENTVOLUMECLAIMS, spec.namespace, naming.claim_name(spec.name)
    ):
        deleted.append(f"PersistentVolumeClaim {naming.claim_name(spec.name)} (the node's data)")
    ctx.metrics.forget(spec.namespace, spec.name)
    return [Event("Normal", "Deleted", f"Deleted {', '.join(deleted) or 'nothing (no children left)'}.")]


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
