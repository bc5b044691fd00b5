"""A hall server process that upgrades a database as it starts (spawned by tests:
the function must be importable by its module name)."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

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
