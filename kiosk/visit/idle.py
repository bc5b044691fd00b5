"""When nobody is at the kiosk: an inactivity policy on an injected clock."""

from __future__ import annotations

from enum import Enum

from kiosk.clock import Clock


class IdlePhase(Enum):
    ACTIVE = "active"
    COUNTDOWN = "countdown"  # "are you still there?" with a continue button
    EXPIRED = "expired"  # go home and forget the visit


class IdleTimer:
    """Inactivity policy on an injected clock; the visit only asks it for the phase."""

    def __init__(self, clock: Clock, inactivity_seconds: float, countdown_seconds: float) -> None:
        self._clock = clock
        self.inactivity_seconds = inactivity_seconds
        self.countdown_seconds = countdown_seconds
        self._last_touch = clock.monotonic()

    def touch(self) -> None:
        self._last_touch = self._clock.monotonic()

    def idle_for(self) -> float:
        return self._clock.monotonic() - self._last_touch

    def phase(self) -> IdlePhase:
        idle = self.idle_for()
        if idle < self.inactivity_seconds:
            return IdlePhase.ACTIVE
        if idle < self.inactivity_seconds + self.countdown_seconds:
            return IdlePhase.COUNTDOWN
        return IdlePhase.EXPIRED

    def countdown_remaining(self) -> int:
        """Whole seconds left on the countdown, as shown to the taxpayer."""
        left = self.inactivity_seconds + self.countdown_seconds - self.idle_for()
        return max(0, min(int(self.countdown_seconds), int(-(-left // 1))))
