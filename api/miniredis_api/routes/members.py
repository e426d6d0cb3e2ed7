"""`/api/tenants/{tid}/members`: list, add by email, change role, remove."""

from __future__ import annotations

from fastapi import APIRouter, status

from miniredis_api.routes.deps import CurrentPrincipal, Limit, Offset, ServicesDep, SessionDep, TenantId, UserId
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.tenant import MemberCreate, MemberPublic, MemberUpdate

router = APIRouter(prefix="/api/tenants/{tid}/members", tags=["members"])


@router.get("")
async def list_members(
    tid: TenantId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[MemberPublic]:
    """The tenant's members and their roles."""
    return await services.tenants.members(
        session=session, principal=principal, tenant_id=tid, limit=limit, offset=offset
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def add_member(
    tid: TenantId, body: MemberCreate, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> MemberPublic:
    """Add an existing account to the tenant by email, with a role."""
    return await services.tenants.add_member(session=session, principal=principal, tenant_id=tid, body=body)


@router.patch("/{user_id}")
async def update_member(
    tid: TenantId,
    user_id: UserId,
    body: MemberUpdate,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
) -> MemberPublic:
    """Change a member's role."""
    return await services.tenants.update_member(
        session=session, principal=principal, tenant_id=tid, user_id=user_id, body=body
    )


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    tid: TenantId, user_id: UserId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> None:
    """Remove a member from the tenant (a tenant keeps at least one owner)."""
    await services.tenants.remove_member(session=session, principal=principal, tenant_id=tid, user_id=user_id)
