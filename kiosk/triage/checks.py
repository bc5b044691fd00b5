"""What `kiosk config check` says of the routing rules: rules naming an unknown queue
or category, rules that can never match, and rules an earlier one shadows."""

from __future__ import annotations

from kiosk.catalog import Catalog
from kiosk.settings import ConfigError, ConfigProblem, Settings
from kiosk.toml_lines import TomlLines, file_text, where
from kiosk.triage.conditions import accepts, find_queue, matter_tests
from kiosk.triage.rules import Rule, RuleSet, When, load_rules


def _can_be_passed_over(rule: Rule, settings: Settings) -> bool:
    """Whether a matching rule may still let the next ones be tried."""
    if rule.action is not None:
        return False
    queue = find_queue(settings, rule.queue or "")
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
    queue = find_queue(settings, rule.queue) if rule.queue else None
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
    lines = TomlLines(text)
    for index, rule in enumerate(rule_set.rules):
        at = where(file, lines.keyed("name", rule.name) or lines.header("rules", index))
        key = f"rules.{rule.name}"
        unknown_queue = rule.queue is not None and find_queue(settings, rule.queue) is None
        if unknown_queue and not rule.optional:
            problems.append(ConfigProblem(at, key, f"unknown queue {rule.queue!r}"))
        named = (rule.when.any_category or ()) + (rule.when.all_category or ())
        for category in sorted(set(named) - categories):
            problems.append(ConfigProblem(at, key, f"unknown category {category!r}"))
        if unknown_queue:
            continue
        never = _never_matches(rule, settings, catalog)
        if never is not None:
            problems.append(ConfigProblem(at, key, f"can never match: {never}"))
            continue
        for earlier in rule_set.rules[:index]:
            if find_queue(settings, earlier.queue or "") is None and earlier.queue is not None:
                continue
            if not _can_be_passed_over(earlier, settings) and _implies(rule.when, earlier.when):
                problems.append(
                    ConfigProblem(
                        at, key, f"never used: shadowed by the earlier rule {earlier.name!r}"
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
    return check_rules(rule_set, settings, catalog, str(path), file_text(path))
