"""Fixtures for the operator's tests: an emulated cluster and the operator running against it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from miniredis_operator.config import OperatorConfig
from miniredis_operator.spec import NodeSpec
from tests.operator.emulator import Cluster, OperatorThread


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def ports() -> dict[str, int]:
    """Node name -> the local port of a real node process the operator's probe should reach."""
    return {}


@pytest.fixture
def operator(cluster: Cluster, ports: dict[str, int]) -> Iterator[OperatorThread]:
    def resolve(spec: NodeSpec) -> tuple[str, int]:
        return "127.0.0.1", ports.get(spec.name, 1)  # port 1: nothing listens, the probe fails fast

    config = OperatorConfig(
        node_image="miniredis/node:test",
        probe_interval=0.3,
        status_interval=1.0,
        probe_timeout=2.0,
        health_port=0,
        metrics_port=0,
    )
    thread = OperatorThread(cluster, config, resolve=resolve)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()
