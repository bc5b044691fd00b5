"""Home: the hall's name, a welcome, one very large button, and how long the queues are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.hall.base import QueueState
from kiosk.settings import QueueSection
from kiosk.text import Text
from kiosk.tickets import windows_text
from ui import texts
from ui.screens.base import Screen, queue_name
from ui.senior import SENIOR_MIN_PX
from ui.widgets import TextLabel, TouchButton, card_frame, finger_scroll_area


class QueueRow:
    """One entry of the queue table: name over windows, and how many wait for how long."""

    def __init__(self, queue: QueueSection) -> None:
        self.queue = queue
        self.name = TextLabel(queue_name(queue), "subtitle")
        self.windows = TextLabel(windows_text(queue), "muted")
        self.waiting = TextLabel(texts.QUEUES_LOADING)
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def show_state(self, state: QueueState | None) -> None:
        if state is None:
            self.waiting.set_text(texts.QUEUES_LOADING)
        elif state.waiting == 0:
            self.waiting.set_text(texts.QUEUE_EMPTY)
        else:
            self.waiting.set_text(
                texts.fill(
                    texts.QUEUE_STATE,
                    count=state.waiting,
                    minutes=state.estimated_wait_minutes,
                )
            )

    def loaded(self) -> bool:
        return self.waiting.label() != texts.QUEUES_LOADING


class HomeScreen(Screen):
    name = "home"

    take_number = Signal()  # the taxpayer starts a visit
    identify = Signal()  # ID card, scan or typed code first (实名办税, 预约签到)
    senior = Signal()  # 长者模式: large type, fewer choices, read aloud

    def __init__(
        self, hall_name: Text, queues: Sequence[QueueSection], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        center = Qt.AlignmentFlag.AlignHCenter
        self.hall_name = TextLabel(hall_name, "headline", align=center)
        self.welcome = TextLabel(texts.WELCOME, "subtitle", align=center)
        self.take_number_button = TouchButton(texts.TAKE_NUMBER, "huge")
        self.take_number_button.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed
        )
        self.take_number_button.setMaximumWidth(900)
        self.take_number_button.clicked.connect(self.take_number)
        self.identify_button = TouchButton(texts.IDENTIFY, "primary")
        self.identify_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.identify_button.setMinimumHeight(120)
        self.identify_button.setMaximumWidth(900)
        self.identify_button.clicked.connect(self.identify)
        self.senior_button = TouchButton(texts.SENIOR_MODE, "primary")
        self.senior_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.senior_button.setMinimumHeight(120)
        self.senior_button.setMaximumWidth(900)
        self.senior_button.setStyleSheet(f"font-size: {SENIOR_MIN_PX}px;")  # large for all
        self.senior_button.clicked.connect(self.senior)
        self.printer_notice = TextLabel(texts.PRINTER_PAUSED, "notice", align=center)
        self.printer_notice.hide()
        self.queues_title = TextLabel(texts.QUEUES_TITLE, "title")
        self.rows = [QueueRow(queue) for queue in queues]
        table = card_frame()
        lines = QVBoxLayout(table)
        lines.setContentsMargins(32, 20, 32, 20)
        lines.setSpacing(16)
        for row in self.rows:
            line = QHBoxLayout()
            line.setSpacing(24)
            names = QVBoxLayout()
            names.setSpacing(0)
            names.addWidget(row.name)
            names.addWidget(row.windows)
            line.addLayout(names, 1)
            line.addWidget(row.waiting, 1)
            lines.addLayout(line)

        # The kiosk panel shows all of it; a short desktop window scrolls instead of clipping.
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(self.page.spacing())
        column.addStretch(2)
        column.addWidget(self.hall_name)
        column.addWidget(self.welcome)
        column.addStretch(1)
        column.addWidget(self.take_number_button, alignment=center)
        column.addWidget(self.identify_button, alignment=center)
        column.addWidget(self.senior_button, alignment=center)
        column.addWidget(self.printer_notice)
        column.addStretch(1)
        column.addWidget(self.queues_title)
        column.addWidget(table)
        column.addStretch(2)
        self.page.addWidget(finger_scroll_area(content))

    def show_printer_paused(self, paused: bool) -> None:
        """Said before anyone queues: the number will come on screen, not on paper."""
        self.printer_notice.setVisible(paused)

    def show_queue_states(self, states: Mapping[str, QueueState] | None) -> None:
        for row in self.rows:
            row.show_state(None if states is None else states.get(row.queue.code))

    def queue_states_shown(self) -> bool:
        return all(row.loaded() for row in self.rows)
