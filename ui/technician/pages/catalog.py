"""The Catalog page: the catalog's version, a sample ticket, validate and reload."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from drivers.printer.document import ImageBlock, QrBlock, RuleBlock, TextBlock
from kiosk.config_store import (
    check_configuration,
)
from kiosk.hall.base import Reservation
from kiosk.triage import Route
from ui.technician import texts
from ui.technician.pages.base import MenuContext, Page
from ui.widgets import TextLabel

if TYPE_CHECKING:
    from kiosk.app import Kiosk


def preview_lines(kiosk: Kiosk) -> list[str]:
    """The sample ticket's text, block by block (images and codes as placeholders)."""
    settings = kiosk.settings
    catalog = kiosk.catalog
    queue = settings.queues[0]
    matters = tuple(catalog.matters[:1])
    now = kiosk.clock.now()
    reservation = Reservation("preview", f"{queue.prefix}001", queue.code, now.date(), now, 3, 12)
    route = Route(queue, matters, (), False)
    from kiosk.tickets import required_documents

    documents = required_documents(matters, catalog)
    document = kiosk.tickets.ticket_document(
        reservation, route, documents, "https://example.invalid/t", settings.kiosk.language
    )
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, TextBlock):
            lines.append(block.text)
        elif isinstance(block, RuleBlock):
            lines.append("-" * 24)
        elif isinstance(block, QrBlock):
            lines.append("[QR]")
        elif isinstance(block, ImageBlock):
            lines.append("[logo]")
        else:
            lines.append("")
    return lines


class CatalogPage(Page):
    key = "catalog"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.validate_button = self.add_button(texts.VALIDATE, self.validate)
        self.add_button(texts.RELOAD, self.reload)

    def refresh(self) -> None:
        self.clear_body()
        catalog = self.kiosk.catalog
        self.add_line(
            texts.fill(texts.CATALOG_VERSION, version=catalog.version, count=len(catalog.matters))
        )
        self.add_line(texts.PREVIEW, "subtitle")
        try:
            lines = preview_lines(self.kiosk)
        except Exception as error:
            lines = [str(error)]
        preview = TextLabel("\n".join(lines), "muted")
        preview.setProperty("role", "muted")
        self.body.addWidget(preview)
        self.body.addStretch(1)

    def _machine_file(self) -> Path | None:
        file = self.context.store.machine_file
        return file if file.exists() else None

    def validate(self) -> None:
        self.validate_button.setEnabled(False)
        machine = self._machine_file()
        self.context.jobs.run(lambda: check_configuration(machine), self._validated)

    def _validated(self, result: Any, error: BaseException | None) -> None:
        self.validate_button.setEnabled(True)
        if error is not None:
            self.say(texts.fill(texts.INVALID, problems=str(error)))
        elif result.ok:
            self.say(texts.fill(texts.VALID, version=result.catalog_version))
        else:
            self.say(texts.fill(texts.INVALID, problems="; ".join(result.problems)))

    def reload(self) -> None:
        """Read the catalog and rules again (with a hall server: ask it for its version);
        a valid version applies between visits, no restart; a broken one changes nothing."""
        self.context.audit.record("catalog_reload", catalog=self.kiosk.catalog.version)
        self.context.jobs.run(self.kiosk.reload_catalog_from_files, self._reloaded)

    def _reloaded(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.say(texts.fill(texts.INVALID, problems=str(error)))
        elif result:
            self.say(texts.fill(texts.INVALID, problems="; ".join(str(p) for p in result)))
        else:
            self.say(texts.RELOADED)
