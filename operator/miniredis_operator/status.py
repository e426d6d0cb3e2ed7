"""Observations in, status out: phase, conditions, endpoint and the live sample. Pure functions.

`compute` turns what the operator saw (the StatefulSet, the pod, an INFO sample or the probe's error)
into the whole `status` of a MiniRedisNode; `patch_for` diffs it against the current status into a
merge patch (None deletes a field); `worth_writing` bounds the write rate; `transitions` names the
events a change deserves. The clock is a parameter, never read here.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from miniredis_operator.sample import Sample

PENDING, STARTING, RUNNING = "Pending", "Starting", "Running"
STOPPING, STOPPED, FAILED, DELETING = "Stopping", "Stopped", "Failed", "Deleting"

READY, PROGRESSING, DEGRADED, MEMORY_PRESSURE = "Ready", "Progressing", "Degraded", "MemoryPressure"
CONDITION_TYPES = (READY, PROGRESSING, DEGRADED, MEMORY_PRESSURE)

# Container states a restart will not fix: the node needs a person (or a spec change).
FAILURE_REASONS = frozenset(
    {
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
        "ErrImageNeverPull",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)

SAMPLE_FIELDS = (
    "usedMemoryBytes",
    "usedMemoryPercent",
    "keys",
    "connectedClients",
    "opsPerSec",
    "evictedKeys",
    "expiredKeys",
    "hitRatio",
    "uptimeSeconds",
    "sampledAt",
)
MANAGED_FIELDS = ("phase", "observedGeneration", "conditions", "endpoint", "podName", "maxmemoryBytes", *SAMPLE_FIELDS)


@dataclass(frozen=True)
class PodObservation:
    """The node's pod as the kubelet reports it."""

    name: str
    phase: str = "Pending"
    ready: bool = False
    scheduled: bool = True
    unschedulable_message: str = ""
    waiting_reason: str = ""
    waiting_message: str = ""
    last_termination_reason: str = ""
    restarts: int = 0
    terminating: bool = False


@dataclass(frozen=True)
class Observation:
    """Everything `compute` needs, gathered by the handlers through k8s.py and the probe."""

    generation: int
    running: bool
    maxmemory_bytes: int
    endpoint_host: str
    endpoint_port: int
    deleting: bool = False
    workload_exists: bool = False
    pod: PodObservation | None = None
    sample: Sample | None = None
    probe_error: str = ""
    memory_pressure_percent: float = 90.0


@dataclass(frozen=True)
class Condition:
    """One condition before its lastTransitionTime is decided."""

    type: str
    status: str
    reason: str
    message: str


@dataclass(frozen=True)
class Event:
    """A Kubernetes event the operator should post about a transition."""

    type: str  # Normal or Warning
    reason: str
    message: str


@dataclass(frozen=True)
class Verdict:
    """The phase and the four conditions, before they are rendered into status."""

    phase: str
    conditions: tuple[Condition, ...] = field(default_factory=tuple)


def timestamp(now: datetime.datetime) -> str:
    """RFC 3339 in UTC with second precision, as Kubernetes writes times."""
    return now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def used_percent(sample: Sample, maxmemory_bytes: int) -> float:
    """used_memory as a percentage of maxmemory (the node's own value when it reports one)."""
    limit = sample.maxmemory or maxmemory_bytes
    return round(sample.used_memory * 100 / limit, 2) if limit else 0.0


