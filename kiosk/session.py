"""A taxpayer's visit: what they chose so far, and when to forget it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from kiosk.catalog import Matter
from kiosk.clock import Clock
from kiosk.taxpayer import UNKNOWN_PROFILE, Appointment, Identity, TaxpayerProfile
from kiosk.text import Language
from kiosk.triage import Route


class IdlePhase(Enum):
    ACTIVE = "active"
    COUNTDOWN = "countdown"  # "are you still there?" with a continue button
    EXPIRED = "expired"  # go home and forget the visit


class IdleTimer:
    """Inactivity policy on an injected clock; the UI only asks it for the phase."""

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


@dataclass
class Visit:
    """Everything known about the taxpayer at the kiosk now; reset between visits."""

    language: Language = "zh"
    category_code: str | None = None
    matters: list[Matter] = field(default_factory=list)
    route: Route | None = None
    identity: Identity | None = None  # never kept after the visit
    profile: TaxpayerProfile = UNKNOWN_PROFILE
    appointment: Appointment | None = None  # checked in, inside its window
    priority_requested: bool = False

    def reset(self, language: Language) -> None:
        self.language = language
        self.category_code = None
        self.matters = []
        self.route = None
        self.identity = None
        self.profile = UNKNOWN_PROFILE
        self.appointment = None
        self.priority_requested = False
