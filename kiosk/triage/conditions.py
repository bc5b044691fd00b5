"""What a rule's conditions look at: the facts of the visit (who, when, the hall's
state) and the matters chosen, and whether a queue can take a matter."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from kiosk.catalog import Matter
from kiosk.hall.base import QueueState
from kiosk.settings import QueueSection, Settings
from kiosk.taxpayer import (
    UNKNOWN_PROFILE,
    Appointment,
    Identity,
    TaxpayerProfile,
    is_new_taxpayer,
)
from kiosk.triage.hours import period_at
from kiosk.triage.rules import Period, When


@dataclass(frozen=True)
class VisitContext:
    """What routing may know beyond the matters: who, when, and the hall's state."""

    now: datetime | None = None  # aware; None: no time rules apply
    identity: Identity | None = None
    profile: TaxpayerProfile = UNKNOWN_PROFILE
    appointment: Appointment | None = None  # checked in
    priority_requested: bool = False  # elderly, disability, pregnancy: the taxpayer's button
    queue_states: Mapping[str, QueueState] = field(default_factory=dict)
    issued_today: Mapping[str, int] = field(default_factory=dict)  # numbers per queue, today


@dataclass(frozen=True)
class Facts:
    """What the context conditions of the rules look at, computed once per visit."""

    period: Period
    appointment: bool
    priority_credit: bool
    elderly: bool
    priority_requested: bool
    new_taxpayer: bool
    overflow: bool


def _appointment_due(context: VisitContext, settings: Settings) -> bool:
    appointment = context.appointment
    if appointment is None:
        return False
    if context.now is None:
        return True
    window = settings.identification
    earliest = appointment.starts_at - timedelta(minutes=window.early_minutes)
    latest = appointment.starts_at + timedelta(minutes=window.late_minutes)
    return earliest <= context.now <= latest


def facts_of(context: VisitContext, settings: Settings) -> Facts:
    routing = settings.routing
    now = context.now
    today = now.astimezone(ZoneInfo(settings.kiosk.timezone)).date() if now else None
    profile = context.profile
    age = context.identity.age_on(today) if context.identity and today else None
    days = settings.identification.new_taxpayer_days
    recently = today is not None and is_new_taxpayer(profile.registered_on, today, days)
    watched = context.queue_states.get(routing.overflow_queue)
    return Facts(
        period=period_at(now, settings) if now else "open",
        appointment=_appointment_due(context, settings),
        priority_credit=profile.credit_level is not None
        and profile.credit_level.value in routing.priority_credit_levels,
        elderly=age is not None and age >= routing.elderly_age,
        priority_requested=context.priority_requested,
        new_taxpayer=profile.new_taxpayer or recently,
        overflow=watched is not None and watched.waiting > routing.overflow_waiting,
    )


Quantifier = Literal["all", "any"]
MatterTest = Callable[[Matter], bool]

_MATTER_FLAGS: dict[str, tuple[Quantifier, MatterTest]] = {
    "all_simple": ("all", lambda m: m.simple),
    "all_self_service": ("all", lambda m: m.self_service),
    "all_e_tax": ("all", lambda m: m.e_tax),
    "all_appointment": ("all", lambda m: m.appointment_allowed),
    "any_review": ("any", lambda m: m.needs_review),
    "any_hard_case": ("any", lambda m: m.hard_case),
}
_CONTEXT_FLAGS = (
    "appointment",
    "priority_credit",
    "elderly",
    "priority_requested",
    "new_taxpayer",
    "overflow",
)


def _negated(test: MatterTest) -> MatterTest:
    return lambda matter: not test(matter)


def matter_tests(when: When) -> list[tuple[Quantifier, MatterTest]]:
    """The matter conditions as (all|any, test), negations turned around."""
    tests: list[tuple[Quantifier, MatterTest]] = []
    for key, (quantifier, test) in _MATTER_FLAGS.items():
        wanted = getattr(when, key)
        if wanted is None:
            continue
        if wanted:
            tests.append((quantifier, test))
        else:  # not all X: any not X; not any X: all not X
            other: Quantifier = "any" if quantifier == "all" else "all"
            tests.append((other, _negated(test)))
    if when.any_category is not None:
        any_set = frozenset(when.any_category)
        tests.append(("any", lambda m: m.category in any_set))
    if when.all_category is not None:
        all_set = frozenset(when.all_category)
        tests.append(("all", lambda m: m.category in all_set))
    return tests


def matches(when: When, matters: Sequence[Matter], facts: Facts) -> bool:
    if when.period is not None and facts.period not in when.period:
        return False
    for key in _CONTEXT_FLAGS:
        wanted = getattr(when, key)
        if wanted is not None and getattr(facts, key) != wanted:
            return False
    for quantifier, test in matter_tests(when):
        results = [test(matter) for matter in matters]
        if not (all(results) if quantifier == "all" else any(results)):
            return False
    return True


def accepts(queue: QueueSection, matter: Matter) -> bool:
    if queue.simple_only and not matter.simple:
        return False
    return not queue.categories or matter.category in queue.categories


def find_queue(settings: Settings, code: str) -> QueueSection | None:
    try:
        return settings.queue(code)
    except KeyError:
        return None
