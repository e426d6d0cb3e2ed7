"""Nodes and audit records."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.models import AuditRecord, Membership, Node, NodeEvent, Tenant


async def create_node(*, session: AsyncSession, node: Node) -> Node:
    session.add(node)
    await session.flush()
    return node


async def get_node(*, session: AsyncSession, tenant_id: str, node_id: str) -> Node | None:
    query = select(Node).where(Node.id == node_id, Node.tenant_id == tenant_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get_node_with_access(
    *, session: AsyncSession, tenant_id: str, node_id: str, user_id: str | None
) -> tuple[Tenant | None, str | None, Node | None]:
    """The tenant, `user_id`'s role in it (when given) and the node, in one round trip."""
    node_join = and_(Node.tenant_id == Tenant.id, Node.id == node_id)
    if user_id is None:
        plain = (
            await session.execute(select(Tenant, Node).outerjoin(Node, node_join).where(Tenant.id == tenant_id))
        ).first()
        return (plain[0], None, plain[1]) if plain is not None else (None, None, None)
    member_join = and_(Membership.tenant_id == Tenant.id, Membership.user_id == user_id)
    query = (
        select(Tenant, Membership.role, Node)
        .outerjoin(Membership, member_join)
        .outerjoin(Node, node_join)
        .where(Tenant.id == tenant_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1], row[2]) if row is not None else (None, None, None)


async def get_node_by_name(*, session: AsyncSession, tenant_id: str, name: str) -> Node | None:
    query = select(Node).where(Node.tenant_id == tenant_id, Node.name == name)
    return (await session.execute(query)).scalar_one_or_none()


async def list_nodes(
    *,
    session: AsyncSession,
    tenant_id: str,
    name: str | None = None,
    running: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Node], int]:
    base = select(Node).where(Node.tenant_id == tenant_id)
    if name:
        base = base.where(Node.name.contains(name, autoescape=True))
    if running is not None:
        base = base.where(Node.running == running)
    total = int((await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one())
    rows = (await session.execute(base.order_by(Node.created_at, Node.id).limit(limit).offset(offset))).scalars()
    return list(rows), total


async def all_nodes(*, session: AsyncSession, tenant_ids: Sequence[str] | None = None) -> Sequence[Node]:
    query = select(Node)
    if tenant_ids is not None:
        query = query.where(Node.tenant_id.in_(tenant_ids))
    return list((await session.execute(query.order_by(Node.created_at))).scalars())


async def usage(*, session: AsyncSession, tenant_id: str) -> tuple[int, int]:
    """(node count, total memory limit) of a tenant."""
    query = select(func.count(), func.coalesce(func.sum(Node.memory), 0)).where(Node.tenant_id == tenant_id)
    count, memory = (await session.execute(query)).one()
    return int(count), int(memory)


async def delete_node(*, session: AsyncSession, node: Node) -> None:
    """The node's row and its events (`node_events`); its audit records stay in the tenant's log."""
    await session.execute(delete(NodeEvent).where(NodeEvent.node_id == node.id))
    await session.delete(node)


async def add_audit(*, session: AsyncSession, record: AuditRecord) -> None:
    session.add(record)


async def list_audit(
    *, session: AsyncSession, tenant_id: str, limit: int, offset: int
) -> tuple[Sequence[AuditRecord], int]:
    base = select(AuditRecord).where(AuditRecord.tenant_id == tenant_id)
    total = int((await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one())
    query = base.order_by(AuditRecord.created_at.desc(), AuditRecord.id).limit(limit).offset(offset)
    return list((await session.execute(query)).scalars()), total
