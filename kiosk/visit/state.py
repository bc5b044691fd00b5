"""What a visit is made of: the taxpayer's choices, the steps, and what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from kiosk.catalog import Catalog, Matter
from kiosk.clock import Clock
from kiosk.settings import Settings
from kiosk.taxpayer import UNKNOWN_PROFILE, Appointment, Identity, TaxpayerProfile
from kiosk.text import Language
from kiosk.triage import Route, RuleSet


class Step(Enum):
    """Where the taxpayer is; the UI shows one screen per step."""

    HOME = "home"
    SENIOR = "senior"  # senior mode's first screen: the hall's most common matters
    CATEGORY = "category"  # also where one more matter (一窗通办) is chosen
    SEARCH = "search"
    MATTER = "matter"
    IDENTIFY = "identify"  # an ID card, a scan, or a typed code (实名办税)
    CODE_ENTRY = "code_entry"  # a credit code or an appointment code typed
    CHECK_IN = "check_in"  # an appointment found (预约签到)
    ROUTE = "route"  # where to go; the confirm button, or a refusal
    PRINTING = "printing"
    DONE = "done"  # a printed ticket
    E_TICKET = "e_ticket"  # a number, but no paper: photograph it
    FAILED = "failed"  # no number: the staff help


class Change(Enum):
    """What a listener is told changed (it reads the rest from the machine)."""

    STEP = "step"  # a step entered (again): its screen is shown
    LANGUAGE = "language"
    CATEGORY = "category"  # the category whose matters are listed
    FOR_YOU = "for_you"  # who is greeted on the category step (为您推荐)
    IDENTIFY_OPENED = "identify_opened"  # a fresh identify step: why, and may it be skipped
    CODE_KIND = "code_kind"  # which code is typed, from nothing
    PROBLEM = "problem"  # the identify or code entry step's problem line
    LOOKING_UP = "looking_up"  # a taxpayer's profile is being fetched
    ROUTE = "route"  # a new route for the chosen matters
    GUIDE_SLIP = "guide_slip"
    QUEUE_STATES = "queue_states"
    TICKET = "ticket"  # a ticket came back from the printer side
    COUNTDOWN = "countdown"  # "are you still there?" shown, counting, or hidden
    SENIOR = "senior"  # senior mode (长者模式) turned on or off
    HELP = "help"  # the visitor asked for a guide (一键求助)


class GuideSlip(Enum):
    """The self-service guide slip of the route step."""

    NONE = "none"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"


class IdentifyProblem(Enum):
    """A problem the visit finds itself (the devices' problems come as their Text)."""

    APPOINTMENT_UNKNOWN = "appointment_unknown"


@dataclass
class Visit:
    """Everything known about the taxpayer at the kiosk now; reset between visits."""

    language: Language = "zh"
    category_code: str | None = None
    matters: list[Matter] = field(default_factory=list)
    route: Route | None = None
    identity: Identity | None = None  # never kept after the visit
    profile: TaxpayerProfile = UNKNOWN_PROFILE
    appointment: Appointment | None = None  # checked in, inside its window
    priority_requested: bool = False
    senior: bool = False  # senior mode (长者模式): large type, fewer choices, read aloud

    def reset(self, language: Language, *, senior: bool = False) -> None:
        self.language = language
        self.senior = senior
        self.category_code = None
        self.matters = []
        self.route = None
        self.identity = None
        self.profile = UNKNOWN_PROFILE
        self.appointment = None
        self.priority_requested = False


class VisitHost(Protocol):
    """What the visit reads of the kiosk (kiosk.app.Kiosk), live: a new catalog
    version applied between visits is the next visit's."""

    @property
    def settings(self) -> Settings: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def rules(self) -> RuleSet | None: ...  # None: the settings' rules file


class VisitRequests(Protocol):
    """Work the visit asks for and never waits on: each call returns at once, and the
    result comes back later as an event (`ticket_issued`, `profile_read`, ...)."""

    def issue_ticket(self, route: Route, language: Language) -> int: ...

    def print_guide(self, route: Route, language: Language) -> int: ...

    def look_up(self, identity: Identity) -> int: ...

    def read_queue_states(self) -> None: ...

    def ask_for_help(self, step: str) -> None:
        """Call a guide to the kiosk (一键求助); `step` says where the visitor is."""
        ...

    def busy(self) -> bool:
        """A ticket or a guide slip is being printed (for this visit or one before)."""
        ...
