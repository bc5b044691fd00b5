"""Devices: the latest heartbeat of every kiosk, with its devices' health. A kiosk sees
its own; an admin every kiosk of its hall."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, CallerStore, Hall, Now, blocking
from kiosk.hall.server.principal import require_role
from kiosk.hall.server.routes.records import visible_clients

router = APIRouter()


@router.get(api.PATH_DEVICES, responses=ERRORS)
async def devices(caller: Caller, server: Hall, store: CallerStore, clock: Now) -> api.DevicesOut:
    require_role(caller, "read devices", "kiosk", "admin")

    def read() -> list[api.DeviceHealth]:
        clients = visible_clients(server, store, caller)
        return [
            api.DeviceHealth(**d)
            for d in store.devices()
            if clients is None or d["client_id"] in clients
        ]

    return api.DevicesOut(**clock.stamp(), devices=await blocking(read))
