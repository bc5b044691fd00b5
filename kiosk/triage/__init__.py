"""Routing (智能导税): which queue a visit belongs in, or no ticket at all, and why.

The hall's rules are data (config/rules.toml, `rules`): ordered, the first that
matches decides (`route`), each with a reason shown to the taxpayer. A rule sends
the visit to a queue, or refuses a ticket and says what to do instead
(self-service, the e-tax bureau, an appointment, come back at, by the `hours`).
A queue rule is passed over when its queue cannot take every matter of the visit
(`conditions`) or has issued its daily quota, so several matters get one number
at a window that can do them all (一窗通办).

`check_rules` (`checks`) finds rules that name an unknown queue, can never match,
or are shadowed by an earlier rule; `kiosk config check` reports them.
"""

from kiosk.triage.checks import check_rules, rule_problems
from kiosk.triage.conditions import VisitContext
from kiosk.triage.hours import ALWAYS_OPEN, next_opening, period_at
from kiosk.triage.route import Refusal, Route, TriageError, route_visit
from kiosk.triage.rules import (
    Action,
    Period,
    Rule,
    RuleSet,
    When,
    fallback_rules,
    load_rules,
    parse_rules,
    rules_for,
)

__all__ = [
    "ALWAYS_OPEN",
    "Action",
    "Period",
    "Refusal",
    "Route",
    "Rule",
    "RuleSet",
    "TriageError",
    "VisitContext",
    "When",
    "check_rules",
    "fallback_rules",
    "load_rules",
    "next_opening",
    "parse_rules",
    "period_at",
    "route_visit",
    "rule_problems",
    "rules_for",
]
