"""The kiosk's Qt main window: one screen per step of the visit, and back home.

The visit itself is kiosk.visit.VisitMachine: the window forwards every touch to it,
shows the screen of its step and fills the screens from what it says changed. The
worker threads (ui/ticket_bridge.py, ui/device_bridges.py) print and look up for it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.hall.base import HallEvent, HallEventKind
from kiosk.line_breaks import keep_words_text
from kiosk.printer_health import PrinterHealth, PrinterHealthReport
from kiosk.taxpayer import IdentityKind
from kiosk.text import Language, Text
from kiosk.tickets import IssuedTicket
from kiosk.visit import Step, Visit, VisitMachine
from ui import texts
from ui.calling import CallingLine, Speaker, find_speech_command
from ui.catalog_updates import CatalogUpdates
from ui.chrome import ActivityFilter, IdleOverlay, TopBar
from ui.device_bridges import DeviceBridge, ProfileBridge
from ui.hall_status import HallStatusBanner
from ui.idle_screen import IdleScreen, read_announcements
from ui.screens.base import Screen
from ui.screens.category import CategoryScreen
from ui.screens.checkin import CheckInScreen
from ui.screens.done import DoneScreen, ETicketScreen, FailedScreen
from ui.screens.evaluate import TerminalEvaluation
from ui.screens.home import HomeScreen
from ui.screens.identify import (
    CodeEntryScreen,
    IdentifyScreen,
    appointment_code_format,
    credit_code_format,
)
from ui.screens.matter import MatterScreen
from ui.screens.printing import PrintingScreen
from ui.screens.route import RouteScreen
from ui.screens.search import SearchScreen
from ui.screens.senior import SeniorScreen
from ui.senior import HelpNotice, ScreenReader, SeniorMode
from ui.technician.controller import TechnicianController
from ui.ticket_bridge import TicketBridge
from ui.visit_view import VisitRequestsOnThreads, VisitView
from ui.widgets import retranslate_tree

if TYPE_CHECKING:
    from kiosk.app import Kiosk

log = logging.getLogger(__name__)

IDLE_CHECK_MS = 250


class _Page(QWidget):
    """The central widget; keeps the idle overlay covering all of it."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("page")
        self.overlay: IdleOverlay | None = None
        self.covers: list[QWidget] = []  # the idle screen, and whatever else covers it all

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        for cover in (self.overlay, *self.covers):
            if cover is not None:
                cover.setGeometry(self.rect())


