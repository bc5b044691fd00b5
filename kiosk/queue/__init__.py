"""The queue of a hall, one engine for the embedded hall and the hall server.

    database = SqliteDatabase(path)                # or kiosk.postgres.PostgresDatabase
    upgrade(database, QUEUE_MIGRATIONS)            # the tables, created or brought up to date
    engine = QueueEngine(settings, clock)
    with database.transaction() as tx:
        issued = engine.issue(tx, engine.queue("green"), ["M0201"], "K01")

The rules (numbering, call order, estimates, quotas, pauses) are in `engine`; the
tables in `tickets`, their versions in `migrations`; the one interface to a database
in `storage`.
"""

from kiosk.queue.engine import CALL_FIRST_QUEUES, MAX_NUMBER, QueueEngine
from kiosk.queue.errors import QueueError, QueueFull, UnknownQueue, UnknownWindow, WindowPaused
from kiosk.queue.migrations import Change, Migrations, upgrade, versions
from kiosk.queue.model import Issued, QueueFigures, WindowChange, WindowState
from kiosk.queue.storage import Database, DatabaseError, SchemaDatabase, Transaction
from kiosk.queue.tickets import (
    DEFAULT_HALL,
    QUEUE_MIGRATIONS,
    SCHEMA,
    TicketRow,
    number_of,
    seq_of,
)

__all__ = [
    "CALL_FIRST_QUEUES",
    "DEFAULT_HALL",
    "MAX_NUMBER",
    "QUEUE_MIGRATIONS",
    "SCHEMA",
    "Change",
    "Database",
    "DatabaseError",
    "Issued",
    "Migrations",
    "QueueEngine",
    "QueueError",
    "QueueFigures",
    "QueueFull",
    "SchemaDatabase",
    "TicketRow",
    "Transaction",
    "UnknownQueue",
    "UnknownWindow",
    "WindowChange",
    "WindowPaused",
    "WindowState",
    "number_of",
    "seq_of",
    "upgrade",
    "versions",
]
