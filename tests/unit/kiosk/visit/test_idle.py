"""The idle timer of a visit, on an injected clock."""

from __future__ import annotations

from kiosk.clock import FakeClock
from kiosk.visit.idle import IdlePhase, IdleTimer


def test_idle_timer_phases_on_an_injected_clock() -> None:
    clock = FakeClock()
    timer = IdleTimer(clock, inactivity_seconds=60, countdown_seconds=20)
    clock.advance(59.9)
    assert timer.phase() is IdlePhase.ACTIVE
    clock.advance(0.2)
    assert timer.phase() is IdlePhase.COUNTDOWN
    assert timer.countdown_remaining() == 20
    clock.advance(15)
    assert timer.countdown_remaining() == 5
    timer.touch()
    assert timer.phase() is IdlePhase.ACTIVE
    clock.advance(80)
    assert timer.phase() is IdlePhase.EXPIRED
    assert timer.countdown_remaining() == 0
