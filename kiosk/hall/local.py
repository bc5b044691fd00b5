"""The embedded hall: the queue system of a small hall, in one SQLite file.

Numbers run per queue per business day (prefix letter and three digits) and
reset at local midnight; the counter is on disk, so a restart continues it.

The window side (caller keys): `call_next_at(window)` takes the next waiting
ticket of the queues that window serves: tickets of the `appointment` queue
first (triage only issues them to a taxpayer checked in inside the
appointment's time window), then the `priority` queue, then everyone else by
issue time across those queues. Calling next finishes the window's current
ticket first (a FINISHED event, which prompts the evaluation keypad), so a
window that only presses "call next" still gets every service evaluated. A
paused window calls nobody and does not count in its queues' estimates.
Pauses and the tickets being served are on disk: a restart keeps them.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from kiosk.clock import Clock
from kiosk.hall.base import (
    HallBackend,
    HallError,
    HallEvent,
    HallEventKind,
    QueueState,
    Reservation,
    TicketChannel,
)
from kiosk.hall.taxpayers_file import ProfileDirectory
from kiosk.settings import QueueSection, Settings
from kiosk.sqlite import open_database
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, TaxpayerProfile

MAX_NUMBER = 999
# Queues whose tickets a window calls before any other it serves, in this order.
CALL_FIRST_QUEUES = ("appointment", "priority")

_T = TypeVar("_T")


@dataclass(frozen=True)
class WindowState:
    window: int
    paused: bool
    number: str | None  # the number being served, None when none
    ticket_id: str | None


SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (business_day, queue)
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id TEXT PRIMARY KEY,
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    seq INTEGER NOT NULL,
    number TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('reserved', 'waiting', 'called', 'finished', 'void')),
    channel TEXT,
    matters TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    called_at TEXT,
    finished_at TEXT,
    window INTEGER,
    UNIQUE (business_day, queue, seq)
);
CREATE INDEX IF NOT EXISTS tickets_by_queue ON tickets (business_day, queue, status, seq);
CREATE TABLE IF NOT EXISTS windows (
    window INTEGER PRIMARY KEY,
    paused INTEGER NOT NULL DEFAULT 0,
    changed_at TEXT
);
"""


