"""Prometheus metrics at `/metrics`: requests and latency (by route template), nodes by phase,
per-node memory and ops/s. One registry per application, so tests can build many apps."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

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

    async def middleware(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        route = "unmatched"
        for candidate in request.app.router.routes:
            match, _ = candidate.matches(request.scope)
            if match == Match.FULL:
                route = getattr(candidate, "path", "unmatched")
                break
        started = time.perf_counter()
        response = await call_next(request)
        self.latency.labels(request.method, route).observe(time.perf_counter() - started)
        self.requests.labels(request.method, route, str(response.status_code)).inc()
        return response
