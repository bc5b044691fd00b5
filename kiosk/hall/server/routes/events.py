"""The hall's event stream (server-sent events) for kiosks and window software."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS, PING, follow, resume_after, sse
from kiosk.hall.server.dependencies import Caller, Hall, Token, holder
from kiosk.hall.server.events import PING_SECONDS, TooManyStreams
from kiosk.hall.server.ticket_watch import STREAM_ERRORS, client_address, refused
from kiosk.queue import DEFAULT_HALL

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
    caller: Caller,
    server: Hall,
    token: Token,
    request: Request,
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> StreamingResponse:
    last = resume_after(last_event_id)
    try:
        subscriber, missed = server.broker.subscribe(
            last, address=client_address(request), client_id=caller.client_id
        )
    except TooManyStreams as error:
        raise refused(error) from None
    # A token revoked elsewhere (another worker, the command line) ends the stream at
    # its next check (the token cache learns it within its check period); a revocation
    # in this process ends it at once (EventBroker.close_streams_of).
    check_seconds = min(PING_SECONDS, server.options.stream_token_check_seconds)

    async def stream() -> AsyncIterator[str]:
        try:
            yield ": connected\n\n"
            for old in missed:
                if old.get("hall", DEFAULT_HALL) == caller.hall:  # only the caller's hall
                    yield sse(old["kind"], json.dumps(old), old["id"])
            async for event in follow(subscriber.queue, check_seconds):
                if await holder(server, token) is None:
                    return  # revoked or expired: the stream ends, nothing more is sent
                if event is None:
                    yield PING
                elif event.get("hall", DEFAULT_HALL) == caller.hall:
                    yield sse(event["kind"], json.dumps(event), event["id"])
        finally:
            server.broker.unsubscribe(subscriber)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
