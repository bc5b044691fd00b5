"""The FastAPI application of the reference hall server (paths and models: kiosk.hall.api).

`create_app` assembles the routers of kiosk/hall/server/routes/, the error answers
and the OpenAPI document; the routes get the server, store, clock and client through
kiosk/hall/server/dependencies.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from kiosk.hall.server.body_limit import ASGIApp, BodyLimit
from kiosk.hall.server.dashboard import actions as dashboard_actions
from kiosk.hall.server.dashboard import routes as dashboard
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.principal import Forbidden
from kiosk.hall.server.routes import (
    admin,
    catalog,
    devices,
    evaluations,
    events,
    queues,
    records,
    status_page,
    taxpayers,
    tickets,
    windows,
)
from kiosk.hall.server.screens.routes import install_screens
from kiosk.hall.server.store import StoreError

ROUTERS = (
    queues,
    tickets,
    records,
    devices,
    windows,
    events,
    catalog,
    admin,
    status_page,
    taxpayers,
    evaluations,
)


async def store_error(request: Request, error: StoreError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    if error.status == 422:  # the same shape as a malformed body's answer
        loc = ["body", error.field] if error.field else ["body"]
        detail = [{"loc": loc, "msg": error.message, "type": "value_error"}]
        return JSONResponse({"detail": detail, "message": error.message}, 422)
    return JSONResponse({"detail": error.message}, error.status, headers=headers)


async def forbidden(request: Request, error: Forbidden) -> JSONResponse:
    """A valid token asking for what its role, hall or grants do not allow (logged
    where it was refused)."""
    return JSONResponse({"detail": str(error)}, 403)


async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": [str(part) for part in item["loc"]], "msg": item["msg"], "type": item["type"]}
        for item in error.errors()
    ]
    message = "; ".join(f"{'.'.join(item['loc'])}: {item['msg']}" for item in errors)
    return JSONResponse({"detail": errors, "message": message}, 422)


def _document(app: FastAPI, server: HallServer) -> dict[str, Any]:
    """The document names this hall's queue codes, so that clients (and schemathesis)
    know which are valid."""
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    codes = [queue.code for queue in server.settings.queues]
    schemas = document["components"]["schemas"]
    schemas["ReserveIn"]["properties"]["queue_code"]["enum"] = codes
    for variant in schemas["LeaseIn"]["properties"]["queues"].get("anyOf", []):
        if variant.get("type") == "array":
            variant["items"]["enum"] = codes
    return document


def create_app(server: HallServer) -> FastAPI:
    app = FastAPI(
        title="Hall server",
        version="1",
        description="The reference hall server of the hall kiosk (see kiosk/hall/api.py).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.hall = server
    for area in ROUTERS:
        app.include_router(area.router)
    app.include_router(dashboard.router)  # the manager's pages: not in the API's document
    app.include_router(dashboard_actions.router)
    app.exception_handler(StoreError)(store_error)
    app.exception_handler(Forbidden)(forbidden)
    app.exception_handler(RequestValidationError)(invalid)
    # The calling display, window screens and phone page, on this server's store.
    install_screens(app, server.screens)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app, server)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def build_asgi(server: HallServer) -> ASGIApp:
    """The app wrapped in the body limit."""
    return BodyLimit(create_app(server), server.options.max_body_bytes)
