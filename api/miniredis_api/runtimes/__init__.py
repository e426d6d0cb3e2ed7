"""Where nodes run. `base.Runtime` is the interface every runtime implements; `local` runs each node
as an OS process on this machine; a `kubernetes` runtime plugs in behind the same interface."""

from __future__ import annotations

from miniredis_api.core.config import Settings
from miniredis_api.runtimes.base import Runtime


def build_runtime(settings: Settings) -> Runtime:
    """The runtime named by `MINIREDIS_RUNTIME`."""
    if settings.runtime == "local":
        from miniredis_api.runtimes.local import LocalRuntime

        return LocalRuntime(settings)
    raise ValueError(f"unknown runtime {settings.runtime!r}")  # pragma: no cover - guarded by Settings
