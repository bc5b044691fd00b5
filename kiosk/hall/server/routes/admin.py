"""Administration: read the configuration files again now, without waiting for the watcher."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Client, Hall
from kiosk.hall.server.routes.catalog import version_out

router = APIRouter()


@router.post(api.PATH_RELOAD, responses=ERRORS)
def reload(client_id: Client, server: Hall) -> api.CatalogVersionOut:
    if server.catalog.reload():
        server.catalog_updated(server.catalog.current.version)
    return version_out(server)
