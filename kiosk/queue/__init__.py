"""The queue of a hall, one engine for the embedded hall and the hall server.

    database = SqliteDatabase(path, SCHEMA)        # or kiosk.postgres.PostgresDatabase
    engine = QueueEngine(settings, clock)
    with database.transaction() as tx:
        issued = engine.issue(tx, engine.queue("green"), ["M0201"], "K01")

The rules (numbering, call order, estimates, quotas, pauses) are in `engine`; the
tables in `tickets`; the one interface to a database in `storage`.
"""

from kiosk.queue.engine import CALL_FIRST_QUEUES, MAX_NUMBER, QueueEngine
from kiosk.queue.errors import QueueError, QueueFull, UnknownQueue, UnknownWindow, WindowPaused
from kiosk.queue.model import Issued, QueueFigures, WindowChange, WindowState
from kiosk.queue.storage import Database, DatabaseError, Transaction
from kiosk.queue.tickets import SCHEMA, TicketRow, number_of, seq_of

__all__ = [
    "CALL_FIRST_QUEUES",
    "MAX_NUMBER",
    "SCHEMA",
    "Database",
    "DatabaseError",
    "Issued",
    "QueueEngine",
    "QueueError",
    "QueueFigures",
    "QueueFull",
    "TicketRow",
    "Transaction",
    "UnknownQueue",
    "UnknownWindow",
    "WindowChange",
    "WindowPaused",
    "WindowState",
    "number_of",
    "seq_of",
]
