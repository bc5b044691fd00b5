"""What every screen shares: a name, a page layout, and queue texts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.settings import QueueSection
from kiosk.text import Text
from ui import theme


class Screen(QWidget):
    """A page of the visit. `name` is what KioskWindow.current_screen_name() returns."""

    name = "screen"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # A hidden screen laid out for the other orientation must not make the window
        # grow: each screen fits itself to whatever the window gives it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.page = QVBoxLayout(self)
        self.page.setContentsMargins(
            theme.MARGIN_PX, theme.MARGIN_PX, theme.MARGIN_PX, theme.MARGIN_PX
        )
        self.page.setSpacing(28)

    def button_row(self) -> QHBoxLayout:
        """A row at the bottom of the page for the screen's actions."""
        row = QHBoxLayout()
        row.setSpacing(32)
        self.page.addLayout(row)
        return row


def queue_name(queue: QueueSection) -> Text:
    return Text(zh=queue.name_zh, en=queue.name_en)


def queue_area(queue: QueueSection) -> Text:
    return Text(zh=queue.area_zh, en=queue.area_en)
