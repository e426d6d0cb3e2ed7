"""`/api/tenants/{tid}/nodes`: create, list, read, resize, start, stop, delete, password, exec, metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from miniredis_api.routes.deps import CurrentPrincipal, Limit, NodeId, Offset, ServicesDep, SessionDep, TenantId
from miniredis_api.schemas.common import Page
from miniredis_api.schemas.node import (
    ExecRequest,
    ExecResult,
    NodeCreate,
    NodeMetrics,
    NodePassword,
    NodePublic,
    NodeUpdate,
    Phase,
)

router = APIRouter(prefix="/api/tenants/{tid}/nodes", tags=["nodes"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_node(
    tid: TenantId, body: NodeCreate, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> NodePublic:
    """Create a node (started at once unless `running` is false); 409 on a quota, 503 when no port is free."""
    return await services.nodes.create(session=session, principal=principal, tenant_id=tid, body=body)


@router.get("")
async def list_nodes(
    tid: TenantId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
    name: Annotated[str | None, Query(max_length=63, description="Names containing this")] = None,
    phase: Annotated[Phase | None, Query(description="Only nodes in this phase")] = None,
    running: Annotated[bool | None, Query(description="Only nodes with this desired state")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[NodePublic]:
    """The tenant's nodes, oldest first, with their live phase and latest sample."""
    return await services.nodes.list_nodes(
        session=session,
        principal=principal,
        tenant_id=tid,
        name=name,
        phase=phase,
        running=running,
        limit=limit,
        offset=offset,
    )


@router.get("/{nid}")
async def get_node(
    tid: TenantId, nid: NodeId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> NodePublic:
    """One node."""
    return await services.nodes.get(session=session, principal=principal, tenant_id=tid, node_id=nid)


@router.patch("/{nid}")
async def update_node(
    tid: TenantId,
    nid: NodeId,
    body: NodeUpdate,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
) -> NodePublic:
    """Change the memory limit and eviction policy live (CONFIG SET, no restart)."""
    return await services.nodes.update(session=session, principal=principal, tenant_id=tid, node_id=nid, body=body)


@router.delete("/{nid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_node(
    tid: TenantId, nid: NodeId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> None:
    """Delete a node: its process ends and its data is gone."""
    await services.nodes.delete(session=session, principal=principal, tenant_id=tid, node_id=nid)


@router.post("/{nid}/start")
async def start_node(
    tid: TenantId, nid: NodeId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> NodePublic:
    """Start a stopped node."""
    return await services.nodes.start(session=session, principal=principal, tenant_id=tid, node_id=nid)


@router.post("/{nid}/stop")
async def stop_node(
    tid: TenantId, nid: NodeId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> NodePublic:
    """Stop a node; with `persistence: none` (`data_kept_when_stopped: false`) its data is discarded."""
    return await services.nodes.stop(session=session, principal=principal, tenant_id=tid, node_id=nid)


@router.post("/{nid}/exec")
async def exec_command(
    tid: TenantId,
    nid: NodeId,
    body: ExecRequest,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
) -> ExecResult:
    """Run one command; the reply comes back as typed RESP3 JSON with the elapsed time."""
    return await services.nodes.exec(
        session=session, principal=principal, tenant_id=tid, node_id=nid, command=body.command, args=body.args
    )


@router.get("/{nid}/password")
async def get_password(
    tid: TenantId, nid: NodeId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> NodePassword:
    """The node's password (owners and admins)."""
    return await services.nodes.password(session=session, principal=principal, tenant_id=tid, node_id=nid)


@router.post("/{nid}/password")
async def rotate_password(
    tid: TenantId, nid: NodeId, principal: CurrentPrincipal, services: ServicesDep, session: SessionDep
) -> NodePassword:
    """Rotate the node's password live; clients must use the new one for new connections."""
    return await services.nodes.rotate_password(session=session, principal=principal, tenant_id=tid, node_id=nid)


@router.get("/{nid}/metrics")
async def node_metrics(
    tid: TenantId,
    nid: NodeId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    session: SessionDep,
    since: Annotated[float, Query(gt=0, le=30 * 86400, description="Seconds of history")] = 3600,
) -> NodeMetrics:
    """The latest sample and the history for charts."""
    return await services.nodes.metrics(
        session=session, principal=principal, tenant_id=tid, node_id=nid, since_seconds=since
    )
