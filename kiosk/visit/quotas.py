"""Today's numbers per queue, for the daily quotas of routing (kiosk.triage)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, tzinfo

from kiosk.clock import Clock
from kiosk.hall.base import QueueState


class IssuedToday:
    """Numbers this kiosk issued today per queue; a new day in the hall starts from none."""

    def __init__(self, clock: Clock, zone: tzinfo) -> None:
        self._clock = clock
        self._zone = zone
        self._day: date | None = None
        self._counts: dict[str, int] = {}

    def count(self, queue_code: str) -> None:
        self._roll_over()
        self._counts[queue_code] = self._counts.get(queue_code, 0) + 1

    def counts(self) -> dict[str, int]:
        self._roll_over()
        return dict(self._counts)

    def _roll_over(self) -> None:
        today = self._clock.now().astimezone(self._zone).date()
        if today != self._day:
            self._day = today
            self._counts = {}


def counts_for_quotas(own: Mapping[str, int], states: Mapping[str, QueueState]) -> dict[str, int]:
    """The hall's count of today's numbers per queue (every kiosk's); this kiosk's own
    count where the hall's is not known yet (or lags behind a ticket just issued)."""
    counts = dict(own)
    for code, state in states.items():
        if state.issued_today is not None:
            counts[code] = max(counts.get(code, 0), state.issued_today)
    return counts
