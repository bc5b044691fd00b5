"""What every page of the technician menu shares: the menu's context and the page frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.config_store import (
    ConfigStore,
)
from kiosk.technician import (
    AuditTrail,
)
from kiosk.text import Language, Text, text
from ui.technician import texts
from ui.technician.editors import TextRequest
from ui.technician.jobs import Jobs
from ui.widgets import TextLabel, TouchButton, finger_scroll_area, retranslate_tree

if TYPE_CHECKING:
    from kiosk.app import Kiosk


@dataclass
class MenuContext:
    """What the pages share: the kiosk, its machine file, the audit trail, background jobs."""

    kiosk: Kiosk
    store: ConfigStore
    audit: AuditTrail
    jobs: Jobs
    ask_text: TextRequest
    restart: Callable[[], None]
    leave_kiosk_mode: Callable[[], None]
    language: Callable[[], Language]  # the kiosk window's: the menu follows it


class Page(QWidget):
    """A titled page whose body scrolls under a finger."""

    key = "page"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.kiosk = context.kiosk
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(16)
        self.heading = TextLabel(self.title, "title")
        outer.addWidget(self.heading)
        self.message = TextLabel("", "subtitle")
        self.message.hide()
        outer.addWidget(self.message)
        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 16, 0)
        self.body.setSpacing(16)
        self.scroll_area = finger_scroll_area(content)
        outer.addWidget(self.scroll_area, 1)
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(16)
        outer.addLayout(self.action_row)

    @property
    def title(self) -> Text:
        """`technician.page_<key>`, read when shown so that a hall's wording applies."""
        return text(f"technician.page_{self.key}")

    def refresh(self) -> None:
        """Read the kiosk's state again (called each time the page is shown)."""

    def follow_language(self) -> None:
        """Show every label in the kiosk window's language (the menu follows it)."""
        retranslate_tree(self, self.context.language())

    def say(self, message: Text | str) -> None:
        self.message.set_text(message)
        self.message.setVisible(bool(message))

    def clear_body(self) -> None:
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
            elif item is not None and item.layout() is not None:
                _drop_layout(item.layout())

    def add_line(self, text: Text | str, role: str | None = None) -> TextLabel:
        label = TextLabel(text, role)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.body.addWidget(label)
        return label

    def add_button(
        self, label: Text | str, action: Callable[[], object], kind: str = "secondary"
    ) -> TouchButton:
        button = TouchButton(label, kind)
        button.clicked.connect(lambda: action())  # never the clicked(bool) argument
        self.action_row.addWidget(button)
        return button


def _drop_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()
        elif item.layout() is not None:
            _drop_layout(item.layout())


def clock_text(moment: datetime | None) -> Text | str:
    return texts.NEVER if moment is None else moment.strftime("%m-%d %H:%M:%S")
