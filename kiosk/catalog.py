"""The matter catalog (事项): categories, matters and required documents, as data.

A hall changes its catalog without a release; `load_catalog` checks that every
reference resolves and names the offending entry, with its file and line, when
one does not.

A matter lists the documents it needs. A matter that truly needs none (a tax
enquiry) says so with `no_documents = true`: an empty list alone is taken for a
forgotten one and refused, so that no taxpayer is told "nothing needed" by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.settings import ConfigError, ConfigProblem, read_toml
from kiosk.text import Text, text
from kiosk.toml_lines import TomlLines, file_text, located_problems, where


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Handling(Enum):
    ON_THE_SPOT = "on_the_spot"  # 即办
    REVIEW = "review"  # 流转


TimeLimit = Literal["on_the_spot", "same_day"] | int  # an int: that many working days


def time_limit_text(limit: TimeLimit) -> Text:
    """A time limit in words (config/texts.toml [time_limit])."""
    if limit == "on_the_spot":
        return text("time_limit.on_the_spot")
    if limit == "same_day":
        return text("time_limit.same_day")
    days = text("time_limit.working_day" if limit == 1 else "time_limit.working_days")
    return days.format(days=limit)


def time_limit_rank(limit: TimeLimit) -> float:
    """Longer limits rank higher: on the spot < same day < 1 working day < ..."""
    if limit == "on_the_spot":
        return 0.0
    if limit == "same_day":
        return 0.5
    return float(limit)


class Category(_Entry):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    icon: str = Field("", description="A short symbol shown on the category tile.")


class Document(_Entry):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text


class RequiredDocument(_Entry):
    document: str
    original: bool = True
    copies: int = Field(0, ge=0, le=20)
    deferrable: bool = Field(False, description="May be promised later (容缺受理).")


class Matter(_Entry):
    code: str = Field(pattern=r"^[A-Z0-9]{3,12}$")
    category: str
    name: Text
    short_name: Text | None = Field(None, description="For tiles; the name when absent.")
    initials: str = Field(
        "", pattern=r"^[A-Z]*$", description="Pinyin initials of the Chinese name, for search."
    )
    handling: Handling = Handling.ON_THE_SPOT
    simple: bool = Field(False, description="The green channel may take it.")
    self_service: bool = Field(False, description="The self-service terminals can do it.")
    e_tax: bool = Field(False, description="The e-tax bureau (电子税务局) can do it.")
    appointment_allowed: bool = Field(True, description="May be booked (预约办税).")
    hard_case: bool = Field(False, description="Goes to the expert seat (专家坐席).")
    time_limit: TimeLimit = "on_the_spot"
    documents: tuple[RequiredDocument, ...] = ()
    no_documents: bool = Field(False, description="Truly needs no document.")
    guide_url: str = ""
    real_name: bool = Field(False, description="Needs real-name identification (实名办税).")
    implementation_code: str = Field(
        "",
        pattern=r"^([0-9A-Z]{10,40})?$",
        description="The matter's code in the province's implementation list (实施清单编码), "
        "carried by its evaluations (好差评); empty when the province has none for it.",
    )

    @property
    def tile_name(self) -> Text:
        return self.short_name or self.name

    @property
    def time_limit_text(self) -> Text:
        return time_limit_text(self.time_limit)

    @property
    def needs_review(self) -> bool:
        return self.handling is Handling.REVIEW

    @property
    def deferrable_documents(self) -> tuple[str, ...]:
        return tuple(required.document for required in self.documents if required.deferrable)


class Catalog(_Entry):
    version: str = Field(min_length=1)
    guide_url_template: str = Field("", description="Used for matters without a guide_url.")
    categories: tuple[Category, ...] = Field(min_length=1)
    documents: tuple[Document, ...] = ()
    matters: tuple[Matter, ...] = Field(min_length=1)

    def category(self, code: str) -> Category:
        return next(category for category in self.categories if category.code == code)

    def matter(self, code: str) -> Matter:
        for matter in self.matters:
            if matter.code == code:
                return matter
        raise KeyError(code)

    def document(self, code: str) -> Document:
        return next(document for document in self.documents if document.code == code)

    def matters_in(self, category_code: str) -> list[Matter]:
        return [matter for matter in self.matters if matter.category == category_code]

    def guide_url(self, matter: Matter) -> str:
        if matter.guide_url:
            return matter.guide_url
        return self.guide_url_template.format(code=matter.code)

    def search(self, query: str) -> list[Matter]:
        """Matters whose pinyin initials start with `query` ("FP" finds 发票...), then
        those whose initials or English name contain it, or whose Chinese name does."""
        wanted = query.strip()
        if not wanted:
            return []
        upper = wanted.upper()
        first = [m for m in self.matters if m.initials.startswith(upper)]
        rest = [
            m
            for m in self.matters
            if m not in first
            and (
                upper in m.initials
                or upper in english_initials(m.name.en)
                or wanted.lower() in m.name.en.lower()
                or wanted in m.name.zh
            )
        ]
        return first + rest


def english_initials(name: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z]+", name)).upper()


def reference_problems(catalog: Catalog, file: str, text: str = "") -> list[ConfigProblem]:
    """Duplicate codes, unknown categories, undefined documents, matters without
    documents: each named with its file and line."""
    lines = TomlLines(text)
    problems: list[ConfigProblem] = []
    entries: Sequence[tuple[str, Sequence[Category | Document | Matter]]] = (
        ("categories", catalog.categories),
        ("documents", catalog.documents),
        ("matters", catalog.matters),
    )
    for kind, items in entries:
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            occurrence = seen.get(item.code, 0)
            seen[item.code] = occurrence + 1
            if occurrence:
                line = lines.keyed("code", item.code, occurrence) or lines.header(kind, index)
                problems.append(
                    ConfigProblem(
                        where(file, line),
                        f"{kind}.{item.code}",
                        f"the code {item.code!r} is used twice",
                    )
                )
    categories = {category.code for category in catalog.categories}
    documents = {document.code for document in catalog.documents}
    for index, matter in enumerate(catalog.matters):
        at = where(file, lines.keyed("code", matter.code) or lines.header("matters", index))
        key = f"matters.{matter.code}"

        def add(reason: str, key: str = key, at: str = at) -> None:
            problems.append(ConfigProblem(at, key, reason))

        if matter.category not in categories:
            add(f"matter {matter.code}: unknown category {matter.category!r}")
        for required in matter.documents:
            if required.document not in documents:
                add(f"matter {matter.code}: document {required.document!r} is not defined")
        if not matter.documents and not matter.no_documents:
            add(
                f"matter {matter.code}: no documents listed "
                "(list them, or set no_documents = true if it truly needs none)"
            )
        if matter.documents and matter.no_documents:
            add(f"matter {matter.code}: lists documents but says no_documents = true")
        if not matter.initials:
            add(f"matter {matter.code}: no pinyin initials (needed by the search)")
    return problems + implementation_code_problems(catalog, file, lines)


def implementation_code_problems(
    catalog: Catalog, file: str, lines: TomlLines
) -> list[ConfigProblem]:
    """An implementation code (实施清单编码) belongs to one matter."""
    problems = []
    owner: dict[str, str] = {}
    for matter in catalog.matters:
        code = matter.implementation_code
        if code and code in owner:
            problems.append(
                ConfigProblem(
                    where(file, lines.keyed("code", matter.code)),
                    f"matters.{matter.code}",
                    f"matter {matter.code}: implementation_code {code} is also "
                    f"matter {owner[code]}'s",
                )
            )
        owner.setdefault(code, matter.code)
    return problems


def parse_catalog(raw: dict[str, Any], source: str, text: str = "") -> Catalog:
    try:
        catalog = Catalog(**raw)
    except ValidationError as error:
        missing = ("category", "name", "code")
        raise ConfigError(located_problems(error, source, TomlLines(text), missing)) from None
    problems = reference_problems(catalog, source, text)
    if problems:
        raise ConfigError(problems)
    return catalog


def load_catalog(path: Path) -> Catalog:
    return parse_catalog(read_toml(path), str(path), file_text(path))
