"""The dashboard (frontend/): its install, type check and build, Vitest suite, generated-client
freshness check, and the Playwright suite in real headless Chromium against a real API with real
nodes. One xdist group, in order: the browser tests need the build.

The browser part is skipped, with the reason, only when /usr/bin/chromium is absent
(`apt-get install -y chromium`); everything else needs Node.js 20.19+ and npm.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

pytestmark = [
    pytest.mark.xdist_group("frontend"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (apt-get install nodejs npm)"),
]


def run(*argv: str, timeout: float, env: dict[str, str] | None = None) -> str:
    """Run a command in frontend/, echo its output, fail with the output when it fails."""
    result = subprocess.run(
        argv,
        cwd=FRONTEND,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    print(output)
    assert result.returncode == 0, f"{' '.join(argv)} failed ({result.returncode}):\n{output[-6000:]}"
    return output


@contextlib.contextmanager
def frontend_lock() -> Iterator[None]:
    """One install, build or browser run over frontend/ at a time: pytest-xdist may spread these
    tests over workers, and a build empties dist/ while the browser suite is serving it."""
    with open(ROOT / ".frontend-install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    """`npm ci` when node_modules is missing or older than the lockfile."""
    marker = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    with frontend_lock():
        if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
            run("npm", "ci", "--no-audit", "--no-fund", timeout=900, env={"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"})


def test_generated_client_is_fresh() -> None:
    """frontend/src/client is what scripts/generate-client.sh makes from the API's OpenAPI today."""
    run("scripts/generate-client.sh", "--check", timeout=300, env={"PYTHON": str(ROOT / ".venv" / "bin" / "python")})


def test_vitest() -> None:
    run("npx", "vitest", "run", timeout=600)


def test_typecheck_and_build() -> None:
    """`tsc -b && vite build`, then the bundle figures (initial JS gzipped; printed, not asserted)."""
    with frontend_lock():
        output = run("npm", "run", "build", timeout=600)
        assert "initial JS (gzipped)" in output
        assert (FRONTEND / "dist" / "index.html").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install -y chromium")
def test_browser() -> None:
    """Playwright (no browser download) drives Debian's Chromium against `miniredis up` on a free port."""
    with frontend_lock():
        if not (FRONTEND / "dist" / "index.html").exists():
            run("npm", "run", "build", timeout=600)
        output = run(
            "npx",
            "playwright",
            "test",
            "--reporter=list",
            timeout=1200,
            env={"MINIREDIS_E2E_PORT": str(_free_port()), "CHROMIUM_PATH": str(CHROMIUM), "CI": "1"},
        )
    for line in output.splitlines():
        if "[figure]" in line:
            print(line)
