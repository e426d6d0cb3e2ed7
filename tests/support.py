"""Test support shared by every suite: free ports, real processes, and a raw RESP client.

Nothing here is mocked: `NodeProcess` runs `python -m miniredis_node` and `RedisProcess` runs
Debian's `redis-server`, each on a free loopback port, and tests talk to them over TCP.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64):
                    return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing answered on port {port}")


class ServerProcess:
    """A server process on a free port; `stop()` terminates it (SIGTERM, then SIGKILL)."""

    def __init__(self, argv: Sequence[str], port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self._log_file = open(log, "wb")  # noqa: SIM115 - closed in stop()
        # Node processes start from cached bytecode, as an installed node does, even where the
        # environment forbids writing .pyc files next to the sources.
        env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(tempfile.gettempdir(), "miniredis-test-pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.proc = subprocess.Popen(list(argv), stdout=self._log_file, stderr=subprocess.STDOUT, env=env)
        try:
            wait_for_port(port, proc=self.proc)
        except Exception:
            self.stop()
            raise RuntimeError(f"server did not start; log:\n{log.read_text(errors='replace')}") from None

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()
        return self.proc.returncode


class NodeProcess(ServerProcess):
    """Our node: `python -m miniredis_node --port N [flags]`."""

    def __init__(self, *flags: str, port: int | None = None, workdir: Path | None = None) -> None:
        port = port or free_port()
        workdir = workdir or Path(tempfile.mkdtemp(prefix="miniredis-node-"))
        argv = [sys.executable, "-m", "miniredis_node", "--port", str(port), "--dir", str(workdir), *flags]
        super().__init__(argv, port, workdir / "node.log")
        self.workdir = workdir


class RedisProcess(ServerProcess):
    """The oracle: Debian's redis-server with nothing saved to disk."""

    def __init__(self, *flags: str, port: int | None = None) -> None:
        if REDIS_SERVER is None:
            raise RuntimeError("redis-server is not installed")
        port = port or free_port()
        workdir = Path(tempfile.mkdtemp(prefix="miniredis-oracle-"))
        argv = [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            *flags,
        ]
        super().__init__(argv, port, workdir / "redis.log")
        self.workdir = workdir


class RawClient:
    """A RESP client that returns each reply's exact bytes, for byte-for-byte comparisons."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, *args: bytes | str | int | float) -> None:
        self.sock.sendall(encode_command(args))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def call(self, *args: bytes | str | int | float) -> bytes:
        self.send(*args)
        return self.read_reply()

    def read_reply(self) -> bytes:
        """The raw bytes of exactly one reply (nested aggregates included)."""
        end = self._reply_end(0)
        while end is None:
            self._fill()
            end = self._reply_end(0)
        raw, self.buffer = self.buffer[:end], self.buffer[end:]
        return raw

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buffer += chunk

    def _reply_end(self, pos: int) -> int | None:
        buf = self.buffer
        newline = buf.find(b"\r\n", pos)
        if newline == -1:
            return None
        kind, header = buf[pos : pos + 1], buf[pos + 1 : newline]
        after = newline + 2
        if kind in b"+-:_,#(":
            return after
        if kind in b"$=!":
            size = int(header)
            if size < 0:
                return after
            return after + size + 2 if len(buf) >= after + size + 2 else None
        if kind in b"*~>%|":
            count = int(header)
            if count < 0:
                return after
            if kind in b"%|":
                count *= 2
            for _ in range(count):
                nxt = self._reply_end(after)
                if nxt is None:
                    return None
                after = nxt
            return after
        raise ValueError(f"not RESP: {buf[pos : pos + 40]!r}")

    def is_closed(self, timeout: float = 2.0) -> bool:
        """True when the server has closed this connection (reads EOF)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    return True
                self.buffer += chunk
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True


def encode_command(args: Sequence[Any]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif isinstance(arg, (int, float)):
            arg = repr(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


def parse_reply(raw: bytes) -> Any:
    """Parse one raw reply into Python values (errors as `('error', text)`), for unordered checks."""
    value, _ = _parse(raw, 0)
    return value


def _parse(buf: bytes, pos: int) -> tuple[Any, int]:
    newline = buf.find(b"\r\n", pos)
    kind, header, after = buf[pos : pos + 1], buf[pos + 1 : newline], newline + 2
    if kind == b"+":
        return ("status", header), after
    if kind == b"-":
        return ("error", header), after
    if kind == b":":
        return int(header), after
    if kind in b"$=!":
        size = int(header)
        if size < 0:
            return None, after
        return buf[after : after + size], after + size + 2
    if kind == b"_":
        return None, after
    if kind == b",":
        return ("double", header), after
    if kind == b"#":
        return header == b"t", after
    if kind in b"*~>%":
        count = int(header)
        if count < 0:
            return None, after
        items = []
        for _ in range(count * (2 if kind == b"%" else 1)):
            item, after = _parse(buf, after)
            items.append(item)
        return (kind.decode(), items), after
    raise ValueError(kind)


def canonical(value: Any) -> Any:
    """Order-insensitive form of a parsed reply: aggregates become sorted tuples, recursively."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], list):
        kind, items = value
        if kind == "%":
            pairs = sorted((repr(canonical(items[i])), repr(canonical(items[i + 1]))) for i in range(0, len(items), 2))
            return (kind, tuple(pairs))
        return (kind, tuple(sorted(repr(canonical(item)) for item in items)))
    return value


@contextlib.contextmanager
def running_node(*flags: str) -> Iterator[NodeProcess]:
    node = NodeProcess(*flags)
    try:
        yield node
    finally:
        node.stop()


@contextlib.contextmanager
def running_redis(*flags: str) -> Iterator[RedisProcess]:
    server = RedisProcess(*flags)
    try:
        yield server
    finally:
        server.stop()


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false", "no")
