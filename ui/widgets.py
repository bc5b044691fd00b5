"""The kiosk's building blocks: bilingual labels, touch buttons, tiles, rows, a QR code.

Every touch target derives from TouchButton, which keeps its accessible name equal
to its visible label whenever the label changes, so that tests and screen readers
find a button by what it says.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QWidget,
)

from kiosk.text import Language, Text
from ui import theme

Label = Text | str  # a plain str reads the same in every language (a number, "English")


def pick(label: Label, language: Language) -> str:
    return label if isinstance(label, str) else label.get(language)


@runtime_checkable
class Translatable(Protocol):
    def retranslate(self, language: Language) -> None:
        """Show the texts in `language`."""
        ...


def retranslate_tree(root: QWidget, language: Language) -> None:
    """Re-translate every bilingual widget under `root` (and `root` itself) at once."""
    for widget in (root, *root.findChildren(QWidget)):
        if isinstance(widget, Translatable):
            widget.retranslate(language)


class TextLabel(QLabel):
    """A label that holds its text in both languages; `role` picks a stylesheet style."""

    def __init__(
        self,
        text: Label = "",
        role: str | None = None,
        *,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._label: Label = text
        self._language: Language = "zh"
        if role:
            self.setProperty("role", role)
        self.setWordWrap(True)
        self.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._show()

    def set_text(self, text: Label) -> None:
        self._label = text
        self._show()

    def label(self) -> Label:
        return self._label

    def retranslate(self, language: Language) -> None:
        self._language = language
        self._show()

    def _show(self) -> None:
        self.setText(pick(self._label, self._language))


class TouchButton(QPushButton):
    """The one button class: large, bilingual, accessibleName() == text() always."""

    def __init__(
        self, label: Label, kind: str = "secondary", *, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._label: Label = label
        self._language: Language = "zh"
        self.setProperty("kind", kind)
        self.setMinimumSize(theme.TOUCH_MIN_PX, theme.TOUCH_MIN_PX)
        # A kiosk has no keyboard: a focus frame on the last touched button only confuses.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._show()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setAccessibleName(text)

    def set_label(self, label: Label) -> None:
        self._label = label
        self._show()

    def retranslate(self, language: Language) -> None:
        self._language = language
        self._show()

    def language(self) -> Language:
        return self._language

    def _show(self) -> None:
        self.setText(pick(self._label, self._language))
        self.updateGeometry()


class QrCodeWidget(QWidget):
    """A QR code drawn from its module matrix: no image files involved."""

    QUIET_ZONE = 4  # modules of white around the code, as the standard asks

    def __init__(
        self, data: str = "", side: int = 360, *, name: Label = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._name: Label = name
        self.setAccessibleName(pick(name, "zh"))
        self._data = ""
        self._matrix: list[list[bool]] = []
        self.setFixedSize(side, side)
        self.set_data(data)

    def set_data(self, data: str) -> None:
        self._data = data
        self._matrix = qr_matrix(data) if data else []
        self.update()

    def data(self) -> str:
        return self._data

    def retranslate(self, language: Language) -> None:
        self.setAccessibleName(pick(self._name, language))

    def matrix(self) -> list[list[bool]]:
        return self._matrix

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.WHITE))
        if self._matrix:
            count = len(self._matrix) + 2 * self.QUIET_ZONE
            module = min(self.width(), self.height()) // count
            offset_x = (self.width() - module * len(self._matrix)) // 2
            offset_y = (self.height() - module * len(self._matrix)) // 2
            black = QColor("#000000")
            for row, line in enumerate(self._matrix):
                for column, dark in enumerate(line):
                    if dark:
                        painter.fillRect(
                            offset_x + column * module,
                            offset_y + row * module,
                            module,
                            module,
                            black,
                        )
        painter.end()


def qr_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def card_frame(role: str = "card") -> QFrame:
    frame = QFrame()
    frame.setProperty("role", role)
    return frame


def finger_scroll_area(content: QWidget) -> QScrollArea:
    """A vertical scroll area that a finger drags; the scroll bar only hints at more."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    content.setObjectName("scrollContent")
    area.setWidget(content)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(area.viewport())
    properties = scroller.scrollerProperties()
    # A tap must reach the button under the finger at once, not after a press delay.
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0.0)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.OvershootDragResistanceFactor, 0.3)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.OvershootScrollDistanceFactor, 0.1)
    scroller.setScrollerProperties(properties)
    return area
