"""Routing (智能导税): which queue a visit belongs in, or no ticket at all, and why.

The hall's rules are data (config/rules.toml): ordered, the first that matches
decides, each with a reason shown to the taxpayer. A rule sends the visit to a
queue, or refuses a ticket and says what to do instead (self-service, the e-tax
bureau, an appointment, come back at). A queue rule is passed over when its queue
cannot take every matter of the visit or has issued its daily quota, so several
matters get one number at a window that can do them all (一窗通办).

`check_rules` finds rules that name an unknown queue, can never match, or are
shadowed by an earlier rule; `kiosk config check` reports them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.catalog import Catalog, Matter, time_limit_rank, time_limit_text
from kiosk.hall.base import QueueState
from kiosk.settings import (
    ConfigError,
    ConfigProblem,
    QueueSection,
    Settings,
    problems_from,
    read_toml,
)
from kiosk.taxpayer import UNKNOWN_PROFILE, Appointment, Identity, TaxpayerProfile
from kiosk.text import Text

log = logging.getLogger(__name__)

REASON_SIMPLE = Text(
    zh="简单事项，可走绿色通道，办理更快。", en="A simple matter: the green channel is quicker."
)
REASON_GENERAL = Text(
    zh="综合窗口一窗通办，一个号办完所有事项。",
    en="The comprehensive windows handle everything with one number.",
)
REASON_SEVERAL = Text(
    zh="您选择了多个事项，一个号在同一窗口一并办理。",
    en="You chose several matters: one number covers them all at one window.",
)
REASON_SELF_SERVICE = Text(
    zh="此事项可在自助办税区办理，无需取号排队。",
    en="This can be done at the self-service terminals, with no queue.",
)
REASON_NO_QUEUE = Text(
    zh="暂时没有窗口可以办理，请向大厅工作人员咨询。",
    en="No window can take this just now: please ask the hall staff.",
)

# Routing hours for a demonstration or a benchmark at any time of any day.
ALWAYS_OPEN: dict[str, Any] = {
    "open_days": [1, 2, 3, 4, 5, 6, 7],
    "opens": "00:00",
    "cutoff": "23:59:59.999999",
    "extended_until": "23:59:59.999999",
}

Period = Literal["closed_day", "before_opening", "open", "extended", "after_hours"]
PERIODS: tuple[Period, ...] = ("closed_day", "before_opening", "open", "extended", "after_hours")
Action = Literal["self_service", "e_tax", "appointment", "come_back"]


# ---- the rules, as data ------------------------------------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Entry):
    """A rule's conditions; each left out (None) is not checked."""

    period: tuple[Period, ...] | None = None
    appointment: bool | None = None
    priority_credit: bool | None = None
    elderly: bool | None = None
    priority_requested: bool | None = None
    new_taxpayer: bool | None = None
    overflow: bool | None = None
    any_category: tuple[str, ...] | None = None
    all_category: tuple[str, ...] | None = None
    all_simple: bool | None = None
    all_self_service: bool | None = None
    all_e_tax: bool | None = None
    all_appointment: bool | None = None
    any_review: bool | None = None
    any_hard_case: bool | None = None


class Rule(_Entry):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    when: When = When()
    queue: str | None = None
    action: Action | None = None
    reason: Text
    optional: bool = Field(False, description="Skipped quietly when the hall lacks the queue.")
    offer_self_service: bool = False
    tell_hall: bool = False

    @model_validator(mode="after")
    def _queue_or_action(self) -> Rule:
        if (self.queue is None) == (self.action is None):
            raise ValueError("a rule needs either a queue or an action (no ticket), not both")
        return self


class RuleSet(_Entry):
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_unique(self) -> RuleSet:
        names = [rule.name for rule in self.rules]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"rule names used twice: {', '.join(twice)}")
        return self


# The rules when the hall's file cannot be read: a taxpayer still gets a number.
FALLBACK_RULES = RuleSet(
    rules=(
        Rule(name="green", when=When(all_simple=True), queue="green", reason=REASON_SIMPLE,
             offer_self_service=True, optional=True),
        Rule(name="comprehensive", queue="comprehensive", reason=REASON_GENERAL,
             offer_self_service=True, optional=True),
        Rule(name="no_queue", action="come_back", reason=REASON_NO_QUEUE),
    )
)  # fmt: skip


