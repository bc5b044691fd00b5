"""A hall server's database from before schema versions (commit 605fcd2), on SQLite
and PostgreSQL: recognised, brought up to date without losing a row, and its
numbering continues."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.hall.server.store import HallStore, Location
from kiosk.hall.server.store.base import database_versions, upgrade_database
from kiosk.queue import Change
from tests.helpers.fakes import make_settings
from tests.helpers.migrating import make_605fcd2_server_database

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def test_a_605fcd2_database_is_upgraded_without_losing_a_row(
    database_location: Location, tmp_path: Path
) -> None:
    make_605fcd2_server_database(database_location)
    assert database_versions(database_location) == {"queue": 0, "hall_server": 0, "dashboard": 0}
    assert upgrade_database(database_location) == [
        Change("queue", 0, 1),
        Change("hall_server", 0, 1),
        Change("dashboard", 0, 2, existed=False),  # new: created, not upgraded
    ]
    assert database_versions(database_location) == {"queue": 1, "hall_server": 1, "dashboard": 2}
    store = HallStore(database_location, make_settings(tmp_path), FakeClock(MORNING))
    finished, waiting = store.ticket("t-1"), store.ticket("t-2")
    assert finished is not None
    assert (finished.number, finished.window) == ("G001", 1)
    assert waiting is not None
    assert (waiting.number, waiting.status) == ("G002", "waiting")
    answer, new = store.reserve("K01", "k3", "green", ["M0201"])
    assert (answer["number"], answer["people_ahead"], new) == ("G003", 1, True)
    assert store.reserve("K01", "k2", "green", [])[0] == {"number": "G002"}  # kept answer
    records, total = store.records(None, None, 10, 0)
    assert total == 1
    assert records[0]["ticket_id"] == "t-2"
    assert store.tokens() == [("K01", "2026-11-22T08:00:00+00:00")]
    with store.db.read() as tx:
        assert tx.all("SELECT first, last FROM leases") == [(900, 909)]
    with store.db.transaction() as tx:  # the records' own numbering continues too
        tx.execute(
            "INSERT INTO records (client_id, idempotency_key, kind, at, payload, received_at)"
            " VALUES ('K01', 'r2', 'device.state', ?, '{}', ?)",
            (MORNING.isoformat(), MORNING.isoformat()),
        )
    with store.db.read() as tx:
        assert tx.all("SELECT id, idempotency_key FROM records ORDER BY id") == [
            (1, "r1"),
            (2, "r2"),
        ]
    store.close()
