"""On-screen editors for one setting each: no keyboard is attached to a kiosk.

Numbers have − and + buttons, switches toggle, choices are buttons, and text opens
an on-screen keyboard only where nothing better exists: a port is picked from the
serial ports found on the machine.
"""

from __future__ import annotations

import glob
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.config_store import FieldSpec
from kiosk.technician import MASK
from kiosk.text import LANGUAGES, Text
from ui.technician import texts
from ui.texts import LANGUAGE_NAMES
from ui.widgets import TextLabel, TouchButton

STANDARD_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)

TextRequest = Callable[[str, Text | str, Callable[[str], None]], None]


def serial_ports() -> list[str]:
    """Serial ports (pyserial's list) and USB printer-class devices present now."""
    found: list[str] = []
    try:
        from serial.tools import list_ports

        found += sorted(port.device for port in list_ports.comports())
    except Exception:  # a broken sysfs entry must not break the page
        pass
    found += sorted(glob.glob("/dev/usb/lp*"))
    return list(dict.fromkeys(found))


def show_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


class FieldEditor(QWidget):
    """Holds the value being edited; `edited` fires when it changes."""

    edited = Signal()

    def __init__(self, spec: FieldSpec, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.initial = value
        self._value = value
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(12)

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = value
        self._show()
        self.edited.emit()

    def is_changed(self) -> bool:
        return bool(self._value != self.initial)

    def _show(self) -> None:
        """Show the current value."""


class ReadOnlyEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(spec, value, parent)
        shown = (MASK if value else "—") if spec.secret else show_value(value)
        self.label = TextLabel(shown)
        note = texts.SECRET_NOTE if spec.secret else texts.READ_ONLY
        self.note = TextLabel(note, "muted")
        column = QVBoxLayout()
        column.addWidget(self.label)
        column.addWidget(self.note)
        self.row.addLayout(column, 1)


class NumberEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(spec, value, parent)
        self.step = self._step()
        self.minus = TouchButton("−")
        self.plus = TouchButton("+")
        for button in (self.minus, self.plus):
            button.setAutoRepeat(True)
            button.setAutoRepeatDelay(400)
            button.setAutoRepeatInterval(80)
        self.label = TextLabel("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.minus.clicked.connect(lambda: self.nudge(-1))
        self.plus.clicked.connect(lambda: self.nudge(1))
        self.row.addWidget(self.minus)
        self.row.addWidget(self.label, 1)
        self.row.addWidget(self.plus)
        self._show()

    def _step(self) -> float:
        if self.spec.kind == "integer":
            return 1
        low, high = self.spec.minimum or 0.0, self.spec.maximum
        span = (high - low) if high is not None else 100.0
        return 1.0 if span >= 20 else (0.5 if span >= 5 else 0.1)

    def nudge(self, direction: int) -> None:
        current = float(self._value if self._value is not None else (self.spec.minimum or 0))
        value = round(current + direction * self.step, 3)
        spec = self.spec
        if spec.minimum is not None and (
            value < spec.minimum or (spec.exclusive_minimum and value <= spec.minimum)
        ):
            value = current if current > spec.minimum else spec.minimum + self.step
        if spec.maximum is not None and (
            value > spec.maximum or (spec.exclusive_maximum and value >= spec.maximum)
        ):
            value = current
        self.set_value(int(value) if spec.kind == "integer" else value)

    def _show(self) -> None:
        value = self._value
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        self.label.set_text(show_value(value))


class ToggleEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(spec, value, parent)
        self.button = TouchButton(texts.OFF)
        self.button.setCheckable(True)
        self.button.setMinimumWidth(200)
        self.button.clicked.connect(lambda: self.set_value(not bool(self._value)))
        self.row.addWidget(self.button)
        self.row.addStretch(1)
        self._show()

    def _show(self) -> None:
        self.button.setChecked(bool(self._value))
        self.button.set_label(texts.ON if self._value else texts.OFF)


def choice_label(spec: FieldSpec, choice: str) -> Text | str:
    """A choice in words: a language in itself (中文, English), others by the catalog."""
    if set(spec.choices) == set(LANGUAGES):
        return LANGUAGE_NAMES.get(choice, choice)
    return texts.CHOICE_NAMES.get(f"{spec.key}.{choice}", choice)


class ChoiceEditor(FieldEditor):
    """One button per choice; the chosen one is checked. `other` adds free text."""

    COLUMNS = 3

    def __init__(
        self,
        spec: FieldSpec,
        value: Any,
        choices: tuple[str, ...],
        *,
        ask_text: TextRequest | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(spec, value, parent)
        self._ask_text = ask_text
        grid = QGridLayout()
        grid.setSpacing(12)
        self.buttons: dict[str, TouchButton] = {}
        options = list(
            dict.fromkeys([*choices, *([str(value)] if value not in (None, "") else [])])
        )
        for index, choice in enumerate(options):
            button = TouchButton(choice_label(spec, choice))
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, c=choice: self.choose(c))
            grid.addWidget(button, index // self.COLUMNS, index % self.COLUMNS)
            self.buttons[choice] = button
        if ask_text is not None:
            self.other = TouchButton(texts.OTHER)
            self.other.clicked.connect(self._ask_other)
            count = len(options)
            grid.addWidget(self.other, count // self.COLUMNS, count % self.COLUMNS)
        self.row.addLayout(grid, 1)
        self._show()

    def choose(self, choice: str) -> None:
        if self.spec.kind == "integer":
            self.set_value(int(choice))
        else:
            self.set_value(choice)

    def _ask_other(self) -> None:
        if self._ask_text is not None:
            self._ask_text(show_value(self._value), self.spec.title, self.set_value)

    def _show(self) -> None:
        for choice, button in self.buttons.items():
            button.setChecked(choice == str(self._value))


class TextEditor(FieldEditor):
    """The value, and an Edit button that opens the on-screen keyboard."""

    def __init__(
        self, spec: FieldSpec, value: Any, ask_text: TextRequest, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, value, parent)
        self._ask_text = ask_text
        self.label = TextLabel("")
        self.edit = TouchButton(texts.EDIT)
        self.edit.setMinimumWidth(160)
        self.edit.clicked.connect(
            lambda: self._ask_text(
                show_value(self._value).replace("—", ""), spec.title, self.set_value
            )
        )
        self.row.addWidget(self.label, 1)
        self.row.addWidget(self.edit)
        self._show()

    def _show(self) -> None:
        self.label.set_text(show_value(self._value))


def editor_for(spec: FieldSpec, value: Any, ask_text: TextRequest) -> FieldEditor:
    """The on-screen editor that suits the field's kind."""
    if spec.secret or not spec.editable:
        return ReadOnlyEditor(spec, value)
    if spec.kind == "boolean":
        return ToggleEditor(spec, value)
    if spec.kind == "choice":
        return ChoiceEditor(spec, value, spec.choices)
    if spec.kind == "integer" and spec.name.endswith("baudrate"):
        low, high = spec.minimum or 0, spec.maximum or math.inf
        bauds = tuple(str(b) for b in STANDARD_BAUDS if low <= b <= high)
        return ChoiceEditor(spec, value, bauds)
    if spec.kind in ("integer", "number"):
        return NumberEditor(spec, value)
    if spec.name.endswith("port"):
        return ChoiceEditor(spec, value, tuple(serial_ports()), ask_text=ask_text)
    return TextEditor(spec, value, ask_text)


class OnScreenKeyboard(QWidget):
    """Letters, digits and the symbols of ports and URLs; Done hands the text back."""

    accepted = Signal(str)
    cancelled = Signal()

    ROWS = ("1234567890", "qwertyuiop", "asdfghjkl:", "zxcvbnm/._", "-@?=&%#~,+")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._shift = False
        column = QVBoxLayout(self)
        column.setSpacing(12)
        self.title = TextLabel("", "title")
        self.field = TextLabel("", "subtitle")
        self.field.setProperty("role", "code")
        column.addWidget(self.title)
        column.addWidget(self.field)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.keys: list[TouchButton] = []
        for row, keys in enumerate(self.ROWS):
            for col, key in enumerate(keys):
                button = TouchButton(key)
                button.setMinimumSize(82, 82)
                button.clicked.connect(lambda _=False, b=button: self._type(b.text()))
                grid.addWidget(button, row, col)
                self.keys.append(button)
        column.addLayout(grid)
        actions = QHBoxLayout()
        self.shift = TouchButton(texts.SHIFT)
        self.shift.setCheckable(True)
        self.shift.clicked.connect(self._toggle_shift)
        self.space = TouchButton(texts.SPACE)
        self.space.clicked.connect(lambda: self._type(" "))
        self.backspace = TouchButton(texts.BACKSPACE)
        self.backspace.clicked.connect(self._backspace)
        self.clear = TouchButton(texts.CLEAR)
        self.clear.clicked.connect(lambda: self.start("", self.title.label()))
        self.cancel = TouchButton(texts.CANCEL)
        self.cancel.clicked.connect(self.cancelled)
        self.done = TouchButton(texts.KEYBOARD_DONE, "primary")
        self.done.clicked.connect(lambda: self.accepted.emit(self._text))
        for button in (self.shift, self.space, self.backspace, self.clear, self.cancel, self.done):
            actions.addWidget(button)
        column.addLayout(actions)
        column.addStretch(1)

    def start(self, text: str, title: Text | str) -> None:
        self._text = text
        self.title.set_text(title)
        self._show()

    def text(self) -> str:
        return self._text

    def _type(self, key: str) -> None:
        self._text += key
        self._show()

    def _backspace(self) -> None:
        self._text = self._text[:-1]
        self._show()

    def _toggle_shift(self) -> None:
        self._shift = not self._shift
        for button in self.keys:
            label = button.text()
            button.set_label(label.upper() if self._shift else label.lower())

    def _show(self) -> None:
        self.field.set_text(self._text + "▏")
