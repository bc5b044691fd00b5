"""Issuing a ticket: reserve a number, print it, and only then put it in the queue.

A number whose ticket could not be printed becomes an e-ticket shown on screen
or is voided (a setting): never a ghost number called for nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from drivers.printer.document import PrintDocument
from kiosk.catalog import Catalog, Matter
from kiosk.hall.base import HallBackend, HallError, Reservation, TicketChannel
from kiosk.journal import Journal
from kiosk.settings import Settings
from kiosk.text import Language
from kiosk.tickets.documents import DocumentLine, required_documents
from kiosk.tickets.reprint import ReprintError, issued_today
from kiosk.tickets.slips import TicketSlips
from kiosk.triage import Route

log = logging.getLogger(__name__)


class PrintFailure(Exception):
    """The printer did not take a slip; the message is for the technician."""


class SlipPrinter(Protocol):
    """What the ticket service needs of a printer (the ESC/POS driver, or a test double)."""

    def print_slip(self, document: PrintDocument) -> None:
        """Print and return once every byte is taken; raise PrintFailure otherwise."""
        ...


class TicketOutcome(Enum):
    PRINTED = "printed"
    E_TICKET = "e_ticket"
    VOIDED = "voided"


@dataclass(frozen=True)
class IssuedTicket:
    reservation: Reservation
    route: Route
    outcome: TicketOutcome
    qr_url: str
    documents: tuple[DocumentLine, ...]
    failure: str | None = None

    @property
    def number(self) -> str:
        return self.reservation.number


class TicketService:
    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        hall: HallBackend,
        journal: Journal,
        printer: SlipPrinter | None,
    ) -> None:
        self._settings = settings
        self._catalog = catalog
        self._hall = hall
        self._journal = journal
        self._printer = printer
        self.slips = TicketSlips(settings)
        # The technician's sample ticket and the bench lay a ticket out as issue() does.
        self.ticket_document = self.slips.ticket

    def set_catalog(self, catalog: Catalog) -> None:
        """A new catalog version (Kiosk.apply_catalog, between visits)."""
        self._catalog = catalog

    def qr_url(self, reservation: Reservation, matters: Sequence[Matter]) -> str:
        template = self._settings.hall.ticket_status_url
        if template:
            return template.format(ticket_id=reservation.ticket_id, number=reservation.number)
        hall_url = self._hall.ticket_status_url(reservation)
        return hall_url or self._catalog.guide_url(matters[0])

    def issue(self, route: Route, language: Language) -> IssuedTicket:
        """Blocking (it prints): call it from a worker, never the GUI thread.

        Raises HallError when no number can be had; every other failure ends in
        an e-ticket or a voided number, recorded in the journal.
        """
        codes = [matter.code for matter in route.matters]
        reservation = self._hall.reserve(route.queue.code, codes, self._settings.kiosk.id)
        if route.overflow is not None:
            self._ask_for_a_window(route.overflow)
        ticket_id = reservation.ticket_id
        self._journal.record(
            "ticket.reserved",
            {
                "number": reservation.number,
                "queue": reservation.queue_code,
                "matters": codes,
                "people_ahead": reservation.people_ahead,
                "estimated_wait_minutes": reservation.estimated_wait_minutes,
                "business_day": reservation.business_day.isoformat(),
                "issued_at": reservation.issued_at.isoformat(),
                "language": language,
                "kiosk": self._settings.kiosk.id,
            },
            ticket_id,
        )
        documents = required_documents(route.matters, self._catalog)
        qr_url = self.qr_url(reservation, route.matters)
        slip = self.ticket_document(reservation, route, documents, qr_url, language)
        failure = self._print(slip)
        if failure is None:
            self._journal.record("ticket.printed", {"number": reservation.number}, ticket_id)
            self._hall.commit(ticket_id, TicketChannel.PRINTED)
            outcome = TicketOutcome.PRINTED
        elif self._settings.printer.on_failure == "e_ticket":
            self._journal.record(
                "ticket.e_ticket", {"number": reservation.number, "reason": failure}, ticket_id
            )
            self._hall.commit(ticket_id, TicketChannel.E_TICKET)
            outcome = TicketOutcome.E_TICKET
        else:
            self._journal.record(
                "ticket.voided", {"number": reservation.number, "reason": failure}, ticket_id
            )
            self._hall.void(ticket_id, failure)
            outcome = TicketOutcome.VOIDED
        return IssuedTicket(reservation, route, outcome, qr_url, documents, failure)

    def _ask_for_a_window(self, queue_code: str) -> None:
        """窗口动态调整: an overflowing queue sent a taxpayer elsewhere; journalled first
        (it reaches a hall server through the outbox), then the hall is told at once
        where it can be. Telling the hall never costs the taxpayer a ticket."""
        self._journal.record(
            "hall.extra_window_requested", {"queue": queue_code, "kiosk": self._settings.kiosk.id}
        )
        try:
            self._hall.request_extra_window(queue_code)
        except Exception as error:
            log.warning("cannot ask the hall for another window: %s", error)

    def ask_for_help(self, step: str) -> None:
        """一键求助: a guide is called to this kiosk. Journalled first (a hall server
        hears of it through the outbox), then the hall is told at once where it can be.
        Only the kiosk and the step it shows go: nothing about the visitor."""
        self._journal.record("help.requested", {"kiosk": self._settings.kiosk.id, "step": step})
        try:
            self._hall.request_help(self._settings.kiosk.id)
        except Exception as error:
            log.warning("cannot tell the hall that help was asked for: %s", error)

    def settle_unconfirmed(self) -> dict[str, str]:
        """At start-up: tickets this kiosk reserved before it stopped mid-ticket (killed,
        power cut) are settled by the journal, never left reserved: journalled as printed
        or shown as an e-ticket, the taxpayer has it and it joins the queue; otherwise
        no taxpayer has it and it is voided (with its outcome journalled). Returns
        ticket id -> what was done."""
        try:
            ticket_ids = self._hall.unconfirmed(self._settings.kiosk.id)
        except HallError as error:
            log.warning("cannot settle the tickets a stop left unconfirmed: %s", error)
            return {}
        reason = "the kiosk stopped before the ticket was confirmed"
        settled: dict[str, str] = {}
        for ticket_id in ticket_ids:
            events = self._journal.events(ticket_id)
            kinds = {event.kind for event in events}
            reserved = next((e for e in events if e.kind == "ticket.reserved"), None)
            try:
                if "ticket.printed" in kinds or "ticket.e_ticket" in kinds:
                    printed = "ticket.printed" in kinds
                    channel = TicketChannel.PRINTED if printed else TicketChannel.E_TICKET
                    self._hall.commit(ticket_id, channel)
                    settled[ticket_id] = "committed"
                    continue
                if reserved is not None and "ticket.voided" not in kinds:
                    number = str(reserved.payload.get("number", ""))
                    self._journal.record(
                        "ticket.voided", {"number": number, "reason": reason}, ticket_id
                    )
                self._hall.void(ticket_id, reason)
                settled[ticket_id] = "voided"
            except HallError as error:
                log.warning("cannot settle an unconfirmed ticket: %s", error)
        if settled:
            log.warning("settled %d ticket(s) a stop left unconfirmed", len(settled))
        return settled

    def reprint(self, number: str) -> str:
        """Print today's ticket `number` again (补打), marked as a reprint; only a
        ticket still in the queue (ReprintError otherwise). Returns the ticket id."""
        issued = issued_today(number, self._settings, self._catalog, self._hall, self._journal)
        reservation, route = issued.reservation, issued.route
        documents = required_documents(route.matters, self._catalog)
        qr_url = self.qr_url(reservation, route.matters)
        slip = self.ticket_document(reservation, route, documents, qr_url, issued.language)
        failure = self._print(self.slips.reprint(slip, issued.language))
        if failure is not None:
            raise ReprintError(f"the printer did not print ticket {number}: {failure}")
        self._journal.record("ticket.reprinted", {"number": number}, reservation.ticket_id)
        return reservation.ticket_id

    def print_guide_slip(self, route: Route, language: Language) -> bool:
        """The self-service guide slip; no number is involved. True when printed."""
        guide_url = self._catalog.guide_url(route.matters[0])
        failure = self._print(self.slips.guide(route, guide_url, language))
        self._journal.record(
            "guide_slip.printed" if failure is None else "guide_slip.failed",
            {
                "matters": [matter.code for matter in route.matters],
                **({"reason": failure} if failure else {}),
            },
        )
        return failure is None

    def _print(self, slip: PrintDocument) -> str | None:
        if self._printer is None:
            return "no printer configured"
        try:
            self._printer.print_slip(slip)
        except PrintFailure as error:
            log.warning("printing failed: %s", error)
            return str(error) or "print failed"
        return None
