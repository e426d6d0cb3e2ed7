"""Tenants, memberships and API keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.models import ApiKey, Membership, Tenant, User


async def create_tenant(*, session: AsyncSession, name: str) -> Tenant:
    tenant = Tenant(name=name)
    session.add(tenant)
    await session.flush()
    return tenant


async def get_tenant(*, session: AsyncSession, tenant_id: str) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def lock_tenant(*, session: AsyncSession, tenant_id: str) -> Tenant | None:
    """Lock the tenant's row until the session's transaction ends, and return it fresh.

    Quota checks run under this lock, so two concurrent creates or resizes in one tenant cannot both
    pass them. PostgreSQL: `SELECT ... FOR UPDATE` (other lockers wait; READ COMMITTED statements
    after it see what they committed). SQLite ignores FOR UPDATE and serialises writers instead: a
    no-op UPDATE as the transaction's first statement takes the database's write lock at once (as
    `BEGIN IMMEDIATE` would; other writers wait through `busy_timeout`), so the reads that follow
    and the caller's insert or update are one write transaction."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("UPDATE tenants SET id = id WHERE id = :id"), {"id": tenant_id})
    query = select(Tenant).where(Tenant.id == tenant_id).with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def list_tenants(
    *, session: AsyncSession, user_id: str | None, tenant_id: str | None, limit: int, offset: int
) -> tuple[Sequence[tuple[Tenant, str | None]], int]:
    """Tenants with the user's role; `user_id=None` lists all (platform admin), `tenant_id` just one."""
    if user_id is None:
        query = select(Tenant, literal("owner"))
    else:
        query = (
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user_id)
        )
    if tenant_id is not None:
        query = query.where(Tenant.id == tenant_id)
    total = int((await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
    rows = (await session.execute(query.order_by(Tenant.created_at, Tenant.id).limit(limit).offset(offset))).all()
    return [(row[0], row[1]) for row in rows], total


async def delete_tenant(*, session: AsyncSession, tenant: Tenant) -> None:
    await session.delete(tenant)


async def get_membership(*, session: AsyncSession, tenant_id: str, user_id: str) -> Membership | None:
    query = select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_memberships_of_user(*, session: AsyncSession, user_id: str) -> Sequence[tuple[Membership, Tenant]]:
    query = (
        select(Membership, Tenant)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == user_id)
        .order_by(Tenant.created_at)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def add_member(*, session: AsyncSession, tenant_id: str, user_id: str, role: str) -> Membership:
    membership = Membership(tenant_id=tenant_id, user_id=user_id, role=role)
    session.add(membership)
    await session.flush()
    return membership


async def list_members(
    *, session: AsyncSession, tenant_id: str, limit: int, offset: int
) -> tuple[Sequence[tuple[Membership, User]], int]:
    base = select(Membership, User).join(User, User.id == Membership.user_id).where(Membership.tenant_id == tenant_id)
    total = int((await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one())
    rows = (
        await session.execute(base.order_by(Membership.created_at, Membership.id).limit(limit).offset(offset))
    ).all()
    return [(row[0], row[1]) for row in rows], total


async def count_owners(*, session: AsyncSession, tenant_id: str) -> int:
    query = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.tenant_id == tenant_id, Membership.role == "owner")
    )
    return int((await session.execute(query)).scalar_one())


async def remove_member(*, session: AsyncSession, membership: Membership) -> None:
    await session.delete(membership)


async def create_api_key(*, session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


async def get_api_key(*, session: AsyncSession, tenant_id: str, key_id: str) -> ApiKey | None:
    query = select(ApiKey).where(ApiKey.id == key_id, ApiKey.tenant_id == tenant_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get_api_key_by_prefix(*, session: AsyncSession, prefix: str) -> ApiKey | None:
    return (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()


async def list_api_keys(
    *, session: AsyncSession, tenant_id: str, limit: int, offset: int
) -> tuple[Sequence[ApiKey], int]:
    base = select(ApiKey).where(ApiKey.tenant_id == tenant_id)
    total = int((await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one())
    rows = (await session.execute(base.order_by(ApiKey.created_at, ApiKey.id).limit(limit).offset(offset))).scalars()
    return list(rows), total


async def delete_tenant_rows(*, session: AsyncSession, tenant_id: str) -> None:
    """Memberships and keys go with the tenant (also by ON DELETE CASCADE, stated here for SQLite safety)."""
    await session.execute(delete(Membership).where(Membership.tenant_id == tenant_id))
    await session.execute(delete(ApiKey).where(ApiKey.tenant_id == tenant_id))
