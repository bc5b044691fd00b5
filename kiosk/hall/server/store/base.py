"""What every part of the hall server's store shares: the database, the queue
engine, the clock, and the refusals as HTTP statuses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Self

from kiosk.clock import Clock
from kiosk.hall.api import DEFAULT_OFFLINE_FLOOR
from kiosk.hall.server.dashboard.schema import DASHBOARD_MIGRATIONS
from kiosk.hall.server.store.device_schema import typed_device_health
from kiosk.hall.server.store.evaluation_schema import EVALUATION_MIGRATIONS
from kiosk.hall.server.store.kiosks import KIOSKS_MIGRATIONS
from kiosk.queue import (
    DEFAULT_HALL,
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


# Step 2: a token has a role, a hall, the windows it may act for ("1-13,15"; none:
# ""), and may expire. Tokens are found by their hash (an index, not a scan), and
# token_generation counts every change to the tokens: each server process polls it
# to drop its cached tokens after a revocation by another process (the command line).
TOKEN_ROLES_STEP = """
ALTER TABLE tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'kiosk';
ALTER TABLE tokens ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
ALTER TABLE tokens ADD COLUMN windows TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
CREATE INDEX IF NOT EXISTS tokens_by_hash ON tokens (token_hash);
CREATE TABLE IF NOT EXISTS token_generation (
    id INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL
);
INSERT INTO token_generation (id, generation) VALUES (1, 0)
"""

# Step 3: a record belongs to the hall of the kiosk that sent it (the dashboard of a
# hall reads its own); records from before go to their client's token's hall.
RECORDS_HALL_STEP = """
ALTER TABLE records ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
UPDATE records SET hall = (
    SELECT tokens.hall FROM tokens WHERE tokens.client_id = records.client_id
) WHERE client_id IN (SELECT client_id FROM tokens);
CREATE INDEX IF NOT EXISTS records_by_hall_kind_at ON records (hall, kind, at)
"""

# Step 4: each kiosk's latest heartbeat and device events in typed tables, not JSON
# text (store/device_schema.py: the rows there move over).
SERVER_MIGRATIONS = Migrations(
    "hall_server",
    (SERVER_SCHEMA, TOKEN_ROLES_STEP, RECORDS_HALL_STEP, typed_device_health),
    found_by=("tokens", "client_id"),
)

# The events a server's worker processes share (kiosk/hall/server/event_bus.py): each
# worker reads the new rows once and fans them out to its own streams. The publisher
# gives the id (wall-clock milliseconds, or one more than the last), so ids keep
# increasing across restarts; BIGINT: PostgreSQL's INTEGER is too small for them.
EVENTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS hall_events (
    id BIGINT PRIMARY KEY,
    payload TEXT NOT NULL
);
"""
EVENTS_MIGRATIONS = Migrations("hall_events", (EVENTS_SCHEMA,), found_by=("hall_events", "id"))

# Every part of a hall server's database, in the order they are upgraded.
HALL_SERVER_PARTS = (
    QUEUE_MIGRATIONS,
    SERVER_MIGRATIONS,
    EVALUATION_MIGRATIONS,
    EVENTS_MIGRATIONS,
    DASHBOARD_MIGRATIONS,
    KIOSKS_MIGRATIONS,
)


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
    everything it answered as committed.

    A store serves one hall (`hall`, with that hall's settings); `for_hall` gives the
    store of another hall on the same database."""

    def __init__(
        self,
        location: Location,
        settings: Settings,
        clock: Clock,
        offline_floor: int = DEFAULT_OFFLINE_FLOOR,
        *,
        hall: str = DEFAULT_HALL,
        database: SchemaDatabase | None = None,
    ) -> None:
        self.location = location
        self.settings = settings
        self.clock = clock
        self.offline_floor = offline_floor
        self.hall = hall
        # Numbers from the offline floor up are the kiosks' own: never issued here.
        self.engine = QueueEngine(settings, clock, number_limit=offline_floor, hall=hall)
        self.zone = self.engine.zone
        self._owns_database = database is None
        if database is None:
            database = database_at(location)
            upgrade(database, *HALL_SERVER_PARTS)
        self.db = database
        # Called after a token is created or revoked here (the server's token cache).
        self.tokens_changed: list[Callable[[], None]] = []

    def for_hall(self, hall: str, settings: Settings) -> Self:
        """The store of `hall` on this store's database (closing it leaves the
        database open); it tells the same listeners of token changes."""
        other = type(self)(
            self.location, settings, self.clock, self.offline_floor, hall=hall, database=self.db
        )
        other.tokens_changed = self.tokens_changed
        return other

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
        if self._owns_database:
            self.db.close()
