"""Today's figures from the journal, for the Today and Tickets pages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from kiosk.journal import Journal


@dataclass(frozen=True)
class TodayTicket:
    """A ticket of the day as the technician's Today and Tickets pages list it."""

    ticket_id: str
    number: str
    queue: str
    status: str  # reserved | printed | e_ticket | voided (as the journal knows it)
    issued_at: str
    expected_wait: int


@dataclass(frozen=True)
class FollowUpRow:
    window: int
    ticket_number: str | None
    level: int
    deadline: str
    evaluation_id: str = ""  # what closing it names


@dataclass(frozen=True)
class TodayReport:
    day: str
    tickets: tuple[TodayTicket, ...]
    tickets_by_queue: dict[str, int]
    average_expected_wait: float | None
    evaluations_by_level: dict[str, int]  # "1".."5", and "none" for not evaluated
    follow_ups: tuple[FollowUpRow, ...]

    def csv_rows(self) -> list[list[str]]:
        rows = [["section", "key", "value", "detail"]]
        rows += [
            ["tickets_by_queue", queue, str(n), ""] for queue, n in self.tickets_by_queue.items()
        ]
        wait = "" if self.average_expected_wait is None else f"{self.average_expected_wait:.1f}"
        rows.append(["average_expected_wait_minutes", "", wait, ""])
        rows += [
            ["evaluations", level, str(n), ""] for level, n in self.evaluations_by_level.items()
        ]
        rows += [
            ["follow_up", str(f.window), f.ticket_number or "", f"level {f.level} due {f.deadline}"]
            for f in self.follow_ups
        ]
        rows += [["ticket", t.number, t.status, f"{t.queue} {t.issued_at}"] for t in self.tickets]
        return rows


_STATUS_KINDS = {
    "ticket.printed": "printed",
    "ticket.e_ticket": "e_ticket",
    "ticket.voided": "voided",
}


def today_report(journal: Journal, day: str, local_day_of: Any = None) -> TodayReport:
    """Tickets of the business day `day` (ISO) and the evaluations and follow-ups of it.

    `local_day_of(at_iso) -> ISO day` turns a journal time into the hall's day
    (default: the date part of the stamp)."""
    to_day = local_day_of or (lambda at: at[:10])
    tickets: dict[str, TodayTicket] = {}
    levels: dict[str, int] = {}
    opened: dict[str, FollowUpRow] = {}
    closed: set[str] = set()
    for event in journal.events():
        payload = event.payload
        if event.kind == "ticket.reserved" and payload.get("business_day") == day:
            tid = event.ticket_id or ""
            tickets[tid] = TodayTicket(
                tid,
                str(payload.get("number", "")),
                str(payload.get("queue", "")),
                "reserved",
                str(payload.get("issued_at", event.at)),
                int(payload.get("estimated_wait_minutes", 0) or 0),
            )
        elif event.kind in _STATUS_KINDS and event.ticket_id in tickets:
            ticket = tickets[event.ticket_id]
            tickets[event.ticket_id] = replace(ticket, status=_STATUS_KINDS[event.kind])
        elif event.kind == "evaluation.recorded" and to_day(event.at) == day:
            level = payload.get("level")
            key = "none" if level is None else str(level)
            levels[key] = levels.get(key, 0) + 1
        elif event.kind == "follow_up.opened":
            opened[str(payload.get("evaluation_id"))] = FollowUpRow(
                int(payload.get("window", 0)),
                payload.get("ticket_number"),
                int(payload.get("level", 0)),
                str(payload.get("deadline", "")),
                str(payload.get("evaluation_id", "")),
            )
        elif event.kind == "follow_up.closed":
            closed.add(str(payload.get("evaluation_id")))
    rows = tuple(tickets.values())
    by_queue: dict[str, int] = {}
    for row in rows:
        if row.status != "voided":
            by_queue[row.queue] = by_queue.get(row.queue, 0) + 1
    waits = [row.expected_wait for row in rows if row.status != "voided"]
    return TodayReport(
        day,
        rows,
        by_queue,
        sum(waits) / len(waits) if waits else None,
        dict(sorted(levels.items())),
        tuple(row for key, row in opened.items() if key not in closed),
    )
