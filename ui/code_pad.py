"""The on-screen code pad: the kiosk has no keyboard, so codes are typed here.

A `CodeFormat` says which keys a code uses, how long it is, how to show it in
groups and how to check it as it is typed; `CodePad` shows the keys in a
grid that fits the width, the code typed so far, and what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.text import Text, text
from ui.grid import GridColumns
from ui.widgets import TextLabel, TouchButton

# A unified social credit code (GB 32100) shown as registration authority and type,
# region, organisation code, check character.
CREDIT_CODE_GROUPS = (2, 6, 9, 1)

KEY_PX = 84  # at least 80: a finger's width, even when the window is small
KEY_SPACING = 8
MIN_COLUMNS = 6
MAX_COLUMNS = 12
PLACEHOLDER = "_"


def no_problem(typed: str) -> Text | None:
    return None


@dataclass(frozen=True)
class CodeFormat:
    """How one kind of code is typed."""

    keys: str  # every key, in the pad's order
    min_length: int
    max_length: int
    hint: Text  # what to type, shown while nothing is wrong
    groups: tuple[int, ...] = ()  # display groups; empty: groups of four
    # What is wrong with the code as typed so far; None while it may still be right.
    problem: Callable[[str], Text | None] = no_problem
    # Whether a code of an acceptable length is right (e.g. its check character).
    complete: Callable[[str], bool] = lambda code: True

    def fixed_length(self) -> bool:
        return self.min_length == self.max_length

    def grouped(self, typed: str) -> str:
        """`typed` in groups; a fixed-length code shows its empty places too."""
        shown = typed.ljust(self.max_length, PLACEHOLDER) if self.fixed_length() else typed
        sizes = self.groups or (4,) * (-(-max(len(shown), 1) // 4))
        parts: list[str] = []
        start = 0
        for size in sizes:
            if start >= len(shown):
                break
            parts.append(shown[start : start + size])
            start += size
        if start < len(shown):
            parts.append(shown[start:])
        return " ".join(parts)


def key_columns(width: int) -> int:
    """How many keys of KEY_PX fit across `width`."""
    fitting = (width + KEY_SPACING) // (KEY_PX + KEY_SPACING)
    return max(MIN_COLUMNS, min(MAX_COLUMNS, fitting))


class CodePad(QWidget):
    """Keys, the code typed so far, and a live message about it."""

    changed = Signal(str)  # the code typed so far

    def __init__(self, code_format: CodeFormat, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._format = code_format
        self._typed = ""
        self._outside_problem: Text | None = None
        self.display = TextLabel("", "code", align=Qt.AlignmentFlag.AlignHCenter)
        self.hint = TextLabel(code_format.hint, "muted", align=Qt.AlignmentFlag.AlignHCenter)
        self.problem_label = TextLabel("", "notice", align=Qt.AlignmentFlag.AlignHCenter)
        self.problem_label.hide()
        self.keys: dict[str, TouchButton] = {}
        for key in code_format.keys:
            button = self._key(key)
            button.clicked.connect(lambda _=False, key=key: self.type_key(key))
            self.keys[key] = button
        self.delete_button = self._key(text("code_pad.delete"))
        self.delete_button.clicked.connect(self.delete)
        self.clear_button = self._key(text("code_pad.clear"))
        self.clear_button.clicked.connect(self.clear)
        keys = QWidget()
        self.grid = QGridLayout(keys)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(KEY_SPACING)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(16)
        column.addWidget(self.display)
        column.addWidget(self.hint)
        column.addWidget(self.problem_label)
        column.addWidget(keys)
        self._columns = GridColumns(self._reflow, MIN_COLUMNS)
        self._show()

    @staticmethod
    def _key(label: Text | str) -> TouchButton:
        button = TouchButton(label, "key")
        button.setMinimumSize(KEY_PX, KEY_PX)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    # ---- typing ------------------------------------------------------------------------

    def typed(self) -> str:
        return self._typed

    def code_format(self) -> CodeFormat:
        return self._format

    def type_key(self, key: str) -> None:
        if key not in self._format.keys or len(self._typed) >= self._format.max_length:
            return
        self._typed += key
        self._changed()

    def type_text(self, text: str) -> None:
        for key in text:
            self.type_key(key)

    def delete(self) -> None:
        if self._typed:
            self._typed = self._typed[:-1]
            self._changed()

    def clear(self) -> None:
        if self._typed or self._outside_problem is not None:
            self._typed = ""
            self._changed()

    def show_problem(self, problem: Text | None) -> None:
        """A problem found beyond the pad (e.g. an unknown appointment code); it
        stays until the code changes."""
        self._outside_problem = problem
        self._show()

    # ---- state -------------------------------------------------------------------------

    def problem(self) -> Text | None:
        if self._outside_problem is not None:
            return self._outside_problem
        return self._format.problem(self._typed) if self._typed else None

    def acceptable(self) -> bool:
        """Long enough, nothing wrong, and complete (e.g. the check character is right)."""
        code = self._typed
        return (
            self._format.min_length <= len(code) <= self._format.max_length
            and self.problem() is None
            and self._format.complete(code)
        )

    def _changed(self) -> None:
        self._outside_problem = None
        self._show()
        self.changed.emit(self._typed)

    def _show(self) -> None:
        self.display.set_text(self._format.grouped(self._typed) or PLACEHOLDER)
        problem = self.problem()
        self.problem_label.set_text(problem or "")
        self.problem_label.setVisible(problem is not None)
        self.hint.setVisible(problem is None)
        full = len(self._typed) >= self._format.max_length
        for button in self.keys.values():
            button.setEnabled(not full)
        self.delete_button.setEnabled(bool(self._typed))
        self.clear_button.setEnabled(bool(self._typed))

    # ---- layout ------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._columns.set(key_columns(event.size().width()))

    def columns(self) -> int:
        return self._columns.count

    def _reflow(self, columns: int) -> None:
        buttons = [*self.keys.values(), self.delete_button, self.clear_button]
        for button in buttons:
            self.grid.removeWidget(button)
        keys = list(self.keys.values())
        for index, button in enumerate(keys):
            self.grid.addWidget(button, index // columns, index % columns)
        # Delete and clear, each two keys wide, at the right of the last row if they fit.
        row, used = divmod(len(keys), columns)
        if used and columns - used < 4:
            row += 1
        self.grid.addWidget(self.delete_button, row, columns - 4, 1, 2)
        self.grid.addWidget(self.clear_button, row, columns - 2, 1, 2)
        for column in range(max(columns, self.grid.columnCount())):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
