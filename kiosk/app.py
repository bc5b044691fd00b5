"""The composition root of the kiosk's services: the only place that knows every
concrete class. The Qt application on top of it is ui/main.py.

Start-up order: settings -> catalog -> data directory (journal, embedded hall)
-> devices (real, or emulated for the demo and the tests) -> services. Each step
that can fail raises StartupError with a sentence a technician can act on.
`Kiosk.start_background` and `Kiosk.close` are the one start and stop of every
thread the services run (printer checks, keypads, outbox, catalog, devices,
retention).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.printer.profiles import get_profile
from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.keypads import KeypadBusEmulator
from drivers.sim.printer import PrinterEmulator
from kiosk.catalog import Catalog, load_catalog
from kiosk.clock import Clock, SystemClock
from kiosk.device_watchers import CardWatcher, ScannerWatcher
from kiosk.hall.base import HallBackend, HallError
from kiosk.hall.catalog_updates import CACHE_FILE, CatalogCache, CatalogRelease, CatalogUpdater
from kiosk.hall.link import HallLink, LinkStatus
from kiosk.hall.local import LocalHall
from kiosk.hall.outbox_delivery import OutboxDeliveryWorker
from kiosk.identity import IdentificationService
from kiosk.journal import Journal
from kiosk.retention import RetentionKeeper
from kiosk.service_windows.keypads import WindowService
from kiosk.service_windows.opening import all_windows, open_window_service
from kiosk.settings import ConfigError, ConfigProblem, Settings, load_settings, load_texts
from kiosk.sqlite import StorageError
from kiosk.startup import (
    ConfigurationError,
    EscPosSlipPrinter,
    StartupError,
    device_health,
    open_card_watcher,
    open_printer,
    open_profiles,
    open_scanner_watcher,
    open_sync_worker,
)
from kiosk.text import install_texts
from kiosk.tickets import TicketService
from kiosk.triage import RuleSet, rule_problems

if TYPE_CHECKING:
    from kiosk.hall.http import HttpHall
    from kiosk.hall.server.screens.embedded import EmbeddedScreens

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmulatedDevices:
    """Devices the kiosk starts for itself on ptys (the demo, the tests, the benchmark):
    an ESC/POS printer keeping its tickets in `out_dir/tickets` (None: kept in memory
    only), the keypad bus of every window, an ID card reader holding the sample cards
    of drivers/sim/cards.toml."""

    out_dir: Path | None
    printer_baud: int | None = None


@dataclass
class Kiosk:
    """The kiosk's services, typed, as the window receives them. What every kiosk has
    is never None; what depends on a port or on the hall backend is."""

    settings: Settings
    catalog: Catalog
    clock: Clock
    journal: Journal
    hall: HallBackend
    tickets: TicketService
    printer: EscPosSlipPrinter
    # Purges old journal records at start-up and then daily (technician.retention_days).
    retention: RetentionKeeper
    # The emulated devices' printers (the demo and the tests); empty on real devices.
    emulators: list[PrinterEmulator] = field(default_factory=list)
    # The machine file it was started with (the technician menu saves changes there).
    config_file: Path | None = None
    # The keypads and caller keys of the windows; None when no keypad port is set.
    windows: WindowService | None = None
    keypad_emulator: KeypadBusEmulator | None = None
    # The link to the hall server and the outbox delivery; None with the embedded hall.
    link: HallLink | None = None
    outbox_delivery: OutboxDeliveryWorker | None = None
    # Identification devices; None when their port is not set.
    card_watcher: CardWatcher | None = None
    scanner_watcher: ScannerWatcher | None = None
    card_emulator: SamReaderEmulator | None = None
    # The routing rules in use; None: the settings' rules file (re-read when it changes).
    rules: RuleSet | None = None
    # The hall server's catalog version in use, and its updater; None with the embedded hall.
    catalog_version: str | None = None
    catalog_updater: CatalogUpdater | None = None
    # The hall's screens served by this kiosk (embedded hall, screens.serve); None: off.
    screens: EmbeddedScreens | None = None
    _catalog_listeners: list[Callable[[CatalogRelease], None]] = field(
        default_factory=list, init=False, repr=False
    )
    _catalog_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # ---- catalog and rules versions (kiosk/hall/catalog_updates.py, ui/catalog_updates.py) ----

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
        if self.catalog_updater is not None:
            self.catalog_updater.request_check()
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

    def start_background(self) -> None:
        """Work that runs while the kiosk waits for taxpayers: printer checks, the
        keypads, the outbox, catalog versions, the identification devices, retention."""
        self.printer.health.start()
        if self.windows is not None:
            self.windows.start()
        if self.outbox_delivery is not None:
            self.outbox_delivery.start()
        self.hall.start_events()
        if self.catalog_updater is not None:
            self.catalog_updater.start()
        if self.card_watcher is not None:
            self.card_watcher.start()
        if self.scanner_watcher is not None:
            self.scanner_watcher.start()
        self.retention.start()
        if self.screens is not None:
            self.screens.serve(self.journal)  # the ticket's QR then leads to the live page

    def close(self) -> None:
        """Stops what start_background started and closes every port and file."""
        self.retention.stop()
        if self.card_watcher is not None:
            self.card_watcher.close()
        if self.scanner_watcher is not None:
            self.scanner_watcher.close()
        if self.card_emulator is not None:
            self.card_emulator.stop()
        self.printer.health.stop()
        self.printer.close()
        for emulator in self.emulators:
            emulator.stop()
        if self.windows is not None:
            self.windows.stop()
        if self.keypad_emulator is not None:
            self.keypad_emulator.stop()
        if self.outbox_delivery is not None:
            self.outbox_delivery.stop()
        if self.catalog_updater is not None:
            self.catalog_updater.stop()
        if self.screens is not None:
            self.screens.stop()
        self.hall.close()
        self.journal.close()


def load_configuration(config_file: Path | None) -> tuple[Settings, Catalog]:
    try:
        settings = load_settings(config_file)
        return settings, load_catalog(settings.catalog_path)
    except ConfigError as error:
        lines = "\n".join(f"  {problem}" for problem in error.problems)
        raise ConfigurationError(f"the configuration has errors:\n{lines}") from None


def build_kiosk(
    settings: Settings,
    catalog: Catalog,
    *,
    clock: Clock | None = None,
    printer_port: str | None = None,
    keypad_port: str | None = None,
    reader_port: str | None = None,
    scanner_port: str | None = None,
    emulated: EmulatedDevices | None = None,
) -> Kiosk:
    """The kiosk's services, for `kiosk run`, `demo`, the soak, the benchmark and the
    tests: on the ports of the settings, on the ports given (overriding them), or on
    devices it emulates itself (`emulated`; stopped by `Kiosk.close`)."""
    install_texts(load_texts(settings))  # the hall's wording, before anything is shown
    clock = clock or SystemClock()
    if emulated is None:
        return _open_services(
            settings, catalog, clock, printer_port, keypad_port, reader_port, scanner_port
        )
    tickets_dir = None if emulated.out_dir is None else emulated.out_dir / "tickets"
    printer = PrinterEmulator(
        out_dir=tickets_dir,
        baud=emulated.printer_baud,
        profile=get_profile(settings.printer.profile),
    )
    # The keypads of every window, on an emulated bus (they only answer; nobody presses).
    keypads = KeypadBusEmulator(
        sorted(settings.keypads.address_windows(all_windows(settings))), baud=None
    )
    cards = SamReaderEmulator()  # none placed: a test or the demo's script places one
    try:
        kiosk = _open_services(
            settings, catalog, clock, printer.start(), keypads.start(), cards.start(), scanner_port
        )
    except BaseException:
        printer.stop()
        keypads.stop()
        cards.stop()
        raise
    kiosk.emulators.append(printer)
    kiosk.keypad_emulator = keypads
    kiosk.card_emulator = cards
    return kiosk


def _open_services(
    settings: Settings,
    catalog: Catalog,
    clock: Clock,
    printer_port: str | None,
    keypad_port: str | None,
    reader_port: str | None,
    scanner_port: str | None,
) -> Kiosk:
    data = settings.data_path
    link: HallLink | None = None
    hall: HallBackend
    server_hall: HttpHall | None = None
    try:
        journal = Journal(data / "journal.sqlite3", clock)
        if settings.hall.backend == "http":
            # httpx and the client only where a hall server is used: ~0.1 s of every
            # start of an embedded hall else.
            from kiosk.hall.http import HttpHall

            link = HallLink(clock, journal.pending_outbox)
            hall = server_hall = HttpHall(settings, data / "hall-link.sqlite3", clock, link)
        else:
            profiles = open_profiles(settings, catalog)
            hall = LocalHall(data / "hall.sqlite3", settings, clock, profiles=profiles)
    except StorageError as error:
        raise StartupError(f"kiosk.data_dir: {error}") from None
    except HallError as error:
        raise StartupError(f"hall: {error}") from None
    # With a hall server: the last version it gave, saved in the data directory, rather
    # than the possibly older files of config/ (a restart while offline).
    catalog_updater: CatalogUpdater | None = None
    saved: CatalogRelease | None = None
    if server_hall is not None:
        cache = CatalogCache(data / CACHE_FILE)
        saved = cache.load(settings)
        if saved is not None:
            catalog = saved.catalog
        catalog_updater = CatalogUpdater(
            server_hall,
            settings,
            journal,
            cache,
            clock,
            version=None if saved is None else saved.version,
            events=server_hall,
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
        if link is None or server_hall is None
        else open_sync_worker(
            settings,
            journal,
            server_hall,
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
        RetentionKeeper(
            journal,
            clock,
            settings.technician.retention_days,
            # The embedded hall has no server to wait for: old records go, delivered or not.
            keep_undelivered=settings.hall.backend != "embedded",
        ),
        windows=windows,
        link=link,
        outbox_delivery=sync,
        card_watcher=card_watcher,
        scanner_watcher=scanner_watcher,
        rules=None if saved is None else saved.rules,
        catalog_version=None if saved is None else saved.version,
        catalog_updater=catalog_updater,
    )
    if catalog_updater is not None:
        catalog_updater.subscribe(kiosk.offer_catalog)
    if settings.hall.backend == "embedded" and settings.screens.serve:
        # FastAPI and uvicorn only where the pages are served: cold start stays short.
        from kiosk.hall.server.screens.embedded import EmbeddedScreens
        from kiosk.qr_evaluation import of_windows

        staff, evaluations = of_windows(settings, windows, journal)
        queue_file = data / "hall.sqlite3"
        kiosk.screens = EmbeddedScreens(settings, hall, queue_file, clock, staff, evaluations)
    elif settings.screens.serve:
        log.warning("screens.serve: with a hall server, the server serves the hall's screens")
    return kiosk
