"""The 一次性告知 checklist: the documents every matter of a visit needs, merged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.catalog import Catalog, Matter
from kiosk.text import Language, Text
from kiosk.tickets import texts


@dataclass(frozen=True)
class DocumentLine:
    """One entry of the 一次性告知 checklist, merged over every matter of the visit."""

    name: Text
    original: bool
    copies: int
    deferrable: bool

    def describe(self, language: Language, *, deferrable: bool = True) -> str:
        """What to bring of it: original, copies, may be brought later (unless
        `deferrable` is False: a screen that marks 容缺 its own way)."""
        parts: list[Text] = []
        if self.original:
            parts.append(texts.ORIGINAL)
        if self.copies:
            copies = texts.COPY if self.copies == 1 else texts.COPIES
            parts.append(copies.format(copies=self.copies))
        if self.deferrable and deferrable:
            parts.append(texts.DEFERRABLE)
        return texts.DETAIL_SEPARATOR.get(language).join(part.get(language) for part in parts)


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
