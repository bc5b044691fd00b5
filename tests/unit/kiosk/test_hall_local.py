from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.base import HallError, TicketChannel
from kiosk.hall.local import LocalHall
from kiosk.queue import SCHEMA
from kiosk.sqlite import SqliteDatabase
from tests.helpers.fakes import make_settings

# 2026-11-23 09:00 in Shanghai is 01:00 UTC.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


def open_hall(tmp_path: Path, clock: FakeClock) -> LocalHall:
    return LocalHall(tmp_path / "hall.sqlite3", make_settings(tmp_path), clock)


def test_numbers_run_per_queue_with_prefix_and_three_digits(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    numbers = [
        hall.reserve(queue, ["M0201"], "K01").number
        for queue in ("green", "green", "comprehensive", "green")
    ]
    assert numbers == ["G001", "G002", "A001", "G003"]
    hall.close()


def test_numbering_continues_after_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    hall = open_hall(tmp_path, clock)
    hall.reserve("green", ["M0201"], "K01")
    hall.close()
    reopened = open_hall(tmp_path, clock)
    assert reopened.reserve("green", ["M0201"], "K01").number == "G002"
    reopened.close()


def test_numbering_resets_at_local_midnight_not_utc_midnight(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    assert hall.reserve("green", [], "K01").number == "G001"
    clock.advance(14 * 3600 + 59 * 60)  # 23:59 Shanghai, still 2026-11-23 (15:59 UTC)
    assert hall.reserve("green", [], "K01").number == "G002"
    clock.advance(120)  # 00:01 Shanghai on the 24th; still the 23rd in UTC
    ticket = hall.reserve("green", [], "K01")
    assert (ticket.number, ticket.business_day.isoformat()) == ("G001", "2026-11-24")
    hall.close()


def test_people_ahead_counts_waiting_tickets_and_ignores_void_ones(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    first = hall.reserve("green", [], "K01")
    hall.commit(first.ticket_id, TicketChannel.PRINTED)
    second = hall.reserve("green", [], "K01")
    hall.void(second.ticket_id, "paper end")
    third = hall.reserve("green", [], "K01")
    assert (first.people_ahead, second.people_ahead, third.people_ahead) == (0, 1, 1)
    assert hall.queue_states()["green"].waiting == 2
    hall.close()


def test_estimate_uses_the_days_measured_service_times(tmp_path: Path, clock: FakeClock) -> None:
    hall = open_hall(tmp_path, clock)
    settings = make_settings(tmp_path)
    assumed = settings.queue("comprehensive").service_minutes
    windows = len(settings.queue("comprehensive").windows)
    for _ in range(windows * 2):
        hall.commit(hall.reserve("comprehensive", [], "K01").ticket_id, TicketChannel.PRINTED)
    before = hall.queue_states()["comprehensive"]
    assert before.estimated_wait_minutes == round(windows * 2 * assumed / windows)
    served = hall.call_next("comprehensive", 2)
    assert served is not None
    clock.advance(30 * 60)  # one service of 30 minutes
    hall.finish(served)
    after = hall.queue_states()["comprehensive"]
    assert after.waiting == windows * 2 - 1
    assert after.estimated_wait_minutes == -(-(windows * 2 - 1) * 30 // windows)
    hall.close()


def test_commit_and_void_refuse_a_ticket_in_the_wrong_state(
    tmp_path: Path, clock: FakeClock
) -> None:
    hall = open_hall(tmp_path, clock)
    ticket = hall.reserve("green", [], "K01")
    hall.void(ticket.ticket_id, "test")
    with pytest.raises(HallError, match="is not reserved"):
        hall.commit(ticket.ticket_id, TicketChannel.PRINTED)
    with pytest.raises(HallError, match="no queue has the code 'nowhere'"):
        hall.reserve("nowhere", [], "K01")
    hall.close()


def test_a_queue_that_issued_999_numbers_says_so(tmp_path: Path, clock: FakeClock) -> None:
    hall = open_hall(tmp_path, clock)
    beside = SqliteDatabase(tmp_path / "hall.sqlite3", SCHEMA)
    with beside.transaction() as tx:  # the 999th number of the day was issued
        tx.execute("INSERT INTO counters VALUES (?, 'green', 999)", ("2026-11-23",))
    beside.close()
    with pytest.raises(HallError, match="issued all 999 numbers"):
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
    assert states["green"].issued_today == 2  # committed and reserved; the voided one aside
    assert states["comprehensive"].issued_today == 0
    clock.advance(24 * 3600)
    assert hall.queue_states()["green"].issued_today == 0  # a new day
    hall.close()
