"""The event broker behind `GET /v1/events` and the ticket-status streams: any thread
publishes, each stream reads.

In one process, event ids start from the wall clock in milliseconds when the server
starts, so they keep increasing across restarts and a client's Last-Event-ID stays
meaningful. With several worker processes (or a PostgreSQL database other servers
share) the broker publishes through a `Bus` (kiosk/hall/server/event_bus.py), which
gives the ids and brings every worker's events back through `deliver`.

Each stream belongs to a client address (and, for kiosks, a client id): a cap on
streams per address keeps one client from holding them all, and
`close_streams_of(client_id)` ends a revoked token's streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Protocol

PING_SECONDS = 15.0
REPLAY = 1000
# Open streams one client address may hold (kiosks and window software hold one
# each; a phone one per ticket page). ServerOptions.max_streams_per_address.
MAX_STREAMS_PER_ADDRESS = 32


class Bus(Protocol):
    def publish(self, data: dict[str, Any]) -> dict[str, Any]: ...

    def close(self) -> None: ...


class TooManyStreams(Exception):
    """The client address already holds its cap of streams (answered 429)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"too many open event streams from this address (at most {limit}):"
            " close one before opening another"
        )


@dataclass(eq=False)
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    address: str = ""
    client_id: str | None = None
    queue: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)

    def send(self, event: dict[str, Any] | None) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, event)


class EventBroker:
    def __init__(self, max_streams_per_address: int = MAX_STREAMS_PER_ADDRESS) -> None:
        self._ids = itertools.count(int(time.time() * 1000))
        self._lock = threading.Lock()
        self._recent: deque[dict[str, Any]] = deque(maxlen=REPLAY)
        self._subscribers: list[_Subscriber] = []
        self._per_address: Counter[str] = Counter()
        self._max_per_address = max_streams_per_address
        self._closed = False
        self._bus: Bus | None = None

    def use(self, bus: Bus) -> None:
        """Publishes through `bus` from now on; it calls `deliver` with every event."""
        self._bus = bus

    def publish(self, data: dict[str, Any]) -> dict[str, Any]:
        """Gives the event its id and sends it to every open stream; returns it."""
        if self._bus is not None:
            return self._bus.publish(data)
        with self._lock:  # ids given and kept in the same order
            event = {"id": next(self._ids), **data}
            self._recent.append(event)
            subscribers = list(self._subscribers)
        self._send(subscribers, [event])
        return event

    def deliver(self, events: list[dict[str, Any]]) -> None:
        """Events with their ids, in order, to every open stream of this process."""
        with self._lock:
            self._recent.extend(events)
            subscribers = list(self._subscribers)
        self._send(subscribers, events)

    def _send(self, subscribers: list[_Subscriber], events: list[dict[str, Any]]) -> None:
        for subscriber in subscribers:
            try:
                for event in events:
                    subscriber.send(event)
            except RuntimeError:  # its loop has closed: the stream is gone
                self._drop(subscriber)

    def subscribe(
        self, last_id: int | None = None, *, address: str = "", client_id: str | None = None
    ) -> tuple[_Subscriber, list[dict[str, Any]]]:
        """A new stream for the running loop, and the events after `last_id` to replay;
        TooManyStreams when `address` holds its cap."""
        subscriber = _Subscriber(asyncio.get_running_loop(), address, client_id)
        with self._lock:
            self._admit(address)
            if self._closed:
                subscriber.queue.put_nowait(None)
            self._subscribers.append(subscriber)
            missed = (
                [event for event in self._recent if event["id"] > last_id]
                if last_id is not None
                else []
            )
        return subscriber, missed

    def _admit(self, address: str) -> None:
        if address and self._per_address[address] >= self._max_per_address:
            raise TooManyStreams(self._max_per_address)
        self._per_address[address] += 1

    def _release(self, address: str) -> None:
        self._per_address[address] -= 1
        if self._per_address[address] <= 0:
            del self._per_address[address]

    def admit(self, address: str) -> None:
        """One more stream of `address` fed other than by `subscribe` (`release` it
        when it ends); TooManyStreams at the cap."""
        with self._lock:
            self._admit(address)

    def release(self, address: str) -> None:
        with self._lock:
            self._release(address)

    def _drop(self, subscriber: _Subscriber) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)
                self._release(subscriber.address)

    def recent(self, event_id: int) -> dict[str, Any] | None:
        """One of the last REPLAY events by its id (the calling display's audio asks)."""
        with self._lock:
            return next((event for event in self._recent if event["id"] == event_id), None)

    def unsubscribe(self, subscriber: _Subscriber) -> None:
        self._drop(subscriber)

    @property
    def streams(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def _end(self, subscribers: list[_Subscriber]) -> None:
        for subscriber in subscribers:
            with contextlib.suppress(RuntimeError):
                subscriber.send(None)

    def close_streams_of(self, client_id: str) -> int:
        """Ends every open stream of `client_id` (its token was revoked); how many."""
        with self._lock:
            theirs = [s for s in self._subscribers if s.client_id == client_id]
        self._end(theirs)
        return len(theirs)

    def close(self) -> None:
        """Ends every stream (the server is stopping)."""
        with self._lock:
            self._closed = True
            subscribers = list(self._subscribers)
        self._end(subscribers)
        if self._bus is not None:
            self._bus.close()
            self._bus = None
