"""The hall server's SQLite store: numbering, leases, tickets, records, tokens, windows.

One connection behind one lock; every change is one durable transaction (WAL,
synchronous=FULL), so a server killed at any moment restarts with its numbering
and everything it answered as committed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.clock import Clock
from kiosk.hall.api import DEFAULT_OFFLINE_FLOOR
from kiosk.queue import CALL_FIRST_QUEUES, MAX_NUMBER
from kiosk.settings import QueueSection, Settings
from kiosk.sqlite import open_database

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
    status TEXT NOT NULL,
    channel TEXT,
    matters TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    offline INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL,
    called_at TEXT,
    finished_at TEXT,
    window INTEGER,
    UNIQUE (business_day, queue, seq)
);
CREATE INDEX IF NOT EXISTS tickets_by_queue ON tickets (business_day, queue, status, seq);
CREATE TABLE IF NOT EXISTS leases (
    client_id TEXT NOT NULL,
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS leases_by_client ON leases (client_id, business_day, queue);
CREATE TABLE IF NOT EXISTS answers (
    client_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (client_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    ticket_id TEXT,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (client_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind);
CREATE TABLE IF NOT EXISTS devices (
    client_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS device_events (
    client_id TEXT NOT NULL,
    device TEXT NOT NULL,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (client_id, device)
);
CREATE TABLE IF NOT EXISTS tokens (
    client_id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS windows (
    window INTEGER PRIMARY KEY,
    paused INTEGER NOT NULL DEFAULT 0
);
"""

TICKET_COLUMNS = (
    "ticket_id, business_day, queue, seq, number, status, channel, matters, kiosk_id,"
    " issued_at, called_at, finished_at, window"
)


