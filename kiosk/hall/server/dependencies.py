"""What a route asks FastAPI for: the running server, its store, its clock, the client."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kiosk.hall.server.hall import HallClock, HallServer
from kiosk.hall.server.store import HallStore, StoreError

BEARER = HTTPBearer(auto_error=False, scheme_name="token")


def hall_server(request: Request) -> HallServer:
    server: HallServer = request.app.state.hall
    return server


Hall = Annotated[HallServer, Depends(hall_server)]


def hall_store(server: Hall) -> HallStore:
    return server.store


Store = Annotated[HallStore, Depends(hall_store)]


def hall_clock(server: Hall) -> HallClock:
    return server.clock


Now = Annotated[HallClock, Depends(hall_clock)]


def authenticated_client(
    store: Store,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> str:
    """The client id of the bearer token; 401 without a valid one."""
    found = store.client_for(credentials.credentials) if credentials else None
    if found is None:
        raise StoreError(401, "a valid bearer token is needed (Authorization: Bearer ...)")
    return found


Client = Annotated[str, Depends(authenticated_client)]
