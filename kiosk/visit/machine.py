"""The visit from home to a ticket, and back home, as a state machine without a screen.

home -> category -> matter -> route -> printing -> done | e_ticket | failed -> home

with the detours: search (category -> search -> route), identification (home or a
real-name matter -> identify -> code entry -> check-in), several matters on one
number (route -> category -> matter -> route, 一窗通办), priority (route -> route),
and the idle time-out (any step -> "are you still there?" -> home, all forgotten;
kiosk/visit/core.py).

Touches come in as method calls; the machine tells its listeners what changed
(Change) and never blocks: printing and look-ups are asked of VisitRequests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kiosk.catalog import Matter
from kiosk.identity import (
    CardRefused,
    CheckInStatus,
    CodeProblem,
    check_in,
    classify_code,
    find_appointment,
)
from kiosk.taxpayer import Identity, IdentityKind, TaxpayerProfile
from kiosk.text import Text
from kiosk.triage import route_visit
from kiosk.visit.core import VisitCore
from kiosk.visit.state import Change, GuideSlip, IdentifyProblem, Step

# Steps where a scanned code is taken as the taxpayer identifying themselves.
SCAN_STEPS = frozenset({Step.HOME, Step.IDENTIFY, Step.CODE_ENTRY})
# Steps where a card on the reader counts.
CARD_STEPS = frozenset({Step.IDENTIFY, Step.CODE_ENTRY})
# The identities a taxpayer may type.
TYPED_KINDS = frozenset({IdentityKind.CREDIT_CODE, IdentityKind.APPOINTMENT_CODE})
# Where Back leads from each step (IDENTIFY depends on why it was opened).
BACK_TO = {
    Step.MATTER: Step.CATEGORY,
    Step.SEARCH: Step.CATEGORY,
    Step.ROUTE: Step.MATTER,
    Step.CODE_ENTRY: Step.IDENTIFY,
}


class VisitMachine(VisitCore):
    """The taxpayer's moves: each touch is a method, each result an event."""

    # ---- the taxpayer's way to a route and a ticket ----------------------------------

    def back(self) -> None:
        """The Back button of the step shown."""
        if self.visit.senior and self.step in (Step.CATEGORY, Step.SEARCH):
            self._enter(Step.SENIOR)  # senior mode's start is its own screen
        elif self.step in (Step.CATEGORY, Step.SENIOR):
            self.go_home()
        elif self.step is Step.IDENTIFY:
            if self.real_name_matter is not None:
                self._enter(Step.MATTER)
            else:
                self.go_home()
        elif self.step in BACK_TO:
            self._enter(BACK_TO[self.step])

    def take_number(self) -> None:
        if self.anonymous_tickets() or self.visit.identity is not None:
            self._show_start()
        else:
            self.open_identify(None)

    def start_senior(self) -> None:
        """The home screen's 长者模式 button: large type, fewer choices, read aloud."""
        if not self.visit.senior:
            self.set_senior(True)
        self.take_number()

    def ask_for_help(self) -> None:
        """一键求助: a guide is called to the kiosk (no personal data goes with it)."""
        self.idle.touch()
        self._requests.ask_for_help(self.step.value)
        self.help_called = True
        self._emit(Change.HELP)

    def help_seen(self) -> None:
        """The visitor closed "a guide is coming"."""
        if self.help_called:
            self.help_called = False
            self._emit(Change.HELP)

    def choose_category(self, code: str) -> None:
        self.visit.category_code = code
        if not self.adding_matter:
            self.visit.matters = []
        self.visit.route = None
        self._emit(Change.CATEGORY)
        self._enter(Step.MATTER)

    def open_search(self) -> None:
        self._enter(Step.SEARCH)

    def choose_matter(self, code: str) -> None:
        matter = self._host.catalog.matter(code)
        if matter.real_name and self.visit.identity is None:
            self.open_identify(matter)
            return
        self.route_matters([matter])

    def choose_listed_matter(self, code: str) -> None:
        """A matter found by search or recommended (为您推荐): its category's matters
        stand behind the route step, for its Back button."""
        self._show_matters_of(self._host.catalog.matter(code))
        self.choose_matter(code)

    def route_matters(self, matters: Sequence[Matter]) -> None:
        if self.adding_matter:  # 一窗通办: the new matter joins those chosen before
            self.adding_matter = False
            chosen = self.visit.matters
            matters = [*chosen, *(matter for matter in matters if matter not in chosen)]
        self._route(matters)
        self._enter(Step.ROUTE)

    def _route(self, matters: Sequence[Matter]) -> None:
        self.visit.matters = list(matters)
        self.visit.route = route_visit(
            self.visit.matters, self._host.settings, self.visit_context(), rules=self._host.rules
        )
        self.guide_slip = GuideSlip.NONE
        self._emit(Change.ROUTE)
        self._requests.read_queue_states()

    def ask_priority(self) -> None:
        """我是老年人/残疾人/孕妇: route the same matters again, with priority."""
        self.visit.priority_requested = True
        if self.visit.matters:
            self.route_matters(self.visit.matters)
        elif self.step is Step.SENIOR:  # offered at once in senior mode: shown as chosen
            self._enter(Step.SENIOR)

    def show_categories(self) -> None:
        """Every category (senior mode's 其他业务)."""
        self._show_category()

    def add_matter(self) -> None:
        self.adding_matter = True
        self._show_category()

    def confirm(self) -> None:
        route = self.visit.route
        if route is None or route.refusal is not None or self._ticket_request is not None:
            return
        self._ticket_request = self._requests.issue_ticket(route, self.visit.language)
        self._enter(Step.PRINTING)

    def print_guide(self) -> None:
        if self.visit.route is None or self._guide_request is not None:
            return
        self._guide_request = self._requests.print_guide(self.visit.route, self.visit.language)
        self.guide_slip = GuideSlip.PRINTING
        self._emit(Change.GUIDE_SLIP)

    def _show_category(self) -> None:
        self._emit(Change.FOR_YOU)
        self._enter(Step.CATEGORY)

    def _show_start(self) -> None:
        """Where a visit starts choosing: senior mode's few large choices, or the categories."""
        if self.visit.senior:
            self._enter(Step.SENIOR)
        else:
            self._show_category()

    def _show_matters_of(self, matter: Matter) -> None:
        self.visit.category_code = matter.category
        self._emit(Change.CATEGORY)

    # ---- identification (实名办税) and appointment check-in (预约签到) -----------------------

    def open_identify(self, real_name_matter: Matter | None) -> None:
        """The identify step; `real_name_matter` is the matter that asked for it."""
        self.real_name_matter = real_name_matter
        self._profile_request = None
        self.problem = None
        self._emit(Change.IDENTIFY_OPENED)
        self._enter(Step.IDENTIFY)

    def skip_identification(self) -> None:
        self._show_start()

    def enter_code(self, kind: IdentityKind) -> None:
        """Type a credit code or an appointment code (TYPED_KINDS) on the code pad."""
        if kind not in TYPED_KINDS:
            raise ValueError(f"a {kind.value} is not typed")
        self.code_kind = kind
        self._emit(Change.CODE_KIND)
        self._enter(Step.CODE_ENTRY)

    def code_entered(self, code: str) -> None:
        found = classify_code(code)
        if isinstance(found, Identity):
            self._look_up(found)
        else:
            self._show_problem(found.message)

    def card_read(self, result: object) -> None:
        """An Identity, or a CardRefused / CodeProblem with a message for the taxpayer."""
        if self.step not in CARD_STEPS:
            return  # a card read as the taxpayer left the step
        self.idle.touch()
        if isinstance(result, Identity):
            self._look_up(result)
            return
        if self.step is not Step.IDENTIFY:
            self._enter(Step.IDENTIFY)
        if isinstance(result, CardRefused | CodeProblem):
            self._show_problem(result.message)
        else:
            self._show_problem(None)

    def code_scanned(self, result: object) -> None:
        """A scanned code counts where the taxpayer may identify; elsewhere it is ignored."""
        if self.step not in SCAN_STEPS or self._profile_request is not None:
            return
        if self.step is Step.HOME:
            self.open_identify(None)
        self.card_read(result)

    def profile_read(self, request_id: int, identity: Identity, profile: TaxpayerProfile) -> None:
        if request_id != self._profile_request:
            return  # the visit it belonged to has ended
        self._profile_request = None
        if self.step is not Step.IDENTIFY:
            return
        self._emit(Change.LOOKING_UP)
        booked_profile = profile
        if identity.kind is IdentityKind.APPOINTMENT_CODE:
            booked = find_appointment(profile, identity.key)
            if booked is None:
                self._show_problem(IdentifyProblem.APPOINTMENT_UNKNOWN)
                return
            booked_profile = replace(profile, appointments=(booked,))
        self.visit.identity = identity
        self.visit.profile = profile
        self._senior_by_age(identity)
        checked = check_in(booked_profile, self._host.clock.now(), self._host.settings)
        if checked.status is CheckInStatus.NONE or checked.appointment is None:
            self.after_identification()
            return
        self.check_in = checked
        self._enter(Step.CHECK_IN)

    def after_identification(self) -> None:
        """On to the matter that asked for identification, or to the categories."""
        matter, self.real_name_matter = self.real_name_matter, None
        if matter is not None:
            self.route_matters([matter])
        else:
            self._show_start()

    def take_appointment(self) -> None:
        """签到并取号: only inside the appointment's window, for its matters."""
        checked = self.check_in
        if checked is None or checked.appointment is None or not self.can_check_in():
            return
        matters = self.check_in_matters()
        self.visit.appointment = checked.appointment
        self.real_name_matter = None
        self._show_matters_of(matters[0])
        self._route(matters)
        # The booking chose the matters and the tap confirmed them: straight to the ticket.
        # Only a refusal (the hall closed since) shows the route, to say what to do.
        if self.visit.route is not None and self.visit.route.refusal is None:
            self.confirm()
        else:
            self._enter(Step.ROUTE)

    def _senior_by_age(self, identity: Identity) -> None:
        """Senior mode at once for a visitor of ui.senior_from_age and over (ID card)."""
        from_age = self._host.settings.ui.senior_from_age
        age = identity.age_on(self._host.clock.now().astimezone(self._zone).date())
        if from_age and age is not None and age >= from_age and not self.visit.senior:
            self.set_senior(True)

    def _look_up(self, identity: Identity) -> None:
        if self.step is not Step.IDENTIFY:
            self._enter(Step.IDENTIFY)
        self._profile_request = self._requests.look_up(identity)
        self._emit(Change.LOOKING_UP)

    def _show_problem(self, problem: Text | IdentifyProblem | None) -> None:
        self.problem = problem
        self._emit(Change.PROBLEM)
