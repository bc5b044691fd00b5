"""The one text catalog: complete in both languages, used by name, reworded by a hall."""

from __future__ import annotations

import re
import string
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import kiosk.identity.texts
import kiosk.tickets.texts
import kiosk.triage.texts
import ui.technician.texts
import ui.texts
from drivers.keypad.protocol import KeypadEvent
from kiosk.catalog import time_limit_text
from kiosk.evaluation import key_label
from kiosk.identity import CodeProblem, classify_code, credit_code_problem
from kiosk.text import (
    LANGUAGES,
    TEXTS_FILE,
    Text,
    TextCatalog,
    active_texts,
    default_texts,
    install_texts,
    read_catalog_file,
    text,
    text_list,
    text_table,
)

ROOT = Path(__file__).resolve().parents[3]
TEXT_MODULES = {
    "screen": ui.texts,
    "technician": ui.technician.texts,
    "identity": kiosk.identity.texts,
    "ticket": kiosk.tickets.texts,
    "triage": kiosk.triage.texts,
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _defaults_again() -> Iterator[None]:
    yield
    install_texts(None)


def _texts(catalog: TextCatalog) -> Iterator[tuple[str, Text]]:
    for key in catalog:
        entry = catalog.entry(key)
        if isinstance(entry, Text):
            yield key, entry
        else:
            yield from ((f"{key}.{index}", item) for index, item in enumerate(entry))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_has_both_languages_none_empty_the_same_fields() -> None:
    catalog, problems = TextCatalog.parse(read_catalog_file(TEXTS_FILE))
    assert problems == []
    checked = 0
    for key, value in _texts(catalog):
        assert all(value.get(language).strip() for language in LANGUAGES), key
        assert _fields(value.zh) == _fields(value.en), key
        assert not CHINESE.search(value.en), key
        checked += 1
    assert checked > 300


def _declared(module: ModuleType) -> dict[str, object]:
    return typing.get_type_hints(module)


@pytest.mark.parametrize("section", sorted(TEXT_MODULES))
def test_every_declared_name_has_its_text_and_every_text_a_name(section: str) -> None:
    module = TEXT_MODULES[section]
    declared = _declared(module)
    assert declared
    for name, kind in declared.items():
        value = getattr(module, name)
        origin = typing.get_origin(kind) or kind
        assert isinstance(value, origin), name
    names = {name.lower() for name in declared}
    unused = [
        key
        for key in default_texts()
        if key.startswith(f"{section}.")
        and key.removeprefix(f"{section}.").split(".")[0] not in names
    ]
    assert unused == []


def test_every_key_the_code_reads_exists() -> None:
    read = re.compile(r"""\btext(?:_table|_list)?\(\s*["']([\w.]+)["']\s*\)""")
    keys = {
        key
        for folder in ("kiosk", "ui")
        for path in (ROOT / folder).rglob("*.py")
        for key in read.findall(path.read_text(encoding="utf-8"))
    }
    assert "screen.people_ahead" in keys  # the scan finds what it looks for
    catalog = default_texts()
    assert sorted(key for key in keys if key not in catalog and not catalog.table(key)) == []


def test_a_name_reads_the_catalog_installed_when_it_is_read() -> None:
    from ui.texts import WELCOME  # bound before the hall's wording: still the default

    catalog, problems = default_texts().reworded(
        {"screen": {"welcome": {"zh": "欢迎来到本厅", "en": "Welcome to our hall"}}}
    )
    assert problems == []
    install_texts(catalog)
    assert Text(zh="欢迎来到本厅", en="Welcome to our hall") == ui.texts.WELCOME
    assert text("screen.welcome").en == "Welcome to our hall"
    assert WELCOME.en.startswith("Welcome! Take a number")
    install_texts(None)
    assert ui.texts.WELCOME == WELCOME


def test_a_table_and_a_list_resolve_through_the_catalog() -> None:
    reasons = ui.technician.texts.VOID_REASONS
    assert isinstance(reasons, tuple)
    assert len(reasons) == 3
    titles = ui.technician.texts.FIELD_TITLES
    assert titles["kiosk.id"] == Text(zh="终端编号", en="Kiosk id")
    catalog, problems = default_texts().reworded(
        {"technician": {"field_titles": {"kiosk": {"id": {"zh": "机号", "en": "Machine"}}}}}
    )
    assert problems == []
    install_texts(catalog)
    assert ui.technician.texts.FIELD_TITLES["kiosk.id"].zh == "机号"
    assert ui.technician.texts.FIELD_TITLES["kiosk.data_dir"] == titles["kiosk.data_dir"]
    assert active_texts() is catalog


def test_a_module_reads_a_table_or_a_list_by_key() -> None:
    assert text_table("screen.refusal_actions")["e_tax"] == ui.texts.REFUSAL_ACTIONS["e_tax"]
    assert text_list("technician.close_notes") == ui.technician.texts.CLOSE_NOTES
    with pytest.raises(KeyError):
        text_list("screen.welcome")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = ui.texts.NO_SUCH_TEXT


@pytest.mark.parametrize(
    ("wording", "key", "reason"),
    [
        ({"screen": {"welcom": {"zh": "a", "en": "b"}}}, "screen.welcom", "unknown text"),
        ({"screen": {"welcome": {"zh": "欢迎"}}}, "screen.welcome", "no en text"),
        ({"screen": {"welcome": {"zh": "欢迎", "en": " "}}}, "screen.welcome", "empty"),
        ({"screen": {"welcome": {"zh": "a", "en": "b", "fr": "c"}}}, "screen.welcome", "fr"),
        ({"screen": {"welcome": "Welcome"}}, "screen.welcome", "a text is a table"),
        (
            {"screen": {"queue_state": {"zh": "{count} 人", "en": "{people} waiting"}}},
            "screen.queue_state",
            "unknown ['people']",
        ),
        ({"screen": {"queue_state": {"zh": "{count", "en": "x"}}}, "screen.queue_state", "valid"),
        (
            {"technician": {"void_reasons": [{"zh": "重复", "en": "Twice"}]}},
            "technician.void_reasons",
            "needs 3 texts",
        ),
    ],
)
def test_a_wrong_rewording_is_refused_with_its_key_and_reason(
    wording: dict[str, object], key: str, reason: str
) -> None:
    catalog, problems = default_texts().reworded(wording)
    assert catalog is default_texts()
    assert [problem_key for problem_key, _ in problems] == [key]
    assert reason in problems[0][1]


def test_a_rewording_may_drop_a_field_and_keep_the_others() -> None:
    catalog, problems = default_texts().reworded(
        {"screen": {"queue_state": {"zh": "等候 {count} 人", "en": "{count} waiting"}}}
    )
    assert problems == []
    assert catalog.text("screen.queue_state").format(count=3, minutes=9).en == "3 waiting"


def test_keys_read_by_a_computed_name_exist() -> None:
    assert {key_label(event).en for event in KeypadEvent} >= {"None", "Please evaluate"}
    assert [time_limit_text(limit).en for limit in ("on_the_spot", "same_day", 1, 3)] == [
        "Done on the spot",
        "Done the same day",
        "1 working day",
        "3 working days",
    ]


def test_a_text_built_in_kiosk_code_is_worded_as_the_hall_words_it() -> None:
    catalog, problems = default_texts().reworded(
        {
            "identity": {"code_too_long": {"zh": "太长：{length}位", "en": "Too long: {length}"}},
            "keypad": {"recall": {"zh": "再叫", "en": "Call again"}},
            "time_limit": {"same_day": {"zh": "今日办结", "en": "Today"}},
        }
    )
    assert problems == []
    install_texts(catalog)
    assert credit_code_problem("9" * 19) == Text(zh="太长：19位", en="Too long: 19")
    assert key_label(KeypadEvent.RECALL).en == "Call again"
    assert time_limit_text("same_day").zh == "今日办结"
    problem = classify_code("HALLTP:" + "9" * 19)
    assert isinstance(problem, CodeProblem)
    assert problem.message.zh == "纳税人二维码中的信用代码有误：太长：19位"


def test_a_template_takes_a_bilingual_value_in_each_language() -> None:
    template = Text(zh="请到{area}", en="Go to {area} ({count})")
    filled = template.format(area=Text(zh="一楼", en="the ground floor"), count=2)
    assert filled == Text(zh="请到一楼", en="Go to the ground floor (2)")
