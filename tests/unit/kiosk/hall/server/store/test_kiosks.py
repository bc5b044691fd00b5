"""Offline ranges are per hall (issue 14, many halls; issue 15, finding 4), on SQLite
and PostgreSQL: each hall of a server has its own five ranges from 900 up, a number a
kiosk printed offline is checked against the range of its own hall, and a database
whose ranges were server-wide gives each range to the hall of its kiosk's token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.store import HallStore, Location
from kiosk.hall.server.store.base import database_at
from kiosk.hall.server.store.kiosks import KIOSKS_MIGRATIONS
from kiosk.queue import upgrade
from tests.helpers.fakes import make_settings

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


@pytest.fixture
def store(database_location: Location, tmp_path: Path) -> Iterator[HallStore]:
    made = HallStore(database_location, make_settings(tmp_path), FakeClock(MORNING))
    yield made
    made.close()


def offline_ticket(number: str) -> list[dict[str, Any]]:
    ticket_id = uuid.uuid4().hex
    at = MORNING.isoformat()
    payload = {"queue": "green", "number": number, "business_day": "2026-11-23"}
    return [
        {"idempotency_key": uuid.uuid4().hex, "kind": kind, "at": at, "ticket_id": ticket_id,
         "payload": payload if kind == "ticket.reserved" else {}}
        for kind in ("ticket.reserved", "ticket.printed")
    ]  # fmt: skip


def test_each_hall_has_its_own_five_ranges(store: HallStore) -> None:
    east = store.for_hall("east", store.settings)
    main_ranges = [store.own_offline_range(f"K0{n}") for n in range(1, 7)]
    east_ranges = [east.own_offline_range(f"E0{n}") for n in range(1, 7)]
    expected = [(900, 919), (920, 939), (940, 959), (960, 979), (980, 999), None]
    assert main_ranges == expected  # a server-wide pool would leave east nothing
    assert east_ranges == expected
    assert store.own_offline_range("K01") == (900, 919)  # kept


def test_an_offline_number_is_checked_against_the_range_in_the_kiosks_hall(
    store: HallStore,
) -> None:
    east = store.for_hall("east", store.settings)
    assert store.own_offline_range("K01") == (900, 919)
    assert east.own_offline_range("E01") == (900, 919)
    results, _ = east.add_records("E01", offline_ticket("G900"))
    assert [status for _, status, _ in results] == ["accepted", "accepted"]
    mine, _ = store.add_records("K01", offline_ticket("G900"))  # the same number, main
    assert [status for _, status, _ in mine] == ["accepted", "accepted"]
    refused, _ = east.add_records("E02", offline_ticket("G905"))  # E01's in east
    assert refused[0][1] == "rejected"
    assert "outside E02's offline range (920-939)" in refused[0][2]
    waiting = {f.queue.code: f.waiting for f in east.queue_figures()}
    assert waiting["green"] == 1  # E01's G900 only
    assert {f.queue.code: f.waiting for f in store.queue_figures()}["green"] == 1


def test_a_kiosk_moved_to_another_hall_leaves_its_range_in_the_old_one(
    store: HallStore,
) -> None:
    east = store.for_hall("east", store.settings)
    assert store.own_offline_range("K01") == (900, 919)
    assert east.own_offline_range("K01") == (900, 919)  # its token now names east
    assert store.own_offline_range("EAST-1") == (900, 919)  # K01's old range is free


def test_ranges_assigned_before_halls_go_to_the_hall_of_their_token(
    database_location: Location, tmp_path: Path
) -> None:
    database = database_at(database_location)
    first = replace(KIOSKS_MIGRATIONS, steps=KIOSKS_MIGRATIONS.steps[:1])
    store = HallStore(database_location, make_settings(tmp_path), FakeClock(MORNING))
    store.create_token("E01", "kiosk", "east", (), None)
    with database.transaction() as tx:  # as step 1 left them: no hall column
        tx.execute("DROP TABLE offline_ranges")
        tx.execute("DELETE FROM schema_version WHERE part = 'kiosks'")
    upgrade(database, first)
    with database.transaction() as tx:
        for client_id, start in (("K01", 900), ("E01", 920)):
            tx.execute(
                "INSERT INTO offline_ranges (client_id, first, last, assigned_at)"
                " VALUES (?, ?, ?, ?)",
                (client_id, start, start + 19, MORNING.isoformat()),
            )
    (change,) = upgrade(database, KIOSKS_MIGRATIONS)
    assert (change.before, change.after) == (1, 2)
    with database.read() as tx:
        rows = tx.all("SELECT client_id, hall, first FROM offline_ranges ORDER BY client_id")
    assert rows == [("E01", "east", 920), ("K01", "main", 900)]
    east = store.for_hall("east", store.settings)
    assert east.own_offline_range("E01") == (920, 939)
    assert east.own_offline_range("E02") == (900, 919)
    store.close()
    database.close()
