"""The painted touch targets: category tiles and matter rows, each drawing its own card.

Their label is still the button's text() and accessible name (ui.widgets.TouchButton);
what else they paint (an icon, a detail line, badges) they report in painted_texts().
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.text import Language, Text
from ui import texts, theme
from ui.widgets import Label, TouchButton


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
    COMPACT_ICON_PX = 56
    COMPACT_PADDING = 20

    def __init__(self, symbol: str, name: Label, *, parent: QWidget | None = None) -> None:
        self.symbol = symbol  # not `icon`: that is QAbstractButton.icon()
        # Compact (a short, wide screen): the icon left of the name, half the height.
        self.compact = False
        super().__init__(name, parent=parent)

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.updateGeometry()
            self.update()

    def _name_font(self) -> QFont:
        # Compact: body type (in senior mode its larger body type).
        pixels = self._name_px() - (theme.BUTTON_PX - theme.BODY_PX) if self.compact else 0
        return _pixel_font(self.font(), pixels or self._name_px(), bold=True)

    def heightForWidth(self, width: int) -> int:
        if self.compact:
            pad = self.COMPACT_PADDING
            text_width = width - 3 * pad - self.COMPACT_ICON_PX
            text = _wrapped_height(self._name_font(), self.text(), text_width)
            return max(theme.TOUCH_MIN_PX + 16, pad * 2 + max(self.COMPACT_ICON_PX, text))
        text_width = width - 2 * self.PADDING
        text = _wrapped_height(self._name_font(), self.text(), text_width)
        return max(220, self.PADDING * 2 + self.ICON_PX + 20 + text)

    def painted_texts(self) -> list[tuple[str, int]]:
        """The texts this tile paints, with their pixel sizes (tests/helpers/screen_fit.py)."""
        return [(self.text(), self._name_font().pixelSize())]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        card = self._paint_card(painter)
        if self.compact:
            self._paint_compact(painter, card)
            return
        circle = QRectF(
            card.center().x() - self.ICON_PX / 2,
            card.top() + self.PADDING,
            self.ICON_PX,
            self.ICON_PX,
        )
        self._paint_icon(painter, circle, 52)
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

    def _paint_icon(self, painter: QPainter, circle: QRectF, pixels: int) -> None:
        """The icon character, white on a blue circle."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.BLUE))
        painter.drawEllipse(circle)
        painter.setPen(QColor(theme.WHITE))
        painter.setFont(_pixel_font(self.font(), pixels, bold=True))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, self.symbol)

    def _paint_compact(self, painter: QPainter, card: QRectF) -> None:
        side, pad = self.COMPACT_ICON_PX, self.COMPACT_PADDING
        circle = QRectF(card.left() + pad, card.center().y() - side / 2, side, side)
        self._paint_icon(painter, circle, 32)
        left = circle.right() + pad
        text_rect = QRectF(left, card.top(), card.right() - pad - left, card.height())
        painter.setPen(QColor(theme.INK))
        painter.setFont(self._name_font())
        left_middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(text_rect, int(left_middle | Qt.TextFlag.TextWordWrap), self.text())
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

    BADGE_COLUMN = 236  # at least; wider for a badge's longer words

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

    def _text_width(self, width: int) -> int:
        badges = self._badge_column() + self.PADDING if self.badges else 0
        return width - 2 * self.PADDING - badges

    def painted_texts(self) -> list[tuple[str, int]]:
        """The texts this row paints, with their pixel sizes (tests/helpers/screen_fit.py)."""
        small = self._small_px()
        badges = [(badge.label.get(self.language()), small) for badge in self.badges]
        return [(self.text(), self._name_px()), (self.detail.get(self.language()), small), *badges]

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
