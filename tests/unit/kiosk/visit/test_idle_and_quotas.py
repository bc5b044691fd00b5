"""The visit's idle time-out on a fake clock, and today's numbers for the quotas."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.base import QueueState
from kiosk.tickets import TicketOutcome
from kiosk.visit import Change, IdleTimer, IssuedToday, Step, counts_for_quotas
from tests.helpers.visit import VisitHarness, visit_harness

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def harness(tmp_path: Path) -> VisitHarness:
    return visit_harness(tmp_path)


def to_route(harness: VisitHarness, category: str = "registration", matter: str = "M0102") -> None:
    harness.machine.take_number()
    harness.machine.choose_category(category)
    harness.machine.choose_matter(matter)


def state(code: str, issued_today: int | None) -> QueueState:
    return QueueState(
        code, waiting=0, estimated_wait_minutes=0, windows=(1,), issued_today=issued_today
    )


# ---- the idle time-out ----------------------------------------------------------------


def test_are_you_still_there_then_continue_then_home(harness: VisitHarness) -> None:
    machine, clock = harness.machine, harness.clock
    ui = harness.host.settings.ui
    machine.set_language("en")
    to_route(harness)
    machine.tick()
    assert machine.countdown is None

    clock.advance(ui.inactivity_seconds + 1)
    machine.tick()
    assert machine.countdown == int(ui.countdown_seconds) - 1
    assert harness.changes[-1] is Change.COUNTDOWN
    heard = len(harness.changes)
    machine.tick()  # the same second: nothing new to say
    assert len(harness.changes) == heard
    clock.advance(5)
    machine.tick()
    assert machine.countdown == int(ui.countdown_seconds) - 6

    machine.keep_going()
    assert machine.countdown is None
    assert machine.step is Step.ROUTE
    assert machine.visit.language == "en"

    clock.advance(ui.inactivity_seconds + ui.countdown_seconds + 1)
    machine.tick()
    assert machine.step is Step.HOME
    assert machine.countdown is None
    assert machine.visit.matters == []
    assert machine.visit.language == "zh"


def test_a_touch_is_activity_and_a_step_hides_the_countdown(harness: VisitHarness) -> None:
    machine, clock = harness.machine, harness.clock
    ui = harness.host.settings.ui
    to_route(harness)
    clock.advance(ui.inactivity_seconds + 1)
    machine.tick()
    assert machine.countdown is not None
    machine.back()
    assert machine.countdown is None
    clock.advance(ui.inactivity_seconds - 1)
    machine.touch()
    clock.advance(ui.inactivity_seconds - 1)
    machine.tick()
    assert machine.countdown is None
    assert machine.step is Step.MATTER


def test_no_countdown_at_home_but_the_language_returns(harness: VisitHarness) -> None:
    machine, clock = harness.machine, harness.clock
    ui = harness.host.settings.ui
    machine.set_language("en")
    clock.advance(ui.inactivity_seconds + 1)
    machine.tick()
    assert machine.countdown is None
    assert machine.visit.language == "en"
    clock.advance(ui.countdown_seconds)
    machine.tick()
    assert machine.visit.language == "zh"
    assert harness.changes[-1] is Change.LANGUAGE
    assert machine.step is Step.HOME


def test_printing_is_not_inactivity(harness: VisitHarness) -> None:
    machine, clock = harness.machine, harness.clock
    ui = harness.host.settings.ui
    to_route(harness)
    machine.confirm()
    clock.advance(ui.inactivity_seconds + ui.countdown_seconds + 1)
    machine.tick()
    assert machine.step is Step.PRINTING
    harness.issued(TicketOutcome.E_TICKET)
    harness.requests.printing = True  # a guide slip of this visit still printing
    clock.advance(ui.inactivity_seconds + ui.countdown_seconds + 1)
    machine.tick()
    assert machine.step is Step.E_TICKET
    harness.requests.printing = False
    clock.advance(ui.inactivity_seconds + ui.countdown_seconds + 1)
    machine.tick()
    assert machine.step is Step.HOME


def test_done_returns_home_by_itself(harness: VisitHarness) -> None:
    machine, clock = harness.machine, harness.clock
    done_seconds = harness.host.settings.ui.done_seconds
    machine.set_language("en")
    to_route(harness)
    machine.confirm()
    harness.issued(TicketOutcome.PRINTED)
    clock.advance(done_seconds - 1)
    machine.tick()
    assert machine.step is Step.DONE
    assert machine.countdown is None
    clock.advance(1)
    machine.tick()
    assert machine.step is Step.HOME
    assert machine.visit.language == "zh"


def test_idle_timer_counts_down_in_whole_seconds() -> None:
    clock = FakeClock()
    timer = IdleTimer(clock, inactivity_seconds=60, countdown_seconds=20)
    assert timer.countdown_remaining() == 20
    clock.advance(60.5)
    assert timer.countdown_remaining() == 20  # 19.5 s left shows as 20
    clock.advance(10)
    assert timer.countdown_remaining() == 10
    clock.advance(30)
    assert timer.countdown_remaining() == 0


# ---- quotas ---------------------------------------------------------------------------


def test_this_kiosks_numbers_fill_a_quota(tmp_path: Path) -> None:
    harness = visit_harness(tmp_path, routing={"quotas": {"comprehensive": 2}})
    machine = harness.machine
    for _ in range(2):
        to_route(harness)
        route = machine.visit.route
        assert route is not None
        assert route.queue.code == "comprehensive"
        machine.confirm()
        harness.issued(TicketOutcome.PRINTED)
        machine.finish_visit()
    assert machine.visit_context().issued_today == {"comprehensive": 2}
    to_route(harness)
    route = machine.visit.route
    assert route is not None
    assert route.rule == "quota_full"
    assert route.refusal is not None


def test_a_voided_ticket_does_not_count(tmp_path: Path) -> None:
    harness = visit_harness(tmp_path, routing={"quotas": {"comprehensive": 1}})
    to_route(harness)
    harness.machine.confirm()
    harness.issued(TicketOutcome.VOIDED)
    assert harness.machine.visit_context().issued_today == {}


def test_the_halls_count_of_every_kiosk_fills_a_quota(tmp_path: Path) -> None:
    harness = visit_harness(tmp_path, routing={"quotas": {"comprehensive": 3}})
    harness.machine.queue_states_read({"comprehensive": state("comprehensive", 3)})
    assert harness.changes[-1] is Change.QUEUE_STATES
    to_route(harness)
    route = harness.machine.visit.route
    assert route is not None
    assert route.rule == "quota_full"


def test_the_larger_of_the_halls_count_and_ours_counts() -> None:
    states = {"green": state("green", 5), "comprehensive": state("comprehensive", None)}
    own = {"green": 7, "comprehensive": 2, "priority": 1}
    assert counts_for_quotas(own, states) == {"green": 7, "comprehensive": 2, "priority": 1}
    assert counts_for_quotas({"green": 1}, states) == {"green": 5}


def test_a_new_day_in_the_hall_starts_from_none() -> None:
    clock = FakeClock()  # 09:30 in Shanghai
    issued = IssuedToday(clock, SHANGHAI)
    issued.count("green")
    issued.count("green")
    assert issued.counts() == {"green": 2}
    clock.advance(14 * 3600)  # 23:30: still today
    assert issued.counts() == {"green": 2}
    clock.advance(3600)  # 00:30 the next day
    assert issued.counts() == {}
    issued.count("green")
    assert issued.counts() == {"green": 1}
