"""The routing rules file as data: read, validated with the line of each problem, and
the fallback rules when it cannot be used."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.catalog import load_catalog
from kiosk.settings import ConfigError, load_settings
from kiosk.triage import fallback_rules, parse_rules, route_visit

SETTINGS = load_settings()
CATALOG = load_catalog(SETTINGS.catalog_path)


def _rule(name: str, **fields: str) -> str:
    body = "".join(f"{key} = {value}\n" for key, value in fields.items())
    return f'\n[[rules]]\nname = "{name}"\n{body}reason = {{ zh = "理由", en = "why" }}\n'


def test_broken_rules_fall_back_and_still_give_a_number(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "rules.toml"
    broken.write_text("[[rules]]\nname = 'x'\n", encoding="utf-8")
    settings = load_settings(overrides={"routing": {"rules": str(broken)}})
    route = route_visit([CATALOG.matter("M0102")], settings)
    assert route.queue.code == "comprehensive"
    assert route.rule == "comprehensive"
    assert "fallback" in caplog.text
    assert route_visit([CATALOG.matter("M0202")], settings, rules=fallback_rules()).rule == "green"
    caplog.clear()
    route_visit([CATALOG.matter("M0102")], settings)  # the next visit: same broken file
    assert "fallback" not in caplog.text  # read and logged once per version, not per visit


def test_a_rule_with_both_queue_and_action_is_refused_with_its_line() -> None:
    text = _rule("both", queue='"green"', action='"come_back"')
    with pytest.raises(ConfigError) as error:
        parse_rules(tomllib.loads(text), "rules.toml", text)
    assert "either a queue or an action" in str(error.value)
    assert error.value.problems[0].file == "rules.toml:2"


def test_a_rule_without_a_reason_is_named_with_the_line_of_its_header() -> None:
    text = _rule("first", queue='"green"') + '\n[[rules]]\nname = "second"\nqueue = "green"\n'
    with pytest.raises(ConfigError) as error:
        parse_rules(tomllib.loads(text), "rules.toml", text)
    [problem] = error.value.problems
    assert problem.key == "rules.1.reason"
    assert problem.file == "rules.toml:7"  # the second [[rules]]
