"""The compiled hot path (scripts/build_node_native.py) is what runs, where it was built.

CI sets MINIREDIS_EXPECT_NATIVE=1: there, a build that silently fell back to pure Python would
leave every other test green and the benchmark figures wrong, so it fails here instead.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from scripts.build_node_native import COMPILED

EXPECTED = os.environ.get("MINIREDIS_EXPECT_NATIVE") == "1"


def module_name(source: str) -> str:
    return source.removesuffix(".py").replace("/", ".")


@pytest.mark.skipif(not EXPECTED, reason="MINIREDIS_EXPECT_NATIVE is not set (the node may run as pure Python)")
@pytest.mark.parametrize("source", COMPILED)
def test_each_hot_module_is_an_extension(source: str) -> None:
    module = importlib.import_module(module_name(source))
    assert module.__file__ is not None and module.__file__.endswith(".so"), module.__file__


def test_the_node_says_how_its_hot_path_runs() -> None:
    """The start-up log names it (compiled or pure Python), matching what this process imports."""
    from miniredis_node.server import is_compiled

    out = subprocess.run(
        [sys.executable, "-c", "from miniredis_node.server import is_compiled; print(is_compiled())"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == str(is_compiled())
    if EXPECTED:
        assert is_compiled()
