"""The embedded hall: the queue system of a small hall, in one SQLite file.

Numbers run per queue per business day (prefix letter and three digits) and
reset at local midnight; the counter is on disk, so a restart continues it.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.clock import Clock
from kiosk.hall.base import HallBackend, HallError, QueueState, Reservation, TicketChannel
from kiosk.settings import QueueSection, Settings
from kiosk.sqlite import open_database

MAX_NUMBER = 999

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
"""


class LocalHall(HallBackend):
    def __init__(self, path: Path, settings: Settings, clock: Clock) -> None:
        super().__init__()
        self._settings = settings
        self._clock = clock
        self._zone = ZoneInfo(settings.kiosk.timezone)
        self._lock = threading.Lock()
        self._db = open_database(path, SCHEMA)

    def business_day(self) -> date:
        return self._clock.now().astimezone(self._zone).date()

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

    def _estimate(self, queue: QueueSection, day: date, ahead: int) -> int:
        return math.ceil(ahead * self._service_minutes(queue, day) / len(queue.windows))

    def _waiting(self, queue_code: str, day: date) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM tickets WHERE business_day = ? AND queue = ?"
            " AND status IN ('reserved', 'waiting')",
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
                    queue.code, waiting, self._estimate(queue, day, waiting), queue.windows
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

    # The window side: used by the caller keys (a later capability) and by tests
    # that need service times measured today.
    def call_next(self, queue_code: str, window: int) -> str | None:
        day = self.business_day()
        row = self._db.execute(
            "SELECT ticket_id FROM tickets WHERE business_day = ? AND queue = ?"
            " AND status = 'waiting' ORDER BY seq LIMIT 1",
            (day.isoformat(), queue_code),
        ).fetchone()
        if row is None:
            return None
        self._set_status(row[0], "called", ("waiting",), called_at=self._now_text(), window=window)
        return str(row[0])

    def finish(self, ticket_id: str) -> None:
        self._set_status(ticket_id, "finished", ("called",), finished_at=self._now_text())

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
