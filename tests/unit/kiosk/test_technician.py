from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.store import Journal
from kiosk.technician import (
    MASK,
    AuditTrail,
    LogTail,
    MenuIdle,
    PinError,
    PinGate,
    check_new_pin,
    hash_pin,
    today_report,
    verify_pin,
)

CHEAP = {"n": 2**10}


def test_a_pin_is_kept_as_a_salted_scrypt_hash() -> None:
    first = hash_pin("482915", **CHEAP)
    second = hash_pin("482915", **CHEAP)
    assert first.startswith("scrypt$1024$8$1$")
    assert "482915" not in first
    assert first != second  # a fresh salt each time
    assert verify_pin("482915", first)
    assert verify_pin("482915", second)
    assert not verify_pin("482916", first)


def test_the_default_cost_is_high() -> None:
    assert hash_pin("1357").split("$")[1] == str(2**15)


@pytest.mark.parametrize(
    "stored", ["", "plain", "scrypt$1024$8$1$!!$??", "scrypt$1000$8$1$AA==$AA==", "md5$x$y$z$a$b"]
)
def test_a_malformed_hash_matches_nothing(stored: str) -> None:
    assert not verify_pin("1357", stored)


@pytest.mark.parametrize("pin", ["12a4", "123", "1" * 13, "1111", "１２３４"])
def test_pins_that_cannot_be_set(pin: str) -> None:
    with pytest.raises(PinError):
        check_new_pin(pin)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3", FakeClock())


def gate(tmp_path: Path, clock: FakeClock, journal: Journal) -> PinGate:
    return PinGate(
        hash_pin("2468", **CHEAP),
        tmp_path / "lock.json",
        clock,
        AuditTrail(journal),
        max_attempts=5,
        lockout_seconds=300,
    )


def test_five_wrong_pins_lock_for_five_minutes_across_a_restart(
    tmp_path: Path, journal: Journal
) -> None:
    clock = FakeClock()
    pins = gate(tmp_path, clock, journal)
    for left in (4, 3, 2, 1):
        result = pins.attempt("0000")
        assert not result.ok
        assert result.attempts_left == left
    locked = pins.attempt("0000")
    assert locked.locked
    assert locked.locked_seconds == 300
    restarted = PinGate(pins.pin_hash, tmp_path / "lock.json", clock, max_attempts=5)
    assert restarted.attempt("2468").locked  # a restart does not reset the lock-out
    clock.advance(299)
    assert restarted.locked_seconds() == pytest.approx(1)
    clock.advance(2)
    assert restarted.attempt("2468").ok
    kinds = [record.action for record in AuditTrail(journal).records()]
    assert kinds == ["pin_refused"] * 5 + ["locked"]


def test_wrong_pins_so_far_survive_a_restart_and_a_right_one_resets_them(
    tmp_path: Path, journal: Journal
) -> None:
    clock = FakeClock()
    pins = gate(tmp_path, clock, journal)
    for _ in range(3):
        pins.attempt("0000")
    again = gate(tmp_path, clock, journal)
    assert again.attempt("0000").attempts_left == 1
    assert again.attempt("2468").ok
    assert gate(tmp_path, clock, journal).attempt("0000").attempts_left == 4


def test_a_broken_lock_file_locks_rather_than_opens(tmp_path: Path, journal: Journal) -> None:
    (tmp_path / "lock.json").write_text("{not json", encoding="utf-8")
    assert gate(tmp_path, FakeClock(), journal).attempt("2468").locked


def test_no_pin_set_opens_nothing(tmp_path: Path) -> None:
    pins = PinGate("", tmp_path / "lock.json", FakeClock())
    result = pins.attempt("")
    assert not result.ok
    assert "set-pin" in result.reason


def test_the_audit_trail_masks_secrets_and_personal_data(journal: Journal) -> None:
    audit = AuditTrail(journal)
    audit.changed("technician.pin_hash", "", "scrypt$1$2$3$4$5")
    audit.changed("hall.token", "old-token", "new-token")
    audit.changed("ui.inactivity_seconds", 60, 90)
    audit.record("note", text="card " + "110105" + "19491231" + "002X")
    records = audit.records()
    assert [(r.key, r.old, r.new) for r in records[:3]] == [
        ("technician.pin_hash", "", MASK),
        ("hall.token", MASK, MASK),
        ("ui.inactivity_seconds", 60, 90),
    ]
    assert all(r.who == "technician" and r.at for r in records)
    raw = json.dumps([event.payload for event in journal.events()])
    assert "scrypt$" not in raw
    assert "token" not in raw.replace("hall.token", "")
    assert "19491231" not in raw


def test_the_menu_idles_out() -> None:
    clock = FakeClock()
    idle = MenuIdle(clock, 3)
    clock.advance(179)
    assert not idle.expired()
    idle.touch()
    clock.advance(179)
    assert not idle.expired()
    clock.advance(1)
    assert idle.expired()


def test_the_log_tail_keeps_the_last_lines_masked() -> None:
    tail = LogTail(lines=3)
    logger = logging.getLogger("test.tail")
    logger.addHandler(tail)
    logger.setLevel(logging.INFO)
    try:
        for index in range(5):
            logger.info("line %d for %s", index, "110105" + "19491231" + "002X")
    finally:
        logger.removeHandler(tail)
    lines = tail.lines()
    assert len(lines) == 3
    assert lines[-1].endswith("line 4 for 110***002X")


def test_today_report_counts_tickets_evaluations_and_open_follow_ups(journal: Journal) -> None:
    day = "2026-11-23"
    for number, queue, tid in (("G001", "green", "t1"), ("A001", "comprehensive", "t2")):
        journal.record(
            "ticket.reserved",
            {"number": number, "queue": queue, "business_day": day, "estimated_wait_minutes": 10},
            tid,
        )
    journal.record(
        "ticket.reserved", {"number": "G009", "queue": "green", "business_day": "x"}, "t0"
    )
    journal.record("ticket.printed", {"number": "G001"}, "t1")
    journal.record("ticket.voided", {"number": "A001"}, "t2")
    journal.record("evaluation.recorded", {"level": 1})
    journal.record("evaluation.recorded", {"level": None})
    journal.record(
        "follow_up.opened",
        {"evaluation_id": "e1", "window": 3, "level": 4, "deadline": "2026-11-30"},
    )
    journal.record(
        "follow_up.opened",
        {"evaluation_id": "e2", "window": 2, "level": 5, "deadline": "2026-11-30"},
    )
    journal.record("follow_up.closed", {"evaluation_id": "e2", "note": "called back"})
    report = today_report(journal, day)
    assert report.tickets_by_queue == {"green": 1}
    assert [t.status for t in report.tickets] == ["printed", "voided"]
    assert report.average_expected_wait == 10
    assert report.evaluations_by_level == {"1": 1, "none": 1}
    assert [f.window for f in report.follow_ups] == [3]
    rows = report.csv_rows()
    assert ["tickets_by_queue", "green", "1", ""] in rows
