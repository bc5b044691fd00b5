"""The kiosk window: the visit from home to a ticket, and back home.

home -> category -> matter -> route -> printing -> done | eticket | failed -> home

The window owns the Visit (what the taxpayer chose), the IdleTimer and the
worker thread; the screens only show what they are given and emit what was
touched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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

from kiosk.hall.base import QueueState
from kiosk.printer_health import PrinterHealth, PrinterHealthReport
from kiosk.session import IdlePhase, Visit
from kiosk.text import LANGUAGES, Language, Text
from kiosk.tickets import IssuedTicket, TicketOutcome, required_documents
from kiosk.triage import route_visit
from ui.chrome import ActivityFilter, IdleOverlay, TopBar
from ui.screens.base import Screen
from ui.screens.category import CategoryScreen
from ui.screens.done import DoneScreen, ETicketScreen, FailedScreen
from ui.screens.home import HomeScreen
from ui.screens.matter import MatterScreen
from ui.screens.printing import PrintingScreen
from ui.screens.route import GuideSlipState, RouteScreen
from ui.widgets import retranslate_tree
from ui.worker import TicketDesk

if TYPE_CHECKING:
    from kiosk.app import Kiosk

log = logging.getLogger(__name__)

IDLE_CHECK_MS = 250
# Screens where nobody is deciding anything: no "are you still there?" there.
NO_COUNTDOWN = frozenset({"home", "printing", "done"})
# Home itself, a print under way, and the outcomes (they have their own button home).
NO_HOME_BUTTON = frozenset({"home", "printing", "done", "eticket", "failed"})


class _Page(QWidget):
    """The central widget; keeps the idle overlay covering all of it."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("page")
        self.overlay: IdleOverlay | None = None

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        if self.overlay is not None:
            self.overlay.setGeometry(self.rect())


