"""Every statement the dashboard reads, in one place.

Measured waits come from the queue's `tickets` table (issued_at -> called_at ->
finished_at); evaluations and follow-ups from the typed 好差评 tables (`evaluations`,
`follow_ups`: store/evaluation_schema.py), filled as the kiosks' records arrive and
by the phone page, never from the kiosks' JSON `records`. Satisfaction counts one
evaluation per service: repeats are kept there but not counted. Each query reads one
hall (`hall`): its tickets, its evaluations, its day sums.

Days are business days (ISO text); evaluation times are compared as ISO text in UTC,
as the kiosks' and the server's clocks write them. The ticket charts read each day's
sums (dashboard_hours, dashboard_matters), summed again by `refresh_sums` when a
day's tickets changed: a year of a busy hall then answers in milliseconds.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.follow_ups import mask_phone
from kiosk.queue import DEFAULT_HALL, Transaction


def _wait(tx: Transaction) -> str:
    return tx.minutes_between("issued_at", "called_at")


def _service(tx: Transaction) -> str:
    return tx.minutes_between("called_at", "finished_at")


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


@dataclass(frozen=True)
class QueueWaits:
    queue: str
    issued: int
    called: int
    mean_wait: float | None  # minutes, issued -> called, of the called ones
    longest_wait: float | None
    oldest_waiting_since: str | None  # issued_at of the first still waiting


def queue_waits(tx: Transaction, day: date, *, hall: str = DEFAULT_HALL) -> list[QueueWaits]:
    """Today's measured waits per queue (void tickets aside)."""
    wait = _wait(tx)
    rows = tx.all(
        "SELECT queue, COUNT(*), COUNT(called_at),"
        f" AVG(CASE WHEN called_at IS NOT NULL THEN {wait} END),"
        f" MAX(CASE WHEN called_at IS NOT NULL THEN {wait} END),"
        " MIN(CASE WHEN status = 'waiting' THEN issued_at END)"
        " FROM tickets WHERE hall = ? AND business_day = ? AND status <> 'void' GROUP BY queue",
        (hall, day.isoformat()),
    )
    return [
        QueueWaits(str(r[0]), int(r[1]), int(r[2]), _number(r[3]), _number(r[4]), r[5])
        for r in rows
    ]


@dataclass(frozen=True)
class WindowFigures:
    finished: int
    mean_service: float | None  # minutes, called -> finished, of the finished ones
    mean_wait: float | None  # minutes, issued -> called, of the numbers it called


def window_service(
    tx: Transaction, day: date, *, hall: str = DEFAULT_HALL
) -> dict[int, WindowFigures]:
    """Per window today: numbers finished, their mean service minutes, and the mean
    wait of the numbers it called (void tickets aside)."""
    finished = "status = 'finished'"
    rows = tx.all(
        f'SELECT "window", SUM(CASE WHEN {finished} THEN 1 ELSE 0 END),'
        f" AVG(CASE WHEN {finished} THEN {_service(tx)} END), AVG({_wait(tx)}) FROM tickets"
        " WHERE hall = ? AND business_day = ? AND status <> 'void' AND called_at IS NOT NULL"
        ' AND "window" IS NOT NULL GROUP BY "window"',
        (hall, day.isoformat()),
    )
    return {int(r[0]): WindowFigures(int(r[1] or 0), _number(r[2]), _number(r[3])) for r in rows}


def evaluation_levels(
    tx: Transaction, start: datetime, end: datetime, *, hall: str = DEFAULT_HALL
) -> Counter[int]:
    """Counted evaluations (repeats aside) between two instants by level (1 非常满意 ..
    5 非常不满意; 0: none given)."""
    rows = tx.all(
        "SELECT COALESCE(level, 0), COUNT(*) FROM evaluations WHERE hall = ? AND is_repeat = 0"
        " AND evaluated_at >= ? AND evaluated_at < ? GROUP BY COALESCE(level, 0)",
        (hall, start.isoformat(), end.isoformat()),
    )
    return Counter({int(r[0]): int(r[1]) for r in rows})


# Window 0: a phone's vote for a ticket no window served (no window to show).
_BY = {"window": "window_number > 0", "staff_id": "staff_id IS NOT NULL"}


def evaluations_by(
    tx: Transaction, key: str, start: datetime, end: datetime, *, hall: str = DEFAULT_HALL
) -> list[tuple[str, int, int]]:
    """(window or staff, level, count) of the counted evaluations between two instants;
    `key` is "window" or "staff_id" (evaluations without it, or without a level, left
    out)."""
    column = "window_number" if key == "window" else "staff_id"
    rows = tx.all(
        f"SELECT {column}, level, COUNT(*) FROM evaluations WHERE hall = ? AND is_repeat = 0"
        " AND evaluated_at >= ? AND evaluated_at < ? AND level IS NOT NULL"
        f" AND {_BY[key]} GROUP BY {column}, level",
        (hall, start.isoformat(), end.isoformat()),
    )
    return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]


