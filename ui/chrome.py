"""What surrounds the screens: the top bar with the language switch, the idle overlay,
and the application-wide filter that notices every touch."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QVBoxLayout, QWidget

from kiosk.text import LANGUAGES, Language, Text
from ui import texts, theme
from ui.widgets import TextLabel, TouchButton, card_frame

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
    }
)


class ActivityFilter(QObject):
    """Installed on the QApplication: calls `on_activity` for every touch, click or key."""

    def __init__(self, on_activity: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() in ACTIVITY_EVENTS:
            self._on_activity()
        return False


# Narrower than this, the top bar's buttons leave the hall's name too little room.
NARROW_BAR_PX = 900


class TopBar(QWidget):
    """Always visible: a way home, the hall's name, and the 中文 / English switch."""

    home_clicked = Signal()
    help_clicked = Signal()  # 一键求助: call a guide, on every screen
    language_chosen = Signal(str)  # "zh" or "en"

    def __init__(self, hall_name: Text, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(24, 12, 24, 12)
        self._grid.setSpacing(16)
        self._grid.setColumnStretch(1, 1)
        self.home_button = TouchButton(texts.HOME, "bar")
        self.home_button.setMinimumWidth(150)
        self.home_button.clicked.connect(self.home_clicked)
        self.title = TextLabel(hall_name)
        self.title.setObjectName("topBarTitle")
        self.title.installEventFilter(self)
        self._title_fit = QTimer(self)
        self._title_fit.setSingleShot(True)
        self._title_fit.setInterval(0)
        self._title_fit.timeout.connect(self._fit_title)
        self.help_button = TouchButton(texts.HELP, "bar")
        self.help_button.clicked.connect(self.help_clicked)
        self.language_buttons: dict[Language, TouchButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        for language in LANGUAGES:
            button = TouchButton(texts.LANGUAGE_NAMES[language], "bar")
            button.setCheckable(True)
            button.setMinimumWidth(150)
            button.clicked.connect(
                lambda _=False, chosen=language: self.language_chosen.emit(chosen)
            )
            group.addButton(button)
            self.language_buttons[language] = button
        self._narrow: bool | None = None
        self._arrange(narrow=False)

    def show_language(self, language: Language) -> None:
        self.language_buttons[language].setChecked(True)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._arrange(narrow=event.size().width() < NARROW_BAR_PX)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self.title and event.type() == QEvent.Type.Resize:
            self._title_fit.start()  # once the new width is laid out, not in the bar's resize
        return False

    def _arrange(self, *, narrow: bool) -> None:
        """One row; on a narrow window the hall's name goes under the buttons, whole."""
        if narrow == self._narrow:
            return
        self._narrow = narrow
        buttons = [self.home_button, self.help_button, *self.language_buttons.values()]
        for widget in (*buttons, self.title):
            self._grid.removeWidget(widget)
        self._grid.addWidget(self.home_button, 0, 0)
        for column, button in enumerate(buttons[1:], start=2):
            self._grid.addWidget(button, 0, column)
        if narrow:  # tighter, so that the screens lose little height to the second row
            self._grid.addWidget(self.title, 1, 0, 1, 2 + len(buttons) - 1)
            self._grid.setContentsMargins(16, 4, 16, 4)
            self._grid.setSpacing(6)
        else:
            self._grid.addWidget(self.title, 0, 1)
            self._grid.setContentsMargins(24, 12, 24, 12)
            self._grid.setSpacing(16)

    def _fit_title(self) -> None:
        """The bar is as tall as the hall's name needs where it wraps (a narrow window,
        senior mode's type): a row of buttons does not give a label its wrapped height."""
        # Measured, not the label's heightForWidth: that never answers under its minimum.
        title = self.title
        box = title.contentsRect()
        wrapped = QFontMetrics(title.font()).boundingRect(
            QRect(0, 0, max(box.width(), 1), 10_000), int(Qt.TextFlag.TextWordWrap), title.text()
        )
        needed = wrapped.height() + title.height() - box.height()
        if needed > 0 and needed != title.minimumHeight():
            title.setMinimumHeight(needed)


class IdleOverlay(QWidget):
    """ "Are you still there?" over the whole page, the seconds left, a Continue button."""

    continue_clicked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(theme.MARGIN_PX, 0, theme.MARGIN_PX, 0)
        card = card_frame()
        card.setObjectName("overlayCard")
        card.setMinimumWidth(640)
        card.setMaximumWidth(900)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.setSpacing(28)
        center = Qt.AlignmentFlag.AlignHCenter
        self.title = TextLabel(texts.STILL_THERE, "headline", align=center)
        self.countdown = TextLabel("", "subtitle", align=center)
        self.continue_button = TouchButton(texts.CONTINUE, "primary")
        self.continue_button.setMinimumWidth(360)
        self.continue_button.clicked.connect(self.continue_clicked)
        layout.addWidget(self.title)
        layout.addWidget(self.countdown)
        layout.addWidget(self.continue_button, alignment=center)
        outer.addStretch(1)
        outer.addWidget(card, alignment=center)
        outer.addStretch(1)
        self.seconds_left = 0
        self.hide()

    def show_countdown(self, seconds: int) -> None:
        self.seconds_left = seconds
        self.countdown.set_text(texts.fill(texts.COUNTDOWN, seconds=seconds))
        if self.isHidden():
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.show()
            self.raise_()
