"""Versioned schemas: each part of a database (the queue, the hall server's own
tables) is an ordered list of SQL steps, and `schema_version` records how many of
them a database has.

    changes = upgrade(database, QUEUE_MIGRATIONS, SERVER_MIGRATIONS)

A small runner of our own rather than Alembic: the steps are raw SQL written once
for SQLite and PostgreSQL (the storage side translates the few dialect words, as it
does for the engine's statements), and the engine never uses an ORM. A step that
moves data the two dialects would read apart (JSON text into typed columns) is a
function of the transaction instead (`Step`), its statements still plain SQL.

Each step is one write transaction, so it runs under the writers' lock (SQLite's
BEGIN IMMEDIATE, PostgreSQL's advisory lock): of two processes starting at once,
the second finds the step recorded and skips it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.queue.storage import DatabaseError, SchemaDatabase, SchemaTransaction

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    part TEXT PRIMARY KEY,
    version INTEGER NOT NULL
)
"""


# One step: SQL statements (`SchemaTransaction.script`), or a function that runs in
# the step's transaction.
Step = str | Callable[[SchemaTransaction], None]


@dataclass(frozen=True)
class Migrations:
    """The steps of one part, step 1 first. `found_by` is a table and a column step 1
    makes: present with no version recorded, the database was made before versions
    were; `adopt` then brings it to what step 1 makes."""

    part: str
    steps: tuple[Step, ...]
    found_by: tuple[str, str]
    adopt: Callable[[SchemaTransaction], None] | None = None

    @property
    def latest(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Change:
    """A part's version before and after an upgrade; `existed`: its tables were there
    before (a database upgraded, not created)."""

    part: str
    before: int
    after: int
    existed: bool = True

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def upgraded(self) -> bool:
        return self.changed and self.existed

    def __str__(self) -> str:
        if not self.changed:
            return f"{self.part} schema version {self.after}"
        return f"{self.part} schema version {self.before} -> {self.after}"


def _version(tx: SchemaTransaction, part: str) -> int:
    row = tx.one("SELECT version FROM schema_version WHERE part = ?", (part,))
    return 0 if row is None else int(row[0])


def versions(database: SchemaDatabase, *parts: Migrations) -> dict[str, int]:
    """The version of each part (0: none recorded), without changing anything."""
    with database.read() as tx:
        recorded = tx.has_column("schema_version", "version")  # none: made before versions
        return {m.part: _version(tx, m.part) if recorded else 0 for m in parts}


def _step(database: SchemaDatabase, migrations: Migrations, version: int) -> bool:
    """Applies one step; True when it found the tables of a database made before
    versions were recorded."""
    found = False
    with database.transaction() as tx:
        tx.script(VERSION_TABLE)
        if _version(tx, migrations.part) >= version:
            return False  # another process applied it while this one waited for the lock
        if version == 1:
            found = tx.has_column(*migrations.found_by)
        step = migrations.steps[version - 1]
        if isinstance(step, str):
            tx.script(step)
        else:
            step(tx)
        if found and migrations.adopt is not None:
            migrations.adopt(tx)
        tx.execute("DELETE FROM schema_version WHERE part = ?", (migrations.part,))
        tx.execute(
            "INSERT INTO schema_version (part, version) VALUES (?, ?)",
            (migrations.part, version),
        )
    return found


def upgrade(database: SchemaDatabase, *parts: Migrations) -> list[Change]:
    """Applies the steps each part lacks, in order; raises DatabaseError."""
    before = versions(database, *parts)
    existed = {part: version > 0 for part, version in before.items()}
    for migrations in parts:
        if before[migrations.part] > migrations.latest:
            raise DatabaseError(
                f"the {migrations.part} schema is version {before[migrations.part]},"
                f" newer than this kiosk's {migrations.latest}: upgrade the kiosk software"
            )
        for version in range(before[migrations.part] + 1, migrations.latest + 1):
            if _step(database, migrations, version):
                existed[migrations.part] = True
    after = versions(database, *parts)
    return [Change(m.part, before[m.part], after[m.part], existed[m.part]) for m in parts]
