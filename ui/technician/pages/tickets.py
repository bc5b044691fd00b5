"""The Tickets page: today's tickets, reprint or void one."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.technician import (
    TodayReport,
)
from ui.technician import texts
from ui.technician.pages.base import MenuContext
from ui.technician.pages.today import DayReportPage
from ui.widgets import TextLabel, TouchButton


class TicketsPage(DayReportPage):
    key = "tickets"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.rows: dict[str, tuple[str, str]] = {}  # number -> (ticket id, status)
        self.add_button(texts.REFRESH, self.refresh)

    def show_report(self, report: TodayReport) -> None:
        if not report.tickets:
            self.add_line(texts.NO_TICKETS)
        self.rows = {}
        for ticket in reversed(report.tickets):
            self.rows[ticket.number] = (ticket.ticket_id, ticket.status)
            row = QHBoxLayout()
            row.setSpacing(12)
            row.addWidget(TextLabel(f"{ticket.number}  {ticket.queue}  {ticket.status}"), 1)
            if ticket.status != "voided":
                reprint = TouchButton(texts.fill(texts.REPRINT, number=ticket.number))
                reprint.clicked.connect(lambda _=False, n=ticket.number: self.reprint(n))
                void = TouchButton(texts.fill(texts.VOID, number=ticket.number))
                void.clicked.connect(lambda _=False, n=ticket.number: self.ask_void(n))
                row.addWidget(reprint)
                row.addWidget(void)
            self.body.addLayout(row)
        self.body.addStretch(1)
        self.follow_language()

    def reprint(self, number: str) -> None:
        self.context.audit.record("reprint", number=number)
        self.context.jobs.run(
            lambda: self.kiosk.tickets.reprint(number),
            lambda result, error: self.say(
                texts.fill(texts.REPRINTED, number=number)
                if error is None
                else texts.fill(texts.REPRINT_FAILED, reason=str(error))
            ),
        )

    def ask_void(self, number: str) -> None:
        self.choose(
            texts.fill(texts.VOID_REASON, number=number),
            texts.VOID_REASONS,
            lambda reason: self.void(number, reason.en),
        )

    def void(self, number: str, reason: str) -> None:
        ticket_id, _status = self.rows[number]

        def work() -> None:
            self.kiosk.hall.void(ticket_id, reason)
            self.kiosk.journal.record(
                "ticket.voided", {"number": number, "reason": f"technician: {reason}"}, ticket_id
            )

        self.context.audit.record("void", number=number, reason=reason)

        self.change_then_refresh(work, texts.fill(texts.VOIDED, number=number), texts.VOID_FAILED)
