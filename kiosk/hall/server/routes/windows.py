"""Service windows: call the next ticket, recall, finish, pause and resume."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Client, Hall, Now
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.store import WindowChange

router = APIRouter()


def _event_of(server: HallServer, change: WindowChange, window: int) -> dict[str, Any]:
    ticket = change.ticket
    data: dict[str, Any] = {"window": window, "recall": change.recall}
    if ticket is not None:
        data.update(ticket_id=ticket.ticket_id, number=ticket.number, queue_code=ticket.queue_code)
    return server.publish(change.kind, **data)


@router.post(api.PATH_WINDOW_ACTION, responses=ERRORS)
def window_action(
    window: Annotated[int, PathParam(ge=1, le=999)],
    action: Literal["call-next", "recall", "finish", "pause", "resume"],
    client_id: Client,
    server: Hall,
    clock: Now,
) -> api.WindowActionOut:
    store = server.store
    if action == "call-next":
        changes = store.call_next(window)
    elif action == "recall":
        changes = store.recall(window)
    elif action == "finish":
        changes = store.finish(window)
    else:
        changes = store.set_paused(window, action == "pause")
    events = [_event_of(server, change, window) for change in changes]
    for queue_code in sorted({c.ticket.queue_code for c in changes if c.ticket}):
        server.publish("queue_changed", queue_code=queue_code)
    wanted = {"call-next": "called"}.get(action)
    chosen = [e for e in events if wanted is None or e["kind"] == wanted]
    return api.WindowActionOut(
        **clock.stamp(),
        event=api.EventOut(**chosen[-1]) if chosen else None,
        paused=store.window_paused(window),
    )
