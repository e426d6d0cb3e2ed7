"""Checks for the whole suite, before any test runs."""

from __future__ import annotations

import pytest

from scripts.build_node_native import COMPILED, NODE


def pytest_sessionstart(session: pytest.Session) -> None:
    """Python imports a compiled module before its .py: tests run after editing one of the node's
    compiled modules would exercise the old build. Refuse that, and say what to run."""
    stale = []
    for source in COMPILED:
        py = NODE / source
        built = sorted(py.parent.glob(py.stem + ".*.so"))
        if built and built[0].stat().st_mtime < py.stat().st_mtime:
            stale.append(source)
    if stale:
        raise pytest.UsageError(f"compiled node modules older than their source: {', '.join(stale)}; run `make native`")
