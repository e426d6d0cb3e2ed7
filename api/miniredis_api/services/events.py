"""Node events: what the runtime's supervisor saw (a node process that died and why, restarts,
restarts that failed), kept in `node_events`, and the node's commands from the audit log, merged
newest first for `GET /api/tenants/{tid}/nodes/{nid}/events`.

The supervisor runs on the event loop and must never wait for the database: `EventRecorder.add`
queues an event (its time is the moment it happened) and a background task writes the queue in
one transaction shortly after. Reading events and shutting down write the queue first. A runtime
that reports events offers `on_event(listener)` (the local runtime's supervisor, and the kubernetes
runtime from the transitions it sees in the resources' status). Deleting a node deletes its events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.core.db import Database, utcnow
from miniredis_api.core.permissions import Action, allows
from miniredis_api.models import AuditRecord, User
from miniredis_api.models.auth import new_id
from miniredis_api.models.event import NodeEvent
from miniredis_api.models.tenant import ApiKey
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.event import NodeEventPublic
from miniredis_api.services.access import node_access
from miniredis_api.services.auth import Principal
from miniredis_api.services.nodes import NodeService

log = logging.getLogger(__name__)
EventListener = Callable[[str, str, str, str], None]
"""`listener(tenant_id, node_id, kind, message)`."""


class EventRecorder:
    def __init__(self, db: Database, *, delay: float = 0.05, max_pending: int = 10_000) -> None:
        self.db, self.delay, self.max_pending = db, delay, max_pending
        self.pending: list[NodeEvent] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def attach(self, runtime: object) -> None:
        """Listen to `runtime`'s events when it reports any."""
        on_event = getattr(runtime, "on_event", None)
        if callable(on_event):
            on_event(self.add)

    def add(self, tenant_id: str, node_id: str, kind: str, message: str) -> None:
        now = utcnow()
        if len(self.pending) >= self.max_pending:  # the database is gone for a long while: keep the newest
            del self.pending[: len(self.pending) - self.max_pending + 1]
        self.pending.append(
            NodeEvent(
                id=new_id(),
                tenant_id=tenant_id,
                node_id=node_id,
                kind=kind,
                message=message[:2000],
                created_at=now,
                updated_at=now,
            )
        )
        with contextlib.suppress(RuntimeError):  # no running loop: written at the next flush
            if self._task is None or self._task.done():
                self._task = asyncio.get_running_loop().create_task(self._write_soon(), name="node-events")

    async def forget(self, node_id: str) -> None:
        """Drop the queued events of a node being deleted, once any write in progress has finished
        (so none of its events is written after its rows are deleted)."""
        async with self._lock:
            self.pending = [event for event in self.pending if event.node_id != node_id]

    async def flush(self) -> None:
        async with self._lock:
            batch, self.pending = self.pending, []
            if not batch:
                return
            try:
                async with self.db.sessions() as session:
                    session.add_all(batch)
                    await session.commit()
            except BaseException:
                self.pending[:0] = [_copy(event) for event in batch]
                raise

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            log.exception("could not write %d node event(s) at shutdown", len(self.pending))

    async def _write_soon(self) -> None:
        delay = self.delay
        while self.pending:
            await asyncio.sleep(delay)
            try:
                await self.flush()
            except Exception:
                log.exception("could not write %d node event(s); retrying", len(self.pending))
                delay = min(5.0, delay * 4)


def _copy(event: NodeEvent) -> NodeEvent:
    return NodeEvent(
        id=event.id,
        tenant_id=event.tenant_id,
        node_id=event.node_id,
        kind=event.kind,
        message=event.message,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def _command_message(record: AuditRecord) -> str:
    keys = "" if record.key_count is None else f" on {record.key_count} key{'s' if record.key_count != 1 else ''}"
    return f"CLI ran {record.command.upper()}{keys} — {record.outcome}"


async def list_events(
    *,
    session: AsyncSession,
    principal: Principal,
    recorder: EventRecorder,
    nodes: NodeService,
    tenant_id: str,
    node_id: str,
    limit: int,
    offset: int,
) -> Page[NodeEventPublic]:
    """A node's failures and restarts, and (for admins and owners, who may read the audit log) the
    commands run on it, newest first."""
    _tenant, role, node = await node_access(
        session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.read_tenant
    )
    with_commands = allows(role, Action.read_audit)
    await recorder.flush()
    if with_commands:
        await nodes.audits.flush()
    window = limit + offset
    events = select(NodeEvent).where(NodeEvent.node_id == node.id)
    total = int((await session.execute(select(func.count()).select_from(events.subquery()))).scalar_one())
    items = [
        NodeEventPublic(
            id=event.id,
            node_id=event.node_id,
            kind=event.kind,  # type: ignore[arg-type]
            message=event.message,
            created_at=event.created_at,
            updated_at=event.updated_at,
        )
        for event in (
            await session.execute(events.order_by(NodeEvent.created_at.desc(), NodeEvent.id).limit(window))
        ).scalars()
    ]
    if with_commands:
        commands = select(AuditRecord).where(AuditRecord.node_id == node.id, AuditRecord.tenant_id == tenant_id)
        total += int((await session.execute(select(func.count()).select_from(commands.subquery()))).scalar_one())
        rows = await session.execute(
            select(AuditRecord, User.email, ApiKey.name)
            .where(AuditRecord.node_id == node.id, AuditRecord.tenant_id == tenant_id)
            .outerjoin(User, User.id == AuditRecord.user_id)
            .outerjoin(ApiKey, ApiKey.id == AuditRecord.api_key_id)
            .order_by(AuditRecord.created_at.desc(), AuditRecord.id)
            .limit(window)
        )
        for record, email, key_name in rows:
            items.append(
                NodeEventPublic(
                    id=record.id,
                    node_id=record.node_id,
                    kind="command",
                    message=_command_message(record),
                    command=record.command.upper(),
                    key_count=record.key_count,
                    outcome=record.outcome,
                    actor=f"API key {key_name}" if key_name else email,
                    created_at=record.created_at,
                    updated_at=record.updated_at,
                )
            )
    items.sort(key=lambda item: (item.created_at, item.id), reverse=True)
    return Page[NodeEventPublic](items=items[offset:window], total=total)
