"""Where nodes run. `base.Runtime` is the interface every runtime implements; `local` runs each node
as an OS process on this machine; `kubernetes` writes MiniRedisNode resources for the operator."""

from __future__ import annotations

from miniredis_api.core.config import Settings
from miniredis_api.runtimes.base import Runtime


def build_runtime(settings: Settings) -> Runtime:
    """The runtime named by `MINIREDIS_RUNTIME`."""
    if settings.runtime == "local":
        from miniredis_api.runtimes.local import LocalRuntime

        return LocalRuntime(settings)
    if settings.runtime == "kubernetes":
        from miniredis_api.runtimes.kubernetes import KubernetesRuntime

        return KubernetesRuntime(settings)
    raise ValueError(f"unknown runtime {settings.runtime!r}")  # pragma: no cover - guarded by Settings
