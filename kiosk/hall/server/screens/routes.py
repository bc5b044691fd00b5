"""The display's routes: the pages, their state, their event stream and the call audio.
Public within the hall (no token): numbers, queues, windows and waiting figures only."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from kiosk.hall.server.answers import PING, follow, sse
from kiosk.hall.server.screens.calls import call_of_event, display_state
from kiosk.hall.server.screens.pages import STATIC, STATIC_PATH, display_html, window_html
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.screens.texts import TEXTS
from kiosk.hall.server.store import StoreError
from kiosk.queue import DEFAULT_HALL
from kiosk.voice import CallReading, VoiceError

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

EVENTS_PATH = "/display/events"
# A display that was away this long or less hears the calls it missed; older ones are
# only listed (a TV back after lunch should not call out the morning).
REPLAY_SECONDS = 120.0
NO_STORE = {"Cache-Control": "no-store"}
STAFF_CHANGED = "staff_changed"  # a staff member signed in or out at a window
SHOWN_KINDS = {
    "called",
    "finished",
    "queue_changed",
    "window_paused",
    "window_resumed",
    STAFF_CHANGED,
    "help_requested",
}


HallName = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


def served_screens(request: Request) -> ScreenSource:
    """The screens of the server's own hall, which know every other hall."""
    served: ScreenSource = request.app.state.screens
    return served


ServedScreens = Annotated[ScreenSource, Depends(served_screens)]


def screen_source(served: ServedScreens, hall: HallName = None) -> ScreenSource:
    """The screens of the hall asked for (`?hall=`; the server's own hall without)."""
    found = served.of_hall(hall)
    if found is None:
        raise StoreError(404, f"hall: {hall} is not served here")
    return found


Screens = Annotated[ScreenSource, Depends(screen_source)]


def install_screens(app: FastAPI, source: ScreenSource) -> None:
    """The display, window screens and their files on `app`, reading `source`."""
    app.state.screens = source
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=str(STATIC)), name="display-static")


def _now(source: ScreenSource) -> str:
    return source.engine.now().isoformat()


@router.get("/display", response_class=HTMLResponse)
def display(source: Screens, hall: HallName = None) -> HTMLResponse:
    page = display_html(source.settings, display_state(source, hall), EVENTS_PATH, _now(source))
    return HTMLResponse(page, headers=NO_STORE)


@router.get("/display/window/{window}", response_class=HTMLResponse)
def window_screen(
    window: Annotated[int, PathParam(ge=1, le=999)], source: Screens, hall: HallName = None
) -> HTMLResponse:
    if window not in source.engine.windows():
        shown = TEXTS["window_n"].format(window=window)
        return HTMLResponse(
            f'<!doctype html><meta charset="utf-8"><p>{escape(shown.zh)} / {escape(shown.en)}'
            " ?</p>",
            404,
        )
    state = display_state(source, hall)
    page = window_html(source.settings, window, state, EVENTS_PATH, _now(source))
    return HTMLResponse(page, headers=NO_STORE)


@router.get("/display/state")
def state(source: Screens, hall: HallName = None) -> JSONResponse:
    return JSONResponse(display_state(source, hall), headers=NO_STORE)


def _recent_enough(event: dict[str, Any], now: datetime) -> bool:
    try:
        at = datetime.fromisoformat(str(event.get("at")))
    except ValueError:
        return False
    return now - at <= timedelta(seconds=REPLAY_SECONDS)


def _of_hall(source: ScreenSource, event: dict[str, Any]) -> bool:
    return bool(event.get("hall", DEFAULT_HALL) == source.engine.hall)


@router.get(EVENTS_PATH)
async def display_events(
    source: Screens,
    hall: HallName = None,
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> StreamingResponse:
    """`call` (with its id, for the audio and Last-Event-ID) then `state`, as they happen."""
    last = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    subscriber, missed = source.broker.subscribe(last)
    now = source.engine.now()
    missed = [
        e
        for e in missed
        if e.get("kind") == "called" and _of_hall(source, e) and _recent_enough(e, now)
    ]

    def call_frame(event: dict[str, Any]) -> str:
        return sse("call", json.dumps(call_of_event(source.settings, event)), event["id"])

    async def stream() -> AsyncIterator[str]:
        try:
            shown = await run_in_threadpool(display_state, source, hall)
            yield sse("state", json.dumps(shown))
            for old in missed:
                yield call_frame(old)
            async for event in follow(subscriber.queue):
                if event is None:
                    yield PING
                    continue
                if event.get("kind") not in SHOWN_KINDS or not _of_hall(source, event):
                    continue
                if event.get("kind") == "called" and event.get("number"):
                    yield call_frame(event)
                fresh = await run_in_threadpool(display_state, source, hall)
                if fresh != shown:
                    shown = fresh
                    yield sse("state", json.dumps(fresh))
        finally:
            source.broker.unsubscribe(subscriber)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={**NO_STORE, "X-Accel-Buffering": "no"},
    )


@router.get("/display/audio/{call_id}.wav")
def call_audio(call_id: Annotated[int, PathParam(ge=0)], source: Screens) -> Response:
    """The announcement of one recent call: only calls the hall made, never a number a
    client names."""
    event = source.called(call_id)
    if event is None:
        return JSONResponse({"detail": "no such call"}, 404)
    try:
        reading = CallReading(str(event["number"]), int(event["window"]))
        audio = source.audio(reading)
    except (ValueError, VoiceError) as error:
        log.warning("no voice for call %s: %s", call_id, error)
        return JSONResponse({"detail": f"no voice: {error}"}, 503)
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})
