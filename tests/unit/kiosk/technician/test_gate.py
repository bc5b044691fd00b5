from __future__ import annotations

import json
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
PIN = "730519"
WRONG = "864209"


def gate(tmp_path: Path, clock: FakeClock, journal: Journal) -> PinGate:
    return PinGate(
        hash_pin(PIN, **CHEAP),
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
        result = pins.attempt(WRONG)
        assert not result.ok
        assert result.attempts_left == left
    locked = pins.attempt(WRONG)
    assert locked.locked
    assert locked.locked_seconds == 300
    restarted = PinGate(pins.pin_hash, tmp_path / "lock.json", clock, max_attempts=5)
    assert restarted.attempt(PIN).locked  # a restart does not reset the lock-out
    clock.advance(299)
    assert restarted.locked_seconds() == pytest.approx(1)
    clock.advance(2)
    assert restarted.attempt(PIN).ok
    kinds = [record.action for record in AuditTrail(journal).records()]
    assert kinds == ["pin_refused"] * 5 + ["locked"]


def test_wrong_pins_so_far_survive_a_restart_and_a_right_one_resets_them(
    tmp_path: Path, journal: Journal
) -> None:
    clock = FakeClock()
    pins = gate(tmp_path, clock, journal)
    for _ in range(3):
        pins.attempt(WRONG)
    again = gate(tmp_path, clock, journal)
    assert again.attempt(WRONG).attempts_left == 1
    assert again.attempt(PIN).ok
    assert gate(tmp_path, clock, journal).attempt(WRONG).attempts_left == 4


def lock_out(pins: PinGate) -> float:
    """Five wrong PINs; how long the lock-out they cause lasts."""
    results = [pins.attempt(WRONG) for _ in range(5)]
    assert [result.locked for result in results] == [False] * 4 + [True]
    return results[-1].locked_seconds


def test_each_further_lock_out_doubles_up_to_a_day_until_a_right_pin(
    tmp_path: Path, journal: Journal
) -> None:
    clock = FakeClock()
    pins = gate(tmp_path, clock, journal)
    lengths = []
    for _ in range(11):
        lengths.append(lock_out(pins))
        clock.advance(lengths[-1])
        pins = gate(tmp_path, clock, journal)  # and across restarts
    minutes = [length / 60 for length in lengths]
    assert minutes == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]
    assert pins.attempt(PIN).ok  # a right PIN: the next lock-out is five minutes again
    assert lock_out(pins) == 300
    audit = [record for record in AuditTrail(journal).records() if record.action == "locked"]
    assert len(audit) == 12


def test_the_lock_out_length_never_overflows() -> None:
    pins = PinGate("", Path("unused.json"), FakeClock(), lockout_seconds=60)
    assert pins.lockout_length(1) == 60
    assert pins.lockout_length(3) == 240
    assert pins.lockout_length(10**6) == 24 * 3600


def test_a_clock_set_back_locks_no_longer_than_the_cap(tmp_path: Path, journal: Journal) -> None:
    clock = FakeClock()
    pins = gate(tmp_path, clock, journal)
    lock_out(pins)
    clock.advance(-30 * 24 * 3600)  # an NTP correction after a wrong hardware clock
    assert pins.locked_seconds() == 24 * 3600
    clock.advance(24 * 3600)
    assert pins.attempt(PIN).ok


def test_a_lock_file_from_before_growing_lock_outs_counts_as_the_first(
    tmp_path: Path, journal: Journal
) -> None:
    clock = FakeClock()
    until = clock.now().isoformat()
    (tmp_path / "lock.json").write_text(
        json.dumps({"failures": 0, "locked_until": until}), encoding="utf-8"
    )
    assert lock_out(gate(tmp_path, clock, journal)) == 600  # the second in a row


def test_a_broken_lock_file_locks_rather_than_opens(tmp_path: Path, journal: Journal) -> None:
    (tmp_path / "lock.json").write_text("{not json", encoding="utf-8")
    assert gate(tmp_path, FakeClock(), journal).attempt(PIN).locked


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
