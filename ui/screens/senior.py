"""Senior mode's first screen (长者模式): priority offered at once, the hall's most common
matters as a few very large buttons, then other matters or a search by large keys."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from kiosk.catalog import Matter
from kiosk.text import Language
from ui import texts, theme
from ui.grid import GridColumns
from ui.screens.base import Screen
from ui.widgets import Label, TextLabel, TouchButton, discard

# Wide enough for two columns of matter names in 42 px type.
TWO_COLUMNS_FROM = 1000
PADDING = 20
SPACING = 20
ROW_MAX_PX = 200


class SeniorMatterButton(TouchButton):
    """A matter in large type, its name wrapped at words (an English name is long): the
    name is the button's text and accessible name, drawn on two lines where needed."""

    def __init__(self, label: Label, parent: QWidget | None = None) -> None:
        super().__init__(label, "senior", parent=parent)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _text_height(self, width: int) -> int:
        box = QRect(0, 0, max(width - 2 * PADDING, 1), 10_000)
        flags = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        return QFontMetrics(self._font()).boundingRect(box, flags, self.text()).height()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(theme.TOUCH_MIN_PX, self._text_height(width) + 2 * PADDING)

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(400))

    def minimumSizeHint(self) -> QSize:
        # The screen shows only the rows that fit at their full height (SeniorScreen).
        return QSize(theme.TOUCH_MIN_PX, theme.TOUCH_MIN_PX)

    def painted_texts(self) -> list[tuple[str, int]]:
        """What it paints and in what pixel size (tests/helpers/screen_fit.py)."""
        return [(self.text(), self._font().pixelSize())]

    def fits(self) -> bool:
        return self._text_height(self.width()) + 2 * PADDING <= self.height() + 1

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setPen(QPen(QColor(theme.BLUE_DARK), 4))
        painter.setBrush(QColor(theme.BLUE_PALE if self.isDown() else theme.WHITE))
        painter.drawRoundedRect(card, 24, 24)
        painter.setPen(QColor(theme.BLUE_DARK))
        painter.setFont(self._font())
        flags = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        painter.drawText(card.adjusted(PADDING, PADDING, -PADDING, -PADDING), flags, self.text())
        painter.end()


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
        self.matter_buttons: list[SeniorMatterButton] = []
        self._codes: list[str] = []
        self.tiles = QWidget()
        self.tiles.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.grid = QGridLayout(self.tiles)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(SPACING)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.page.addWidget(self.title)
        self.page.addWidget(self.priority_button)
        self.page.addWidget(self.tiles, 1)
        # Only the rows that fit whole are shown: fewer choices, never a cut-off one.
        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.setInterval(0)
        self._fit.timeout.connect(self._show_rows_that_fit)
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
        self._fit.start()

    def retranslate(self, language: Language) -> None:
        """The names change length with the language: the rows are fitted again."""
        self._fit.start()

    def _show_rows_that_fit(self) -> None:
        columns = max(self._columns.count, 1)
        width = (self.tiles.width() - (columns - 1) * SPACING) // columns
        room = self.tiles.height()
        rows = [
            self.matter_buttons[start : start + columns]
            for start in range(0, len(self.matter_buttons), columns)
        ]
        # Room to spare (a portrait panel): larger targets, up to ROW_MAX_PX each.
        share = (room - SPACING * (len(rows) - 1)) // max(len(rows), 1)
        used = 0
        for row in rows:
            needed = max(button.heightForWidth(width) for button in row)
            fits = used + needed <= room
            height = max(needed, min(share, ROW_MAX_PX))
            used += height + SPACING
            for button in row:
                button.setVisible(fits)
                button.setMinimumHeight(height if fits else 0)

    def show_matters(self, matters: Sequence[Matter], *, priority: bool) -> None:
        """The hall's most common matters, most common first; priority chosen or not."""
        self.priority_button.set_label(
            texts.SENIOR_PRIORITY_ON if priority else texts.SENIOR_PRIORITY
        )
        self.priority_button.setEnabled(not priority)
        codes = [matter.code for matter in matters]
        if codes == self._codes:
            return
        discard(self.matter_buttons)
        self.matter_buttons = []
        self._codes = codes
        for matter in matters:
            button = SeniorMatterButton(matter.tile_name)
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
        self._fit.start()

    def matter_names(self) -> list[str]:
        return [button.text() for button in self.matter_buttons]
