"""What the visit says changed, shown on the kiosk window's screens.

kiosk.visit.VisitMachine decides; VisitView only maps its step to a screen and
fills the screens from the machine's state. VisitRequestsOnThreads is how the
machine asks for printing and look-ups without waiting: on the worker threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.hall.base import QueueState
from kiosk.taxpayer import Identity
from kiosk.text import Language, Text
from kiosk.tickets import TicketOutcome, required_documents
from kiosk.triage import Route
from kiosk.visit import Change, IdentifyProblem, Step
from ui import texts
from ui.device_bridges import ProfileBridge
from ui.ticket_bridge import TicketBridge
from ui.widgets import retranslate_tree

if TYPE_CHECKING:
    from ui.main_window import KioskWindow

# The screen (Screen.name) of each step.
SCREEN_OF_STEP = {
    Step.HOME: "home",
    Step.SENIOR: "senior",
    Step.CATEGORY: "category",
    Step.SEARCH: "search",
    Step.MATTER: "matter",
    Step.IDENTIFY: "identify",
    Step.CODE_ENTRY: "code_entry",
    Step.CHECK_IN: "checkin",
    Step.ROUTE: "route",
    Step.PRINTING: "printing",
    Step.DONE: "done",
    Step.E_TICKET: "eticket",
    Step.FAILED: "failed",
}
# Home itself, a print under way, and the outcomes (they have their own button home).
NO_HOME_BUTTON = frozenset({Step.HOME, Step.PRINTING, Step.DONE, Step.E_TICKET, Step.FAILED})


def problem_text(problem: IdentifyProblem) -> Text:
    """Read when shown, not at import: a hall's wording installed later counts."""
    match problem:
        case IdentifyProblem.APPOINTMENT_UNKNOWN:
            return texts.APPOINTMENT_UNKNOWN


class VisitRequestsOnThreads:
    """kiosk.visit.VisitRequests over the worker threads' bridges."""

    def __init__(self, tickets: TicketBridge, profiles: ProfileBridge) -> None:
        self._tickets = tickets
        self._profiles = profiles

    def issue_ticket(self, route: Route, language: Language) -> int:
        return self._tickets.issue(route, language)

    def print_guide(self, route: Route, language: Language) -> int:
        return self._tickets.print_guide(route, language)

    def look_up(self, identity: Identity) -> int:
        return self._profiles.identify(identity)

    def read_queue_states(self) -> None:
        self._tickets.read_queue_states()

    def ask_for_help(self, step: str) -> None:
        self._tickets.ask_for_help(step)

    def busy(self) -> bool:
        return self._tickets.busy()


