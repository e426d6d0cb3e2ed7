"""Nodes: rows in the database driven through a runtime.

The database holds the desired state (memory, policy, running, password) and the last observed
phase and endpoint; the runtime holds the truth about processes. Reads overlay the runtime's live
state on the row, so a killed process is never shown as Running; changes reported by the runtime
are also written back to the row (batched) for lists, restarts and other replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.core import security
from miniredis_api.core.config import Settings
from miniredis_api.core.db import Database, utcnow
from miniredis_api.core.errors import BadGateway, BadRequest, Conflict, NotFound, QuotaExceeded, Unavailable
from miniredis_api.core.permissions import Action, Role
from miniredis_api.models import AuditRecord, Node, Tenant
from miniredis_api.models.auth import new_id
from miniredis_api.repositories import nodes as node_repo
from miniredis_api.repositories import tenants as tenant_repo
from miniredis_api.runtimes.base import CapacityExhausted, DesiredNode, NodeSpec, NodeState, Runtime, RuntimeFailure
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.node import (
    AuditPublic,
    Capacity,
    Endpoint,
    EvictionPolicy,
    ExecResult,
    NodeCreate,
    NodeMetrics,
    NodePassword,
    NodePublic,
    NodeUpdate,
    Overview,
    Persistence,
    Phase,
    PhaseCounts,
    Reply,
    TenantOverview,
)
from miniredis_api.services.access import node_access, tenant_access
from miniredis_api.services.audit import AuditWriter
from miniredis_api.services.auth import Principal
from miniredis_api.services.exec import Executor, command_name, parse_request, refusal
from miniredis_api.services.monitoring import Monitor
from miniredis_api.services.tenants import quotas_of

log = logging.getLogger(__name__)


def spec_of(node: Node, box: security.SecretBox) -> NodeSpec:
    return NodeSpec(
        id=node.id,
        tenant_id=node.tenant_id,
        name=node.name,
        memory=node.memory,
        eviction_policy=node.eviction_policy,
        password=box.decrypt(node.password_encrypted),
        port=node.port,
        persistence=node.persistence,
    )


class NodeService:
    def __init__(self, settings: Settings, db: Database, runtime: Runtime) -> None:
        self.settings, self.db, self.runtime = settings, db, runtime
        self.forget_events: Callable[[str], Awaitable[None]] | None = None
        """Drops a deleted node's queued events (`EventRecorder.forget`), set by the application."""
        self.box = security.SecretBox(settings.secret_key)
        """Node passwords are stored encrypted (`nodes.password_encrypted`) with this box."""
        self.monitor = Monitor(settings, runtime)
        self.executor = Executor(settings)
        self.audits = AuditWriter(db)
        self.specs: dict[str, NodeSpec] = {}
        self._dirty: dict[str, NodeState] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    # ---- lifecycle -------------------------------------------------------------------------------

    async def open(self) -> None:
        async with self.db.sessions() as session:
            nodes = await node_repo.all_nodes(session=session)
        self.specs = {node.id: spec_of(node, self.box) for node in nodes}
        self.runtime.on_change(self._changed)
        await self.runtime.open(
            [
                DesiredNode(spec=spec_of(node, self.box), running=node.running, last_phase=Phase(node.phase))
                for node in nodes
                if node.phase != Phase.deleting
            ]
        )
        self._flusher = asyncio.get_running_loop().create_task(self._flush_loop(), name="node-state-writer")
        self.audits.start()
        self.monitor.start(lambda: list(self.specs.values()))

    async def close(self, *, stop_nodes: bool = False) -> None:
        await self.monitor.stop()
        await self.runtime.close(stop_nodes=stop_nodes)
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._flush()
        await self.audits.close()
        self.executor.close()

    def _changed(self, node_id: str, state: NodeState) -> None:
        self._dirty[node_id] = state
        self._wake.set()

    async def _flush_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(0.2)  # batch bursts of changes into one transaction
            try:
                await self._flush()
            except Exception:
                log.exception("could not record node states")

    async def _flush(self) -> None:
        dirty, self._dirty = self._dirty, {}
        if not dirty:
            return
        async with self.db.sessions() as session:
            for node_id, state in dirty.items():
                node = await session.get(Node, node_id)
                if node is None or node.phase == Phase.deleting:
                    continue
                node.phase, node.reason = state.phase.value, state.reason
                if state.endpoint is not None:
                    node.host, node.port = state.endpoint.host, state.endpoint.port
            await session.commit()

    # ---- views -----------------------------------------------------------------------------------

    def public(self, node: Node) -> NodePublic:
        state = self.runtime.status(node.id)
        phase = state.phase if state is not None else Phase(node.phase)
        reason = state.reason if state is not None else node.reason
        endpoint = None
        if state is not None and state.endpoint is not None:
            endpoint = Endpoint(host=state.endpoint.host, port=state.endpoint.port)
        return NodePublic(
            id=node.id,
            tenant_id=node.tenant_id,
            name=node.name,
            memory=node.memory,
            eviction_policy=EvictionPolicy(node.eviction_policy),
            running=node.running,
            phase=phase,
            reason=reason,
            endpoint=endpoint,
            metrics=self.monitor.latest.get(node.id) if phase == Phase.running else None,
            restarts=state.restarts if state is not None else 0,
            persistence=Persistence(node.persistence),
            data_kept_when_stopped=node.persistence != Persistence.none,
            created_at=node.created_at,
            updated_at=node.updated_at,
        )

    async def _node(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str, action: Action
    ) -> tuple[Tenant, Role, Node]:
        return await node_access(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=action
        )

    # ---- operations ------------------------------------------------------------------------------

    async def create(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, body: NodeCreate
    ) -> NodePublic:
        tenant, _ = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.write_nodes
        )
        memory = (
            int(body.memory) if body.memory is not None else max(self.settings.default_memory, self.runtime.min_memory)
        )
        # the check, the name lookup and the insert are one transaction holding the tenant's lock
        tenant = await self._lock(session=session, tenant=tenant)
        await self._check_quotas(session=session, tenant=tenant, memory=memory, adding=True)
        if await node_repo.get_node_by_name(session=session, tenant_id=tenant_id, name=body.name) is not None:
            raise Conflict(f"a node named {body.name!r} already exists in this tenant")
        now = utcnow()
        node = Node(
            id=new_id(),
            tenant_id=tenant_id,
            name=body.name,
            memory=memory,
            eviction_policy=body.eviction_policy.value,
            running=body.running,
            persistence=self._persistence_of(body).value,
            password_encrypted=self.box.encrypt(security.new_node_password()),
            phase=(Phase.pending if body.running else Phase.stopped).value,
            created_at=now,
            updated_at=now,
        )
        spec = spec_of(node, self.box)
        self.specs[node.id] = spec
        # The node process boots (the slow part) while its row is written: start it first.
        launch = asyncio.ensure_future(self.runtime.create(spec, running=body.running))
        try:
            await node_repo.create_node(session=session, node=node)
            await session.commit()
        except BaseException as error:
            await session.rollback()
            self.specs.pop(node.id, None)
            with contextlib.suppress(Exception):
                await launch
            with contextlib.suppress(Exception):
                await self.runtime.delete(node.id)
            if isinstance(error, IntegrityError):
                raise Conflict(f"a node named {body.name!r} already exists in this tenant") from None
            raise
        try:
            state = await launch
        except CapacityExhausted as error:
            self.specs.pop(node.id, None)
            await node_repo.delete_node(session=session, node=node)
            await session.commit()
            raise Unavailable(f"no capacity for another node: {error}", headers={"Retry-After": "30"}) from None
        except RuntimeFailure as error:
            state = NodeState(phase=Phase.failed, reason=str(error))
        self._apply(node, state)
        # the observed phase and endpoint reach the row through the batched state writer (the reply
        # already shows the live state), which saves a second commit on the way to the first PONG
        self._changed(node.id, state)
        return self.public(node)

    async def list_nodes(
        self,
        *,
        session: AsyncSession,
        principal: Principal,
        tenant_id: str,
        name: str | None,
        phase: Phase | None,
        running: bool | None,
        limit: int,
        offset: int,
    ) -> Page[NodePublic]:
        await tenant_access(session=session, principal=principal, tenant_id=tenant_id, action=Action.read_tenant)
        if phase is None:
            nodes, total = await node_repo.list_nodes(
                session=session, tenant_id=tenant_id, name=name, running=running, limit=limit, offset=offset
            )
            return Page(items=[self.public(node) for node in nodes], total=total)
        # the phase is live (from the runtime), so it is filtered after the overlay
        nodes, _ = await node_repo.list_nodes(
            session=session, tenant_id=tenant_id, name=name, running=running, limit=100000, offset=0
        )
        matching = [view for view in map(self.public, nodes) if view.phase == phase]
        return Page(items=matching[offset : offset + limit], total=len(matching))

    async def get(self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str) -> NodePublic:
        _, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.read_tenant
        )
        return self.public(node)

    async def update(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str, body: NodeUpdate
    ) -> NodePublic:
        tenant, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.write_nodes
        )
        memory = int(body.memory) if body.memory is not None else node.memory
        policy = body.eviction_policy.value if body.eviction_policy is not None else node.eviction_policy
        if body.persistence is not None and body.persistence.value != node.persistence:
            raise Conflict(
                f"persistence is fixed at creation (this node has {node.persistence!r}): create a new node "
                f"with persistence {body.persistence.value!r} and move the data (e.g. with DUMP/RESTORE)"
            )
        previous = node.memory
        if memory != node.memory:
            # reserve the new size under the tenant's lock (check and write, one transaction), then
            # apply it; a failed apply gives the reservation back
            tenant = await self._lock(session=session, tenant=tenant)
            await session.refresh(node)
            previous = node.memory
            await self._check_quotas(session=session, tenant=tenant, memory=memory, adding=False, replacing=node.memory)
            node.memory = memory
            await session.commit()
        spec = NodeSpec(
            id=node.id,
            tenant_id=node.tenant_id,
            name=node.name,
            memory=memory,
            eviction_policy=policy,
            password=self.box.decrypt(node.password_encrypted),
            port=node.port,
            persistence=node.persistence,
        )
        try:
            await self.runtime.resize(spec)
        except RuntimeFailure as error:
            if node.memory != previous:
                node.memory = previous
                await session.commit()
            raise BadGateway(str(error)) from None
        node.memory, node.eviction_policy = memory, policy
        self.specs[node.id] = spec
        await session.commit()
        return self.public(node)

    async def start(self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str) -> NodePublic:
        _, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.write_nodes
        )
        node.running = True
        await session.commit()
        try:
            state = await self.runtime.start(spec_of(node, self.box))
        except CapacityExhausted as error:
            node.running = False
            await session.commit()
            raise Unavailable(f"no capacity to start the node: {error}", headers={"Retry-After": "30"}) from None
        except RuntimeFailure as error:
            state = NodeState(phase=Phase.failed, reason=str(error))
        self._apply(node, state)
        await session.commit()
        return self.public(node)

    async def stop(self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str) -> NodePublic:
        _, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.write_nodes
        )
        node.running = False
        await session.commit()
        with contextlib.suppress(RuntimeFailure):
            self._apply(node, await self.runtime.stop(node.id))
        self.monitor.latest.pop(node.id, None)
        if node.host and node.port:
            self.executor.pool.forget(self.executor_host(), node.port)
        await session.commit()
        return self.public(node)

    async def delete(self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str) -> None:
        _, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.write_nodes
        )
        await self._delete(session=session, node=node)
        await session.commit()

    async def _delete(self, *, session: AsyncSession, node: Node) -> None:
        node.phase = Phase.deleting.value
        await session.commit()
        try:
            await self.runtime.delete(node.id)
        except RuntimeFailure as error:
            raise BadGateway(f"could not delete the node: {error}") from None
        self.monitor.forget(node.id)
        self.specs.pop(node.id, None)
        if self.forget_events is not None:  # the runtime reports no more events of it: drop the queued ones
            await self.forget_events(node.id)
        await node_repo.delete_node(session=session, node=node)  # with its event rows

    async def delete_tenant(self, *, session: AsyncSession, principal: Principal, tenant_id: str) -> None:
        """Nodes first (processes and data), then the tenant's rows."""
        tenant, _ = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.delete_tenant
        )
        nodes, _ = await node_repo.list_nodes(session=session, tenant_id=tenant_id, limit=1_000_000)
        for node in nodes:
            await self._delete(session=session, node=node)
        await session.commit()
        await self.audits.flush()  # so no queued record of this tenant is written after its rows are gone
        await tenant_repo.delete_tenant_rows(session=session, tenant_id=tenant_id)
        await tenant_repo.delete_tenant(session=session, tenant=tenant)
        await session.commit()

    async def password(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str
    ) -> NodePassword:
        _, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.read_password
        )
        return NodePassword(password=self.box.decrypt(node.password_encrypted))

    async def rotate_password(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str
    ) -> NodePassword:
        _, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.read_password
        )
        new = security.new_node_password()
        spec = NodeSpec(
            id=node.id,
            tenant_id=node.tenant_id,
            name=node.name,
            memory=node.memory,
            eviction_policy=node.eviction_policy,
            password=new,
            port=node.port,
            persistence=node.persistence,
        )
        try:
            await self.runtime.set_password(spec)
        except RuntimeFailure as error:
            raise BadGateway(str(error)) from None
        node.password_encrypted = self.box.encrypt(new)
        self.specs[node.id] = spec
        await session.commit()
        return NodePassword(password=new)

    async def metrics(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str, since_seconds: float
    ) -> NodeMetrics:
        _, _, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.read_tenant
        )
        return NodeMetrics(
            latest=self.monitor.latest.get(node.id), history=self.monitor.history(node.id, since_seconds)
        )

    async def exec(
        self,
        *,
        session: AsyncSession,
        principal: Principal,
        tenant_id: str,
        node_id: str,
        command: str | None,
        args: list[str] | None,
    ) -> ExecResult:
        _, role, node = await self._node(
            session=session, principal=principal, tenant_id=tenant_id, node_id=node_id, action=Action.exec_readonly
        )
        argv = parse_request(command, args)
        self.audits.check()
        endpoint = self.runtime.exec_endpoint(node.id)
        audit = AuditRecord(
            tenant_id=tenant_id,
            node_id=node.id,
            user_id=principal.user_id,
            api_key_id=principal.api_key.id if principal.api_key else None,
            command=command_name(argv)[:64],
            outcome="refused",
            allowed=False,
        )
        try:
            if refusal(argv) is None and endpoint is None:
                raise Conflict("the node is not running")
            assert endpoint is not None or refusal(argv) is not None
            outcome = await self.executor.run(
                host=endpoint.host if endpoint else "",
                port=endpoint.port if endpoint else 0,
                password=self.box.decrypt(node.password_encrypted),
                argv=argv,
                readonly_only=not role >= Role.member,
            )
        except (OSError, ConnectionError) as error:
            raise Conflict(f"could not reach the node: {error}") from None
        except Exception as error:
            audit.outcome = "timeout" if getattr(error, "status_code", 0) == 504 else "refused"
            self.audits.add(audit)
            raise
        audit.allowed = True
        audit.key_count = outcome.key_count
        audit.outcome = "error" if outcome.reply.get("type") == "error" else "ok"
        audit.elapsed_ms = outcome.elapsed_ms
        self.audits.add(audit)  # written in the background within ~50 ms (services/audit.py)
        return ExecResult(
            command=outcome.name,
            reply=Reply.model_validate(outcome.reply),
            elapsed_ms=outcome.elapsed_ms,
            truncated=outcome.truncated,
        )

    async def audit(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, limit: int, offset: int
    ) -> Page[AuditPublic]:
        await tenant_access(session=session, principal=principal, tenant_id=tenant_id, action=Action.read_audit)
        await self.audits.flush()
        records, total = await node_repo.list_audit(session=session, tenant_id=tenant_id, limit=limit, offset=offset)
        return Page(items=[AuditPublic.model_validate(record, from_attributes=True) for record in records], total=total)

    async def overview(self, *, session: AsyncSession, principal: Principal) -> Overview:
        """Counts by phase, memory and ops/s per tenant the caller can see, plus totals and capacity."""
        if principal.api_key is not None:
            tenants = [
                t
                for t in [await tenant_repo.get_tenant(session=session, tenant_id=principal.api_key.tenant_id)]
                if t is not None
            ]
        else:
            rows, _ = await tenant_repo.list_tenants(
                session=session,
                user_id=None if principal.is_platform_admin else principal.user_id,
                tenant_id=None,
                limit=100000,
                offset=0,
            )
            tenants = [tenant for tenant, _ in rows]
        nodes = await node_repo.all_nodes(session=session, tenant_ids=[t.id for t in tenants])
        per: dict[str, TenantOverview] = {t.id: TenantOverview(tenant_id=t.id, tenant_name=t.name) for t in tenants}
        totals = PhaseCounts()
        for node in nodes:
            view = self.public(node)
            for counts in (per[node.tenant_id], totals):
                counts.nodes += 1
                counts.by_phase[view.phase.value] = counts.by_phase.get(view.phase.value, 0) + 1
                counts.memory_limit += node.memory
                if view.metrics is not None:
                    counts.memory_used += view.metrics.used_memory
                    counts.ops_per_sec += view.metrics.ops_per_sec
        capacity = self.runtime.capacity()
        return Overview(
            totals=totals,
            tenants=list(per.values()),
            capacity=Capacity(ports_total=capacity.total, ports_used=capacity.used, ports_free=capacity.free),
        )

    def executor_host(self) -> str:
        bind = self.settings.node_bind
        return "127.0.0.1" if bind in ("0.0.0.0", "") else bind

    def phase_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for node_id in self.specs:
            state = self.runtime.status(node_id)
            counts[(state.phase if state else Phase.pending).value] += 1
        return counts

    # ---- helpers ---------------------------------------------------------------------------------

    async def _lock(self, *, session: AsyncSession, tenant: Tenant) -> Tenant:
        """The tenant, fresh and locked until the session commits (`tenant_repo.lock_tenant`)."""
        locked = await tenant_repo.lock_tenant(session=session, tenant_id=tenant.id)
        if locked is None:
            raise NotFound("tenant not found")
        return locked

    async def _check_quotas(
        self, *, session: AsyncSession, tenant: Tenant, memory: int, adding: bool, replacing: int = 0
    ) -> None:
        quotas = quotas_of(tenant, self.settings)
        count, total = await node_repo.usage(session=session, tenant_id=tenant.id)
        if memory > quotas.max_node_memory:
            raise QuotaExceeded(
                f"quota max_node_memory exceeded: {memory} bytes asked, {quotas.max_node_memory} allowed per node"
            )
        if adding and count + 1 > quotas.max_nodes:
            raise QuotaExceeded(f"quota max_nodes reached: this tenant may have {quotas.max_nodes} nodes")
        if total - replacing + memory > quotas.max_memory:
            raise QuotaExceeded(
                f"quota max_memory exceeded: {total - replacing + memory} bytes in total asked, "
                f"{quotas.max_memory} allowed for the tenant"
            )
        if memory <= 0:
            raise BadRequest("memory must be positive")
        if memory < self.runtime.min_memory:
            raise BadRequest(
                f"memory must be at least {self.runtime.min_memory} bytes on the {self.runtime.name} runtime"
            )

    def _persistence_of(self, body: NodeCreate) -> Persistence:
        """The body's mode; without one, `aof` under the former API-wide switch MINIREDIS_NODE_PERSISTENCE."""
        if "persistence" not in body.model_fields_set and self.settings.node_persistence:
            return Persistence.aof
        return body.persistence

    def _apply(self, node: Node, state: NodeState) -> None:
        node.phase, node.reason = state.phase.value, state.reason
        if state.endpoint is not None:
            node.host, node.port = state.endpoint.host, state.endpoint.port
            self.specs[node.id] = spec_of(node, self.box)
