"""A ticket service over a real embedded hall and journal, printing to a recording printer."""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.hall.local import LocalHall
from kiosk.journal import Journal
from kiosk.tickets import TicketService
from tests.helpers.fakes import RecordingSlipPrinter, default_catalog, make_settings


class Parts:
    def __init__(self, tmp_path: Path, on_failure: str = "e_ticket") -> None:
        self.settings = make_settings(tmp_path, printer={"on_failure": on_failure})
        self.catalog = default_catalog(self.settings)
        self.clock = FakeClock()
        self.hall = LocalHall(tmp_path / "hall.sqlite3", self.settings, self.clock)
        self.journal = Journal(tmp_path / "journal.sqlite3", self.clock)
        self.printer = RecordingSlipPrinter()
        self.service = TicketService(
            self.settings, self.catalog, self.hall, self.journal, self.printer
        )

    def close(self) -> None:
        self.hall.close()
        self.journal.close()
