"""Issuing a ticket: printed then committed; an e-ticket or a voided number when the
print fails; the guide slip; the tickets a stop left unconfirmed."""

from __future__ import annotations

from pathlib import Path

from kiosk.tickets import TicketOutcome, TicketService
from kiosk.triage import route_visit
from tests.helpers.fakes import make_settings
from tests.helpers.tickets import Parts


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
