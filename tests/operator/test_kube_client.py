"""The operator's small Kubernetes client (k8s.Kube): what kopf's re-logins and dropped
connections do to it. Both once cost a node a minute without status: a re-login closed the
session a probe was using ("Connector is closed"), and the error was one kopf backs off from
for 60 seconds."""

from __future__ import annotations

import asyncio
import socket

import kopf
import pytest

from miniredis_operator.k8s import SECRETS, STALE_SESSIONS_KEPT, Kube, KubeError
from tests.operator.emulator import Cluster


def test_the_same_credentials_again_keep_the_session() -> None:
    async def scenario() -> None:
        kube = Kube()
        kube.connect(kopf.ConnectionInfo(server="http://127.0.0.1:1"))
        session = await kube._client()
        kube.connect(kopf.ConnectionInfo(server="http://127.0.0.1:1"))  # kopf re-authenticating
        assert await kube._client() is session and not session.closed
        await kube.close()
        assert session.closed

    asyncio.run(scenario())


def test_new_credentials_leave_the_old_session_to_its_requests() -> None:
    async def scenario() -> None:
        kube = Kube()
        kube.connect(kopf.ConnectionInfo(server="http://127.0.0.1:1"))
        first = await kube._client()
        kube.connect(kopf.ConnectionInfo(server="http://127.0.0.1:1", token="rotated"))
        second = await kube._client()
        assert second is not first and not first.closed  # a request on `first` may still run
        sessions = [first, second]
        for i in range(STALE_SESSIONS_KEPT + 1):
            kube.connect(kopf.ConnectionInfo(server="http://127.0.0.1:1", token=f"t{i}"))
            sessions.append(await kube._client())
        assert first.closed  # the oldest replaced ones are closed, the recent ones kept
        assert not any(s.closed for s in sessions[-STALE_SESSIONS_KEPT:])
        await kube.close()
        assert all(s.closed for s in sessions)

    asyncio.run(scenario())


def test_a_request_during_a_relogin_completes() -> None:
    cluster = Cluster()
    try:

        async def scenario() -> None:
            kube = Kube()
            info = kopf.ConnectionInfo(server=cluster.url)
            kube.connect(info)
            pending = [asyncio.ensure_future(kube.get(SECRETS, "default", f"s{i}")) for i in range(20)]
            await asyncio.sleep(0)
            kube.connect(kopf.ConnectionInfo(server=cluster.url))
            kube.connect(kopf.ConnectionInfo(server=cluster.url, token="other"))
            assert await asyncio.gather(*pending) == [None] * 20  # 404s: answered, not broken
            await kube.close()

        asyncio.run(scenario())
    finally:
        cluster.close()


def test_a_connection_failure_is_a_kube_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused

        async def scenario() -> None:
            kube = Kube()
            kube.connect(kopf.ConnectionInfo(server=f"http://127.0.0.1:{port}"))
            with pytest.raises(KubeError) as caught:
                await kube.get(SECRETS, "default", "x")
            assert caught.value.status == 0 and "Connect" in caught.value.message
            await kube.close()

        asyncio.run(scenario())
