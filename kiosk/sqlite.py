"""Opening SQLite files the way the kiosk needs them: durable and with clear errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StorageError(Exception):
    """A database file that cannot be used; the message names the file and why."""


def open_database(path: Path, schema: str) -> sqlite3.Connection:
    """WAL with synchronous writes: after a power cut nothing committed is lost."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"cannot create the data directory {path.parent}: {error.strerror or error}"
        ) from None
    try:
        connection = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=5.0
        )
    except sqlite3.Error as error:
        raise StorageError(f"cannot open {path}: {error}") from None
    try:
        connection.execute("PRAGMA journal_mode=WAL")
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
