"""Administration (admin tokens only): read the configuration files again now, without
waiting for the watcher."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, Hall, Site, blocking
from kiosk.hall.server.principal import require_role
from kiosk.hall.server.routes.catalog import version_out

router = APIRouter()


@router.post(api.PATH_RELOAD, responses=ERRORS)
async def reload(caller: Caller, server: Hall, site: Site) -> api.CatalogVersionOut:
    """The caller's hall's catalog and rules."""
    require_role(caller, "reload the configuration", "admin")
    if await blocking(site.catalog.reload):
        server.catalog_updated(site.catalog.current.version, site.name)
    return version_out(server, site)
