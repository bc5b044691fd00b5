"""Issuing a ticket: reserve a number, print it, and only then put it in the queue.

A number whose ticket could not be printed becomes an e-ticket shown on screen
or is voided (a setting): never a ghost number called for nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Protocol
from zoneinfo import ZoneInfo

from drivers.printer.document import (
    Align,
    Block,
    FeedBlock,
    ImageBlock,
    PrintDocument,
    QrBlock,
    RuleBlock,
    TextBlock,
)
from kiosk.catalog import Catalog, Matter
from kiosk.hall.base import HallBackend, HallError, Reservation, TicketChannel
from kiosk.settings import QueueSection, Settings
from kiosk.store import Journal
from kiosk.text import Language, Text
from kiosk.triage import Route

log = logging.getLogger(__name__)


class PrintFailure(Exception):
    """The printer did not take a slip; the message is for the technician."""


class SlipPrinter(Protocol):
    """What the ticket service needs of a printer (the ESC/POS driver, or a test double)."""

    def print_slip(self, document: PrintDocument) -> None:
        """Print and return once every byte is taken; raise PrintFailure otherwise."""
        ...


class ReprintError(Exception):
    """A ticket that cannot be reprinted; the message says why, for the technician."""


class TicketOutcome(Enum):
    PRINTED = "printed"
    E_TICKET = "e_ticket"
    VOIDED = "voided"


@dataclass(frozen=True)
class DocumentLine:
    """One entry of the 一次性告知 checklist, merged over every matter of the visit."""

    name: Text
    original: bool
    copies: int
    deferrable: bool

    def describe(self, language: Language) -> str:
        parts = []
        if self.original:
            parts.append("原件" if language == "zh" else "original")
        if self.copies:
            parts.append(
                f"复印件{self.copies}份"
                if language == "zh"
                else f"{self.copies} {'copy' if self.copies == 1 else 'copies'}"
            )
        if self.deferrable:
            parts.append("可容缺后补" if language == "zh" else "may be brought later")
        separator = "，" if language == "zh" else ", "
        return separator.join(parts)


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


def windows_text(queue: QueueSection) -> Text:
    windows = queue.windows
    if len(windows) > 1 and list(windows) == list(range(windows[0], windows[-1] + 1)):
        span = f"{windows[0]}-{windows[-1]}"
    else:
        span = "、".join(str(window) for window in windows)
    english = f"Window{'s' if len(windows) > 1 else ''} {span.replace('、', ', ')}"
    return Text(zh=f"{span}号窗口", en=english)


def required_documents(matters: Sequence[Matter], catalog: Catalog) -> tuple[DocumentLine, ...]:
    merged: dict[str, DocumentLine] = {}
    for matter in matters:
        for required in matter.documents:
            earlier = merged.get(required.document)
            if earlier is None:
                merged[required.document] = DocumentLine(
                    catalog.document(required.document).name,
                    required.original,
                    required.copies,
                    required.deferrable,
                )
            else:
                merged[required.document] = DocumentLine(
                    earlier.name,
                    earlier.original or required.original,
                    max(earlier.copies, required.copies),
                    earlier.deferrable and required.deferrable,
                )
    return tuple(merged.values())


LABELS = {
    "number": Text(zh="您的排队号", en="Your number"),
    "ahead": Text(zh="前面等候：{count} 人", en="People ahead: {count}"),
    "wait": Text(zh="预计等待：约 {minutes} 分钟", en="Estimated wait: about {minutes} min"),
    "no_wait": Text(zh="预计等待：无需等待", en="Estimated wait: none"),
    "matters": Text(zh="办理事项：", en="Matters:"),
    "documents": Text(zh="请准备以下材料（一次性告知）：", en="Please have these documents ready:"),
    "no_documents": Text(zh="无需准备材料。", en="No documents needed."),
    "issued": Text(zh="取号时间：{time}", en="Issued: {time}"),
    "qr": Text(zh="扫码查看办理进度与指南", en="Scan for your ticket status and guide"),
    "guide_title": Text(zh="自助办税指引", en="Self-service guide"),
    "guide_where": Text(
        zh="请到{area}自助办税区办理，无需排队。",
        en="Please go to the self-service area ({area}); no queue.",
    ),
    "guide_qr": Text(zh="扫码查看办事指南", en="Scan for the step-by-step guide"),
}


REPRINT_MARK = Text(zh="补打", en="REPRINT")


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
        self._zone = ZoneInfo(settings.kiosk.timezone)

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
        """Print today's ticket `number` again (补打), marked as a reprint.

        Only a ticket still in the queue is reprinted: a voided or served number
        would send someone to a window for nothing. Returns the ticket id."""
        day = self._hall.business_day().isoformat()
        reserved = self._journal.find_event("ticket.reserved", number=number, business_day=day)
        if reserved is None or reserved.ticket_id is None:
            raise ReprintError(f"no ticket {number} was issued today")
        ticket_id = reserved.ticket_id
        status = self._hall.ticket_status(ticket_id)
        if status not in ("waiting", "called"):
            raise ReprintError(f"ticket {number} is {status or 'unknown'}: not reprinted")
        payload = reserved.payload
        matters = [
            self._catalog.matter(code)
            for code in payload["matters"]
            if code in {matter.code for matter in self._catalog.matters}
        ]
        if not matters:
            raise ReprintError(f"the matters of ticket {number} are no longer in the catalog")
        reservation = Reservation(
            ticket_id,
            number,
            str(payload["queue"]),
            date.fromisoformat(day),
            datetime.fromisoformat(str(payload["issued_at"])),
            int(payload["people_ahead"]),
            int(payload["estimated_wait_minutes"]),
        )
        route = Route(self._settings.queue(reservation.queue_code), tuple(matters), (), False)
        language: Language = "en" if payload.get("language") == "en" else "zh"
        documents = required_documents(route.matters, self._catalog)
        slip = self.ticket_document(
            reservation, route, documents, self.qr_url(reservation, route.matters), language
        )
        marked = PrintDocument(
            (TextBlock(REPRINT_MARK.get(language), Align.CENTER, 2, 1), *slip.blocks)
        )
        failure = self._print(marked)
        if failure is not None:
            raise ReprintError(f"the printer did not print ticket {number}: {failure}")
        self._journal.record("ticket.reprinted", {"number": number}, ticket_id)
        return ticket_id

    def print_guide_slip(self, route: Route, language: Language) -> bool:
        """The self-service guide slip; no number is involved. True when printed."""
        queue = route.queue
        queue_area = Text(zh=queue.area_zh or "自助", en=queue.area_en or "self-service")
        blocks: list[TextBlock | QrBlock | RuleBlock] = [
            TextBlock(self._hall_name(language), Align.CENTER),
            TextBlock(self._label("guide_title", language), Align.CENTER, 2, 2),
            RuleBlock(),
            TextBlock(self._label("guide_where", language, area=queue_area.get(language))),
        ]
        for matter in route.matters:
            blocks.append(TextBlock("· " + matter.name.get(language)))
        blocks += [
            QrBlock(self._catalog.guide_url(route.matters[0])),
            TextBlock(self._label("guide_qr", language), Align.CENTER),
        ]
        failure = self._print(PrintDocument(tuple(blocks)))
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

    def _hall_name(self, language: Language) -> str:
        hall = self._settings.hall
        return hall.name_zh if language == "zh" else hall.name_en

    def local_time(self, moment: datetime) -> datetime:
        return moment.astimezone(self._zone)

    def ticket_document(
        self,
        reservation: Reservation,
        route: Route,
        documents: Sequence[DocumentLine],
        qr_url: str,
        language: Language,
    ) -> PrintDocument:
        """The ticket, block by block in the order `ticket.layout` gives."""
        slip = _SlipContext(reservation, route, tuple(documents), qr_url, language)
        blocks: list[Block] = []
        for name in self._settings.ticket.layout:
            blocks += self._block_builders[name](slip)
        return PrintDocument(tuple(blocks))

    @property
    def _block_builders(self) -> dict[str, Callable[[_SlipContext], list[Block]]]:
        return {
            "logo": lambda slip: (
                [ImageBlock(str(self._settings.ticket.logo))] if self._settings.ticket.logo else []
            ),
            "hall_name": lambda slip: [TextBlock(self._hall_name(slip.language), Align.CENTER)],
            "number_caption": lambda slip: [
                TextBlock(self._label("number", slip.language), Align.CENTER)
            ],
            "number": lambda slip: [
                TextBlock(slip.reservation.number, Align.CENTER, 4, 4, bold=True)
            ],
            "queue": self._queue_block,
            "rule": lambda slip: [RuleBlock()],
            "people_ahead": lambda slip: [
                TextBlock(self._label("ahead", slip.language, count=slip.reservation.people_ahead))
            ],
            "wait": self._wait_block,
            "matters": lambda slip: [
                TextBlock(
                    self._label("matters", slip.language)
                    + "、".join(matter.name.get(slip.language) for matter in slip.route.matters)
                )
            ],
            "documents": self._documents_block,
            "issued_at": lambda slip: [
                TextBlock(
                    self._label(
                        "issued",
                        slip.language,
                        time=self.local_time(slip.reservation.issued_at).strftime("%Y-%m-%d %H:%M"),
                    )
                )
            ],
            "qr": lambda slip: [QrBlock(slip.qr_url)],
            "qr_caption": lambda slip: [TextBlock(self._label("qr", slip.language), Align.CENTER)],
            "footer": lambda slip: [
                TextBlock(
                    self._settings.ticket.footer_zh
                    if slip.language == "zh"
                    else self._settings.ticket.footer_en,
                    Align.CENTER,
                )
            ],
            "kiosk_id": lambda slip: [TextBlock(self._settings.kiosk.id, Align.RIGHT)],
            "feed": lambda slip: [FeedBlock(1)],
        }

    def _label(self, key: str, language: Language, **values: object) -> str:
        text = self._settings.ticket.texts.get(key) or LABELS[key]
        return text.format(**values).get(language) if values else text.get(language)

    def _queue_block(self, slip: _SlipContext) -> list[Block]:
        queue = slip.route.queue
        name = queue.name_zh if slip.language == "zh" else queue.name_en
        return [TextBlock(f"{name}  {windows_text(queue).get(slip.language)}", Align.CENTER, 1, 2)]

    def _wait_block(self, slip: _SlipContext) -> list[Block]:
        if not self._settings.ticket.show_wait_estimate:
            return []
        minutes = slip.reservation.estimated_wait_minutes
        if not minutes:
            return [TextBlock(self._label("no_wait", slip.language))]
        return [TextBlock(self._label("wait", slip.language, minutes=minutes))]

    def _documents_block(self, slip: _SlipContext) -> list[Block]:
        language = slip.language
        if not slip.documents:
            return [TextBlock(self._label("no_documents", language), bold=True)]
        blocks: list[Block] = [TextBlock(self._label("documents", language), bold=True)]
        for line in slip.documents:
            name, detail = line.name.get(language), line.describe(language)
            blocks.append(
                TextBlock(f"□ {name}（{detail}）" if language == "zh" else f"[ ] {name} ({detail})")
            )
        return blocks


@dataclass(frozen=True)
class _SlipContext:
    reservation: Reservation
    route: Route
    documents: tuple[DocumentLine, ...]
    qr_url: str
    language: Language
