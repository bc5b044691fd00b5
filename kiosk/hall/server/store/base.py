"""What every part of the hall server's store shares: the database, the queue
engine, the clock, and the refusals as HTTP statuses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from kiosk.clock import Clock
from kiosk.hall.api import DEFAULT_OFFLINE_FLOOR
from kiosk.hall.server.dashboard.schema import DASHBOARD_MIGRATIONS
from kiosk.queue import (
    QUEUE_MIGRATIONS,
    Change,
    Migrations,
    QueueEngine,
    QueueError,
    SchemaDatabase,
    UnknownQueue,
    UnknownWindow,
    WindowPaused,
    upgrade,
    versions,
)
from kiosk.settings import QueueSection, Settings
from kiosk.sqlite import SqliteDatabase

# Where a hall server keeps its data: a SQLite file, or a postgresql:// URL (a
# database several server processes share).
Location = Path | str

# The server's own tables, beside the queue's (step 1 of SERVER_MIGRATIONS: a change
# is a new step, never an edit of this). AUTOINCREMENT is SQLite's (PostgreSQL
# reads it as an identity column): the records keep their arrival order even after
# old ones are deleted.
SERVER_SCHEMA = """
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
"""


SERVER_MIGRATIONS = Migrations("hall_server", (SERVER_SCHEMA,), found_by=("tokens", "client_id"))

# Every part of a hall server's database, in the order they are upgraded.
HALL_SERVER_PARTS = (QUEUE_MIGRATIONS, SERVER_MIGRATIONS, DASHBOARD_MIGRATIONS)


class StoreError(Exception):
    """A request the hall cannot satisfy; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field  # for 422: the body field at fault


def refusal(error: QueueError) -> StoreError:
    """The queue engine's refusal as the answer of the API."""
    if isinstance(error, UnknownQueue):
        return StoreError(422, f"queue_code: {error}", "queue_code")
    if isinstance(error, UnknownWindow):
        return StoreError(404, f"window: no queue is served at window {error.window}")
    if isinstance(error, WindowPaused):
        return StoreError(409, f"{error}: resume it first")
    return StoreError(409, str(error))  # QueueFull: no number left today


def database_at(location: Location) -> SchemaDatabase:
    """The database at `location`, as it is (see `upgrade_database`)."""
    if isinstance(location, str) and location.startswith(("postgresql://", "postgres://")):
        # psycopg only where a hall runs on PostgreSQL: ~0.2 s of every start else.
        from kiosk.postgres import PostgresDatabase

        return PostgresDatabase(location)
    return SqliteDatabase(Path(location))


def upgrade_database(location: Location) -> list[Change]:
    """Brings a hall server's tables to this version (creates them in a new
    database); each part's version before and after."""
    database = database_at(location)
    try:
        return upgrade(database, *HALL_SERVER_PARTS)
    finally:
        database.close()


def database_versions(location: Location) -> dict[str, int]:
    """The schema version of each part of a hall server's database (0: none)."""
    database = database_at(location)
    try:
        return versions(database, *HALL_SERVER_PARTS)
    finally:
        database.close()


class StoreBase:
    """One database (a SQLite file, or PostgreSQL): every change is one durable
    transaction, so a server killed at any moment restarts with its numbering and
    everything it answered as committed."""

    def __init__(
        self,
        location: Location,
        settings: Settings,
        clock: Clock,
        offline_floor: int = DEFAULT_OFFLINE_FLOOR,
    ) -> None:
        self.location = location
        self.settings = settings
        self.clock = clock
        self.offline_floor = offline_floor
        # Numbers from the offline floor up are the kiosks' own: never issued here.
        self.engine = QueueEngine(settings, clock, number_limit=offline_floor)
        self.zone = self.engine.zone
        self.db = database_at(location)
        upgrade(self.db, *HALL_SERVER_PARTS)

    @contextmanager
    def refusals(self) -> Iterator[None]:
        try:
            yield
        except QueueError as error:
            raise refusal(error) from None

    def now(self) -> datetime:
        return self.clock.now()

    def business_day(self, now: datetime | None = None) -> date:
        return self.engine.business_day(now)

    def queue(self, code: str) -> QueueSection:
        with self.refusals():
            return self.engine.queue(code)

    def close(self) -> None:
        self.db.close()
