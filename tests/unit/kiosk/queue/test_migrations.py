"""Versioned schemas on SQLite and PostgreSQL: steps applied once, in order, and a
database newer than the code refused."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.postgres import PostgresDatabase
from kiosk.queue import (
    QUEUE_MIGRATIONS,
    Change,
    DatabaseError,
    SchemaDatabase,
    upgrade,
    versions,
)
from kiosk.sqlite import SqliteDatabase
from tests.helpers.migrating import COUNTED, upgrade_at_start
from tests.helpers.postgres import PostgresCluster

WAIT = 60.0


def open_database(location: Path | str) -> SchemaDatabase:
    if isinstance(location, Path):
        return SqliteDatabase(location)
    return PostgresDatabase(location)


@pytest.fixture
def database(database_location: Path | str) -> Iterator[SchemaDatabase]:
    opened = open_database(database_location)
    yield opened
    opened.close()


def applied(database: SchemaDatabase) -> list[int]:
    with database.read() as tx:
        return [int(row[0]) for row in tx.all("SELECT step FROM applied")]


def test_a_new_database_gets_every_step_once(database: SchemaDatabase) -> None:
    assert versions(database, QUEUE_MIGRATIONS, COUNTED) == {"queue": 0, "counted": 0}
    assert upgrade(database, QUEUE_MIGRATIONS, COUNTED) == [
        Change("queue", 0, QUEUE_MIGRATIONS.latest, existed=False),
        Change("counted", 0, 2, existed=False),
    ]
    assert upgrade(database, QUEUE_MIGRATIONS, COUNTED) == [
        Change("queue", QUEUE_MIGRATIONS.latest, QUEUE_MIGRATIONS.latest),
        Change("counted", 2, 2),
    ]
    latest = QUEUE_MIGRATIONS.latest
    assert versions(database, QUEUE_MIGRATIONS, COUNTED) == {"queue": latest, "counted": 2}
    assert applied(database) == [2]
    with database.read() as tx:
        assert tx.all("SELECT COUNT(*) FROM tickets") == [(0,)]


def test_a_later_step_runs_on_a_database_at_an_earlier_version(
    database: SchemaDatabase,
) -> None:
    first = replace(COUNTED, steps=COUNTED.steps[:1])
    assert upgrade(database, first) == [Change("counted", 0, 1, existed=False)]
    assert applied(database) == []
    (change,) = upgrade(database, COUNTED)
    assert (str(change), change.upgraded) == ("counted schema version 1 -> 2", True)
    assert applied(database) == [2]


def test_a_step_that_fails_leaves_the_version_where_it_was(database: SchemaDatabase) -> None:
    broken = replace(COUNTED, steps=(*COUNTED.steps, "INSERT INTO nowhere (step) VALUES (3)"))
    with pytest.raises(DatabaseError, match="nowhere"):
        upgrade(database, broken)
    assert versions(database, broken) == {"counted": 2}
    assert applied(database) == [2]


def test_a_database_newer_than_the_code_is_refused(database: SchemaDatabase) -> None:
    upgrade(database, COUNTED)
    older = replace(COUNTED, steps=COUNTED.steps[:1])
    with pytest.raises(DatabaseError, match="counted schema is version 2, newer than"):
        upgrade(database, older)


def test_two_server_processes_starting_together_apply_each_step_once(
    postgres_cluster: PostgresCluster,
) -> None:
    url = postgres_cluster.fresh_url()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    done = context.Queue()
    workers = [context.Process(target=upgrade_at_start, args=(url, start, done)) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [done.get(timeout=WAIT) for _ in workers]
    for worker in workers:
        worker.join(WAIT)
    assert results == ["ok", "ok"]
    assert [worker.exitcode for worker in workers] == [0, 0]
    database = PostgresDatabase(url)
    assert versions(database, COUNTED) == {"counted": 2}
    assert applied(database) == [2]
    database.close()
