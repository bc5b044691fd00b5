"""The public ticket-status page a taxpayer opens from the slip's QR code (no token).

It reads the screens' source (kiosk/hall/server/screens/source.py), so the hall server
and a kiosk serving its embedded hall answer it alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kiosk.hall import api
from kiosk.hall.server.answers import PING, PUBLIC_ERRORS, TICKET_ID, follow, sse
from kiosk.hall.server.page import PageLanguage, both, status_page_html
from kiosk.hall.server.screens.routes import Screens
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.store import StoreError, TicketRow
from kiosk.text import text

router = APIRouter()

PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"content": {"text/html": {}}, "description": "Unknown ticket."}
}


def not_found_page() -> str:
    title, sentence = text("status_page.not_found_title"), text("status_page.not_found")
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(both(title))}</title>"
        f"<p>{escape(sentence.zh)}/ {escape(sentence.en)}</p></html>"
    )


def _public_ticket(source: ScreenSource, ticket_id: str) -> TicketRow:
    found = source.ticket(ticket_id)
    if found is None:
        raise StoreError(404, "no such ticket")
    return found


@router.get(api.PATH_STATUS_PAGE, response_class=HTMLResponse, responses=PAGE_ERRORS)
def status_page(ticket_id: TICKET_ID, source: Screens, lang: PageLanguage = None) -> HTMLResponse:
    ticket = source.ticket(ticket_id)
    if ticket is None:
        return HTMLResponse(not_found_page(), 404)
    return HTMLResponse(
        status_page_html(source.public_state(ticket), source.settings, lang),
        headers={"Cache-Control": "no-store"},
    )


@router.get(api.PATH_STATUS_STATE, responses=PUBLIC_ERRORS)
def status_state(ticket_id: TICKET_ID, source: Screens) -> api.TicketPublicOut:
    return source.public_state(_public_ticket(source, ticket_id))


@router.get(
    api.PATH_STATUS_EVENTS,
    responses={
        **PUBLIC_ERRORS,
        200: {"content": {"text/event-stream": {}}, "description": "state events"},
    },
    response_class=StreamingResponse,
)
async def status_events(ticket_id: TICKET_ID, source: Screens) -> StreamingResponse:
    await run_in_threadpool(_public_ticket, source, ticket_id)
    subscriber, _ = source.broker.subscribe()

    def state() -> api.TicketPublicOut:
        return source.public_state(_public_ticket(source, ticket_id))

    async def stream() -> AsyncIterator[str]:
        try:
            last = await run_in_threadpool(state)
            yield sse("state", last.model_dump_json())
            async for event in follow(subscriber.queue):
                if event is None:
                    yield PING
                    continue
                fresh = await run_in_threadpool(state)
                if fresh.model_dump(exclude={"server_time"}) != last.model_dump(
                    exclude={"server_time"}
                ):
                    last = fresh
                    yield sse("state", fresh.model_dump_json())
        finally:
            source.broker.unsubscribe(subscriber)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
