"""The composition root: the only place that knows every concrete class.

Start-up order: settings -> catalog -> data directory (journal, embedded hall)
-> devices -> services. Each step that can fail raises StartupError with a
sentence a technician can act on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import PrintDocument
from drivers.printer.profiles import get_profile
from drivers.printer.status import PrinterCondition, PrinterStatus
from drivers.scanner import Scanner
from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.keypads import KeypadBusEmulator
from drivers.sim.printer import PrinterEmulator
from drivers.transport import Transport, TransportError
from kiosk.catalog import Catalog, load_catalog
from kiosk.catalog_sync import CACHE_FILE, CatalogCache, CatalogRelease, CatalogSync
from kiosk.clock import Clock, SystemClock
from kiosk.devices import CardWatcher, ScannerWatcher
from kiosk.hall.base import HallBackend, HallError
from kiosk.hall.http import HttpHall
from kiosk.hall.local import LocalHall
from kiosk.hall.profiles import ProfileDirectory, load_taxpayers
from kiosk.identity import IdentificationService
from kiosk.printer_health import PrinterHealth
from kiosk.settings import ConfigError, ConfigProblem, Settings, load_settings
from kiosk.sqlite import StorageError
from kiosk.store import Journal
from kiosk.sync import HallLink, LinkStatus, SyncWorker
from kiosk.tickets import PrintFailure, TicketService
from kiosk.triage import RuleSet, rule_problems
from kiosk.visit.idle import IdleTimer
from kiosk.windows import WindowService, all_windows, open_window_service

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
    # The machine file it was started with (the technician menu saves changes there).
    config_file: Path | None = None
    # The keypads and caller keys of the windows; None when no keypad port is set.
    windows: WindowService | None = None
    keypad_emulator: KeypadBusEmulator | None = None
    # The link to the hall server and the outbox delivery; None with the embedded hall.
    link: HallLink | None = None
    sync: SyncWorker | None = None
    # Identification devices; None when their port is not set.
    card_watcher: CardWatcher | None = None
    scanner_watcher: ScannerWatcher | None = None
    card_emulator: SamReaderEmulator | None = None
    # The routing rules in use; None: the settings' rules file (re-read when it changes).
    rules: RuleSet | None = None
    # The hall server's catalog version in use, and its sync; None with the embedded hall.
    catalog_version: str | None = None
    catalog_sync: CatalogSync | None = None
    _catalog_listeners: list[Callable[[CatalogRelease], None]] = field(
        default_factory=list, init=False, repr=False
    )
    _catalog_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # ---- catalog and rules versions (kiosk/catalog_sync.py, ui/catalog_updates.py) ----

    def subscribe_catalog(self, listener: Callable[[CatalogRelease], None]) -> None:
        """`listener(release)` is told of each new catalog version (on any thread) and
        applies it when it suits it (the window: between visits). Subscribe before
        reading `catalog`: a version offered with no listener is applied at once."""
        with self._catalog_lock:
            self._catalog_listeners.append(listener)

    def unsubscribe_catalog(self, listener: Callable[[CatalogRelease], None]) -> None:
        with self._catalog_lock:
            if listener in self._catalog_listeners:
                self._catalog_listeners.remove(listener)

    def offer_catalog(self, release: CatalogRelease) -> None:
        """A new checked version: to the listeners, or applied now when there are none."""
        with self._catalog_lock:
            listeners = list(self._catalog_listeners)
            if not listeners:
                self.apply_catalog(release.catalog, release.rules, release.version)
                return
        for listener in listeners:
            try:
                listener(release)
            except Exception:
                log.exception("a catalog listener failed")

    def apply_catalog(
        self, catalog: Catalog, rules: RuleSet | None, version: str | None = None
    ) -> None:
        """Use `catalog` and `rules` from now on (tickets, routing). Call it between
        visits; the screens that show the catalog are rebuilt by their owner."""
        self.catalog = catalog
        self.rules = rules
        if version is not None:
            self.catalog_version = version
        self.tickets.set_catalog(catalog)
        try:
            self.journal.record(
                "catalog.applied",
                {"catalog": catalog.version, "version": version, "matters": len(catalog.matters)},
            )
        except StorageError as error:  # the version is in use all the same
            log.error("catalog change not journalled: %s", error)
        shown = version or catalog.version
        log.info("catalog %s applied (%d matters)", shown, len(catalog.matters))

    def reload_catalog_from_files(self) -> list[ConfigProblem] | None:
        """The technician's reload. Embedded hall: read the catalog and rules files of
        config/ again; their problems (nothing changes), or None: the new version is
        offered and the window applies it between visits, no restart. With a hall
        server the server's version is what counts: it is asked for it now (None)."""
        if self.catalog_sync is not None:
            self.catalog_sync.request_check()
            return None
        try:
            catalog = load_catalog(self.settings.catalog_path)
        except ConfigError as error:
            return list(error.problems)
        problems = rule_problems(self.settings, catalog)
        if problems:
            return problems
        self.offer_catalog(CatalogRelease(catalog.version, catalog, None, "files"))
        return None

    @property
    def identification(self) -> IdentificationService:
        """Asks the hall for an identified taxpayer's profile (never raises)."""
        return IdentificationService(self.hall, self.settings, self.hall.business_day)

    def hall_link_status(self) -> LinkStatus | None:
        """Online, or offline since when, and how many records wait; None when the
        kiosk is its own hall (embedded)."""
        return None if self.link is None else self.link.status()

    def idle_timer(self) -> IdleTimer:
        return IdleTimer(
            self.clock, self.settings.ui.inactivity_seconds, self.settings.ui.countdown_seconds
        )

    def start_background(self) -> None:
        """Work that runs while the kiosk waits for taxpayers: printer checks."""
        if self.printer is not None:
            self.printer.health.start()
        if self.windows is not None:
            self.windows.start()
        if self.sync is not None:
            self.sync.start()
        if isinstance(self.hall, HttpHall):
            self.hall.start_events()
        if self.catalog_sync is not None:
            self.catalog_sync.start()
        if self.card_watcher is not None:
            self.card_watcher.start()
        if self.scanner_watcher is not None:
            self.scanner_watcher.start()

    def close(self) -> None:
        if self.card_watcher is not None:
            self.card_watcher.close()
        if self.scanner_watcher is not None:
            self.scanner_watcher.close()
        if self.card_emulator is not None:
            self.card_emulator.stop()
        if self.printer is not None:
            self.printer.health.stop()
            self.printer.close()
        for emulator in self.emulators:
            emulator.stop()
        if self.windows is not None:
            self.windows.stop()
        if self.keypad_emulator is not None:
            self.keypad_emulator.stop()
        if self.sync is not None:
            self.sync.stop()
        if self.catalog_sync is not None:
            self.catalog_sync.stop()
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
        raise StartupError(f"the taxpayer profiles have errors:\n{lines}") from None


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