class LocalHall(HallBackend):
    def __init__(
        self,
        path: Path,
        settings: Settings,
        clock: Clock,
        profiles: ProfileDirectory | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._clock = clock
        self._zone = ZoneInfo(settings.kiosk.timezone)
        self._lock = threading.Lock()
        self._db = open_database(path, SCHEMA)
        # Taxpayer profiles from config/taxpayers.toml; None: every taxpayer is unknown.
        self._profiles = profiles

    def business_day(self) -> date:
        return self._clock.now().astimezone(self._zone).date()

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        if self._profiles is None:
            return UNKNOWN_PROFILE
        return self._profiles.profile(identity, self._clock.now())

    def _queue(self, code: str) -> QueueSection:
        try:
            return self._settings.queue(code)
        except KeyError:
            raise HallError(f"no queue has the code {code!r}") from None

    def _service_minutes(self, queue: QueueSection, day: date) -> float:
        """Today's mean service time of the queue, or the configured assumption."""
        row = self._db.execute(
            "SELECT AVG((julianday(finished_at) - julianday(called_at)) * 1440.0), COUNT(*)"
            " FROM tickets WHERE business_day = ? AND queue = ? AND status = 'finished'",
            (day.isoformat(), queue.code),
        ).fetchone()
        # Rounded: julianday arithmetic leaves float noise that would tip ceil() over.
        return round(float(row[0]), 3) if row[1] else queue.service_minutes

    def _paused(self) -> set[int]:
        rows = self._db.execute("SELECT window FROM windows WHERE paused = 1").fetchall()
        return {int(row[0]) for row in rows}

    def _open_windows(self, queue: QueueSection) -> tuple[int, ...]:
        paused = self._paused()
        return tuple(window for window in queue.windows if window not in paused)

    def _estimate(self, queue: QueueSection, day: date, ahead: int) -> int:
        # Every window paused: estimated as if one were open (it will be, eventually).
        serving = max(1, len(self._open_windows(queue)))
        return math.ceil(ahead * self._service_minutes(queue, day) / serving)

    def _waiting(self, queue_code: str, day: date) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM tickets WHERE business_day = ? AND queue = ?"
            " AND status IN ('reserved', 'waiting')",
            (day.isoformat(), queue_code),
        ).fetchone()
        return int(row[0])

    def _issued(self, queue_code: str, day: date) -> int:
        """Numbers issued today, for the daily quotas: every kiosk's, voided ones aside."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM tickets WHERE business_day = ? AND queue = ?"
            " AND status != 'void'",
            (day.isoformat(), queue_code),
        ).fetchone()
        return int(row[0])

    def queue_states(self) -> dict[str, QueueState]:
        day = self.business_day()
        with self._lock:
            states = {}
            for queue in self._settings.queues:
                waiting = self._waiting(queue.code, day)
                states[queue.code] = QueueState(
                    queue.code,
                    waiting,
                    self._estimate(queue, day, waiting),
                    self._open_windows(queue),  # paused windows left out
                    issued_today=self._issued(queue.code, day),
                )
            return states

    def reserve(self, queue_code: str, matter_codes: Sequence[str], kiosk_id: str) -> Reservation:
        queue = self._queue(queue_code)
        now = self._clock.now()
        day = now.astimezone(self._zone).date()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute(
                    "SELECT last FROM counters WHERE business_day = ? AND queue = ?",
                    (day.isoformat(), queue.code),
                ).fetchone()
                seq = (row[0] if row else 0) + 1
                if seq > MAX_NUMBER:
                    self._db.execute("ROLLBACK")
                    raise HallError(
                        f"queue {queue.code} has issued all {MAX_NUMBER} numbers of today"
                    )
                ahead = self._waiting(queue.code, day)
                self._db.execute(
                    "INSERT INTO counters (business_day, queue, last) VALUES (?, ?, ?)"
                    " ON CONFLICT (business_day, queue) DO UPDATE SET last = excluded.last",
                    (day.isoformat(), queue.code, seq),
                )
                ticket_id = uuid.uuid4().hex
                number = f"{queue.prefix}{seq:03d}"
                self._db.execute(
                    "INSERT INTO tickets (ticket_id, business_day, queue, seq, number, status,"
                    " matters, kiosk_id, issued_at) VALUES (?, ?, ?, ?, ?, 'reserved', ?, ?, ?)",
                    (
                        ticket_id,
                        day.isoformat(),
                        queue.code,
                        seq,
                        number,
                        json.dumps(list(matter_codes)),
                        kiosk_id,
                        now.isoformat(),
                    ),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise HallError(f"the hall database failed: {error}") from None
            estimate = self._estimate(queue, day, ahead)
        return Reservation(ticket_id, number, queue.code, day, now, ahead, estimate)

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _set_status(
        self, ticket_id: str, status: str, expected: tuple[str, ...], **columns: object
    ) -> None:
        assignments = "".join(f", {name} = ?" for name in columns)
        marks = ", ".join("?" for _ in expected)
        with self._lock:
            try:
                cursor = self._db.execute(
                    f"UPDATE tickets SET status = ?{assignments}"
                    f" WHERE ticket_id = ? AND status IN ({marks})",
                    (status, *columns.values(), ticket_id, *expected),
                )
            except sqlite3.Error as error:
                raise HallError(f"the hall database failed: {error}") from None
        if cursor.rowcount != 1:
            raise HallError(f"ticket {ticket_id} is not {' or '.join(expected)}")

    def commit(self, ticket_id: str, channel: TicketChannel) -> None:
        self._set_status(ticket_id, "waiting", ("reserved",), channel=channel.value)

    def void(self, ticket_id: str, reason: str) -> None:
        self._set_status(ticket_id, "void", ("reserved", "waiting"))

    def unconfirmed(self, kiosk_id: str) -> list[str]:
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT ticket_id FROM tickets WHERE status = 'reserved' AND kiosk_id = ?"
                    " ORDER BY rowid",
                    (kiosk_id,),
                ).fetchall()
            except sqlite3.Error as error:
                raise HallError(f"the hall database failed: {error}") from None
        return [str(row[0]) for row in rows]

    # ---- the window side (caller keys, tests) -----------------------------------------

    def _served_queues(self, window: int) -> list[str]:
        queues = [queue.code for queue in self._settings.queues if window in queue.windows]
        if not queues:
            raise HallError(f"window {window} serves no queue")
        return queues

    def _event(self, kind: HallEventKind, window: int | None = None, **fields: Any) -> HallEvent:
        return HallEvent(kind, self._clock.now(), window, **fields)

    def _called_rows(self, window: int) -> list[tuple[str, str, str]]:
        """Today's tickets being served at `window`, the newest call last."""
        rows = self._db.execute(
            "SELECT ticket_id, number, queue FROM tickets WHERE business_day = ?"
            " AND window = ? AND status = 'called' ORDER BY called_at, rowid",
            (self.business_day().isoformat(), window),
        ).fetchall()
        return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]

    def _finish_rows(self, window: int) -> list[HallEvent]:
        """Finish what `window` serves (inside the caller's transaction and lock)."""
        events = []
        now = self._now_text()
        for ticket_id, number, queue in self._called_rows(window):
            self._db.execute(
                "UPDATE tickets SET status = 'finished', finished_at = ?"
                " WHERE ticket_id = ? AND status = 'called'",
                (now, ticket_id),
            )
            events.append(
                self._event(
                    HallEventKind.FINISHED,
                    window,
                    ticket_id=ticket_id,
                    number=number,
                    queue_code=queue,
                )
            )
        return events

    def _in_transaction(self, work: Callable[[], _T]) -> _T:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                result = work()
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise HallError(f"the hall database failed: {error}") from None
            except BaseException:
                self._rollback()
                raise
        return result

    def _publish_all(self, events: Sequence[HallEvent]) -> None:
        for event in events:
            self.publish(event)

    def call_next_at(self, window: int) -> HallEvent | None:
        """Finish the window's current ticket, then call the next one by the order rules
        (appointment, priority, then issue time); None when nobody waits or the window
        is paused (a paused window changes nothing)."""
        queues = self._served_queues(window)
        rank = " ".join(f"WHEN ? THEN {position}" for position, _ in enumerate(CALL_FIRST_QUEUES))
        marks = ", ".join("?" for _ in queues)
        day = self.business_day().isoformat()

        def work() -> list[HallEvent]:
            if window in self._paused():
                return []
            events = self._finish_rows(window)
            row = self._db.execute(
                "SELECT ticket_id, number, queue FROM tickets WHERE business_day = ?"
                f" AND status = 'waiting' AND queue IN ({marks})"
                f" ORDER BY CASE queue {rank} ELSE {len(CALL_FIRST_QUEUES)} END,"
                " issued_at, seq LIMIT 1",
                (day, *queues, *CALL_FIRST_QUEUES),
            ).fetchone()
            if row is not None:
                self._db.execute(
                    "UPDATE tickets SET status = 'called', called_at = ?, window = ?"
                    " WHERE ticket_id = ?",
                    (self._now_text(), window, row[0]),
                )
                events.append(
                    self._event(
                        HallEventKind.CALLED,
                        window,
                        ticket_id=str(row[0]),
                        number=str(row[1]),
                        queue_code=str(row[2]),
                    )
                )
            return events

        events = self._in_transaction(work)
        self._publish_all(events)
        if events:
            self.publish(self._event(HallEventKind.QUEUE_CHANGED))
        called = [event for event in events if event.kind is HallEventKind.CALLED]
        return called[0] if called else None

    def recall_at(self, window: int) -> HallEvent | None:
        self._served_queues(window)
        with self._lock:
            rows = self._called_rows(window)
        if not rows:
            return None
        ticket_id, number, queue = rows[-1]
        event = self._event(
            HallEventKind.CALLED,
            window,
            ticket_id=ticket_id,
            number=number,
            queue_code=queue,
            recall=True,
        )
        self.publish(event)
        return event

    def finish_at(self, window: int) -> HallEvent | None:
        self._served_queues(window)
        events = self._in_transaction(lambda: self._finish_rows(window))
        self._publish_all(events)
        return events[-1] if events else None

    def _set_paused(self, window: int, paused: bool) -> None:
        self._served_queues(window)

        def work() -> bool:
            was_paused = window in self._paused()
            self._db.execute(
                "INSERT INTO windows (window, paused, changed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (window) DO UPDATE SET paused = excluded.paused,"
                " changed_at = excluded.changed_at",
                (window, int(paused), self._now_text()),
            )
            return was_paused != paused

        if self._in_transaction(work):
            kind = HallEventKind.WINDOW_PAUSED if paused else HallEventKind.WINDOW_RESUMED
            self.publish(self._event(kind, window))
            self.publish(self._event(HallEventKind.QUEUE_CHANGED))

    def pause_window(self, window: int) -> None:
        """The window stops calling; its queues' estimates count one window less."""
        self._set_paused(window, True)

    def resume_window(self, window: int) -> None:
        self._set_paused(window, False)

    def window_states(self) -> dict[int, WindowState]:
        """Every configured window: paused or not, and the number it serves now."""
        windows = sorted({window for queue in self._settings.queues for window in queue.windows})
        with self._lock:
            paused = self._paused()
            serving = {window: self._called_rows(window) for window in windows}
        return {
            window: WindowState(
                window,
                window in paused,
                serving[window][-1][1] if serving[window] else None,
                serving[window][-1][0] if serving[window] else None,
            )
            for window in windows
        }

    def call_next(self, queue_code: str, window: int) -> str | None:
        """Call the first waiting ticket of one queue to `window` (tools and tests; the
        caller keys use call_next_at). Returns its ticket id."""
        day = self.business_day()
        with self._lock:
            row = self._db.execute(
                "SELECT ticket_id, number FROM tickets WHERE business_day = ? AND queue = ?"
                " AND status = 'waiting' ORDER BY seq LIMIT 1",
                (day.isoformat(), queue_code),
            ).fetchone()
        if row is None:
            return None
        self._set_status(row[0], "called", ("waiting",), called_at=self._now_text(), window=window)
        self.publish(
            self._event(
                HallEventKind.CALLED,
                window,
                ticket_id=str(row[0]),
                number=str(row[1]),
                queue_code=queue_code,
            )
        )
        return str(row[0])

    def finish(self, ticket_id: str) -> None:
        self._set_status(ticket_id, "finished", ("called",), finished_at=self._now_text())
        with self._lock:
            row = self._db.execute(
                "SELECT number, queue, window FROM tickets WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
        self.publish(
            self._event(
                HallEventKind.FINISHED,
                None if row[2] is None else int(row[2]),
                ticket_id=ticket_id,
                number=str(row[0]),
                queue_code=str(row[1]),
            )
        )

    def ticket_status(self, ticket_id: str) -> str | None:
        row = self._db.execute(
            "SELECT status FROM tickets WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def _now_text(self) -> str:
        now: datetime = self._clock.now()
        return now.isoformat()

    def close(self) -> None:
        with self._lock:
            self._db.close()
