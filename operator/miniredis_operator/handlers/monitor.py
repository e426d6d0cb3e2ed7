"""The monitor: a kopf timer per MiniRedisNode that probes the node (INFO through its Service) and
writes phase, conditions and the live sample into status, at most every `status_interval` seconds unless
the phase or a condition changed."""

from __future__ import annotations

from typing import Any

import kopf

from miniredis_operator import naming, reconcile, status
from miniredis_operator.context import Context, Logger
from miniredis_operator.handlers.lifecycle import post
from miniredis_operator.k8s import KubeError
from miniredis_operator.spec import NodeSpec


def register(registry: kopf.OperatorRegistry, ctx: Context) -> None:
    @kopf.timer(
        naming.GROUP,
        naming.VERSION,
        naming.PLURAL,
        registry=registry,
        id="monitor",
        interval=ctx.config.probe_interval,
        initial_delay=min(ctx.config.probe_interval, 1.0),
        backoff=max(ctx.config.probe_interval, 1.0),  # an unexpected error: probe again soon
    )
    async def monitor(*, body: kopf.Body, meta: kopf.Meta, patch: kopf.Patch, logger: Logger, **_: Any) -> None:
        if meta.get("deletionTimestamp"):
            return
        spec = NodeSpec.from_body(body, default_image=ctx.config.node_image)
        try:
            obs, events = await reconcile.observe(ctx, spec)
        except KubeError as error:
            logger.warning(f"Cannot observe {spec.name}: {error}")
            return
        post(body, events)
        previous = dict(body.get("status") or {})
        now = reconcile.now()
        new = status.compute(obs, previous, now)
        ctx.metrics.observe_status(spec.namespace, spec.name, new)
        if status.worth_writing(previous, new, now, ctx.config.status_interval):
            changes = status.patch_for(previous, new)
            if changes:
                patch.status.update(changes)
                ctx.metrics.status_writes.inc()
            post(body, status.transitions(previous, new))
