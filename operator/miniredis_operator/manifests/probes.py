"""Readiness and liveness probes that speak RESP: AUTH with the node's password, then PING.

A TCP probe would call a node ready that accepts connections but cannot answer; an exec probe runs a
few lines of Python (the node image has it, and nothing else is needed) against 127.0.0.1 inside the
container, reading the password from the same environment variable the node reads.
"""

from __future__ import annotations

from typing import Any

# Exits 0 only when the node answers +PONG (after +OK for AUTH when a password is set).
RESP_PING_SCRIPT = """\
import os, socket
p = os.environ.get('MINIREDIS_REQUIREPASS', '').encode()
s = socket.create_connection(('127.0.0.1', int(os.environ.get('MINIREDIS_PORT', '6379'))), timeout=2)
req = b'*2\\r\\n$4\\r\\nAUTH\\r\\n$%d\\r\\n%s\\r\\n' % (len(p), p) if p else b''
s.sendall(req + b'*1\\r\\n$4\\r\\nPING\\r\\n')
want = b'+OK\\r\\n+PONG\\r\\n' if p else b'+PONG\\r\\n'
got = b''
while len(got) < len(want):
    chunk = s.recv(512)
    if not chunk:
        break
    got += chunk
raise SystemExit(0 if got == want else 1)
"""


def resp_probe(*, period: int, failures: int, initial_delay: int = 0, timeout: int = 3) -> dict[str, Any]:
    """An exec probe running RESP_PING_SCRIPT."""
    return {
        "exec": {"command": ["python", "-c", RESP_PING_SCRIPT]},
        "initialDelaySeconds": initial_delay,
        "periodSeconds": period,
        "timeoutSeconds": timeout,
        "failureThreshold": failures,
    }