def judge(obs: Observation) -> Verdict:
    """The phase and conditions the observation implies."""
    pod = obs.pod
    if obs.deleting:
        return Verdict(
            DELETING,
            (
                Condition(READY, "False", "Deleting", "The node is being deleted."),
                Condition(PROGRESSING, "True", "Deleting", "Deleting the node's StatefulSet, Service and Secret."),
                Condition(DEGRADED, "False", "Deleting", "The node is being deleted."),
                Condition(MEMORY_PRESSURE, "Unknown", "Deleting", "The node is being deleted."),
            ),
        )
    if not obs.running:
        if pod is not None:
            return Verdict(
                STOPPING,
                (
                    Condition(
                        READY, "False", "Stopping", f"spec.running is false; waiting for pod {pod.name} to exit."
                    ),
                    Condition(PROGRESSING, "True", "Stopping", "Scaling the StatefulSet to zero replicas."),
                    Condition(DEGRADED, "False", "Stopping", "The node is stopping as requested."),
                    Condition(MEMORY_PRESSURE, "Unknown", "Stopped", "The node is not running."),
                ),
            )
        return Verdict(
            STOPPED,
            (
                Condition(READY, "False", "Stopped", "spec.running is false; set it to true to start the node."),
                Condition(PROGRESSING, "False", "Stopped", "The node is stopped as requested."),
                Condition(DEGRADED, "False", "Stopped", "The node is stopped as requested."),
                Condition(MEMORY_PRESSURE, "Unknown", "Stopped", "The node is not running."),
            ),
        )
    pressure = _pressure(obs)
    if pod is None:
        why = "Creating the node's StatefulSet." if not obs.workload_exists else "Waiting for the node's pod."
        return Verdict(
            PENDING,
            (
                Condition(READY, "False", "Pending", why),
                Condition(PROGRESSING, "True", "Pending", why),
                Condition(DEGRADED, "False", "Pending", "Nothing has failed yet."),
                pressure,
            ),
        )
    failure = _failure(pod)
    if failure is not None:
        reason, message = failure
        return Verdict(
            FAILED,
            (
                Condition(READY, "False", reason, message),
                Condition(PROGRESSING, "False", reason, message),
                Condition(DEGRADED, "True", reason, message),
                pressure,
            ),
        )
    if not pod.scheduled:
        message = (
            f"Pod {pod.name} cannot be scheduled: {pod.unschedulable_message or 'no node fits'}. "
            "Check spec.memory, spec.nodeSelector and spec.tolerations against the cluster's nodes."
        )
        return Verdict(
            PENDING,
            (
                Condition(READY, "False", "Unschedulable", message),
                Condition(PROGRESSING, "True", "Unschedulable", message),
                Condition(DEGRADED, "True", "Unschedulable", message),
                pressure,
            ),
        )
    if not pod.ready:
        message = f"Pod {pod.name} is starting; it is ready once it answers PING."
        if pod.waiting_reason:
            message = f"Pod {pod.name} is waiting: {pod.waiting_reason}."
        return Verdict(
            STARTING,
            (
                Condition(READY, "False", "Starting", message),
                Condition(PROGRESSING, "True", "Starting", message),
                Condition(DEGRADED, "False", "Starting", "Nothing has failed yet."),
                pressure,
            ),
        )
    if obs.probe_error:
        degraded = Condition(
            DEGRADED,
            "True",
            "ProbeFailed",
            f"The pod answers PING but the operator cannot read INFO through the Service: "
            f"{obs.probe_error}. Check the Service and network policies.",
        )
    elif pod.last_termination_reason == "OOMKilled":
        degraded = Condition(
            DEGRADED,
            "True",
            "OOMKilled",
            f"Pod {pod.name} was OOM-killed and restarted ({pod.restarts} restarts); its data was "
            "lost. Raise spec.memory or choose an evicting spec.evictionPolicy.",
        )
    else:
        degraded = Condition(DEGRADED, "False", "AsExpected", "The node runs as expected.")
    return Verdict(
        RUNNING,
        (
            Condition(READY, "True", "NodeReady", f"Pod {pod.name} answers PING."),
            Condition(PROGRESSING, "False", "Reconciled", "The node runs as specified."),
            degraded,
            pressure,
        ),
    )


def _failure(pod: PodObservation) -> tuple[str, str] | None:
    if pod.waiting_reason in FAILURE_REASONS:
        hint = {
            "CrashLoopBackOff": "the node keeps exiting; read its log with kubectl logs",
            "ImagePullBackOff": "the image cannot be pulled; check spec.image and the registry credentials",
            "ErrImagePull": "the image cannot be pulled; check spec.image and the registry credentials",
            "InvalidImageName": "spec.image is not a valid image reference",
            "CreateContainerConfigError": "the password Secret or its key is missing; check spec.passwordSecretRef",
        }.get(pod.waiting_reason, "the container cannot start")
        detail = f" ({pod.waiting_message})" if pod.waiting_message else ""
        return pod.waiting_reason, f"Pod {pod.name}: {hint}{detail}."
    if pod.phase == "Failed":
        return "PodFailed", f"Pod {pod.name} failed; the operator will recreate it."
    return None


def _pressure(obs: Observation) -> Condition:
    if obs.sample is None:
        return Condition(MEMORY_PRESSURE, "Unknown", "NoSample", "No live sample yet.")
    percent = used_percent(obs.sample, obs.maxmemory_bytes)
    if percent >= obs.memory_pressure_percent:
        return Condition(
            MEMORY_PRESSURE,
            "True",
            "MemoryPressure",
            f"Used memory is {percent:.1f}% of maxmemory (threshold {obs.memory_pressure_percent:g}%): "
            "raise spec.memory, delete keys, or pick an evicting spec.evictionPolicy.",
        )
    return Condition(MEMORY_PRESSURE, "False", "MemoryOK", f"Used memory is {percent:.1f}% of maxmemory.")


