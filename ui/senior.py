"""Senior mode (长者模式) on the kiosk window: type at least 1.5 times normal (never under
42 px), contrast of at least 7:1, and every screen's main content read aloud in the
hall's language (kiosk.language, as the calls are). The visit decides when it is on
(kiosk.visit: the home screen's button, or a visitor of ui.senior_from_age from the ID
card) and when it ends (the visit's end); this module only shows it.

Also here, as it is the same kind of help: the one-tap help notice (一键求助) that tells
the visitor a guide is coming, and the focus order that follows the reading order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.text import Language
from ui import texts, theme
from ui.calling import Speaker
from ui.widgets import TextLabel, TouchButton, card_frame, pick

NORMAL_MIN_PX = theme.SMALL_PX  # 28: no text of normal mode is smaller
SENIOR_MIN_PX = 42  # 1.5 times normal's minimum
SENIOR_BODY_PX = 42
SENIOR_TITLE_PX = 60
SENIOR_HEADLINE_PX = 80
SENIOR_BUTTON_PX = 46
# Painted tiles and matter rows: their smaller lines are 6 px less, so 42 px.
SENIOR_TILE_PX = SENIOR_MIN_PX + theme.BUTTON_PX - theme.SMALL_PX
SENIOR_HUGE_PX = 84
SENIOR_KEY_PX = 52
SENIOR_CODE_PX = 60
SENIOR_NUMBER_PX = theme.NUMBER_PX  # already the largest text there is

# Senior mode's ink: every text colour on its background at 7:1 or more (WCAG AAA).
SENIOR_INK = theme.INK
SENIOR_BLUE = theme.BLUE_DARK
SENIOR_GREEN = theme.GREEN_INK
SENIOR_DISABLED = "#3d4a5c"
# (text, background) of every text style senior mode draws; tests compute each ratio.
SENIOR_TEXT_COLOURS = (
    (SENIOR_INK, theme.PAGE),
    (SENIOR_INK, theme.WHITE),
    (SENIOR_BLUE, theme.PAGE),
    (SENIOR_BLUE, theme.WHITE),
    (SENIOR_BLUE, theme.BLUE_PALE),
    (theme.WHITE, SENIOR_BLUE),
    (SENIOR_GREEN, theme.GREEN_PALE),  # also the 绿色通道 badge of a matter row
    (theme.MUTED, theme.WHITE),  # a matter row's detail line
    (theme.AMBER_INK, theme.AMBER_PALE),
    (SENIOR_DISABLED, theme.WHITE),
)

SENIOR_STYLESHEET = f"""
QWidget {{ font-size: {SENIOR_BODY_PX}px; color: {SENIOR_INK}; }}
QLabel#topBarTitle {{ font-size: {SENIOR_MIN_PX}px; color: {theme.WHITE}; }}
QWidget#topBar {{ background: {SENIOR_BLUE}; }}
QLabel[role="title"] {{ font-size: {SENIOR_TITLE_PX}px; color: {SENIOR_BLUE}; }}
QLabel[role="headline"] {{ font-size: {SENIOR_HEADLINE_PX}px; color: {SENIOR_BLUE}; }}
QLabel[role="subtitle"] {{ font-size: {SENIOR_BODY_PX + 4}px; }}
QLabel[role="muted"] {{ color: {SENIOR_INK}; }}
QLabel[role="number"] {{ font-size: {SENIOR_NUMBER_PX}px; color: {SENIOR_BLUE}; }}
QLabel[role="success"] {{ color: {SENIOR_GREEN}; }}
QLabel[role="code"] {{ font-size: {SENIOR_CODE_PX}px; color: {SENIOR_BLUE}; }}
QPushButton {{ font-size: {SENIOR_BUTTON_PX}px; color: {SENIOR_BLUE}; border-color: {SENIOR_BLUE};
    padding: 12px 24px; }}
