"""Routing a visit by the hall's rules (config/rules.toml): a table with every rule and its
edges, and properties over the whole catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kiosk.catalog import Catalog, load_catalog
from kiosk.hall.base import QueueState
from kiosk.settings import Settings, load_settings
from kiosk.taxpayer import Appointment, CreditLevel, Identity, IdentityKind, TaxpayerProfile
from kiosk.triage import (
    Route,
    TriageError,
    VisitContext,
    load_rules,
    route_visit,
)
from kiosk.triage.texts import REASON_SELF_SERVICE, REASON_SEVERAL

HALL = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
SETTINGS = load_settings()
CATALOG = load_catalog(SETTINGS.catalog_path)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HALL)


def card(born: date) -> Identity:
    # A fictitious person: the number is built from parts and never used as data.
    number = "110105" + born.strftime("%Y%m%d") + "002X"
    return Identity(IdentityKind.ID_CARD, number, "110***********002X", birth_date=born)


def states(**waiting: int) -> dict[str, QueueState]:
    return {code: QueueState(code, count, count * 4, (1,)) for code, count in waiting.items()}


@dataclass(frozen=True)
class Case:
    matters: tuple[str, ...]
    rule: str
    queue: str | None = None  # None: no ticket
    action: str | None = None
    now: datetime = field(default_factory=lambda: at(10))
    identity: Identity | None = None
    profile: TaxpayerProfile = field(default_factory=TaxpayerProfile)
    appointment: Appointment | None = None
    priority_requested: bool = False
    waiting: dict[str, int] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)
    routing: dict[str, Any] = field(default_factory=dict)


def booked(starts: datetime) -> Appointment:
    return Appointment("YY20261123", ("M0102",), starts)


SEVENTY_TODAY = date(1956, 11, 23)
CASES = {
    # outside business hours: no ticket, and what to do instead
    "sunday, self-service can do it": Case(
        ("M0301",), "closed_self_service", action="self_service", now=at(10, day=date(2026, 11, 22))
    ),
    "before opening, e-tax can do it": Case(
        ("M0202",), "closed_e_tax", action="e_tax", now=at(8, 59)
    ),
    "exactly at the end of extended hours": Case(
        ("M0801",), "closed_appointment", action="appointment", now=at(17, 30)
    ),
    "after hours, nothing else can do it": Case(
        ("M0901",), "closed", action="come_back", now=at(18)
    ),
    "a holiday": Case(
        ("M0801",), "closed_appointment", action="appointment", routing={"closed_dates": [MONDAY]}
    ),
    "a working Saturday (调休)": Case(
        ("M0102",),
        "comprehensive",
        "comprehensive",
        now=at(10, day=date(2026, 11, 28)),
        routing={"open_dates": [date(2026, 11, 28)]},
    ),
    "exactly at opening": Case(("M0102",), "comprehensive", "comprehensive", now=at(9)),
    # appointments, inside their window and at its edges
    "appointment on time": Case(
        ("M0102",), "appointment", "appointment", appointment=booked(at(10))
    ),
    "appointment at the earliest": Case(
        ("M0102",), "appointment", "appointment", now=at(9, 45), appointment=booked(at(10))
    ),
    "appointment too early": Case(
        ("M0102",), "comprehensive", "comprehensive", now=at(9, 44), appointment=booked(at(10))
    ),
    "appointment at the latest": Case(
        ("M0102",), "appointment", "appointment", now=at(10, 15), appointment=booked(at(10))
    ),
    "appointment too late": Case(
        ("M0102",), "comprehensive", "comprehensive", now=at(10, 16), appointment=booked(at(10))
    ),
    # the daily cut-off and extended service
    "a minute before the cut-off": Case(
        ("M0102",), "comprehensive", "comprehensive", now=at(16, 29)
    ),
    "exactly at the cut-off": Case(
        ("M0102",), "extended_simple_only", action="come_back", now=at(16, 30)
    ),
    "extended service, simple matter": Case(("M0202",), "green", "green", now=at(16, 30)),
    "extended service, one simple and one not": Case(
        ("M0202", "M0102"), "extended_simple_only", action="come_back", now=at(17)
    ),
    # priority service
    "A credit": Case(
        ("M0202",),
        "priority_credit",
        "priority",
        profile=TaxpayerProfile(credit_level=CreditLevel.A),
    ),
    "B credit": Case(
        ("M0202",), "green", "green", profile=TaxpayerProfile(credit_level=CreditLevel.B)
    ),
    "B credit when the hall serves B first": Case(
        ("M0202",),
        "priority_credit",
        "priority",
        profile=TaxpayerProfile(credit_level=CreditLevel.B),
        routing={"priority_credit_levels": ["A", "B"]},
    ),
    "70 today": Case(("M0202",), "priority_elderly", "priority", identity=card(SEVENTY_TODAY)),
    "70 tomorrow": Case(
        ("M0202",), "green", "green", identity=card(SEVENTY_TODAY + timedelta(days=1))
    ),
    "priority button": Case(("M0102",), "priority_requested", "priority", priority_requested=True),
    # new taxpayers
    "registered 89 days ago": Case(
        ("M0101",),
        "new_taxpayer",
        "newcomer",
        profile=TaxpayerProfile(registered_on=MONDAY - timedelta(days=89)),
    ),
    "registered 90 days ago": Case(
        ("M0101",),
        "comprehensive",
        "comprehensive",
        profile=TaxpayerProfile(registered_on=MONDAY - timedelta(days=90)),
    ),
    "new taxpayer with invoices": Case(
        ("M0202", "M0102"), "new_taxpayer", "newcomer", profile=TaxpayerProfile(new_taxpayer=True)
    ),
    "new taxpayer with a return": Case(
        ("M0301",), "green", "green", profile=TaxpayerProfile(new_taxpayer=True)
    ),
    # hard cases, review, dedicated windows
    "hard case": Case(("M0305",), "expert", "expert"),
    "needs review": Case(("M0204",), "pre_review", "pre_review"),
    "review before the deregistration window": Case(("M0602",), "pre_review", "pre_review"),
    "deregistration": Case(("M0601",), "deregistration", "deregistration"),
    "property": Case(("M0801", "M0802"), "property", "property"),
    "deregistration and an invoice: one window for both": Case(
        ("M0601", "M0202"), "comprehensive", "comprehensive"
    ),
    # simple matters and overflow
    "simple": Case(("M0202",), "green", "green"),
    "green with exactly N waiting": Case(("M0202",), "green", "green", waiting={"green": 15}),
    "green with N+1 waiting": Case(("M0202",), "overflow", "comprehensive", waiting={"green": 16}),
    "not simple": Case(("M0102",), "comprehensive", "comprehensive"),
    # quotas
    "one number left": Case(
        ("M0102",), "comprehensive", "comprehensive", issued={"comprehensive": 399}
    ),
    "quota full": Case(("M0102",), "quota_full", action="come_back", issued={"comprehensive": 400}),
    "green quota full: the comprehensive windows": Case(
        ("M0202",),
        "comprehensive",
        "comprehensive",
        issued={"green": 5},
        routing={"quotas": {"green": 5}},
    ),
}


def settings_with(routing: dict[str, Any]) -> Settings:
    return load_settings(overrides={"routing": routing}) if routing else SETTINGS


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_every_rule_and_its_edges(case: Case) -> None:
    settings = settings_with(case.routing)
    context = VisitContext(
        now=case.now,
        identity=case.identity,
        profile=case.profile,
        appointment=case.appointment,
        priority_requested=case.priority_requested,
        queue_states=states(**case.waiting),
        issued_today=case.issued,
    )
    route = route_visit([CATALOG.matter(code) for code in case.matters], settings, context)
    assert route.rule == case.rule
    if case.queue is None:
        assert route.refusal is not None
        assert route.refusal.action == case.action
        assert not route.ticket
    else:
        assert route.ticket
        assert route.queue.code == case.queue


def test_every_rule_of_the_file_is_in_the_table() -> None:
    names = {rule.name for rule in load_rules(SETTINGS.rules_path).rules}
    assert names == {case.rule for case in CASES.values()}


def test_a_refusal_says_when_to_come_back() -> None:
    route = route_visit([CATALOG.matter("M0901")], SETTINGS, VisitContext(now=at(18)))
    assert route.refusal is not None
    assert route.refusal.come_back_at == at(9, day=MONDAY + timedelta(days=1))
    assert "明天09:00" in route.refusal.message.zh
    assert "tomorrow at 09:00" in route.refusal.message.en
    friday = route_visit(
        [CATALOG.matter("M0901")], SETTINGS, VisitContext(now=at(18, day=date(2026, 11, 27)))
    )
    assert friday.refusal is not None
    assert friday.refusal.come_back_at == at(9, day=date(2026, 11, 30))
    assert "11月30日（周一）09:00" in friday.refusal.message.zh
    early = route_visit([CATALOG.matter("M0901")], SETTINGS, VisitContext(now=at(8)))
    assert early.refusal is not None
    assert "今天09:00" in early.refusal.message.zh


def test_overflow_tells_the_hall_which_queue() -> None:
    busy = VisitContext(now=at(10), queue_states=states(green=16))
    assert route_visit([CATALOG.matter("M0202")], SETTINGS, busy).overflow == "green"
    calm = VisitContext(now=at(10), queue_states=states(green=15))
    assert route_visit([CATALOG.matter("M0202")], SETTINGS, calm).overflow is None


def test_reasons_time_limit_and_the_self_service_offer() -> None:
    route = route_visit([CATALOG.matter("M0301")], SETTINGS, VisitContext(now=at(10)))
    assert route.self_service_offer
    assert route.reasons[0] == REASON_SELF_SERVICE
    several = route_visit([CATALOG.matter("M0202"), CATALOG.matter("M0204")], SETTINGS)
    assert REASON_SEVERAL in several.reasons
    assert several.time_limit.zh == "10个工作日"  # the longest of the visit
    elderly = VisitContext(now=at(10), identity=card(date(1940, 1, 1)))
    assert not route_visit([CATALOG.matter("M0301")], SETTINGS, elderly).self_service_offer


def test_a_hall_without_a_property_window_sends_property_to_the_comprehensive_windows() -> None:
    queues = [q.model_dump() for q in SETTINGS.queues if q.code != "property"]
    settings = load_settings(overrides={"queues": queues})
    route = route_visit([CATALOG.matter("M0801")], settings, VisitContext(now=at(10)))
    assert route.queue.code == "comprehensive"


# ---- properties over the catalog ---------------------------------------------------------

visits = st.lists(
    st.sampled_from(CATALOG.matters), min_size=1, max_size=3, unique_by=lambda m: m.code
)
open_days = st.integers(0, 4).map(lambda offset: MONDAY + timedelta(days=offset))
open_minutes = st.integers(9 * 60, 16 * 60 + 29)
closed_times = st.one_of(
    st.tuples(st.integers(5, 6).map(lambda o: MONDAY + timedelta(days=o)), st.integers(0, 1439)),
    st.tuples(open_days, st.integers(0, 9 * 60 - 1)),
    st.tuples(open_days, st.integers(17 * 60 + 30, 1439)),
)


def _context(day: date, minute: int, **kwargs: Any) -> VisitContext:
    return VisitContext(now=at(minute // 60, minute % 60, day), **kwargs)


def _assert_ticket(route: Route, matters: list[Any]) -> None:
    assert route.ticket, route.rule
    assert all(
        not route.queue.categories or matter.category in route.queue.categories
        for matter in matters
    )
    assert all(matter.simple for matter in matters) or not route.queue.simple_only
    assert route.reasons
    assert all(reason.zh and reason.en for reason in route.reasons)


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    visit=visits,
    day=open_days,
    minute=open_minutes,
    credit=st.sampled_from([None, *CreditLevel]),
    priority=st.booleans(),
    new=st.booleans(),
    green_waiting=st.integers(0, 40),
)
def test_every_visit_gets_a_route_during_business_hours(
    visit: list[Any],
    day: date,
    minute: int,
    credit: CreditLevel | None,
    priority: bool,
    new: bool,
    green_waiting: int,
) -> None:
    context = _context(
        day,
        minute,
        profile=TaxpayerProfile(credit_level=credit, new_taxpayer=new),
        priority_requested=priority,
        queue_states=states(green=green_waiting),
    )
    _assert_ticket(route_visit(visit, SETTINGS, context), visit)


@hypothesis_settings(max_examples=150, deadline=None)
@given(visit=visits, when=closed_times)
def test_every_visit_gets_a_clear_refusal_outside_business_hours(
    visit: list[Any], when: tuple[date, int]
) -> None:
    day, minute = when
    route = route_visit(visit, SETTINGS, _context(day, minute))
    assert route.refusal is not None
    assert route.refusal.message.zh
    assert route.refusal.message.en
    assert "{" not in route.refusal.message.zh + route.refusal.message.en
    if route.refusal.action != "self_service":
        assert route.refusal.come_back_at is not None
        assert route.refusal.come_back_at > at(minute // 60, minute % 60, day)


def test_every_single_matter_of_the_catalog_is_routed_at_ten_on_a_monday() -> None:
    catalog: Catalog = CATALOG
    for matter in catalog.matters:
        _assert_ticket(route_visit([matter], SETTINGS, VisitContext(now=at(10))), [matter])


# ---- without a context: no time rules, nobody identified ----------------------------------


def test_simple_matters_go_to_the_green_channel() -> None:
    route = route_visit([CATALOG.matter("M0202")], SETTINGS)
    assert route.queue.code == "green"
    assert not route.self_service_offer


def test_other_matters_go_to_the_comprehensive_windows() -> None:
    route = route_visit([CATALOG.matter("M0202"), CATALOG.matter("M0102")], SETTINGS)
    assert route.queue.code == "comprehensive"
    assert REASON_SEVERAL in route.reasons


def test_self_service_matters_are_offered_the_self_service_area_first() -> None:
    route = route_visit([CATALOG.matter("M0301")], SETTINGS)
    assert route.self_service_offer
    assert route.reasons[0] == REASON_SELF_SERVICE
    assert route.queue.code == "green"
    # Only the offer's reason: "the green channel is quicker" would argue against it.
    assert route.reasons == (REASON_SELF_SERVICE,)
    assert not any("quicker" in reason.en for reason in route.reasons)


def test_a_visit_without_matters_is_refused() -> None:
    with pytest.raises(TriageError):
        route_visit([], SETTINGS)
