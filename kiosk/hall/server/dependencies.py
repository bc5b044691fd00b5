"""What a route asks FastAPI for: the running server, the caller (`Principal`), its
hall's store and clock.

Every dependency is async and touches no database on the way: the token is a dict
lookup in the server's cache (a first use reads it, in a thread). A route then makes
its store calls in one thread hop (`blocking`), so a request costs one hop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kiosk.hall.server.hall import HallClock, HallServer, HallSite
from kiosk.hall.server.principal import Principal
from kiosk.hall.server.store import HallStore, StoreError

P = ParamSpec("P")
T = TypeVar("T")

BEARER = HTTPBearer(auto_error=False, scheme_name="token")

# The store's threads. Two: the store runs one write at a time anyway (SQLite's one
# connection, PostgreSQL's writers' lock), and more threads only fight for the GIL and
# the lock (10 kiosks on SQLite: 40 threads 330-400 tickets/s, 2 threads 460-530).
_STORE_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store")


async def blocking(call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """A store call, on a worker thread (the database blocks). asyncio's executor,
    not starlette's run_in_threadpool: anyio's capacity limiter and cancel scope cost
    a tenth of a ticket's CPU, twice a ticket."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_STORE_THREADS, partial(call, *args, **kwargs))


def _running(request: Request) -> HallServer:
    server: HallServer = request.app.state.hall
    return server


async def hall_server(request: Request) -> HallServer:
    return _running(request)


Hall = Annotated[HallServer, Depends(hall_server)]


async def hall_clock(request: Request) -> HallClock:
    return _running(request).clock


Now = Annotated[HallClock, Depends(hall_clock)]

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


async def bearer_token(credentials: Credentials) -> str | None:
    return None if credentials is None else credentials.credentials


Token = Annotated[str | None, Depends(bearer_token)]


async def holder(server: HallServer, token: str | None) -> Principal | None:
    """The holder of the token, None when it is not (or no longer) valid: revoked,
    replaced or expired."""
    if token is None:
        return None
    found = server.tokens.cached(token) or await blocking(server.tokens.load, token)
    return None if found is None or found.expired(server.clock.now()) else found


async def principal(request: Request, credentials: Credentials) -> Principal:
    """The holder of the bearer token; 401 without a valid, unexpired one. (It reads
    the server and the token itself: each dependency FastAPI solves costs every
    request, and a ticket is two requests.)"""
    server = _running(request)
    token = None if credentials is None else credentials.credentials
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


async def caller_site(request: Request, caller: Caller) -> HallSite:
    return _running(request).site(caller)


Site = Annotated[HallSite, Depends(caller_site)]


async def caller_store(request: Request, caller: Caller) -> HallStore:
    """The store of the caller's hall: it never finds another hall's tickets."""
    return _running(request).site(caller).store


CallerStore = Annotated[HallStore, Depends(caller_store)]


async def hall_store(request: Request) -> HallStore:
    """Hall main's store, for what needs no token (the public status page)."""
    return _running(request).store


Store = Annotated[HallStore, Depends(hall_store)]
