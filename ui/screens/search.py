"""Search: find a matter by the initials of its pinyin ("FP" finds 发票...) or of its
English name, typed on an on-screen letter keypad (a kiosk has no keyboard)."""

from __future__ import annotations

import string

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QVBoxLayout, QWidget

from kiosk.catalog import Catalog
from ui import texts
from ui.grid import GridColumns
from ui.screens.base import WIDE_PX, Screen, mark_scroll_list
from ui.screens.matter import matter_badges, matter_detail
from ui.tiles import MatterRow
from ui.widgets import TextLabel, TouchButton, discard, finger_scroll_area

MAX_RESULTS = 12
MAX_QUERY = 12


def key_columns(width: int) -> int:
    """Keys of 96 px and more across: 13 on a wide screen, 10 on 1280 x 1024 (four rows
    with Delete and Clear, not five), else 7."""
    if width >= 1500:
        return 13
    return 10 if width >= 1200 else 7


class SearchScreen(Screen):
    name = "search"

    matter_chosen = Signal(str)  # the matter's code
    back = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.query = ""
        self.title = TextLabel(texts.SEARCH_TITLE, "title")
        self.hint = TextLabel(texts.SEARCH_HINT, "muted")
        self.query_label = TextLabel(texts.SEARCH_PROMPT, "subtitle")
        self.empty = TextLabel(texts.SEARCH_EMPTY, "notice")
        self.rows: list[MatterRow] = []
        content = QWidget()
        self.results = QVBoxLayout(content)
        self.results.setContentsMargins(0, 0, 0, 0)
        self.results.setSpacing(16)
        self.results.addWidget(self.empty)
        self.results.addStretch(1)
        self.scroll_area = mark_scroll_list(finger_scroll_area(content))  # keys stay

        keys = QWidget()
        self.keypad = QGridLayout(keys)
        self.keypad.setContentsMargins(0, 0, 0, 0)
        self.keypad.setSpacing(10)
        self.letter_buttons: list[TouchButton] = []
        for letter in string.ascii_uppercase:
            button = TouchButton(letter, "key")
            button.clicked.connect(lambda _=False, letter=letter: self.type_letter(letter))
            self.letter_buttons.append(button)
        self.delete_button = TouchButton(texts.DELETE, "key")
        self.clear_button = TouchButton(texts.CLEAR, "key")
        self.delete_button.clicked.connect(self.delete_letter)
        self.clear_button.clicked.connect(self.clear)
        self._columns = GridColumns(self._reflow, 7)

        # The hint and what is typed: one under the other; side by side on a wide screen.
        self.prompt = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.prompt.setSpacing(self.page.spacing())
        self.prompt.addWidget(self.hint, 1)
        self.prompt.addWidget(self.query_label, 1)
        self.page.addWidget(self.title)
        self.page.addLayout(self.prompt)
        self.page.addWidget(self.scroll_area, 1)
        self.page.addWidget(keys)
        self.back_button = TouchButton(texts.BACK)
        self.button_row().addWidget(self.back_button)
        self.back_button.clicked.connect(self.back)
        self.clear()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        width = event.size().width()
        self.prompt.setDirection(
            QBoxLayout.Direction.LeftToRight
            if width >= WIDE_PX
            else QBoxLayout.Direction.TopToBottom
        )
        self._columns.set(key_columns(width))

    def _reflow(self, columns: int) -> None:
        keys = [*self.letter_buttons, self.delete_button, self.clear_button]
        for key in keys:
            self.keypad.removeWidget(key)
        for index, key in enumerate(self.letter_buttons):
            self.keypad.addWidget(key, index // columns, index % columns)
        # Delete and Clear two keys wide each, at the end of the last row when it has room
        # (a short, wide screen); else sharing a row of their own.
        letters = len(self.letter_buttons)
        free = -letters % columns
        if free >= 4:
            row, start, span = letters // columns, columns - free, free // 2
            self.keypad.addWidget(self.delete_button, row, start, 1, span)
            self.keypad.addWidget(self.clear_button, row, start + span, 1, free - span)
            return
        row = (letters + columns - 1) // columns
        half = columns // 2
        self.keypad.addWidget(self.delete_button, row, 0, 1, half)
        self.keypad.addWidget(self.clear_button, row, half, 1, columns - half)

    # ---- typing ----------------------------------------------------------------------

    def type_letter(self, letter: str) -> None:
        if len(self.query) < MAX_QUERY:
            self.query += letter
        self._search()

    def delete_letter(self) -> None:
        self.query = self.query[:-1]
        self._search()

    def clear(self) -> None:
        self.query = ""
        self._search()

    def set_catalog(self, catalog: Catalog) -> None:
        """A new catalog version (ui/catalog_updates.py): searched from now on."""
        self.catalog = catalog
        self.clear()

    def _search(self) -> None:
        if self.query:
            self.query_label.set_text(texts.fill(texts.SEARCH_QUERY, query=self.query))
        else:
            self.query_label.set_text(texts.SEARCH_PROMPT)
        discard(self.rows)
        self.rows = []
        found = self.catalog.search(self.query)[:MAX_RESULTS] if self.query else []
        for index, matter in enumerate(found):
            row = MatterRow(matter.tile_name, matter_detail(matter), matter_badges(matter))
            row.clicked.connect(lambda _=False, code=matter.code: self.matter_chosen.emit(code))
            self.results.insertWidget(index, row)
            row.show()  # at once, on the screen being typed on (not after the event loop)
            self.rows.append(row)
        self.empty.setVisible(bool(self.query) and not found)
        language = self.delete_button.language()
        for row in self.rows:
            row.retranslate(language)
        self.scroll_area.verticalScrollBar().setValue(0)

    def result_names(self) -> list[str]:
        return [row.text() for row in self.rows]