class KioskWindow(QMainWindow):
    # A PrinterHealthReport, emitted from the printer health thread; queued to the GUI.
    printer_health_changed = Signal(object)

    def __init__(self, kiosk: Kiosk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        settings = kiosk.settings
        self.default_language: Language = settings.kiosk.language
        self.visit = Visit(language=self.default_language)
        self.idle = kiosk.idle_timer()
        self.setWindowTitle(f"{settings.hall.name_zh} · 取号")
        hall_name = Text(zh=settings.hall.name_zh, en=settings.hall.name_en)

        page = _Page()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.top_bar = TopBar(hall_name)
        self.stack = QStackedWidget()
        column.addWidget(self.top_bar)
        column.addWidget(self.stack, 1)
        self.overlay = IdleOverlay(page)
        page.overlay = self.overlay
        self.setCentralWidget(page)
        # The screens fit whatever size the window is given; the layout must not impose
        # a minimum on the window (a kiosk panel's size is not negotiable).
        window_layout = self.layout()
        if window_layout is not None:
            window_layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self.home = HomeScreen(hall_name, settings.queues)
        self.category = CategoryScreen(kiosk.catalog.categories)
        self.matter = MatterScreen()
        self.route = RouteScreen()
        self.printing = PrintingScreen()
        self.done = DoneScreen()
        self.eticket = ETicketScreen()
        self.failed = FailedScreen()
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
        ):
            self.screens[screen.name] = screen
            self.stack.addWidget(screen)

        self.desk = TicketDesk(kiosk.tickets, kiosk.hall, self)
        self._ticket_request: int | None = None
        self._guide_request: int | None = None
        self._done_since: float | None = None
        self.last_ticket: IssuedTicket | None = None
        self._queue_states: dict[str, QueueState] = {}
        self._connect()
        self._health: PrinterHealth | None = kiosk.printer.health if kiosk.printer else None
        if self._health is not None:
            self.printer_health_changed.connect(self._on_printer_health)
            self._health_listener = self.printer_health_changed.emit
            self._health.subscribe(self._health_listener)

        self._activity = ActivityFilter(self.idle.touch, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity)
        self.idle_check_timer = QTimer(self)
        self.idle_check_timer.setInterval(IDLE_CHECK_MS)
        self.idle_check_timer.timeout.connect(self.check_idle)
        self.idle_check_timer.start()
        self._shut_down = False
        self.set_language(self.default_language)
        self.show_screen("home")

    def _connect(self) -> None:
        self.top_bar.home_clicked.connect(self.go_home)
        self.top_bar.language_chosen.connect(self._on_language_chosen)
        self.overlay.continue_clicked.connect(self._on_continue)
        self.home.take_number.connect(lambda: self.show_screen("category"))
        self.category.category_chosen.connect(self.choose_category)
        self.category.back.connect(self.go_home)
        self.matter.matter_chosen.connect(self.choose_matter)
        self.matter.back.connect(lambda: self.show_screen("category"))
        self.route.back.connect(lambda: self.show_screen("matter"))
        self.route.confirm.connect(self.confirm)
        self.route.print_guide.connect(self._print_guide)
        self.route.want_window.connect(lambda: self.route.show_offer(False))
        for outcome in (self.done, self.eticket, self.failed):
            outcome.finished.connect(self.finish_visit)
        self.desk.ticket_issued.connect(self._on_ticket_issued)
        self.desk.ticket_failed.connect(self._on_ticket_failed)
        self.desk.guide_printed.connect(self._on_guide_printed)
        self.desk.queue_states_read.connect(self._on_queue_states)

    # ---- public API ---------------------------------------------------------------

    def current_screen_name(self) -> str:
        widget = self.stack.currentWidget()
        return widget.name if isinstance(widget, Screen) else ""

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def set_language(self, language: Language) -> None:
        """Switch every visible text to `language` at once."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.visit.language = language
        self.top_bar.show_language(language)
        retranslate_tree(self, language)

    def idle_overlay_shown(self) -> bool:
        return not self.overlay.isHidden()

    def check_idle(self) -> None:
        """Called every 250 ms: the countdown overlay, going home when nobody is there,
        and the done screen's own return home."""
        name = self.current_screen_name()
        if name == "printing" or self.desk.busy():
            self.idle.touch()  # a print in progress is not inactivity
            return
        if name == "done" and self._done_since is not None:
            shown_for = self.kiosk.clock.monotonic() - self._done_since
            if shown_for >= self.kiosk.settings.ui.done_seconds:
                self.finish_visit()
            return
        phase = self.idle.phase()
        if phase is IdlePhase.ACTIVE or name in NO_COUNTDOWN:
            self.overlay.hide()
            if name == "home" and phase is IdlePhase.EXPIRED:
                self._forget_visit()
            return
        if phase is IdlePhase.COUNTDOWN:
            self.overlay.show_countdown(self.idle.countdown_remaining())
            return
        log.info("nobody at the kiosk: back to the start")
        self.finish_visit()

    def go_home(self) -> None:
        """Home within the same visit (the top bar's button): the language stays."""
        language = self.visit.language
        self.visit.reset(language)
        self.show_screen("home")

    def finish_visit(self) -> None:
        """The visit is over: home, and everything forgotten, the language too."""
        self._forget_visit()
        self.show_screen("home")

    def shutdown(self) -> None:
        """Stop the timer, the activity filter and the worker thread. Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        if self._health is not None:
            self._health.unsubscribe(self._health_listener)
        self.idle_check_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity)
        self.desk.stop()

    # ---- the visit --------------------------------------------------------------------

    def show_screen(self, name: str) -> None:
        screen = self.screens[name]
        self.overlay.hide()
        self._done_since = None
        if name == "home":
            self.home.show_queue_states(None)
            self.desk.read_queue_states()
        self.stack.setCurrentWidget(screen)
        self.top_bar.home_button.setVisible(name not in NO_HOME_BUTTON)
        retranslate_tree(screen, self.visit.language)
        self.idle.touch()

    def choose_category(self, code: str) -> None:
        self.visit.category_code = code
        self.visit.matters = []
        self.visit.route = None
        catalog = self.kiosk.catalog
        self.matter.show_category(catalog.category(code), catalog.matters_in(code))
        self.show_screen("matter")

    def choose_matter(self, code: str) -> None:
        matter = self.kiosk.catalog.matter(code)
        self.visit.matters = [matter]
        route = route_visit(self.visit.matters, self.kiosk.settings)
        self.visit.route = route
        self.route.show_route(route, required_documents(route.matters, self.kiosk.catalog))
        self._show_route_queue_state()
        self.desk.read_queue_states()
        self.show_screen("route")

    def confirm(self) -> None:
        if self.visit.route is None or self._ticket_request is not None:
            return
        self._ticket_request = self.desk.issue(self.visit.route, self.visit.language)
        self.show_screen("printing")

    def _print_guide(self) -> None:
        if self.visit.route is None or self._guide_request is not None:
            return
        self._guide_request = self.desk.print_guide(self.visit.route, self.visit.language)
        self.route.set_guide_state(GuideSlipState.PRINTING)

    def _forget_visit(self) -> None:
        self._ticket_request = None
        self._guide_request = None
        if self.visit.language != self.default_language or self.visit.matters:
            self.visit.reset(self.default_language)
            self.set_language(self.default_language)
        else:
            self.visit.reset(self.default_language)

    # ---- results from the worker ------------------------------------------------------

    def _on_ticket_issued(self, request_id: int, ticket: IssuedTicket) -> None:
        if request_id != self._ticket_request:
            return  # the visit it belonged to has ended
        self._ticket_request = None
        self.last_ticket = ticket
        if ticket.outcome is TicketOutcome.PRINTED:
            self.done.show_ticket(ticket)
            self.show_screen("done")
            self._done_since = self.kiosk.clock.monotonic()
        elif ticket.outcome is TicketOutcome.E_TICKET:
            self.eticket.show_ticket(ticket)
            self.show_screen("eticket")
        else:
            self.show_screen("failed")

    def _on_ticket_failed(self, request_id: int, reason: str) -> None:
        if request_id != self._ticket_request:
            return
        self._ticket_request = None
        log.warning("the taxpayer was sent to the staff: %s", reason)
        self.show_screen("failed")

    def _on_guide_printed(self, request_id: int, printed: bool) -> None:
        if request_id != self._guide_request:
            return
        self._guide_request = None
        self.route.set_guide_state(GuideSlipState.PRINTED if printed else GuideSlipState.FAILED)

    def _on_queue_states(self, states: Mapping[str, QueueState]) -> None:
        self._queue_states = dict(states)
        self.home.show_queue_states(states)
        self._show_route_queue_state()

    def _show_route_queue_state(self) -> None:
        route = self.visit.route
        if route is not None:
            self.route.show_queue_state(self._queue_states.get(route.queue.code))

    def _on_printer_health(self, report: PrinterHealthReport) -> None:
        self.home.show_printer_paused(not report.can_print)

    def _on_language_chosen(self, language: str) -> None:
        self.set_language("en" if language == "en" else "zh")

    def _on_continue(self) -> None:
        self.idle.touch()
        self.overlay.hide()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self.shutdown()
        super().closeEvent(event)
