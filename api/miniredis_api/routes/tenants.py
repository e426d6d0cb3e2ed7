"""`/api/tenants`: create, list, read (with quotas and usage), update, delete."""

from __future__ import annotations

from fastapi import APIRouter, status

from miniredis_api.routes.deps import CurrentPrincipal, Limit, Offset, ServicesDep, SessionDep, TenantId
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.tenant import TenantCreate, TenantDetail, TenantPublic, TenantUpdate

router = APIRouter(prefix="/api/tenants", tags=["tenants"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_tenant(
    body: TenantCreate, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> TenantPublic:
    """Create a tenant; the caller becomes its owner."""
    return await services.tenants.create(session=session, principal=principal, name=body.name)


@router.get("")
async def list_tenants(
    principal: CurrentPrincipal, services: ServicesDep, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> Page[TenantPublic]:
    """The tenants the caller belongs to (all of them for the platform admin)."""
    return await services.tenants.list_tenants(session=session, principal=principal, limit=limit, offset=offset)


@router.get("/{tid}")
async def get_tenant(
    tid: TenantId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> TenantDetail:
    """One tenant with its quotas and current usage."""
    return await services.tenants.detail(session=session, principal=principal, tenant_id=tid)


@router.patch("/{tid}")
async def update_tenant(
    tid: TenantId, body: TenantUpdate, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> TenantDetail:
    """Rename a tenant (admin) or change its quotas (platform admin)."""
    return await services.tenants.update(session=session, principal=principal, tenant_id=tid, update=body)


@router.delete("/{tid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tenant(tid: TenantId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep) -> None:
    """Delete a tenant: its nodes first (processes and data), then its members, keys and itself."""
    await services.nodes.delete_tenant(session=session, principal=principal, tenant_id=tid)
    services.auth.forget_tenant(tid)
