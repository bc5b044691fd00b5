"""The matter catalog and routing rules the server hands to kiosks (of the caller's
hall), with their version."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, Hall, Now, Site
from kiosk.hall.server.hall import HallServer, HallSite

router = APIRouter()


def version_out(server: HallServer, site: HallSite) -> api.CatalogVersionOut:
    current = site.catalog.current
    return api.CatalogVersionOut(
        **server.clock.stamp(), version=current.version, files=current.files
    )


@router.get(api.PATH_CATALOG_VERSION, responses=ERRORS)
async def catalog_version(caller: Caller, server: Hall, site: Site) -> api.CatalogVersionOut:
    return version_out(server, site)


@router.get(api.PATH_CATALOG, responses=ERRORS)
async def catalog(caller: Caller, site: Site, clock: Now) -> api.CatalogOut:
    current = site.catalog.current
    return api.CatalogOut(
        **clock.stamp(),
        version=current.version,
        files=current.files,
        catalog=current.catalog,
        rules=current.rules,
    )
