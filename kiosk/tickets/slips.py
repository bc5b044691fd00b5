"""The slips a kiosk prints, as printer documents: the ticket, block by block in the
order `ticket.layout` gives; the self-service guide; a reprint's mark."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from kiosk.hall.base import Reservation
from kiosk.settings import Settings
from kiosk.text import Language, Text
from kiosk.tickets.documents import DocumentLine
from kiosk.tickets.texts import LABELS, REPRINT_MARK, SELF_SERVICE_AREA, windows_text
from kiosk.triage import Route


@dataclass(frozen=True)
class _SlipContext:
    reservation: Reservation
    route: Route
    documents: tuple[DocumentLine, ...]
    qr_url: str
    language: Language


class TicketSlips:
    """Lays out the slips by the hall's settings (layout, labels, logo, footer)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._zone = ZoneInfo(settings.kiosk.timezone)

    def ticket(
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

    def guide(self, route: Route, guide_url: str, language: Language) -> PrintDocument:
        """The self-service guide slip: where to go and the matters' guide; no number."""
        queue = route.queue
        area = Text(
            zh=queue.area_zh or SELF_SERVICE_AREA.zh, en=queue.area_en or SELF_SERVICE_AREA.en
        )
        blocks: list[Block] = [
            TextBlock(self._hall_name(language), Align.CENTER),
            TextBlock(self._label("guide_title", language), Align.CENTER, 2, 2),
            RuleBlock(),
            TextBlock(self._label("guide_where", language, area=area.get(language))),
        ]
        for matter in route.matters:
            blocks.append(TextBlock("· " + matter.name.get(language)))
        blocks += [QrBlock(guide_url), TextBlock(self._label("guide_qr", language), Align.CENTER)]
        return PrintDocument(tuple(blocks))

    @staticmethod
    def reprint(ticket: PrintDocument, language: Language) -> PrintDocument:
        """The same ticket, headed by the reprint mark (补打)."""
        mark = TextBlock(REPRINT_MARK.get(language), Align.CENTER, 2, 1)
        return PrintDocument((mark, *ticket.blocks))

    def _hall_name(self, language: Language) -> str:
        hall = self._settings.hall
        return hall.name_zh if language == "zh" else hall.name_en

    def _label(self, key: str, language: Language, **values: object) -> str:
        text = self._settings.ticket.texts.get(key) or LABELS[key]
        return text.format(**values).get(language) if values else text.get(language)

    @property
    def _block_builders(self) -> dict[str, Callable[[_SlipContext], list[Block]]]:
        settings, ticket = self._settings, self._settings.ticket
        return {
            "logo": lambda slip: [ImageBlock(str(ticket.logo))] if ticket.logo else [],
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
            "issued_at": self._issued_block,
            "qr": lambda slip: [QrBlock(slip.qr_url)],
            "qr_caption": lambda slip: [TextBlock(self._label("qr", slip.language), Align.CENTER)],
            "footer": lambda slip: [
                TextBlock(
                    ticket.footer_zh if slip.language == "zh" else ticket.footer_en,
                    Align.CENTER,
                )
            ],
            "kiosk_id": lambda slip: [TextBlock(settings.kiosk.id, Align.RIGHT)],
            "feed": lambda slip: [FeedBlock(1)],
        }

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

    def _issued_block(self, slip: _SlipContext) -> list[Block]:
        issued = slip.reservation.issued_at.astimezone(self._zone)
        time = issued.strftime("%Y-%m-%d %H:%M")
        return [TextBlock(self._label("issued", slip.language, time=time))]

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