FOLLOW_UP_FIELDS = (
    "evaluation_id",
    "window",
    "ticket_number",
    "staff_id",
    "level",
    "deadline",
    "opened_at",
    "assignee",
    "contact_result",
    "rectification",
    "contact_phone",
)


def open_follow_ups(tx: Transaction, *, hall: str = DEFAULT_HALL) -> list[dict[str, Any]]:
    """The hall's follow-ups opened and not closed (of a counted 差评: a keypad's, the
    kiosk screen's or the phone page's), oldest deadline first, the phone masked."""
    rows = tx.all(
        "SELECT f.evaluation_id, e.window_number, e.number, e.staff_id, e.level, f.deadline,"
        " f.opened_at, f.assignee, f.contact_result, f.rectification, f.contact_phone"
        " FROM follow_ups f JOIN evaluations e ON e.evaluation_id = f.evaluation_id"
        " WHERE e.hall = ? AND f.closed_at IS NULL ORDER BY f.deadline, f.opened_at",
        (hall,),
    )
    return [
        {
            **dict(zip(FOLLOW_UP_FIELDS, row, strict=True)),
            "contact_phone": mask_phone(None if row[10] is None else str(row[10])),
        }
        for row in rows
    ]


def _fingerprints(tx: Transaction, first: date, last: date, hall: str) -> dict[str, str]:
    """Per day, its count of tickets by status: any new ticket, call, finish or void
    changes it (read from the queue's own index, without the rows)."""
    rows = tx.all(
        "SELECT business_day, status, COUNT(*) FROM tickets WHERE hall = ?"
        " AND business_day >= ? AND business_day <= ? GROUP BY business_day, status",
        (hall, first.isoformat(), last.isoformat()),
    )
    counts: dict[str, list[str]] = {}
    for day, status, count in rows:
        counts.setdefault(str(day), []).append(f"{status}:{count}")
    return {day: ",".join(sorted(parts)) for day, parts in counts.items()}


def _sum_day(tx: Transaction, day: str, midnight: datetime, fingerprint: str, hall: str) -> None:
    """One day's tickets summed again by queue and hour of issue, and by matters."""
    since = tx.minutes_between(f"'{midnight.isoformat()}'", "issued_at")
    hour = f"CAST(FLOOR(({since}) / 60.0) AS INTEGER)"
    wait = _wait(tx)
    where = (hall, day)
    tx.execute("DELETE FROM dashboard_hours WHERE hall = ? AND business_day = ?", where)
    tx.execute("DELETE FROM dashboard_matters WHERE hall = ? AND business_day = ?", where)
    tx.execute(
        "INSERT INTO dashboard_hours (hall, business_day, queue, hour, tickets, called,"
        f" finished, wait_sum, wait_max) SELECT hall, business_day, queue, {hour}, COUNT(*),"
        " COUNT(called_at), SUM(CASE WHEN status = 'finished' THEN 1 ELSE 0 END),"
        f" COALESCE(SUM({wait}), 0), MAX({wait}) FROM tickets"
        " WHERE hall = ? AND business_day = ? AND status <> 'void'"
        f" GROUP BY hall, business_day, queue, {hour}",
        where,
    )
    tx.execute(
        "INSERT INTO dashboard_matters (hall, business_day, matters, tickets)"
        " SELECT hall, business_day, matters, COUNT(*) FROM tickets"
        " WHERE hall = ? AND business_day = ? AND status <> 'void'"
        " GROUP BY hall, business_day, matters",
        where,
    )
    tx.execute(
        "INSERT INTO dashboard_days (hall, business_day, fingerprint) VALUES (?, ?, ?)"
        " ON CONFLICT (hall, business_day) DO UPDATE SET fingerprint = excluded.fingerprint",
        (hall, day, fingerprint),
    )


def changed_days(
    tx: Transaction, first: date, last: date, *, hall: str = DEFAULT_HALL
) -> dict[str, str]:
    """The days of the period whose tickets changed since they were summed, with
    their new fingerprints (a read: most histories find none but today)."""
    rows = tx.all(
        "SELECT business_day, fingerprint FROM dashboard_days"
        " WHERE hall = ? AND business_day >= ? AND business_day <= ?",
        (hall, first.isoformat(), last.isoformat()),
    )
    stored = {str(day): str(fingerprint) for day, fingerprint in rows}
    return {
        day: fingerprint
        for day, fingerprint in _fingerprints(tx, first, last, hall).items()
        if stored.get(day) != fingerprint
    }


