"""Reprinting (补打): today's ticket rebuilt from the journal, as it was issued.

Only a ticket still in the queue is reprinted: a voided or served number would
send someone to a window for nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kiosk.catalog import Catalog
from kiosk.hall.base import HallBackend, Reservation
from kiosk.journal import Journal
from kiosk.settings import Settings
from kiosk.text import Language
from kiosk.triage import Route


class ReprintError(Exception):
    """A ticket that cannot be reprinted; the message says why, for the technician."""


@dataclass(frozen=True)
class IssuedToday:
    """A ticket as the journal recorded it when it was issued."""

    reservation: Reservation
    route: Route
    language: Language


def issued_today(
    number: str, settings: Settings, catalog: Catalog, hall: HallBackend, journal: Journal
) -> IssuedToday:
    """Today's ticket `number`, still in the queue; raises ReprintError otherwise."""
    day = hall.business_day().isoformat()
    reserved = journal.find_event("ticket.reserved", number=number, business_day=day)
    if reserved is None or reserved.ticket_id is None:
        raise ReprintError(f"no ticket {number} was issued today")
    ticket_id = reserved.ticket_id
    status = hall.ticket_status(ticket_id)
    if status not in ("waiting", "called"):
        raise ReprintError(f"ticket {number} is {status or 'unknown'}: not reprinted")
    payload = reserved.payload
    known = {matter.code for matter in catalog.matters}
    matters = [catalog.matter(code) for code in payload["matters"] if code in known]
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
    route = Route(settings.queue(reservation.queue_code), tuple(matters), (), False)
    language: Language = "en" if payload.get("language") == "en" else "zh"
    return IssuedToday(reservation, route, language)
