"""The Logs page: the newest lines of the kiosk's log."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.technician import (
    log_tail,
)
from ui.technician import texts
from ui.technician.pages.base import MenuContext, Page
from ui.widgets import TextLabel


class LogsPage(Page):
    key = "logs"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.add_button(texts.REFRESH, self.refresh)

    def refresh(self) -> None:
        self.clear_body()
        lines = log_tail().lines(200)
        label = TextLabel("\n".join(reversed(lines)) if lines else texts.NO_LINES, "muted")
        self.body.addWidget(label)
        self.body.addStretch(1)