def sum_days(
    tx: Transaction,
    days: dict[str, str],
    midnight: Callable[[date], datetime],
    *,
    hall: str = DEFAULT_HALL,
) -> None:
    """Sums the days (from changed_days) again; `midnight(day)`: the hall's local
    midnight of a day, from which hours of issue count."""
    for day, fingerprint in days.items():
        _sum_day(tx, day, midnight(date.fromisoformat(day)), fingerprint, hall)


def refresh_sums(
    tx: Transaction,
    first: date,
    last: date,
    midnight: Callable[[date], datetime],
    *,
    hall: str = DEFAULT_HALL,
) -> int:
    """changed_days and sum_days in one write transaction; the number of days summed."""
    days = changed_days(tx, first, last, hall=hall)
    sum_days(tx, days, midnight, hall=hall)
    return len(days)


_MEAN_WAIT = "CASE WHEN SUM(called) > 0 THEN SUM(wait_sum) / SUM(called) END"


def waits_by_hour(
    tx: Transaction, first: date, last: date, *, hall: str = DEFAULT_HALL
) -> list[tuple[int, int, float | None, float | None]]:
    """(hour of issue, tickets, mean and longest wait of the called) over the days
    (summed by refresh_sums first)."""
    rows = tx.all(
        f"SELECT hour, SUM(tickets), {_MEAN_WAIT}, MAX(wait_max) FROM dashboard_hours"
        " WHERE hall = ? AND business_day >= ? AND business_day <= ? GROUP BY hour ORDER BY hour",
        (hall, first.isoformat(), last.isoformat()),
    )
    return [(int(r[0]), int(r[1]), _number(r[2]), _number(r[3])) for r in rows]


def tickets_by_queue(
    tx: Transaction, first: date, last: date, *, hall: str = DEFAULT_HALL
) -> list[tuple[str, int, int, float | None]]:
    """(queue, tickets, finished, mean wait) over the days, void tickets aside."""
    rows = tx.all(
        f"SELECT queue, SUM(tickets), SUM(finished), {_MEAN_WAIT} FROM dashboard_hours"
        " WHERE hall = ? AND business_day >= ? AND business_day <= ? GROUP BY queue ORDER BY queue",
        (hall, first.isoformat(), last.isoformat()),
    )
    return [(str(r[0]), int(r[1]), int(r[2] or 0), _number(r[3])) for r in rows]


def tickets_by_matter(
    tx: Transaction, first: date, last: date, *, hall: str = DEFAULT_HALL
) -> Counter[str]:
    """Tickets per matter over the days (a ticket for two matters counts for both)."""
    rows = tx.all(
        "SELECT matters, SUM(tickets) FROM dashboard_matters"
        " WHERE hall = ? AND business_day >= ? AND business_day <= ? GROUP BY matters",
        (hall, first.isoformat(), last.isoformat()),
    )
    found: Counter[str] = Counter()
    for matters, count in rows:
        for code in json.loads(str(matters)) or [""]:
            found[str(code)] += int(count)
    return found


def tickets_by_day(
    tx: Transaction, first: date, last: date, *, hall: str = DEFAULT_HALL
) -> list[tuple[str, int, float | None]]:
    """(business day, tickets, mean wait) over the days."""
    rows = tx.all(
        f"SELECT business_day, SUM(tickets), {_MEAN_WAIT} FROM dashboard_hours"
        " WHERE hall = ? AND business_day >= ? AND business_day <= ? GROUP BY business_day"
        " ORDER BY business_day",
        (hall, first.isoformat(), last.isoformat()),
    )
    return [(str(r[0]), int(r[1]), _number(r[2])) for r in rows]


TICKET_EXPORT_COLUMNS = (
    "business_day",
    "number",
    "queue",
    "matters",
    "status",
    "channel",
    "kiosk_id",
    "issued_at",
    "called_at",
    "finished_at",
    "window",
    "wait_minutes",
    "service_minutes",
)


def ticket_rows(
    tx: Transaction, first: date, last: date, *, hall: str = DEFAULT_HALL
) -> list[tuple[Any, ...]]:
    """Every ticket of the days for an export, in TICKET_EXPORT_COLUMNS (no personal
    data is in a ticket)."""
    rows = tx.all(
        "SELECT business_day, number, queue, matters, status, channel, kiosk_id, issued_at,"
        f' called_at, finished_at, "window", {_wait(tx)}, {_service(tx)} FROM tickets'
        " WHERE hall = ? AND business_day >= ? AND business_day <= ?"
        " ORDER BY business_day, issued_at, seq",
        (hall, first.isoformat(), last.isoformat()),
    )
    return [
        (*r[:3], " ".join(json.loads(str(r[3]))), *r[4:11], _number(r[11]), _number(r[12]))
        for r in rows
    ]
