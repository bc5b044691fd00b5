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
from drivers.printer.text import display_width
from kiosk.hall.base import Reservation
from kiosk.line_breaks import keep_together, keep_words
from kiosk.settings import QueueSection, Settings
from kiosk.text import Language, Text
from kiosk.tickets import texts
from kiosk.tickets.documents import DocumentLine
from kiosk.triage import Route


def windows_text(queue: QueueSection) -> Text:
    """A queue's windows, on the slip and the screens: "2-6号窗口", "Windows 1, 3"."""
    windows = queue.windows
    if len(windows) > 1 and list(windows) == list(range(windows[0], windows[-1] + 1)):
        span = texts.WINDOW_RANGE.format(first=windows[0], last=windows[-1])
    else:
        numbers = [str(window) for window in windows]
        separator = texts.WINDOW_SEPARATOR
        span = Text(zh=separator.zh.join(numbers), en=separator.en.join(numbers))
    return (texts.WINDOWS if len(windows) > 1 else texts.WINDOW).format(windows=span)


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
        unnamed = texts.SELF_SERVICE_AREA
        area = Text(zh=queue.area_zh or unnamed.zh, en=queue.area_en or unnamed.en)
        blocks: list[Block] = [
            TextBlock(keep_words(self._hall_name(language)), Align.CENTER),
            TextBlock(texts.GUIDE_TITLE.get(language), Align.CENTER, 2, 2),
            RuleBlock(),
            TextBlock(texts.GUIDE_WHERE.format(area=area).get(language)),
        ]
        for matter in route.matters:
            blocks.append(TextBlock("· " + matter.name.get(language)))
        blocks += [QrBlock(guide_url), TextBlock(texts.GUIDE_QR.get(language), Align.CENTER)]
        return PrintDocument(tuple(blocks))

    @staticmethod
    def reprint(ticket: PrintDocument, language: Language) -> PrintDocument:
        """The same ticket, headed by the reprint mark (补打)."""
        mark = TextBlock(texts.REPRINT_MARK.get(language), Align.CENTER, 2, 1)
        return PrintDocument((mark, *ticket.blocks))

    def _hall_name(self, language: Language) -> str:
        hall = self._settings.hall
        return hall.name_zh if language == "zh" else hall.name_en

    @property
    def _block_builders(self) -> dict[str, Callable[[_SlipContext], list[Block]]]:
        settings, ticket = self._settings, self._settings.ticket
        return {
            "logo": lambda slip: [ImageBlock(str(ticket.logo))] if ticket.logo else [],
            "hall_name": lambda slip: [
                TextBlock(keep_words(self._hall_name(slip.language)), Align.CENTER)
            ],
            "number_caption": lambda slip: [
                TextBlock(texts.NUMBER.get(slip.language), Align.CENTER)
            ],
            "number": lambda slip: [
                TextBlock(slip.reservation.number, Align.CENTER, 4, 4, bold=True)
            ],
            "queue": self._queue_block,
            "rule": lambda slip: [RuleBlock()],
            "people_ahead": lambda slip: [
                TextBlock(people_ahead(slip.reservation.people_ahead).get(slip.language))
            ],
            "wait": self._wait_block,
            "matters": self._matters_block,
            "documents": self._documents_block,
            "issued_at": self._issued_block,
            "qr": lambda slip: [QrBlock(slip.qr_url)],
            "qr_caption": lambda slip: [TextBlock(texts.QR.get(slip.language), Align.CENTER)],
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
        """Where to go, large (double width and height: read at arm's length), breaking
        only between the queue's name and its windows; then the floor or area."""
        queue, language = slip.route.queue, slip.language
        name = keep_words(queue.name_zh if language == "zh" else queue.name_en)
        windows = keep_together(windows_text(queue).get(language))
        blocks: list[Block] = [TextBlock(f"{name}  {windows}", Align.CENTER, 2, 2, bold=True)]
        area = queue.area_zh if language == "zh" else queue.area_en
        if area:
            blocks.append(TextBlock(area, Align.CENTER))
        return blocks

    def _matters_block(self, slip: _SlipContext) -> list[Block]:
        language = slip.language
        separator = texts.LIST_SEPARATOR.get(language)
        names = separator.join(matter.name.get(language) for matter in slip.route.matters)
        return [TextBlock(texts.MATTERS.format(matters=names).get(language))]

    def _wait_block(self, slip: _SlipContext) -> list[Block]:
        if not self._settings.ticket.show_wait_estimate:
            return []
        minutes = slip.reservation.estimated_wait_minutes
        if not minutes:
            return [TextBlock(texts.NO_WAIT.get(slip.language))]
        return [TextBlock(texts.WAIT.format(minutes=minutes).get(slip.language))]

    def _issued_block(self, slip: _SlipContext) -> list[Block]:
        issued = slip.reservation.issued_at.astimezone(self._zone)
        time = issued.strftime("%Y-%m-%d %H:%M")
        return [TextBlock(texts.ISSUED.format(time=time).get(slip.language))]

    def _documents_block(self, slip: _SlipContext) -> list[Block]:
        language = slip.language
        if not slip.documents:
            return [TextBlock(texts.NO_DOCUMENTS.get(language), bold=True)]
        blocks: list[Block] = [TextBlock(texts.DOCUMENTS.get(language), bold=True)]
        template = texts.DOCUMENT_LINE.get(language)
        # A wrapped line continues under the name, not under the box (a hanging indent).
        indent = display_width(template.split("{", 1)[0])
        for line in slip.documents:
            name, detail = line.name.get(language), line.describe(language)
            blocks.append(TextBlock(template.format(name=name, detail=detail), indent=indent))
        return blocks


def people_ahead(count: int) -> Text:
    """In the screen's words: none, one, or how many ahead."""
    if count == 0:
        return texts.NONE_AHEAD
    if count == 1:
        return texts.PERSON_AHEAD
    return texts.AHEAD.format(count=count)
