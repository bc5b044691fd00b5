"""What a route asks FastAPI for: the running server, the caller (`Principal`), its
hall's store and clock.

Every dependency is async and touches no database on the way: the token is a dict
lookup in the server's cache (a first use reads it, in a thread). A route then makes
its store calls in one thread hop (`blocking`), so a request costs one hop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kiosk.hall.server.hall import HallClock, HallServer, HallSite
from kiosk.hall.server.principal import Principal
from kiosk.hall.server.store import HallStore, StoreError

BEARER = HTTPBearer(auto_error=False, scheme_name="token")

# A store call, on a worker thread (the database blocks).
blocking = run_in_threadpool


async def hall_server(request: Request) -> HallServer:
    server: HallServer = request.app.state.hall
    return server


Hall = Annotated[HallServer, Depends(hall_server)]


async def hall_clock(server: Hall) -> HallClock:
    return server.clock


Now = Annotated[HallClock, Depends(hall_clock)]


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> str | None:
    return None if credentials is None else credentials.credentials


Token = Annotated[str | None, Depends(bearer_token)]


async def holder(server: HallServer, token: str | None) -> Principal | None:
    """The holder of the token, None when it is not (or no longer) valid: revoked,
    replaced or expired."""
    if token is None:
        return None
    found = server.tokens.cached(token) or await blocking(server.tokens.load, token)
    return None if found is None or found.expired(server.clock.now()) else found


async def principal(server: Hall, token: Token) -> Principal:
    """The holder of the bearer token; 401 without a valid, unexpired one."""
    found = await holder(server, token)
    if found is None:
        if token is not None and server.tokens.cached(token) is not None:
            raise StoreError(401, "the token has expired: ask for a new one")
        raise StoreError(401, "a valid bearer token is needed (Authorization: Bearer ...)")
    return found


Caller = Annotated[Principal, Depends(principal)]


async def authenticated_client(caller: Caller) -> str:
    """The client id of the bearer token; 401 without a valid one."""
    return caller.client_id


Client = Annotated[str, Depends(authenticated_client)]


async def caller_site(server: Hall, caller: Caller) -> HallSite:
    return server.site(caller)


Site = Annotated[HallSite, Depends(caller_site)]


async def caller_store(site: Site) -> HallStore:
    """The store of the caller's hall: it never finds another hall's tickets."""
    return site.store


CallerStore = Annotated[HallStore, Depends(caller_store)]


async def hall_store(server: Hall) -> HallStore:
    """Hall main's store, for what needs no token (the public status page)."""
    return server.store


Store = Annotated[HallStore, Depends(hall_store)]
