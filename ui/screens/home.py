"""Home: the hall's name, a welcome, one very large button, and how long the queues are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.hall.base import QueueState
from kiosk.settings import QueueSection
from kiosk.text import Text
from kiosk.tickets import windows_text
from ui import texts
from ui.grid import GridColumns
from ui.screens.base import WIDE_PX, Screen, queue_name, set_dense
from ui.senior import SENIOR_MIN_PX
from ui.widgets import TextLabel, TouchButton, card_frame, finger_scroll_area

VERY_WIDE_PX = 1600  # the queue board has room for each queue's windows
NARROW_PX = 900  # a desktop window: each queue on two lines, name over windows
SHORT_TABLE = 0  # the board's lines: each queue's name and how many wait, no windows


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
        # Never narrower than its words (Minimum): the wide layout's column is narrow.
        self.take_number_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.take_number_button.setMaximumWidth(900)
        self.take_number_button.clicked.connect(self.take_number)
        self.identify_button = TouchButton(texts.IDENTIFY, "primary")
        self.identify_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
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
        self.table = QGridLayout(table)
        self.table.setContentsMargins(32, 20, 32, 20)
        self.table.setHorizontalSpacing(24)
        self.table.setVerticalSpacing(8)
        self._table_lines = GridColumns(self._lay_out_table, 2)

        # The kiosk panel shows all of it; a short desktop window scrolls instead of clipping.
        # Portrait: the welcome above the queue board; wide (base.WIDE_PX): side by side.
        content = QWidget()
        self.halves = QBoxLayout(QBoxLayout.Direction.TopToBottom, content)
        self.halves.setContentsMargins(0, 0, 0, 0)
        self.halves.setSpacing(self.page.spacing())
        column = QVBoxLayout()
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
        board = QVBoxLayout()
        board.setSpacing(self.page.spacing())
        board.addStretch(1)
        board.addWidget(self.queues_title)
        board.addWidget(table)
        board.addStretch(2)
        self.halves.addLayout(column, 1)
        self.halves.addLayout(board, 1)
        self.page.addWidget(finger_scroll_area(content))

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_PX
        self.halves.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        # 1280 x 1024 leaves the board too narrow for the windows: the route shows them.
        width = event.size().width()
        short = wide and width < VERY_WIDE_PX
        self._table_lines.set(SHORT_TABLE if short else 2 if width < NARROW_PX else 1)
        set_dense(self, wide)
        # A short wide screen (1280 x 1024): the hall's name is the welcome; the three
        # buttons keep their size.
        self.welcome.setVisible(not short)
        self.halves.setStretch(0, 2 if wide else 1)  # wide: the queue board the wider half
        self.halves.setStretch(1, 3 if wide else 1)

    def _lay_out_table(self, lines: int) -> None:
        """Two lines a queue (name over windows) in a narrow window; else one line:
        name, windows and how many wait side by side, so that every queue shows
        (SHORT_TABLE: without the windows)."""
        for row in self.rows:
            for label in (row.name, row.windows, row.waiting):
                self.table.removeWidget(label)
        for row in self.rows:
            row.windows.setVisible(lines != SHORT_TABLE)
        for index, row in enumerate(self.rows):
            if lines == SHORT_TABLE:
                self.table.addWidget(row.name, index, 0)
                self.table.addWidget(row.waiting, index, 1, 1, 2)
            elif lines == 2:
                self.table.addWidget(row.name, 2 * index, 0)
                self.table.addWidget(row.windows, 2 * index + 1, 0)
                self.table.addWidget(row.waiting, 2 * index, 1, 2, 1)
            else:
                self.table.addWidget(row.name, index, 0)
                self.table.addWidget(row.windows, index, 1)
                self.table.addWidget(row.waiting, index, 2)
        self.table.setVerticalSpacing(8 if lines == 2 else 4)
        stretches = {2: (1, 1, 0), 1: (5, 3, 4), SHORT_TABLE: (3, 1, 1)}[lines]
        for column, stretch in enumerate(stretches):
            self.table.setColumnStretch(column, stretch)

    def show_printer_paused(self, paused: bool) -> None:
        """Said before anyone queues: the number will come on screen, not on paper."""
        self.printer_notice.setVisible(paused)

    def show_queue_states(self, states: Mapping[str, QueueState] | None) -> None:
        for row in self.rows:
            row.show_state(None if states is None else states.get(row.queue.code))

    def queue_states_shown(self) -> bool:
        return all(row.loaded() for row in self.rows)
