"""A visit machine on a fake kiosk: real settings and catalog, a fake clock, and
requests that are recorded and answered by the test."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.catalog import Catalog
from kiosk.clock import FakeClock
from kiosk.hall.base import Reservation
from kiosk.settings import Settings
from kiosk.taxpayer import Identity
from kiosk.text import Language
from kiosk.tickets import IssuedTicket, TicketOutcome
from kiosk.triage import Route, RuleSet
from kiosk.visit import Change, VisitMachine
from tests.helpers.fakes import default_catalog, make_settings


@dataclass
class VisitHostDouble:
    settings: Settings
    catalog: Catalog
    clock: FakeClock
    rules: RuleSet | None = None


@dataclass
class RecordedRequests:
    """kiosk.visit.VisitRequests that only writes down what it was asked."""

    tickets: list[tuple[int, Route, Language]] = field(default_factory=list)
    guides: list[tuple[int, Route, Language]] = field(default_factory=list)
    look_ups: list[tuple[int, Identity]] = field(default_factory=list)
    queue_reads: int = 0
    helps: list[str] = field(default_factory=list)  # the step of each 一键求助
    printing: bool = False
    _next_id: int = 0

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def issue_ticket(self, route: Route, language: Language) -> int:
        self.tickets.append((self._new_id(), route, language))
        return self._next_id

    def print_guide(self, route: Route, language: Language) -> int:
        self.guides.append((self._new_id(), route, language))
        return self._next_id

    def look_up(self, identity: Identity) -> int:
        self.look_ups.append((self._new_id(), identity))
        return self._next_id

    def read_queue_states(self) -> None:
        self.queue_reads += 1

    def ask_for_help(self, step: str) -> None:
        self.helps.append(step)

    def busy(self) -> bool:
        return self.printing


@dataclass
class VisitHarness:
    machine: VisitMachine
    requests: RecordedRequests
    host: VisitHostDouble
    changes: list[Change]

    @property
    def clock(self) -> FakeClock:
        return self.host.clock

    def issued(self, outcome: TicketOutcome = TicketOutcome.PRINTED) -> IssuedTicket:
        """The last ticket asked for, come back with `outcome`."""
        request_id, route, _ = self.requests.tickets[-1]
        ticket = ticket_for(route, outcome, number=f"T{request_id:03d}")
        self.machine.ticket_issued(request_id, ticket)
        return ticket


def ticket_for(route: Route, outcome: TicketOutcome, number: str = "A001") -> IssuedTicket:
    now = FakeClock().now()
    reservation = Reservation(
        ticket_id=f"id-{number}",
        number=number,
        queue_code=route.queue.code,
        business_day=now.date(),
        issued_at=now,
        people_ahead=0,
        estimated_wait_minutes=0,
    )
    return IssuedTicket(reservation, route, outcome, qr_url="https://example.invalid", documents=())


def visit_harness(tmp_path: Path, **overrides: Any) -> VisitHarness:
    settings = make_settings(tmp_path, **overrides)
    host = VisitHostDouble(settings, default_catalog(settings), FakeClock())
    requests = RecordedRequests()
    machine = VisitMachine(host, requests)
    changes: list[Change] = []
    machine.subscribe(changes.append)
    machine.go_home()
    changes.clear()
    return VisitHarness(machine, requests, host, changes)
