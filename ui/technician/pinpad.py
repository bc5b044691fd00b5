"""The PIN pad: large on-screen digits, the PIN shown as dots, the lock-out's minutes."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.technician import PIN_MAX_DIGITS
from kiosk.text import Text
from ui import theme
from ui.technician import texts
from ui.widgets import TextLabel, TouchButton, card_frame

DIGIT_PX = 110


class PinPad(QWidget):
    """Emits `submitted(pin)` on OK and `cancelled()`; the caller says what went wrong."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pin = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(theme.MARGIN_PX, theme.MARGIN_PX, theme.MARGIN_PX, theme.MARGIN_PX)
        card = card_frame()
        card.setMaximumWidth(760)
        column = QVBoxLayout(card)
        column.setContentsMargins(40, 40, 40, 40)
        column.setSpacing(20)
        center = Qt.AlignmentFlag.AlignHCenter
        self.title = TextLabel(texts.PIN_TITLE, "title", align=center)
        self.dots = TextLabel("", "title", align=center)
        self.dots.setAccessibleName("PIN")
        self.message = TextLabel("", "subtitle", align=center)
        column.addWidget(self.title)
        column.addWidget(self.dots)
        column.addWidget(self.message)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.digit_buttons: dict[str, TouchButton] = {}
        for index, digit in enumerate("123456789"):
            self._add_digit(grid, digit, index // 3, index % 3)
        self.clear_button = TouchButton(texts.CLEAR)
        self.clear_button.clicked.connect(self.clear)
        self.ok_button = TouchButton(texts.OK, "primary")
        self.ok_button.clicked.connect(self._submit)
        grid.addWidget(self.clear_button, 3, 0)
        self._add_digit(grid, "0", 3, 1)
        grid.addWidget(self.ok_button, 3, 2)
        for button in (self.clear_button, self.ok_button):
            button.setMinimumSize(DIGIT_PX * 2, DIGIT_PX)
        column.addLayout(grid)
        row = QHBoxLayout()
        self.cancel_button = TouchButton(texts.CANCEL)
        self.cancel_button.clicked.connect(self._cancel)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        column.addLayout(row)
        outer.addStretch(1)
        outer.addWidget(card, alignment=center)
        outer.addStretch(1)
        self._show()

    def _add_digit(self, grid: QGridLayout, digit: str, row: int, column: int) -> None:
        button = TouchButton(digit)
        button.setMinimumSize(DIGIT_PX * 2, DIGIT_PX)
        button.clicked.connect(lambda _=False, d=digit: self.press(d))
        grid.addWidget(button, row, column)
        self.digit_buttons[digit] = button

    def press(self, digit: str) -> None:
        if len(self._pin) < PIN_MAX_DIGITS:
            self._pin += digit
            self._show()

    def clear(self) -> None:
        self._pin = ""
        self._show()

    def entered(self) -> str:
        return self._pin

    def set_title(self, title: Text) -> None:
        self.title.set_text(title)

    def show_message(self, message: Text | str) -> None:
        self.message.set_text(message)

    def show_locked(self, seconds: float) -> None:
        """How long the lock lasts, in minutes, or hours and minutes past the hour."""
        hours, minutes = divmod(max(1, math.ceil(seconds / 60)), 60)
        locked = (
            texts.fill(texts.LOCKED_HOURS, hours=hours, minutes=minutes)
            if hours
            else texts.fill(texts.LOCKED, minutes=minutes)
        )
        self.message.set_text(texts.fill(texts.LOCKED_DOUBLES, locked=locked))
        self.clear()
        self.set_input_enabled(False)

    def set_input_enabled(self, enabled: bool) -> None:
        for button in (*self.digit_buttons.values(), self.clear_button, self.ok_button):
            button.setEnabled(enabled)

    def reset(self, title: Text) -> None:
        self.set_title(title)
        self.message.set_text("")
        self.set_input_enabled(True)
        self.clear()

    def _show(self) -> None:
        self.dots.set_text("●" * len(self._pin) if self._pin else "—")
        self.ok_button.setEnabled(bool(self._pin) and self.clear_button.isEnabled())

    def _submit(self) -> None:
        pin, self._pin = self._pin, ""
        self._show()
        self.submitted.emit(pin)

    def _cancel(self) -> None:
        self.clear()
        self.cancelled.emit()
