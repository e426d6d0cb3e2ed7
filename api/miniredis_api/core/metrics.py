"""Prometheus metrics at `/metrics`: requests and latency (by route template), nodes by phase,
per-node memory and ops/s. One registry per application, so tests can build many apps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from miniredis_api.services.nodes import NodeService


class NodeCollector(Collector):
    def __init__(self, nodes: NodeService) -> None:
        self.nodes = nodes

    def collect(self) -> Iterator[GaugeMetricFamily]:
        phases = GaugeMetricFamily("miniredis_nodes", "Nodes by phase", labels=["phase"])
        for phase, count in sorted(self.nodes.phase_counts().items()):
            phases.add_metric([phase], count)
        yield phases
        memory = GaugeMetricFamily(
            "miniredis_node_used_memory_bytes", "Used memory per node", labels=["tenant_id", "node_id", "node"]
        )
        limit = GaugeMetricFamily(
            "miniredis_node_maxmemory_bytes", "Memory limit per node", labels=["tenant_id", "node_id", "node"]
        )
        ops = GaugeMetricFamily(
            "miniredis_node_ops_per_second", "Commands per second per node", labels=["tenant_id", "node_id", "node"]
        )
        for node_id, sample in list(self.nodes.monitor.latest.items()):
            spec = self.nodes.specs.get(node_id)
            if spec is None:
                continue
            labels = [spec.tenant_id, node_id, spec.name]
            memory.add_metric(labels, sample.used_memory)
            limit.add_metric(labels, spec.memory)
            ops.add_metric(labels, sample.ops_per_sec)
        yield memory
        yield limit
        yield ops


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "miniredis_api_requests", "API requests", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "miniredis_api_request_seconds", "API request latency", ["method", "route"], registry=registry
        )


class HttpMetricsMiddleware:
    """Pure ASGI (a `BaseHTTPMiddleware` costs a task and a stream per request): the route template
    comes from `scope["route"]`, which the router sets on the way in."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        recorded = False

        def record() -> None:
            nonlocal recorded
            recorded = True
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
            self.metrics.requests.labels(method, route, str(status)).inc()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # Count before the last byte leaves: a client that has its response must find
                # the request in /metrics (the app's own return comes later).
                record()
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            if not recorded:
                record()
