"""Printer health against the ESC/POS emulator on a real pty."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer.device import Printer
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterCondition
from drivers.sim.printer import PrinterEmulator
from drivers.transport import Transport
from kiosk.clock import FakeClock
from kiosk.hall.local import LocalHall
from kiosk.journal import Journal
from kiosk.printer_health import PrinterHealth, PrinterHealthReport
from kiosk.startup import EscPosSlipPrinter
from kiosk.tickets import TicketOutcome, TicketService
from kiosk.triage import route_visit
from tests.helpers.fakes import default_catalog, make_settings


class Rig:
    def __init__(self, tmp_path: Path) -> None:
        self.emulator = PrinterEmulator(out_dir=None, idle_flush=None)
        self.transport = Transport(self.emulator.start(), baudrate=115200)
        self.transport.open()
        self.printer = Printer(self.transport, PROFILES["generic80"], status_timeout=0.5)
        self.journal = Journal(tmp_path / "journal.sqlite3", FakeClock())
        self.health = PrinterHealth(self.printer.status, self.journal, FakeClock(), 0.05)
        self.reports: list[PrinterHealthReport] = []
        self.health.subscribe(self.reports.append)

    def status_events(self) -> list[dict[str, object]]:
        return [e.payload for e in self.journal.events() if e.kind == "printer.status"]

    def close(self) -> None:
        self.health.stop()
        self.transport.close()
        self.emulator.stop()
        self.journal.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = Rig(tmp_path)
    yield made
    made.close()


def test_changes_are_journalled_once_and_told_to_listeners(rig: Rig) -> None:
    assert rig.health.check_now().severity == "ok"
    assert rig.health.check_now().severity == "ok"  # no change: nothing new
    rig.emulator.paper_near_end = True
    assert rig.health.check_now().severity == "warning"
    rig.emulator.paper_end = True
    report = rig.health.check_now()
    assert (report.severity, report.can_print) == ("fault", False)
    rig.emulator.paper_end = rig.emulator.paper_near_end = False
    assert rig.health.check_now().can_print
    assert [event["condition"] for event in rig.status_events()] == [
        "ready",
        "paper_near_end",
        "paper_end",
        "ready",
    ]
    assert [r.status.condition for r in rig.reports] == [
        PrinterCondition.READY,
        PrinterCondition.PAPER_NEAR_END,
        PrinterCondition.PAPER_END,
        PrinterCondition.READY,
    ]


def test_a_silent_printer_is_unknown_never_fine(rig: Rig) -> None:
    rig.emulator.silent = True
    report = rig.health.check_now()
    assert report.status.condition is PrinterCondition.UNKNOWN
    assert not report.can_print


def test_the_background_check_notices_a_cover_opened_while_idle(rig: Rig) -> None:
    seen_fault = threading.Event()
    rig.health.subscribe(lambda report: seen_fault.set() if not report.can_print else None)
    rig.health.start()
    rig.emulator.cover_open = True
    assert seen_fault.wait(timeout=10)
    assert rig.health.report.status.condition is PrinterCondition.COVER_OPEN


def test_a_failed_print_reports_the_fault_and_printing_resumes_after_refill(
    rig: Rig, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    catalog = default_catalog(settings)
    hall = LocalHall(tmp_path / "hall.sqlite3", settings, FakeClock())
    service = TicketService(
        settings,
        catalog,
        hall,
        rig.journal,
        EscPosSlipPrinter(rig.transport, rig.printer, rig.health),
    )
    route = route_visit([catalog.matter("M0202")], settings)
    rig.emulator.paper_end = True
    first = service.issue(route, "zh")
    assert first.outcome is TicketOutcome.E_TICKET
    assert rig.health.report.status.condition is PrinterCondition.PAPER_END
    rig.emulator.paper_end = False  # the technician refills the roll
    second = service.issue(route, "zh")
    assert second.outcome is TicketOutcome.PRINTED
    assert rig.emulator.wait_for_tickets(1, timeout=10)[0].text.count("G002") == 1
    assert rig.health.check_now().can_print
    hall.close()
