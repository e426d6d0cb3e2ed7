"""Create, update, resume and delete handlers for MiniRedisNode: reconcile, write status, post events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import kopf

from miniredis_operator import naming, reconcile, status
from miniredis_operator.context import Context, Logger
from miniredis_operator.k8s import MINIREDISNODES, KubeError
from miniredis_operator.spec import NodeSpec


def post(body: kopf.Body, events: Iterable[status.Event]) -> None:
    """Post events about the MiniRedisNode (through kopf's event queue)."""
    for event in events:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)


def write_status(ctx: Context, body: kopf.Body, patch: kopf.Patch, obs: status.Observation) -> dict[str, Any]:
    """Compute the status, queue its patch, post transition events; return the new status."""
    previous = dict(body.get("status") or {})
    new = status.compute(obs, previous, reconcile.now())
    changes = status.patch_for(previous, new)
    if changes:
        patch.status.update(changes)
        ctx.metrics.status_writes.inc()
    post(body, status.transitions(previous, new))
    meta = body.get("metadata") or {}
    ctx.metrics.observe_status(str(meta.get("namespace")), str(meta.get("name")), new)
    return new


# After an unexpected error a handler runs again this soon (kopf's default is a minute, which a
# user creating a node would spend looking at Pending).
RETRY_SECONDS = 5.0


def register(registry: kopf.OperatorRegistry, ctx: Context) -> None:
    async def reconcile_node(handler: str, body: kopf.Body, patch: kopf.Patch, logger: Logger) -> None:
        spec = NodeSpec.from_body(body, default_image=ctx.config.node_image)
        try:
            events = await reconcile.apply(ctx, spec, logger)
            obs, more = await reconcile.observe(ctx, spec)
        except KubeError as error:
            ctx.metrics.reconciles.labels(handler, "error").inc()
            kopf.warn(body, reason="ReconcileFailed", message=f"Kubernetes refused a request: {error}. Retrying.")
            raise kopf.TemporaryError(str(error), delay=10) from error
        post(body, [*events, *more])
        write_status(ctx, body, patch, obs)
        ctx.metrics.reconciles.labels(handler, "ok").inc()

    @kopf.on.create(naming.GROUP, naming.VERSION, naming.PLURAL, registry=registry, id="create", backoff=RETRY_SECONDS)
    async def created(*, body: kopf.Body, patch: kopf.Patch, logger: Logger, **_: Any) -> None:
        await reconcile_node("create", body, patch, logger)

    @kopf.on.update(
        naming.GROUP, naming.VERSION, naming.PLURAL, registry=registry, id="update", field="spec", backoff=RETRY_SECONDS
    )
    async def updated(*, body: kopf.Body, patch: kopf.Patch, logger: Logger, **_: Any) -> None:
        await reconcile_node("update", body, patch, logger)

    @kopf.on.resume(naming.GROUP, naming.VERSION, naming.PLURAL, registry=registry, id="resume", backoff=RETRY_SECONDS)
    async def resumed(*, body: kopf.Body, patch: kopf.Patch, logger: Logger, **_: Any) -> None:
        await reconcile_node("resume", body, patch, logger)

    @kopf.on.delete(naming.GROUP, naming.VERSION, naming.PLURAL, registry=registry, id="delete")
    async def deleted(*, body: kopf.Body, logger: Logger, **_: Any) -> None:
        spec = NodeSpec.from_body(body, default_image=ctx.config.node_image)
        previous = dict(body.get("status") or {})
        obs, _events = await reconcile.observe(ctx, spec, deleting=True, with_probe=False)
        new = status.compute(obs, previous, reconcile.now())
        try:
            await ctx.kube.patch(
                MINIREDISNODES,
                spec.namespace,
                spec.name,
                {"status": status.patch_for(previous, new)},
                subresource="status",
            )
            post(body, status.transitions(previous, new))
            post(body, await reconcile.teardown(ctx, spec))
        except KubeError as error:
            ctx.metrics.reconciles.labels("delete", "error").inc()
            raise kopf.TemporaryError(f"could not delete the children: {error}", delay=10) from error
        ctx.metrics.reconciles.labels("delete", "ok").inc()
        logger.info(f"MiniRedisNode {spec.namespace}/{spec.name} deleted.")
