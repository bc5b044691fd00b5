"""Help requests (一键求助): a kiosk's visitor asks for a guide (导税); the hall's calling
display and the manager's dashboard show it until a guide answers it or it is old.

Only the kiosk and the time are kept: nothing about the visitor. The table is a step of
QUEUE_MIGRATIONS, the same on the embedded hall's SQLite and the hall server's database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.queue.storage import Transaction

HELP_STEP = """
CREATE TABLE IF NOT EXISTS help_requests (
    help_id TEXT PRIMARY KEY,
    hall TEXT NOT NULL DEFAULT 'main',
    kiosk_id TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX IF NOT EXISTS help_requests_open ON help_requests (hall, answered_at, requested_at)
"""

# A request nobody answered is shown this long (a guide who came may not have pressed
# anything); asked again, it is shown again.
OPEN_MINUTES = 15


@dataclass(frozen=True)
class HelpRequest:
    help_id: str
    kiosk_id: str
    requested_at: datetime


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def request_help(tx: Transaction, hall: str, kiosk_id: str, at: datetime) -> str:
    """A new open request of `kiosk_id` (its earlier open one, if any, is renewed)."""
    since = _utc(at - timedelta(minutes=OPEN_MINUTES))
    row = tx.one(
        "SELECT help_id FROM help_requests WHERE hall = ? AND kiosk_id = ?"
        " AND answered_at IS NULL AND requested_at >= ?",
        (hall, kiosk_id, since),
    )
    if row is not None:
        tx.execute(
            "UPDATE help_requests SET requested_at = ? WHERE help_id = ?", (_utc(at), row[0])
        )
        return str(row[0])
    help_id = uuid.uuid4().hex
    tx.execute(
        "INSERT INTO help_requests (help_id, hall, kiosk_id, requested_at) VALUES (?, ?, ?, ?)",
        (help_id, hall, kiosk_id, _utc(at)),
    )
    return help_id


def open_help(tx: Transaction, hall: str, now: datetime) -> list[HelpRequest]:
    """The hall's unanswered requests of the last OPEN_MINUTES, the oldest first."""
    rows = tx.all(
        "SELECT help_id, kiosk_id, requested_at FROM help_requests WHERE hall = ?"
        " AND answered_at IS NULL AND requested_at >= ? ORDER BY requested_at, help_id",
        (hall, _utc(now - timedelta(minutes=OPEN_MINUTES))),
    )
    return [
        HelpRequest(str(row[0]), str(row[1]), datetime.fromisoformat(str(row[2]))) for row in rows
    ]


def answer_help(tx: Transaction, hall: str, kiosk_id: str, at: datetime) -> int:
    """A guide came to `kiosk_id`: its open requests are answered. Returns how many."""
    return tx.execute(
        "UPDATE help_requests SET answered_at = ? WHERE hall = ? AND kiosk_id = ?"
        " AND answered_at IS NULL",
        (_utc(at), hall, kiosk_id),
    )
