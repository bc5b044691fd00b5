"""Tickets: reserve a number, then commit or void it; read one back."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS, TICKET_ID, ticket_out
from kiosk.hall.server.dependencies import Client, Hall, Now, Store
from kiosk.hall.server.routes.status_page import status_url
from kiosk.hall.server.store import StoreError

router = APIRouter()


@router.post(api.PATH_RESERVE, responses=ERRORS)
def reserve(
    body: api.ReserveIn, client_id: Client, server: Hall, store: Store, clock: Now
) -> api.ReservationOut:
    answer, new = store.reserve(client_id, body.idempotency_key, body.queue_code, body.matter_codes)
    if new:
        server.publish("queue_changed", queue_code=answer["queue_code"])
    return api.ReservationOut(
        server_time=clock.now(),
        business_day=date.fromisoformat(answer["business_day"]),
        ticket_id=answer["ticket_id"],
        number=answer["number"],
        queue_code=answer["queue_code"],
        issued_at=datetime.fromisoformat(answer["issued_at"]),
        people_ahead=answer["people_ahead"],
        estimated_wait_minutes=answer["estimated_wait_minutes"],
        status_url=status_url(server, answer["ticket_id"]),
    )


@router.get(api.PATH_TICKET, responses=ERRORS)
def ticket(ticket_id: TICKET_ID, client_id: Client, store: Store, clock: Now) -> api.TicketOut:
    found = store.ticket(ticket_id)
    if found is None:
        raise StoreError(404, f"ticket_id: no ticket {ticket_id!r}")
    return ticket_out(clock, found)


@router.post(api.PATH_COMMIT, responses=ERRORS)
def commit(
    ticket_id: TICKET_ID, body: api.CommitIn, client_id: Client, store: Store, clock: Now
) -> api.TicketOut:
    return ticket_out(clock, store.commit(ticket_id, body.channel))


@router.post(api.PATH_VOID, responses=ERRORS)
def void(
    ticket_id: TICKET_ID, body: api.VoidIn, client_id: Client, server: Hall, clock: Now
) -> api.TicketOut:
    before = server.store.ticket(ticket_id)
    after = server.store.void(ticket_id)
    if before is not None and before.status != after.status:
        server.publish("queue_changed", queue_code=after.queue_code)
    return ticket_out(clock, after)
