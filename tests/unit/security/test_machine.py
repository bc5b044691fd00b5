"""Trust no client (#15, finding 9), the kiosk machine: a PIN of 4 digits or a
trivial one is refused, lock-outs grow instead of a fixed 5 tries per 5 minutes, and
the systemd unit runs as its own user, hardened, and is not restarted on a
configuration error. (The menu's own tests: tests/ui/test_ui_technician.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.systemd import EXIT_CONFIG, UnitOptions, unit_text
from kiosk.technician.gate import PinGate
from kiosk.technician.pin import PinError, check_new_pin, hash_pin

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("pin", ["1234", "2468", "000000", "123456", "111111", "121212"])
def test_short_and_trivial_pins_are_refused(pin: str) -> None:
    with pytest.raises(PinError):
        check_new_pin(pin)


def test_each_lock_out_lasts_longer_than_the_one_before(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    gate = PinGate(hash_pin("730519", n=2**10), tmp_path / "lock.json", clock)
    lengths = []
    for _ in range(4):
        results = [gate.attempt("482915") for _ in range(5)]
        assert [r.locked for r in results] == [False, False, False, False, True]
        assert gate.attempt("730519").locked  # the right PIN waits too
        lengths.append(results[-1].locked_seconds)
        clock.advance(lengths[-1])
    assert lengths == [300.0, 600.0, 1200.0, 2400.0]
    assert gate.attempt("730519").ok  # and resets them
    assert [gate.attempt("482915").locked for _ in range(5)][-1]
    assert gate.locked_seconds() == 300.0


def test_the_unit_runs_as_its_own_user_hardened_and_stops_on_a_configuration_error() -> None:
    lines = unit_text(UnitOptions(Path("/opt/kiosk/bin/kiosk"))).splitlines()
    assert "User=hall-kiosk" in lines
    assert "User=root" not in lines
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
        assert hardening in lines
    assert any(line.startswith("ReadWritePaths=/var/lib/hall-kiosk") for line in lines)
    prevented = next(line for line in lines if line.startswith("RestartPreventExitStatus="))
    assert str(EXIT_CONFIG) in prevented.split("=")[1].split()
