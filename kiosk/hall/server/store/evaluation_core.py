"""One evaluation into the typed tables: bound to its ticket's case number (办件编号)
and matters (实施清单编码), one counted per service, a 差评's follow-up due in working
days on the hall's holiday calendar, and its place in the province outbox."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from kiosk.catalog import load_catalog
from kiosk.evaluation_reasons import ReasonList, load_reasons, reasons_path
from kiosk.hall.server.store.base import StoreBase, StoreError
from kiosk.holidays import HolidayCalendar, holiday_files, load_calendar
from kiosk.queue import Transaction
from kiosk.settings import ConfigError, Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# A 差评 goes upward once its content is in, or this long after the vote without it.
CONTENT_WAIT = timedelta(minutes=10)
MAX_TEXT = 500
NEGATIVE = 4  # 不满意 and 非常不满意 are 差评
EVALUATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def case_number(ticket_id: str, business_day: date, number: str) -> str:
    """办件编号 of a ticket served: the day, the number and a digest of the ticket id
    (the id itself opens the ticket's page, so it never leaves the hall)."""
    digest = hashlib.sha256(ticket_id.encode()).hexdigest()[:8].upper()
    return f"{business_day:%Y%m%d}{number}{digest}"


_files: dict[str, tuple[object, Any]] = {}  # path(s) -> (their mtimes, what was read)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def _last_good(paths: tuple[Path, ...], load: Callable[[], T], what: str) -> T | None:
    """What `load` reads from `paths`, read again when one changes; the last good one
    while an edit is broken (never a failed record), None if there never was one."""
    key = "\n".join(map(str, paths))
    stamp = tuple(_mtime(path) for path in paths)
    cached = _files.get(key)
    if cached is None or cached[0] != stamp:
        try:
            cached = (stamp, load())
            _files[key] = cached
        except ConfigError as error:
            log.warning("%s: %s; keeping the last good one", what, error)
    return None if cached is None else cast(T, cached[1])


def implementation_codes(store: StoreBase, matter_codes: list[str]) -> list[tuple[str, str]]:
    """(matter code, 实施清单编码) of each matter, from the hall's catalog as it is now."""
    path = store.settings.catalog_path
    catalog = _last_good((path,), lambda: load_catalog(path), "catalog")
    codes = {} if catalog is None else {m.code: m.implementation_code for m in catalog.matters}
    return [(code, codes.get(code, "")) for code in matter_codes]


def hall_calendar(store: StoreBase) -> HolidayCalendar:
    """The hall's holiday calendar (Monday to Friday if it never could be read)."""
    files = tuple(path for path in holiday_files(store.settings) if path is not None)
    calendar = _last_good(files, lambda: load_calendar(*files), "holiday calendar")
    return calendar or HolidayCalendar()


def hall_reasons(settings: Settings) -> ReasonList:
    """The 差评 reasons list; 503 when it never could be read."""
    reasons = _last_good((reasons_path(settings),), lambda: load_reasons(settings), "差评 reasons")
    if reasons is None:
        raise StoreError(503, "the hall's list of 差评 reasons cannot be read")
    return reasons


def staff_at(tx: Transaction, window: int, hall: str) -> str | None:
    """The staff number signed in at the hall's `window` now (on its keypad or the
    dashboard)."""
    row = tx.one(
        "SELECT staff_id FROM staff_sessions WHERE hall = ? AND window_number = ?"
        " AND signed_out_at IS NULL ORDER BY signed_in_at DESC LIMIT 1",
        (hall, window),
    )
    return None if row is None else str(row[0])


def served_by(
    store: StoreBase, tx: Transaction, ticket_id: str, window: int | None
) -> tuple[int, str | None]:
    """The window and staff number that served the ticket (its service row, else the
    ticket's window and who is signed in there now)."""
    row = tx.one(
        "SELECT window_number, staff_id FROM services WHERE ticket_id = ? AND hall = ?",
        (ticket_id, store.hall),
    )
    served_at = int(row[0]) if row else (window or 0)
    staff = str(row[1]) if row and row[1] else staff_at(tx, served_at, store.hall)
    return served_at, staff


def staff_of_windows(tx: Transaction, hall: str) -> dict[int, str]:
    """The staff number signed in at each window of the hall now (the window screens
    show it)."""
    rows = tx.all(
        "SELECT window_number, staff_id FROM staff_sessions WHERE hall = ?"
        " AND signed_out_at IS NULL ORDER BY signed_in_at",
        (hall,),
    )
    return {int(row[0]): str(row[1]) for row in rows}  # the newest sign-in wins


def counted_evaluation(tx: Transaction, ticket_id: str, hall: str) -> tuple[str, int | None] | None:
    """(evaluation id, level) of the service's counted evaluation in the hall, if any."""
    row = tx.one(
        "SELECT evaluation_id, level FROM evaluations WHERE ticket_id = ? AND hall = ?"
        " AND is_repeat = 0 ORDER BY evaluated_at LIMIT 1",
        (ticket_id, hall),
    )
    return None if row is None else (str(row[0]), None if row[1] is None else int(row[1]))


def content_given(tx: Transaction, evaluation_id: str) -> bool:
    """Whether the evaluation's 差评 reasons and note are in."""
    row = tx.one("SELECT content_at FROM evaluations WHERE evaluation_id = ?", (evaluation_id,))
    return row is not None and row[0] is not None


def follow_up_of_hall(tx: Transaction, evaluation_id: str, hall: str) -> bool:
    """Whether the evaluation has a follow-up and is of the hall (another hall's is
    as if it did not exist)."""
    row = tx.one(
        "SELECT 1 FROM follow_ups f JOIN evaluations e ON e.evaluation_id = f.evaluation_id"
        " WHERE f.evaluation_id = ? AND e.hall = ?",
        (evaluation_id, hall),
    )
    return row is not None


def insert_evaluation(
    store: StoreBase,
    tx: Transaction,
    *,
    evaluation_id: str,
    client_id: str,
    ticket_id: str | None,
    number: str | None,
    window: int,
    staff_id: str | None,
    level: int | None,
    channel: str,
    at: str,
    repeat: bool,
) -> None:
    """One evaluation, bound to its ticket's case number and matters; a counted 差评
    opens its follow-up (due in working days on the hall's calendar) and every counted
    vote goes to the province outbox."""
    evaluated_at = datetime.fromisoformat(at)
    day = store.business_day(evaluated_at)
    staff_id = staff_id or staff_at(tx, window, store.hall)
    ticket = store.engine.ticket(tx, ticket_id) if ticket_id else None
    case = None
    if ticket is not None:
        case = case_number(ticket.ticket_id, ticket.business_day, ticket.number)
        number = number or ticket.number
    if ticket_id:
        earlier = counted_evaluation(tx, ticket_id, store.hall)
        if earlier is not None and earlier[1] is None and level is not None:
            tx.execute(  # 未评价 first, a real vote later: the vote counts instead
                "UPDATE evaluations SET is_repeat = 1 WHERE evaluation_id = ?", (earlier[0],)
            )
        elif earlier is not None:
            repeat = True
    tx.execute(
        "INSERT INTO evaluations (evaluation_id, hall, client_id, ticket_id, case_number,"
        " number, window_number, staff_id, level, channel, is_repeat, evaluated_at,"
        " business_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            evaluation_id,
            store.hall,
            client_id,
            ticket_id,
            case,
            number,
            window,
            staff_id,
            level,
            channel,
            int(repeat),
            at,
            day.isoformat(),
        ),
    )
    for matter, implementation in implementation_codes(
        store, list(ticket.matters) if ticket else []
    ):
        tx.execute(
            "INSERT INTO evaluation_matters (evaluation_id, matter_code, implementation_code)"
            " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (evaluation_id, matter, implementation),
        )
    if repeat or level is None:
        return
    due = evaluated_at
    if level >= 4:
        deadline = hall_calendar(store).add_working_days(
            evaluated_at.astimezone(store.zone).date(),
            store.settings.evaluation.follow_up_working_days,
        )
        tx.execute(
            "INSERT INTO follow_ups (evaluation_id, opened_at, deadline) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (evaluation_id, at, deadline.isoformat()),
        )
        due = evaluated_at + CONTENT_WAIT
    queue_upward(tx, "evaluation", evaluation_id, due)


def queue_upward(tx: Transaction, kind: str, ref: str, due: datetime) -> None:
    """Into the province outbox (once per item: the key is the idempotency key)."""
    when = due.isoformat()
    tx.execute(
        "INSERT INTO province_outbox (item_key, kind, ref, due_at, next_attempt_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_key) DO UPDATE SET"
        " due_at = excluded.due_at, next_attempt_at = excluded.next_attempt_at"
        " WHERE province_outbox.delivered_at IS NULL",
        (f"{kind}:{ref}", kind, ref, when, when),
    )


def set_content(
    tx: Transaction, evaluation_id: str, reasons: list[str], note: str, channel: str, at: datetime
) -> None:
    """A 差评's reasons and note, by the channel they came by; it then goes upward."""
    tx.execute(
        "UPDATE evaluations SET note = ?, channel = ?, content_at = ? WHERE evaluation_id = ?",
        (note, channel, at.isoformat(), evaluation_id),
    )
    for reason in reasons:
        tx.execute(
            "INSERT INTO evaluation_reasons (evaluation_id, reason) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (evaluation_id, reason),
        )
    queue_upward(tx, "evaluation", evaluation_id, at)
