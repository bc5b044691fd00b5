"""Where a visit goes: the first rule that matches decides a queue, or no ticket and
what to do instead. A queue rule is passed over when its queue cannot take every
matter of the visit or has issued its daily quota."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from kiosk.catalog import Matter, time_limit_rank, time_limit_text
from kiosk.settings import QueueSection, Settings
from kiosk.text import Text
from kiosk.triage import texts
from kiosk.triage.conditions import VisitContext, accepts, facts_of, find_queue, matches
from kiosk.triage.hours import next_opening
from kiosk.triage.rules import Action, Rule, RuleSet, rules_for

log = logging.getLogger(__name__)


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


class TriageError(ValueError):
    pass


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
        if not matches(rule.when, chosen, facts):
            continue
        if rule.action is not None:
            return _refusal(rule.name, rule.action, rule.reason, chosen, settings, context)
        queue = find_queue(settings, rule.queue or "")
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
    return _refusal("no_queue", "come_back", texts.REASON_NO_QUEUE, chosen, settings, context)


def _longest_time_limit(matters: Sequence[Matter]) -> Text:
    longest = max(matters, key=lambda matter: time_limit_rank(matter.time_limit))
    return longest.time_limit_text


def _ticket_route(
    rule: Rule, queue: QueueSection, matters: tuple[Matter, ...], settings: Settings
) -> Route:
    offer = rule.offer_self_service and all(matter.self_service for matter in matters)
    # Offered self-service, the reason is that: no queue at all. The rule's own reason
    # ("the green channel is quicker") would argue for the queue the offer spares.
    reasons = [texts.REASON_SELF_SERVICE if offer else rule.reason]
    if len(matters) > 1:
        reasons.append(texts.REASON_SEVERAL)
    return Route(
        queue=queue,
        matters=matters,
        reasons=tuple(reasons),
        self_service_offer=offer,
        rule=rule.name,
        time_limit=_longest_time_limit(matters),
        overflow=settings.routing.overflow_queue if rule.tell_hall else None,
    )


def _fill(template: Text, values: Mapping[str, Text]) -> Text:
    def one(language: Literal["zh", "en"]) -> str:
        result = template.get(language)
        for key, value in values.items():
            result = result.replace("{" + key + "}", value.get(language))
        return result

    return Text(zh=one("zh"), en=one("en"))


def come_back_text(at: datetime, now: datetime) -> Text:
    """When to come back, as a rule's {come_back} says it: today, tomorrow, or the date."""
    clock = at.strftime("%H:%M")
    if at.date() == now.date():
        return texts.COME_BACK_TODAY.format(clock=clock)
    if at.date() == now.date() + timedelta(days=1):
        return texts.COME_BACK_TOMORROW.format(clock=clock)
    return texts.COME_BACK_ON.format(
        month=texts.MONTHS[at.month - 1],
        day=at.day,
        weekday=texts.WEEKDAYS[at.weekday()],
        clock=clock,
    )


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
