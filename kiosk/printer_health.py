"""The printer's health, known before a taxpayer asks for a ticket.

Checked every few seconds while the kiosk is idle and after every failed print.
Each change is journalled (technicians and, later, the hall see it) and passed
to whoever listens: the screen says "e-tickets for now" while the printer
cannot print, and says nothing once it can again, with no restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from drivers.background import BackgroundThread
from drivers.printer.status import PrinterCondition, PrinterStatus
from kiosk.clock import Clock
from kiosk.journal import Journal

log = logging.getLogger(__name__)

StatusSource = Callable[[], PrinterStatus]
Listener = Callable[["PrinterHealthReport"], None]


@dataclass(frozen=True)
class PrinterHealthReport:
    status: PrinterStatus
    since: datetime

    @property
    def can_print(self) -> bool:
        return self.status.can_print

    @property
    def severity(self) -> str:
        """ok, warning (keeps printing: paper near end) or fault (e-tickets)."""
        if self.status.condition is PrinterCondition.READY:
            return "ok"
        return "warning" if self.status.can_print else "fault"


class PrinterHealth:
    def __init__(
        self, source: StatusSource, journal: Journal, clock: Clock, interval_seconds: float
    ) -> None:
        self._source = source
        self._journal = journal
        self._clock = clock
        self.interval_seconds = interval_seconds
        self._lock = threading.Lock()
        self._report = PrinterHealthReport(
            PrinterStatus(PrinterCondition.UNKNOWN, "not checked yet"), clock.now()
        )
        self._listeners: list[Listener] = []
        self._loop = BackgroundThread.every(
            "printer-health", lambda: self.interval_seconds, self.check_now
        )

    @property
    def report(self) -> PrinterHealthReport:
        with self._lock:
            return self._report

    def subscribe(self, listener: Listener) -> None:
        """`listener` is called from whichever thread saw the change."""
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def check_now(self) -> PrinterHealthReport:
        return self.record(self._source())

    def record(self, status: PrinterStatus) -> PrinterHealthReport:
        """Take a status seen elsewhere (a failed print); journal it if it changed."""
        with self._lock:
            previous = self._report
            if status.condition is previous.status.condition:
                return previous
            report = PrinterHealthReport(status, self._clock.now())
            self._report = report
            listeners = list(self._listeners)
        self._journal.record(
            "printer.status",
            {
                "condition": status.condition.value,
                "detail": status.detail,
                "severity": report.severity,
                "previous": previous.status.condition.value,
            },
        )
        level = logging.INFO if report.severity == "ok" else logging.WARNING
        log.log(level, "printer %s: %s", status.condition.value, status.detail)
        for listener in listeners:
            try:
                listener(report)
            except Exception:
                log.exception("a printer health listener failed")
        return report

    def start(self) -> None:
        """Check at once, then every `interval_seconds`, on a thread of its own."""
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()
