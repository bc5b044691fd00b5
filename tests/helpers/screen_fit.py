"""Does a screen fit its window? The layout checks of issue 18, for every mode and size.

    assert_screen_fits(window, min_text_px)

fails with one message listing every problem found on the visible screen:

- a visible button not wholly inside the window, or cut by an ancestor that clips it
  (a scroll area's viewport: an action below the fold needs scrolling to be reached);
- a visible label whose text is elided or clipped: single-line text wider than the
  label, wrapped text taller than it (or a word wider than it), or a label cut off by
  the window or a clipping ancestor;
- a button whose text is wider or taller than its contents;
- any visible text (label, button, or text a widget paints itself and reports through
  `painted_texts()`) in a pixel size below `min_text_px`.

A list the visitor is meant to scroll through (a long list of matters) marks its
QScrollArea with the dynamic property `scrollList` = True: what lies in it may be
below the fold, but the scroll area itself must fit.

Widgets that paint their own text (ui.tiles.CategoryTile, MatterRow) report it with
a method `painted_texts() -> Iterable[tuple[str, int]]`: (text, pixel size) pairs.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

SCROLL_LIST_PROPERTY = "scrollList"
_TALL = 100_000
_BUTTON_EDGE_PX = 12


def assert_screen_fits(window: QWidget, min_text_px: int) -> None:
    """Every visible button inside the window, no label elided, no text under
    `min_text_px` pixels. Raises AssertionError naming every offending widget."""
    problems = screen_fit_problems(window, min_text_px)
    assert not problems, f"{len(problems)} layout problem(s) in a {_size(window)} window:\n" + (
        "\n".join(f"  - {problem}" for problem in problems)
    )


def screen_fit_problems(window: QWidget, min_text_px: int) -> list[str]:
    """The problems assert_screen_fits reports, one line each (empty: the screen fits)."""
    problems: list[str] = []
    for widget in _visible_widgets(window):
        if isinstance(widget, QLabel):
            problems += _label_problems(window, widget, min_text_px)
        elif isinstance(widget, QAbstractButton):
            problems += _button_problems(window, widget, min_text_px)
        painted = getattr(widget, "painted_texts", None)
        if callable(painted):
            for text, pixels in painted():
                if text and pixels < min_text_px:
                    problems.append(
                        f"{describe(widget)} paints {text!r} at {pixels} px < {min_text_px} px"
                    )
    return problems


def describe(widget: QWidget) -> str:
    """A widget as a message names it: its class, object name and text."""
    name = type(widget).__name__
    if widget.objectName():
        name += f"#{widget.objectName()}"
    text = _text_of(widget)
    return f"{name} {text!r}" if text else name


# ---- what is visible -------------------------------------------------------------


def _visible_widgets(window: QWidget) -> Iterator[QWidget]:
    for widget in window.findChildren(QWidget):
        if widget.isVisible() and widget.isVisibleTo(window) and widget.width() > 0:
            yield widget


def _in_scroll_list(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea) and parent.property(SCROLL_LIST_PROPERTY):
            return True
        parent = parent.parentWidget()
    return False


def _clipping(widget: QWidget, window: QWidget) -> str | None:
    """Why `widget` is not wholly shown: outside the window or an ancestor; None if shown."""
    if _in_scroll_list(widget, window):
        return None
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        return f"at {_rect(rect)} is not inside the window {_rect(window.rect())}"
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        area = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
        if not area.contains(rect):
            return f"at {_rect(rect)} is cut off by {describe(parent)} at {_rect(area)}"
        parent = parent.parentWidget()
    return None


# ---- labels ----------------------------------------------------------------------


def _label_problems(window: QWidget, label: QLabel, min_text_px: int) -> list[str]:
    text = label.text()
    if not text.strip() or _rich(label):
        return []
    problems: list[str] = []
    pixels = text_pixels(label.font())
    if pixels < min_text_px:
        problems.append(f"{describe(label)} is {pixels} px < {min_text_px} px")
    clipped = _clipping(label, window)
    if clipped is not None:
        problems.append(f"{describe(label)} {clipped}")
    box = label.contentsRect()
    inset = max(label.margin(), 0)
    box = box.adjusted(inset, inset, -inset, -inset)
    metrics = QFontMetrics(label.font())
    if label.wordWrap():
        needed = metrics.boundingRect(
            QRect(0, 0, max(box.width(), 1), _TALL), int(Qt.TextFlag.TextWordWrap), text
        )
        if needed.width() > box.width():
            problems.append(
                f"{describe(label)} is elided: a word needs {needed.width()} px, "
                f"the label has {box.width()} px"
            )
        if needed.height() > box.height():
            problems.append(
                f"{describe(label)} is elided: wrapped, it needs {needed.height()} px "
                f"of height, the label has {box.height()} px"
            )
    else:
        lines = text.split("\n")
        widest = max(metrics.horizontalAdvance(line) for line in lines)
        if widest > box.width():
            problems.append(
                f"{describe(label)} is elided: it needs {widest} px, the label has {box.width()} px"
            )
        tall = len(lines) * metrics.lineSpacing() - metrics.leading()
        if tall > box.height():
            problems.append(
                f"{describe(label)} is elided: it needs {tall} px of height, "
                f"the label has {box.height()} px"
            )
    return problems


def _rich(label: QLabel) -> bool:
    form = label.textFormat()
    if form == Qt.TextFormat.RichText:
        return True
    return form == Qt.TextFormat.AutoText and bool(GuiQt.mightBeRichText(label.text()))


# ---- buttons ---------------------------------------------------------------------


def _button_problems(window: QWidget, button: QAbstractButton, min_text_px: int) -> list[str]:
    problems: list[str] = []
    clipped = _clipping(button, window)
    if clipped is not None:
        problems.append(f"button {describe(button)} {clipped}")
    text = button.text()
    if callable(getattr(button, "painted_texts", None)):
        # A painted button reports its texts; one that wraps them says what it needs.
        if button.hasHeightForWidth() and button.heightForWidth(button.width()) > button.height():
            problems.append(
                f"button {describe(button)} is clipped: it needs "
                f"{button.heightForWidth(button.width())} px of height, it has {button.height()} px"
            )
        return problems
    if not text.strip():
        return problems
    pixels = text_pixels(button.font())
    if pixels < min_text_px:
        problems.append(f"button {describe(button)} is {pixels} px < {min_text_px} px")
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        box = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
        # Measured as QPushButton.sizeHint() measures its label.
        needed = QFontMetrics(button.font()).size(int(Qt.TextFlag.TextShowMnemonic), text)
        widest, tall = needed.width(), needed.height()
        # Text may run into the padding, not past the rounded border (12 px a side).
        room = max(box.width(), button.width() - 2 * _BUTTON_EDGE_PX)
        if widest > room or tall > button.height():
            problems.append(
                f"button {describe(button)} is clipped: its text needs {widest} x {tall} px, "
                f"it has {room} x {button.height()} px"
            )
    return problems


# ---- small things ----------------------------------------------------------------


def text_pixels(font: QFont) -> int:
    """The pixel size `font` is drawn at (a point size converted at the screen's dpi)."""
    return font.pixelSize() if font.pixelSize() > 0 else QFontInfo(font).pixelSize()


def _text_of(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    if callable(text):
        value = text()
        if isinstance(value, str):
            return value if len(value) <= 60 else value[:57] + "..."
    return ""


def _rect(rect: QRect) -> str:
    return f"({rect.x()}, {rect.y()}, {rect.width()} x {rect.height()})"


def _size(window: QWidget) -> str:
    return f"{window.width()} x {window.height()}"