QPushButton:disabled {{ color: {SENIOR_DISABLED}; border-color: {SENIOR_DISABLED}; }}
QPushButton[kind="primary"] {{ color: {theme.WHITE}; background: {SENIOR_BLUE}; }}
QPushButton[kind="primary"]:disabled {{ color: {theme.WHITE}; background: {SENIOR_DISABLED}; }}
QPushButton[kind="huge"] {{ font-size: {SENIOR_HUGE_PX}px; color: {theme.WHITE};
    background: {SENIOR_BLUE}; }}
QPushButton[kind="senior"] {{ font-size: {SENIOR_TITLE_PX - 8}px; min-height: 96px;
    max-height: 240px;
    border-width: 4px; }}
QPushButton[kind="tile"] {{ font-size: {SENIOR_TILE_PX}px; }}
QPushButton[kind="key"] {{ font-size: {SENIOR_KEY_PX}px; padding: 2px 4px; }}
QPushButton[kind="bar"] {{ font-size: {SENIOR_MIN_PX}px; color: {theme.WHITE};
    border-color: {theme.WHITE}; padding: 6px 14px; }}
QPushButton[kind="bar"]:checked {{ color: {SENIOR_BLUE}; background: {theme.WHITE}; }}
"""


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour."""
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(ink: str, background: str) -> float:
    """WCAG 2's contrast ratio, 1 to 21."""
    light, dark = sorted((relative_luminance(ink), relative_luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def reading_order(widgets: Iterable[QWidget], root: QWidget) -> list[QWidget]:
    """`widgets` as a reader meets them: top to bottom, then left to right, by where each
    one's top-left corner lies in `root`."""

    def place(widget: QWidget) -> tuple[int, int]:
        corner = widget.mapTo(root, QPoint(0, 0))
        return corner.y(), corner.x()

    return sorted(widgets, key=place)


def visible_in(root: QWidget, kind: type[QWidget]) -> list[QWidget]:
    return [w for w in root.findChildren(kind) if w.isVisibleTo(root) and w.isVisible()]


def set_reading_focus_order(root: QWidget) -> list[QWidget]:
    """The Tab order of `root`'s visible buttons follows the reading order (a switch or
    keyboard used for accessibility walks the screen as it is read). Returns it."""
    for widget in (root, *root.findChildren(QWidget)):
        layout = widget.layout() if widget.isVisible() else None
        if layout is not None:
            layout.activate()  # where new buttons go is known before they are ordered
    ordered = reading_order(visible_in(root, QPushButton), root)
    for first, second in itertools.pairwise(ordered):
        QWidget.setTabOrder(first, second)
    return ordered


def screen_reading(screen: QWidget, language: Language) -> str:
    """What a screen says aloud: its visible labels, then its buttons, in reading order,
    in `language`; the keys of a keypad are not read one by one."""
    parts: list[str] = []
    for label in reading_order(visible_in(screen, QLabel), screen):
        if isinstance(label, TextLabel):
            parts.append(pick(label.label(), language))
        elif isinstance(label, QLabel):
            parts.append(label.text())
    for button in reading_order(visible_in(screen, TouchButton), screen):
        reads = isinstance(button, TouchButton) and button.property("kind") != "key"
        if reads and isinstance(button, TouchButton) and button.isEnabled():
            parts.append(button.label_in(language))
    return "。".join(part.strip() for part in parts if part.strip())


class ScreenReader:
    """Reads a screen aloud through the kiosk's speaker (espeak-ng's Mandarin voice for
    zh), in the hall's language. `spoken` keeps what was given to the speaker."""

    def __init__(self, speaker: Speaker, language: Language) -> None:
        self.speaker = speaker
        self.language: Language = language
        self.spoken: list[str] = []

    def read(self, screen: QWidget) -> str:
        said = screen_reading(screen, self.language)
        if said:
            self.spoken.append(said)
            self.speaker.say(said, self.language)
        return said


class _AfterTouches(QObject):
    """Installed on the application: calls back after each touch or key (a touch may
    change what a screen shows: search results, a guide slip's state)."""

    ENDS = frozenset({QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd, QEvent.Type.KeyRelease})

    def __init__(self, callback: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() in self.ENDS:
            self._callback()
        return False


class SeniorMode:
    """Applies senior mode to a window and reads each screen shown while it is on; in
    either mode, keeps the focus order of the window's buttons the reading order."""

    def __init__(
        self, window: QWidget, reader: ScreenReader, on_change: Callable[[bool], None]
    ) -> None:
        self._window = window
        self.reader = reader
        self._on_change = on_change
        self.on = False
        # The focus order is set once the event loop has laid out what changed.
        self._focus_order = QTimer(window)
        self._focus_order.setSingleShot(True)
        self._focus_order.setInterval(0)
        self._focus_order.timeout.connect(lambda: set_reading_focus_order(window))
        self._touches = _AfterTouches(self._focus_order.start, window)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._touches)

    def min_text_px(self) -> int:
        return SENIOR_MIN_PX if self.on else NORMAL_MIN_PX

    def set_senior(self, on: bool) -> None:
        if on == self.on:
            return
        self.on = on
        self._window.setStyleSheet(SENIOR_STYLESHEET if on else "")
        # In large type a route's reasons and documents may run below the fold: they
        # scroll, while its actions stay in the button row (the route's own extra
        # buttons are left out in senior mode: ui/visit_view.py).
        route = getattr(self._window, "route", None)
        if route is not None:
            route.scroll_area.setProperty("scrollList", on)
        search = getattr(self._window, "search", None)
        if search is not None:  # fewer words: the keys and the results have the room
            search.hint.setVisible(not on)
        self._on_change(on)

    def screen_shown(self, screen: QWidget) -> None:
        self._focus_order.start()
        if self.on:
            self.reader.read(screen)

    def shutdown(self) -> None:
        self._focus_order.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._touches)
        self.reader.speaker.stop()


CARD_WIDTH = 840
CARD_PADDING = 48


class HelpNotice(QWidget):
    """一键求助's answer over the whole page: a guide is coming; an OK button."""

    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(theme.MARGIN_PX, 0, theme.MARGIN_PX, 0)
        card = card_frame()
        card.setObjectName("overlayCard")
        card.setFixedWidth(CARD_WIDTH)  # a fixed width: the message's height is known
        layout = QVBoxLayout(card)
        layout.setContentsMargins(CARD_PADDING, CARD_PADDING, CARD_PADDING, CARD_PADDING)
        layout.setSpacing(28)
        center = Qt.AlignmentFlag.AlignHCenter
        self.message = TextLabel(texts.HELP_COMING, "title", align=center)
        self.close_button = TouchButton(texts.HELP_CLOSE, "primary")
        self.close_button.setMinimumWidth(300)
        self.close_button.clicked.connect(self.closed)
        layout.addWidget(self.message)
        layout.addWidget(self.close_button, alignment=center)
        outer.addStretch(1)
        outer.addWidget(card, alignment=center)
        outer.addStretch(1)
        self.hide()

    def _fit_message(self) -> None:
        """A centred card is given its size hint's height: the message is made as tall as
        its wrapped text needs, in either language and in the type of the mode shown."""
        self.message.ensurePolished()
        metrics = QFontMetrics(self.message.font())
        width = CARD_WIDTH - 2 * CARD_PADDING
        flags = int(Qt.TextFlag.TextWordWrap)
        needed = [
            metrics.boundingRect(QRect(0, 0, width, 10_000), flags, text).height()
            for text in (texts.HELP_COMING.zh, texts.HELP_COMING.en)
        ]
        self.message.setMinimumHeight(max(needed) + 8)

    def set_shown(self, shown: bool) -> None:
        if shown:
            self._fit_message()
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.show()
            self.raise_()
        else:
            self.hide()
