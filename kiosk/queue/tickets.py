"""The queue's tables, its ticket as the engine reads it, and its numbers.

Standard SQL: it creates the same tables on SQLite and PostgreSQL. "window" is
quoted everywhere because PostgreSQL reserves the word. The tables are versioned
(QUEUE_MIGRATIONS): a change to them is a new step, never an edit of SCHEMA.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.queue.help import HELP_STEP
from kiosk.queue.migrations import Migrations
from kiosk.queue.storage import SchemaTransaction
from kiosk.settings import QueueSection

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
    offline INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL,
    called_at TEXT,
    finished_at TEXT,
    "window" INTEGER,
    UNIQUE (business_day, queue, seq)
);
CREATE INDEX IF NOT EXISTS tickets_by_queue ON tickets (business_day, queue, status, seq);
CREATE TABLE IF NOT EXISTS windows (
    "window" INTEGER PRIMARY KEY,
    paused INTEGER NOT NULL DEFAULT 0
);
"""


def _offline_column(tx: SchemaTransaction) -> None:
    # Embedded halls' files from before the queue engine have no `offline` column;
    # IF NOT EXISTS left their tickets table as it was.
    if not tx.has_column("tickets", "offline"):
        tx.execute("ALTER TABLE tickets ADD COLUMN offline INTEGER NOT NULL DEFAULT 0")


# The hall a queue belongs to when none is named: an embedded hall's, and every row
# of a database from before halls.
DEFAULT_HALL = "main"

# Step 2: every counter, ticket and window belongs to a hall, and numbering runs per
# hall, per queue, per day. The keys change, so each table is rebuilt (SQLite cannot
# alter a key) and its rows move to DEFAULT_HALL. Keep this step before any step that
# adds a column to these tables: the copies name today's columns.
HALL_STEP = """
CREATE TABLE counters_by_hall (
    hall TEXT NOT NULL DEFAULT 'main',
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (hall, business_day, queue)
);
INSERT INTO counters_by_hall (hall, business_day, queue, last)
    SELECT 'main', business_day, queue, last FROM counters;
DROP TABLE counters;
ALTER TABLE counters_by_hall RENAME TO counters;
CREATE TABLE tickets_by_hall (
    ticket_id TEXT PRIMARY KEY, hall TEXT NOT NULL DEFAULT 'main',
    business_day TEXT NOT NULL, queue TEXT NOT NULL, seq INTEGER NOT NULL,
    number TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN
        ('reserved', 'waiting', 'called', 'finished', 'void')),
    channel TEXT, matters TEXT NOT NULL, kiosk_id TEXT NOT NULL,
    offline INTEGER NOT NULL DEFAULT 0, issued_at TEXT NOT NULL, called_at TEXT,
    finished_at TEXT, "window" INTEGER,
    UNIQUE (hall, business_day, queue, seq)
);
INSERT INTO tickets_by_hall (ticket_id, hall, business_day, queue, seq, number, status,
    channel, matters, kiosk_id, offline, issued_at, called_at, finished_at, "window")
    SELECT ticket_id, 'main', business_day, queue, seq, number, status, channel, matters,
    kiosk_id, offline, issued_at, called_at, finished_at, "window" FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_by_hall RENAME TO tickets;
CREATE INDEX tickets_by_queue ON tickets (hall, business_day, queue, status, seq);
CREATE TABLE windows_by_hall (
    hall TEXT NOT NULL DEFAULT 'main',
    "window" INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hall, "window")
);
INSERT INTO windows_by_hall (hall, "window", paused) SELECT 'main', "window", paused FROM windows;
DROP TABLE windows;
ALTER TABLE windows_by_hall RENAME TO windows
"""

# Step 1 is the schema of the databases made before versions were recorded.
QUEUE_MIGRATIONS = Migrations(
    "queue",
    (SCHEMA, HALL_STEP, HELP_STEP),
    found_by=("tickets", "ticket_id"),
    adopt=_offline_column,
)

TICKET_COLUMNS = (
    "ticket_id, business_day, queue, seq, number, status, channel, matters, kiosk_id,"
    ' issued_at, called_at, finished_at, "window", hall'
)

# Statuses of a ticket that holds a place in its queue.
IN_QUEUE = ("reserved", "waiting")


@dataclass(frozen=True)
class TicketRow:
    """One ticket of the queue: reserved (number held, not yet printed), waiting,
    called (to `window`), finished, or void."""

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
    hall: str = DEFAULT_HALL

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> TicketRow:
        """From the columns of TICKET_COLUMNS, in that order."""
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
            None if row[12] is None else int(row[12]),
            str(row[13]),
        )


def number_of(queue: QueueSection, seq: int) -> str:
    """The number printed on the ticket: G001."""
    return f"{queue.prefix}{seq:03d}"


def seq_of(queue: QueueSection, number: str) -> int | None:
    """The place of `number` in the queue's day, None when it is not one of its numbers."""
    digits = number[1:]
    # ASCII only: "²²²" and "٩٩٨" pass isdigit(), and the first breaks int().
    if len(number) != 4 or number[0] != queue.prefix or not (digits.isascii() and digits.isdigit()):
        return None
    return int(number[1:])


def matters_json(codes: Sequence[str]) -> str:
    """The `matters` column: the matter codes as a JSON list."""
    return json.dumps([str(code) for code in codes])
