"""What the composition root (kiosk/app.py) opens at start-up, one section of the
settings at a time: the printer, the taxpayer profiles, the identification devices,
the outbox delivery. Each step that can fail raises StartupError with a sentence a
technician can act on."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import PrintDocument
from drivers.printer.profiles import get_profile
from drivers.printer.status import PrinterCondition, PrinterStatus
from drivers.scanner import Scanner
from drivers.transport import Transport, TransportError
from kiosk.catalog import Catalog
from kiosk.clock import Clock
from kiosk.device_watchers import CardWatcher, ScannerWatcher
from kiosk.hall.link import HallLink
from kiosk.hall.outbox_delivery import OutboxDeliveryWorker
from kiosk.hall.taxpayers_file import ProfileDirectory, load_taxpayers
from kiosk.journal import Journal
from kiosk.printer_health import PrinterHealth
from kiosk.service_windows.keypads import WindowService
from kiosk.settings import ConfigError, Settings
from kiosk.tickets import PrintFailure

if TYPE_CHECKING:
    from kiosk.hall.http import HttpHall

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The kiosk cannot start; the message says what to fix."""


class ConfigurationError(StartupError):
    """The configuration is wrong: starting again will not help until someone fixes it."""


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


def open_printer(
    settings: Settings, journal: Journal, clock: Clock, port: str | None = None
) -> EscPosSlipPrinter:
    printer_settings = settings.printer
    try:
        profile = get_profile(printer_settings.profile)
    except KeyError as error:
        raise ConfigurationError(f"printer.profile: {error.args[0]}") from None
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


def open_profiles(settings: Settings, catalog: Catalog) -> ProfileDirectory:
    """The embedded hall's taxpayer profiles (identification.taxpayers)."""
    path = settings.identification.taxpayers
    path = path if path.is_absolute() else settings.config_dir / path
    try:
        return load_taxpayers(
            path,
            new_taxpayer_days=settings.identification.new_taxpayer_days,
            timezone=settings.kiosk.timezone,
            known_matters={matter.code for matter in catalog.matters},
        )
    except ConfigError as error:
        lines = "\n".join(f"  {problem}" for problem in error.problems)
        raise ConfigurationError(f"the taxpayer profiles have errors:\n{lines}") from None


def open_card_watcher(
    settings: Settings, clock: Clock, port: str | None = None
) -> CardWatcher | None:
    """The ID card reader's watcher; None when no reader port is set. The port is
    opened by the watcher's thread (with back-off), never here."""
    section = settings.identification
    url = port or section.reader_port
    if not url:
        return None
    zone = ZoneInfo(settings.kiosk.timezone)
    return CardWatcher(
        Transport(url, baudrate=section.reader_baudrate),
        lambda: clock.now().astimezone(zone).date(),
        poll_interval=section.card_poll_seconds,
    )


def open_scanner_watcher(settings: Settings, port: str | None = None) -> ScannerWatcher | None:
    """The QR scanner's watcher; None when no scanner port is set."""
    section = settings.identification
    url = port or section.scanner_port
    if not url:
        return None
    suffix = b"\r\n" if section.scanner_suffix == "CRLF" else b"\r"
    return ScannerWatcher(Scanner(Transport(url, baudrate=section.scanner_baudrate), suffix))


@functools.cache
def app_version() -> str:
    """This software's version, as installed ("" when it runs from a bare checkout);
    read at the first heartbeat, not at start."""
    import importlib.metadata

    try:
        return importlib.metadata.version("hall-kiosk")
    except importlib.metadata.PackageNotFoundError:
        return ""


def open_sync_worker(
    settings: Settings,
    journal: Journal,
    hall: HttpHall,
    link: HallLink,
    clock: Clock,
    printer: EscPosSlipPrinter,
    devices: Callable[[], dict[str, object]] | None = None,
) -> OutboxDeliveryWorker:
    """The outbox delivery to the hall server, with a device health heartbeat."""

    def health() -> dict[str, object]:
        report = printer.health.report
        return {
            "kiosk": settings.kiosk.id,
            "printer": "none" if report is None else report.status.condition.value,
            "printer_severity": "fault" if report is None else report.severity,
            "pending": journal.pending_outbox(),
            "app_version": app_version(),  # the hall sees which kiosk runs which
            **(devices() if devices is not None else {}),
        }

    return OutboxDeliveryWorker(
        journal,
        hall,
        link,
        clock,
        interval_seconds=settings.hall.sync_interval_seconds,
        heartbeat_seconds=settings.hall.heartbeat_seconds,
        health=health,
        maintain=hall.maintain,
    )


def device_health(
    card_watcher: CardWatcher | None,
    scanner_watcher: ScannerWatcher | None,
    windows: WindowService | None,
) -> dict[str, object]:
    """The reader's, the scanner's and the keypads' state for the heartbeat (no data)."""
    keypads: dict[str, bool] = {}
    if windows is not None:
        keypads = {str(state.window): state.online for state in windows.status()}
    return {
        "card_reader": "none" if card_watcher is None else card_watcher.status.value,
        "scanner": "none" if scanner_watcher is None else scanner_watcher.status.value,
        "keypads_online": keypads,
    }
