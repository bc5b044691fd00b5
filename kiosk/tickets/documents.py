"""The 一次性告知 checklist: the documents every matter of a visit needs, merged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.catalog import Catalog, Matter
from kiosk.text import Language, Text


@dataclass(frozen=True)
class DocumentLine:
    """One entry of the 一次性告知 checklist, merged over every matter of the visit."""

    name: Text
    original: bool
    copies: int
    deferrable: bool

    def describe(self, language: Language) -> str:
        parts = []
        if self.original:
            parts.append("原件" if language == "zh" else "original")
        if self.copies:
            parts.append(
                f"复印件{self.copies}份"
                if language == "zh"
                else f"{self.copies} {'copy' if self.copies == 1 else 'copies'}"
            )
        if self.deferrable:
            parts.append("可容缺后补" if language == "zh" else "may be brought later")
        separator = "，" if language == "zh" else ", "
        return separator.join(parts)


def required_documents(matters: Sequence[Matter], catalog: Catalog) -> tuple[DocumentLine, ...]:
    merged: dict[str, DocumentLine] = {}
    for matter in matters:
        for required in matter.documents:
            earlier = merged.get(required.document)
            if earlier is None:
                merged[required.document] = DocumentLine(
                    catalog.document(required.document).name,
                    required.original,
                    required.copies,
                    required.deferrable,
                )
            else:
                merged[required.document] = DocumentLine(
                    earlier.name,
                    earlier.original or required.original,
                    max(earlier.copies, required.copies),
                    earlier.deferrable and required.deferrable,
                )
    return tuple(merged.values())
