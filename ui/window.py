"""The kiosk window: the visit from home to a ticket, and back home.

home -> category -> matter -> route -> printing -> done | eticket | failed -> home

The window owns the Visit (what the taxpayer chose), the IdleTimer and the
worker thread; the screens only show what they are given and emit what was
touched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

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

from kiosk.catalog import Matter
from kiosk.hall.base import HallEvent, HallEventKind, QueueState
from kiosk.identity import CheckIn, CheckInStatus, check_in, classify_code, find_appointment
from kiosk.printer_health import PrinterHealth, PrinterHealthReport
from kiosk.visit import IdlePhase, Visit
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, IdentityKind, TaxpayerProfile
from kiosk.text import LANGUAGES, Language, Text
from kiosk.tickets import IssuedTicket, TicketOutcome, required_documents
from kiosk.triage import VisitContext, route_visit
from ui import texts
from ui.calling import CallingLine, Speaker, find_speech_command
from ui.catalog_updates import CatalogUpdates
from ui.chrome import ActivityFilter, IdleOverlay, TopBar
from ui.devices import DeviceBridge, ProfileDesk, identification_service
from ui.hall_status import HallStatusBanner
from ui.screens.base import Screen
from ui.screens.category import CategoryScreen
from ui.screens.checkin import CheckInScreen
from ui.screens.done import DoneScreen, ETicketScreen, FailedScreen
from ui.screens.home import HomeScreen
from ui.screens.identify import (
    APPOINTMENT_CODE,
    CREDIT_CODE,
    IdentifyScreen,
    KeypadScreen,
    appointment_code_format,
    credit_code_format,
)
from ui.screens.matter import MatterScreen
from ui.screens.printing import PrintingScreen
from ui.screens.route import GuideSlipState, RouteScreen
from ui.screens.search import SearchScreen
from ui.technician.controller import TechnicianController
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
        # Offline from the hall server: said under the top bar on every screen.
        self.hall_status: HallStatusBanner | None = None
        if kiosk.link is not None:
            self.hall_status = HallStatusBanner(kiosk.link, settings.kiosk.timezone)
            column.addWidget(self.hall_status)
        column.addWidget(self.stack, 1)
        # The latest calls at the bottom of every screen, under (never over) the screens.
        speech = find_speech_command() if settings.keypads.speech else None
        self.calling_line = CallingLine(Speaker(speech))
        column.addWidget(self.calling_line)
        self.calling_line.attach(kiosk.hall)
        self.calling_line.hall_event.connect(self._on_hall_event)  # queued: any thread
        self.overlay = IdleOverlay(page)
        page.overlay = self.overlay
        self.setCentralWidget(page)
        # The screens fit whatever size the window is given; the layout must not impose
        # a minimum on the window (a kiosk panel's size is not negotiable).
        window_layout = self.layout()
        if window_layout is not None:
            window_layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self.home = HomeScreen(hall_name, settings.queues)
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
        self.keypad = KeypadScreen(credit_code_format(), appointment_code_format())
        self.checkin = CheckInScreen()
        self.search = SearchScreen(kiosk.catalog)
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
            self.keypad,
            self.checkin,
            self.search,
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
        self._setup_identification()
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
        # The technician menu: five taps in the top-left corner, then the PIN.
        self.technician = TechnicianController(self)
        self._shut_down = False
        self.set_language(self.default_language)
        self.show_screen("home")

    def _connect(self) -> None:
        self.top_bar.home_clicked.connect(self.go_home)
        self.top_bar.language_chosen.connect(self._on_language_chosen)
        self.overlay.continue_clicked.connect(self._on_continue)
        self.home.take_number.connect(self._take_number)
        self.category.category_chosen.connect(self.choose_category)
        self.category.back.connect(self.go_home)
        self.matter.matter_chosen.connect(self.choose_matter)
        self.matter.back.connect(lambda: self.show_screen("category"))
        self.route.back.connect(lambda: self.show_screen("matter"))
        self.route.confirm.connect(self.confirm)
        self.route.print_guide.connect(self._print_guide)
        self.route.want_window.connect(lambda: self.route.show_offer(False))
        # Smart routing: search, priority, one more matter, and leaving after a refusal.
        self._adding_matter = False
        self._issued_today: tuple[object, dict[str, int]] = (None, {})
        self.category.search.connect(self._open_search)
        self.search.matter_chosen.connect(self._choose_searched)
        self.search.back.connect(lambda: self.show_screen("category"))
        self.route.priority.connect(self._ask_priority)
        self.route.add_matter.connect(self._add_matter)
        self.route.home.connect(self.go_home)
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
            if name == "home":
                self.catalog_updates.apply_if_due()  # e.g. once a guide slip is printed
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
        self.technician.shutdown()
        self.devices.detach()
        self.profiles.stop()
        if self.hall_status is not None:
            self.hall_status.shutdown()
        self.calling_line.shutdown()
        self.catalog_updates.shutdown()
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
            self._forget_identification()
        self.devices.watch_for_cards(name == "identify")
        self.stack.setCurrentWidget(screen)
        self.top_bar.home_button.setVisible(name not in NO_HOME_BUTTON)
        retranslate_tree(screen, self.visit.language)
        self.idle.touch()
        if name == "home":
            self.catalog_updates.apply_if_due()  # a version that waited for the visit to end

    def _catalog_may_change(self) -> bool:
        """Between visits: home shown, nothing printing, nobody being looked up."""
        return (
            not self._shut_down
            and self.current_screen_name() == "home"
            and not self.desk.busy()
            and self._ticket_request is None
            and self._guide_request is None
            and getattr(self, "_profile_request", None) is None
        )

    def _rebuild_catalog_screens(self) -> None:
        """A new catalog version is in use: the screens that hold it show it."""
        catalog = self.kiosk.catalog
        self.category.set_categories(catalog.categories)
        self.search.set_catalog(catalog)
        # The matter, route and check-in screens are filled from kiosk.catalog on each
        # visit, and the 为您推荐 tiles from it at each identification.
        retranslate_tree(self.category, self.visit.language)
        retranslate_tree(self.search, self.visit.language)

    def choose_category(self, code: str) -> None:
        self.visit.category_code = code
        if not self._adding_matter:
            self.visit.matters = []
        self.visit.route = None
        catalog = self.kiosk.catalog
        self.matter.show_category(catalog.category(code), catalog.matters_in(code))
        self.show_screen("matter")

    def choose_matter(self, code: str) -> None:
        matter = self.kiosk.catalog.matter(code)
        if matter.real_name and self.visit.identity is None:
            self.open_identify(matter)
            return
        self.route_matters([matter])

    def route_matters(self, matters: Sequence[Matter]) -> None:
        if self._adding_matter:  # 一窗通办: the new matter joins those chosen before
            self._adding_matter = False
            matters = [*self.visit.matters, *(m for m in matters if m not in self.visit.matters)]
        self.visit.matters = list(matters)
        route = route_visit(
            self.visit.matters,
            self.kiosk.settings,
            self.visit_context(),
            rules=getattr(self.kiosk, "rules", None),  # None: the settings' rules file
        )
        self.visit.route = route
        self.route.show_route(route, required_documents(route.matters, self.kiosk.catalog))
        self._show_route_queue_state()
        self.desk.read_queue_states()
        self.show_screen("route")

    def confirm(self) -> None:
        route = self.visit.route
        if route is None or route.refusal is not None or self._ticket_request is not None:
            return
        self._ticket_request = self.desk.issue(route, self.visit.language)
        self.show_screen("printing")

    def _print_guide(self) -> None:
        if self.visit.route is None or self._guide_request is not None:
            return
        self._guide_request = self.desk.print_guide(self.visit.route, self.visit.language)
        self.route.set_guide_state(GuideSlipState.PRINTING)

    def _forget_visit(self) -> None:
        self._adding_matter = False
        self._ticket_request = None
        self._guide_request = None
        if self.visit.language != self.default_language or self.visit.matters:
            self.visit.reset(self.default_language)
            self.set_language(self.default_language)
        else:
            self.visit.reset(self.default_language)

    def visit_context(self) -> VisitContext:
        """What routing may know of this visit beyond its matters."""
        visit = self.visit
        return VisitContext(
            now=self.kiosk.clock.now().astimezone(ZoneInfo(self.kiosk.settings.kiosk.timezone)),
            identity=visit.identity,
            profile=visit.profile,
            appointment=visit.appointment,
            priority_requested=visit.priority_requested,
            queue_states=dict(self._queue_states),
            issued_today=self._issued_today_for_quotas(),
        )

    def _issued_today_for_quotas(self) -> dict[str, int]:
        """The hall's count of today's numbers per queue (every kiosk's); this kiosk's own
        count where the hall's is not known yet (or lags behind a ticket just issued)."""
        counts = self._issued_today_counts()
        for code, state in self._queue_states.items():
            if state.issued_today is not None:
                counts[code] = max(counts.get(code, 0), state.issued_today)
        return counts

    # ---- smart routing: search, priority, one more matter (一窗通办) --------------------

    def _open_search(self) -> None:
        self.search.clear()
        self.show_screen("search")

    def _choose_searched(self, code: str) -> None:
        self._show_matters_of(self.kiosk.catalog.matter(code))
        self.choose_matter(code)

    def _ask_priority(self) -> None:
        """我是老年人/残疾人/孕妇: route the same matters again, with priority."""
        self.visit.priority_requested = True
        if self.visit.matters:
            self.route_matters(self.visit.matters)

    def _add_matter(self) -> None:
        self._adding_matter = True
        self._show_category()

    def _issued_today_counts(self) -> dict[str, int]:
        """Numbers this kiosk issued today per queue, for the daily quotas."""
        day, counts = self._issued_today
        today = self.kiosk.clock.now().astimezone(ZoneInfo(self.kiosk.settings.kiosk.timezone))
        if day != today.date():
            self._issued_today = (today.date(), {})
            return {}
        return dict(counts)

    def _count_issued(self, ticket: IssuedTicket) -> None:
        self._issued_today_counts()  # a new day starts from nothing
        counts = self._issued_today[1]
        queue = ticket.reservation.queue_code
        counts[queue] = counts.get(queue, 0) + 1

    # ---- identification (实名办税) and appointment check-in (预约签到) -------------------

    def _setup_identification(self) -> None:
        kiosk = self.kiosk
        self.devices = DeviceBridge(
            getattr(kiosk, "card_watcher", None), getattr(kiosk, "scanner_watcher", None), self
        )
        self.profiles = ProfileDesk(identification_service(kiosk), self)
        self._profile_request: int | None = None
        self._real_name_matter: Matter | None = None
        self._check_in: CheckIn | None = None
        self.devices.card_event.connect(self._on_identified)
        self.devices.scan_event.connect(self._on_scan)
        self.profiles.profile_read.connect(self._on_profile)
        self.home.identify.connect(lambda: self.open_identify(None))
        self.identify.type_credit_code.connect(lambda: self._open_keypad(CREDIT_CODE))
        self.identify.type_appointment_code.connect(lambda: self._open_keypad(APPOINTMENT_CODE))
        self.identify.skip.connect(self._show_category)
        self.identify.back.connect(self._identify_back)
        self.keypad.back.connect(lambda: self.show_screen("identify"))
        self.keypad.code_entered.connect(self._on_code_typed)
        self.checkin.take_appointment.connect(self._take_appointment)
        self.checkin.other_matter.connect(self._after_identification)
        self.category.for_you.matter_chosen.connect(self._choose_recommended)

    def anonymous_tickets(self) -> bool:
        section = getattr(self.kiosk.settings, "identification", None)
        return bool(getattr(section, "anonymous_tickets", True))

    def open_identify(self, real_name_matter: Matter | None) -> None:
        """The identify screen; `real_name_matter` is the matter that asked for it."""
        self._real_name_matter = real_name_matter
        self._profile_request = None
        self.identify.prepare(
            real_name_matter,
            can_skip=self.anonymous_tickets() and real_name_matter is None,
            has_reader=self.devices.has_card_reader(),
        )
        self.show_screen("identify")

    def _take_number(self) -> None:
        if self.anonymous_tickets() or self.visit.identity is not None:
            self._show_category()
        else:
            self.open_identify(None)

    def _show_category(self) -> None:
        self.category.for_you.show_for(
            self.visit.identity, self.visit.profile, self.kiosk.catalog.matters
        )
        self.show_screen("category")

    def _identify_back(self) -> None:
        if self._real_name_matter is not None:
            self.show_screen("matter")
        else:
            self.go_home()

    def _open_keypad(self, kind: str) -> None:
        self.keypad.start(kind)
        self.show_screen("keypad")

    def _on_code_typed(self, kind: str, code: str) -> None:
        found = classify_code(code)
        if isinstance(found, Identity):
            self._look_up(found)
        else:
            self.keypad.show_problem(found.message)

    def _on_scan(self, result: object) -> None:
        """A scanned code counts where the taxpayer may identify; elsewhere it is ignored."""
        name = self.current_screen_name()
        if name not in ("home", "identify", "keypad") or self._profile_request is not None:
            return
        if name == "home":
            self.open_identify(None)
        self._on_identified(result)

    def _on_identified(self, result: object) -> None:
        """An Identity, or a CardRefused / CodeProblem with a message for the taxpayer."""
        if self.current_screen_name() not in ("identify", "keypad"):
            return  # a card read as the taxpayer left the screen
        self.idle.touch()
        if isinstance(result, Identity):
            self._look_up(result)
            return
        message = getattr(result, "message", None)
        if self.current_screen_name() != "identify":
            self.show_screen("identify")
        self.identify.show_problem(message if isinstance(message, Text) else None)

    def _look_up(self, identity: Identity) -> None:
        if self.current_screen_name() != "identify":
            self.show_screen("identify")
        self.identify.show_busy(True)
        self._profile_request = self.profiles.identify(identity)

    def _on_profile(self, request_id: int, identity: Identity, profile: TaxpayerProfile) -> None:
        if request_id != self._profile_request:
            return  # the visit it belonged to has ended
        self._profile_request = None
        if self.current_screen_name() != "identify":
            return
        self.identify.show_busy(False)
        booked_profile = profile
        if identity.kind is IdentityKind.APPOINTMENT_CODE:
            booked = find_appointment(profile, identity.key)
            if booked is None:
                self.identify.show_problem(texts.APPOINTMENT_UNKNOWN)
                return
            booked_profile = replace(profile, appointments=(booked,))
        self.visit.identity = identity
        self.visit.profile = profile
        checked = check_in(booked_profile, self.kiosk.clock.now(), self.kiosk.settings)
        if checked.status is CheckInStatus.NONE or checked.appointment is None:
            self._after_identification()
            return
        self._check_in = checked
        zone = ZoneInfo(self.kiosk.settings.kiosk.timezone)
        matters = self._catalog_matters(checked.appointment.matter_codes)
        self.checkin.show_check_in(
            identity,
            profile,
            checked.appointment.starts_at.astimezone(zone).strftime("%H:%M"),
            matters,
            checked.message,
            in_window=checked.status is CheckInStatus.IN_WINDOW and bool(matters),
        )
        self.show_screen("checkin")

    def _after_identification(self) -> None:
        """On to the matter that asked for identification, or to the categories."""
        matter, self._real_name_matter = self._real_name_matter, None
        if matter is not None:
            self.route_matters([matter])
        else:
            self._show_category()

    def _take_appointment(self) -> None:
        checked = self._check_in
        if checked is None or checked.appointment is None:
            return
        matters = self._catalog_matters(checked.appointment.matter_codes)
        if not matters:
            return
        self.visit.appointment = checked.appointment
        self._real_name_matter = None
        self._show_matters_of(matters[0])
        self.route_matters(matters)

    def _choose_recommended(self, code: str) -> None:
        self._show_matters_of(self.kiosk.catalog.matter(code))
        self.choose_matter(code)

    def _show_matters_of(self, matter: Matter) -> None:
        """The matter screen behind the route screen, for its Back button."""
        catalog = self.kiosk.catalog
        self.visit.category_code = matter.category
        self.matter.show_category(
            catalog.category(matter.category), catalog.matters_in(matter.category)
        )

    def _catalog_matters(self, codes: Sequence[str]) -> list[Matter]:
        known = {matter.code: matter for matter in self.kiosk.catalog.matters}
        return [known[code] for code in codes if code in known]

    def _forget_identification(self) -> None:
        """Nothing of the last taxpayer stays on any screen."""
        self._profile_request = None
        self._real_name_matter = None
        self._check_in = None
        self.identify.prepare(
            None, can_skip=self.anonymous_tickets(), has_reader=self.devices.has_card_reader()
        )
        self.keypad.start(CREDIT_CODE)
        self.category.for_you.show_for(None, UNKNOWN_PROFILE, ())

    # ---- results from the worker ------------------------------------------------------

    def _on_ticket_issued(self, request_id: int, ticket: IssuedTicket) -> None:
        if request_id != self._ticket_request:
            return  # the visit it belonged to has ended
        self._ticket_request = None
        self.last_ticket = ticket
        if ticket.outcome is not TicketOutcome.VOIDED:
            self._count_issued(ticket)
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

    def _on_hall_event(self, event: object) -> None:
        """A call or a pause changed the queues: the home screen's table follows."""
        changed = isinstance(event, HallEvent) and event.kind is HallEventKind.QUEUE_CHANGED
        if changed and self.current_screen_name() == "home" and not self._shut_down:
            self.desk.read_queue_states()

    def _on_printer_health(self, report: PrinterHealthReport) -> None:
        self.home.show_printer_paused(not report.can_print)

    def _on_language_chosen(self, language: str) -> None:
        self.set_language("en" if language == "en" else "zh")

    def _on_continue(self) -> None:
        self.idle.touch()
        self.overlay.hide()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        if not self.technician.may_close():  # kiosk mode: only the technician leaves it
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
