"""Tenants, members, API keys and quotas."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.core import security
from miniredis_api.core.config import Settings
from miniredis_api.core.errors import BadRequest, Conflict, Forbidden, NotFound
from miniredis_api.core.permissions import Action, Role
from miniredis_api.models import ApiKey, Tenant
from miniredis_api.repositories import nodes as node_repo
from miniredis_api.repositories import tenants as tenant_repo
from miniredis_api.repositories import users as user_repo
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.tenant import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    MemberCreate,
    MemberPublic,
    MemberUpdate,
    Quotas,
    TenantDetail,
    TenantPublic,
    TenantUpdate,
    Usage,
)
from miniredis_api.services.access import require_user, tenant_access
from miniredis_api.services.auth import Principal


def quotas_of(tenant: Tenant, settings: Settings) -> Quotas:
    return Quotas(
        max_nodes=tenant.max_nodes if tenant.max_nodes is not None else settings.max_nodes_per_tenant,
        max_memory=tenant.max_memory if tenant.max_memory is not None else settings.tenant_memory_quota,
        max_node_memory=(tenant.max_node_memory if tenant.max_node_memory is not None else settings.node_memory_quota),
    )


def public(tenant: Tenant, role: Role | str) -> TenantPublic:
    return TenantPublic(
        id=tenant.id, name=tenant.name, role=Role(role), created_at=tenant.created_at, updated_at=tenant.updated_at
    )


class TenantService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def create(self, *, session: AsyncSession, principal: Principal, name: str) -> TenantPublic:
        require_user(principal)
        assert principal.user is not None
        tenant = await tenant_repo.create_tenant(session=session, name=name)
        await tenant_repo.add_member(session=session, tenant_id=tenant.id, user_id=principal.user.id, role="owner")
        await session.commit()
        return public(tenant, Role.owner)

    async def list_tenants(
        self, *, session: AsyncSession, principal: Principal, limit: int, offset: int
    ) -> Page[TenantPublic]:
        if principal.api_key is not None:
            rows, total = await tenant_repo.list_tenants(
                session=session, user_id=None, tenant_id=principal.api_key.tenant_id, limit=limit, offset=offset
            )
            return Page(items=[public(t, principal.api_key.role) for t, _ in rows], total=total)
        user_id = None if principal.is_platform_admin else principal.user_id
        rows, total = await tenant_repo.list_tenants(
            session=session, user_id=user_id, tenant_id=None, limit=limit, offset=offset
        )
        return Page(items=[public(t, role or Role.owner) for t, role in rows], total=total)

    async def detail(self, *, session: AsyncSession, principal: Principal, tenant_id: str) -> TenantDetail:
        tenant, role = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.read_tenant
        )
        return await self._detail(session=session, tenant=tenant, role=role)

    async def _detail(self, *, session: AsyncSession, tenant: Tenant, role: Role) -> TenantDetail:
        count, memory = await node_repo.usage(session=session, tenant_id=tenant.id)
        base = public(tenant, role)
        return TenantDetail(
            **base.model_dump(), quotas=quotas_of(tenant, self.settings), usage=Usage(nodes=count, memory=memory)
        )

    async def update(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, update: TenantUpdate
    ) -> TenantDetail:
        tenant, role = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.update_tenant
        )
        if update.quotas is not None:
            if not principal.is_platform_admin:
                raise Forbidden("only the platform admin may change quotas")
            given = update.quotas.model_fields_set
            for name in ("max_nodes", "max_memory", "max_node_memory"):
                if name in given:
                    setattr(tenant, name, getattr(update.quotas, name))
        if update.name is not None:
            tenant.name = update.name
        await session.commit()
        return await self._detail(session=session, tenant=tenant, role=role)

    # ---- members -------------------------------------------------------------------------------

    async def members(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, limit: int, offset: int
    ) -> Page[MemberPublic]:
        await tenant_access(session=session, principal=principal, tenant_id=tenant_id, action=Action.read_tenant)
        rows, total = await tenant_repo.list_members(session=session, tenant_id=tenant_id, limit=limit, offset=offset)
        return Page(items=[_member(m, u.email) for m, u in rows], total=total)

    async def add_member(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, body: MemberCreate
    ) -> MemberPublic:
        _, role = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.manage_members
        )
        self._may_grant(role, body.role)
        user = await user_repo.get_user_by_email(session=session, email=body.email)
        if user is None:
            raise NotFound("no account with this email: ask them to sign up first")
        if await tenant_repo.get_membership(session=session, tenant_id=tenant_id, user_id=user.id) is not None:
            raise Conflict("already a member of this tenant")
        try:
            membership = await tenant_repo.add_member(
                session=session, tenant_id=tenant_id, user_id=user.id, role=body.role.value
            )
            await session.commit()
        except IntegrityError:
            await session.rollback()
            raise Conflict("already a member of this tenant") from None
        return _member(membership, user.email)

    async def update_member(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, user_id: str, body: MemberUpdate
    ) -> MemberPublic:
        _, role = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.manage_members
        )
        membership = await tenant_repo.get_membership(session=session, tenant_id=tenant_id, user_id=user_id)
        if membership is None:
            raise NotFound("member not found")
        self._may_grant(role, Role(membership.role))
        self._may_grant(role, body.role)
        if membership.role == "owner" and body.role != Role.owner:
            await self._keep_an_owner(session=session, tenant_id=tenant_id)
        membership.role = body.role.value
        await session.commit()
        user = await user_repo.get_user(session=session, user_id=user_id)
        return _member(membership, user.email if user else "")

    async def remove_member(self, *, session: AsyncSession, principal: Principal, tenant_id: str, user_id: str) -> None:
        _, role = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.manage_members
        )
        membership = await tenant_repo.get_membership(session=session, tenant_id=tenant_id, user_id=user_id)
        if membership is None:
            raise NotFound("member not found")
        self._may_grant(role, Role(membership.role))
        if membership.role == "owner":
            await self._keep_an_owner(session=session, tenant_id=tenant_id)
        await tenant_repo.remove_member(session=session, membership=membership)
        await session.commit()

    @staticmethod
    def _may_grant(actor: Role, target: Role) -> None:
        if target == Role.owner and actor != Role.owner:
            raise Forbidden("only an owner may grant, change or remove the owner role")

    @staticmethod
    async def _keep_an_owner(*, session: AsyncSession, tenant_id: str) -> None:
        if await tenant_repo.count_owners(session=session, tenant_id=tenant_id) <= 1:
            raise Conflict("a tenant keeps at least one owner")

    # ---- API keys ------------------------------------------------------------------------------

    async def api_keys(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, limit: int, offset: int
    ) -> Page[ApiKeyPublic]:
        await tenant_access(session=session, principal=principal, tenant_id=tenant_id, action=Action.manage_api_keys)
        keys, total = await tenant_repo.list_api_keys(session=session, tenant_id=tenant_id, limit=limit, offset=offset)
        return Page(items=[ApiKeyPublic.model_validate(key) for key in keys], total=total)

    async def create_api_key(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, body: ApiKeyCreate
    ) -> ApiKeyCreated:
        _, role = await tenant_access(
            session=session, principal=principal, tenant_id=tenant_id, action=Action.manage_api_keys
        )
        if not role >= body.role:
            raise Forbidden(f"a {role.value} may not create a key with the {body.role.value} role")
        from miniredis_api.core.db import utcnow

        if body.expires_at is not None and body.expires_at <= utcnow():
            raise BadRequest("expires_at is in the past")
        secret = security.new_api_key()
        key = await tenant_repo.create_api_key(
            session=session,
            key=ApiKey(
                tenant_id=tenant_id,
                name=body.name,
                role=body.role.value,
                prefix=secret.prefix,
                secret_hash=security.digest(secret.secret),
                created_by=principal.user_id,
                expires_at=body.expires_at,
            ),
        )
        await session.commit()
        return ApiKeyCreated(**ApiKeyPublic.model_validate(key).model_dump(), key=secret.secret)

    async def revoke_api_key(
        self, *, session: AsyncSession, principal: Principal, tenant_id: str, key_id: str
    ) -> ApiKeyPublic:
        await tenant_access(session=session, principal=principal, tenant_id=tenant_id, action=Action.manage_api_keys)
        key = await tenant_repo.get_api_key(session=session, tenant_id=tenant_id, key_id=key_id)
        if key is None:
            raise NotFound("API key not found")
        if key.revoked_at is None:
            from miniredis_api.core.db import utcnow

            key.revoked_at = utcnow()
            await session.commit()
        return ApiKeyPublic.model_validate(key)


def _member(membership: object, email: str) -> MemberPublic:
    from miniredis_api.models import Membership

    assert isinstance(membership, Membership)
    return MemberPublic(
        user_id=membership.user_id,
        email=email,
        role=Role(membership.role),
        created_at=membership.created_at,
        updated_at=membership.updated_at,
    )
