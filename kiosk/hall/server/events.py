"""The event broker behind `GET /v1/events`: any thread publishes, each stream reads.

Event ids start from the wall clock in milliseconds when the server starts, so
they keep increasing across restarts and a client's Last-Event-ID stays meaningful.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

PING_SECONDS = 15.0
REPLAY = 1000


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)


class EventBroker:
    def __init__(self) -> None:
        self._ids = itertools.count(int(time.time() * 1000))
        self._lock = threading.Lock()
        self._recent: deque[dict[str, Any]] = deque(maxlen=REPLAY)
        self._subscribers: list[_Subscriber] = []
        self._closed = False

    def publish(self, data: dict[str, Any]) -> dict[str, Any]:
        """Gives the event its id and sends it to every open stream; returns it."""
        with self._lock:
            event = {"id": next(self._ids), **data}
            self._recent.append(event)
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, event)
            except RuntimeError:  # its loop has closed: the stream is gone
                self._drop(subscriber)
        return event

    def subscribe(self, last_id: int | None = None) -> tuple[_Subscriber, list[dict[str, Any]]]:
        """A new stream for the running loop, and the events after `last_id` to replay."""
        subscriber = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            if self._closed:
                subscriber.queue.put_nowait(None)
            self._subscribers.append(subscriber)
            missed = (
                [event for event in self._recent if event["id"] > last_id]
                if last_id is not None
                else []
            )
        return subscriber, missed

    def _drop(self, subscriber: _Subscriber) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

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

    def close(self) -> None:
        """Ends every stream (the server is stopping)."""
        with self._lock:
            self._closed = True
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            with contextlib.suppress(RuntimeError):
                subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, None)