def compute(obs: Observation, previous: Mapping[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """The whole new status; a condition keeps its lastTransitionTime while its status stays the same."""
    verdict = judge(obs)
    old_conditions = {c.get("type"): c for c in previous.get("conditions") or () if isinstance(c, Mapping)}
    conditions = []
    for cond in verdict.conditions:
        old = old_conditions.get(cond.type)
        since = old.get("lastTransitionTime") if old and old.get("status") == cond.status else None
        conditions.append(
            {
                "type": cond.type,
                "status": cond.status,
                "reason": cond.reason,
                "message": cond.message,
                "lastTransitionTime": since or timestamp(now),
                "observedGeneration": obs.generation,
            }
        )
    status: dict[str, Any] = {
        "phase": verdict.phase,
        "observedGeneration": obs.generation,
        "conditions": conditions,
        "endpoint": {"host": obs.endpoint_host, "port": obs.endpoint_port},
        "maxmemoryBytes": obs.maxmemory_bytes,
    }
    if obs.pod is not None:
        status["podName"] = obs.pod.name
    if obs.sample is not None and verdict.phase == RUNNING:
        sample = obs.sample
        status.update(
            {
                "usedMemoryBytes": sample.used_memory,
                "usedMemoryPercent": used_percent(sample, obs.maxmemory_bytes),
                "keys": sample.keys,
                "connectedClients": sample.connected_clients,
                "opsPerSec": sample.ops_per_sec,
                "evictedKeys": sample.evicted_keys,
                "expiredKeys": sample.expired_keys,
                "uptimeSeconds": sample.uptime_seconds,
                "sampledAt": timestamp(now),
            }
        )
        if sample.hit_ratio is not None:
            status["hitRatio"] = sample.hit_ratio
    elif verdict.phase == RUNNING:
        # Probe failed this time: keep the last sample rather than blanking the columns.
        status.update({key: previous[key] for key in SAMPLE_FIELDS if key in previous})
    return status


def patch_for(previous: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """A merge patch turning `previous` into `new` for the fields the operator manages."""
    patch: dict[str, Any] = {}
    for key in MANAGED_FIELDS:
        if key in new:
            if previous.get(key) != new[key]:
                patch[key] = new[key]
        elif previous.get(key) is not None:
            patch[key] = None
    return patch


def _essence(status: Mapping[str, Any]) -> dict[str, Any]:
    """What must be written at once when it changes: everything but the live sample and its time."""
    essence = {key: status.get(key) for key in MANAGED_FIELDS if key not in SAMPLE_FIELDS}
    essence["conditions"] = [{k: v for k, v in c.items() if k != "message"} for c in status.get("conditions") or ()]
    return essence


def worth_writing(previous: Mapping[str, Any], new: Mapping[str, Any], now: datetime.datetime, interval: float) -> bool:
    """Write at once on a phase, condition or setting change; refresh the sample at most every `interval` s."""
    if _essence(previous) != _essence(new):
        return True
    if ("sampledAt" in previous) != ("sampledAt" in new):
        return True
    sampled = previous.get("sampledAt")
    if not sampled or "sampledAt" not in new:
        return False
    try:
        then = datetime.datetime.strptime(str(sampled), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        return True
    return (now - then).total_seconds() >= interval


def transitions(previous: Mapping[str, Any], new: Mapping[str, Any]) -> list[Event]:
    """The events a status change deserves: every phase change, and each condition turning bad or good."""
    events: list[Event] = []
    old_phase, phase = previous.get("phase"), new.get("phase")
    conditions = {c["type"]: c for c in new.get("conditions") or ()}
    old_conditions = {c.get("type"): c for c in previous.get("conditions") or ()}
    if phase != old_phase:
        ready = conditions.get(READY, {})
        kind = "Warning" if phase == FAILED else "Normal"
        events.append(Event(kind, str(phase), f"{old_phase or 'New'} -> {phase}: {ready.get('message', '')}".strip()))
    for ctype, good in ((DEGRADED, "False"), (MEMORY_PRESSURE, "False")):
        cond, old = conditions.get(ctype), old_conditions.get(ctype)
        if cond is None or (old is not None and old.get("status") == cond["status"]):
            continue
        if cond["status"] == "True":
            events.append(Event("Warning", cond["reason"], cond["message"]))
        elif cond["status"] == good and old is not None and old.get("status") == "True":
            events.append(Event("Normal", f"{ctype}Resolved", cond["message"]))
    return events
