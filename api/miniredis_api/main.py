"""The FastAPI application: `create_app(settings)` wires settings, database, runtime and services
into one app; `app` is the module-level instance uvicorn serves (`miniredis_api.main:app`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from miniredis_api import __version__
from miniredis_api.core.config import Settings, get_settings
from miniredis_api.core.db import Database
from miniredis_api.core.errors import APIError
from miniredis_api.core.metrics import HttpMetrics, HttpMetricsMiddleware, NodeCollector
from miniredis_api.routes import api_keys, auth, events, members, monitoring, nodes, tenants
from miniredis_api.routes.deps import Services
from miniredis_api.runtimes import build_runtime
from miniredis_api.services.auth import AuthService
from miniredis_api.services.events import EventRecorder
from miniredis_api.services.nodes import NodeService
from miniredis_api.services.tenants import TenantService

log = logging.getLogger("miniredis_api")


class DashboardFiles(StaticFiles):
    """The built dashboard; any other non-API path is one of its client-side routes, so a
    reload of `/t/acme/nodes/...` gets index.html rather than a 404."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except StarletteHTTPException as error:
            if error.status_code != 404 or path.startswith(("api", "metrics")):
                raise
            return await super().get_response("index.html", scope)
        if response.status_code == 404:
            if path.startswith(("api", "metrics")):
                raise StarletteHTTPException(status_code=404)  # the API's JSON 404, not a page
            # html=True answers a missing file with 404.html; a client-side route wants the app.
            return await super().get_response("index.html", scope)
        return response


def unique_id(route: APIRoute) -> str:
    """Stable OpenAPI operation ids: `<tag>-<function name>` (e.g. `nodes-create_node`)."""
    return f"{route.tags[0]}-{route.name}"


def create_app(settings: Settings | None = None, *, stop_nodes_on_shutdown: bool = False) -> FastAPI:
    """Build the application. Node processes outlive it unless `stop_nodes_on_shutdown` (tests)."""
    settings = settings or get_settings()
    db = Database(settings.sqlalchemy_url)
    runtime = build_runtime(settings)
    services = Services(
        settings=settings,
        db=db,
        auth=AuthService(settings),
        tenants=TenantService(settings),
        nodes=NodeService(settings, db, runtime),
    )
    node_events = EventRecorder(db)  # failures and restarts the runtime's supervisor reports
    node_events.attach(runtime)
    services.nodes.forget_events = node_events.forget

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.nodes.open()
        log.info(
            "MiniRedis API ready (runtime %s, ports %d..%d)",
            runtime.name,
            settings.redis_port_start,
            settings.redis_port_end,
        )
        try:
            yield
        finally:
            await services.nodes.close(stop_nodes=stop_nodes_on_shutdown)
            await node_events.close()
            await db.dispose()

    app = FastAPI(
        title="MiniRedis API",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=unique_id,
        description="The MiniRedis control plane: sign-in, tenants, API keys, nodes, exec, monitoring.",
    )
    app.state.services = services
    app.state.events = node_events
    registry = CollectorRegistry()
    registry.register(NodeCollector(services.nodes))
    http_metrics = HttpMetrics(registry)
    app.add_middleware(HttpMetricsMiddleware, metrics=http_metrics)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )

    @app.exception_handler(APIError)
    async def api_error(_request: Request, error: APIError) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)

    for router in (
        auth.router,
        tenants.router,
        members.router,
        api_keys.router,
        nodes.router,
        events.router,
        monitoring.router,
        monitoring.audit,
        monitoring.health,
    ):
        app.include_router(router)

    @app.get("/metrics", include_in_schema=False, tags=["metrics"])
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    if settings.dashboard_dir.is_dir():
        app.mount("/", DashboardFiles(directory=settings.dashboard_dir, html=True), name="dashboard")
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn miniredis_api.main:app` builds the app from the environment on first access only,
    # so importing this module (tests, the CLI) never reads settings or touches the database.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
