"""What `kiosk config check` says of the routing rules: unknown queues and categories,
rules that can never match, shadowed rules, each named with its line."""

from __future__ import annotations

import json
import logging
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from kiosk.catalog import load_catalog
from kiosk.settings import load_settings
from kiosk.triage import check_rules, load_rules, parse_rules

SETTINGS = load_settings()
RULES_TEXT = SETTINGS.rules_path.read_text(encoding="utf-8")


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence]


def test_the_shipped_rules_are_clean() -> None:
    catalog = load_catalog(SETTINGS.catalog_path)
    rules = load_rules(SETTINGS.rules_path)
    assert check_rules(rules, SETTINGS, catalog, "rules.toml", RULES_TEXT) == []


def _rule(name: str, **fields: Any) -> str:
    body = "".join(f"{key} = {value}\n" for key, value in fields.items())
    return f'\n[[rules]]\nname = "{name}"\n{body}reason = {{ zh = "理由", en = "why" }}\n'


@pytest.mark.parametrize(
    ("extra", "where", "message"),
    [
        (_rule("to_nowhere", queue='"nowhere"'), "to_nowhere", "unknown queue 'nowhere'"),
        (
            _rule("simple_review", queue='"green"', when="{ any_review = true }"),
            "simple_review",
            "can never match",
        ),
        (
            _rule("sunday_open", action='"come_back"', when="{ period = [] }"),
            "sunday_open",
            "can never match: its periods never happen",
        ),
        (
            _rule("unknown_category", queue='"green"', when='{ any_category = ["pets"] }'),
            "unknown_category",
            "unknown category 'pets'",
        ),
    ],
    ids=["unknown queue", "green never takes review", "no period", "unknown category"],
)
def test_bad_rules_are_named_with_their_line(extra: str, where: str, message: str) -> None:
    # inserted before the catch-all rules, so that no shadowing hides the problem
    head, tail = RULES_TEXT.split('[[rules]]\nname = "appointment"', 1)
    text = head + extra.lstrip("\n") + '\n[[rules]]\nname = "appointment"' + tail
    rules = parse_rules(tomllib.loads(text), "rules.toml", text)
    problems = check_rules(rules, SETTINGS, load_catalog(SETTINGS.catalog_path), "rules.toml", text)
    [problem] = [p for p in problems if p.key == f"rules.{where}" and message in p.reason]
    assert (
        problem.file
        == f"rules.toml:{line_of(text, 'name = ' + repr(where).replace(chr(39), chr(34)))}"
    )


def test_a_rule_after_an_unconditional_one_is_shadowed() -> None:
    text = RULES_TEXT + _rule("late_green", queue='"green"', when="{ all_simple = true }")
    text += _rule("late_refusal", action='"come_back"', when="{ elderly = true }")
    rules = parse_rules(tomllib.loads(text), "rules.toml", text)
    problems = check_rules(rules, SETTINGS, load_catalog(SETTINGS.catalog_path), "rules.toml", text)
    by_key = {p.key: p.reason for p in problems}
    # the green rule before it already takes every simple visit it could
    assert by_key["rules.late_green"] == "never used: shadowed by the earlier rule 'quota_full'"
    # no elderly visit gets past the priority rule: it has no quota and takes every matter
    assert "shadowed by the earlier rule 'priority_elderly'" in by_key["rules.late_refusal"]


def test_a_shadowed_rule_names_the_rule_that_shadows_it() -> None:
    text = RULES_TEXT.replace(
        '[[rules]]\nname = "priority_elderly"',
        _rule("everyone_elderly", action='"come_back"', when="{ }").lstrip("\n")
        + '\n[[rules]]\nname = "priority_elderly"',
    )
    rules = parse_rules(tomllib.loads(text), "rules.toml", text)
    problems = check_rules(rules, SETTINGS, load_catalog(SETTINGS.catalog_path), "rules.toml", text)
    shadowed = {
        p.key for p in problems if "shadowed by the earlier rule 'everyone_elderly'" in p.reason
    }
    assert {"rules.priority_elderly", "rules.green", "rules.comprehensive"} <= shadowed


def test_kiosk_config_check_reports_rules_and_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_TEXT + _rule("to_nowhere", queue='"nowhere"'), encoding="utf-8")
    machine = tmp_path / "kiosk.toml"
    machine.write_text(f'[routing]\nrules = "{rules.name}"\n', encoding="utf-8")
    assert main(["config", "check", str(machine), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    [problem] = [p for p in report["problems"] if p["key"] == "rules.to_nowhere"]
    assert problem["reason"] == "unknown queue 'nowhere'"
    assert re.fullmatch(rf"{re.escape(str(rules))}:\d+", problem["file"])
    assert main(["config", "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["matters"] >= 40
    logging.getLogger().handlers.clear()
