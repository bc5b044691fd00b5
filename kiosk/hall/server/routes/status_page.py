"""The public ticket-status page a taxpayer opens from the slip's QR code (no token)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from html import escape
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kiosk.hall import api
from kiosk.hall.server.answers import PING, PUBLIC_ERRORS, TICKET_ID, follow, public_state, sse
from kiosk.hall.server.dependencies import Hall, Store
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.page import both, status_page_html
from kiosk.hall.server.store import HallStore, StoreError, TicketRow
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


def _public_ticket(store: HallStore, ticket_id: str) -> TicketRow:
    found = store.ticket(ticket_id)
    if found is None:
        raise StoreError(404, "no such ticket")
    return found


@router.get(api.PATH_STATUS_PAGE, response_class=HTMLResponse, responses=PAGE_ERRORS)
def status_page(ticket_id: TICKET_ID, server: Hall) -> HTMLResponse:
    ticket = server.store.ticket(ticket_id)
    if ticket is None:
        return HTMLResponse(not_found_page(), 404)
    return HTMLResponse(
        status_page_html(public_state(server.store, ticket), server.settings),
        headers={"Cache-Control": "no-store"},
    )


@router.get(api.PATH_STATUS_STATE, responses=PUBLIC_ERRORS)
def status_state(ticket_id: TICKET_ID, store: Store) -> api.TicketPublicOut:
    return public_state(store, _public_ticket(store, ticket_id))


@router.get(
    api.PATH_STATUS_EVENTS,
    responses={
        **PUBLIC_ERRORS,
        200: {"content": {"text/event-stream": {}}, "description": "state events"},
    },
    response_class=StreamingResponse,
)
async def status_events(ticket_id: TICKET_ID, server: Hall) -> StreamingResponse:
    store = server.store
    await run_in_threadpool(_public_ticket, store, ticket_id)
    subscriber, _ = server.broker.subscribe()

    def state() -> api.TicketPublicOut:
        return public_state(store, _public_ticket(store, ticket_id))

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
            server.broker.unsubscribe(subscriber)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
