"""Opening SQLite files the way the kiosk needs them: durable and with clear errors.

`SqliteDatabase` is the queue's storage (`kiosk.queue.storage.Database`) on one
SQLite file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path

from kiosk.queue.storage import CursorTransaction, DatabaseError, Value


class StorageError(Exception):
    """A database file that cannot be used; the message names the file and why."""


def _create_private(path: Path) -> None:
    """A new database file is the owner's alone (it holds visits and tokens); SQLite
    gives its -wal and -shm files the main file's mode. An existing file keeps its own."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def open_database(path: Path, schema: str) -> sqlite3.Connection:
    """WAL with synchronous writes: after a power cut nothing committed is lost."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"cannot create the data directory {path.parent}: {error.strerror or error}"
        ) from None
    try:
        _create_private(path)
    except OSError as error:
        raise StorageError(f"cannot use {path}: {error.strerror or error}") from None
    try:
        connection = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=5.0
        )
    except sqlite3.Error as error:
        raise StorageError(f"cannot open {path}: {error}") from None
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        # FULL, on purpose: every COMMIT is fsynced before it returns, so an answer
        # sent (a number a taxpayer holds on paper) survives a power cut, not only a
        # kill -9 (which NORMAL would survive too). It costs one fsync a write,
        # 0.1-0.3 ms on the halls' SSDs: far below the server's own work per ticket.
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.executescript(schema)
    except sqlite3.Error as error:
        connection.close()
        reason = (
            "the directory is not writable"
            if "readonly" in str(error) or ("unable to open" in str(error))
            else str(error)
        )
        raise StorageError(f"cannot use {path}: {reason}") from None
    return connection


class _SqliteTransaction(CursorTransaction):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def cursor(self, sql: str, parameters: Sequence[Value]) -> sqlite3.Cursor:
        try:
            return self._connection.execute(sql, tuple(parameters))
        except sqlite3.Error as error:
            raise DatabaseError(str(error)) from None

    def minutes_between(self, start: str, end: str) -> str:
        return f"(julianday({end}) - julianday({start})) * 1440.0"

    def has_column(self, table: str, column: str) -> bool:
        found = self.one("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", (table, column))
        return found is not None


class SqliteDatabase:
    """One connection behind one lock; every write is one durable transaction taken
    with BEGIN IMMEDIATE, so two writers never interleave (WAL, synchronous=FULL).
    The `?` placeholders of the engine are SQLite's own. `schemas` are created when
    missing; versioned tables come from kiosk.queue.migrations instead."""

    def __init__(self, path: Path, *schemas: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection = open_database(path, "\n".join(schemas))

    def _rollback(self) -> None:
        with suppress(sqlite3.ProgrammingError):  # a closed connection has nothing to undo
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")

    @contextmanager
    def _block(self, begin: str, durable: bool = True) -> Iterator[CursorTransaction]:
        with self._lock:
            if not durable:
                self._connection.execute("PRAGMA synchronous=NORMAL")
            try:
                self._connection.execute(begin)
                yield _SqliteTransaction(self._connection)
                self._connection.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise DatabaseError(str(error)) from None
            except BaseException:
                self._rollback()
                raise
            finally:
                if not durable:
                    with suppress(sqlite3.Error):
                        self._connection.execute("PRAGMA synchronous=FULL")

    def transaction(self, durable: bool = True) -> AbstractContextManager[CursorTransaction]:
        """`durable=False`: committed without its own fsync, for what a power cut may
        lose (the events streams show); the WAL is sequential, so the next durable
        commit makes it durable too, and a kill -9 loses it no more than any other."""
        return self._block("BEGIN IMMEDIATE", durable)

    def read(self) -> AbstractContextManager[CursorTransaction]:
        # The lock keeps this process's writes out; the (deferred) transaction gives
        # every statement of the block one snapshot while other processes (the
        # server's workers) write to the same file.
        return self._block("BEGIN")

    def close(self) -> None:
        with self._lock:
            self._connection.close()