class VisitView:
    """Listens to the window's visit machine and updates the window's screens."""

    def __init__(self, window: KioskWindow) -> None:
        self._window = window
        self._machine = window.visit_machine
        self._handlers = {
            Change.STEP: self._show_step,
            Change.LANGUAGE: self._show_language,
            Change.CATEGORY: self._show_category_matters,
            Change.FOR_YOU: self._show_for_you,
            Change.IDENTIFY_OPENED: self._prepare_identify,
            Change.CODE_KIND: self._start_code_entry,
            Change.PROBLEM: self._show_problem,
            Change.LOOKING_UP: self._show_looking_up,
            Change.ROUTE: self._show_route,
            Change.GUIDE_SLIP: self._show_guide_slip,
            Change.QUEUE_STATES: self._show_queue_states,
            Change.TICKET: self._show_ticket,
            Change.COUNTDOWN: self._show_countdown,
            Change.SENIOR: self._show_senior,
            Change.HELP: self._show_help,
        }
        self._machine.subscribe(self._on_change)

    def detach(self) -> None:
        self._machine.unsubscribe(self._on_change)

    def _on_change(self, change: Change) -> None:
        self._handlers[change]()

    def _show_step(self) -> None:
        window, step = self._window, self._machine.step
        screen = window.screens[SCREEN_OF_STEP[step]]
        window.overlay.hide()
        if step is Step.HOME:
            window.home.show_queue_states(None)  # "being read" until the states come
        elif step is Step.SEARCH:
            window.search.clear()
        elif step is Step.CHECK_IN:
            self._show_check_in()
        elif step is Step.SENIOR:
            window.senior.show_matters(
                self._machine.senior_matters(), priority=self._machine.visit.priority_requested
            )
        window.devices.watch_for_cards(step is Step.IDENTIFY)
        window.stack.setCurrentWidget(screen)
        window.top_bar.home_button.setVisible(step not in NO_HOME_BUTTON)
        retranslate_tree(screen, self._machine.visit.language)
        if step is Step.HOME:
            window.catalog_updates.apply_if_due()  # a version that waited for the visit to end
        window.senior_mode.screen_shown(screen)  # senior mode reads it aloud

    def _show_language(self) -> None:
        language = self._machine.visit.language
        self._window.top_bar.show_language(language)
        retranslate_tree(self._window, language)

    def _show_category_matters(self) -> None:
        code = self._machine.visit.category_code
        if code is None:
            return
        catalog = self._window.kiosk.catalog
        self._window.matter.show_category(catalog.category(code), catalog.matters_in(code))

    def _show_for_you(self) -> None:
        visit = self._machine.visit
        matters = self._window.kiosk.catalog.matters if visit.identity is not None else ()
        self._window.category.for_you.show_for(visit.identity, visit.profile, matters)

    def _prepare_identify(self) -> None:
        self._window.identify.prepare(
            self._machine.real_name_matter,
            can_skip=self._machine.may_skip_identification(),
            has_reader=self._window.devices.has_card_reader(),
        )

    def _start_code_entry(self) -> None:
        self._window.code_entry.start(self._machine.code_kind)

    def _show_problem(self) -> None:
        problem = self._machine.problem
        text: Text | None = (
            problem_text(problem) if isinstance(problem, IdentifyProblem) else problem
        )
        if self._machine.step is Step.CODE_ENTRY:
            self._window.code_entry.show_problem(text)
        else:
            self._window.identify.show_problem(text)

    def _show_looking_up(self) -> None:
        self._window.identify.show_busy(self._machine.looking_up())

    def _show_check_in(self) -> None:
        machine = self._machine
        checked, identity = machine.check_in, machine.visit.identity
        if checked is None or identity is None:
            return
        self._window.checkin.show_check_in(
            identity,
            machine.visit.profile,
            machine.check_in_time(),
            machine.check_in_matters(),
            checked.message,
            in_window=machine.can_check_in(),
        )

    def _show_route(self) -> None:
        route = self._machine.visit.route
        if route is None:
            return
        documents = required_documents(route.matters, self._window.kiosk.catalog)
        self._window.route.show_route(route, documents)
        if self._machine.visit.senior:  # fewer choices: priority was offered at once
            self._window.route.priority_button.hide()
            self._window.route.add_matter_button.hide()
        self._show_route_queue_state()

    def _show_guide_slip(self) -> None:
        self._window.route.set_guide_state(self._machine.guide_slip)

    def _show_queue_states(self) -> None:
        self._window.home.show_queue_states(self._machine.queue_states)
        self._window.idle_screen.show_queue_states(self._machine.queue_states)
        self._show_route_queue_state()

    def _show_route_queue_state(self) -> None:
        route = self._machine.visit.route
        if route is not None:
            state: QueueState | None = self._machine.queue_states.get(route.queue.code)
            self._window.route.show_queue_state(state)

    def _show_ticket(self) -> None:
        ticket = self._window.last_ticket = self._machine.last_ticket
        if ticket is None:
            return
        if ticket.outcome is TicketOutcome.PRINTED:
            self._window.done.show_ticket(ticket)
        elif ticket.outcome is TicketOutcome.E_TICKET:
            self._window.eticket.show_ticket(ticket)

    def _show_senior(self) -> None:
        self._window.senior_mode.set_senior(self._machine.visit.senior)

    def _show_help(self) -> None:
        self._window.help_notice.set_shown(self._machine.help_called)

    def _show_countdown(self) -> None:
        seconds = self._machine.countdown
        if seconds is None:
            self._window.overlay.hide()
        else:
            self._window.overlay.show_countdown(seconds)
