"""The local journal: every state change, written before anything else happens.

Events are append-only; each also lands in the outbox, from which a sync worker
delivers it to a hall server with its idempotency key. Payloads never hold
personal data: no names, ID numbers or addresses.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.clock import Clock
from kiosk.sqlite import StorageError, open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    ticket_id TEXT,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_ticket ON events (ticket_id);
CREATE TABLE IF NOT EXISTS outbox (
    event_id INTEGER PRIMARY KEY REFERENCES events (id),
    idempotency_key TEXT NOT NULL UNIQUE,
    delivered_at TEXT
);
"""


@dataclass(frozen=True)
class JournalEvent:
    id: int
    at: str
    kind: str
    ticket_id: str | None
    payload: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "kind": self.kind,
            "ticket_id": self.ticket_id,
            **self.payload,
        }


class Journal:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._db = open_database(path, SCHEMA)

    def record(self, kind: str, payload: Mapping[str, Any], ticket_id: str | None = None) -> int:
        """Append an event and queue it for delivery, in one durable transaction."""
        text = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True)
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cursor = self._db.execute(
                    "INSERT INTO events (at, kind, ticket_id, payload) VALUES (?, ?, ?, ?)",
                    (self._clock.now().isoformat(), kind, ticket_id, text),
                )
                event_id = int(cursor.lastrowid or 0)
                self._db.execute(
                    "INSERT INTO outbox (event_id, idempotency_key) VALUES (?, ?)",
                    (event_id, uuid.uuid4().hex),
                )
                self._db.execute("COMMIT")
            except Exception as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StorageError(f"cannot write the journal {self.path}: {error}") from None
        return event_id

    def events(self, ticket_id: str | None = None) -> list[JournalEvent]:
        with self._lock:
            if ticket_id is None:
                rows = self._db.execute(
                    "SELECT id, at, kind, ticket_id, payload FROM events ORDER BY id"
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT id, at, kind, ticket_id, payload FROM events WHERE ticket_id = ?"
                    " ORDER BY id",
                    (ticket_id,),
                ).fetchall()
        return [JournalEvent(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]

    def find_event(self, kind: str, **fields: str) -> JournalEvent | None:
        """The newest event of `kind` whose payload holds all of `fields`."""
        for name in fields:
            if not name.isidentifier():
                raise ValueError(f"not a payload field name: {name!r}")
        where = "".join(f" AND json_extract(payload, '$.{name}') = ?" for name in fields)
        with self._lock:
            row = self._db.execute(
                "SELECT id, at, kind, ticket_id, payload FROM events WHERE kind = ?"
                f"{where} ORDER BY id DESC LIMIT 1",
                (kind, *fields.values()),
            ).fetchone()
        return (
            None
            if row is None
            else JournalEvent(row[0], row[1], row[2], row[3], json.loads(row[4]))
        )

    def iter_json_lines(self) -> Iterator[str]:
        for event in self.events():
            yield json.dumps(event.as_json(), ensure_ascii=False, sort_keys=True)

    def export_json_lines(self, path: Path) -> int:
        lines = list(self.iter_json_lines())
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return len(lines)

    def pending_outbox(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL"
            ).fetchone()
        return int(row[0])

    def integrity_ok(self) -> bool:
        with self._lock:
            return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def close(self) -> None:
        with self._lock:
            self._db.close()
