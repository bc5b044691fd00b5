"""The embedded hall: the queue engine (tests/unit/kiosk/queue) as a HallBackend, on
one SQLite file. Window actions and their events: test_windows.py."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.base import HallError, HallEvent, HallEventKind, TicketChannel
from kiosk.hall.local import LocalHall
from kiosk.queue import QUEUE_MIGRATIONS, SCHEMA, versions
from kiosk.sqlite import SqliteDatabase
from tests.helpers.fakes import make_settings

# 2026-11-23 09:00 in Shanghai is 01:00 UTC.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

# The embedded hall's file before the queue engine: no `offline` column.
SCHEMA_BEFORE = """
CREATE TABLE counters (business_day TEXT NOT NULL, queue TEXT NOT NULL,
    last INTEGER NOT NULL, PRIMARY KEY (business_day, queue));
CREATE TABLE tickets (ticket_id TEXT PRIMARY KEY, business_day TEXT NOT NULL,
    queue TEXT NOT NULL, seq INTEGER NOT NULL, number TEXT NOT NULL, status TEXT NOT NULL,
    channel TEXT, matters TEXT NOT NULL, kiosk_id TEXT NOT NULL, issued_at TEXT NOT NULL,
    called_at TEXT, finished_at TEXT, window INTEGER, UNIQUE (business_day, queue, seq));
CREATE TABLE windows (window INTEGER PRIMARY KEY, paused INTEGER NOT NULL DEFAULT 0,
    changed_at TEXT);
INSERT INTO counters VALUES ('2026-11-23', 'green', 7);
INSERT INTO tickets VALUES ('t-7', '2026-11-23', 'green', 7, 'G007', 'waiting', 'printed',
    '[]', 'K01', '2026-11-23T00:58:00+00:00', NULL, NULL, NULL);
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


def open_hall(tmp_path: Path, clock: FakeClock) -> LocalHall:
    return LocalHall(tmp_path / "hall.sqlite3", make_settings(tmp_path), clock)


def test_a_reservation_has_its_number_day_and_the_people_ahead(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    first = hall.reserve("green", ["M0201"], "K01")
    hall.commit(first.ticket_id, TicketChannel.PRINTED)
    second = hall.reserve("green", [], "K01")
    hall.void(second.ticket_id, "paper end")
    third = hall.reserve("green", [], "K01")
    assert [r.number for r in (first, second, third)] == ["G001", "G002", "G003"]
    assert (first.business_day, first.issued_at, first.queue_code) == (
        date(2026, 11, 23),
        MORNING,
        "green",
    )
    assert (first.people_ahead, second.people_ahead, third.people_ahead) == (0, 1, 1)
    assert third.estimated_wait_minutes == 4  # one ahead, 4 minutes, one window
    assert [hall.ticket_status(r.ticket_id) for r in (first, second, third)] == [
        "waiting",
        "void",
        "reserved",
    ]
    assert hall.ticket_status("never") is None
    assert hall.unconfirmed("K01") == [third.ticket_id]
    hall.close()


def test_commit_and_void_refuse_a_ticket_in_the_wrong_state(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    ticket = hall.reserve("green", [], "K01")
    hall.void(ticket.ticket_id, "test")
    with pytest.raises(HallError, match="is not reserved"):
        hall.commit(ticket.ticket_id, TicketChannel.PRINTED)
    with pytest.raises(HallError, match="is not reserved or waiting"):
        hall.void(ticket.ticket_id, "again")
    with pytest.raises(HallError, match="no queue has the code 'nowhere'"):
        hall.reserve("nowhere", [], "K01")
    hall.close()


def test_a_queue_that_issued_999_numbers_says_so(tmp_path: Path, clock: FakeClock) -> None:
    hall = open_hall(tmp_path, clock)
    beside = SqliteDatabase(tmp_path / "hall.sqlite3", SCHEMA)
    with beside.transaction() as tx:  # the 999th number of the day was issued
        tx.execute(
            "INSERT INTO counters (business_day, queue, last) VALUES (?, 'green', 999)",
            ("2026-11-23",),
        )
    beside.close()
    with pytest.raises(HallError, match="queue green has issued all 999 numbers of today"):
        hall.reserve("green", [], "K01")
    hall.close()


def test_queue_states_count_todays_numbers_for_the_quotas_voided_aside(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    kept = [hall.reserve("green", ["M0201"], kiosk) for kiosk in ("K01", "K02", "K01")]
    hall.commit(kept[0].ticket_id, TicketChannel.PRINTED)
    hall.void(kept[1].ticket_id, "printer jammed")
    states = hall.queue_states()
    assert (states["green"].waiting, states["green"].windows) == (2, (1,))
    assert states["green"].issued_today == 2  # committed and reserved; the voided one aside
    assert states["comprehensive"].issued_today == 0
    clock.advance(24 * 3600)
    assert hall.queue_states()["green"].issued_today == 0  # a new day
    hall.close()


def test_calling_and_finishing_one_ticket_publish_their_events(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    events: list[HallEvent] = []
    hall.subscribe(events.append)
    ticket = hall.reserve("comprehensive", [], "K01")
    hall.commit(ticket.ticket_id, TicketChannel.PRINTED)
    assert hall.call_next("comprehensive", 4) == ticket.ticket_id
    assert hall.call_next("comprehensive", 4) is None  # nobody else waits
    clock.advance(30 * 60)
    hall.finish(ticket.ticket_id)
    with pytest.raises(HallError, match="is not called"):
        hall.finish(ticket.ticket_id)
    assert [(e.kind, e.window, e.number) for e in events] == [
        (HallEventKind.CALLED, 4, "A001"),
        (HallEventKind.FINISHED, 4, "A001"),
    ]
    hall.close()


def test_a_hall_file_from_before_the_queue_engine_keeps_its_numbering(
    tmp_path: Path, clock: FakeClock
) -> None:
    before = sqlite3.connect(tmp_path / "hall.sqlite3")
    before.executescript(SCHEMA_BEFORE)
    before.close()
    hall = open_hall(tmp_path, clock)
    ticket = hall.reserve("green", ["M0201"], "K01")
    assert ticket.number == "G008"
    assert (ticket.people_ahead, hall.ticket_status("t-7")) == (1, "waiting")
    hall.commit(ticket.ticket_id, TicketChannel.PRINTED)
    hall.pause_window(1)
    assert hall.window_states()[1].paused
    assert hall.call_next_at(1) is None  # paused
    hall.close()
    upgraded = SqliteDatabase(tmp_path / "hall.sqlite3")
    assert versions(upgraded, QUEUE_MIGRATIONS) == {"queue": QUEUE_MIGRATIONS.latest}
    with upgraded.read() as tx:
        assert tx.all("SELECT number, offline FROM tickets ORDER BY seq") == [
            ("G007", 0),
            ("G008", 0),
        ]
    upgraded.close()


def test_a_database_that_fails_is_a_hall_error(tmp_path: Path, clock: FakeClock) -> None:
    hall = open_hall(tmp_path, clock)
    hall.close()
    with pytest.raises(HallError, match="the hall database failed"):
        hall.queue_states()
