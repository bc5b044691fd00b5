"""The matter catalog (事项): categories, matters and required documents, as data.

A hall changes its catalog without a release; `load_catalog` checks that every
reference resolves and names the offending entry when one does not.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.settings import ConfigError, problems_from, read_toml
from kiosk.text import Text


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Handling(Enum):
    ON_THE_SPOT = "on_the_spot"  # 即办
    REVIEW = "review"  # 流转


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
    handling: Handling = Handling.ON_THE_SPOT
    simple: bool = Field(False, description="The green channel may take it.")
    self_service: bool = Field(False, description="The self-service terminals can do it.")
    time_limit: Text = Text(zh="即时办结", en="Done on the spot")
    documents: tuple[RequiredDocument, ...] = ()
    guide_url: str = ""
    real_name: bool = Field(False, description="Needs real-name identification (实名办税).")


class Catalog(_Entry):
    version: str = Field(min_length=1)
    guide_url_template: str = Field("", description="Used for matters without a guide_url.")
    categories: tuple[Category, ...] = Field(min_length=1)
    documents: tuple[Document, ...] = ()
    matters: tuple[Matter, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        problems: list[str] = []
        for kind, entries in (
            ("categories", self.categories),
            ("documents", self.documents),
            ("matters", self.matters),
        ):
            codes = [entry.code for entry in entries]
            for code in sorted({c for c in codes if codes.count(c) > 1}):
                problems.append(f"{kind}: the code {code!r} is used twice")
        categories = {category.code for category in self.categories}
        documents = {document.code for document in self.documents}
        for matter in self.matters:
            if matter.category not in categories:
                problems.append(f"matter {matter.code}: unknown category {matter.category!r}")
            for required in matter.documents:
                if required.document not in documents:
                    problems.append(
                        f"matter {matter.code}: document {required.document!r} is not defined"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self

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


def parse_catalog(raw: dict[str, Any], source: str) -> Catalog:
    try:
        return Catalog(**raw)
    except ValidationError as error:
        raise ConfigError(problems_from(error, source)) from None


def load_catalog(path: Path) -> Catalog:
    return parse_catalog(read_toml(path), str(path))
