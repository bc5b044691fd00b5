"""The kiosk's building blocks: bilingual labels, touch buttons, tiles, rows, a QR code.

Every touch target derives from TouchButton, which keeps its accessible name equal
to its visible label whenever the label changes, so that tests and screen readers
find a button by what it says.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt
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
from ui.qr import QrCodeWidget as QrCodeWidget  # its home is ui/qr.py
from ui.qr import qr_matrix as qr_matrix

Label = Text | str  # a plain str reads the same in every language (a number, "English")


def pick(label: Label, language: Language) -> str:
    return label if isinstance(label, str) else label.get(language)


@runtime_checkable
class Translatable(Protocol):
    def retranslate(self, language: Language) -> None:
        """Show the texts in `language`."""
        ...


def discard(widgets: Iterable[QWidget]) -> None:
    """Widgets a screen no longer shows, gone: hidden at once, let go of by their layout
    (Qt's ChildRemoved when the parent goes) and deleted once the event loop comes round."""
    for widget in widgets:
        widget.hide()  # deleteLater waits for the event loop; until then it must not show
        widget.setParent(None)
        widget.deleteLater()


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """A stylesheet property (`role`, `kind`) set and the widget's style redone, which a
    property selector needs to notice; nothing done when it already has that value."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


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
        # Tab focus only: a touch never leaves a focus frame on the last touched button,
        # while a keyboard or a switch used for accessibility still walks every button,
        # in the reading order (ui/senior.py: set_reading_focus_order).
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
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

    def label_in(self, language: Language) -> str:
        """The label in `language`, whichever is shown (e.g. to read it aloud)."""
        return pick(self._label, language)

    def _show(self) -> None:
        self.setText(pick(self._label, self._language))
        self.updateGeometry()


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
