"""Tickets: reserve a number, then commit or void it; read one back. A kiosk touches
only its own tickets, and only in its hall."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS, TICKET_ID, ModelAnswer, ticket_out
from kiosk.hall.server.dependencies import Caller, CallerStore, Hall, Now, blocking
from kiosk.hall.server.principal import Principal, require_role, require_ticket
from kiosk.hall.server.routes.status_page import status_url
from kiosk.hall.server.store import HallStore, StoreError, TicketRow

router = APIRouter()


def _owned(store: HallStore, caller: Principal, ticket_id: str, action: str) -> TicketRow:
    """The ticket, when it is in the caller's hall and the caller may `action` it."""
    found = store.ticket(ticket_id)
    if found is None:
        raise StoreError(404, f"ticket_id: no ticket {ticket_id!r}")
    require_ticket(caller, found, action)
    return found


@router.post(api.PATH_RESERVE, responses=ERRORS, response_model=api.ReservationOut)
async def reserve(
    body: api.ReserveIn, caller: Caller, server: Hall, store: CallerStore
) -> ModelAnswer:
    require_role(caller, "reserve tickets", "kiosk")
    answer, new = await blocking(
        store.reserve, caller.client_id, body.idempotency_key, body.queue_code, body.matter_codes
    )
    if new:
        server.publish("queue_changed", queue_code=answer["queue_code"], hall=store.hall)
    reservation = api.ReservationOut(
        server_time=server.clock.now(),
        business_day=date.fromisoformat(answer["business_day"]),
        ticket_id=answer["ticket_id"],
        number=answer["number"],
        queue_code=answer["queue_code"],
        issued_at=datetime.fromisoformat(answer["issued_at"]),
        people_ahead=answer["people_ahead"],
        estimated_wait_minutes=answer["estimated_wait_minutes"],
        status_url=status_url(server, answer["ticket_id"]),
    )
    return ModelAnswer(reservation)


@router.get(api.PATH_TICKET, responses=ERRORS)
async def ticket(
    ticket_id: TICKET_ID, caller: Caller, store: CallerStore, clock: Now
) -> api.TicketOut:
    return ticket_out(clock, await blocking(_owned, store, caller, ticket_id, "read a ticket"))


@router.post(api.PATH_COMMIT, responses=ERRORS, response_model=api.TicketOut)
async def commit(
    ticket_id: TICKET_ID, body: api.CommitIn, caller: Caller, store: CallerStore, clock: Now
) -> ModelAnswer:
    def committed() -> TicketRow:
        _owned(store, caller, ticket_id, "commit a ticket")
        return store.commit(ticket_id, body.channel)

    return ModelAnswer(ticket_out(clock, await blocking(committed)))


@router.post(api.PATH_VOID, responses=ERRORS)
async def void(
    ticket_id: TICKET_ID,
    body: api.VoidIn,
    caller: Caller,
    server: Hall,
    store: CallerStore,
    clock: Now,
) -> api.TicketOut:
    def voided() -> tuple[TicketRow, TicketRow]:
        before = _owned(store, caller, ticket_id, "void a ticket")
        return before, store.void(ticket_id)

    before, after = await blocking(voided)
    if before.status != after.status:
        server.publish("queue_changed", queue_code=after.queue_code, hall=store.hall)
    return ticket_out(clock, after)
