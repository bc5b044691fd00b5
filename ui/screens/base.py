"""What every screen shares: a name, a page layout, and queue texts."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.settings import QueueSection
from kiosk.text import Text
from ui import theme

WIDE_PX = theme.WIDE_PX  # wider than this: parts side by side (ui/theme.py)
WIDE_MARGIN_PX = 24


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

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        # A wide screen is short: less margin above and below.
        wide = event.size().width() >= WIDE_PX
        vertical = WIDE_MARGIN_PX if wide else theme.MARGIN_PX
        self.page.setContentsMargins(theme.MARGIN_PX, vertical, theme.MARGIN_PX, vertical)
        self.page.setSpacing(20 if wide else 28)
        set_dense(self, wide)

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


SCROLL_LIST_PROPERTY = "scrollList"
Area = TypeVar("Area", bound=QAbstractScrollArea)


def mark_scroll_list(area: Area) -> Area:
    """A list the visitor may scroll through (matters, search results): its items may lie
    below the fold; every other scroll area only guards a small window (layout tests)."""
    area.setProperty(SCROLL_LIST_PROPERTY, True)
    return area


def set_dense(root: QWidget, dense: bool) -> None:
    """Headlines and titles a size smaller under `root` (ui/theme.py `dense`): a wide,
    short screen that must show everything at once. Body text keeps its size."""
    if bool(root.property("dense")) == dense:
        return
    root.setProperty("dense", dense)
    for widget in (root, *root.findChildren(QWidget)):
        widget.style().unpolish(widget)
        widget.style().polish(widget)