def build_kiosk(
    settings: Settings,
    catalog: Catalog,
    *,
    clock: Clock | None = None,
    printer_port: str | None = None,
    keypad_port: str | None = None,
    reader_port: str | None = None,
    scanner_port: str | None = None,
) -> Kiosk:
    clock = clock or SystemClock()
    data = settings.data_path
    link: HallLink | None = None
    hall: HallBackend
    try:
        journal = Journal(data / "journal.sqlite3", clock)
        if settings.hall.backend == "http":
            link = HallLink(clock, journal.pending_outbox)
            hall = HttpHall(settings, data / "hall-link.sqlite3", clock, link)
        else:
            profiles = open_profiles(settings, catalog)
            hall = LocalHall(data / "hall.sqlite3", settings, clock, profiles=profiles)
    except StorageError as error:
        raise StartupError(f"kiosk.data_dir: {error}") from None
    except HallError as error:
        raise StartupError(f"hall: {error}") from None
    # With a hall server: the last version it gave, saved in the data directory, rather
    # than the possibly older files of config/ (a restart while offline).
    catalog_sync: CatalogSync | None = None
    saved: CatalogRelease | None = None
    if isinstance(hall, HttpHall):
        cache = CatalogCache(data / CACHE_FILE)
        saved = cache.load(settings)
        if saved is not None:
            catalog = saved.catalog
        catalog_sync = CatalogSync(
            hall,
            settings,
            journal,
            cache,
            clock,
            version=None if saved is None else saved.version,
            events=hall,
            link=link,
        )
    printer = open_printer(settings, journal, clock, printer_port)
    tickets = TicketService(settings, catalog, hall, journal, printer)
    journal.record("kiosk.started", {"kiosk": settings.kiosk.id, "catalog": catalog.version})
    tickets.settle_unconfirmed()  # a stop mid-ticket never leaves a number for nobody
    windows = open_window_service(settings, hall, journal, clock, port=keypad_port)
    card_watcher = open_card_watcher(settings, clock, reader_port)
    scanner_watcher = open_scanner_watcher(settings, scanner_port)
    sync = (
        None
        if link is None or not isinstance(hall, HttpHall)
        else open_sync_worker(
            settings,
            journal,
            hall,
            link,
            clock,
            printer,
            devices=lambda: device_health(card_watcher, scanner_watcher, windows),
        )
    )
    kiosk = Kiosk(
        settings,
        catalog,
        clock,
        journal,
        hall,
        tickets,
        printer,
        windows=windows,
        link=link,
        sync=sync,
        card_watcher=card_watcher,
        scanner_watcher=scanner_watcher,
        rules=None if saved is None else saved.rules,
        catalog_version=None if saved is None else saved.version,
        catalog_sync=catalog_sync,
    )
    if catalog_sync is not None:
        catalog_sync.subscribe(kiosk.offer_catalog)
    return kiosk


def open_sync_worker(
    settings: Settings,
    journal: Journal,
    hall: HttpHall,
    link: HallLink,
    clock: Clock,
    printer: EscPosSlipPrinter | None,
    devices: Callable[[], dict[str, object]] | None = None,
) -> SyncWorker:
    """The outbox delivery to the hall server, with a device health heartbeat."""

    def health() -> dict[str, object]:
        report = None if printer is None else printer.health.report
        return {
            "kiosk": settings.kiosk.id,
            "printer": "none" if report is None else report.status.condition.value,
            "printer_severity": "fault" if report is None else report.severity,
            "pending": journal.pending_outbox(),
            **(devices() if devices is not None else {}),
        }

    return SyncWorker(
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
    # The keypads of every window, on an emulated bus (they only answer; nobody presses).
    keypads = KeypadBusEmulator(
        sorted(settings.keypads.address_windows(all_windows(settings))), baud=None
    )
    # An ID card reader holding the sample cards of drivers/sim/cards.toml (none placed).
    cards = SamReaderEmulator()
    try:
        kiosk = build_kiosk(
            settings,
            catalog,
            clock=clock,
            printer_port=path,
            keypad_port=keypads.start(),
            reader_port=cards.start(),
        )
    except BaseException:
        emulator.stop()
        keypads.stop()
        cards.stop()
        raise
    kiosk.emulators.append(emulator)
    kiosk.keypad_emulator = keypads
    kiosk.card_emulator = cards
    return kiosk
