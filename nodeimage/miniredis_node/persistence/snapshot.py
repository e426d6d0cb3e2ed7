"""RDB snapshots of a running server: SAVE, BGSAVE in a forked child, `save` rules, loading at
start-up and DEBUG RELOAD, the snapshot at shutdown, and the INFO persistence figures.

One `Snapshots` object per server (`server.rdb`). The file is always written to
`temp-<pid>.rdb` in `dir`, fsynced, then renamed over `dir/dbfilename`, so a crash mid-save
never leaves a half-written dump behind. BGSAVE forks: the child inherits a frozen copy of the
dataset (copy-on-write), writes it and leaves with `os._exit`; the parent keeps serving and
reaps the child from the cron (`cron`), as Redis's serverCron does.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import time
from typing import TYPE_CHECKING, Any, Final

from miniredis_node.eviction import lfu_minutes
from miniredis_node.persistence.rdb import Limits, RdbError, Snapshot, write_snapshot

if TYPE_CHECKING:
    from miniredis_node.keyspace import Keyspace
    from miniredis_node.server import Server

log = logging.getLogger("miniredis.node")

BGSAVE_RETRY_DELAY: Final = 5  # seconds before `save` rules retry after a failed BGSAVE


def parse_save_rules(text: str) -> list[tuple[int, int]]:
    """`save "3600 1 300 100"` -> [(3600, 1), (300, 100)]; malformed pairs are ignored."""
    words = text.split()
    rules = []
    for i in range(0, len(words) - 1, 2):
        try:
            seconds, changes = int(words[i]), int(words[i + 1])
        except ValueError:
            continue
        if seconds >= 0 and changes >= 0:
            rules.append((seconds, changes))
    return rules


def write_file(keyspace: Keyspace, config: Any, path: str, *, used_memory: int = 0, aof_base: bool = False) -> int:
    """Write the whole dataset to `path` through a fsynced temporary file; the number of keys."""
    directory = os.path.dirname(path) or "."
    temp = os.path.join(directory, f"temp-{os.getpid()}.rdb")
    try:
        with open(temp, "wb", buffering=1 << 20) as out:
            written = write_snapshot(
                out,
                ((db.id, db.data, db.expires) for db in keyspace.dbs),
                now_ms=int(time.time() * 1000),
                used_memory=used_memory,
                aof_base=aof_base,
                limits=Limits.from_config(config),
            )
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.remove(temp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    return written


def load_data(keyspace: Keyspace, config: Any, data: bytes, *, merge: bool = True) -> tuple[int, int]:
    """Add the keys of an RDB image to the keyspace; (keys loaded, keys skipped as expired).

    Keys already expired are dropped, as a master does. Without `merge` a key that exists
    already is an error (Redis dies on it: "Duplicate key"); with it the file's value wins.
    """
    snapshot = Snapshot(data, Limits.from_config(config))
    now = int(time.time() * 1000)
    loaded = expired = 0
    dbs = keyspace.dbs
    for entry in snapshot.entries():
        if entry.db >= len(dbs):
            raise RdbError(
                f"FATAL: Data file was created with a Redis server configured to handle more than "
                f"{len(dbs)} databases. Exiting"
            )
        if entry.expire_ms is not None and entry.expire_ms <= now:
            expired += 1
            continue
        db = dbs[entry.db]
        if not merge and entry.key in db.data:
            raise RdbError(f"Duplicate key '{entry.key.decode(errors='replace')}' found in RDB file")
        db.set(entry.key, entry.value)
        if entry.expire_ms is not None:
            db.set_expire(entry.key, entry.expire_ms)
        mode = keyspace.track_access  # what the file says of the key's LRU idle time / LFU counter
        if mode == "lfu" and entry.freq is not None:
            db.access[entry.key] = lfu_minutes(now) << 8 | entry.freq
        elif mode == "lru" and entry.idle_s is not None:
            db.access[entry.key] = now - entry.idle_s * 1000
        loaded += 1
    return loaded, expired


class Snapshots:
    """RDB persistence state of one server (Redis's server.lastsave, child_pid, dirty...)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.last_save = int(time.time())  # "at start-up we consider the DB saved"
        self.dirty_at_last_save = 0
        self.saves = 0
        self.child_pid = 0
        self.child_started = 0.0
        self.dirty_at_fork = 0
        self.last_bgsave_ok = True
        self.last_bgsave_seconds = -1
        self.last_bgsave_try = 0.0
        self.scheduled = False
        self.keys_loaded = 0
        self.keys_expired = 0
        self.shut_down = False
        self._rules_text = ""
        self._rules: list[tuple[int, int]] = []

    # ---- where -----------------------------------------------------------------------------------
    @property
    def path(self) -> str:
        config = self.server.config
        return os.path.join(str(config["dir"]), str(config["dbfilename"]))

    @property
    def changes(self) -> int:
        """rdb_changes_since_last_save."""
        return max(self.server.keyspace.dirty - self.dirty_at_last_save, 0)

    def rules(self) -> list[tuple[int, int]]:
        text = self.server.config["save"]
        if text != self._rules_text:
            self._rules_text, self._rules = text, parse_save_rules(text)
        return self._rules

    def other_child_active(self) -> bool:
        """An AOF rewrite child is running (Redis allows one child at a time)."""
        aof = getattr(self.server, "aof", None)
        return bool(aof is not None and getattr(aof, "child_pid", 0))

    # ---- saving ----------------------------------------------------------------------------------
    def save(self) -> bool:
        """SAVE: write the snapshot now, blocking; False (logged) when it failed."""
        server = self.server
        dirty = server.keyspace.dirty
        try:
            write_file(server.keyspace, server.config, self.path, used_memory=server.used_memory())
        except (OSError, RdbError) as error:
            log.warning("Failed saving the DB: %s", error)
            return False
        log.info("DB saved on disk")
        self.dirty_at_last_save = dirty
        self.last_save = int(time.time())
        self.last_bgsave_ok = True  # Redis counts a good SAVE as a good last save too
        return True

    def bgsave(self) -> bool:
        """Fork a child that writes the snapshot; False when fork failed."""
        server = self.server
        self.last_bgsave_try = time.time()
        self.dirty_at_fork = server.keyspace.dirty
        used_memory = server.used_memory()
        try:
            pid = os.fork()
        except OSError as error:
            self.last_bgsave_ok = False
            log.warning("Can't save in background: fork: %s", error)
            return False
        if pid == 0:
            self._child(used_memory)  # never returns
        self.child_pid = pid
        self.child_started = time.monotonic()
        self.scheduled = False
        self.saves += 1
        log.info("Background saving started by pid %d", pid)
        return True

    def _child(self, used_memory: int) -> None:
        """In the forked child: write and leave, never returning into the event loop."""
        status = 1
        try:
            # Signals must not reach the parent's event loop through the inherited wakeup fd,
            # and SIGTERM/SIGUSR1 must simply end the child.
            signal.set_wakeup_fd(-1)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
                signal.signal(signum, signal.SIG_DFL)
            gc.disable()  # a collection would touch (and copy) every page of the dataset
            server = self.server
            write_file(server.keyspace, server.config, self.path, used_memory=used_memory)
            log.info("DB saved on disk")
            status = 0
        except BaseException:
            log.exception("Background save failed")
        finally:
            os._exit(status)

    def reap(self, *, block: bool = False) -> None:
        """Collect a finished BGSAVE child and record its outcome (backgroundSaveDoneHandler)."""
        if not self.child_pid:
            return
        try:
            pid, status = os.waitpid(self.child_pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid, status = self.child_pid, 1 << 8
        if pid == 0:
            return
        self.child_pid = 0
        self.last_bgsave_seconds = int(time.monotonic() - self.child_started)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            log.info("Background saving terminated with success")
            self.dirty_at_last_save = self.dirty_at_fork
            self.last_save = int(time.time())
            self.last_bgsave_ok = True
        else:
            log.warning("Background saving error")
            self.last_bgsave_ok = False
            self._remove_temp(pid)

    def kill_child(self) -> None:
        """Stop a BGSAVE in progress (at shutdown, or before a synchronous save replaces it)."""
        pid = self.child_pid
        if not pid:
            return
        log.warning("There is a child saving an .rdb. Killing it!")
        try:
            os.kill(pid, signal.SIGUSR1)
            os.waitpid(pid, 0)
        except OSError:
            pass
        self.child_pid = 0
        self._remove_temp(pid)

    def _remove_temp(self, pid: int) -> None:
        try:
            os.remove(os.path.join(self.server.config["dir"], f"temp-{pid}.rdb"))
        except OSError:
            pass

    def cron(self) -> None:
        """Once per server tick: reap the child; start a scheduled BGSAVE or one a `save` rule
        asks for (after a failed one, only once BGSAVE_RETRY_DELAY has passed)."""
        if self.child_pid:
            self.reap()
            return
        if self.other_child_active():
            return
        now = time.time()
        may_retry = self.last_bgsave_ok or now - self.last_bgsave_try > BGSAVE_RETRY_DELAY
        if self.scheduled and may_retry:
            self.bgsave()
            return
        rules = self.rules()
        if not rules:
            return
        changes = self.changes
        for seconds, needed in rules:
            if changes >= needed and now - self.last_save > seconds and may_retry:
                log.info("%d changes in %d seconds. Saving...", needed, seconds)
                self.bgsave()
                return

    # ---- loading ---------------------------------------------------------------------------------
    def load(self, *, merge: bool = True) -> None:
        """Load `dir/dbfilename` into the keyspace (RdbError / OSError when it cannot)."""
        server = self.server
        with open(self.path, "rb") as handle:
            data = handle.read()
        started = time.monotonic()
        self.keys_loaded, self.keys_expired = load_data(server.keyspace, server.config, data, merge=merge)
        log.info(
            "Done loading RDB, keys loaded: %d, keys expired: %d. DB loaded from disk: %.3f seconds",
            self.keys_loaded,
            self.keys_expired,
            time.monotonic() - started,
        )
        self.dirty_at_last_save = server.keyspace.dirty  # loading is not a change

    def load_on_start(self) -> None:
        """At start-up (appendonly off): load the dump if there is one; a broken one is fatal."""
        if not os.path.exists(self.path):
            return
        try:
            self.load()
        except (OSError, RdbError) as error:
            log.critical("Fatal error loading the DB: %s. Exiting.", error)
            raise SystemExit(1) from None

    # ---- shutdown --------------------------------------------------------------------------------
    def on_shutdown(self, save: bool | None) -> bool:
        """prepareForShutdown's snapshot: kill a running BGSAVE; save when asked (SHUTDOWN SAVE)
        or, unless told not to (NOSAVE), when `save` rules are set. False when saving failed.
        Once it succeeded, later calls (close() after SIGTERM) do nothing."""
        if self.shut_down:
            return True
        self.kill_child()
        if save is None:
            save = bool(self.rules())
        if save:
            log.info("Saving the final RDB snapshot before exiting.")
            if not self.save():
                log.warning("Error trying to save the DB, can't exit.")
                return False
        self.shut_down = True
        return True

    # ---- INFO ------------------------------------------------------------------------------------
    def info_fields(self) -> dict[str, object]:
        """INFO persistence's rdb_* figures."""
        return {
            "rdb_changes_since_last_save": self.changes,
            "rdb_bgsave_in_progress": 1 if self.child_pid else 0,
            "rdb_last_save_time": self.last_save,
            "rdb_last_bgsave_status": "ok" if self.last_bgsave_ok else "err",
            "rdb_last_bgsave_time_sec": self.last_bgsave_seconds,
            "rdb_current_bgsave_time_sec": int(time.monotonic() - self.child_started) if self.child_pid else -1,
            "rdb_saves": self.saves,
            "rdb_last_load_keys_expired": self.keys_expired,
            "rdb_last_load_keys_loaded": self.keys_loaded,
        }
