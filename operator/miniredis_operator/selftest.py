"""`python -m miniredis_operator.selftest`: what `helm test` runs inside the cluster.

Creates a MiniRedisNode, waits for its Ready condition, PINGs it through its Service with the password
from its Secret, and deletes it. Settings: SELFTEST_NAMESPACE, SELFTEST_NAME, SELFTEST_MEMORY,
SELFTEST_TIMEOUT. Exits 0 on success, 1 with a reason otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time

import kopf

from miniredis_operator import naming, resp
from miniredis_operator.k8s import MINIREDISNODES, Kube


async def run(namespace: str, name: str, memory: str, timeout: float) -> str | None:
    """None on success, else what went wrong."""
    info = kopf.login_with_service_account(settings=kopf.OperatorSettings(), logger=logging.getLogger("selftest"))
    if info is None:
        return "no service account credentials"
    kube = Kube()
    kube.connect(info)
    body = {
        "apiVersion": naming.API_VERSION,
        "kind": naming.KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"tenant": "helm-test", "memory": memory},
    }
    try:
        await kube.delete(MINIREDISNODES, namespace, name)
        await kube.create(MINIREDISNODES, body)
        deadline = time.monotonic() + timeout
        status: dict[str, object] = {}
        while time.monotonic() < deadline:
            node = await kube.get(MINIREDISNODES, namespace, name) or {}
            status = dict(node.get("status") or {})
            conditions = {c.get("type"): c for c in status.get("conditions") or ()}  # type: ignore[attr-defined]
            if (conditions.get("Ready") or {}).get("status") == "True":
                break
            await asyncio.sleep(2)
        else:
            return f"{name} not Ready after {timeout:g}s: {status}"
        password = await kube.secret_value(namespace, naming.secret_name(name), naming.PASSWORD_KEY)
        host = naming.service_host(name, namespace, os.environ.get("SELFTEST_CLUSTER_DOMAIN", "cluster.local"))
        (pong,) = await resp.call(host, naming.NODE_PORT, [("PING",)], password=password, timeout=10)
        if pong != "PONG":
            return f"PING answered {pong!r}"
        print(f"{name}: Ready, PING -> PONG through {host}:{naming.NODE_PORT}")
        return None
    finally:
        await kube.delete(MINIREDISNODES, namespace, name)
        await kube.close()


def main() -> None:
    problem = asyncio.run(
        run(
            namespace=os.environ.get("SELFTEST_NAMESPACE", "default"),
            name=os.environ.get("SELFTEST_NAME", "helm-test"),
            memory=os.environ.get("SELFTEST_MEMORY", "64Mi"),
            timeout=float(os.environ.get("SELFTEST_TIMEOUT", "180")),
        )
    )
    if problem:
        print(f"selftest failed: {problem}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
