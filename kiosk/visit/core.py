"""The state of a visit and its plumbing: listeners, entering a step, forgetting,
the results of work done elsewhere, and the idle time-out. The taxpayer's own moves
are kiosk/visit/machine.py's.

Results of work done elsewhere (a ticket printed, a profile fetched, the queue states
read) come in as events carrying the request id the visit was given, so that a result
that outlived its visit is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from zoneinfo import ZoneInfo

from kiosk.catalog import Matter
from kiosk.hall.base import QueueState
from kiosk.identity import CheckIn, CheckInStatus
from kiosk.taxpayer import IdentityKind
from kiosk.text import LANGUAGES, Language, Text
from kiosk.tickets import IssuedTicket, TicketOutcome
from kiosk.triage import VisitContext
from kiosk.visit.idle import IdlePhase, IdleTimer
from kiosk.visit.quotas import IssuedToday, counts_for_quotas
from kiosk.visit.state import (
    Change,
    GuideSlip,
    IdentifyProblem,
    Step,
    Visit,
    VisitHost,
    VisitRequests,
)

log = logging.getLogger(__name__)

Listener = Callable[[Change], None]

# Steps where nobody is deciding anything: no "are you still there?" there.
NO_COUNTDOWN = frozenset({Step.HOME, Step.PRINTING, Step.DONE})


class VisitCore:
    """What the visit knows and how it changes step; listeners hear every change."""

    def __init__(self, host: VisitHost, requests: VisitRequests) -> None:
        self._host = host
        self._requests = requests
        settings = host.settings
        self.default_language: Language = settings.kiosk.language
        self._zone = ZoneInfo(settings.kiosk.timezone)
        self.visit = Visit(language=self.default_language)
        self.idle = IdleTimer(
            host.clock, settings.ui.inactivity_seconds, settings.ui.countdown_seconds
        )
        self.step = Step.HOME
        self.adding_matter = False  # 一窗通办: the next matter joins those chosen
        self.guide_slip = GuideSlip.NONE
        self.queue_states: dict[str, QueueState] = {}
        self.last_ticket: IssuedTicket | None = None
        self.countdown: int | None = None  # seconds left while "are you still there?"
        self.real_name_matter: Matter | None = None  # the matter that asked to identify
        self.code_kind = IdentityKind.CREDIT_CODE
        self.problem: Text | IdentifyProblem | None = None
        self.check_in: CheckIn | None = None
        self.help_called = False  # 一键求助: "a guide is coming" shown until dismissed
        self._issued = IssuedToday(host.clock, self._zone)
        self._ticket_request: int | None = None
        self._guide_request: int | None = None
        self._profile_request: int | None = None
        self._done_since: float | None = None
        self._listeners: list[Listener] = []

    # ---- listeners -------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # ---- what the visit knows --------------------------------------------------------

    def anonymous_tickets(self) -> bool:
        return self._host.settings.identification.anonymous_tickets

    def may_skip_identification(self) -> bool:
        """Only where the hall allows anonymous tickets, and no real-name matter asks."""
        return self.anonymous_tickets() and self.real_name_matter is None

    def looking_up(self) -> bool:
        return self._profile_request is not None

    def at_rest(self) -> bool:
        """Between visits: home, nothing printing, nobody being looked up."""
        return (
            self.step is Step.HOME
            and not self._requests.busy()
            and self._ticket_request is None
            and self._guide_request is None
            and self._profile_request is None
        )

    def visit_context(self) -> VisitContext:
        """What routing may know of this visit beyond its matters."""
        visit = self.visit
        return VisitContext(
            now=self._host.clock.now().astimezone(self._zone),
            identity=visit.identity,
            profile=visit.profile,
            appointment=visit.appointment,
            priority_requested=visit.priority_requested,
            queue_states=dict(self.queue_states),
            issued_today=counts_for_quotas(self._issued.counts(), self.queue_states),
        )

    def check_in_matters(self) -> list[Matter]:
        """The catalog's matters of the appointment found (unknown codes left out)."""
        if self.check_in is None or self.check_in.appointment is None:
            return []
        return self._catalog_matters(self.check_in.appointment.matter_codes)

    def check_in_time(self) -> str:
        """The appointment's time as the hall reads it (HH:MM)."""
        if self.check_in is None or self.check_in.appointment is None:
            return ""
        return self.check_in.appointment.starts_at.astimezone(self._zone).strftime("%H:%M")

    def can_check_in(self) -> bool:
        checked = self.check_in
        in_window = checked is not None and checked.status is CheckInStatus.IN_WINDOW
        return in_window and bool(self.check_in_matters())

    # ---- entering a step, and forgetting ---------------------------------------------

    def _enter(self, step: Step) -> None:
        """Show `step` (again): the countdown goes, and the taxpayer counts as present."""
        self.step = step
        self._done_since = None
        self._hide_countdown()
        if step is Step.HOME:
            self._forget_identification()
            self._requests.read_queue_states()
        self.idle.touch()
        self._emit(Change.STEP)

    def set_language(self, language: Language) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.visit.language = language
        self._emit(Change.LANGUAGE)

    def set_senior(self, on: bool) -> None:
        """Senior mode (长者模式) on or off: the longer idle time-out comes with it."""
        ui = self._host.settings.ui
        self.visit.senior = on
        self.idle.inactivity_seconds = ui.senior_inactivity_seconds if on else ui.inactivity_seconds
        self._emit(Change.SENIOR)

    def senior_matters(self) -> list[Matter]:
        """The hall's most common matters, most common first (ui.senior_matters)."""
        return self._catalog_matters(self._host.settings.ui.senior_matters)

    def go_home(self) -> None:
        """Home within the same visit (the home button): the language stays."""
        self.adding_matter = False
        self.visit.reset(self.visit.language, senior=self.visit.senior)
        self._enter(Step.HOME)

    def finish_visit(self) -> None:
        """The visit is over: home, and everything forgotten, the language too."""
        self._forget_visit()
        self._enter(Step.HOME)

    def _catalog_matters(self, codes: Sequence[str]) -> list[Matter]:
        known = {matter.code: matter for matter in self._host.catalog.matters}
        return [known[code] for code in codes if code in known]

    def _forget_visit(self) -> None:
        self.adding_matter = False
        self._ticket_request = None
        self._guide_request = None
        retranslate = self.visit.language != self.default_language or bool(self.visit.matters)
        was_senior = self.visit.senior
        self.visit.reset(self.default_language)
        if self.help_called:
            self.help_called = False
            self._emit(Change.HELP)
        if was_senior:  # the visit's end returns to normal mode
            self.set_senior(False)
        if retranslate:
            self._emit(Change.LANGUAGE)

    def _forget_identification(self) -> None:
        """Nothing of the last taxpayer stays on any step."""
        self._profile_request = None
        self.real_name_matter = None
        self.check_in = None
        self.problem = None
        self.code_kind = IdentityKind.CREDIT_CODE
        self._emit(Change.IDENTIFY_OPENED)
        self._emit(Change.CODE_KIND)
        self._emit(Change.FOR_YOU)

    # ---- results of the work asked for -----------------------------------------------

    def ticket_issued(self, request_id: int, ticket: IssuedTicket) -> None:
        if request_id != self._ticket_request:
            return  # the visit it belonged to has ended
        self._ticket_request = None
        self.last_ticket = ticket
        if ticket.outcome is not TicketOutcome.VOIDED:
            self._issued.count(ticket.reservation.queue_code)
        self._emit(Change.TICKET)
        if ticket.outcome is TicketOutcome.PRINTED:
            self._enter(Step.DONE)
            self._done_since = self._host.clock.monotonic()
        elif ticket.outcome is TicketOutcome.E_TICKET:
            self._enter(Step.E_TICKET)
        else:
            self._enter(Step.FAILED)

    def ticket_failed(self, request_id: int, reason: str) -> None:
        if request_id != self._ticket_request:
            return
        self._ticket_request = None
        log.warning("the taxpayer was sent to the staff: %s", reason)
        self._enter(Step.FAILED)

    def guide_printed(self, request_id: int, printed: bool) -> None:
        if request_id != self._guide_request:
            return
        self._guide_request = None
        self.guide_slip = GuideSlip.PRINTED if printed else GuideSlip.FAILED
        self._emit(Change.GUIDE_SLIP)

    def queue_states_read(self, states: Mapping[str, QueueState]) -> None:
        self.queue_states = dict(states)
        self._emit(Change.QUEUE_STATES)

    # ---- nobody there ----------------------------------------------------------------

    def touch(self) -> None:
        """Any touch anywhere: the taxpayer is still there."""
        self.idle.touch()

    def keep_going(self) -> None:
        """The countdown's continue button."""
        self.idle.touch()
        self._hide_countdown()

    def tick(self) -> None:
        """Called often (every 250 ms): the countdown, going home when nobody is there,
        and the done step's own return home."""
        if self.step is Step.PRINTING or self._requests.busy():
            self.idle.touch()  # a print in progress is not inactivity
            return
        if self.step is Step.DONE and self._done_since is not None:
            shown_for = self._host.clock.monotonic() - self._done_since
            if shown_for >= self._host.settings.ui.done_seconds:
                self.finish_visit()
            return
        phase = self.idle.phase()
        if phase is IdlePhase.ACTIVE or self.step in NO_COUNTDOWN:
            self._hide_countdown()
            if self.step is Step.HOME and phase is IdlePhase.EXPIRED:
                self._forget_visit()  # e.g. the language a taxpayer chose and left
            return
        if phase is IdlePhase.COUNTDOWN:
            remaining = self.idle.countdown_remaining()
            if remaining != self.countdown:
                self.countdown = remaining
                self._emit(Change.COUNTDOWN)
            return
        log.info("nobody at the kiosk: back to the start")
        self.finish_visit()

    def _hide_countdown(self) -> None:
        if self.countdown is not None:
            self.countdown = None
            self._emit(Change.COUNTDOWN)
