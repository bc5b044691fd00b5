"""The matter catalog and the routing rules as data, and what `kiosk config check` says of them."""

from __future__ import annotations

import json
import logging
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from kiosk.catalog import Handling, load_catalog, parse_catalog
from kiosk.settings import ConfigError, load_settings, read_toml
from kiosk.triage import check_rules, load_rules, parse_rules

SETTINGS = load_settings()
CATALOG_TEXT = SETTINGS.catalog_path.read_text(encoding="utf-8")
RULES_TEXT = SETTINGS.rules_path.read_text(encoding="utf-8")


def raw_catalog() -> dict[str, Any]:
    return read_toml(SETTINGS.catalog_path)


def code_line(code: str) -> str:
    return f'code = "{code}"'


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence]


def test_the_catalog_has_at_least_40_matters_in_every_category() -> None:
    catalog = load_catalog(SETTINGS.catalog_path)
    assert len(catalog.matters) >= 40
    assert len(catalog.categories) == 9
    for category in catalog.categories:
        assert catalog.matters_in(category.code), category.code
    for matter in catalog.matters:
        assert catalog.guide_url(matter).startswith("https://")
        assert matter.initials
        assert matter.documents or matter.no_documents
        for required in matter.documents:
            assert catalog.document(required.document).name.zh
    assert any(m.handling is Handling.REVIEW for m in catalog.matters)
    assert any(m.hard_case for m in catalog.matters)
    assert any(d.deferrable for m in catalog.matters for d in m.documents)
    assert {m.time_limit for m in catalog.matters} >= {"on_the_spot", "same_day", 3}


def test_search_by_pinyin_initials_english_and_chinese() -> None:
    catalog = load_catalog(SETTINGS.catalog_path)
    invoices = catalog.search("FP")
    assert invoices[0].code == "M0201"
    assert {"M0201", "M0202", "M0203"} <= {m.code for m in invoices}
    assert all(m.initials.startswith("FP") for m in invoices[:5])
    assert [m.code for m in catalog.search("fpdk")] == ["M0202"]
    assert "M0301" in {m.code for m in catalog.search("VAT")}
    assert "M0801" in {m.code for m in catalog.search("二手房")}
    assert catalog.search("") == []
    assert catalog.search("QQQQ") == []


def test_config_check_names_file_and_line_of_each_catalog_problem(tmp_path: Path) -> None:
    text = CATALOG_TEXT
    # a duplicate code: the second M0202 is named
    text = text.replace('code = "M0203"', 'code = "M0202"', 1)
    # a document referenced but not defined
    text = text.replace('document = "tax_return"', 'document = "unicorn"', 1)
    # an unknown category
    text = text.replace('category = "other"', 'category = "nowhere"', 1)
    # a matter without documents (and without no_documents = true)
    text = text.replace("\nno_documents = true\n", "\ndocuments = []\n", 1)
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_catalog(path)
    problems = {problem.reason: problem for problem in error.value.problems}
    twice = problems["the code 'M0202' is used twice"]
    assert twice.file == f"{path}:{line_of(text, code_line('M0202'), 1)}"
    unicorn = next(p for p in error.value.problems if "'unicorn' is not defined" in p.reason)
    assert unicorn.file == f"{path}:{line_of(text, code_line('M0106'))}"  # the first to need it
    nowhere = next(p for p in error.value.problems if "unknown category 'nowhere'" in p.reason)
    assert nowhere.file == f"{path}:{line_of(text, code_line('M0901'))}"
    empty = next(p for p in error.value.problems if "no documents listed" in p.reason)
    assert empty.key == "matters.M0901"
    assert "no_documents = true" in empty.reason


def test_a_matter_without_a_category_is_named_with_its_line(tmp_path: Path) -> None:
    text = CATALOG_TEXT.replace('category = "invoices"\n', "", 1)
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_catalog(path)
    [problem] = error.value.problems
    assert problem.reason == "no category given"
    index = [m["code"] for m in raw_catalog()["matters"]].index("M0201")
    assert problem.key == f"matters.{index}.category"
    assert problem.file == f"{path}:{line_of(text, code_line('M0201')) - 1}"  # its [[matters]]


def test_a_misspelt_field_is_named() -> None:
    raw = raw_catalog()
    raw["matters"][0] = {**raw["matters"][0], "simpel": True}
    with pytest.raises(ConfigError, match=r"matters\.0\.simpel: unknown key"):
        parse_catalog(raw, "catalog.toml")


def test_documents_and_no_documents_together_are_refused() -> None:
    raw = raw_catalog()
    raw["matters"][0] = {**raw["matters"][0], "no_documents": True}
    with pytest.raises(ConfigError, match="lists documents but says no_documents"):
        parse_catalog(raw, "catalog.toml")


# ---- the rules -------------------------------------------------------------------------


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


def test_a_rule_with_both_queue_and_action_is_refused_with_its_line() -> None:
    text = _rule("both", queue='"green"', action='"come_back"')
    with pytest.raises(ConfigError) as error:
        parse_rules(tomllib.loads(text), "rules.toml", text)
    assert "either a queue or an action" in str(error.value)
    assert error.value.problems[0].file == "rules.toml:2"


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
