"""The hall's routing rules (config/rules.toml) as data: read, validated, and cached
per version of the file, with the fallback rules when the file cannot be used."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.settings import ConfigError, Settings, read_toml
from kiosk.text import Text
from kiosk.toml_lines import TomlLines, file_text, located_problems
from kiosk.triage import texts

log = logging.getLogger(__name__)

Period = Literal["closed_day", "before_opening", "open", "extended", "after_hours"]
Action = Literal["self_service", "e_tax", "appointment", "come_back"]


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


def fallback_rules() -> RuleSet:
    """The rules when the hall's file cannot be read: a taxpayer still gets a number.
    Built when needed, so that their reasons are worded as the hall words them."""
    return RuleSet(
        rules=(
            Rule(name="green", when=When(all_simple=True), queue="green",
                 reason=texts.REASON_SIMPLE, offer_self_service=True, optional=True),
            Rule(name="comprehensive", queue="comprehensive", reason=texts.REASON_GENERAL,
                 offer_self_service=True, optional=True),
            Rule(name="no_queue", action="come_back", reason=texts.REASON_NO_QUEUE),
        )
    )  # fmt: skip


def parse_rules(raw: dict[str, Any], source: str, text: str = "") -> RuleSet:
    try:
        return RuleSet(**raw)
    except ValidationError as error:
        raise ConfigError(located_problems(error, source, TomlLines(text))) from None


def load_rules(path: Path) -> RuleSet:
    return parse_rules(read_toml(path), str(path), file_text(path))


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
        rules = fallback_rules()
    _cache[path] = (stamp, rules)
    return rules
