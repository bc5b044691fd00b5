"""SqliteDatabase, the queue's storage on one SQLite file: a transaction commits as a
whole or not at all, and the database's failures are DatabaseError."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.queue.storage import DatabaseError
from kiosk.sqlite import SqliteDatabase

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"


@pytest.fixture
def database(tmp_path: Path) -> SqliteDatabase:
    return SqliteDatabase(tmp_path / "notes.sqlite3", SCHEMA)


def count(database: SqliteDatabase) -> int:
    with database.read() as tx:
        row = tx.one("SELECT COUNT(*) FROM notes")
    assert row is not None
    return int(row[0])


def test_a_transaction_commits_and_says_how_many_rows_it_changed(
    database: SqliteDatabase, tmp_path: Path
) -> None:
    with database.transaction() as tx:
        assert tx.execute("INSERT INTO notes (text) VALUES (?)", ("one",)) == 1
        tx.execute("INSERT INTO notes (text) VALUES (?)", ("two",))
        assert tx.execute("UPDATE notes SET text = ?", ("both",)) == 2
    database.close()
    reopened = SqliteDatabase(tmp_path / "notes.sqlite3", SCHEMA)
    with reopened.read() as tx:
        assert tx.all("SELECT text FROM notes ORDER BY id") == [("both",), ("both",)]
        assert tx.one("SELECT text FROM notes WHERE id = ?", (9,)) is None
    reopened.close()


def test_a_transaction_that_raises_leaves_nothing_behind(database: SqliteDatabase) -> None:
    def change_of_mind() -> None:
        with database.transaction() as tx:
            tx.execute("INSERT INTO notes (text) VALUES (?)", ("lost",))
            raise RuntimeError("the caller changed its mind")

    with pytest.raises(RuntimeError):
        change_of_mind()
    assert count(database) == 0
    database.close()


def test_a_failing_statement_is_a_database_error_and_rolls_back(
    database: SqliteDatabase,
) -> None:
    def half_a_change() -> None:
        with database.transaction() as tx:
            tx.execute("INSERT INTO notes (text) VALUES (?)", ("kept?",))
            tx.execute("INSERT INTO notes (text) VALUES (?)", (None,))

    with pytest.raises(DatabaseError, match="NOT NULL"):
        half_a_change()
    assert count(database) == 0
    with database.transaction() as tx:  # usable again
        tx.execute("INSERT INTO notes (text) VALUES (?)", ("kept",))
    assert count(database) == 1
    database.close()
    with pytest.raises(DatabaseError), database.read() as tx:
        tx.one("SELECT 1")


def test_every_commit_is_synced_but_one_said_not_durable_and_reads_see_one_snapshot(
    database: SqliteDatabase, tmp_path: Path
) -> None:
    with database.transaction(durable=False) as tx:
        tx.execute("INSERT INTO notes (text) VALUES (?)", ("an event",))
    with database.read() as tx:
        assert tx.one("PRAGMA synchronous") == (2,)  # FULL again after it
        first = tx.one("SELECT COUNT(*) FROM notes")
        other = SqliteDatabase(tmp_path / "notes.sqlite3", SCHEMA)  # another worker
        with other.transaction() as writer:
            writer.execute("INSERT INTO notes (text) VALUES (?)", ("meanwhile",))
        assert tx.one("SELECT COUNT(*) FROM notes") == first == (1,)
    assert count(database) == 2
    other.close()
    database.close()
