"""Dependencies as `Annotated` aliases: the session, the services, the caller, path ids, pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from miniredis_api.core.config import Settings
from miniredis_api.core.db import Database
from miniredis_api.services.auth import AuthService, Principal
from miniredis_api.services.nodes import NodeService
from miniredis_api.services.tenants import TenantService

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@dataclass
class Services:
    """Everything the routes call, built once per application in `main.create_app`."""

    settings: Settings
    db: Database
    auth: AuthService
    tenants: TenantService
    nodes: NodeService


async def _services(request: Request) -> Services:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a hop per request
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_services)]


async def _session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.db.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]
_bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login, or an API key (mrk_...)")


async def _principal(
    services: ServicesDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return await services.auth.authenticate(session=session, token=credentials.credentials if credentials else None)


CurrentPrincipal = Annotated[Principal, Depends(_principal)]
TenantId = Annotated[str, Path(pattern=UUID_PATTERN, description="The tenant's id")]
NodeId = Annotated[str, Path(pattern=UUID_PATTERN, description="The node's id")]
UserId = Annotated[str, Path(pattern=UUID_PATTERN, description="The member's user id")]
KeyId = Annotated[str, Path(pattern=UUID_PATTERN, description="The API key's id")]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")]
