"""The visit as a state machine, without a screen: every step, back, 一窗通办, tickets."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.tickets import TicketOutcome
from kiosk.visit import Change, GuideSlip, Step
from tests.helpers.visit import VisitHarness, visit_harness


@pytest.fixture
def harness(tmp_path: Path) -> VisitHarness:
    return visit_harness(tmp_path)


def route_to(harness: VisitHarness, category: str, matter: str) -> None:
    harness.machine.take_number()
    harness.machine.choose_category(category)
    harness.machine.choose_matter(matter)


def test_home_reads_the_queues_and_forgets_who_was_there(harness: VisitHarness) -> None:
    machine = harness.machine
    assert machine.step is Step.HOME
    reads = harness.requests.queue_reads
    machine.go_home()
    assert harness.requests.queue_reads == reads + 1
    assert harness.changes[-1] is Change.STEP
    assert {Change.IDENTIFY_OPENED, Change.CODE_KIND, Change.FOR_YOU} <= set(harness.changes)


def test_a_visit_from_home_to_a_printed_ticket(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.take_number()
    assert machine.step is Step.CATEGORY
    machine.choose_category("invoices")
    assert machine.step is Step.MATTER
    assert machine.visit.category_code == "invoices"
    assert harness.changes[-2:] == [Change.CATEGORY, Change.STEP]
    machine.choose_matter("M0202")
    assert machine.step is Step.ROUTE
    route = machine.visit.route
    assert route is not None
    assert route.queue.code == "green"
    assert [matter.code for matter in machine.visit.matters] == ["M0202"]

    machine.confirm()
    assert machine.step is Step.PRINTING
    [(_, asked_route, language)] = harness.requests.tickets
    assert asked_route is route
    assert language == "zh"
    machine.confirm()  # a second tap while printing asks for nothing more
    assert len(harness.requests.tickets) == 1

    ticket = harness.issued(TicketOutcome.PRINTED)
    assert machine.step is Step.DONE
    assert machine.last_ticket is ticket
    assert Change.TICKET in harness.changes


@pytest.mark.parametrize(
    ("outcome", "step"),
    [(TicketOutcome.E_TICKET, Step.E_TICKET), (TicketOutcome.VOIDED, Step.FAILED)],
)
def test_a_ticket_without_paper_or_voided(
    harness: VisitHarness, outcome: TicketOutcome, step: Step
) -> None:
    route_to(harness, "invoices", "M0202")
    harness.machine.confirm()
    harness.issued(outcome)
    assert harness.machine.step is step


def test_no_number_at_all_sends_the_taxpayer_to_the_staff(harness: VisitHarness) -> None:
    route_to(harness, "invoices", "M0202")
    harness.machine.confirm()
    request_id = harness.requests.tickets[-1][0]
    harness.machine.ticket_failed(request_id + 1, "not this one")
    assert harness.machine.step is Step.PRINTING
    harness.machine.ticket_failed(request_id, "the hall refused")
    assert harness.machine.step is Step.FAILED
    harness.machine.finish_visit()
    assert harness.machine.step is Step.HOME


def test_a_ticket_of_a_visit_that_ended_is_ignored(harness: VisitHarness) -> None:
    route_to(harness, "invoices", "M0202")
    harness.machine.confirm()
    harness.machine.finish_visit()  # e.g. the technician closed the visit
    harness.issued(TicketOutcome.PRINTED)
    assert harness.machine.step is Step.HOME
    assert harness.machine.last_ticket is None


def test_back_from_every_step(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.back()
    assert machine.step is Step.HOME  # nothing behind home
    route_to(harness, "invoices", "M0202")
    machine.back()
    assert machine.step is Step.MATTER
    machine.back()
    assert machine.step is Step.CATEGORY
    machine.open_search()
    assert machine.step is Step.SEARCH
    machine.back()
    assert machine.step is Step.CATEGORY
    machine.back()
    assert machine.step is Step.HOME


def test_home_button_keeps_the_language_finishing_does_not(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.set_language("en")
    route_to(harness, "invoices", "M0202")
    machine.go_home()
    assert machine.visit.language == "en"
    assert machine.visit.matters == []
    assert machine.visit.route is None
    route_to(harness, "invoices", "M0202")
    machine.finish_visit()
    assert machine.visit.language == "zh"
    assert machine.visit.category_code is None
    with pytest.raises(ValueError, match="unknown language"):
        machine.set_language("fr")  # type: ignore[arg-type]


def test_a_searched_matter_has_its_category_behind_it(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.take_number()
    machine.open_search()
    machine.choose_listed_matter("M0102")
    assert machine.step is Step.ROUTE
    assert machine.visit.category_code == "registration"
    machine.back()
    assert machine.step is Step.MATTER


def test_priority_routes_the_same_matters_again(harness: VisitHarness) -> None:
    route_to(harness, "invoices", "M0202")
    harness.machine.ask_priority()
    route = harness.machine.visit.route
    assert harness.machine.visit.priority_requested
    assert route is not None
    assert route.queue.code == "priority"
    assert harness.machine.step is Step.ROUTE


def test_several_matters_on_one_number(harness: VisitHarness) -> None:
    """一窗通办: one more matter joins those chosen, once, and the visit is routed again."""
    machine = harness.machine
    route_to(harness, "deregistration", "M0603")
    machine.add_matter()
    assert machine.step is Step.CATEGORY
    assert machine.adding_matter
    machine.choose_category("registration")
    assert [matter.code for matter in machine.visit.matters] == ["M0603"]  # kept
    machine.choose_matter("M0102")
    assert not machine.adding_matter
    assert [matter.code for matter in machine.visit.matters] == ["M0603", "M0102"]
    route = machine.visit.route
    assert route is not None
    assert route.queue.code == "comprehensive"

    machine.add_matter()
    machine.choose_category("registration")
    machine.choose_matter("M0102")  # chosen already: not twice
    assert [matter.code for matter in machine.visit.matters] == ["M0603", "M0102"]


def test_a_new_category_without_adding_starts_the_matters_again(harness: VisitHarness) -> None:
    machine = harness.machine
    route_to(harness, "deregistration", "M0603")
    machine.back()
    machine.back()
    machine.choose_category("registration")
    assert machine.visit.matters == []
    assert machine.visit.route is None


def test_a_refused_route_issues_nothing(tmp_path: Path) -> None:
    harness = visit_harness(tmp_path)
    harness.clock.advance(9 * 3600)  # 18:30 in the hall: after hours
    route_to(harness, "registration", "M0102")
    route = harness.machine.visit.route
    assert route is not None
    assert route.refusal is not None
    harness.machine.confirm()
    assert harness.machine.step is Step.ROUTE
    assert harness.requests.tickets == []


def test_the_guide_slip_prints_once_at_a_time(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.print_guide()  # no route yet: nothing to print
    assert harness.requests.guides == []
    route_to(harness, "returns", "M0301")
    route = machine.visit.route
    assert route is not None
    assert route.self_service_offer
    machine.print_guide()
    machine.print_guide()
    assert len(harness.requests.guides) == 1
    assert machine.guide_slip is GuideSlip.PRINTING
    request_id = harness.requests.guides[0][0]
    machine.guide_printed(request_id + 1, True)
    assert machine.guide_slip is GuideSlip.PRINTING
    machine.guide_printed(request_id, False)
    assert machine.guide_slip is GuideSlip.FAILED
    assert harness.changes[-1] is Change.GUIDE_SLIP
    machine.print_guide()
    machine.guide_printed(harness.requests.guides[-1][0], True)
    assert machine.guide_slip is GuideSlip.PRINTED
    machine.route_matters(machine.visit.matters)
    assert machine.guide_slip is GuideSlip.NONE


def test_at_rest_only_at_home_with_nothing_under_way(harness: VisitHarness) -> None:
    machine = harness.machine
    assert machine.at_rest()
    harness.requests.printing = True
    assert not machine.at_rest()
    harness.requests.printing = False
    machine.take_number()
    assert not machine.at_rest()
    machine.go_home()
    assert machine.at_rest()


def test_listeners_can_leave(harness: VisitHarness) -> None:
    heard: list[Change] = []
    harness.machine.subscribe(heard.append)
    harness.machine.unsubscribe(heard.append)
    harness.machine.unsubscribe(heard.append)  # twice is harmless
    harness.machine.take_number()
    assert heard == []
    assert harness.changes[-1] is Change.STEP
