from __future__ import annotations

from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.journal import Journal
from kiosk.retention import RetentionKeeper, purge_journal


def test_old_delivered_records_go_and_undelivered_ones_stay(tmp_path: Path) -> None:
    clock = FakeClock()
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    old_delivered = journal.record("ticket.reserved", {"number": "G001"}, "t1")
    old_pending = journal.record("ticket.reserved", {"number": "G002"}, "t2")
    clock.advance(91 * 86400)
    recent = journal.record("ticket.reserved", {"number": "G001"}, "t3")
    journal.mark_delivered([old_delivered, recent])
    result = purge_journal(journal, clock, 90)
    assert result.events == 1
    assert result.kept_undelivered == 1
    assert [event.id for event in journal.events()] == [old_pending, recent]
    assert journal.pending_outbox() == 1
    assert journal.integrity_ok()
    journal.mark_delivered([old_pending])
    assert purge_journal(journal, clock, 90).events == 1
    assert [event.id for event in journal.events()] == [recent]


def test_the_embedded_hall_purges_old_records_it_has_nobody_to_send_to(tmp_path: Path) -> None:
    clock = FakeClock()
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    journal.record("ticket.reserved", {"number": "G001"}, "t1")
    clock.advance(10 * 86400)
    kept = journal.record("ticket.reserved", {"number": "G001"}, "t2")
    assert purge_journal(journal, clock, 7, keep_undelivered=False).events == 1
    assert [event.id for event in journal.events()] == [kept]
    assert journal.pending_outbox() == 1


def test_the_keeper_purges_at_start_up(tmp_path: Path) -> None:
    clock = FakeClock()
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    first = journal.record("kiosk.started", {})
    journal.mark_delivered([first])
    clock.advance(100 * 86400)
    keeper = RetentionKeeper(journal, clock, 90)
    keeper.start()
    keeper.stop()
    assert keeper.last is not None
    assert keeper.last.events == 1
    assert journal.events() == []
