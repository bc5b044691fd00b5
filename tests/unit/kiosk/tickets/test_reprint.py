"""Reprinting (补打) today's tickets still in the queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.tickets import ReprintError
from kiosk.triage import route_visit
from tests.helpers.tickets import Parts


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
