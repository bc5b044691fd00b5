"""The one interface between the queue's rules and a database.

The engine writes standard SQL with `?` placeholders (the DB-API "qmark" style)
and hands it to a `Transaction`; a database that wants another placeholder style
rewrites it on its side. Timestamps are ISO 8601 text and days ISO dates; the one
piece of arithmetic on them that has no standard form (minutes between two time
stamps) is asked of the transaction, in its dialect.

`kiosk.sqlite.SqliteDatabase` and `kiosk.postgres.PostgresDatabase` implement it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

Value = str | int | float | None
Row = tuple[Any, ...]


class DatabaseError(Exception):
    """The database failed a statement or a commit; the transaction was rolled back."""


class Transaction(Protocol):
    """Statements inside one transaction (or one consistent read)."""

    def execute(self, sql: str, parameters: Sequence[Value] = ()) -> int:
        """Run a statement; returns the number of rows it changed."""
        ...

    def one(self, sql: str, parameters: Sequence[Value] = ()) -> Row | None:
        """The first row of a query, None when it has none."""
        ...

    def all(self, sql: str, parameters: Sequence[Value] = ()) -> list[Row]:
        """Every row of a query."""
        ...

    def minutes_between(self, start: str, end: str) -> str:
        """An SQL expression: the minutes (a float) from the time stamp in column
        `start` to the one in column `end`."""
        ...


class SchemaTransaction(Transaction, Protocol):
    """A write transaction that may also change the tables (kiosk.queue.migrations)."""

    def script(self, ddl: str) -> None:
        """Schema statements written in SQLite's words, separated by `;` (none inside
        a statement); the database runs them in its dialect."""
        ...

    def has_column(self, table: str, column: str) -> bool:
        """Whether `table` has `column` (for recognising databases made before
        schema versions were recorded)."""
        ...


class Cursor(Protocol):
    """The part of a DB-API cursor a transaction reads its answers from."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Sequence[Any]: ...


class CursorTransaction(ABC):
    """A `Transaction` over a DB-API connection: a database supplies `cursor` (its
    placeholders, its errors as DatabaseError) and `minutes_between`."""

    @abstractmethod
    def cursor(self, sql: str, parameters: Sequence[Value]) -> Cursor: ...

    @abstractmethod
    def minutes_between(self, start: str, end: str) -> str: ...

    @abstractmethod
    def has_column(self, table: str, column: str) -> bool: ...

    def ddl(self, statements: str) -> str:
        """Schema statements in this database's dialect (SQLite's words by default)."""
        return statements

    def script(self, ddl: str) -> None:
        for statement in self.ddl(ddl).split(";"):
            if statement.strip():
                self.cursor(statement, ())

    def execute(self, sql: str, parameters: Sequence[Value] = ()) -> int:
        return self.cursor(sql, parameters).rowcount

    def one(self, sql: str, parameters: Sequence[Value] = ()) -> Row | None:
        row = self.cursor(sql, parameters).fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, parameters: Sequence[Value] = ()) -> list[Row]:
        return [tuple(row) for row in self.cursor(sql, parameters).fetchall()]


class Database(Protocol):
    """Where the queue lives. Writers are serialised: numbering needs it."""

    def transaction(self) -> AbstractContextManager[Transaction]:
        """A write transaction: committed when the block ends, rolled back when it
        raises. Raises DatabaseError."""
        ...

    def read(self) -> AbstractContextManager[Transaction]:
        """Consistent reads, no writes. Raises DatabaseError."""
        ...

    def close(self) -> None: ...


class SchemaDatabase(Database, Protocol):
    """A database whose tables the migrations create and change."""

    def transaction(self) -> AbstractContextManager[SchemaTransaction]: ...

    def read(self) -> AbstractContextManager[SchemaTransaction]: ...
