"""The local runtime: each node is its own OS process on this machine, supervised by the API.

* Ports come from `REDIS_PORT_START..REDIS_PORT_END`; a port is taken only if nothing (ours or
  anyone's) listens on it. When none is left, `create`/`start` raise `CapacityExhausted`.
* Processes start in their own session, so they outlive the API. Each node's pid and port are kept
  in `<var_dir>/local-runtime/state.json`; at `open()` a process that still runs (same pid, same
  command line, answering PING with its password) is adopted instead of restarted: no data is lost.
* A supervisor task checks every process a few times a second. A process that died while it should
  run is marked Failed (with why) and restarted with exponential backoff; its phase is never Running
  while no process answers.
* The password reaches the node through its environment (`MINIREDIS_REQUIREPASS`), never argv.
* Each node has its own directory `<var_dir>/local-runtime/nodes/<id>` (its `--dir`, log and data
  files), removed when the node is deleted. `persistence: rdb` adds save rules (and with them a
  snapshot on SIGTERM, so on every stop); `aof` adds `--appendonly yes --appendfsync everysec`;
  `none` starts every time from an empty directory (files a manual SAVE left are dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redis.exceptions import RedisError

from miniredis_api.core.config import Settings
from miniredis_api.runtimes.base import (
    Capacity,
    CapacityExhausted,
    DesiredNode,
    Endpoint,
    NodeSpec,
    NodeState,
    Runtime,
    RuntimeFailure,
)
from miniredis_api.schemas.node import Phase

log = logging.getLogger(__name__)
SUPERVISE_EVERY = 0.25
STABLE_AFTER = 60.0
"""A node that ran this long without crashing has its backoff reset."""
RDB_SAVE_RULES = "900 1 300 10 60 10000"
"""Snapshot rules of `persistence: rdb` nodes (seconds and changes), as redis.conf's defaults."""


