"""Events shared by the worker processes of one hall server (or several servers on
one PostgreSQL database): a change made in one worker reaches the streams that any
worker holds.

A publisher writes the event to the `hall_events` table (kiosk/hall/server/store/
base.py) in one write transaction, which the writers' lock orders, so ids commit in
increasing order. One thread per process then reads the new rows, one query per
change whatever the number of streams, and hands them to the process's broker,
which fans them out:

- PostgreSQL: the publisher's transaction also NOTIFYs; the thread LISTENs on a
  connection of its own and reads when told.
- SQLite: the thread polls `PRAGMA data_version`, a counter that changes when another
  connection commits (no read of any table), and reads only when it moved; a
  publish in this process wakes it at once.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from drivers.background import BackgroundThread
from kiosk.hall.server.events import EventBroker
from kiosk.queue.storage import Database, Transaction
from kiosk.sqlite import SqliteDatabase

log = logging.getLogger(__name__)

CHANNEL = "hall_events"
# How often a SQLite worker looks for other workers' events (their delay at most).
POLL_SECONDS = 0.05
# Rows kept for late readers; older ones are deleted now and then.
KEPT = 1000
PRUNE_EVERY = 100

_NEW = "SELECT id, payload FROM hall_events WHERE id > ? ORDER BY id"
_LAST = "SELECT coalesce(max(id), 0) FROM hall_events"


def is_postgres(location: Path | str) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def _rows(found: list[Any]) -> list[dict[str, Any]]:
    return [{**json.loads(str(payload)), "id": int(event_id)} for event_id, payload in found]


def _unflushed(database: Database) -> AbstractContextManager[Transaction]:
    """A write transaction whose commit does not wait for the disk, where offered."""
    if isinstance(database, SqliteDatabase):
        return database.transaction(durable=False)
    if "kiosk.postgres" in sys.modules:  # loaded where a hall runs on PostgreSQL
        from kiosk.postgres import PostgresDatabase

        if isinstance(database, PostgresDatabase):
            return database.transaction(durable=False)
    return database.transaction()


class SharedEvents:
    """The publishing side (any thread) and the reading thread of one process."""

    def __init__(self, location: Path | str, database: Database, broker: EventBroker) -> None:
        self._location = location
        self._database = database
        self._broker = broker
        self._postgres = is_postgres(location)
        self._wake = threading.Event()
        self._published = 0
        self._lock = threading.Lock()
        with database.read() as tx:
            row = tx.one(_LAST)
        self._last = int(row[0]) if row else 0  # streams see what comes after their start
        reader = self._listen if self._postgres else self._poll
        self._thread = BackgroundThread("hall-events", reader, join_seconds=5.0)
        self._thread.start()

    def publish(self, data: dict[str, Any]) -> dict[str, Any]:
        """Stores the event (its id given here) and tells every worker; returns it."""
        payload = json.dumps(data)
        # Not worth an fsync: a power cut may lose an event, never a ticket.
        with _unflushed(self._database) as tx:
            row = tx.one(_LAST)
            event_id = max((int(row[0]) if row else 0) + 1, int(time.time() * 1000))
            tx.execute("INSERT INTO hall_events (id, payload) VALUES (?, ?)", (event_id, payload))
            if self._postgres:
                tx.one(f"SELECT pg_notify('{CHANNEL}', '')")
            with self._lock:
                self._published += 1
                prune = self._published % PRUNE_EVERY == 0
            if prune:
                self._prune(tx)
        self._wake.set()
        return {"id": event_id, **data}

    def _prune(self, tx: Transaction) -> None:
        tx.execute(
            "DELETE FROM hall_events WHERE id < (SELECT min(id) FROM"
            " (SELECT id FROM hall_events ORDER BY id DESC LIMIT ?) AS kept)",
            (KEPT,),
        )

    def _deliver(self, found: list[Any]) -> None:
        events = _rows(found)
        if events:
            self._last = events[-1]["id"]
            self._broker.deliver(events)

    def _poll(self, stop: threading.Event) -> None:
        connection = sqlite3.connect(Path(self._location), check_same_thread=False)
        try:
            seen = None
            while not stop.is_set():
                self._wake.clear()
                try:
                    version = connection.execute("PRAGMA data_version").fetchone()[0]
                    if version != seen:
                        self._deliver(connection.execute(_NEW, (self._last,)).fetchall())
                        seen = version
                except sqlite3.Error as error:  # busy a moment (a checkpoint): next turn
                    log.warning("the hall's events: %s", error)
                self._wake.wait(POLL_SECONDS)
        finally:
            connection.close()

    def _listen(self, stop: threading.Event) -> None:
        from kiosk.postgres import listening

        while not stop.is_set():
            try:
                with listening(str(self._location), CHANNEL) as (read, notified):
                    while not stop.is_set():
                        self._deliver(read(_NEW, (self._last,)))
                        notified(POLL_SECONDS * 10)
            except Exception as error:  # the database went away: try again
                log.warning("the hall's events: %s; listening again", error)
                stop.wait(1.0)

    def close(self) -> None:
        self._thread.stop()
