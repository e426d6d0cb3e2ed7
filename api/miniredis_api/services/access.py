"""Resolving a caller's role in a tenant and checking it against `core.permissions`.

A tenant the caller cannot see is reported as 404 (never 403), so tenant ids do not leak; a
tenant the caller sees but may not act on in that way is 403.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.core.errors import Forbidden, NotFound
from miniredis_api.core.permissions import POLICY, Action, Role, allows
from miniredis_api.models import Node, Tenant
from miniredis_api.repositories import nodes as node_repo
from miniredis_api.repositories import tenants as tenant_repo
from miniredis_api.services.auth import Principal


async def tenant_access(
    *, session: AsyncSession, principal: Principal, tenant_id: str, action: Action
) -> tuple[Tenant, Role]:
    """The tenant and the caller's role in it, once `action` is allowed; raises NotFound or Forbidden."""
    tenant = await tenant_repo.get_tenant(session=session, tenant_id=tenant_id)
    if tenant is None:
        raise NotFound("tenant not found")
    role = await role_in(session=session, principal=principal, tenant_id=tenant_id)
    if role is None:
        raise NotFound("tenant not found")
    require(role, action)
    return tenant, role


async def node_access(
    *, session: AsyncSession, principal: Principal, tenant_id: str, node_id: str, action: Action
) -> tuple[Tenant, Role, Node]:
    """`tenant_access` (reading allowed) plus the node, then `action` checked, in one query.

    The same answers as `tenant_access` followed by a node lookup: 404 for a tenant the caller
    cannot see, 404 for an unknown node, 403 when the role does not allow `action`."""
    member = principal.user is not None and principal.api_key is None and not principal.is_platform_admin
    tenant, membership_role, node = await node_repo.get_node_with_access(
        session=session, tenant_id=tenant_id, node_id=node_id, user_id=principal.user_id if member else None
    )
    if tenant is None:
        raise NotFound("tenant not found")
    if principal.api_key is not None:
        role: Role | None = Role(principal.api_key.role) if principal.api_key.tenant_id == tenant_id else None
    elif principal.is_platform_admin:
        role = Role.owner
    else:
        role = Role(membership_role) if membership_role is not None else None
    if role is None:
        raise NotFound("tenant not found")
    require(role, Action.read_tenant)
    if node is None:
        raise NotFound("node not found")
    require(role, action)
    return tenant, role, node


async def role_in(*, session: AsyncSession, principal: Principal, tenant_id: str) -> Role | None:
    if principal.api_key is not None:
        return Role(principal.api_key.role) if principal.api_key.tenant_id == tenant_id else None
    if principal.is_platform_admin:
        return Role.owner
    assert principal.user is not None
    membership = await tenant_repo.get_membership(session=session, tenant_id=tenant_id, user_id=principal.user.id)
    return Role(membership.role) if membership is not None else None


def require(role: Role, action: Action) -> None:
    if not allows(role, action):
        raise Forbidden(f"a {role.value} may not {action.value} (needs {POLICY[action].value} or above)")


def require_user(principal: Principal) -> None:
    """For actions an API key may never take (creating tenants, reading the account)."""
    if principal.user is None:
        raise Forbidden("this action needs a signed-in user, not an API key")
