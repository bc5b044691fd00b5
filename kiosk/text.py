"""Bilingual text, and the one catalog of every text a hall may reword.

The wording lives in `config/texts.toml` under dotted keys (`screen.welcome =
{ zh = "...", en = "..." }`); a hall rewords any of it in its own file, layered over
the defaults (`ui.texts_file`, checked by `kiosk.settings.load_texts`).

A module of texts declares each text by name and type only (`WELCOME: Text`) and
sets `__getattr__ = catalog_section("screen")`: `texts.WELCOME` then reads
`screen.welcome` from the catalog installed at that moment. Resolving when read,
not at import, is why the order of imports and of `install_texts` never matters.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
TEXTS_FILE = Path(__file__).resolve().parent.parent / "config" / "texts.toml"


class Text(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str
    en: str

    def get(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en

    def format(self, **values: object) -> Text:
        """This template filled in; a bilingual value goes in each side in its language."""

        def side(language: Language) -> str:
            filled = {k: v.get(language) if isinstance(v, Text) else v for k, v in values.items()}
            return self.get(language).format(**filled)

        return Text(zh=side("zh"), en=side("en"))


# One text, or a list of choices shown in order (void reasons, table columns).
Entry = Text | tuple[Text, ...]
# A problem of a texts file: the dotted key and the reason.
TextProblem = tuple[str, str]


def _leaves(raw: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Dotted key and value of every text: a table with a language in it, or a list."""
    for name, value in raw.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and not set(value) & set(LANGUAGES):
            yield from _leaves(value, f"{key}.")
        else:
            yield key, value


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _text_problems(key: str, value: Any, allowed: set[str] | None) -> list[TextProblem]:
    """What is wrong with one text; `allowed`: the fields it may fill (None: its own)."""
    if not isinstance(value, Mapping):
        return [(key, "a text is a table { zh = ..., en = ... }")]
    problems = [(key, f"unknown language {name!r}") for name in value if name not in LANGUAGES]
    problems += [(key, f"no {language} text") for language in LANGUAGES if language not in value]
    if problems:
        return problems
    fields: dict[Language, set[str]] = {}
    for language in LANGUAGES:
        wording = value[language]
        if not isinstance(wording, str) or not wording.strip():
            problems.append((key, f"the {language} text is empty or not a string"))
            continue
        try:
            fields[language] = _fields(wording)
        except ValueError as error:
            problems.append((key, f"the {language} text is not a valid template: {error}"))
    for language, names in fields.items():
        unknown = names - (allowed if allowed is not None else fields[LANGUAGES[0]])
        if unknown:
            problems.append((key, f"the {language} text fills unknown {sorted(unknown)}"))
    return problems


def _entry_problems(key: str, value: Any, default: Entry | None) -> list[TextProblem]:
    if isinstance(default, tuple) or (default is None and isinstance(value, list)):
        if not isinstance(value, list):
            return [(key, "a list of texts is an array of { zh = ..., en = ... }")]
        if default is not None and len(value) != len(default):
            return [(key, f"needs {len(default)} texts, not {len(value)}")]
        base = default or (None,) * len(value)
        return [
            problem
            for index, (item, was) in enumerate(zip(value, base, strict=True))
            for problem in _text_problems(f"{key}.{index}", item, _allowed(was))
        ]
    return _text_problems(key, value, _allowed(default))


def _allowed(default: Text | None) -> set[str] | None:
    return None if default is None else _fields(default.zh) | _fields(default.en)


def _entry(value: Any) -> Entry:
    if isinstance(value, list):
        return tuple(Text.model_validate(item) for item in value)
    return Text.model_validate(value)


class TextCatalog:
    """Every text by its dotted key; immutable, so a reading never sees half a change."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self._entries = dict(entries)
        self._tables: dict[str, dict[str, Text]] = {}

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> tuple[TextCatalog, list[TextProblem]]:
        """The catalog in a TOML table, and every problem of it (the defaults' own check)."""
        problems = [p for key, value in _leaves(raw) for p in _entry_problems(key, value, None)]
        if problems:
            return cls({}), problems
        return cls({key: _entry(value) for key, value in _leaves(raw)}), []

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def entry(self, key: str) -> Entry:
        return self._entries[key]

    def text(self, key: str) -> Text:
        found = self._entries[key]
        if not isinstance(found, Text):
            raise KeyError(f"{key} is a list of texts")
        return found

    def table(self, prefix: str) -> dict[str, Text]:
        """The texts under `prefix.`, by the rest of their key (`kiosk.id` for a field)."""
        if prefix not in self._tables:
            start = f"{prefix}."
            self._tables[prefix] = {
                key.removeprefix(start): value
                for key, value in self._entries.items()
                if key.startswith(start) and isinstance(value, Text)
            }
        return self._tables[prefix]

    def reworded(self, raw: Mapping[str, Any]) -> tuple[TextCatalog, list[TextProblem]]:
        """This catalog with a hall's wording over it, and every problem of that wording.

        A hall rewords; it does not invent keys (a misspelt key would silently do
        nothing) nor fill fields the code does not give (that fails when shown).
        """
        problems: list[TextProblem] = []
        for key, value in _leaves(raw):
            if key not in self._entries:
                problems.append((key, "unknown text (misspelt?)"))
            else:
                problems += _entry_problems(key, value, self._entries[key])
        if problems:
            return self, problems
        changed = {key: _entry(value) for key, value in _leaves(raw)}
        return TextCatalog({**self._entries, **changed}), []


def read_catalog_file(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


@cache
def default_texts() -> TextCatalog:
    """The wording shipped in config/texts.toml (a test keeps it complete and valid)."""
    catalog, problems = TextCatalog.parse(read_catalog_file(TEXTS_FILE))
    if problems:
        raise ValueError("; ".join(f"{TEXTS_FILE}: {key}: {why}" for key, why in problems))
    return catalog


_installed: list[TextCatalog] = []


def install_texts(catalog: TextCatalog | None) -> None:
    """Show `catalog` from now on (None: the defaults again); done once at start-up."""
    _installed[:] = [catalog] if catalog is not None else []


def active_texts() -> TextCatalog:
    return _installed[0] if _installed else default_texts()


def text(key: str) -> Text:
    """The text at `key` as the hall words it now."""
    return active_texts().text(key)


def text_table(prefix: str) -> dict[str, Text]:
    """The texts under `prefix.` as the hall words them now, by the rest of their key."""
    return active_texts().table(prefix)


def text_list(key: str) -> tuple[Text, ...]:
    """The list of texts at `key` (choices shown in order) as the hall words them now."""
    found = active_texts().entry(key)
    if isinstance(found, Text):
        raise KeyError(f"{key} is one text, not a list")
    return found


def catalog_section(section: str) -> Callable[[str], object]:
    """A module `__getattr__`: NAME reads `section.name`, a text, a list or a table."""

    def resolve(name: str) -> object:
        if not name.isupper():
            raise AttributeError(name)
        key = f"{section}.{name.lower()}"
        catalog = active_texts()
        if key in catalog:
            return catalog.entry(key)
        table = catalog.table(key)
        if not table:
            raise AttributeError(f"no text {key} in the catalog")
        return table

    return resolve
