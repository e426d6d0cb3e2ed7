"""Operator-wide handlers: login (shared with k8s.Kube), startup and cleanup, the liveness probe."""

from __future__ import annotations

from typing import Any

import kopf

from miniredis_operator.context import Context, Logger


def register(registry: kopf.OperatorRegistry, ctx: Context) -> None:
    @kopf.on.login(registry=registry, id="login")
    def login(*, settings: kopf.OperatorSettings, logger: Logger, **_: Any) -> kopf.ConnectionInfo | None:
        """Fixed credentials, else the pod's service account, else ~/.kube/config."""
        info = ctx.connection
        if info is None:
            info = kopf.login_with_service_account(settings=settings, logger=logger)
        if info is None:
            info = kopf.login_with_kubeconfig(settings=settings, logger=logger)
        if info is not None:
            ctx.kube.connect(info)
        return info

    @kopf.on.startup(registry=registry, id="startup")
    def startup(*, logger: Logger, **_: Any) -> None:
        ctx.metrics.serve(ctx.config.metrics_port)
        scope = ", ".join(ctx.config.namespaces) or "all namespaces"
        logger.info(f"MiniRedis operator watching {scope}; default node image {ctx.config.node_image}.")

    @kopf.on.cleanup(registry=registry, id="cleanup")
    async def cleanup(**_: Any) -> None:
        await ctx.kube.close()
        ctx.metrics.stop()

    @kopf.on.probe(registry=registry, id="kubernetes")
    def logged_in(**_: Any) -> bool:
        """Part of /healthz: whether the operator holds Kubernetes credentials."""
        return ctx.kube.connected
