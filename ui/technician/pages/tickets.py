"""The Tickets page: today's tickets, reprint or void one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.technician import (
    TodayReport,
)
from ui.technician import texts
from ui.technician.pages.base import MenuContext, Page
from ui.technician.pages.today import report_of
from ui.widgets import TextLabel, TouchButton


class TicketsPage(Page):
    key = "tickets"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.rows: dict[str, tuple[str, str]] = {}  # number -> (ticket id, status)
        self.add_button(texts.REFRESH, self.refresh)

    def refresh(self) -> None:
        self.context.jobs.run(lambda: report_of(self.kiosk), self._show)

    def _show(self, report: Any, error: BaseException | None) -> None:
        self.clear_body()
        if error is not None or not isinstance(report, TodayReport):
            self.add_line(str(error))
            return
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
        self.clear_body()
        self.add_line(texts.fill(texts.VOID_REASON, number=number), "subtitle")
        for reason in texts.VOID_REASONS:
            button = TouchButton(reason)
            button.clicked.connect(lambda _=False, r=reason: self.void(number, r.en))
            self.body.addWidget(button)
        cancel = TouchButton(texts.CANCEL)
        cancel.clicked.connect(self.refresh)
        self.body.addWidget(cancel)
        self.body.addStretch(1)
        self.follow_language()

    def void(self, number: str, reason: str) -> None:
        ticket_id, _status = self.rows[number]

        def work() -> None:
            self.kiosk.hall.void(ticket_id, reason)
            self.kiosk.journal.record(
                "ticket.voided", {"number": number, "reason": f"technician: {reason}"}, ticket_id
            )

        self.context.audit.record("void", number=number, reason=reason)

        def done(result: object, error: BaseException | None) -> None:
            self.say(
                texts.fill(texts.VOIDED, number=number)
                if error is None
                else texts.fill(texts.VOID_FAILED, reason=str(error))
            )
            self.refresh()

        self.context.jobs.run(work, done)
