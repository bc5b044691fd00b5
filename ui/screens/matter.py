"""Matter: the chosen category's matters as large rows with short names and small badges.

The row's label (and accessible name) is the matter's short name; the full name,
when it differs, and the time limit are the detail line under it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QWidget

from kiosk.catalog import Category, Matter
from kiosk.text import Text
from ui import texts
from ui.grid import GridColumns
from ui.screens.base import WIDE_PX, Screen, mark_scroll_list
from ui.tiles import BADGE_SELF_SERVICE_STYLE, BADGE_SIMPLE_STYLE, Badge, MatterRow
from ui.widgets import TextLabel, TouchButton, discard, finger_scroll_area


def matter_badges(matter: Matter) -> list[Badge]:
    badges = []
    if matter.simple:
        badges.append(Badge(texts.BADGE_SIMPLE, *BADGE_SIMPLE_STYLE))
    if matter.self_service:
        badges.append(Badge(texts.BADGE_SELF_SERVICE, *BADGE_SELF_SERVICE_STYLE))
    return badges


def matter_detail(matter: Matter) -> Text:
    limit = texts.fill(texts.TIME_LIMIT, limit=matter.time_limit_text)
    if matter.short_name is None or matter.short_name == matter.name:
        return limit
    return texts.fill(texts.MATTER_DETAIL, name=matter.name, limit=limit)


class MatterScreen(Screen):
    name = "matter"

    matter_chosen = Signal(str)  # the matter's code
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = TextLabel("", "title")
        self.subtitle = TextLabel(texts.CHOOSE_MATTER, "muted")
        self.rows: list[MatterRow] = []
        content = QWidget()
        # One column in portrait, two side by side on a wide screen (base.WIDE_PX).
        self.list = QGridLayout(content)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.list.setSpacing(20)
        self.scroll_area = mark_scroll_list(finger_scroll_area(content))
        self.page.addWidget(self.title)
        self.page.addWidget(self.subtitle)
        self.page.addWidget(self.scroll_area, 1)
        self.back_button = TouchButton(texts.BACK)
        self.button_row().addWidget(self.back_button)
        self.back_button.clicked.connect(self.back)
        self._columns = GridColumns(self._reflow, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._columns.set(2 if event.size().width() >= WIDE_PX else 1)

    def columns(self) -> int:
        return self._columns.count

    def _reflow(self, columns: int) -> None:
        for row in self.rows:
            self.list.removeWidget(row)
        for index, row in enumerate(self.rows):
            self.list.addWidget(row, index // columns, index % columns)
        for column in range(max(columns, self.list.columnCount())):
            self.list.setColumnStretch(column, 1 if column < columns else 0)
        for line in range(self.list.rowCount()):
            self.list.setRowStretch(line, 0)
        self.list.setRowStretch((len(self.rows) + columns - 1) // columns, 1)

    def show_category(self, category: Category, matters: Sequence[Matter]) -> None:
        self.title.set_text(category.name)
        discard(self.rows)
        self.rows = []
        for matter in matters:
            row = MatterRow(matter.tile_name, matter_detail(matter), matter_badges(matter))
            row.clicked.connect(lambda _=False, code=matter.code: self.matter_chosen.emit(code))
            self.rows.append(row)
        self._columns.redo()
        self.scroll_area.verticalScrollBar().setValue(0)
