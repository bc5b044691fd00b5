"""What the routes share: the error tables of the document, ticket answers, SSE framing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any, TypeVar

from fastapi import Path as PathParam
from fastapi import Response
from pydantic import BaseModel

from kiosk.hall import api
from kiosk.hall.server.events import PING_SECONDS
from kiosk.hall.server.hall import HallClock
from kiosk.hall.server.store import StoreError, TicketRow

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": api.ErrorOut, "description": "The body cannot be decoded."},
    401: {"model": api.ErrorOut, "description": "No valid bearer token."},
    403: {"model": api.ErrorOut, "description": "The token's role or grants do not allow it."},
    404: {"model": api.ErrorOut, "description": "Unknown ticket, window or queue."},
    409: {"model": api.ErrorOut, "description": "The state forbids it."},
    413: {"model": api.ErrorOut, "description": "The body is too large."},
}
PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": api.ErrorOut, "description": "Unknown ticket."},
}
TICKET_ID = Annotated[str, PathParam(pattern=api.TICKET_ID_PATTERN)]
PING = ": ping\n\n"
T = TypeVar("T")


class ModelAnswer(Response):
    """A model sent as it is: FastAPI would validate an answer the route just built,
    the largest share of a ticket's CPU after the HTTP parsing. The route declares
    `response_model` for the document."""

    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200) -> None:
        super().__init__(model.model_dump_json(), status_code)


def ticket_out(clock: HallClock, ticket: TicketRow) -> api.TicketOut:
    return api.TicketOut(
        **clock.stamp(),
        ticket_id=ticket.ticket_id,
        number=ticket.number,
        queue_code=ticket.queue_code,
        status=ticket.status,
        channel=ticket.channel,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        window=ticket.window,
        kiosk_id=ticket.kiosk_id,
    )


def resume_after(header: str | None) -> int | None:
    """The event a stream resumes after; 400 for anything but ASCII digits ("²³"
    passes isdigit() and breaks int())."""
    if not header:
        return None
    if not (header.isascii() and header.isdigit()):
        raise StoreError(400, f"Last-Event-ID: {header!r} is not an event id")
    return int(header)


def sse(event: str, data: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


async def follow(
    queue: asyncio.Queue[T | None], ping_seconds: float = PING_SECONDS
) -> AsyncIterator[T | None]:
    """Each event as the broker sends it, None after `ping_seconds` without one (the
    stream then pings); ends when the broker closes the stream."""
    while True:
        try:
            event = await asyncio.wait_for(queue.get(), ping_seconds)
        except TimeoutError:
            yield None
            continue
        if event is None:
            return
        yield event
