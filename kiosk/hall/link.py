"""The state of the kiosk's link to the hall server: online, or offline since when.

Shared by the hall client (kiosk/hall/http/) and the outbox delivery
(kiosk/hall/outbox_delivery.py); the screen and the technicians read it.
ServerClock is the kiosk's clock set by the server's time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kiosk.clock import Clock

log = logging.getLogger(__name__)


class LinkDown(Exception):
    """The hall server cannot be reached, or answered with something unusable:
    try again later. The message is for a technician (never personal data)."""


@dataclass(frozen=True)
class LinkStatus:
    """For the screen and the technicians."""

    online: bool
    offline_since: datetime | None
    pending: int
    last_error: str | None
    last_contact: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "online": self.online,
            "offline_since": None if self.offline_since is None else self.offline_since.isoformat(),
            "pending": self.pending,
            "last_error": self.last_error,
            "last_contact": None if self.last_contact is None else self.last_contact.isoformat(),
        }


LinkListener = Callable[[LinkStatus], None]


class ServerClock:
    """The kiosk's clock corrected by the hall server's time (sent with every answer).

    Day boundaries and waiting times use it, so a kiosk whose own clock is wrong
    neither restarts numbering mid-day nor shows negative waits. Before any answer
    (and with no offset remembered) it is the kiosk's own clock."""

    def __init__(self, base: Clock, offset_seconds: float = 0.0) -> None:
        self._base = base
        self._offset = timedelta(seconds=offset_seconds)
        self._lock = threading.Lock()

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def observe(self, server_time: datetime) -> float:
        """The server said it is `server_time` now; returns the new offset in seconds."""
        offset = server_time - self._base.now()
        with self._lock:
            self._offset = offset
        return offset.total_seconds()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return self._base.now() + offset

    def monotonic(self) -> float:
        return self._base.monotonic()


class HallLink:
    """Online or offline since when, shared by the hall client and the sync worker.

    A kiosk starts offline ("not connected yet") until the server first answers."""

    def __init__(self, clock: Clock, pending: Callable[[], int] | None = None) -> None:
        self._clock = clock
        self._pending = pending or (lambda: 0)
        self._lock = threading.Lock()
        self._online = False
        self._offline_since: datetime | None = clock.now()
        self._last_error: str | None = "not connected yet"
        self._last_contact: datetime | None = None
        self._listeners: list[LinkListener] = []

    @property
    def online(self) -> bool:
        with self._lock:
            return self._online

    def subscribe(self, listener: LinkListener) -> None:
        """`listener(status)` runs on the thread that saw the change."""
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: LinkListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def mark_online(self) -> None:
        with self._lock:
            changed = not self._online
            self._online = True
            self._offline_since = None
            self._last_error = None
            self._last_contact = self._clock.now()
        if changed:
            log.info("hall server reachable: online")
            self._tell()

    def mark_offline(self, reason: str) -> None:
        with self._lock:
            changed = self._online
            self._online = False
            if self._offline_since is None:
                self._offline_since = self._clock.now()
            self._last_error = reason
        if changed:
            log.warning("hall server unreachable, working offline: %s", reason)
            self._tell()

    def status(self) -> LinkStatus:
        pending = self._pending()
        with self._lock:
            return LinkStatus(
                self._online, self._offline_since, pending, self._last_error, self._last_contact
            )

    def changed(self) -> None:
        """Tell the listeners again (the pending count moved)."""
        self._tell()

    def _tell(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        status = self.status()
        for listener in listeners:
            try:
                listener(status)
            except Exception:
                log.exception("a hall link listener failed")
