"""The matter catalog as data, and what `kiosk config check` says of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog import Handling, load_catalog, parse_catalog
from kiosk.settings import ConfigError, load_settings, read_toml

SETTINGS = load_settings()
CATALOG_TEXT = SETTINGS.catalog_path.read_text(encoding="utf-8")


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
