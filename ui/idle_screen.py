"""The idle screen between visits: the hall's announcements and policy notices, today's
hours and whether it is open, the clock and the queue board. A touch anywhere ends it.

It covers the whole page once the home screen has been left untouched for a while
(config/announcements.toml [idle]); KioskWindow.check_idle drives it with the kiosk's
clock: tick() shows the time, follows the schedule and turns to the next announcement,
each turn in the other language, so both are read in turn.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.announcements import (
    Announcement,
    Announcements,
    AnnouncementsError,
    announcements_path,
    load_announcements,
)
from kiosk.hall.base import QueueState
from kiosk.settings import Settings
from kiosk.text import LANGUAGES, Language, Text
from kiosk.triage import texts as triage_texts
from kiosk.triage.hours import next_opening, period_at
from kiosk.triage.route import come_back_text
from ui import idle_texts, texts
from ui.screens.base import WIDE_PX, set_dense
from ui.screens.home import QueueRow
from ui.widgets import TextLabel, card_frame, retranslate_tree, set_style_property

CLOCK_ROLE = "clock"
log = logging.getLogger(__name__)


def read_announcements(settings: Settings) -> Announcements:
    """config/announcements.toml; a broken file is logged and shows none (never a crash):
    `kiosk config check` lists its problems."""
    path = announcements_path(settings.config_dir)
    try:
        return load_announcements(path)
    except AnnouncementsError as error:
        log.warning("announcements not shown: %s (see `kiosk config check`)", error)
        return Announcements(problems=tuple(error.problems))


class PictureView(QWidget):
    """An announcement's picture, scaled to fit the space it is given (never imposing it)."""

    def __init__(self) -> None:
        super().__init__()
        self._pixmap = QPixmap()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(0)

    def set_picture(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self.setVisible(not pixmap.isNull())
        self.update()

    def picture(self) -> QPixmap:
        return self._pixmap

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._pixmap.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        size = self._pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left = (self.width() - size.width()) / 2
        top = (self.height() - size.height()) / 2
        painter.drawPixmap(QRectF(left, top, size.width(), size.height()), self._pixmap, QRectF())
        painter.end()


class IdleScreen(QWidget):
    """Over the whole page between visits; `touched` when the visitor touches it."""

    touched = Signal()

    def __init__(
        self,
        hall_name: Text,
        settings: Settings,
        announcements: Announcements,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("idleScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.settings = settings
        self.announcements = announcements
        self._today: list[Announcement] = []
        self._index = -1
        self._turned_at = 0.0
        self._language: Language = "zh"
        self._pictures: dict[str, QPixmap] = {}
        self._time_shown: tuple[datetime, Language] | None = None  # minute and language

        self.hall_name = TextLabel(hall_name, "title")
        self.clock = TextLabel("", CLOCK_ROLE, align=Qt.AlignmentFlag.AlignRight)
        self.date = TextLabel("", "subtitle")
        header = QGridLayout()
        header.setVerticalSpacing(4)
        header.addWidget(self.hall_name, 0, 0)
        header.addWidget(self.date, 1, 0)
        header.addWidget(self.clock, 0, 1, 2, 1)
        header.setColumnStretch(0, 1)

        self.status_card = card_frame()
        status = QVBoxLayout(self.status_card)
        status.setContentsMargins(28, 16, 28, 16)
        status.setSpacing(4)
        self.status = TextLabel("", "subtitle")
        self.hours = TextLabel("")
        self.extended_hours = TextLabel("", "muted")
        for label in (self.status, self.hours, self.extended_hours):
            status.addWidget(label)

        self.announcement_card = card_frame()
        card = QVBoxLayout(self.announcement_card)
        card.setContentsMargins(36, 28, 36, 28)
        card.setSpacing(16)
        self.kind = TextLabel("", "notice")
        self.kind.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.title = TextLabel("", "headline")
        self.body = TextLabel("")
        self.picture = PictureView()
        self.page_label = TextLabel("", "muted", align=Qt.AlignmentFlag.AlignRight)
        card.addWidget(self.kind)
        card.addWidget(self.title)
        card.addWidget(self.body)
        card.addWidget(self.picture, 1)
        card.addWidget(self.page_label)

        self.queues_title = TextLabel(texts.QUEUES_TITLE, "subtitle")
        self.rows = [QueueRow(queue) for queue in settings.queues]
        board = card_frame()
        table = QGridLayout(board)
        table.setContentsMargins(28, 10, 28, 10)
        table.setHorizontalSpacing(24)
        table.setVerticalSpacing(2)
        # A glance: each queue's name and how many wait (its windows are on the home screen).
        for index, row in enumerate(self.rows):
            row.name.setProperty("role", None)
            table.addWidget(row.name, index, 0)
            table.addWidget(row.waiting, index, 1)
        table.setColumnStretch(0, 1)
        table.setColumnStretch(1, 1)

        # Both languages, always: whoever walks up can read how to start.
        both = f"{idle_texts.TOUCH_TO_START.zh} · {idle_texts.TOUCH_TO_START.en}"
        self.touch = TextLabel(both, "title", align=Qt.AlignmentFlag.AlignHCenter)

        side = QVBoxLayout()
        side.setSpacing(20)
        side.addWidget(self.status_card)
        side.addWidget(self.queues_title)
        side.addWidget(board)
        side.addStretch(1)
        # Portrait: the announcement above the hours and queues; wide: beside them.
        self.body_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body_layout.setSpacing(28)
        self.body_layout.addWidget(self.announcement_card, 1)
        self.body_layout.addLayout(side, 1)
        self._outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 32, 40, 32)
        outer.setSpacing(24)
        outer.addLayout(header)
        outer.addLayout(self.body_layout, 1)
        outer.addWidget(self.touch)
        self.hide()

    # ---- what the window asks ------------------------------------------------------

    def show_idle(self, now: datetime, monotonic: float) -> None:
        """Cover the page, from the first announcement of the day, in Chinese."""
        self._index = -1
        self._language = LANGUAGES[-1]  # the first turn switches to the first language
        self._turn(now, monotonic)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()

    def tick(self, now: datetime, monotonic: float) -> None:
        """The clock, the hours and, when its time is up, the next announcement."""
        if self.isHidden():
            return
        if monotonic - self._turned_at >= self.announcements.rotate_seconds:
            self._turn(now, monotonic)
        else:
            self._show_time(now)

    def show_queue_states(self, states: Mapping[str, QueueState] | None) -> None:
        for row in self.rows:
            row.show_state(None if states is None else states.get(row.queue.code))

    def current(self) -> Announcement | None:
        """The announcement on screen (None: none scheduled today)."""
        return self._today[self._index] if 0 <= self._index < len(self._today) else None

    def language(self) -> Language:
        return self._language

    # ---- turning -------------------------------------------------------------------

    def _turn(self, now: datetime, monotonic: float) -> None:
        self._turned_at = monotonic
        self._language = LANGUAGES[(LANGUAGES.index(self._language) + 1) % len(LANGUAGES)]
        self._today = self.announcements.on(self._local(now).date())
        if self._language == LANGUAGES[0] or len(self._today) == 1:
            self._index = (self._index + 1) % len(self._today) if self._today else -1
        self._show_announcement()
        self._show_time(now)
        retranslate_tree(self, self._language)
        # The touch hint stays in both languages (TextLabels of plain strings).

    def _show_announcement(self) -> None:
        item = self.current()
        if item is None:
            unavailable = bool(self.announcements.problems)
            self.kind.hide()
            self.title.set_text(
                idle_texts.ANNOUNCEMENTS_UNAVAILABLE if unavailable else idle_texts.NO_ANNOUNCEMENTS
            )
            self.body.set_text("")
            self.body.hide()
            self.picture.set_picture(QPixmap())
            self.page_label.hide()
            return
        self.kind.show()
        self.kind.set_text(idle_texts.KINDS[item.kind])
        self.title.set_text(item.title)
        self.body.set_text(item.body)
        self.body.setVisible(bool(item.body.zh))
        self.picture.set_picture(self._picture(item))
        self.page_label.setVisible(len(self._today) > 1)
        self.page_label.set_text(f"{self._index + 1} / {len(self._today)}")

    def _picture(self, item: Announcement) -> QPixmap:
        if item.image is None:
            return QPixmap()
        key = str(item.image)
        if key not in self._pictures:
            self._pictures[key] = QPixmap(key)  # a broken picture is a null pixmap: none shown
        return self._pictures[key]

    # ---- the clock and the hours ---------------------------------------------------

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.settings.kiosk.timezone))

    def _show_time(self, now: datetime) -> None:
        """The clock, date, status and hours: redone when the minute or the language
        turns, not on each of the window's 250 ms ticks."""
        local = self._local(now)
        shown = (local.replace(second=0, microsecond=0), self._language)
        if shown == self._time_shown:
            return
        self._time_shown = shown
        self.clock.set_text(local.strftime("%H:%M"))
        self.date.set_text(
            texts.fill(
                idle_texts.DATE,
                month=triage_texts.MONTHS[local.month - 1],
                day=local.day,
                weekday=triage_texts.WEEKDAYS[local.weekday()],
            )
        )
        routing = self.settings.routing
        hours = {
            "opens": routing.opens.strftime("%H:%M"),
            "cutoff": routing.cutoff.strftime("%H:%M"),
            "extended_until": routing.extended_until.strftime("%H:%M"),
        }
        period = period_at(now, self.settings)
        come_back = come_back_text(next_opening(now, self.settings), local)
        status = {
            "open": texts.fill(idle_texts.STATUS_OPEN),
            "extended": texts.fill(idle_texts.STATUS_EXTENDED, **hours),
            "before_opening": texts.fill(idle_texts.STATUS_BEFORE_OPENING, come_back=come_back),
        }.get(period, texts.fill(idle_texts.STATUS_CLOSED, come_back=come_back))
        self.status.set_text(status)
        set_style_property(self.status, "role", "success" if period == "open" else "notice")
        closed_day = period == "closed_day"
        self.hours.set_text(
            idle_texts.CLOSED_TODAY if closed_day else texts.fill(idle_texts.HOURS_TODAY, **hours)
        )
        has_extended = routing.extended_until > routing.cutoff and not closed_day
        self.extended_hours.setVisible(has_extended)
        self.extended_hours.set_text(texts.fill(idle_texts.HOURS_EXTENDED, **hours))
        for label in (self.clock, self.date, self.status, self.hours, self.extended_hours):
            label.retranslate(self._language)

    # ---- touch and size ------------------------------------------------------------

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() in (QEvent.Type.TouchBegin, QEvent.Type.MouseButtonPress):
            event.accept()
            self.hide()
            self.touched.emit()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_PX
        self.body_layout.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        set_dense(self, wide)
        margin = 20 if wide else 32
        self._outer.setContentsMargins(40, margin, 40, margin)
        self._outer.setSpacing(8 if wide else 24)
