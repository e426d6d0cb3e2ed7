"""Exec audit records, written in batches by a background task instead of one commit per command.

`AuditWriter.add` queues a record (its id and timestamps are set at once, so the record says when
the command ran, not when it was written) and returns; a background task writes whatever is
queued in one transaction a few milliseconds later. Reading the audit log, deleting a tenant and
shutting down flush the queue first, so the log always shows every command the API answered.

The durability trade-off: a record is in memory only for up to `AuditWriter.delay` seconds (plus
the commit) after the reply was sent. A graceful stop (SIGTERM, Ctrl-C) writes them all; a hard
kill of the API (SIGKILL, power loss) inside that window loses them. A failed write is retried
(the records stay queued, in order); when the queue reaches `max_pending` (the database has been
unavailable for a while) exec refuses new commands with 503 rather than run them unaudited.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from miniredis_api.core.db import Database, utcnow
from miniredis_api.core.errors import Unavailable
from miniredis_api.models import AuditRecord
from miniredis_api.models.auth import new_id

log = logging.getLogger(__name__)


class AuditWriter:
    def __init__(self, db: Database, *, delay: float = 0.05, max_pending: int = 10_000) -> None:
        self.db, self.delay, self.max_pending = db, delay, max_pending
        self.pending: list[AuditRecord] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="audit-writer")

    def check(self) -> None:
        """Refuse to run a command whose audit record could not be kept."""
        if len(self.pending) >= self.max_pending:
            raise Unavailable(
                "the audit log cannot be written right now; try again later", headers={"Retry-After": "5"}
            )

    def add(self, record: AuditRecord) -> None:
        now = utcnow()
        record.id = record.id or new_id()
        record.created_at = record.created_at or now
        record.updated_at = record.updated_at or now
        self.pending.append(record)
        self._wake.set()

    async def flush(self) -> None:
        """Write everything queued so far (raises if the database refuses; the records stay queued)."""
        async with self._lock:
            batch, self.pending = self.pending, []
            if not batch:
                return
            try:
                async with self.db.sessions() as session:
                    session.add_all(batch)
                    await session.commit()
            except BaseException:
                self.pending[:0] = [_copy(record) for record in batch]
                raise

    async def close(self) -> None:
        """Stop the background task and write what is left (three tries)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for attempt in range(3):
            try:
                await self.flush()
                return
            except Exception:
                log.exception("could not write %d audit record(s) (try %d of 3)", len(self.pending), attempt + 1)
                await asyncio.sleep(0.2)
        log.error("%d audit record(s) could not be written at shutdown", len(self.pending))

    async def _loop(self) -> None:
        backoff = self.delay
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(backoff)  # gather a burst of commands into one transaction
            try:
                await self.flush()
                backoff = self.delay
            except Exception:
                log.exception("could not write %d audit record(s); retrying", len(self.pending))
                backoff = min(5.0, backoff * 4)
                self._wake.set()


def _copy(record: AuditRecord) -> AuditRecord:
    """A fresh transient copy (a record that took part in a failed flush may be tied to its session)."""
    return AuditRecord(
        id=record.id,
        tenant_id=record.tenant_id,
        node_id=record.node_id,
        user_id=record.user_id,
        api_key_id=record.api_key_id,
        command=record.command,
        key_count=record.key_count,
        outcome=record.outcome,
        elapsed_ms=record.elapsed_ms,
        allowed=record.allowed,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
