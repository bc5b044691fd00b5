"""The composition root: the only place that knows every concrete class.

Start-up order: settings -> catalog -> data directory (journal, embedded hall)
-> devices -> services. Each step that can fail raises StartupError with a
sentence a technician can act on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import PrintDocument
from drivers.printer.profiles import get_profile
from drivers.printer.status import PrinterCondition, PrinterStatus
from drivers.sim.printer import PrinterEmulator
from drivers.transport import Transport, TransportError
from kiosk.catalog import Catalog, load_catalog
from kiosk.clock import Clock, SystemClock
from kiosk.hall.base import HallBackend
from kiosk.hall.local import LocalHall
from kiosk.printer_health import PrinterHealth
from kiosk.session import IdleTimer
from kiosk.settings import ConfigError, Settings, load_settings
from kiosk.sqlite import StorageError
from kiosk.store import Journal
from kiosk.tickets import PrintFailure, TicketService

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The kiosk cannot start; the message says what to fix."""


class EscPosSlipPrinter:
    """Adapts the ESC/POS driver to what the ticket service needs."""

    def __init__(self, transport: Transport, printer: Printer, health: PrinterHealth) -> None:
        self.transport = transport
        self.printer = printer
        self.health = health

    def print_slip(self, document: PrintDocument) -> None:
        if not self.transport.ensure_open():
            self.health.record(PrinterStatus(PrinterCondition.OFFLINE, "port not available"))
            raise PrintFailure(f"printer port {self.transport.url} is not available")
        try:
            self.printer.print_document(document)
        except PrintError as error:
            if error.status is not None:
                self.health.record(error.status)
            raise PrintFailure(str(error)) from None
        except TransportError as error:
            self.health.record(PrinterStatus(PrinterCondition.OFFLINE, str(error)))
            raise PrintFailure(str(error)) from None

    def close(self) -> None:
        self.transport.close()


@dataclass
class Kiosk:
    settings: Settings
    catalog: Catalog
    clock: Clock
    journal: Journal
    hall: HallBackend
    tickets: TicketService
    printer: EscPosSlipPrinter | None
    emulators: list[PrinterEmulator] = field(default_factory=list)

    def idle_timer(self) -> IdleTimer:
        return IdleTimer(
            self.clock, self.settings.ui.inactivity_seconds, self.settings.ui.countdown_seconds
        )

    def start_background(self) -> None:
        """Work that runs while the kiosk waits for taxpayers: printer checks."""
        if self.printer is not None:
            self.printer.health.start()

    def close(self) -> None:
        if self.printer is not None:
            self.printer.health.stop()
            self.printer.close()
        for emulator in self.emulators:
            emulator.stop()
        self.hall.close()
        self.journal.close()


def load_configuration(config_file: Path | None) -> tuple[Settings, Catalog]:
    try:
        settings = load_settings(config_file)
        return settings, load_catalog(settings.catalog_path)
    except ConfigError as error:
        lines = "\n".join(f"  {problem}" for problem in error.problems)
        raise StartupError(f"the configuration has errors:\n{lines}") from None


def open_printer(
    settings: Settings, journal: Journal, clock: Clock, port: str | None = None
) -> EscPosSlipPrinter:
    printer_settings = settings.printer
    try:
        profile = get_profile(printer_settings.profile)
    except KeyError as error:
        raise StartupError(f"printer.profile: {error.args[0]}") from None
    transport = Transport(
        port or printer_settings.port,
        baudrate=printer_settings.baudrate,
        write_timeout=printer_settings.write_timeout_seconds,
    )
    try:
        transport.open()
    except TransportError as error:
        # Not fatal: tickets become e-tickets until the printer is back.
        log.warning("printer not available yet: %s", error)
    printer = Printer(transport, profile, status_timeout=printer_settings.status_timeout_seconds)
    health = PrinterHealth(printer.status, journal, clock, printer_settings.status_interval_seconds)
    return EscPosSlipPrinter(transport, printer, health)


def build_kiosk(
    settings: Settings,
    catalog: Catalog,
    *,
    clock: Clock | None = None,
    printer_port: str | None = None,
) -> Kiosk:
    clock = clock or SystemClock()
    data = settings.data_path
    try:
        journal = Journal(data / "journal.sqlite3", clock)
        hall = LocalHall(data / "hall.sqlite3", settings, clock)
    except StorageError as error:
        raise StartupError(f"kiosk.data_dir: {error}") from None
    printer = open_printer(settings, journal, clock, printer_port)
    tickets = TicketService(settings, catalog, hall, journal, printer)
    journal.record("kiosk.started", {"kiosk": settings.kiosk.id, "catalog": catalog.version})
    return Kiosk(settings, catalog, clock, journal, hall, tickets, printer)


def build_demo_kiosk(
    settings: Settings,
    catalog: Catalog,
    out_dir: Path,
    *,
    clock: Clock | None = None,
    printer_baud: int | None = None,
) -> Kiosk:
    """The embedded default on emulated devices: a pty printer that keeps its tickets."""
    emulator = PrinterEmulator(
        out_dir=out_dir / "tickets",
        baud=printer_baud,
        profile=get_profile(settings.printer.profile),
    )
    path = emulator.start()
    try:
        kiosk = build_kiosk(settings, catalog, clock=clock, printer_port=path)
    except BaseException:
        emulator.stop()
        raise
    kiosk.emulators.append(emulator)
    return kiosk
