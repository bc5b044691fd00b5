"""The public ticket-status page a taxpayer opens from the slip's QR code (no token).

It reads the screens' source (kiosk/hall/server/screens/source.py), so the hall server
and a kiosk serving its embedded hall answer it alike."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from kiosk.hall import api
from kiosk.hall.server.answers import PUBLIC_ERRORS, TICKET_ID
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.page import PageLanguage, both, status_page_html
from kiosk.hall.server.screens.routes import ServedScreens
from kiosk.hall.server.store import StoreError
from kiosk.hall.server.ticket_watch import STREAM_ERRORS, client_address, ticket_stream
from kiosk.text import text

router = APIRouter()

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})

PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"content": {"text/html": {}}, "description": "Unknown ticket."}
}


def status_url(server: HallServer, ticket_id: str) -> str:
    """The status page a ticket's QR code opens: under `--public-url`, else the hall URL
    of the settings, else the address the server listens on; never the request's Host
    header, which any client names as it likes. Empty when the server listens on every
    address and nothing says which is public: the kiosk then uses the URL it reached
    the server at."""
    listening = urlsplit(server.listen_url).hostname or ""
    own = server.listen_url if listening not in WILDCARD_HOSTS else ""
    base = server.options.public_url or server.settings.hall.url or own
    return base.rstrip("/") + api.PATH_STATUS_PAGE.format(ticket_id=ticket_id) if base else ""


def not_found_page() -> str:
    title, sentence = text("status_page.not_found_title"), text("status_page.not_found")
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(both(title))}</title>"
        f"<p>{escape(sentence.zh)}/ {escape(sentence.en)}</p></html>"
    )


@router.get(api.PATH_STATUS_PAGE, response_class=HTMLResponse, responses=PAGE_ERRORS)
def status_page(
    ticket_id: TICKET_ID, source: ServedScreens, lang: PageLanguage = None
) -> HTMLResponse:
    found = source.of_ticket(ticket_id)
    if found is None:
        return HTMLResponse(not_found_page(), 404)
    site, ticket = found
    return HTMLResponse(
        status_page_html(site.public_state(ticket), site.settings, lang),
        headers={"Cache-Control": "no-store"},
    )


@router.get(api.PATH_STATUS_STATE, responses=PUBLIC_ERRORS)
def status_state(ticket_id: TICKET_ID, source: ServedScreens) -> api.TicketPublicOut:
    found = source.of_ticket(ticket_id)
    if found is None:
        raise StoreError(404, "no such ticket")
    return found[0].public_state(found[1])


@router.get(
    api.PATH_STATUS_EVENTS,
    responses={
        **PUBLIC_ERRORS,
        **STREAM_ERRORS,
        200: {"content": {"text/event-stream": {}}, "description": "state events"},
    },
    response_class=StreamingResponse,
)
async def status_events(
    ticket_id: TICKET_ID, source: ServedScreens, request: Request
) -> StreamingResponse:
    return await ticket_stream(source, ticket_id, client_address(request))
