"""Devices: the latest heartbeat of every kiosk, with its devices' health."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Client, Now, Store

router = APIRouter()


@router.get(api.PATH_DEVICES, responses=ERRORS)
def devices(client_id: Client, store: Store, clock: Now) -> api.DevicesOut:
    return api.DevicesOut(**clock.stamp(), devices=[api.DeviceHealth(**d) for d in store.devices()])
