from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from drivers.printer.document import ImageBlock, TextBlock
from drivers.printer.escpos import render, wrap
from drivers.printer.profiles import PROFILES
from kiosk.clock import FakeClock
from kiosk.hall.local import LocalHall
from kiosk.settings import TICKET_TEXTS, ConfigError, load_settings
from kiosk.store import Journal
from kiosk.tickets import (
    LABELS,
    ReprintError,
    TicketOutcome,
    TicketService,
    required_documents,
    windows_text,
)
from kiosk.triage import route_visit
from tests.helpers.fakes import RecordingSlipPrinter, default_catalog, make_settings


class Parts:
    def __init__(self, tmp_path: Path, on_failure: str = "e_ticket") -> None:
        self.settings = make_settings(tmp_path, printer={"on_failure": on_failure})
        self.catalog = default_catalog(self.settings)
        self.clock = FakeClock()
        self.hall = LocalHall(tmp_path / "hall.sqlite3", self.settings, self.clock)
        self.journal = Journal(tmp_path / "journal.sqlite3", self.clock)
        self.printer = RecordingSlipPrinter()
        self.service = TicketService(
            self.settings, self.catalog, self.hall, self.journal, self.printer
        )

    def close(self) -> None:
        self.hall.close()
        self.journal.close()


@pytest.fixture
def parts(tmp_path: Path) -> Parts:
    made = Parts(tmp_path)
    yield made  # type: ignore[misc]
    made.close()


