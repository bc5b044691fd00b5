"""Service windows: call the next ticket, recall, finish, pause and resume; a kiosk
acts only for the windows granted to its token, an admin for every window of its hall."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, CallerStore, Hall, Now, blocking
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.principal import require_window
from kiosk.hall.server.store import HallStore, WindowChange

router = APIRouter()


def _event_of(server: HallServer, change: WindowChange, window: int, hall: str) -> dict[str, Any]:
    ticket = change.ticket
    data: dict[str, Any] = {"window": window, "recall": change.recall, "hall": hall}
    if ticket is not None:
        data.update(ticket_id=ticket.ticket_id, number=ticket.number, queue_code=ticket.queue_code)
    return server.publish(change.kind, **data)


Action = Literal["call-next", "recall", "finish", "pause", "resume"]


def _act(store: HallStore, window: int, action: Action) -> tuple[list[WindowChange], bool]:
    """The changes the action made, and whether the window is paused after it."""
    if action == "call-next":
        changes = store.call_next(window)
    elif action == "recall":
        changes = store.recall(window)
    elif action == "finish":
        changes = store.finish(window)
    else:
        changes = store.set_paused(window, action == "pause")
    return changes, store.window_paused(window)


@router.post(api.PATH_WINDOW_ACTION, responses=ERRORS)
async def window_action(
    window: Annotated[int, PathParam(ge=1, le=999)],
    action: Action,
    caller: Caller,
    server: Hall,
    store: CallerStore,
    clock: Now,
) -> api.WindowActionOut:
    store.window_queues(window)  # 404 for a window no queue is served at (settings only)
    require_window(caller, window)
    changes, paused = await blocking(_act, store, window, action)
    events = [_event_of(server, change, window, store.hall) for change in changes]
    for queue_code in sorted({c.ticket.queue_code for c in changes if c.ticket}):
        server.publish("queue_changed", queue_code=queue_code, hall=store.hall)
    wanted = {"call-next": "called"}.get(action)
    chosen = [e for e in events if wanted is None or e["kind"] == wanted]
    return api.WindowActionOut(
        **clock.stamp(),
        event=api.EventOut(**chosen[-1]) if chosen else None,
        paused=paused,
    )
