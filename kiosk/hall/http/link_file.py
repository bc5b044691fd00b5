"""The kiosk's hall-link file (SQLite, beside the journal).

It holds what the kiosk must remember about the hall server across restarts:
the number blocks leased for today and the kiosk's own range in use (offline
numbering), the tickets this kiosk issued (their status, and the commits and
voids the server has not taken yet), and the server clock's offset.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from kiosk.hall import api
from kiosk.hall.base import HallError
from kiosk.sqlite import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leases (
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    next INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('lease', 'own_range')),
    PRIMARY KEY (business_day, queue, first)
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id TEXT PRIMARY KEY,
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    number TEXT NOT NULL,
    status TEXT NOT NULL,
    offline INTEGER NOT NULL,
    status_url TEXT,
    retry TEXT CHECK (retry IN ('commit', 'void')),
    channel TEXT,
    reason TEXT,
    UNIQUE (business_day, queue, number)
);
"""

KEEP_DAYS = 7  # local ticket rows (status of this kiosk's tickets) kept this long

Pending = tuple[str, str, str | None, str]  # ticket id, "commit" or "void", channel, reason


class LinkFile:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = open_database(path, SCHEMA)

    # ---- the server clock's offset ------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ---- numbers ----------------------------------------------------------------------

    def take_offline(
        self,
        ticket_id: str,
        day: str,
        queue_code: str,
        prefix: str,
        own_range: tuple[int, int] | None,
    ) -> str:
        """The ticket's number from today's leased blocks, then from the kiosk's own
        range, kept with the ticket in one transaction; HallError when none is left."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                seq = self._take_number(day, queue_code, own_range)
                number = f"{prefix}{seq:03d}"
                self._db.execute(
                    "INSERT INTO tickets (ticket_id, business_day, queue, number, status,"
                    " offline) VALUES (?, ?, ?, ?, 'reserved', 1)",
                    (ticket_id, day, queue_code, number),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise HallError(f"the kiosk's hall state failed: {error}") from None
            except HallError:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        return number

    def _take_number(self, day: str, queue_code: str, own_range: tuple[int, int] | None) -> int:
        row = self._db.execute(
            "SELECT first, next FROM leases WHERE business_day = ? AND queue = ? AND next <= last"
            " ORDER BY source = 'own_range', first LIMIT 1",
            (day, queue_code),
        ).fetchone()
        if row is None and own_range is not None:
            first, last = own_range
            self._db.execute(
                "INSERT OR IGNORE INTO leases (business_day, queue, first, last, next, source)"
                " VALUES (?, ?, ?, ?, ?, 'own_range')",
                (day, queue_code, first, last, first),
            )
            row = self._db.execute(
                "SELECT first, next FROM leases WHERE business_day = ? AND queue = ?"
                " AND source = 'own_range' AND next <= last",
                (day, queue_code),
            ).fetchone()
        if row is None:
            raise HallError(
                f"offline, and no numbers left for queue {queue_code} today: "
                "this kiosk has no leased block and its own range is used up or not set"
            )
        first, seq = int(row[0]), int(row[1])
        self._db.execute(
            "UPDATE leases SET next = next + 1 WHERE business_day = ? AND queue = ? AND first = ?",
            (day, queue_code, first),
        )
        return seq

    def drop_own_ranges_except(self, first: int | None) -> None:
        """Forget the unused rest of own ranges other than the one starting at `first`."""
        with self._lock:
            self._db.execute(
                "DELETE FROM leases WHERE source = 'own_range' AND first IS NOT ?", (first,)
            )

    def leased_left(self, day: str) -> dict[str, int]:
        """Per queue, leased numbers still unused on the day."""
        with self._lock:
            rows = self._db.execute(
                "SELECT queue, SUM(last - next + 1) FROM leases WHERE business_day = ?"
                " AND source = 'lease' AND next <= last GROUP BY queue",
                (day,),
            ).fetchall()
        return {str(queue): int(left) for queue, left in rows}

    def add_blocks(self, day: str, blocks: Sequence[api.LeaseBlock]) -> None:
        with self._lock:
            for block in blocks:
                self._db.execute(
                    "INSERT OR IGNORE INTO leases (business_day, queue, first, last, next, source)"
                    " VALUES (?, ?, ?, ?, ?, 'lease')",
                    (day, block.queue_code, block.first, block.last, block.first),
                )

    def forget_before(self, today: date) -> None:
        """Leases expire with their day; old tickets are only kept a while for status."""
        kept_from = (today - timedelta(days=KEEP_DAYS)).isoformat()
        with self._lock:
            self._db.execute("DELETE FROM leases WHERE business_day < ?", (today.isoformat(),))
            self._db.execute(
                "DELETE FROM tickets WHERE business_day < ? AND retry IS NULL", (kept_from,)
            )

    # ---- this kiosk's tickets ------------------------------------------------------------

    def add_online(
        self, ticket_id: str, day: str, queue_code: str, number: str, status_url: str
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO tickets (ticket_id, business_day, queue, number, status,"
                " offline, status_url) VALUES (?, ?, ?, ?, 'reserved', 0, ?)",
                (ticket_id, day, queue_code, number, status_url),
            )

    def waiting_offline(self, day: str) -> dict[str, int]:
        """Per queue, tickets issued offline on the day and not voided."""
        with self._lock:
            rows = self._db.execute(
                "SELECT queue, COUNT(*) FROM tickets WHERE business_day = ? AND offline = 1"
                " AND status IN ('reserved', 'waiting') GROUP BY queue",
                (day,),
            ).fetchall()
        return {str(queue): int(count) for queue, count in rows}

    def ticket(self, ticket_id: str) -> tuple[str, bool] | None:
        """(status, issued offline) of a ticket of this kiosk."""
        with self._lock:
            return self._ticket(ticket_id)

    def _ticket(self, ticket_id: str) -> tuple[str, bool] | None:
        row = self._db.execute(
            "SELECT status, offline FROM tickets WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), bool(row[1]))

    def status_url(self, ticket_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT status_url FROM tickets WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
        return str(row[0]) if row is not None and row[0] else None

    def reserved(self) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT ticket_id FROM tickets WHERE status = 'reserved' ORDER BY rowid"
            ).fetchall()
        return [str(row[0]) for row in rows]

    def finish(self, ticket_id: str, action: str, channel: str | None, reason: str) -> bool:
        """The ticket committed ("commit") or voided; True when it was issued offline.
        An online ticket is kept for a retry until the server takes it."""
        status = "waiting" if action == "commit" else "void"
        with self._lock:
            local = self._ticket(ticket_id)
            if local is None:
                raise HallError(f"ticket {ticket_id} was not issued by this kiosk")
            if local[0] == "void" or (action == "commit" and local[0] != "reserved"):
                raise HallError(f"ticket {ticket_id} is {local[0]}")
            # Offline tickets reach the server through the outbox.
            self._db.execute(
                "UPDATE tickets SET status = ?, retry = ?, channel = ?, reason = ?"
                " WHERE ticket_id = ?",
                (status, None if local[1] else action, channel, reason[:200], ticket_id),
            )
        return local[1]

    def pending(self) -> list[Pending]:
        """Commits and voids the server has not taken yet."""
        with self._lock:
            rows = self._db.execute(
                "SELECT ticket_id, retry, channel, reason FROM tickets WHERE retry IS NOT NULL"
            ).fetchall()
        return [
            (str(t), str(action), channel, str(reason or "")) for t, action, channel, reason in rows
        ]

    def taken(self, ticket_id: str) -> None:
        """The server took the ticket's commit or void (or never will): no more retries."""
        with self._lock:
            self._db.execute("UPDATE tickets SET retry = NULL WHERE ticket_id = ?", (ticket_id,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
