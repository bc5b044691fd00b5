"""Schema migrations in tests: a hall server process that upgrades a database as it
starts (spawned: the function must be importable by its module name), and a hall
server's database as it was before schema versions."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from kiosk.queue import Migrations

START_SECONDS = 30.0

# Steps that fail or leave a trace when applied twice: a table created without IF
# NOT EXISTS, and a row inserted.
COUNTED = Migrations(
    "counted",
    (
        "CREATE TABLE applied (step INTEGER NOT NULL)",
        "INSERT INTO applied (step) VALUES (2)",
    ),
    found_by=("applied", "step"),
)


def upgrade_at_start(url: str, start: Barrier, done: Queue[str]) -> None:
    """Opens the database, waits for the other process, upgrades; puts "ok" or why not."""
    from kiosk.postgres import PostgresDatabase
    from kiosk.queue import upgrade

    try:
        database = PostgresDatabase(url)
        start.wait(START_SECONDS)
        upgrade(database, COUNTED)
        database.close()
    except Exception as error:
        done.put(f"{type(error).__name__}: {error}")
        raise
    done.put("ok")


# A hall server's database as commit 605fcd2 made it (before schema versions),
# with a few rows: "window" quoted, as PostgreSQL needs (SQLite reads it alike).
SERVER_605FCD2 = """
CREATE TABLE IF NOT EXISTS counters (
    business_day TEXT NOT NULL, queue TEXT NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (business_day, queue));
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id TEXT PRIMARY KEY, business_day TEXT NOT NULL, queue TEXT NOT NULL,
    seq INTEGER NOT NULL, number TEXT NOT NULL, status TEXT NOT NULL, channel TEXT,
    matters TEXT NOT NULL, kiosk_id TEXT NOT NULL, offline INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL, called_at TEXT, finished_at TEXT, "window" INTEGER,
    UNIQUE (business_day, queue, seq));
CREATE INDEX IF NOT EXISTS tickets_by_queue ON tickets (business_day, queue, status, seq);
CREATE TABLE IF NOT EXISTS leases (
    client_id TEXT NOT NULL, business_day TEXT NOT NULL, queue TEXT NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS leases_by_client ON leases (client_id, business_day, queue);
CREATE TABLE IF NOT EXISTS answers (
    client_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, answer TEXT NOT NULL,
    PRIMARY KEY (client_id, idempotency_key));
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, ticket_id TEXT,
    payload TEXT NOT NULL, received_at TEXT NOT NULL, UNIQUE (client_id, idempotency_key));
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind);
CREATE TABLE IF NOT EXISTS devices (
    client_id TEXT PRIMARY KEY, at TEXT NOT NULL, received_at TEXT NOT NULL,
    payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS device_events (
    client_id TEXT NOT NULL, device TEXT NOT NULL, at TEXT NOT NULL,
    received_at TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (client_id, device));
CREATE TABLE IF NOT EXISTS tokens (
    client_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS windows (
    "window" INTEGER PRIMARY KEY, paused INTEGER NOT NULL DEFAULT 0);
INSERT INTO counters VALUES ('2026-11-23', 'green', 2);
INSERT INTO tickets VALUES ('t-1', '2026-11-23', 'green', 1, 'G001', 'finished', 'printed',
    '["M0201"]', 'K01', 0, '2026-11-23T01:00:00+00:00', '2026-11-23T01:05:00+00:00',
    '2026-11-23T01:09:00+00:00', 1);
INSERT INTO tickets VALUES ('t-2', '2026-11-23', 'green', 2, 'G002', 'waiting', 'printed',
    '[]', 'K01', 0, '2026-11-23T01:02:00+00:00', NULL, NULL, NULL);
INSERT INTO leases VALUES ('K01', '2026-11-23', 'green', 900, 909);
INSERT INTO answers VALUES ('K01', 'reserve:k2', '{"number": "G002"}');
INSERT INTO records (client_id, idempotency_key, kind, at, ticket_id, payload, received_at)
    VALUES ('K01', 'r1', 'ticket.printed', '2026-11-23T01:02:00+00:00', 't-2', '{}',
    '2026-11-23T01:02:01+00:00');
INSERT INTO tokens VALUES ('K01', 'not-a-real-hash', '2026-11-22T08:00:00+00:00');
INSERT INTO windows VALUES (1, 0);
INSERT INTO devices VALUES ('K01', '2026-11-23T01:20:00+00:00', '2026-11-23T01:20:01+00:00',
    '{"kiosk": "K01", "printer": "paper_near_end", "printer_severity": "warning",
      "pending": 2, "keypads_online": {"1": true}}')
"""


# The hall server's first schema (commit 02bea07, kiosk/hall/server/store.py): the
# same without device_events, which 8f48e76 added.
DEVICE_EVENTS = """CREATE TABLE IF NOT EXISTS device_events (
    client_id TEXT NOT NULL, device TEXT NOT NULL, at TEXT NOT NULL,
    received_at TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (client_id, device));
"""
assert DEVICE_EVENTS in SERVER_605FCD2
SERVER_02BEA07 = SERVER_605FCD2.replace(DEVICE_EVENTS, "")

OLD_SERVER_SCHEMAS = {"02bea07": SERVER_02BEA07, "605fcd2": SERVER_605FCD2}


def make_old_server_database(location: Path | str, commit: str = "605fcd2") -> None:
    """The hall server's database at `location` as `commit` (one of
    OLD_SERVER_SCHEMAS) left it, with a few rows."""
    from kiosk.hall.server.store.base import database_at

    database = database_at(location)
    with database.transaction() as tx:
        tx.script(OLD_SERVER_SCHEMAS[commit])
    database.close()


def make_605fcd2_server_database(location: Path | str) -> None:
    """The hall server's database at `location` as commit 605fcd2 left it."""
    make_old_server_database(location, "605fcd2")
