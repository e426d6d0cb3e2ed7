"""`/api/tenants/{tid}/nodes/{nid}/events`: a node's recent events (failures, restarts, commands)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from miniredis_api.routes.deps import CurrentPrincipal, Limit, NodeId, Offset, ServicesDep, SessionDep, TenantId
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.event import NodeEventPublic
from miniredis_api.services.events import EventRecorder, list_events

router = APIRouter(prefix="/api/tenants/{tid}/nodes/{nid}/events", tags=["nodes"])


@router.get("")
async def list_node_events(
    tid: TenantId,
    nid: NodeId,
    request: Request,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[NodeEventPublic]:
    """The node's failures and restarts seen by the runtime's supervisor (with when and why), and
    the commands run on it through exec (for admins and owners, who may read the audit log),
    newest first."""
    recorder: EventRecorder = request.app.state.events
    return await list_events(
        session=session,
        principal=principal,
        recorder=recorder,
        nodes=services.nodes,
        tenant_id=tid,
        node_id=nid,
        limit=limit,
        offset=offset,
    )