@dataclass
class Managed:
    """One node known to the runtime."""

    spec: NodeSpec
    desired_running: bool
    phase: Phase = Phase.pending
    reason: str | None = None
    port: int | None = None
    pid: int | None = None
    popen: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    failures_in_a_row: int = 0
    started_at: float = 0.0
    restart_at: float | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class LocalRuntime(Runtime):
    name = "local"

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.root = (settings.var_dir / "local-runtime").resolve()
        self.state_file = self.root / "state.json"
        self.nodes: dict[str, Managed] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._port_lock = asyncio.Lock()
        self._event_listeners: list[Callable[[str, str, str, str], None]] = []

    # ---- the interface -------------------------------------------------------------------------

    async def open(self, nodes: Sequence[DesiredNode]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        recorded = self._read_state()
        known = {desired.spec.id for desired in nodes}
        for node_id, entry in recorded.items():
            if node_id not in known and self._is_our_process(entry.get("pid"), entry.get("port"), node_id):
                log.warning("stopping orphan node process %s (pid %s)", node_id, entry.get("pid"))
                await self._terminate_pid(int(entry["pid"]))
        semaphore = asyncio.Semaphore(8)

        async def reconcile(desired: DesiredNode) -> None:
            async with semaphore:
                await self._reconcile(desired, recorded.get(desired.spec.id, {}))

        await asyncio.gather(*(reconcile(desired) for desired in nodes))
        self._save_state()
        self._supervisor = asyncio.get_running_loop().create_task(self._supervise(), name="local-runtime-supervisor")

    async def close(self, *, stop_nodes: bool = False) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        if stop_nodes:
            await asyncio.gather(*(self._kill(managed) for managed in self.nodes.values()))
            self._save_state()
        await self.close_clients()

    async def create(self, spec: NodeSpec, *, running: bool) -> NodeState:
        managed = Managed(spec=spec, desired_running=running, phase=Phase.pending if running else Phase.stopped)
        self.nodes[spec.id] = managed
        if running:
            async with managed.lock:
                try:
                    await self._spawn(managed)
                except CapacityExhausted:
                    del self.nodes[spec.id]
                    raise
        return self._state(managed)

    async def start(self, spec: NodeSpec) -> NodeState:
        managed = self.nodes.get(spec.id)
        if managed is None:
            managed = self.nodes[spec.id] = Managed(spec=spec, desired_running=True)
        async with managed.lock:
            managed.spec = spec
            managed.desired_running = True
            managed.failures_in_a_row = 0
            if not self._alive(managed):
                await self._spawn(managed)
        return self._state(managed)

    async def stop(self, node_id: str) -> NodeState:
        managed = self._get(node_id)
        async with managed.lock:
            managed.desired_running = False
            managed.restart_at = None
            self._set(managed, Phase.stopping, None)
            await self._kill(managed)
            self._set(managed, Phase.stopped, None)
        return self._state(managed)

    async def delete(self, node_id: str) -> None:
        managed = self.nodes.get(node_id)
        if managed is not None:
            async with managed.lock:
                managed.desired_running = False
                managed.restart_at = None
                self._set(managed, Phase.deleting, None)
                await self._kill(managed)
            self.nodes.pop(node_id, None)
        self.forget_client(node_id)
        shutil.rmtree(self.root / "nodes" / node_id, ignore_errors=True)
        self._save_state()

    async def resize(self, spec: NodeSpec) -> None:
        managed = self._get(spec.id)
        managed.spec = spec
        if self._alive(managed) and managed.phase == Phase.running:
            await self._config_set(spec, {"maxmemory": str(spec.memory), "maxmemory-policy": spec.eviction_policy})

    async def set_password(self, spec: NodeSpec) -> None:
        managed = self._get(spec.id)
        old = managed.spec
        if self._alive(managed) and managed.phase == Phase.running:
            await self._config_set(old, {"requirepass": spec.password})
        managed.spec = spec
        self.forget_client(spec.id)

    def status(self, node_id: str) -> NodeState | None:
        managed = self.nodes.get(node_id)
        return None if managed is None else self._state(managed)

    def exec_endpoint(self, node_id: str) -> Endpoint | None:
        managed = self.nodes.get(node_id)
        if managed is None or managed.port is None or managed.phase != Phase.running:
            return None
        host = "127.0.0.1" if self.settings.node_bind in ("0.0.0.0", "") else self.settings.node_bind
        return Endpoint(host="::1" if host == "::" else host, port=managed.port)

    def capacity(self) -> Capacity:
        total = self.settings.redis_port_end - self.settings.redis_port_start + 1
        return Capacity(total=total, used=len(self._ports_in_use()))

    async def ready(self) -> bool:
        return self._supervisor is not None and not self._supervisor.done()

    # ---- processes -------------------------------------------------------------------------------

    def _node_dir(self, node_id: str) -> Path:
        return self.root / "nodes" / node_id

    def _argv(self, spec: NodeSpec, port: int) -> list[str]:
        argv = [
            *self.settings.node_argv,
            "--port",
            str(port),
            "--bind",
            self.settings.node_bind,
            "--maxmemory",
            str(spec.memory),
            "--maxmemory-policy",
            spec.eviction_policy,
            "--dir",
            str(self._node_dir(spec.id)),
        ]
        if spec.persistence == "rdb":
            # with save rules set the node also snapshots on SIGTERM, i.e. on every stop
            argv += ["--save", RDB_SAVE_RULES]
        elif spec.persistence == "aof":
            argv += ["--appendonly", "yes", "--appendfsync", "everysec"]
        return argv

    def _discard_data(self, spec: NodeSpec) -> None:
        """For `persistence: none`: drop files a SAVE or BGSAVE run by hand may have left, so a node
        without persistence always starts empty (as its dashboard and API say)."""
        directory = self._node_dir(spec.id)
        (directory / "dump.rdb").unlink(missing_ok=True)
        shutil.rmtree(directory / "appendonlydir", ignore_errors=True)

    async def _spawn(self, managed: Managed) -> None:
        """Start the process on a free port and wait until it answers PING (caller holds the lock)."""
        spec = managed.spec
        directory = self._node_dir(spec.id)
        directory.mkdir(parents=True, exist_ok=True)
        if spec.persistence not in ("rdb", "aof"):
            self._discard_data(spec)
        env = {name: value for name, value in os.environ.items() if not name.startswith("MINIREDIS_")}
        env["MINIREDIS_REQUIREPASS"] = spec.password
        if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None and "PYTHONPYCACHEPREFIX" not in env:
            # Without cached bytecode every node start compiles its ~60 modules again (about half
            # of its start-up): keep the bytecode here instead, out of the source tree.
            env["PYTHONPYCACHEPREFIX"] = str(self.root / "pycache")
        for _attempt in range(3):
            async with self._port_lock:
                port = self._allocate_port(prefer=managed.port or spec.port)
                self._set(managed, Phase.starting, managed.reason if managed.restarts else None)
                with open(directory / "node.log", "ab") as logfile:
                    managed.popen = subprocess.Popen(
                        self._argv(spec, port),
                        stdin=subprocess.DEVNULL,
                        stdout=logfile,
                        stderr=subprocess.STDOUT,
                        env=env,
                        start_new_session=True,
                        cwd=directory,
                    )
                managed.pid, managed.port = managed.popen.pid, port
            self._save_state()
            managed.started_at = time.monotonic()
            problem = await self._wait_ready(managed)
            if problem is None:
                self._set(managed, Phase.running, managed.reason if managed.restarts else None)
                return
            await self._kill(managed)
            if "in use" not in problem:
                self._set(managed, Phase.failed, problem)
                raise RuntimeFailure(problem)
        self._set(managed, Phase.failed, "could not bind a port")
        raise RuntimeFailure("could not bind a port")

    async def _wait_ready(self, managed: Managed) -> str | None:
        """None once the node answers PING, else why it did not."""
        assert managed.port is not None
        deadline = time.monotonic() + self.settings.node_start_timeout_seconds
        auth = _command(b"AUTH", managed.spec.password.encode()) + _command(b"PING")
        while time.monotonic() < deadline:
            if not self._alive(managed):
                tail = self._log_tail(managed.spec.id)
                if "in use" in tail.lower():
                    return "port in use"
                return f"node process exited at start ({self._exit_text(managed)}): {tail}"
            if await _ping(self.exec_host(), managed.port, auth):
                return None
            # a refused connect costs ~0.1 ms: poll often while the node boots (the first PONG is
            # what creating a node waits for), less often once it is slow to come up
            await asyncio.sleep(0.002 if time.monotonic() - managed.started_at < 2 else 0.02)
        return f"node did not answer PING within {self.settings.node_start_timeout_seconds:g}s"

    def exec_host(self) -> str:
        return "127.0.0.1" if self.settings.node_bind in ("0.0.0.0", "") else self.settings.node_bind

    def _log_tail(self, node_id: str) -> str:
        try:
            text = (self._node_dir(node_id) / "node.log").read_text(errors="replace")
        except OSError:
            return ""
        return " ".join(text.strip().splitlines()[-3:])[-300:]

    def _alive(self, managed: Managed) -> bool:
        if managed.popen is not None:
            return managed.popen.poll() is None
        return managed.pid is not None and _pid_alive(managed.pid)

    def _exit_text(self, managed: Managed) -> str:
        code = managed.popen.returncode if managed.popen is not None else None
        if code is None:
            return "process disappeared"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    async def _kill(self, managed: Managed) -> None:
        """SIGTERM, then SIGKILL after 5 s; forgets pid and port."""
        if managed.popen is not None and managed.popen.poll() is None:
            managed.popen.terminate()
            for _ in range(500):
                if managed.popen.poll() is not None:
                    break
                await asyncio.sleep(0.01)
            else:
                managed.popen.kill()
                managed.popen.wait()
        elif managed.popen is None and managed.pid is not None:
            await self._terminate_pid(managed.pid)
        managed.popen, managed.pid = None, None
        self.forget_client(managed.spec.id)
        self._save_state()

    async def _terminate_pid(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(500):
            if not _pid_alive(pid):
                return
            await asyncio.sleep(0.01)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def _is_our_process(self, pid: object, port: object, node_id: str) -> bool:
        """Whether `pid` is still the node process we started (guards against pid reuse)."""
        if not isinstance(pid, int) or not _pid_alive(pid):
            return False
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        text = b" ".join(argv).decode(errors="replace")
        return f"--port {port}" in text and str(self._node_dir(node_id)) in text

    # ---- adoption ------------------------------------------------------------------------------

    async def _reconcile(self, desired: DesiredNode, entry: dict[str, int]) -> None:
        spec = desired.spec
        managed = Managed(spec=spec, desired_running=desired.running, port=entry.get("port") or spec.port)
        self.nodes[spec.id] = managed
        pid, port = entry.get("pid"), entry.get("port")
        alive = self._is_our_process(pid, port, spec.id)
        async with managed.lock:
            if alive and desired.running:
                assert isinstance(pid, int) and isinstance(port, int)
                managed.pid, managed.port, managed.started_at = pid, port, time.monotonic()
                if await _ping(self.exec_host(), port, _command(b"AUTH", spec.password.encode()) + _command(b"PING")):
                    self._set(managed, Phase.running, None)
                    return
                await self._terminate_pid(pid)
                managed.pid = None
            elif alive:
                assert isinstance(pid, int)
                await self._terminate_pid(pid)
            if not desired.running:
                self._set(managed, Phase.stopped, None)
                return
            managed.reason = "restarted: its process was gone when the API started (in-memory data lost)"
            managed.restarts = 1 if desired.last_phase == Phase.running else 0
            try:
                await self._spawn(managed)
                self._event(managed, "restarted", "restarted: its process was gone when the API started")
            except RuntimeFailure as error:
                log.warning("could not start node %s: %s", spec.id, error)
                managed.restart_at = time.monotonic() + self.settings.restart_backoff_seconds
                self._event(managed, "restart_failed", f"could not start it when the API started: {error}")

    # ---- supervision ---------------------------------------------------------------------------

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(SUPERVISE_EVERY)
            try:
                await self._check_all()
            except Exception:  # the supervisor never dies of one node's problem
                log.exception("supervisor pass failed")

    async def _check_all(self) -> None:
        now = time.monotonic()
        for managed in list(self.nodes.values()):
            if managed.lock.locked() or not managed.desired_running:
                continue
            if managed.phase == Phase.running and not self._alive(managed):
                why = self._exit_text(managed)
                if managed.popen is None and managed.pid is not None:
                    _reap(managed.pid)
                if now - managed.started_at > STABLE_AFTER:
                    managed.failures_in_a_row = 0
                managed.failures_in_a_row += 1
                managed.restarts += 1
                delay = min(
                    self.settings.restart_backoff_max_seconds,
                    self.settings.restart_backoff_seconds * 2 ** (managed.failures_in_a_row - 1),
                )
                managed.restart_at = now + delay
                managed.popen, managed.pid = None, None
                self.forget_client(managed.spec.id)
                self._set(
                    managed, Phase.failed, f"node process died ({why}); restart {managed.restarts} in {delay:.1f}s"
                )
                self._event(managed, "failed", managed.reason or f"node process died ({why})")
                self._save_state()
            elif managed.phase == Phase.failed and managed.restart_at is not None and now >= managed.restart_at:
                managed.restart_at = None
                task = asyncio.get_running_loop().create_task(self._restart(managed))
                _tasks.add(task)
                task.add_done_callback(_tasks.discard)

    async def _restart(self, managed: Managed) -> None:
        async with managed.lock:
            if not managed.desired_running or self._alive(managed):
                return
            reason = managed.reason or ""
            try:
                await self._spawn(managed)
                self._set(managed, Phase.running, f"restarted {managed.restarts} time(s); last: {reason.split(';')[0]}")
                self._event(managed, "restarted", f"restarted after a crash (restart {managed.restarts})")
            except RuntimeFailure as error:
                managed.failures_in_a_row += 1
                delay = min(
                    self.settings.restart_backoff_max_seconds,
                    self.settings.restart_backoff_seconds * 2 ** (managed.failures_in_a_row - 1),
                )
                managed.restart_at = time.monotonic() + delay
                self._set(managed, Phase.failed, f"restart failed: {error}; next try in {delay:.1f}s")
                self._event(managed, "restart_failed", managed.reason or f"restart failed: {error}")

    # ---- ports and state -------------------------------------------------------------------------

    def _ports_in_use(self) -> set[int]:
        """Ports held by node processes of ours (started, or starting)."""
        return {managed.port for managed in self.nodes.values() if managed.port is not None and managed.pid is not None}

    def _allocate_port(self, prefer: int | None) -> int:
        """The preferred port when free, else the first free one in the range (caller holds _port_lock)."""
        start, end = self.settings.redis_port_start, self.settings.redis_port_end
        taken = self._ports_in_use()
        candidates = range(start, end + 1)
        if prefer is not None and start <= prefer <= end:
            candidates = [prefer, *candidates]  # type: ignore[assignment]
        for port in candidates:
            if port not in taken and _port_free(self.settings.node_bind, port):
                return port
        raise CapacityExhausted(f"no free port left in {start}..{end} (REDIS_PORT_START..REDIS_PORT_END)")

    def _read_state(self) -> dict[str, dict[str, int]]:
        try:
            data = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}
        nodes = data.get("nodes", {}) if isinstance(data, dict) else {}
        return {str(k): v for k, v in nodes.items() if isinstance(v, dict)}

    def _save_state(self) -> None:
        nodes = {
            node_id: {"pid": managed.pid, "port": managed.port}
            for node_id, managed in self.nodes.items()
            if managed.pid is not None
        }
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"nodes": nodes}, indent=1))
        tmp.replace(self.state_file)

    # ---- helpers ---------------------------------------------------------------------------------

    def _get(self, node_id: str) -> Managed:
        managed = self.nodes.get(node_id)
        if managed is None:
            raise RuntimeFailure(f"node {node_id} is not known to the local runtime")
        return managed

    def _state(self, managed: Managed) -> NodeState:
        endpoint = Endpoint(self.settings.advertised_host, managed.port) if managed.port and managed.pid else None
        return NodeState(phase=managed.phase, reason=managed.reason, endpoint=endpoint, restarts=managed.restarts)

    def on_event(self, listener: Callable[[str, str, str, str], None]) -> None:
        """Call `listener(tenant_id, node_id, kind, message)` for each failure or restart the supervisor sees."""
        self._event_listeners.append(listener)

    def _event(self, managed: Managed, kind: str, message: str) -> None:
        for listener in self._event_listeners:
            try:
                listener(managed.spec.tenant_id, managed.spec.id, kind, message)
            except Exception:  # recording an event never breaks supervision
                log.exception("could not record a %s event of node %s", kind, managed.spec.id)

    def _set(self, managed: Managed, phase: Phase, reason: str | None) -> None:
        managed.phase, managed.reason = phase, reason
        self._notify(managed.spec.id, self._state(managed))

    async def _config_set(self, spec: NodeSpec, values: dict[str, str]) -> None:
        try:
            client = self.client(spec)
            for name, value in values.items():
                await client.config_set(name, value)
        except (RedisError, OSError) as error:
            raise RuntimeFailure(f"the node refused CONFIG SET: {error}") from error


_tasks: set[asyncio.Task[None]] = set()


def _command(*args: bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


async def _ping(host: str, port: int, payload: bytes) -> bool:
    """Whether the node accepts AUTH and answers PONG (raw RESP, no client library needed)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 1.0)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(payload)
        data = b""
        while b"PONG" not in data:
            chunk = await asyncio.wait_for(reader.read(256), 1.0)
            if not chunk or chunk.startswith(b"-") or b"\r\n-" in data + chunk:
                return False
            data += chunk
        return True
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def _port_free(bind: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # as the node binds (asyncio sets SO_REUSEADDR): connections in TIME_WAIT do not make a port
        # taken, a listener does
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind or "0.0.0.0", port))
        except OSError:
            return False
    return True


def _pid_alive(pid: int) -> bool:
    """True for a live, non-zombie process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rpartition(")")[2].split()[0] if ")" in stat else "?"
    if state in ("Z", "X"):
        _reap(pid)
        return False
    return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
