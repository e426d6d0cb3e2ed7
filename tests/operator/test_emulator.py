"""The test cluster itself: its watch must be gapless, as an API server's is, or the operator and the
API's runtime miss changes at random under load (kmock's own watch loses those made while its opening
snapshot is still being sent)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.operator.emulator import SECRETS, Cluster


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    yield cluster
    cluster.close()


def secret(name: str, size: int) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": {"blob": "A" * size}}


def test_a_change_made_while_the_watch_sends_its_snapshot_is_streamed(cluster: Cluster) -> None:
    # Megabytes of existing objects: the server is still writing the opening ADDED events (blocked on
    # the socket, which this test does not read yet) when the next object is created.
    for i in range(64):
        cluster.create(SECRETS, secret(f"old-{i}", 64 * 1024))
    path = SECRETS.format(ns="default")
    with (
        httpx.Client(base_url=cluster.url, timeout=10) as watcher,
        watcher.stream("GET", path, params={"watch": "true"}) as stream,
    ):
        lines = stream.iter_lines()
        first = next(line for line in lines if line.strip())
        assert json.loads(first)["type"] == "ADDED"
        cluster.create(SECRETS, secret("late", 10))
        seen: list[str] = []
        for line in lines:
            if not line.strip():
                continue
            event = json.loads(line)
            seen.append(event["object"]["metadata"]["name"])
            if seen[-1] == "late":
                break
        assert seen[-1] == "late" and event["type"] == "ADDED"
        assert len(seen) == 64  # the 63 other old ones, then the late one, each once
