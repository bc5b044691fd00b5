"""The local journal: every state change, written before anything else happens.

Events are append-only; each also lands in the outbox, from which a sync worker
(kiosk/hall/outbox_delivery.py) delivers it to a hall server with its idempotency key, in
batches, oldest first. A record leaves the outbox only once the server has
acknowledged it (or refused it for good, which is kept with the reason), so a
kill at any moment loses nothing and a replay sends the same key again.
Payloads never hold personal data: no names, ID numbers or addresses.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (event_id) WHERE delivered_at IS NULL;
"""
# Added after the first release: a record the server refused for good keeps the reason.
OUTBOX_COLUMNS = {"refused": "TEXT"}

RecordListener = Callable[[int], None]


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


@dataclass(frozen=True)
class OutboxRecord:
    """One journal event waiting for the hall server, with the key it is always sent with."""

    event_id: int
    idempotency_key: str
    at: str
    kind: str
    ticket_id: str | None
    payload: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "idempotency_key": self.idempotency_key,
            "at": self.at,
            "kind": self.kind,
            "ticket_id": self.ticket_id,
            "payload": self.payload,
        }


class Journal:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._db = open_database(path, SCHEMA)
        self._listeners: list[RecordListener] = []
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        with self._lock:
            present = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
            for name, kind in OUTBOX_COLUMNS.items():
                if name not in present:
                    self._db.execute(f"ALTER TABLE outbox ADD COLUMN {name} {kind}")

    def add_listener(self, listener: RecordListener) -> None:
        """`listener(event_id)` runs after each durable record (the sync worker wakes up)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: RecordListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

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
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event_id)
        return event_id

    def record_many(
        self, records: Iterable[tuple[str, Mapping[str, Any], str | None]]
    ) -> list[int]:
        """Several events in one durable transaction (imports, benchmarks)."""
        at = self._clock.now().isoformat()
        ids: list[int] = []
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for kind, payload, ticket_id in records:
                    text = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True)
                    cursor = self._db.execute(
                        "INSERT INTO events (at, kind, ticket_id, payload) VALUES (?, ?, ?, ?)",
                        (at, kind, ticket_id, text),
                    )
                    event_id = int(cursor.lastrowid or 0)
                    self._db.execute(
                        "INSERT INTO outbox (event_id, idempotency_key) VALUES (?, ?)",
                        (event_id, uuid.uuid4().hex),
                    )
                    ids.append(event_id)
                self._db.execute("COMMIT")
            except Exception as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StorageError(f"cannot write the journal {self.path}: {error}") from None
            listeners = list(self._listeners)
        for listener in listeners:
            listener(ids[-1] if ids else 0)
        return ids

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

    def newest_of_kinds(self, kind_prefix: str, limit: int) -> list[JournalEvent]:
        """The newest `limit` events whose kind starts with `kind_prefix`, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, at, kind, ticket_id, payload FROM events WHERE kind LIKE ? ESCAPE '\\'"
                " ORDER BY id DESC LIMIT ?",
                (_like_prefix(kind_prefix), limit),
            ).fetchall()
        events = [JournalEvent(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]
        return events[::-1]

    def purge_before(self, cutoff: str, *, keep_undelivered: bool) -> tuple[int, int]:
        """Delete events older than `cutoff` (ISO time) whose outbox entry is delivered
        or absent (`keep_undelivered=False`: whether delivered or not). Returns how many
        went and how many older ones stay (still to be delivered)."""
        delivered = (
            " AND (o.event_id IS NULL OR o.delivered_at IS NOT NULL)" if keep_undelivered else ""
        )
        old_delivered = (
            "SELECT e.id FROM events e LEFT JOIN outbox o ON o.event_id = e.id"
            f" WHERE e.at < ?{delivered}"
        )
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    f"DELETE FROM outbox WHERE event_id IN ({old_delivered})", (cutoff,)
                )
                purged = self._db.execute(
                    "DELETE FROM events WHERE at < ? AND id NOT IN (SELECT event_id FROM outbox)",
                    (cutoff,),
                ).rowcount
                kept = self._db.execute(
                    "SELECT COUNT(*) FROM events WHERE at < ?", (cutoff,)
                ).fetchone()[0]
                self._db.execute("COMMIT")
            except Exception:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        return int(purged), int(kept)

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

    def outbox_batch(self, limit: int = 500) -> list[OutboxRecord]:
        """The oldest records not delivered yet, in the order they were journalled."""
        with self._lock:
            rows = self._db.execute(
                "SELECT e.id, o.idempotency_key, e.at, e.kind, e.ticket_id, e.payload"
                " FROM outbox o JOIN events e ON e.id = o.event_id"
                " WHERE o.delivered_at IS NULL ORDER BY o.event_id LIMIT ?",
                (max(1, limit),),
            ).fetchall()
        return [
            OutboxRecord(row[0], row[1], row[2], row[3], row[4], json.loads(row[5])) for row in rows
        ]

    def mark_delivered(
        self, event_ids: Sequence[int], refused: Mapping[int, str] | None = None
    ) -> int:
        """Acknowledged by the server (`refused`: for good, with the reason); one durable
        transaction. Returns how many left the outbox now (a repeat counts nothing)."""
        refused = refused or {}
        at = self._clock.now().isoformat()
        changed = 0
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for event_id in dict.fromkeys([*event_ids, *refused]):
                    cursor = self._db.execute(
                        "UPDATE outbox SET delivered_at = ?, refused = ?"
                        " WHERE event_id = ? AND delivered_at IS NULL",
                        (at, refused.get(event_id), event_id),
                    )
                    changed += cursor.rowcount
                self._db.execute("COMMIT")
            except Exception as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StorageError(f"cannot write the journal {self.path}: {error}") from None
        return changed

    def oldest_pending_at(self) -> str | None:
        """When the oldest undelivered record was journalled (ISO time), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT e.at FROM outbox o JOIN events e ON e.id = o.event_id"
                " WHERE o.delivered_at IS NULL ORDER BY o.event_id LIMIT 1"
            ).fetchone()
        return None if row is None else str(row[0])

    def refused_outbox(self) -> list[tuple[int, str]]:
        """Records the server refused for good, with its reason (for the technician)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT event_id, refused FROM outbox WHERE refused IS NOT NULL ORDER BY event_id"
            ).fetchall()
        return [(int(row[0]), str(row[1])) for row in rows]

    def integrity_ok(self) -> bool:
        with self._lock:
            return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching `prefix` literally, then anything."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
