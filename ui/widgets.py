"""The kiosk's building blocks: bilingual labels, touch buttons, tiles, rows, a QR code.

Every touch target derives from TouchButton, which keeps its accessible name equal
to its visible label whenever the label changes, so that tests and screen readers
find a button by what it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QSizePolicy,
    QWidget,
)

from kiosk.text import Language, Text
from ui import texts, theme
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


def _pixel_font(base: QFont, pixels: int, *, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def _wrapped_height(font: QFont, text: str, width: int) -> int:
    flags = int(Qt.TextFlag.TextWordWrap)
    return QFontMetrics(font).boundingRect(QRect(0, 0, max(width, 1), 10_000), flags, text).height()


class _PaintedButton(TouchButton):
    """A TouchButton that draws its own card; the label is still its text()."""

    RADIUS = 24
    PADDING = 28

    def __init__(self, label: Label, *, parent: QWidget | None = None) -> None:
        super().__init__(label, "tile", parent=parent)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        width = 320
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(theme.TOUCH_MIN_PX, theme.TOUCH_MIN_PX)

    def _name_px(self) -> int:
        """The label's size: the stylesheet's button type (larger in senior mode)."""
        pixels = self.font().pixelSize()
        return pixels if pixels > 0 else theme.BUTTON_PX

    def _small_px(self) -> int:
        """Smaller lines: 28 px beside normal type, 42 px beside senior mode's."""
        return self._name_px() - (theme.BUTTON_PX - theme.SMALL_PX)

    def _paint_card(self, painter: QPainter) -> QRectF:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setPen(QPen(QColor(theme.BLUE), 3))
        painter.setBrush(QColor(theme.BLUE_PALE if self.isDown() else theme.WHITE))
        painter.drawRoundedRect(card, self.RADIUS, self.RADIUS)
        return card


class CategoryTile(_PaintedButton):
    """A category: a large icon character in a circle above the name. The name is
    the button's text and accessible name; the icon is drawn apart from it."""

    ICON_PX = 96

    def __init__(self, symbol: str, name: Label, *, parent: QWidget | None = None) -> None:
        self.symbol = symbol  # not `icon`: that is QAbstractButton.icon()
        super().__init__(name, parent=parent)

    def _name_font(self) -> QFont:
        return _pixel_font(self.font(), self._name_px(), bold=True)

    def painted_texts(self) -> list[tuple[str, int]]:
        """What it paints and in what pixel size (tests/helpers/screen_fit.py)."""
        return [(self.text(), self._name_px())]

    def heightForWidth(self, width: int) -> int:
        text_width = width - 2 * self.PADDING
        text = _wrapped_height(self._name_font(), self.text(), text_width)
        return max(220, self.PADDING * 2 + self.ICON_PX + 20 + text)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        card = self._paint_card(painter)
        circle = QRectF(
            card.center().x() - self.ICON_PX / 2,
            card.top() + self.PADDING,
            self.ICON_PX,
            self.ICON_PX,
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.BLUE))
        painter.drawEllipse(circle)
        painter.setPen(QColor(theme.WHITE))
        painter.setFont(_pixel_font(self.font(), 52, bold=True))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, self.symbol)
        text_rect = QRectF(
            card.left() + self.PADDING,
            circle.bottom() + 20,
            card.width() - 2 * self.PADDING,
            card.bottom() - circle.bottom() - 20 - self.PADDING / 2,
        )
        painter.setPen(QColor(theme.INK))
        painter.setFont(self._name_font())
        painter.drawText(
            text_rect,
            int(
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            ),
            self.text(),
        )
        painter.end()


@dataclass(frozen=True)
class Badge:
    label: Text
    ink: str
    fill: str


BADGE_SIMPLE_STYLE = (theme.GREEN_INK, theme.GREEN_PALE)
BADGE_SELF_SERVICE_STYLE = (theme.BLUE_DARK, theme.BLUE_PALE)


class MatterRow(_PaintedButton):
    """A matter: its name large, a detail line under it, small badges at the right.
    The name alone is the button's text and accessible name."""

    BADGE_COLUMN = 210  # at least; wider for a badge's longer words

    def __init__(
        self, name: Label, detail: Text, badges: Sequence[Badge], *, parent: QWidget | None = None
    ) -> None:
        self.detail = detail
        self.badges = tuple(badges)
        super().__init__(name, parent=parent)
        self._sync_description()

    def retranslate(self, language: Language) -> None:
        super().retranslate(language)
        self._sync_description()

    def _sync_description(self) -> None:
        parts = [self.detail.get(self.language())]
        parts += [badge.label.get(self.language()) for badge in self.badges]
        self.setAccessibleDescription(texts.DESCRIPTION_SEPARATOR.get(self.language()).join(parts))

    def _name_font(self) -> QFont:
        return _pixel_font(self.font(), self._name_px(), bold=True)

    def _detail_font(self) -> QFont:
        return _pixel_font(self.font(), self._small_px())

    def _badge_font(self) -> QFont:
        return _pixel_font(self.font(), self._small_px(), bold=True)

    def _badge_height(self) -> int:
        return self._small_px() + 20

    def _badge_column(self) -> int:
        metrics = QFontMetrics(self._badge_font())
        words = [metrics.horizontalAdvance(b.label.get(self.language())) for b in self.badges]
        return max([self.BADGE_COLUMN, *(width + 32 for width in words)])

    def painted_texts(self) -> list[tuple[str, int]]:
        """What it paints and in what pixel size (tests/helpers/screen_fit.py)."""
        small = self._small_px()
        badges = [(badge.label.get(self.language()), small) for badge in self.badges]
        return [(self.text(), self._name_px()), (self.detail.get(self.language()), small), *badges]

    def _text_width(self, width: int) -> int:
        badges = self._badge_column() + self.PADDING if self.badges else 0
        return width - 2 * self.PADDING - badges

    def heightForWidth(self, width: int) -> int:
        text_width = self._text_width(width)
        name = _wrapped_height(self._name_font(), self.text(), text_width)
        detail = _wrapped_height(self._detail_font(), self.detail.get(self.language()), text_width)
        badges = len(self.badges) * (self._badge_height() + 12)
        return max(theme.TOUCH_MIN_PX + 24, 2 * self.PADDING + max(name + 10 + detail, badges))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        card = self._paint_card(painter)
        text_width = self._text_width(int(card.width()) + 4)
        wrap = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        name_font = self._name_font()
        name_height = _wrapped_height(name_font, self.text(), text_width)
        left = card.left() + self.PADDING
        top = card.top() + self.PADDING
        painter.setPen(QColor(theme.INK))
        painter.setFont(name_font)
        painter.drawText(QRectF(left, top, text_width, name_height + 4), int(wrap), self.text())
        painter.setPen(QColor(theme.MUTED))
        painter.setFont(self._detail_font())
        painter.drawText(
            QRectF(left, top + name_height + 10, text_width, card.height() - name_height - 10),
            int(wrap),
            self.detail.get(self.language()),
        )
        painter.setFont(self._badge_font())
        badge_top = card.top() + self.PADDING
        column, height = self._badge_column(), self._badge_height()
        for badge in self.badges:
            box = QRectF(card.right() - self.PADDING - column, badge_top, column, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(badge.fill))
            painter.drawRoundedRect(box, height / 2, height / 2)
            painter.setPen(QColor(badge.ink))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, badge.label.get(self.language()))
            badge_top += height + 12
        painter.end()


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