class StoreError(Exception):
    """A request the hall cannot satisfy; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field  # for 422: the body field at fault


@dataclass(frozen=True)
class TicketRow:
    ticket_id: str
    business_day: date
    queue_code: str
    seq: int
    number: str
    status: str
    channel: str | None
    matters: list[str]
    kiosk_id: str
    issued_at: datetime
    called_at: datetime | None
    finished_at: datetime | None
    window: int | None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> TicketRow:
        return cls(
            str(row[0]),
            date.fromisoformat(row[1]),
            str(row[2]),
            int(row[3]),
            str(row[4]),
            str(row[5]),
            row[6],
            list(json.loads(row[7])),
            str(row[8]),
            datetime.fromisoformat(row[9]),
            datetime.fromisoformat(row[10]) if row[10] else None,
            datetime.fromisoformat(row[11]) if row[11] else None,
            row[12],
        )


@dataclass(frozen=True)
class QueueFigures:
    queue: QueueSection
    waiting: int
    estimated_wait_minutes: int
    issued_today: int = 0


@dataclass(frozen=True)
class WindowChange:
    """What a window action did, for the event stream."""

    kind: str  # called, finished, window_paused, window_resumed
    ticket: TicketRow | None = None
    recall: bool = False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class HallStore:
    def __init__(
        self,
        path: Path,
        settings: Settings,
        clock: Clock,
        offline_floor: int = DEFAULT_OFFLINE_FLOOR,
    ) -> None:
        self.path = path
        self.settings = settings
        self.clock = clock
        self.zone = ZoneInfo(settings.kiosk.timezone)
        self.offline_floor = offline_floor
        self._lock = threading.Lock()
        self._db = open_database(path, SCHEMA)

    # ---- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def now(self) -> datetime:
        return self.clock.now()

    def business_day(self, now: datetime | None = None) -> date:
        return (now or self.now()).astimezone(self.zone).date()

    def queue(self, code: str) -> QueueSection:
        try:
            return self.settings.queue(code)
        except KeyError:
            raise StoreError(
                422, f"queue_code: no queue has the code {code!r}", "queue_code"
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- tokens ---------------------------------------------------------------------------

    def create_token(self, client_id: str) -> str:
        """A new token for the client (replacing any earlier one); shown only once."""
        token = secrets.token_urlsafe(32)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO tokens (client_id, token_hash, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (client_id) DO UPDATE SET token_hash = excluded.token_hash,"
                " created_at = excluded.created_at",
                (client_id, hash_token(token), self.now().isoformat()),
            )
        return token

    def revoke_token(self, client_id: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM tokens WHERE client_id = ?", (client_id,))
        return cursor.rowcount == 1

    def tokens(self) -> list[tuple[str, str]]:
        """(client id, created at) of every valid token."""
        with self._lock:
            rows = self._db.execute(
                "SELECT client_id, created_at FROM tokens ORDER BY client_id"
            ).fetchall()
        return [(str(row[0]), str(row[1])) for row in rows]

    def client_for(self, token: str) -> str | None:
        """The client whose token this is; every stored hash is compared in constant time."""
        presented = hash_token(token)
        with self._lock:
            rows = self._db.execute("SELECT client_id, token_hash FROM tokens").fetchall()
        found: str | None = None
        for client_id, stored in rows:
            if hmac.compare_digest(presented.encode(), str(stored).encode()):
                found = str(client_id)
        return found

    # ---- answers kept for idempotency -----------------------------------------------------

    def _answer(self, db: sqlite3.Connection, client_id: str, key: str) -> dict[str, Any] | None:
        row = db.execute(
            "SELECT answer FROM answers WHERE client_id = ? AND idempotency_key = ?",
            (client_id, key),
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def _keep_answer(
        self, db: sqlite3.Connection, client_id: str, key: str, answer: dict[str, Any]
    ) -> None:
        db.execute(
            "INSERT INTO answers (client_id, idempotency_key, answer) VALUES (?, ?, ?)",
            (client_id, key, json.dumps(answer)),
        )

    # ---- numbering ------------------------------------------------------------------------

    def _take(self, db: sqlite3.Connection, queue: QueueSection, day: date, count: int) -> int:
        """Advance the queue's counter by `count`; returns the first number taken."""
        row = db.execute(
            "SELECT last FROM counters WHERE business_day = ? AND queue = ?",
            (day.isoformat(), queue.code),
        ).fetchone()
        first = (row[0] if row else 0) + 1
        if first + count - 1 >= min(self.offline_floor, MAX_NUMBER + 1):
            raise StoreError(
                409, f"queue {queue.code} has issued all its numbers of {day.isoformat()}"
            )
        db.execute(
            "INSERT INTO counters (business_day, queue, last) VALUES (?, ?, ?)"
            " ON CONFLICT (business_day, queue) DO UPDATE SET last = excluded.last",
            (day.isoformat(), queue.code, first + count - 1),
        )
        return first

    def _waiting(self, db: sqlite3.Connection, queue_code: str, day: date) -> int:
        row = db.execute(
            "SELECT COUNT(*) FROM tickets WHERE business_day = ? AND queue = ?"
            " AND status IN ('reserved', 'waiting')",
            (day.isoformat(), queue_code),
        ).fetchone()
        return int(row[0])

    def _service_minutes(self, db: sqlite3.Connection, queue: QueueSection, day: date) -> float:
        row = db.execute(
            "SELECT AVG((julianday(finished_at) - julianday(called_at)) * 1440.0), COUNT(*)"
            " FROM tickets WHERE business_day = ? AND queue = ? AND status = 'finished'",
            (day.isoformat(), queue.code),
        ).fetchone()
        return round(float(row[0]), 3) if row[1] else queue.service_minutes

    def _estimate(self, db: sqlite3.Connection, queue: QueueSection, day: date, ahead: int) -> int:
        """As the embedded hall: paused windows do not serve (all paused: as if one were
        open, it will be)."""
        paused = {int(row[0]) for row in db.execute("SELECT window FROM windows WHERE paused")}
        serving = max(1, len([window for window in queue.windows if window not in paused]))
        minutes = ahead * self._service_minutes(db, queue, day) / serving
        return max(0, math.ceil(minutes))

    def reserve(
        self, client_id: str, key: str, queue_code: str, matters: Sequence[str]
    ) -> tuple[dict[str, Any], bool]:
        """The reservation as a dict (ticket_id, number, ...) and whether it is new."""
        queue = self.queue(queue_code)
        now = self.now()
        day = self.business_day(now)
        with self._transaction() as db:
            earlier = self._answer(db, client_id, "reserve:" + key)
            if earlier is not None:
                return earlier, False
            seq = self._take(db, queue, day, 1)
            ahead = self._waiting(db, queue.code, day)
            ticket_id = uuid.uuid4().hex
            number = f"{queue.prefix}{seq:03d}"
            db.execute(
                f"INSERT INTO tickets ({TICKET_COLUMNS}) VALUES"
                " (?, ?, ?, ?, ?, 'reserved', NULL, ?, ?, ?, NULL, NULL, NULL)",
                (
                    ticket_id,
                    day.isoformat(),
                    queue.code,
                    seq,
                    number,
                    json.dumps(list(matters)),
                    client_id,
                    now.isoformat(),
                ),
            )
            answer = {
                "ticket_id": ticket_id,
                "number": number,
                "queue_code": queue.code,
                "business_day": day.isoformat(),
                "issued_at": now.isoformat(),
                "people_ahead": ahead,
                "estimated_wait_minutes": self._estimate(db, queue, day, ahead),
            }
            self._keep_answer(db, client_id, "reserve:" + key, answer)
        return answer, True

    def lease(
        self, client_id: str, key: str, size: int, queue_codes: Sequence[str] | None
    ) -> dict[str, Any]:
        """Blocks of `size` consecutive numbers per queue for today, for offline use."""
        queues = (
            list(self.settings.queues)
            if queue_codes is None
            else [self.queue(code) for code in dict.fromkeys(queue_codes)]
        )
        day = self.business_day()
        with self._transaction() as db:
            earlier = self._answer(db, client_id, "lease:" + key)
            if earlier is not None:
                return earlier
            blocks = []
            for queue in queues:
                try:
                    first = self._take(db, queue, day, size)
                except StoreError:
                    continue  # no room left today in this queue: no block for it
                last = first + size - 1
                db.execute(
                    "INSERT INTO leases (client_id, business_day, queue, first, last)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (client_id, day.isoformat(), queue.code, first, last),
                )
                blocks.append(
                    {"queue_code": queue.code, "prefix": queue.prefix, "first": first, "last": last}
                )
            answer = {"business_day": day.isoformat(), "blocks": blocks}
            self._keep_answer(db, client_id, "lease:" + key, answer)
        return answer

    # ---- tickets --------------------------------------------------------------------------

    def ticket(self, ticket_id: str) -> TicketRow | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {TICKET_COLUMNS} FROM tickets WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
        return None if row is None else TicketRow.from_row(row)

    def _require(self, db: sqlite3.Connection, ticket_id: str) -> TicketRow:
        row = db.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        if row is None:
            raise StoreError(404, f"ticket_id: no ticket {ticket_id!r}")
        return TicketRow.from_row(row)

    def commit(self, ticket_id: str, channel: str) -> TicketRow:
        with self._transaction() as db:
            ticket = self._require(db, ticket_id)
            if ticket.status == "reserved":
                db.execute(
                    "UPDATE tickets SET status = 'waiting', channel = ? WHERE ticket_id = ?",
                    (channel, ticket_id),
                )
            elif ticket.status == "void":
                raise StoreError(409, f"ticket {ticket.number} was voided: not committed")
            return self._require(db, ticket_id)

    def void(self, ticket_id: str) -> TicketRow:
        with self._transaction() as db:
            ticket = self._require(db, ticket_id)
            if ticket.status in ("reserved", "waiting"):
                db.execute("UPDATE tickets SET status = 'void' WHERE ticket_id = ?", (ticket_id,))
            elif ticket.status != "void":
                raise StoreError(409, f"ticket {ticket.number} is {ticket.status}: not voided")
            return self._require(db, ticket_id)

    def queue_figures(self) -> list[QueueFigures]:
        day = self.business_day()
        with self._lock:
            figures = []
            for queue in self.settings.queues:
                waiting = self._waiting(self._db, queue.code, day)
                issued = self._db.execute(
                    "SELECT COUNT(*) FROM tickets WHERE business_day = ? AND queue = ?"
                    " AND status != 'void'",
                    (day.isoformat(), queue.code),
                ).fetchone()
                figures.append(
                    QueueFigures(
                        queue,
                        waiting,
                        self._estimate(self._db, queue, day, waiting),
                        int(issued[0]),
                    )
                )
        return figures

    def people_ahead(self, ticket: TicketRow) -> tuple[int, int]:
        """People before this ticket in its queue, and the estimate for them."""
        queue = self.queue(ticket.queue_code)
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM tickets WHERE business_day = ? AND queue = ?"
                " AND status IN ('reserved', 'waiting') AND (issued_at < ?"
                " OR (issued_at = ? AND seq < ?))",
                (
                    ticket.business_day.isoformat(),
                    ticket.queue_code,
                    ticket.issued_at.isoformat(),
                    ticket.issued_at.isoformat(),
                    ticket.seq,
                ),
            ).fetchone()
            ahead = int(row[0]) if ticket.status in ("reserved", "waiting") else 0
            return ahead, self._estimate(self._db, queue, ticket.business_day, ahead)

    # ---- records (the kiosks' outboxes) -------------------------------------------------

    def add_records(
        self, client_id: str, records: Sequence[dict[str, Any]]
    ) -> tuple[list[tuple[str, str, str]], set[str]]:
        """Store each record once; returns (key, status, message) per record and the
        queues whose tickets changed."""
        received = self.now().isoformat()
        results: list[tuple[str, str, str]] = []
        changed: set[str] = set()
        with self._transaction() as db:
            for record in records:
                key = str(record["idempotency_key"])
                seen = db.execute(
                    "SELECT 1 FROM records WHERE client_id = ? AND idempotency_key = ?",
                    (client_id, key),
                ).fetchone()
                if seen is not None:
                    results.append((key, "duplicate", ""))
                    continue
                problem = self._apply(db, client_id, record, changed)
                db.execute(
                    "INSERT INTO records (client_id, idempotency_key, kind, at, ticket_id,"
                    " payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        client_id,
                        key,
                        record["kind"],
                        record["at"],
                        record.get("ticket_id"),
                        json.dumps(record.get("payload") or {}, ensure_ascii=False),
                        received,
                    ),
                )
                if record["kind"] == "heartbeat":
                    db.execute(
                        "INSERT INTO devices (client_id, at, received_at, payload)"
                        " VALUES (?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET"
                        " at = excluded.at, received_at = excluded.received_at,"
                        " payload = excluded.payload WHERE excluded.at >= devices.at",
                        (client_id, record["at"], received, json.dumps(record.get("payload"))),
                    )
                self._note_device_event(db, client_id, record, received)
                results.append((key, "rejected" if problem else "accepted", problem or ""))
        return results, changed

    @staticmethod
    def _note_device_event(
        db: sqlite3.Connection, client_id: str, record: dict[str, Any], received: str
    ) -> None:
        """Device events between heartbeats (a keypad gone silent, the printer's paper)
        update that device's state in /v1/devices at once; the newest event wins."""
        kind = str(record["kind"])
        payload = record.get("payload") or {}
        if kind in ("keypad.online", "keypad.offline"):
            device = f"keypad:{payload.get('address')}"
            state: dict[str, Any] = {
                "address": payload.get("address"),
                "window": payload.get("window"),
                "online": kind == "keypad.online",
            }
        elif kind == "printer.status":
            device = "printer"
            state = {
                "printer": payload.get("condition"),
                "printer_severity": payload.get("severity"),
            }
        elif kind in ("keypads.port_lost", "keypads.port_back"):
            device = "keypad_bus"
            state = {"keypad_bus": "ok" if kind == "keypads.port_back" else "lost"}
        else:
            return
        db.execute(
            "INSERT INTO device_events (client_id, device, at, received_at, state)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (client_id, device) DO UPDATE SET"
            " at = excluded.at, received_at = excluded.received_at, state = excluded.state"
            " WHERE excluded.at >= device_events.at",
            (client_id, device, record["at"], received, json.dumps(state, ensure_ascii=False)),
        )

    def _apply(
        self,
        db: sqlite3.Connection,
        client_id: str,
        record: dict[str, Any],
        changed: set[str],
    ) -> str | None:
        """Ticket records change the queue; returns why a record cannot apply."""
        kind = str(record["kind"])
        ticket_id = record.get("ticket_id")
        if not kind.startswith("ticket.") or not ticket_id:
            return None
        row = db.execute(
            "SELECT status, queue FROM tickets WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        payload = record.get("payload") or {}
        if kind == "ticket.reserved":
            if row is not None:
                return None  # issued online: the server has it already
            problem = self._offline_ticket(db, client_id, str(ticket_id), record["at"], payload)
            if problem is None:
                changed.add(str(payload.get("queue")))
            return problem
        if row is None:
            return None
        status, queue = str(row[0]), str(row[1])
        if kind in ("ticket.printed", "ticket.e_ticket") and status == "reserved":
            channel = "printed" if kind == "ticket.printed" else "e_ticket"
            db.execute(
                "UPDATE tickets SET status = 'waiting', channel = ? WHERE ticket_id = ?",
                (channel, ticket_id),
            )
            changed.add(queue)
        elif kind == "ticket.voided" and status in ("reserved", "waiting"):
            db.execute("UPDATE tickets SET status = 'void' WHERE ticket_id = ?", (ticket_id,))
            changed.add(queue)
        return None

    def _offline_ticket(
        self,
        db: sqlite3.Connection,
        client_id: str,
        ticket_id: str,
        at: str,
        payload: dict[str, Any],
    ) -> str | None:
        queue_code, number, day = payload.get("queue"), payload.get("number"), payload.get("day")
        day = payload.get("business_day", day)
        if not (isinstance(queue_code, str) and isinstance(number, str) and isinstance(day, str)):
            return "payload: a ticket.reserved record needs queue, number and business_day"
        try:
            queue = self.settings.queue(queue_code)
            business_day = date.fromisoformat(day)
        except (KeyError, ValueError):
            return f"payload: unknown queue {queue_code!r} or bad business_day {day!r}"
        if len(number) != 4 or number[0] != queue.prefix or not number[1:].isdigit():
            return f"payload.number: {number!r} is not a number of queue {queue.code}"
        seq = int(number[1:])
        matters = payload.get("matters")
        matters = matters if isinstance(matters, list) else []
        if seq < self.offline_floor:
            lease = db.execute(
                "SELECT 1 FROM leases WHERE client_id = ? AND business_day = ? AND queue = ?"
                " AND first <= ? AND last >= ?",
                (client_id, business_day.isoformat(), queue.code, seq, seq),
            ).fetchone()
            if lease is None:
                return f"payload.number: {number} was not leased to {client_id} on {day}"
        taken = db.execute(
            "SELECT kiosk_id FROM tickets WHERE business_day = ? AND queue = ? AND seq = ?",
            (business_day.isoformat(), queue.code, seq),
        ).fetchone()
        if taken is not None:
            return f"payload.number: {number} of {day} is already issued (by {taken[0]})"
        db.execute(
            f"INSERT INTO tickets ({TICKET_COLUMNS}, offline) VALUES"
            " (?, ?, ?, ?, ?, 'reserved', NULL, ?, ?, ?, NULL, NULL, NULL, 1)",
            (
                ticket_id,
                business_day.isoformat(),
                queue.code,
                seq,
                number,
                json.dumps([str(code) for code in matters if isinstance(code, str)]),
                client_id,
                datetime.fromisoformat(at).isoformat(),
            ),
        )
        return None

    def records(
        self, kind: str | None, client_id: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        where, values = [], []
        if kind is not None:
            where.append("kind = ?")
            values.append(kind)
        if client_id is not None:
            where.append("client_id = ?")
            values.append(client_id)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._lock:
            total = int(
                self._db.execute(f"SELECT COUNT(*) FROM records{clause}", values).fetchone()[0]
            )
            rows = self._db.execute(
                "SELECT client_id, idempotency_key, kind, at, ticket_id, payload, received_at"
                f" FROM records{clause} ORDER BY id LIMIT ? OFFSET ?",
                (*values, limit, offset),
            ).fetchall()
        names = ("client_id", "idempotency_key", "kind", "at", "ticket_id", "payload")
        records = []
        for row in rows:
            record = dict(zip(names, row[:6], strict=True))
            record["payload"] = json.loads(row[5])
            record["received_at"] = row[6]
            records.append(record)
        return records, total

    def devices(self) -> list[dict[str, Any]]:
        """The latest heartbeat per client, with the device events newer than it
        (payload["keypads"][address] = {address, window, online, at}, "printer", ...)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT client_id, at, received_at, payload FROM devices ORDER BY client_id"
            ).fetchall()
            events = self._db.execute(
                "SELECT client_id, device, at, received_at, state FROM device_events"
                " ORDER BY client_id, device"
            ).fetchall()
        found: dict[str, dict[str, Any]] = {
            r[0]: {"client_id": r[0], "at": r[1], "received_at": r[2], "payload": json.loads(r[3])}
            for r in rows
        }
        for client_id, device, at, received_at, text in events:
            entry = found.setdefault(
                client_id,
                {"client_id": client_id, "at": at, "received_at": received_at, "payload": {}},
            )
            if at > entry["at"]:
                entry["at"], entry["received_at"] = at, received_at
            payload = entry["payload"]
            heartbeat_at = next((r[1] for r in rows if r[0] == client_id), "")
            state = json.loads(text)
            if device.startswith("keypad:"):
                keypads = payload.get("keypads")
                if not isinstance(keypads, dict):
                    keypads = payload["keypads"] = {}
                if at >= heartbeat_at or str(state["address"]) not in keypads:
                    keypads[str(state["address"])] = {**state, "at": at}
            elif at >= heartbeat_at:
                payload.update(state)
        return [found[client_id] for client_id in sorted(found)]

    # ---- windows --------------------------------------------------------------------------

    def window_queues(self, window: int) -> list[QueueSection]:
        queues = [queue for queue in self.settings.queues if window in queue.windows]
        if not queues:
            raise StoreError(404, f"window: no queue is served at window {window}")
        return queues

    def _paused(self, db: sqlite3.Connection, window: int) -> bool:
        row = db.execute("SELECT paused FROM windows WHERE window = ?", (window,)).fetchone()
        return bool(row and row[0])

    def window_paused(self, window: int) -> bool:
        self.window_queues(window)
        with self._lock:
            return self._paused(self._db, window)

    def _current(self, db: sqlite3.Connection, window: int, day: date) -> TicketRow | None:
        row = db.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE business_day = ? AND window = ?"
            " AND status = 'called' ORDER BY called_at DESC LIMIT 1",
            (day.isoformat(), window),
        ).fetchone()
        return None if row is None else TicketRow.from_row(row)

    def _finish(self, db: sqlite3.Connection, ticket: TicketRow, now: datetime) -> TicketRow:
        db.execute(
            "UPDATE tickets SET status = 'finished', finished_at = ? WHERE ticket_id = ?",
            (now.isoformat(), ticket.ticket_id),
        )
        return self._require(db, ticket.ticket_id)

    def call_next(self, window: int) -> list[WindowChange]:
        """Finish the window's current number, if any, then call the next one waiting
        in the window's queues by the embedded hall's order: the appointment queue,
        then the priority queue, then arrival."""
        queues = self.window_queues(window)
        now = self.now()
        day = self.business_day(now)
        changes: list[WindowChange] = []
        with self._transaction() as db:
            if self._paused(db, window):
                raise StoreError(409, f"window {window} is paused: resume it first")
            current = self._current(db, window, day)
            if current is not None:
                changes.append(WindowChange("finished", self._finish(db, current, now)))
            marks = ", ".join("?" for _ in queues)
            rank = " ".join(f"WHEN ? THEN {place}" for place, _ in enumerate(CALL_FIRST_QUEUES))
            row = db.execute(
                f"SELECT ticket_id FROM tickets WHERE business_day = ? AND queue IN ({marks})"
                f" AND status = 'waiting' ORDER BY CASE queue {rank}"
                f" ELSE {len(CALL_FIRST_QUEUES)} END, issued_at, seq LIMIT 1",
                (day.isoformat(), *(queue.code for queue in queues), *CALL_FIRST_QUEUES),
            ).fetchone()
            if row is not None:
                db.execute(
                    "UPDATE tickets SET status = 'called', called_at = ?, window = ?"
                    " WHERE ticket_id = ?",
                    (now.isoformat(), window, row[0]),
                )
                changes.append(WindowChange("called", self._require(db, str(row[0]))))
        return changes

    def recall(self, window: int) -> list[WindowChange]:
        self.window_queues(window)
        with self._lock:
            current = self._current(self._db, window, self.business_day())
        return [] if current is None else [WindowChange("called", current, recall=True)]

    def finish(self, window: int) -> list[WindowChange]:
        self.window_queues(window)
        now = self.now()
        with self._transaction() as db:
            current = self._current(db, window, self.business_day(now))
            if current is None:
                return []
            return [WindowChange("finished", self._finish(db, current, now))]

    def set_paused(self, window: int, paused: bool) -> list[WindowChange]:
        self.window_queues(window)
        with self._transaction() as db:
            was = self._paused(db, window)
            db.execute(
                "INSERT INTO windows (window, paused) VALUES (?, ?)"
                " ON CONFLICT (window) DO UPDATE SET paused = excluded.paused",
                (window, int(paused)),
            )
        if was == paused:
            return []
        return [WindowChange("window_paused" if paused else "window_resumed")]
