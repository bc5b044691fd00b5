from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.journal import Journal
from kiosk.technician import (
    AuditTrail,
    MenuIdle,
    PinGate,
    hash_pin,
)

CHEAP = {"n": 2**10}


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