class KioskWindow(QMainWindow):
    # A PrinterHealthReport, emitted from the printer health thread; queued to the GUI.
    printer_health_changed = Signal(object)

    def __init__(self, kiosk: Kiosk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self._shut_down = False
        settings = kiosk.settings
        hall_name = Text(zh=settings.hall.name_zh, en=settings.hall.name_en)
        self.setWindowTitle(texts.fill(texts.WINDOW_TITLE, hall=hall_name).zh)

        page = _Page()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.top_bar = TopBar(keep_words_text(hall_name))  # never "办税服" / "务厅"
        self.stack = QStackedWidget()
        column.addWidget(self.top_bar)
        # Offline from the hall server: said under the top bar on every screen.
        self.hall_status: HallStatusBanner | None = None
        if kiosk.link is not None:
            self.hall_status = HallStatusBanner(kiosk.link)
            column.addWidget(self.hall_status)
        column.addWidget(self.stack, 1)
        # The latest calls at the bottom of every screen, under (never over) the screens.
        speech = find_speech_command() if settings.keypads.speech else None
        self.calling_line = CallingLine(Speaker(speech), voice_language=settings.kiosk.language)
        column.addWidget(self.calling_line)
        self.calling_line.attach(kiosk.hall)
        self.calling_line.hall_event.connect(self._on_hall_event)  # queued: any thread
        self.overlay = IdleOverlay(page)
        page.overlay = self.overlay
        self.help_notice = HelpNotice(page)  # 一键求助: "a guide is coming"
        page.covers.append(self.help_notice)
        # Senior mode reads each screen aloud in the hall's language, as calls are spoken.
        reading = find_speech_command() if settings.ui.senior_read_aloud else None
        reader = ScreenReader(Speaker(reading), settings.kiosk.language)
        self.senior_mode = SeniorMode(self, reader, self.calling_line.set_senior)
        # Between visits: announcements, hours, clock and queues (ui/idle_screen.py).
        self.idle_screen = IdleScreen(
            keep_words_text(hall_name), settings, read_announcements(settings), page
        )
        page.covers.append(self.idle_screen)
        self.setCentralWidget(page)
        # The screens fit whatever size the window is given; the layout must not impose
        # a minimum on the window (a kiosk panel's size is not negotiable).
        window_layout = self.layout()
        if window_layout is not None:
            window_layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self.home = HomeScreen(keep_words_text(hall_name), settings.queues)
        # New catalog versions, applied between visits; subscribed before the screens
        # read the catalog, so that no version is missed (ui/catalog_updates.py).
        self.catalog_updates = CatalogUpdates(
            kiosk, self._catalog_may_change, self._rebuild_catalog_screens, self
        )
        self.category = CategoryScreen(kiosk.catalog.categories)
        self.matter = MatterScreen()
        self.route = RouteScreen()
        self.printing = PrintingScreen()
        self.done = DoneScreen()
        self.eticket = ETicketScreen()
        self.failed = FailedScreen()
        self.identify = IdentifyScreen()
        self.code_entry = CodeEntryScreen(credit_code_format(), appointment_code_format())
        self.checkin = CheckInScreen()
        self.search = SearchScreen(kiosk.catalog)
        self.senior = SeniorScreen()
        self.screens: dict[str, Screen] = {}
        for screen in (
            self.home,
            self.category,
            self.matter,
            self.route,
            self.printing,
            self.done,
            self.eticket,
            self.failed,
            self.identify,
            self.code_entry,
            self.checkin,
            self.search,
            self.senior,
        ):
            self.screens[screen.name] = screen
            self.stack.addWidget(screen)

        self.ticket_bridge = TicketBridge(kiosk.tickets, kiosk.hall, self)
        self.devices = DeviceBridge(kiosk.card_watcher, kiosk.scanner_watcher, self)
        self.profiles = ProfileBridge(kiosk.identification, self)
        self.visit_machine = VisitMachine(
            kiosk, VisitRequestsOnThreads(self.ticket_bridge, self.profiles)
        )
        self.last_ticket: IssuedTicket | None = None  # the visit's, or the one before
        self.view = VisitView(self)
        # 好差评 on this screen: a served ticket's slip scanned at home (ui/screens/evaluate.py).
        self.evaluation = TerminalEvaluation(self)
        self.screens[self.evaluation.screen.name] = self.evaluation.screen
        self.stack.addWidget(self.evaluation.screen)
        self._connect()
        self._health: PrinterHealth | None = kiosk.printer.health if kiosk.printer else None
        if self._health is not None:
            self.printer_health_changed.connect(self._on_printer_health)
            self._health_listener = self.printer_health_changed.emit
            self._health.subscribe(self._health_listener)

        self._activity = ActivityFilter(self.visit_machine.touch, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity)
        self.idle_check_timer = QTimer(self)
        self.idle_check_timer.setInterval(IDLE_CHECK_MS)
        self.idle_check_timer.timeout.connect(self.check_idle)
        self.idle_check_timer.start()
        # The technician menu: five taps in the top-left corner, then the PIN.
        self.technician = TechnicianController(self)
        self.set_language(self.visit_machine.default_language)
        self.visit_machine.go_home()

    def _connect(self) -> None:
        """Every touch goes to the visit; every result of a worker thread too."""
        machine = self.visit_machine
        self.top_bar.home_clicked.connect(machine.go_home)
        self.top_bar.language_chosen.connect(self._on_language_chosen)
        self.overlay.continue_clicked.connect(machine.keep_going)
        self.home.take_number.connect(machine.take_number)
        self.home.identify.connect(lambda: machine.open_identify(None))
        self.home.senior.connect(machine.start_senior)
        self.top_bar.help_clicked.connect(machine.ask_for_help)
        self.help_notice.closed.connect(machine.help_seen)
        self.senior.matter_chosen.connect(machine.choose_listed_matter)
        self.senior.priority.connect(machine.ask_priority)
        self.senior.more.connect(machine.show_categories)
        self.senior.search.connect(machine.open_search)
        self.category.category_chosen.connect(machine.choose_category)
        self.category.search.connect(machine.open_search)
        self.category.for_you.matter_chosen.connect(machine.choose_listed_matter)
        self.matter.matter_chosen.connect(machine.choose_matter)
        self.search.matter_chosen.connect(machine.choose_listed_matter)
        self.route.confirm.connect(machine.confirm)
        self.route.print_guide.connect(machine.print_guide)
        self.route.priority.connect(machine.ask_priority)
        self.route.add_matter.connect(machine.add_matter)
        self.route.home.connect(machine.go_home)
        for back in (
            self.category.back,
            self.matter.back,
            self.search.back,
            self.route.back,
            self.identify.back,
            self.code_entry.back,
            self.senior.back,
        ):
            back.connect(machine.back)
        for outcome in (self.done, self.eticket, self.failed):
            outcome.finished.connect(machine.finish_visit)
        self.identify.type_credit_code.connect(lambda: machine.enter_code(IdentityKind.CREDIT_CODE))
        self.identify.type_appointment_code.connect(
            lambda: machine.enter_code(IdentityKind.APPOINTMENT_CODE)
        )
        self.identify.skip.connect(machine.skip_identification)
        self.code_entry.code_entered.connect(machine.code_entered)
        self.checkin.take_appointment.connect(machine.take_appointment)
        self.checkin.other_matter.connect(machine.after_identification)
        self.ticket_bridge.ticket_issued.connect(machine.ticket_issued)
        self.ticket_bridge.ticket_failed.connect(machine.ticket_failed)
        self.ticket_bridge.guide_printed.connect(machine.guide_printed)
        self.ticket_bridge.queue_states_read.connect(machine.queue_states_read)
        self.devices.card_event.connect(machine.card_read)
        self.devices.scan_event.connect(self.evaluation.route_scan)
        self.profiles.profile_read.connect(machine.profile_read)

    # ---- public API ---------------------------------------------------------------

    @property
    def visit(self) -> Visit:
        """What the taxpayer chose so far (the visit machine's)."""
        return self.visit_machine.visit

    def current_screen_name(self) -> str:
        widget = self.stack.currentWidget()
        return widget.name if isinstance(widget, Screen) else ""

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def set_language(self, language: Language) -> None:
        """Switch every visible text to `language` at once."""
        self.visit_machine.set_language(language)

    def idle_overlay_shown(self) -> bool:
        return not self.overlay.isHidden()

    def check_idle(self) -> None:
        """Called every 250 ms: the visit's idle time-out, and a new catalog version
        applied once the kiosk is at rest (e.g. once a guide slip is printed)."""
        self.visit_machine.tick()
        if self.visit_machine.step is Step.HOME:
            self.catalog_updates.apply_if_due()
        self._follow_idle_screen()

    def idle_screen_shown(self) -> bool:
        return not self.idle_screen.isHidden()

    def _follow_idle_screen(self) -> None:
        """The idle screen once home has gone untouched long enough; gone once a visit
        starts (a touch, a card, a scan)."""
        machine, clock = self.visit_machine, self.kiosk.clock
        at_home = machine.step is Step.HOME and not self._shut_down
        if not at_home:
            self.idle_screen.hide()
        elif self.idle_screen.isHidden():
            if machine.idle.idle_for() >= self.idle_screen.announcements.show_after_seconds:
                self.idle_screen.show_idle(clock.now(), clock.monotonic())
        else:  # its queue table follows Change.QUEUE_STATES (ui/visit_view.py)
            self.idle_screen.tick(clock.now(), clock.monotonic())

    def finish_visit(self) -> None:
        """The visit is over: home, and everything forgotten, the language too."""
        self.visit_machine.finish_visit()

    # For the benchmarks (bench/kiosk_ui.py): straight to a matter, no taps.

    def choose_category(self, code: str) -> None:
        self.visit_machine.choose_category(code)

    def choose_matter(self, code: str) -> None:
        self.visit_machine.choose_matter(code)

    def shutdown(self) -> None:
        """Stop the timer, the activity filter and the worker threads. Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.view.detach()
        if self._health is not None:
            self._health.unsubscribe(self._health_listener)
        self.idle_check_timer.stop()
        self.technician.shutdown()
        self.devices.detach()
        self.evaluation.shutdown()
        self.profiles.stop()
        if self.hall_status is not None:
            self.hall_status.shutdown()
        self.calling_line.shutdown()
        self.senior_mode.shutdown()
        self.catalog_updates.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity)
        self.ticket_bridge.stop()

    # ---- the kiosk around the visit -------------------------------------------------

    def _catalog_may_change(self) -> bool:
        """Between visits: home shown, nothing printing, nobody being looked up."""
        return not self._shut_down and self.visit_machine.at_rest()

    def _rebuild_catalog_screens(self) -> None:
        """A new catalog version is in use: the screens that hold it show it."""
        catalog = self.kiosk.catalog
        self.category.set_categories(catalog.categories)
        self.search.set_catalog(catalog)
        # The matter, route and check-in screens are filled from kiosk.catalog on each
        # visit, and the 为您推荐 tiles from it at each identification.
        retranslate_tree(self.category, self.visit.language)
        retranslate_tree(self.search, self.visit.language)

    def _on_hall_event(self, event: object) -> None:
        """A call or a pause changed the queues: the home screen's table follows."""
        changed = isinstance(event, HallEvent) and event.kind is HallEventKind.QUEUE_CHANGED
        if changed and self.visit_machine.step is Step.HOME and not self._shut_down:
            self.ticket_bridge.read_queue_states()

    def _on_printer_health(self, report: PrinterHealthReport) -> None:
        self.home.show_printer_paused(not report.can_print)

    def _on_language_chosen(self, language: str) -> None:
        self.set_language("en" if language == "en" else "zh")

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        if not self.technician.may_close():  # kiosk mode: only the technician leaves it
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
