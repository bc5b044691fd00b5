"""Senior mode (长者模式) and one-tap help (一键求助) in the visit machine: how it starts (the
button, or the ID card's age), what it changes (its own first screen, priority at once, a
longer idle time-out) and that the visit's end returns to normal mode."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, IdentityKind
from kiosk.visit import Change, IdlePhase, Step
from tests.helpers.visit import VisitHarness, visit_harness


@pytest.fixture
def harness(tmp_path: Path) -> VisitHarness:
    return visit_harness(tmp_path)


def card_of(born: date) -> Identity:
    """A fictitious ID card holder; only the birth date matters here."""
    return Identity(IdentityKind.ID_CARD, "key-not-shown", "1101**********0012", birth_date=born)


def identify_by_card(harness: VisitHarness, identity: Identity) -> None:
    machine = harness.machine
    machine.open_identify(None)
    machine.card_read(identity)
    request_id, _ = harness.requests.look_ups[-1]
    machine.profile_read(request_id, identity, UNKNOWN_PROFILE)


def test_the_senior_button_starts_senior_mode_on_its_own_first_screen(
    harness: VisitHarness,
) -> None:
    machine = harness.machine
    machine.start_senior()
    assert machine.visit.senior
    assert machine.step is Step.SENIOR
    assert Change.SENIOR in harness.changes
    codes = [matter.code for matter in machine.senior_matters()]
    assert codes == list(harness.host.settings.ui.senior_matters)  # the hall's order
    machine.open_search()
    machine.back()
    assert machine.step is Step.SENIOR  # senior mode's start, not the categories
    machine.show_categories()
    assert machine.step is Step.CATEGORY
    machine.back()
    assert machine.step is Step.SENIOR
    machine.back()
    assert machine.step is Step.HOME
    assert machine.visit.senior  # the home button keeps the visit, and its mode


def test_priority_is_offered_at_once_and_kept_for_the_matter_chosen(
    harness: VisitHarness,
) -> None:
    machine = harness.machine
    machine.start_senior()
    machine.ask_priority()
    assert machine.step is Step.SENIOR
    assert machine.visit.priority_requested
    machine.choose_listed_matter("M0702")
    route = machine.visit.route
    assert route is not None
    assert route.queue.code == "priority"


def test_senior_mode_waits_longer_before_the_countdown(harness: VisitHarness) -> None:
    machine, ui = harness.machine, harness.host.settings.ui
    assert ui.senior_inactivity_seconds > ui.inactivity_seconds
    machine.start_senior()
    harness.clock.advance(ui.inactivity_seconds + 1)
    machine.tick()
    assert machine.idle.phase() is IdlePhase.ACTIVE
    assert machine.countdown is None
    harness.clock.advance(ui.senior_inactivity_seconds - ui.inactivity_seconds)
    machine.tick()
    assert machine.countdown is not None


def test_the_visits_end_returns_to_normal_mode(harness: VisitHarness) -> None:
    machine, ui = harness.machine, harness.host.settings.ui
    machine.start_senior()
    machine.set_language("en")
    machine.finish_visit()
    assert not machine.visit.senior
    assert machine.visit.language == "zh"
    assert machine.idle.inactivity_seconds == ui.inactivity_seconds
    assert harness.changes.count(Change.SENIOR) == 2  # on, then off


def test_nobody_there_ends_senior_mode_too(harness: VisitHarness) -> None:
    machine, ui = harness.machine, harness.host.settings.ui
    machine.start_senior()
    harness.clock.advance(ui.senior_inactivity_seconds + ui.countdown_seconds + 1)
    machine.tick()
    assert machine.step is Step.HOME
    assert not machine.visit.senior


def test_a_visitor_of_70_gets_senior_mode_from_the_id_card(harness: VisitHarness) -> None:
    today = harness.clock.now().date()
    identify_by_card(harness, card_of(date(today.year - 70, 1, 1)))
    assert harness.machine.visit.senior
    assert harness.machine.step is Step.SENIOR


def test_a_visitor_of_69_does_not(harness: VisitHarness) -> None:
    today = harness.clock.now().date()
    identify_by_card(harness, card_of(date(today.year - 69, 12, 31)))
    assert not harness.machine.visit.senior
    assert harness.machine.step is Step.CATEGORY


def test_the_age_setting_at_0_leaves_senior_mode_to_the_button(tmp_path: Path) -> None:
    harness = visit_harness(tmp_path, ui={"senior_from_age": 0})
    identify_by_card(harness, card_of(date(1930, 5, 5)))
    assert not harness.machine.visit.senior


def test_one_tap_help_asks_with_the_step_only_and_is_shown_until_seen(
    harness: VisitHarness,
) -> None:
    machine = harness.machine
    machine.take_number()
    machine.ask_for_help()
    assert harness.requests.helps == ["category"]
    assert machine.help_called
    assert Change.HELP in harness.changes
    machine.help_seen()
    assert not machine.help_called
    machine.ask_for_help()
    machine.finish_visit()
    assert not machine.help_called  # the next visitor does not see it
