"""`/api/monitoring/overview` and the health probes."""

from __future__ import annotations

from fastapi import APIRouter

from miniredis_api.core.errors import Unavailable
from miniredis_api.routes.deps import CurrentPrincipal, Limit, Offset, ServicesDep, SessionDep, TenantId
from miniredis_api.schemas.common import Message, Page
from miniredis_api.schemas.node import AuditPublic, Overview

router = APIRouter(prefix="/api/monitoring", tags=["monitoring"])
health = APIRouter(prefix="/api/health", tags=["health"])
audit = APIRouter(prefix="/api/tenants/{tid}/audit", tags=["audit"])


@router.get("/overview")
async def overview(principal: CurrentPrincipal, services: ServicesDep, session: SessionDep) -> Overview:
    """Node counts by phase, memory used and limit, ops/s: in total and per tenant the caller can see."""
    return await services.nodes.overview(session=session, principal=principal)


@health.get("")
async def live() -> Message:
    """Liveness: the process answers."""
    return Message(message="ok")


@health.get("/ready", responses={503: {"model": Message}})
async def ready(services: ServicesDep) -> Message:
    """Readiness: the database answers and the runtime supervises."""
    database = await services.db.ping()
    runtime = await services.nodes.runtime.ready()
    if database and runtime:
        return Message(message="ready")
    problems = [name for name, ok in (("database", database), ("runtime", runtime)) if not ok]
    raise Unavailable(f"not ready: {', '.join(problems)}")


@audit.get("")
async def list_audit(
    tid: TenantId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditPublic]:
    """Commands run through exec in this tenant, newest first (admins and owners)."""
    return await services.nodes.audit(session=session, principal=principal, tenant_id=tid, limit=limit, offset=offset)
