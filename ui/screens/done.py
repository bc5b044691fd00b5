"""The outcome of a visit: the printed ticket, an on-screen e-ticket, or a calm failure."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.text import Text
from kiosk.tickets import IssuedTicket, windows_text
from ui import texts
from ui.screens.base import Screen, queue_area, queue_name
from ui.screens.route import DocumentLabel
from ui.widgets import QrCodeWidget, TextLabel, TouchButton, discard, finger_scroll_area

CENTER = Qt.AlignmentFlag.AlignHCenter


def where_text(ticket: IssuedTicket) -> Text:
    queue = ticket.route.queue
    return texts.fill(texts.QUEUE_AND_WINDOWS, queue=queue_name(queue), windows=windows_text(queue))


def wait_text(ticket: IssuedTicket) -> Text:
    if ticket.reservation.people_ahead == 0:
        return texts.NOBODY_AHEAD
    return texts.fill(
        texts.AHEAD_AND_WAIT,
        ahead=texts.people_ahead(ticket.reservation.people_ahead),
        minutes=ticket.reservation.estimated_wait_minutes,
    )


class _OutcomeScreen(Screen):
    finished = Signal()  # the taxpayer is done: back home for the next visit

    def __init__(self, button_label: Text, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finish_button = TouchButton(button_label, "primary")
        self.finish_button.setMinimumWidth(420)
        self.finish_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.finish_button.clicked.connect(self.finished)
        self.ticket: IssuedTicket | None = None


class DoneScreen(_OutcomeScreen):
    name = "done"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(texts.DONE, parent)
        self.caption = TextLabel(texts.YOUR_NUMBER, "subtitle", align=CENTER)
        self.number = TextLabel("", "number", align=CENTER)
        self.where = TextLabel("", "title", align=CENTER)
        self.area = TextLabel("", "subtitle", align=CENTER)
        self.take_ticket = TextLabel(texts.TAKE_TICKET, "success", align=CENTER)
        self.wait = TextLabel("", align=CENTER)
        self.page.addStretch(1)
        for widget in (
            self.caption,
            self.number,
            self.where,
            self.area,
            self.take_ticket,
            self.wait,
        ):
            self.page.addWidget(widget)
        self.page.addStretch(1)
        self.page.addWidget(self.finish_button, alignment=CENTER)

    def show_ticket(self, ticket: IssuedTicket) -> None:
        self.ticket = ticket
        self.number.set_text(ticket.number)
        self.where.set_text(where_text(ticket))
        self.area.set_text(queue_area(ticket.route.queue))
        self.wait.set_text(wait_text(ticket))


class ETicketScreen(_OutcomeScreen):
    """The printer could not print: the number and a QR code, on screen."""

    name = "eticket"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(texts.DONE, parent)
        self.caption = TextLabel(texts.YOUR_NUMBER, "subtitle", align=CENTER)
        self.number = TextLabel("", "number", align=CENTER)
        self.where = TextLabel("", "title", align=CENTER)
        self.area = TextLabel("", "subtitle", align=CENTER)
        self.wait = TextLabel("", align=CENTER)
        self.sentence = TextLabel(texts.E_TICKET_SENTENCE, "notice", align=CENTER)
        # What the printed ticket would have listed (一次性告知): no slip to read it from.
        self.documents_title = TextLabel(texts.DOCUMENTS_TITLE, "subtitle")
        self.documents = QVBoxLayout()
        self.documents.setSpacing(8)
        self._document_labels: list[TextLabel] = []
        self.qr = QrCodeWidget(side=380, name=texts.QR_NAME)
        self.qr_caption = TextLabel(texts.QR_CAPTION, "muted", align=CENTER)

        self._number_block = number_block = QVBoxLayout()
        number_block.setSpacing(16)
        for widget in (self.caption, self.number, self.where, self.area, self.wait):
            number_block.addWidget(widget)
        qr_block = QVBoxLayout()
        qr_block.setSpacing(12)
        qr_block.addWidget(self.qr, alignment=CENTER)
        qr_block.addWidget(self.qr_caption)
        # Portrait: the QR code under the number; landscape: beside it.
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(32)
        self.body.addLayout(number_block, 1)
        self.body.addLayout(qr_block, 1)
        # The documents: under the QR code in portrait, a third column on a wide screen.
        documents_block = QVBoxLayout()
        documents_block.setSpacing(12)
        documents_block.addWidget(self.documents_title)
        documents_block.addLayout(self.documents)
        documents_block.addStretch(1)
        self.body.addLayout(documents_block, 1)
        # On a short window (a desktop demo) the content scrolls; the button stays put.
        content = QWidget()
        self._column = column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(24)
        column.addStretch(1)
        column.addWidget(self.sentence)
        column.addLayout(self.body)
        column.addStretch(1)
        self.page.addWidget(finger_scroll_area(content), 1)
        self.page.addWidget(self.finish_button, alignment=CENTER)

    def show_ticket(self, ticket: IssuedTicket) -> None:
        self.ticket = ticket
        self.number.set_text(ticket.number)
        self.where.set_text(where_text(ticket))
        self.area.set_text(queue_area(ticket.route.queue))
        self.wait.set_text(wait_text(ticket))
        self.qr.set_data(ticket.qr_url)
        discard(self._document_labels)
        self._document_labels = [DocumentLabel(line) for line in ticket.documents] or [
            TextLabel(texts.NO_DOCUMENTS)
        ]
        for label in self._document_labels:
            self.documents.addWidget(label)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        landscape = event.size().width() > event.size().height()
        self.body.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )
        self._number_block.setSpacing(6 if landscape else 16)
        self._column.setSpacing(12 if landscape else 24)


class FailedScreen(_OutcomeScreen):
    """No number could be issued (voided, or the hall refused): ask the staff."""

    name = "failed"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(texts.BACK_HOME, parent)
        self.title = TextLabel(texts.FAILED_TITLE, "headline", align=CENTER)
        self.sentence = TextLabel(texts.FAILED_SENTENCE, align=CENTER)
        self.page.addStretch(1)
        self.page.addWidget(self.title)
        self.page.addWidget(self.sentence)
        self.page.addStretch(1)
        self.page.addWidget(self.finish_button, alignment=CENTER)
