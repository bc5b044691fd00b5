"""The matter catalog and routing rules the server hands to kiosks, with their version."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Client, Hall, Now
from kiosk.hall.server.hall import HallServer

router = APIRouter()


def version_out(server: HallServer) -> api.CatalogVersionOut:
    current = server.catalog.current
    return api.CatalogVersionOut(
        **server.clock.stamp(), version=current.version, files=current.files
    )


@router.get(api.PATH_CATALOG_VERSION, responses=ERRORS)
def catalog_version(client_id: Client, server: Hall) -> api.CatalogVersionOut:
    return version_out(server)


@router.get(api.PATH_CATALOG, responses=ERRORS)
def catalog(client_id: Client, server: Hall, clock: Now) -> api.CatalogOut:
    current = server.catalog.current
    return api.CatalogOut(
        **clock.stamp(),
        version=current.version,
        files=current.files,
        catalog=current.catalog,
        rules=current.rules,
    )
