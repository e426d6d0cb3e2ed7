"""`make e2e-kind` runs tests/e2e/kind/run.sh; where docker or kind is missing it must skip cleanly."""

from __future__ import annotations

import os
import subprocess

from tests.support import REPO


def test_e2e_kind_skips_without_docker_or_kind(tmp_path: os.PathLike[str]) -> None:
    env = {**os.environ, "PATH": f"{tmp_path}:/usr/bin:/bin"}
    if any(os.access(os.path.join(p, "kind"), os.X_OK) for p in env["PATH"].split(":")):
        return  # a machine with kind really runs it; nothing to check here
    result = subprocess.run(
        ["bash", str(REPO / "tests/e2e/kind/run.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "e2e-kind: SKIPPED" in result.stdout