def _rule_line(text: str, name: str) -> int | None:
    pattern = re.compile(rf"^\s*name\s*=\s*[\"']{re.escape(name)}[\"']")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _header_line(text: str, index: int) -> int | None:
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*\[\[\s*rules\s*\]\]", line):
            seen += 1
            if seen == index:
                return number
    return None


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


def parse_rules(raw: dict[str, Any], source: str, text: str = "") -> RuleSet:
    try:
        return RuleSet(**raw)
    except ValidationError as error:
        problems = []
        for problem, item in zip(problems_from(error, source), error.errors(), strict=False):
            loc = item["loc"]
            line = _header_line(text, loc[1]) if len(loc) > 1 and isinstance(loc[1], int) else None
            problems.append(ConfigProblem(_where(source, line), problem.key, problem.reason))
        raise ConfigError(problems) from None


def load_rules(path: Path) -> RuleSet:
    raw = read_toml(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    return parse_rules(raw, str(path), text)


_cache: dict[Path, tuple[int, RuleSet]] = {}


def rules_for(settings: Settings) -> RuleSet:
    """The hall's rules (re-read when the file changes); the fallback rules, logged,
    when the file cannot be used: a broken file never stops the kiosk."""
    path = settings.rules_path
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1  # missing: the fallback, until the file appears
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        rules = load_rules(path)
    except (OSError, ConfigError) as error:
        # Once per version of the file, not at every visit.
        log.error("the routing rules cannot be used, routing by the fallback rules: %s", error)
        rules = FALLBACK_RULES
    _cache[path] = (stamp, rules)
    return rules


# ---- the visit -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """No ticket: what to do instead, and when to come back."""

    action: Action
    message: Text
    come_back_at: datetime | None = None


@dataclass(frozen=True)
class Route:
    """Where a visit goes. `queue` is where a ticket sends the taxpayer; when
    `self_service_offer` is set the self-service area is offered first and the
    queue is the fallback. With `refusal` set no ticket is issued (the queue is
    then only the default one, never used)."""

    queue: QueueSection
    matters: tuple[Matter, ...]
    reasons: tuple[Text, ...]
    self_service_offer: bool
    rule: str = ""
    refusal: Refusal | None = None
    time_limit: Text = field(default_factory=lambda: time_limit_text("on_the_spot"))
    overflow: str | None = None  # the queue the hall is asked to open another window for

    @property
    def ticket(self) -> bool:
        return self.refusal is None


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


class TriageError(ValueError):
    pass


# ---- hours -------------------------------------------------------------------------------


def _open_on(day: date, settings: Settings) -> bool:
    routing = settings.routing
    if day in routing.open_dates:
        return True
    return day.isoweekday() in routing.open_days and day not in routing.closed_dates


def period_at(now: datetime, settings: Settings) -> Period:
    routing = settings.routing
    local = now.astimezone(ZoneInfo(settings.kiosk.timezone))
    if not _open_on(local.date(), settings):
        return "closed_day"
    moment = local.time().replace(tzinfo=None)
    if moment < routing.opens:
        return "before_opening"
    if moment < routing.cutoff:
        return "open"
    if moment < routing.extended_until:
        return "extended"
    return "after_hours"


def next_opening(now: datetime, settings: Settings) -> datetime:
    """When numbers are next issued: today's opening if still ahead, else the next open day."""
    zone = ZoneInfo(settings.kiosk.timezone)
    local = now.astimezone(zone)
    day = local.date()
    opens = settings.routing.opens
    if _open_on(day, settings) and local.time().replace(tzinfo=None) < opens:
        return datetime.combine(day, opens, zone)
    for _ in range(366):
        day += timedelta(days=1)
        if _open_on(day, settings):
            return datetime.combine(day, opens, zone)
    return datetime.combine(local.date() + timedelta(days=1), opens, zone)


WEEKDAYS_ZH = "一二三四五六日"


def come_back_text(at: datetime, now: datetime) -> Text:
    clock = at.strftime("%H:%M")
    if at.date() == now.date():
        return Text(zh=f"今天{clock}", en=f"today at {clock}")
    if at.date() == now.date() + timedelta(days=1):
        return Text(zh=f"明天{clock}", en=f"tomorrow at {clock}")
    return Text(
        zh=f"{at.month}月{at.day}日（周{WEEKDAYS_ZH[at.weekday()]}）{clock}",
        en=f"on {at.strftime('%a')} {at.day} {at.strftime('%b')} at {clock}",
    )


# ---- facts and matching ------------------------------------------------------------------


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
    registered = profile.registered_on
    recently = (
        registered is not None
        and today is not None
        and (today - registered).days < settings.identification.new_taxpayer_days
    )
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


def _matches(when: When, matters: Sequence[Matter], facts: Facts) -> bool:
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


def _find_queue(settings: Settings, code: str) -> QueueSection | None:
    try:
        return settings.queue(code)
    except KeyError:
        return None


def _longest_time_limit(matters: Sequence[Matter]) -> Text:
    longest = max(matters, key=lambda matter: time_limit_rank(matter.time_limit))
    return longest.time_limit_text


def _fill(template: Text, values: Mapping[str, Text]) -> Text:
    def one(language: Literal["zh", "en"]) -> str:
        result = template.get(language)
        for key, value in values.items():
            result = result.replace("{" + key + "}", value.get(language))
        return result

    return Text(zh=one("zh"), en=one("en"))


def _hour_values(context: VisitContext, settings: Settings) -> tuple[dict[str, Text], datetime]:
    routing = settings.routing
    zone = ZoneInfo(settings.kiosk.timezone)
    now = (context.now or datetime.now(zone)).astimezone(zone)
    back = next_opening(now, settings)
    values = {
        "come_back": come_back_text(back, now),
        "opens": Text(zh=routing.opens.strftime("%H:%M"), en=routing.opens.strftime("%H:%M")),
        "cutoff": Text(zh=routing.cutoff.strftime("%H:%M"), en=routing.cutoff.strftime("%H:%M")),
        "extended_until": Text(
            zh=routing.extended_until.strftime("%H:%M"),
            en=routing.extended_until.strftime("%H:%M"),
        ),
    }
    return values, back


# ---- routing -----------------------------------------------------------------------------


def route_visit(
    matters: Sequence[Matter],
    settings: Settings,
    context: VisitContext | None = None,
    rules: RuleSet | None = None,
) -> Route:
    """The first rule that matches decides: a queue, or no ticket and what to do instead."""
    if not matters:
        raise TriageError("a visit needs at least one matter")
    context = context or VisitContext()
    rule_set = rules if rules is not None else rules_for(settings)
    facts = facts_of(context, settings)
    chosen = tuple(matters)
    for rule in rule_set.rules:
        if not _matches(rule.when, chosen, facts):
            continue
        if rule.action is not None:
            return _refusal(rule.name, rule.action, rule.reason, chosen, settings, context)
        queue = _find_queue(settings, rule.queue or "")
        if queue is None:
            if not rule.optional:
                log.warning("routing rule %s names an unknown queue %r", rule.name, rule.queue)
            continue
        if not all(accepts(queue, matter) for matter in chosen):
            continue
        quota = settings.routing.quotas.get(queue.code)
        if quota is not None and context.issued_today.get(queue.code, 0) >= quota:
            continue
        return _ticket_route(rule, queue, chosen, settings)
    return _refusal("no_queue", "come_back", REASON_NO_QUEUE, chosen, settings, context)


def _ticket_route(
    rule: Rule, queue: QueueSection, matters: tuple[Matter, ...], settings: Settings
) -> Route:
    reasons = [rule.reason]
    if len(matters) > 1:
        reasons.append(REASON_SEVERAL)
    offer = rule.offer_self_service and all(matter.self_service for matter in matters)
    if offer:
        reasons.insert(0, REASON_SELF_SERVICE)
    return Route(
        queue=queue,
        matters=matters,
        reasons=tuple(reasons),
        self_service_offer=offer,
        rule=rule.name,
        time_limit=_longest_time_limit(matters),
        overflow=settings.routing.overflow_queue if rule.tell_hall else None,
    )


def _refusal(
    name: str,
    action: Action,
    reason: Text,
    matters: tuple[Matter, ...],
    settings: Settings,
    context: VisitContext,
) -> Route:
    values, back = _hour_values(context, settings)
    message = _fill(reason, values)
    return Route(
        queue=settings.queue(settings.routing.default_queue),
        matters=matters,
        reasons=(message,),
        self_service_offer=False,
        rule=name,
        refusal=Refusal(action, message, back if action != "self_service" else None),
        time_limit=_longest_time_limit(matters),
    )


# ---- checking the rules ------------------------------------------------------------------


def _can_be_passed_over(rule: Rule, settings: Settings) -> bool:
    """Whether a matching rule may still let the next ones be tried."""
    if rule.action is not None:
        return False
    queue = _find_queue(settings, rule.queue or "")
    if queue is None:
        return True
    return bool(queue.categories or queue.simple_only or queue.code in settings.routing.quotas)


def _implies(later: When, earlier: When) -> bool:
    """Whenever `later`'s conditions hold, `earlier`'s hold too."""
    for key in When.model_fields:
        wanted = getattr(earlier, key)
        if wanted is None:
            continue
        given = getattr(later, key)
        if given is None:
            return False
        if key in ("period", "all_category", "any_category"):
            # a narrower list in the later rule: the earlier one holds too
            if not set(given) <= set(wanted):
                return False
        elif given != wanted:
            return False
    return True


def _never_matches(rule: Rule, settings: Settings, catalog: Catalog) -> str | None:
    when = rule.when
    if when.period is not None:
        possible = set(when.period)
        if settings.routing.extended_until == settings.routing.cutoff:
            possible.discard("extended")
        if not possible:
            return "its periods never happen"
    if when.priority_credit and not settings.routing.priority_credit_levels:
        return "no credit level is served with priority (routing.priority_credit_levels)"
    queue = _find_queue(settings, rule.queue) if rule.queue else None
    tests = matter_tests(when)
    candidates = [
        matter
        for matter in catalog.matters
        if all(test(matter) for quantifier, test in tests if quantifier == "all")
        and (queue is None or accepts(queue, matter))
    ]
    if not candidates:
        return "no matter of the catalog meets its conditions" + (
            f" and can go to queue {queue.code!r}" if queue is not None else ""
        )
    for quantifier, test in tests:
        if quantifier == "any" and not any(test(matter) for matter in candidates):
            return "no matter of the catalog meets its conditions"
    return None


def check_rules(
    rule_set: RuleSet, settings: Settings, catalog: Catalog, file: str, text: str = ""
) -> list[ConfigProblem]:
    """Rules naming an unknown queue or category, never matching, or shadowed."""
    problems: list[ConfigProblem] = []
    categories = {category.code for category in catalog.categories}
    for index, rule in enumerate(rule_set.rules):
        where = _where(file, _rule_line(text, rule.name) or _header_line(text, index))
        key = f"rules.{rule.name}"
        unknown_queue = rule.queue is not None and _find_queue(settings, rule.queue) is None
        if unknown_queue and not rule.optional:
            problems.append(ConfigProblem(where, key, f"unknown queue {rule.queue!r}"))
        named = (rule.when.any_category or ()) + (rule.when.all_category or ())
        for category in sorted(set(named) - categories):
            problems.append(ConfigProblem(where, key, f"unknown category {category!r}"))
        if unknown_queue:
            continue
        never = _never_matches(rule, settings, catalog)
        if never is not None:
            problems.append(ConfigProblem(where, key, f"can never match: {never}"))
            continue
        for earlier in rule_set.rules[:index]:
            if _find_queue(settings, earlier.queue or "") is None and earlier.queue is not None:
                continue
            if not _can_be_passed_over(earlier, settings) and _implies(rule.when, earlier.when):
                problems.append(
                    ConfigProblem(
                        where, key, f"never used: shadowed by the earlier rule {earlier.name!r}"
                    )
                )
                break
    return problems


def rule_problems(settings: Settings, catalog: Catalog) -> list[ConfigProblem]:
    """Everything wrong with the settings' rules file, for `kiosk config check`."""
    path = settings.rules_path
    try:
        rule_set = load_rules(path)
    except ConfigError as error:
        return error.problems
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    return check_rules(rule_set, settings, catalog, str(path), text)
