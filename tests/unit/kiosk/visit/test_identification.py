"""Identification (实名办税) and appointment check-in (预约签到) in the visit machine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.identity import CardRefused, classify_code, credit_code_check_char
from kiosk.identity import texts as identity_texts
from kiosk.taxpayer import (
    UNKNOWN_PROFILE,
    Appointment,
    CreditLevel,
    Identity,
    IdentityKind,
    TaxpayerProfile,
)
from kiosk.visit import Change, IdentifyProblem, Step
from tests.helpers.visit import VisitHarness, visit_harness

# A fictitious company's credit code, its check character computed.
FIRST17 = "91350100" + "M000100Y4"
CREDIT_CODE = FIRST17 + credit_code_check_char(FIRST17)
REAL_NAME_MATTER = "M0101"


@pytest.fixture
def harness(tmp_path: Path) -> VisitHarness:
    return visit_harness(tmp_path)


def company() -> Identity:
    found = classify_code(CREDIT_CODE)
    assert isinstance(found, Identity)
    return found


def appointment_code(code: str = "YY10000002") -> Identity:
    found = classify_code(code)
    assert isinstance(found, Identity)
    assert found.kind is IdentityKind.APPOINTMENT_CODE
    return found


def booked(harness: VisitHarness, minutes_from_now: int, code: str = "YY10000002") -> Appointment:
    starts_at = harness.clock.now() + timedelta(minutes=minutes_from_now)
    return Appointment(code, (REAL_NAME_MATTER,), starts_at)


def answer_look_up(harness: VisitHarness, profile: TaxpayerProfile) -> None:
    request_id, identity = harness.requests.look_ups[-1]
    harness.machine.profile_read(request_id, identity, profile)


def test_a_typed_credit_code_is_looked_up_then_the_categories(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.open_identify(None)
    assert machine.step is Step.IDENTIFY
    assert machine.may_skip_identification()
    machine.enter_code(IdentityKind.CREDIT_CODE)
    assert machine.step is Step.CODE_ENTRY
    assert machine.code_kind is IdentityKind.CREDIT_CODE
    machine.code_entered(CREDIT_CODE)
    assert machine.step is Step.IDENTIFY
    assert machine.looking_up()
    assert harness.changes[-1] is Change.LOOKING_UP
    assert harness.requests.look_ups[-1][1] == company()

    profile = TaxpayerProfile(credit_level=CreditLevel.A)
    answer_look_up(harness, profile)
    assert not machine.looking_up()
    assert machine.step is Step.CATEGORY
    assert machine.visit.identity == company()
    assert machine.visit.profile == profile
    assert Change.FOR_YOU in harness.changes


def test_a_code_that_cannot_be_right_is_said_on_the_code_entry(harness: VisitHarness) -> None:
    harness.machine.open_identify(None)
    harness.machine.enter_code(IdentityKind.APPOINTMENT_CODE)
    harness.machine.code_entered("https://example.invalid")
    assert harness.machine.step is Step.CODE_ENTRY
    assert harness.machine.problem is not None
    assert harness.changes[-1] is Change.PROBLEM
    assert harness.requests.look_ups == []
    harness.machine.back()
    assert harness.machine.step is Step.IDENTIFY


def test_a_real_name_matter_asks_for_identification_first(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.take_number()
    machine.choose_category("registration")
    machine.choose_matter(REAL_NAME_MATTER)
    assert machine.step is Step.IDENTIFY
    assert machine.real_name_matter is not None
    assert not machine.may_skip_identification()
    machine.back()
    assert machine.step is Step.MATTER  # back to the matter that asked

    machine.choose_matter(REAL_NAME_MATTER)
    machine.card_read(company())
    answer_look_up(harness, UNKNOWN_PROFILE)
    assert machine.step is Step.ROUTE
    assert [matter.code for matter in machine.visit.matters] == [REAL_NAME_MATTER]
    assert machine.real_name_matter is None

    machine.go_home()  # the identity goes with the visit
    machine.take_number()
    machine.choose_category("registration")
    machine.choose_matter(REAL_NAME_MATTER)
    assert machine.step is Step.IDENTIFY


def test_back_from_identify_opened_at_home_goes_home(harness: VisitHarness) -> None:
    harness.machine.open_identify(None)
    harness.machine.back()
    assert harness.machine.step is Step.HOME


def test_without_anonymous_tickets_a_number_needs_identification(tmp_path: Path) -> None:
    harness = visit_harness(tmp_path, identification={"anonymous_tickets": False})
    machine = harness.machine
    machine.take_number()
    assert machine.step is Step.IDENTIFY
    assert not machine.may_skip_identification()
    machine.card_read(company())
    answer_look_up(harness, UNKNOWN_PROFILE)
    assert machine.step is Step.CATEGORY
    machine.go_home()
    machine.take_number()
    assert machine.step is Step.IDENTIFY  # the identity went with the visit


def test_skipping_identification_leads_to_the_categories(harness: VisitHarness) -> None:
    harness.machine.open_identify(None)
    harness.machine.skip_identification()
    assert harness.machine.step is Step.CATEGORY
    assert harness.machine.visit.identity is None


def test_a_refused_card_is_a_problem_and_the_reader_keeps_counting(
    harness: VisitHarness,
) -> None:
    machine = harness.machine
    machine.card_read(CardRefused(identity_texts.CARD_EXPIRED))  # at home: nobody is identifying
    assert machine.step is Step.HOME
    assert machine.problem is None
    machine.open_identify(None)
    machine.enter_code(IdentityKind.CREDIT_CODE)
    machine.card_read(CardRefused(identity_texts.CARD_EXPIRED))
    assert machine.step is Step.IDENTIFY  # the card's problem is said where cards go
    assert machine.problem == identity_texts.CARD_EXPIRED
    machine.card_read(object())  # a problem without words: the line is cleared
    assert machine.problem is None


def test_scans_identify_from_home_and_are_ignored_elsewhere(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.take_number()
    machine.code_scanned(company())
    assert machine.step is Step.CATEGORY
    assert harness.requests.look_ups == []
    machine.go_home()
    machine.code_scanned(company())
    assert machine.step is Step.IDENTIFY
    assert len(harness.requests.look_ups) == 1
    machine.code_scanned(company())  # one look-up at a time
    assert len(harness.requests.look_ups) == 1


def test_a_profile_arriving_after_the_visit_ended_is_ignored(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.open_identify(None)
    machine.card_read(company())
    machine.go_home()
    answer_look_up(harness, TaxpayerProfile(credit_level=CreditLevel.B))
    assert machine.step is Step.HOME
    assert machine.visit.identity is None
    assert machine.visit.profile == UNKNOWN_PROFILE


def test_an_unknown_appointment_code_is_said_on_the_identify_step(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.open_identify(None)
    machine.card_read(appointment_code("YY99999999"))
    answer_look_up(harness, TaxpayerProfile(appointments=(booked(harness, 0),)))
    assert machine.step is Step.IDENTIFY
    assert machine.problem is IdentifyProblem.APPOINTMENT_UNKNOWN
    assert machine.visit.identity is None


def test_an_appointment_in_its_window_checks_in_and_takes_its_matters(
    harness: VisitHarness,
) -> None:
    machine = harness.machine
    machine.open_identify(None)
    machine.card_read(appointment_code())
    appointment = booked(harness, 0)
    answer_look_up(harness, TaxpayerProfile(appointments=(appointment,)))
    assert machine.step is Step.CHECK_IN
    assert machine.can_check_in()
    assert machine.check_in_time() == "09:30"  # the hall's time, not UTC
    assert [matter.code for matter in machine.check_in_matters()] == [REAL_NAME_MATTER]

    machine.take_appointment()
    assert machine.step is Step.PRINTING  # the route screen is skipped: one tap, a ticket
    [(_, issued_route, _)] = harness.requests.tickets
    assert issued_route.queue.code == "appointment"
    assert machine.visit.appointment == appointment
    assert machine.visit.category_code == "registration"  # behind the route, for Back
    context = machine.visit_context()
    assert context.appointment == appointment
    assert context.now is not None
    assert context.now.hour == 9


def test_an_early_appointment_cannot_check_in_yet(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.open_identify(None)
    machine.card_read(company())
    answer_look_up(harness, TaxpayerProfile(appointments=(booked(harness, 60),)))
    assert machine.step is Step.CHECK_IN
    assert not machine.can_check_in()
    machine.take_appointment()
    assert machine.step is Step.CHECK_IN
    assert machine.visit.appointment is None
    machine.after_identification()  # "继续取号"
    assert machine.step is Step.CATEGORY


def test_no_appointment_today_goes_straight_on(harness: VisitHarness) -> None:
    machine = harness.machine
    machine.open_identify(None)
    machine.card_read(company())
    answer_look_up(harness, TaxpayerProfile(appointments=(booked(harness, 24 * 60),)))
    assert machine.step is Step.CATEGORY
    assert machine.check_in is None
    assert machine.check_in_time() == ""
    assert machine.check_in_matters() == []


def test_only_codes_are_typed(harness: VisitHarness) -> None:
    harness.machine.open_identify(None)
    with pytest.raises(ValueError, match="not typed"):
        harness.machine.enter_code(IdentityKind.ID_CARD)
    assert harness.machine.step is Step.IDENTIFY
