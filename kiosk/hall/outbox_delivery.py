"""Delivering the journal's outbox to the hall server (the link's state: kiosk/hall/link.py).

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
from datetime import datetime
from typing import Any, Protocol

from drivers.background import BackgroundThread
from kiosk.clock import Clock
from kiosk.hall.link import HallLink, LinkDown, LinkStatus
from kiosk.journal import Journal, OutboxRecord
from kiosk.sqlite import StorageError

log = logging.getLogger(__name__)

HEARTBEAT_KIND = "heartbeat"  # kiosk/hall/api.py: the latest per kiosk is in /v1/devices


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


HealthSource = Callable[[], Mapping[str, Any]]


class OutboxDeliveryWorker:
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
        self._thread = BackgroundThread("hall-sync", self._run, join_seconds=10.0)
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
        if self._thread.running:
            return
        self._journal.add_listener(self._on_record)
        self._link.subscribe(self._on_link)
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

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.cycle()
            except Exception:  # the worker must outlive any surprise
                log.exception("hall sync cycle failed")
                self._failures += 1
            self._wake.wait(self.next_delay())
            self._wake.clear()

    def stop(self) -> None:
        self._thread.stop_event.set()
        self._wake.set()
        self._journal.remove_listener(self._on_record)
        self._link.unsubscribe(self._on_link)
        self._thread.stop()

    def status(self) -> LinkStatus:
        return self._link.status()
