"""好差评: the phone page's 差评 content (public, by the ticket's unguessable id, channel
qr, once per service), staff at a window from the dashboard, follow-ups, figures per
staff. The phone page itself is the status page's; it posts here."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from kiosk.evaluation_state import EvaluationState
from kiosk.hall import api as paths
from kiosk.hall import evaluation_api as api
from kiosk.hall.server.answers import ERRORS, PUBLIC_ERRORS, TICKET_ID
from kiosk.hall.server.dependencies import Caller, CallerStore, Hall, Now, Token, blocking, holder
from kiosk.hall.server.hall import HallClock, HallServer
from kiosk.hall.server.principal import Principal, require_role, require_window
from kiosk.hall.server.screens.routes import STAFF_CHANGED
from kiosk.hall.server.store import StoreError
from kiosk.hall.server.store.evaluation_core import hall_reasons
from kiosk.settings import Settings

router = APIRouter()

PUBLIC_CONTENT_ERRORS = {
    **PUBLIC_ERRORS,
    409: {"description": "Not served yet, or evaluated already."},
    422: {"description": "A bad level, reason or note (named)."},
}


def _state_out(settings: Settings, clock: Now, state: EvaluationState) -> api.EvaluationStateOut:
    reasons = hall_reasons(settings).reasons
    return api.EvaluationStateOut(
        **clock.stamp(),
        **asdict(state),
        wants_content=state.wants_content,
        reasons=[api.ReasonOut(**reason.model_dump()) for reason in reasons],
    )


# The phone page's: by the ticket's id alone, in whichever hall the ticket is.


@router.get(paths.PATH_TICKET_EVALUATION, responses=PUBLIC_ERRORS)
def evaluation_state(ticket_id: TICKET_ID, server: Hall, clock: Now) -> api.EvaluationStateOut:
    site = server.site_of_ticket(ticket_id)
    return _state_out(site.settings, clock, site.store.evaluation_state(ticket_id))


@router.post(paths.PATH_TICKET_EVALUATION, responses=PUBLIC_CONTENT_ERRORS)
async def evaluation_content(
    ticket_id: TICKET_ID, body: api.EvaluationContentIn, server: Hall, clock: Now, token: Token
) -> api.EvaluationStateOut:
    """The phone page's; a kiosk's screen calls it too, with its token: then the
    channel is terminal (the token grants nothing the slip does not: it names the
    channel and the kiosk, when it is a kiosk's of the ticket's hall)."""
    caller = await holder(server, token)
    return await blocking(_content, ticket_id, body, server, clock, caller)


def _content(
    ticket_id: str,
    body: api.EvaluationContentIn,
    server: HallServer,
    clock: HallClock,
    caller: Principal | None,
) -> api.EvaluationStateOut:
    site = server.site_of_ticket(ticket_id)
    terminal = caller is not None and caller.role == "kiosk" and caller.hall == site.store.hall
    kiosk_id = caller.client_id if terminal and caller is not None else None
    state = site.store.add_qr_content(
        ticket_id, body.level, body.reason_codes(), body.note, kiosk_id, body.evaluation_id
    )
    ticket = site.store.ticket(ticket_id) if body.level is not None else None
    if ticket is not None and ticket.window is not None:  # a vote: the keypad's prompt ends
        server.publish(
            "evaluated",
            window=ticket.window,
            ticket_id=ticket_id,
            number=ticket.number,
            hall=site.store.hall,
        )
    return _state_out(site.settings, clock, state)


@router.post(paths.PATH_WINDOW_STAFF, responses=ERRORS)
def window_staff(
    window: Annotated[int, PathParam(ge=1, le=999)],
    body: api.WindowStaffIn,
    caller: Caller,
    server: Hall,
    store: CallerStore,
    clock: Now,
) -> api.WindowStaffOut:
    require_window(caller, window)
    store.set_window_staff(caller.client_id, window, body.staff_id)
    server.publish(STAFF_CHANGED, window=window, hall=caller.hall)
    return api.WindowStaffOut(**clock.stamp(), window=window, staff_id=body.staff_id)


@router.get(paths.PATH_FOLLOW_UPS_OVERDUE, responses=ERRORS)
def overdue_follow_ups(caller: Caller, store: CallerStore, clock: Now) -> api.OverdueFollowUpsOut:
    require_role(caller, "read follow-ups", "admin")
    return api.OverdueFollowUpsOut(
        **clock.stamp(),
        follow_ups=[api.OverdueFollowUp(**row) for row in store.overdue_follow_ups()],
    )


@router.post(paths.PATH_FOLLOW_UP, responses=ERRORS)
def follow_up(
    evaluation_id: Annotated[str, PathParam(pattern=api.EVALUATION_ID_PATTERN)],
    body: api.FollowUpIn,
    caller: Caller,
    store: CallerStore,
    clock: Now,
) -> api.FollowUpOut:
    require_role(caller, "record a follow-up", "admin")
    if body.contact_phone is not None and not body.consent:
        raise StoreError(422, "consent: a contact phone is kept only with consent", "consent")
    found = store.update_follow_up(evaluation_id, body.model_dump())
    return api.FollowUpOut(**clock.stamp(), **found)


@router.get(paths.PATH_STAFF_FIGURES, responses=ERRORS)
def staff_figures(
    caller: Caller,
    store: CallerStore,
    clock: Now,
    first: Annotated[date | None, Query()] = None,
    last: Annotated[date | None, Query()] = None,
) -> api.StaffFiguresOut:
    require_role(caller, "read staff figures", "admin")
    today = clock.business_day()
    first, last = first or today, last or today
    if last < first or (last - first).days > 366:
        raise StoreError(422, "last: on or after first, within a year", "last")
    return api.StaffFiguresOut(
        **clock.stamp(),
        staff=[api.StaffFigureOut(**vars(f)) for f in store.staff_figures(first, last)],
    )
