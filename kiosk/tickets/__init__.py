"""Tickets: issuing a number (`issuing`: reserve, print, then commit; an e-ticket or a
voided number when the print fails), the slips as printer documents (`slips`), the
documents checklist (`documents`), reprinting (`reprint`) and what a slip says (`texts`).
"""

from kiosk.tickets.documents import DocumentLine, required_documents
from kiosk.tickets.issuing import (
    IssuedTicket,
    PrintFailure,
    SlipPrinter,
    TicketOutcome,
    TicketService,
)
from kiosk.tickets.reprint import ReprintError
from kiosk.tickets.slips import TicketSlips, windows_text

__all__ = [
    "DocumentLine",
    "IssuedTicket",
    "PrintFailure",
    "ReprintError",
    "SlipPrinter",
    "TicketOutcome",
    "TicketService",
    "TicketSlips",
    "required_documents",
    "windows_text",
]
