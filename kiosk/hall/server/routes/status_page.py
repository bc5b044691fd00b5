"""The public ticket-status page a taxpayer opens from the slip's QR code (no token)."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from kiosk.hall import api
from kiosk.hall.server.answers import PUBLIC_ERRORS, TICKET_ID, public_state
from kiosk.hall.server.dependencies import Hall
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.page import both, status_page_html
from kiosk.hall.server.store import HallStore, StoreError, TicketRow
from kiosk.hall.server.ticket_watch import STREAM_ERRORS, client_address, ticket_stream
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


def _public_ticket(store: HallStore, ticket_id: str) -> TicketRow:
    found = store.ticket(ticket_id)
    if found is None:
        raise StoreError(404, "no such ticket")
    return found


def _hall_store(server: HallServer, ticket_id: str) -> HallStore:
    """The store of the ticket's hall (any hall of the server)."""
    found = server.ticket_site(ticket_id)
    if found is None:
        raise StoreError(404, "no such ticket")
    return found[0].store


@router.get(api.PATH_STATUS_PAGE, response_class=HTMLResponse, responses=PAGE_ERRORS)
def status_page(ticket_id: TICKET_ID, server: Hall) -> HTMLResponse:
    found = server.ticket_site(ticket_id)
    if found is None:
        return HTMLResponse(not_found_page(), 404)
    site, ticket = found
    return HTMLResponse(
        status_page_html(public_state(site.store, ticket), site.settings),
        headers={"Cache-Control": "no-store"},
    )


@router.get(api.PATH_STATUS_STATE, responses=PUBLIC_ERRORS)
def status_state(ticket_id: TICKET_ID, server: Hall) -> api.TicketPublicOut:
    store = _hall_store(server, ticket_id)
    return public_state(store, _public_ticket(store, ticket_id))


@router.get(
    api.PATH_STATUS_EVENTS,
    responses={
        **PUBLIC_ERRORS,
        **STREAM_ERRORS,
        200: {"content": {"text/event-stream": {}}, "description": "state events"},
    },
    response_class=StreamingResponse,
)
async def status_events(ticket_id: TICKET_ID, server: Hall, request: Request) -> StreamingResponse:
    return await ticket_stream(server, ticket_id, client_address(request))
