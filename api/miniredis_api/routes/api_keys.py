"""`/api/tenants/{tid}/api-keys`: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter, status

from miniredis_api.routes.deps import CurrentPrincipal, KeyId, Limit, Offset, ServicesDep, SessionDep, TenantId
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.tenant import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic

router = APIRouter(prefix="/api/tenants/{tid}/api-keys", tags=["api-keys"])


@router.get("")
async def list_api_keys(
    tid: TenantId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ApiKeyPublic]:
    """The tenant's API keys (prefix, role, last use, expiry; never the secret)."""
    return await services.tenants.api_keys(
        session=session, principal=principal, tenant_id=tid, limit=limit, offset=offset
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_api_key(
    tid: TenantId, body: ApiKeyCreate, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> ApiKeyCreated:
    """Create an API key; the response carries the secret, shown this once."""
    return await services.tenants.create_api_key(session=session, principal=principal, tenant_id=tid, body=body)


@router.delete("/{kid}")
async def revoke_api_key(
    tid: TenantId, kid: KeyId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> ApiKeyPublic:
    """Revoke an API key: it stops working at once (it stays listed, with revoked_at)."""
    revoked = await services.tenants.revoke_api_key(session=session, principal=principal, tenant_id=tid, key_id=kid)
    services.auth.forget_api_key(kid)
    return revoked
