"""差评 follow-ups (整改) on the kiosk: opened by a 不满意 or 非常不满意 vote, due a
number of working days later on the holiday calendar, then assigned, called back,
rectified and closed. Each step is a journal record, so the hall server gets it too.

A contact phone for the call back is kept only when the taxpayer consents, and is
shown masked everywhere (`mask_phone`); the journal's retention purges it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.evaluation_reasons import without_personal_numbers
from kiosk.journal import Journal

PHONE = re.compile(r"^1[3-9][0-9]{9}$")  # a mainland mobile number
MAX_TEXT = 500


@dataclass(frozen=True)
class FollowUp:
    evaluation_id: str
    window: int
    ticket_number: str | None
    level: int
    deadline: date

    def overdue(self, today: date) -> bool:
        """Past its deadline and still open: escalated (technician menu, dashboard)."""
        return today > self.deadline


def mask_phone(phone: str | None) -> str:
    """138****5678: how a contact phone is shown, on every screen and report."""
    if not phone:
        return ""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "****"


def follow_up_update(
    evaluation_id: str,
    *,
    assignee: str | None = None,
    contact_result: str | None = None,
    rectification: str | None = None,
    contact_phone: str | None = None,
    consent: bool = False,
) -> dict[str, Any]:
    """The payload of a `follow_up.updated` record; ValueError on a bad value. A phone
    without the taxpayer's consent is refused, never stored."""
    payload: dict[str, Any] = {"evaluation_id": evaluation_id}
    for name, value in (
        ("assignee", assignee),
        ("contact_result", contact_result),
        ("rectification", rectification),
    ):
        if value is not None:
            value = value.strip()
            if len(value) > MAX_TEXT:
                raise ValueError(f"{name}: at most {MAX_TEXT} characters")
            payload[name] = without_personal_numbers(value)
    if contact_phone is not None:
        if not consent:
            raise ValueError("contact_phone: kept only with the taxpayer's consent")
        if not PHONE.match(contact_phone):
            raise ValueError("contact_phone: not a mobile number (11 digits, 1[3-9]...)")
        payload["contact_phone"] = contact_phone
        payload["consent"] = True
    return payload


def open_follow_ups(journal: Journal) -> list[FollowUp]:
    """Follow-ups not closed yet, oldest first; survives restarts (from the journal)."""
    events = journal.events()
    closed = {
        event.payload["evaluation_id"] for event in events if event.kind == "follow_up.closed"
    }
    return [
        FollowUp(
            str(event.payload["evaluation_id"]),
            int(event.payload["window"]),
            event.payload.get("ticket_number"),
            int(event.payload["level"]),
            date.fromisoformat(str(event.payload["deadline"])),
        )
        for event in events
        if event.kind == "follow_up.opened" and event.payload["evaluation_id"] not in closed
    ]
