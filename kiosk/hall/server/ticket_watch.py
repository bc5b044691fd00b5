"""The ticket-status streams of one process (`GET /t/{id}/events`): after a change,
each watched ticket's state is read once, in one thread hop for all of them, and
handed to every page watching it; 300 pages on one ticket cost one reading, not 300.
Events that arrive while a reading runs are folded into the next one. A stream ends
once its ticket is finished or void (nothing more will change), or the server stops.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from kiosk.hall import api
from kiosk.hall.server.answers import PING, follow, sse
from kiosk.hall.server.events import EventBroker, TooManyStreams
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.store import StoreError

FINAL = frozenset({"finished", "void"})

State = api.TicketPublicOut
Watcher = asyncio.Queue[State | None]


class TicketWatch:
    """The watched tickets of one server process and the task that refreshes them."""

    def __init__(self, broker: EventBroker, state: Callable[[str], State | None]) -> None:
        self._broker = broker
        self._state = state
        self._watchers: dict[str, set[Watcher]] = {}
        self._task: asyncio.Task[None] | None = None
        self.readings = 0  # states read since the start (what a change costs)

    def open(self, ticket_id: str, address: str) -> Watcher:
        """A queue of the ticket's fresh states (None: the stream ends); TooManyStreams
        when `address` holds its cap of streams. `close` it when the stream ends."""
        self._broker.admit(address)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._refresh())
        watcher: Watcher = asyncio.Queue()
        self._watchers.setdefault(ticket_id, set()).add(watcher)
        return watcher

    def close(self, ticket_id: str, address: str, watcher: Watcher) -> None:
        watchers = self._watchers.get(ticket_id, set())
        watchers.discard(watcher)
        if not watchers:
            self._watchers.pop(ticket_id, None)
        self._broker.release(address)

    def _read(self, ticket_ids: list[str]) -> dict[str, State | None]:
        self.readings += len(ticket_ids)
        return {ticket_id: self._state(ticket_id) for ticket_id in ticket_ids}

    async def _refresh(self) -> None:
        subscriber, _ = self._broker.subscribe()
        try:
            while True:
                event = await subscriber.queue.get()
                while event is not None and not subscriber.queue.empty():
                    event = subscriber.queue.get_nowait()  # one reading for a burst
                if event is None:  # the server is stopping
                    self._end(list(self._watchers))
                    return
                if self._watchers:
                    states = await run_in_threadpool(self._read, list(self._watchers))
                    self._hand_out(states)
        finally:
            self._broker.unsubscribe(subscriber)

    def _hand_out(self, states: dict[str, State | None]) -> None:
        for ticket_id, state in states.items():
            for watcher in self._watchers.get(ticket_id, set()):
                if state is not None:
                    watcher.put_nowait(state)
            if state is None or state.status in FINAL:
                self._end([ticket_id])

    def _end(self, ticket_ids: list[str]) -> None:
        for ticket_id in ticket_ids:
            for watcher in self._watchers.get(ticket_id, set()):
                watcher.put_nowait(None)


_WATCHES: weakref.WeakKeyDictionary[ScreenSource, TicketWatch] = weakref.WeakKeyDictionary()


def ticket_watch(source: ScreenSource) -> TicketWatch:
    """The process's one TicketWatch of the hall's screens (made on the first stream)."""
    found = _WATCHES.get(source)
    if found is None:
        found = _WATCHES[source] = TicketWatch(source.broker, functools.partial(_state, source))
    return found


def _state(source: ScreenSource, ticket_id: str) -> State | None:
    found = source.of_ticket(ticket_id)  # the ticket of any hall of the server
    return None if found is None else found[0].public_state(found[1])


def unchanged(a: State, b: State) -> bool:
    """The same state but for the time it was read."""
    skip: Any = {"server_time"}
    return a.model_dump(exclude=skip) == b.model_dump(exclude=skip)


STREAM_ERRORS: dict[int | str, dict[str, Any]] = {
    429: {"model": api.ErrorOut, "description": "Too many open streams from this address."},
}


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def refused(error: TooManyStreams) -> StoreError:
    return StoreError(429, str(error))


async def ticket_stream(source: ScreenSource, ticket_id: str, address: str) -> StreamingResponse:
    """The ticket's state now, then each new one, until it is finished or void."""
    first = await run_in_threadpool(_state, source, ticket_id)
    if first is None:
        raise StoreError(404, "no such ticket")
    watch = ticket_watch(source)
    try:
        watcher = watch.open(ticket_id, address)
    except TooManyStreams as error:
        raise refused(error) from None

    async def stream() -> AsyncIterator[str]:
        try:
            last = first
            yield sse("state", first.model_dump_json())
            if first.status in FINAL:
                return
            async for fresh in follow(watcher):
                if fresh is None:
                    yield PING
                elif not unchanged(fresh, last):
                    last = fresh
                    yield sse("state", fresh.model_dump_json())
        finally:
            watch.close(ticket_id, address, watcher)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def existing_watch(source: ScreenSource) -> TicketWatch | None:
    """The TicketWatch of the hall's screens if a ticket stream has been opened."""
    return _WATCHES.get(source)