def test_a_printed_ticket_is_committed_after_printing(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0202")], parts.settings)
    ticket = parts.service.issue(route, "zh")
    assert (ticket.number, ticket.outcome) == ("G001", TicketOutcome.PRINTED)
    kinds = [event.kind for event in parts.journal.events(ticket.reservation.ticket_id)]
    assert kinds == ["ticket.reserved", "ticket.printed"]
    assert parts.hall.ticket_status(ticket.reservation.ticket_id) == "waiting"
    texts = parts.printer.texts()
    assert "G001" in texts
    assert "预计等待：无需等待" in texts  # nobody ahead: no "about 0 minutes"
    assert any("发票代开" in text for text in texts)
    assert any("经办人身份证件" in text and "原件" in text for text in texts)
    assert any("合同或协议" in text and "复印件1份" in text for text in texts)
    assert parts.printer.qr_codes() == ["https://guide.hall.example/matter/M0202"]


def test_the_english_ticket_is_in_english(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0102")], parts.settings)
    ticket = parts.service.issue(route, "en")
    assert ticket.number == "A001"
    texts = "\n".join(parts.printer.texts())
    assert "Comprehensive windows  Windows 2-6" in texts
    assert "Proof of the change (1 copy)" in texts
    assert "Estimated wait: none" in texts
    assert not any(
        "\u4e00" <= char <= "\u9fff" for char in texts.replace(parts.settings.hall.name_zh, "")
    )


def test_a_failed_print_becomes_an_e_ticket_that_still_queues(parts: Parts) -> None:
    parts.printer.failure = "paper end"
    ticket = parts.service.issue(route_visit([parts.catalog.matter("M0201")], parts.settings), "zh")
    assert ticket.outcome is TicketOutcome.E_TICKET
    assert ticket.failure == "paper end"
    kinds = [event.kind for event in parts.journal.events(ticket.reservation.ticket_id)]
    assert kinds == ["ticket.reserved", "ticket.e_ticket"]
    assert parts.hall.ticket_status(ticket.reservation.ticket_id) == "waiting"


def test_with_void_configured_a_failed_print_never_reaches_the_queue(tmp_path: Path) -> None:
    parts = Parts(tmp_path, on_failure="void")
    parts.printer.failure = "cover open"
    ticket = parts.service.issue(route_visit([parts.catalog.matter("M0201")], parts.settings), "zh")
    assert ticket.outcome is TicketOutcome.VOIDED
    assert parts.hall.ticket_status(ticket.reservation.ticket_id) == "void"
    assert parts.hall.queue_states()["green"].waiting == 0
    parts.close()


def test_no_printer_at_all_gives_e_tickets(tmp_path: Path) -> None:
    parts = Parts(tmp_path)
    service = TicketService(parts.settings, parts.catalog, parts.hall, parts.journal, None)
    ticket = service.issue(route_visit([parts.catalog.matter("M0201")], parts.settings), "zh")
    assert (ticket.outcome, ticket.failure) == (TicketOutcome.E_TICKET, "no printer configured")
    parts.close()


def test_guide_slip_names_the_matter_and_links_its_guide(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0301")], parts.settings)
    assert parts.service.print_guide_slip(route, "zh")
    texts = "\n".join(parts.printer.texts())
    assert "自助办税指引" in texts
    assert "增值税申报" in texts
    assert parts.printer.qr_codes() == ["https://guide.hall.example/matter/M0301"]
    assert parts.journal.events()[-1].kind == "guide_slip.printed"


def test_ticket_status_url_setting_wins_over_the_guide(tmp_path: Path) -> None:
    parts = Parts(tmp_path)
    settings = make_settings(tmp_path, hall={"ticket_status_url": "https://q.example/{number}"})
    service = TicketService(settings, parts.catalog, parts.hall, parts.journal, parts.printer)
    ticket = service.issue(route_visit([parts.catalog.matter("M0201")], settings), "zh")
    assert ticket.qr_url == "https://q.example/G001"
    parts.close()


def test_documents_of_several_matters_are_merged_once(parts: Parts) -> None:
    lines = required_documents(
        [parts.catalog.matter("M0801"), parts.catalog.matter("M0802")], parts.catalog
    )
    names = [line.name.zh for line in lines]
    assert names.count("经办人身份证件") == 1
    contract = next(line for line in lines if line.name.zh == "不动产买卖合同")
    assert contract.copies == 1
    marriage = next(line for line in lines if line.name.zh == "婚姻状况证明")
    assert marriage.deferrable
    assert marriage.describe("zh") == "原件，可容缺后补"


def test_windows_text(parts: Parts) -> None:
    assert windows_text(parts.settings.queue("green")).get("zh") == "1号窗口"
    assert windows_text(parts.settings.queue("comprehensive")).get("en") == "Windows 2-6"


def test_every_rewordable_label_has_a_default() -> None:
    assert set(TICKET_TEXTS) == set(LABELS)


def test_layout_order_and_reworded_labels_come_from_the_settings(tmp_path: Path) -> None:
    parts = Parts(tmp_path)
    settings = make_settings(
        tmp_path,
        ticket={
            "layout": ["number", "number_caption", "qr"],
            "texts": {"number": {"zh": "号码", "en": "Number"}},
        },
    )
    service = TicketService(settings, parts.catalog, parts.hall, parts.journal, parts.printer)
    service.issue(route_visit([parts.catalog.matter("M0201")], settings), "zh")
    blocks = parts.printer.documents[-1].blocks
    assert [type(block).__name__ for block in blocks] == ["TextBlock", "TextBlock", "QrBlock"]
    assert parts.printer.texts() == ["G001", "号码"]
    parts.close()


@pytest.mark.parametrize(
    ("ticket", "message"),
    [
        ({"layout": ["number", "barcode"]}, "unknown block(s) 'barcode'"),
        ({"layout": ["hall_name", "qr"]}, "a ticket must print its number"),
        ({"texts": {"slogan": {"zh": "x", "en": "x"}}}, "unknown label(s) 'slogan'"),
        ({"texts": {"number": {"zh": "号码"}}}, "ticket.texts.number.en"),
    ],
)
def test_a_bad_layout_is_named_in_the_settings_check(
    tmp_path: Path, ticket: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        make_settings(tmp_path, ticket=ticket)
    assert message in str(error.value)


def test_the_same_ticket_reflows_for_58_mm_paper(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0801")], parts.settings)
    parts.service.issue(route, "zh")
    slip = parts.printer.documents[-1]
    narrow, wide = PROFILES["generic58"], PROFILES["generic80"]
    assert len(render(slip, narrow).data) > 0
    for text in parts.printer.texts():
        for line in wrap(text, narrow.columns):
            assert len(line.encode("gb18030")) <= narrow.columns
    assert render(slip, narrow).data.count(b"\n") > render(slip, wide).data.count(b"\n")


def test_reprint_prints_the_same_ticket_marked_as_a_reprint(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0202")], parts.settings)
    original = parts.service.issue(route, "en")
    ticket_id = parts.service.reprint("G001")
    assert ticket_id == original.reservation.ticket_id
    assert parts.printer.texts()[0] == "REPRINT"
    assert parts.printer.texts()[1:] == parts.printer.texts(0)
    assert parts.printer.qr_codes() == parts.printer.qr_codes(0)
    assert parts.journal.events(ticket_id)[-1].kind == "ticket.reprinted"


def test_reprint_refuses_unknown_voided_and_unprinted_numbers(tmp_path: Path) -> None:
    parts = Parts(tmp_path, on_failure="void")
    with pytest.raises(ReprintError, match="no ticket G001 was issued today"):
        parts.service.reprint("G001")
    parts.printer.failure = "paper end"
    parts.service.issue(route_visit([parts.catalog.matter("M0201")], parts.settings), "zh")
    parts.printer.failure = None
    with pytest.raises(ReprintError, match="ticket G001 is void"):
        parts.service.reprint("G001")
    parts.close()


def test_reprint_of_yesterdays_number_is_refused(parts: Parts) -> None:
    parts.service.issue(route_visit([parts.catalog.matter("M0201")], parts.settings), "zh")
    parts.clock.advance(24 * 3600)
    with pytest.raises(ReprintError, match="no ticket G001 was issued today"):
        parts.service.reprint("G001")


def test_the_hall_logo_heads_the_ticket_and_its_path_is_relative_to_the_file(
    tmp_path: Path,
) -> None:
    Image.new("L", (120, 40), 0).save(tmp_path / "logo.png")
    machine = tmp_path / "kiosk.toml"
    machine.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[ticket]\nlogo = "logo.png"\n',
        encoding="utf-8",
    )
    settings = load_settings(machine)
    parts = Parts(tmp_path / "parts")
    service = TicketService(settings, parts.catalog, parts.hall, parts.journal, parts.printer)
    service.issue(route_visit([parts.catalog.matter("M0201")], settings), "zh")
    first = parts.printer.documents[-1].blocks[0]
    assert first == ImageBlock(str(tmp_path / "logo.png"))
    rendered = render(parts.printer.documents[-1], PROFILES["generic80"]).data
    assert b"\x1dv0" in rendered  # GS v 0: the logo goes out as a raster image
    parts.close()


def test_without_a_logo_the_ticket_starts_with_the_hall_name(parts: Parts) -> None:
    parts.service.issue(route_visit([parts.catalog.matter("M0201")], parts.settings), "zh")
    first = parts.printer.documents[-1].blocks[0]
    assert isinstance(first, TextBlock)
    assert first.text == parts.settings.hall.name_zh


def test_tickets_a_stop_left_unconfirmed_are_settled_by_the_journal(parts: Parts) -> None:
    """A kiosk killed mid-ticket: what the journal says reached the taxpayer joins the
    queue; what did not is voided, with its outcome journalled; nothing stays reserved."""
    hall, journal, kiosk_id = parts.hall, parts.journal, parts.settings.kiosk.id
    printed = hall.reserve("green", ["M0202"], kiosk_id)
    journal.record("ticket.reserved", {"number": printed.number}, printed.ticket_id)
    journal.record("ticket.printed", {"number": printed.number}, printed.ticket_id)
    cut_short = hall.reserve("green", ["M0202"], kiosk_id)
    journal.record("ticket.reserved", {"number": cut_short.number}, cut_short.ticket_id)
    never_journalled = hall.reserve("green", ["M0202"], kiosk_id)
    others = hall.reserve("green", ["M0202"], "K99")  # another kiosk's: not ours to settle

    settled = parts.service.settle_unconfirmed()

    assert settled == {
        printed.ticket_id: "committed",
        cut_short.ticket_id: "voided",
        never_journalled.ticket_id: "voided",
    }
    assert hall.ticket_status(printed.ticket_id) == "waiting"
    assert hall.ticket_status(cut_short.ticket_id) == "void"
    assert hall.ticket_status(never_journalled.ticket_id) == "void"
    assert hall.ticket_status(others.ticket_id) == "reserved"
    voided = [e for e in journal.events(cut_short.ticket_id) if e.kind == "ticket.voided"]
    assert len(voided) == 1
    assert parts.service.settle_unconfirmed() == {}  # settled once
