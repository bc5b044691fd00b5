"""Local data retention: journal records older than `technician.retention_days` go.

Only what the hall already has is purged: an event still waiting in the outbox
stays, however old, so retention never loses data the hall server has not
received. ID data is never stored (the journal holds no personal data), so
there is nothing else to purge. Runs at start-up and then once a day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from drivers.background import BackgroundThread
from kiosk.clock import Clock
from kiosk.journal import Journal

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class PurgeResult:
    cutoff: str
    events: int
    kept_undelivered: int


def purge_journal(
    journal: Journal, clock: Clock, days: int, *, keep_undelivered: bool = True
) -> PurgeResult:
    """Delete events older than `days` whose outbox entry is delivered (or absent).

    `keep_undelivered=False` is for the embedded hall, whose outbox has no server to
    go to: there, old records go whether delivered or not."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    cutoff = (clock.now() - timedelta(days=days)).isoformat()
    purged, kept = journal.purge_before(cutoff, keep_undelivered=keep_undelivered)
    if purged:
        log.info("retention: purged %d journal records before %s", purged, cutoff)
    return PurgeResult(cutoff, purged, kept)


class RetentionKeeper:
    """Purges at start-up and then every day, on its own thread."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        days: int,
        interval: float = DAY_SECONDS,
        *,
        keep_undelivered: bool = True,
    ) -> None:
        self.keep_undelivered = keep_undelivered
        self.journal = journal
        self.clock = clock
        self.days = days
        self.interval = interval
        self._loop = BackgroundThread.every("retention", lambda: self.interval, self.run_once)
        self.last: PurgeResult | None = None

    def run_once(self) -> PurgeResult | None:
        try:
            self.last = purge_journal(
                self.journal, self.clock, self.days, keep_undelivered=self.keep_undelivered
            )
        except Exception as error:  # the kiosk keeps working; the next day tries again
            log.warning("retention purge failed: %s", error)
            return None
        return self.last

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()
