"""Delivering the journal's outbox to the hall server, and the state of the link.

The sync worker is one thread. Each cycle it takes the oldest undelivered
records in batches and hands them to a sender (the hall server client, or a
test double); what the server acknowledges leaves the outbox in one durable
transaction, what it refuses for good is kept with the reason, and everything
else is sent again later with the same idempotency key: a replay never
duplicates anything on a server that honours the keys. When the server cannot
be reached the worker backs off exponentially (with jitter, up to a ceiling)
and the link reads "offline since"; the first answer puts it back online, with
no restart either way.

The worker also journals a heartbeat with the devices' health on an interval:
it travels through the same outbox.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from kiosk.clock import Clock
from kiosk.sqlite import StorageError
from kiosk.store import Journal, OutboxRecord

log = logging.getLogger(__name__)

HEARTBEAT_KIND = "heartbeat"  # kiosk/hall/api.py: the latest per kiosk is in /v1/devices


class LinkDown(Exception):
    """The hall server cannot be reached, or answered with something unusable:
    try again later. The message is for a technician (never personal data)."""


@dataclass(frozen=True)
class Delivery:
    """The server's answer to one batch: event ids it holds now (new or already
    known by their keys), and those it refuses for good, with the reason."""

    acknowledged: Sequence[int]
    refused: Mapping[int, str] = field(default_factory=dict)


class OutboxSender(Protocol):
    def send(self, records: Sequence[OutboxRecord]) -> Delivery:
        """Deliver one batch; raises LinkDown when it could not."""
        ...


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


HealthSource = Callable[[], Mapping[str, Any]]


class SyncWorker:
    """The outbox delivery thread. `maintain` (optional) runs each cycle after the
    outbox is flushed, e.g. to lease number blocks and read the server's time; it
    raises LinkDown when the server cannot be reached."""

    def __init__(
        self,
        journal: Journal,
        sender: OutboxSender,
        link: HallLink,
        clock: Clock,
        *,
        interval_seconds: float = 5.0,
        batch_size: int = 500,
        backoff_seconds: float = 0.5,
        backoff_max_seconds: float = 10.0,
        heartbeat_seconds: float = 60.0,
        health: HealthSource | None = None,
        maintain: Callable[[], None] | None = None,
    ) -> None:
        self._journal = journal
        self._sender = sender
        self._link = link
        self._clock = clock
        self.interval_seconds = interval_seconds
        self.batch_size = batch_size
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self._health = health
        self._maintain = maintain
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._next_heartbeat: float | None = None
        self._cycle_lock = threading.Lock()
        self.delivered_total = 0
        # When a cycle last emptied the outbox (and maintenance answered): technicians.
        self.last_synced_at: datetime | None = None

    # ---- one cycle (also called directly by tests) ------------------------------------

    def flush(self) -> int:
        """Deliver batches until the outbox is empty; returns how many records left
        it. Raises LinkDown (the link is then offline) when the server could not take
        a batch; what was acknowledged before stays delivered."""
        delivered = 0
        with self._cycle_lock:
            while True:
                batch = self._journal.outbox_batch(self.batch_size)
                if not batch:
                    return delivered
                try:
                    answer = self._sender.send(batch)
                except LinkDown as error:
                    self._link.mark_offline(str(error))
                    raise
                self._link.mark_online()
                known = {record.event_id for record in batch}
                acknowledged = [event_id for event_id in answer.acknowledged if event_id in known]
                refused = {
                    event_id: reason
                    for event_id, reason in answer.refused.items()
                    if event_id in known
                }
                for event_id, reason in refused.items():
                    log.error("the hall server refused outbox record %d: %s", event_id, reason)
                moved = self._journal.mark_delivered(acknowledged, refused)
                delivered += moved
                self.delivered_total += moved
                self._link.changed()
                if not acknowledged and not refused:
                    # The server took nothing of a non-empty batch: try again later.
                    raise LinkDown("the hall server acknowledged none of the records")

    def cycle(self) -> bool:
        """Heartbeat when due, flush, then maintenance. True when the server answered."""
        self._heartbeat_if_due()
        try:
            self.flush()
            if self._maintain is not None:
                self._maintain()
        except LinkDown as error:
            self._link.mark_offline(str(error))
            self._failures += 1
            return False
        except StorageError as error:
            log.error("the outbox cannot be read or updated: %s", error)
            self._failures += 1
            return False
        self._failures = 0
        self.last_synced_at = self._clock.now()
        return True

    def next_delay(self) -> float:
        """Seconds to the next cycle: the interval while online, exponential back-off
        with jitter (half to full) after failures, never above the ceiling."""
        if self._failures == 0:
            return self.interval_seconds
        ceiling = min(
            self.backoff_max_seconds, self.backoff_seconds * 2 ** min(self._failures - 1, 20)
        )
        return float(ceiling * random.uniform(0.5, 1.0))

    def _heartbeat_if_due(self) -> None:
        if self._health is None:
            return
        now = self._clock.monotonic()
        if self._next_heartbeat is not None and now < self._next_heartbeat:
            return
        self._next_heartbeat = now + self.heartbeat_seconds
        try:
            health = dict(self._health())
        except Exception:
            log.exception("reading the devices' health failed")
            health = {"error": "health not available"}
        self._journal.record(HEARTBEAT_KIND, health)

    # ---- the thread ----------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._journal.add_listener(self._on_record)
        self._link.subscribe(self._on_link)
        self._thread = threading.Thread(target=self._run, name="hall-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a cycle now (a new record, or the hall client saw the server again)."""
        self._wake.set()

    def _on_record(self, event_id: int) -> None:
        if self._failures == 0:  # after a failure the back-off decides when to try again
            self._wake.set()

    def _on_link(self, status: LinkStatus) -> None:
        if status.online and self._failures:  # seen by the hall client: deliver now
            self._failures = 0
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.cycle()
            except Exception:  # the worker must outlive any surprise
                log.exception("hall sync cycle failed")
                self._failures += 1
            self._wake.wait(self.next_delay())
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._journal.remove_listener(self._on_record)
        self._link.unsubscribe(self._on_link)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def status(self) -> LinkStatus:
        return self._link.status()
