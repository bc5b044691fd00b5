"""Senior mode's first screen (长者模式): priority offered at once, the hall's most common
matters as a few very large buttons, then other matters or a search by large keys."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from kiosk.catalog import Matter
from ui import texts
from ui.grid import GridColumns
from ui.screens.base import Screen
from ui.widgets import TextLabel, TouchButton

# Wide enough for two columns of matter names in 42 px type.
TWO_COLUMNS_FROM = 1000


class SeniorScreen(Screen):
    name = "senior"

    matter_chosen = Signal(str)  # the matter's code
    priority = Signal()  # 我是老年人、残疾人或孕妇
    more = Signal()  # the categories
    search = Signal()  # the search by pinyin initials, on large keys
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = TextLabel(texts.SENIOR_TITLE, "title")
        self.priority_button = TouchButton(texts.SENIOR_PRIORITY, "primary")
        self.priority_button.clicked.connect(self.priority)
        self.matter_buttons: list[TouchButton] = []
        self._codes: list[str] = []
        tiles = QWidget()
        self.grid = QGridLayout(tiles)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(20)
        self.page.addWidget(self.title)
        self.page.addWidget(self.priority_button)
        self.page.addWidget(tiles)
        self.page.addStretch(1)
        self.back_button = TouchButton(texts.BACK)
        self.more_button = TouchButton(texts.SENIOR_MORE)
        self.search_button = TouchButton(texts.SENIOR_SEARCH)
        actions = self.button_row()
        for button in (self.back_button, self.more_button, self.search_button):
            actions.addWidget(button, 1)
        self.back_button.clicked.connect(self.back)
        self.more_button.clicked.connect(self.more)
        self.search_button.clicked.connect(self.search)
        self._columns = GridColumns(self._reflow, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._columns.set(2 if event.size().width() >= TWO_COLUMNS_FROM else 1)

    def show_matters(self, matters: Sequence[Matter], *, priority: bool) -> None:
        """The hall's most common matters, most common first; priority chosen or not."""
        self.priority_button.set_label(
            texts.SENIOR_PRIORITY_ON if priority else texts.SENIOR_PRIORITY
        )
        self.priority_button.setEnabled(not priority)
        codes = [matter.code for matter in matters]
        if codes == self._codes:
            return
        for button in self.matter_buttons:
            self.grid.removeWidget(button)
            button.hide()
            button.setParent(None)
            button.deleteLater()
        self.matter_buttons = []
        self._codes = codes
        for matter in matters:
            button = TouchButton(matter.tile_name, "senior")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, code=matter.code: self.matter_chosen.emit(code))
            self.matter_buttons.append(button)
        self._columns.redo()
        language = self.back_button.language()
        for button in self.matter_buttons:
            button.retranslate(language)

    def _reflow(self, columns: int) -> None:
        for button in self.matter_buttons:
            self.grid.removeWidget(button)
        for index, button in enumerate(self.matter_buttons):
            self.grid.addWidget(button, index // columns, index % columns)
            button.show()

    def matter_names(self) -> list[str]:
        return [button.text() for button in self.matter_buttons]
