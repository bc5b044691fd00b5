"""A hall server's database from before schema versions, as the server's first schema
made it (commit 02bea07) and as the last one before versions did (605fcd2), on SQLite
and PostgreSQL: recognised, brought up to date without losing a row, and its
numbering continues; its kiosks' latest heartbeats are kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.store import HallStore, Location
from kiosk.hall.server.store.base import (
    HALL_SERVER_PARTS,
    database_versions,
    upgrade_database,
)
from kiosk.queue import Change
from tests.helpers.fakes import make_settings
from tests.helpers.migrating import OLD_SERVER_SCHEMAS, make_old_server_database

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


@pytest.mark.parametrize("commit", sorted(OLD_SERVER_SCHEMAS))
def test_a_database_from_before_versions_is_upgraded_without_losing_a_row(
    database_location: Location, tmp_path: Path, commit: str
) -> None:
    make_old_server_database(database_location, commit)
    assert database_versions(database_location) == {part.part: 0 for part in HALL_SERVER_PARTS}
    # The old database had the first two parts; the later ones are created.
    assert upgrade_database(database_location) == [
        Change(part.part, 0, part.latest, existed=index < 2)
        for index, part in enumerate(HALL_SERVER_PARTS)
    ]
    assert database_versions(database_location) == {
        part.part: part.latest for part in HALL_SERVER_PARTS
    }
    store = HallStore(database_location, make_settings(tmp_path), FakeClock(MORNING))
    finished, waiting = store.ticket("t-1"), store.ticket("t-2")
    assert finished is not None
    assert (finished.number, finished.window, finished.hall) == ("G001", 1, "main")
    assert waiting is not None
    assert (waiting.number, waiting.status) == ("G002", "waiting")
    answer, new = store.reserve("K01", "k3", "green", ["M0201"])
    assert (answer["number"], answer["people_ahead"], new) == ("G003", 1, True)
    assert store.reserve("K01", "k2", "green", [])[0] == {"number": "G002"}  # kept answer
    records, total = store.records(None, None, 10, 0)
    assert total == 1
    assert records[0]["ticket_id"] == "t-2"
    assert store.tokens() == [("K01", "2026-11-22T08:00:00+00:00")]
    ((kept, _),) = store.principals()  # a kiosk of hall main, granted no window
    assert (kept.role, kept.hall, kept.windows, kept.expires_at) == ("kiosk", "main", set(), None)
    assert store.devices() == [  # the latest heartbeat, now in the typed tables
        {
            "client_id": "K01",
            "at": "2026-11-23T01:20:00+00:00",
            "received_at": "2026-11-23T01:20:01+00:00",
            "payload": {
                "kiosk": "K01",
                "printer": "paper_near_end",
                "printer_severity": "warning",
                "pending": 2,
                "keypads_online": {"1": True},
            },
        }
    ]
    east = store.for_hall("east", store.settings)  # another hall numbers green afresh
    assert east.reserve("E01", "k1", "green", [])[0]["number"] == "G001"
    assert east.ticket("t-2") is None
    with store.db.read() as tx:
        assert tx.all("SELECT first, last FROM leases") == [(900, 909)]
        assert tx.all("SELECT COUNT(*) FROM device_states") == [(0,)]  # typed (step 4)
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
