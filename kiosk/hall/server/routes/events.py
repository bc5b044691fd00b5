"""The hall's event stream (server-sent events) for kiosks and window software."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS, PING, follow, sse
from kiosk.hall.server.dependencies import BEARER, Client, Hall
from kiosk.hall.server.events import PING_SECONDS, TooManyStreams
from kiosk.hall.server.ticket_watch import STREAM_ERRORS, client_address, refused

router = APIRouter()


@router.get(
    api.PATH_EVENTS,
    responses={
        **ERRORS,
        **STREAM_ERRORS,
        200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."},
    },
    response_class=StreamingResponse,
)
async def events(
    client_id: Client,
    server: Hall,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> StreamingResponse:
    last = (
        int(last_event_id)
        if last_event_id and last_event_id.isascii() and last_event_id.isdigit()
        else None
    )
    try:
        subscriber, missed = server.broker.subscribe(
            last, address=client_address(request), client_id=client_id
        )
    except TooManyStreams as error:
        raise refused(error) from None
    token = credentials.credentials if credentials else ""
    check_seconds = min(PING_SECONDS, server.options.stream_token_check_seconds)

    def still_valid() -> bool:
        # A token revoked elsewhere (another worker, the command line) ends the stream
        # at its next check; a revocation in this process ends it at once
        # (EventBroker.close_streams_of).
        return server.store.client_for(token) == client_id

    async def stream() -> AsyncIterator[str]:
        try:
            yield ": connected\n\n"
            for old in missed:
                yield sse(old["kind"], json.dumps(old), old["id"])
            async for event in follow(subscriber.queue, check_seconds):
                if event is None:
                    if not await run_in_threadpool(still_valid):
                        return
                    yield PING
                else:
                    yield sse(event["kind"], json.dumps(event), event["id"])
        finally:
            server.broker.unsubscribe(subscriber)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
