"""Appointment check-in (预约签到): the greeting, the booked time and matters, and
either a ticket for the appointment or, outside its time window, why not."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from kiosk.catalog import Matter
from kiosk.taxpayer import Identity, TaxpayerProfile
from kiosk.text import Text
from ui import texts
from ui.screens.base import Screen
from ui.screens.identify import credit_line, greeting
from ui.widgets import (
    TextLabel,
    TouchButton,
    card_frame,
    finger_scroll_area,
    set_style_property,
)


def matter_list(matters: Sequence[Matter]) -> Text:
    return texts.joined([matter.name for matter in matters])


class CheckInScreen(Screen):
    name = "checkin"

    take_appointment = Signal()  # a ticket for the appointment's matters
    other_matter = Signal()  # a normal visit instead

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.greeting = TextLabel("", "subtitle")
        self.credit = TextLabel("", "success")
        self.title = TextLabel(texts.CHECK_IN_TITLE, "title")
        self.time = TextLabel("", "subtitle")
        self.matters = TextLabel("")
        self.message = TextLabel("", "notice")
        card = card_frame()
        details = QVBoxLayout(card)
        details.setContentsMargins(32, 24, 32, 24)
        details.setSpacing(16)
        details.addWidget(self.time)
        details.addWidget(self.matters)
        self.take_button = TouchButton(texts.TAKE_APPOINTMENT_TICKET, "primary")
        self.take_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.take_button.setMaximumWidth(900)
        self.take_button.clicked.connect(self.take_appointment)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(self.page.spacing())
        column.addWidget(self.greeting)
        column.addWidget(self.credit)
        column.addWidget(self.title)
        column.addWidget(card)
        column.addWidget(self.message)
        column.addWidget(self.take_button, alignment=Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self.page.addWidget(finger_scroll_area(content), 1)
        self.other_button = TouchButton(texts.OTHER_MATTER)
        row = self.button_row()
        row.addStretch(1)
        row.addWidget(self.other_button)
        self.other_button.clicked.connect(self.other_matter)

    def show_check_in(
        self,
        identity: Identity,
        profile: TaxpayerProfile,
        starts_at: str,
        matters: Sequence[Matter],
        message: Text,
        in_window: bool,
    ) -> None:
        """`starts_at` is the time as shown (HH:MM, hall time); `message` is check_in's."""
        self.greeting.set_text(greeting(identity))
        credit = credit_line(profile)
        self.credit.set_text(credit or "")
        self.credit.setVisible(credit is not None)
        self.time.set_text(texts.fill(texts.APPOINTMENT_AT, time=starts_at))
        self.matters.set_text(texts.fill(texts.APPOINTMENT_MATTERS, matters=matter_list(matters)))
        self.message.set_text(message)
        set_style_property(self.message, "role", "success" if in_window else "notice")
        self.take_button.setVisible(in_window)
        self.other_button.set_label(texts.OTHER_MATTER if in_window else texts.NORMAL_TICKET)
