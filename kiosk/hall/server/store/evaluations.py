"""好差评 on the hall server, in typed tables: staff sessions at windows, calls,
services (start, end, window, staff), evaluations (one counted per service, repeats
kept), their matters and 差评 reasons, follow-ups, and the province outbox.

They are filled from the kiosks' records as they arrive (`note_typed_record`, called
once per record inside the records' transaction) and from the phone page's 差评
content (`Evaluations.add_qr_content`). What a kiosk sends is checked: a record whose
payload is not what its kind needs is refused with the field named, and kept as it
came in `records`. No ID number is ever stored here; a contact phone only with the
taxpayer's consent, purged with the retention (`purge_contact_phones`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NamedTuple

from kiosk.evaluation_reasons import without_personal_numbers
from kiosk.follow_ups import PHONE
from kiosk.hall.server.store.base import StoreBase
from kiosk.hall.server.store.evaluation_core import (
    EVALUATION_ID,
    MAX_TEXT,
    follow_up_of_hall,
    hall_reasons,
    insert_evaluation,
    queue_upward,
    set_content,
    staff_at,
)
from kiosk.queue import Transaction
from kiosk.window_staff import STAFF_NUMBER


class RecordProblem(ValueError):
    """A record's payload is not what its kind needs (the message names the field)."""


def _field(payload: dict[str, Any], name: str, pattern: re.Pattern[str] | None = None) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
        raise RecordProblem(f"payload.{name}: missing or malformed")
    return value


def _optional(payload: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str | None:
    return None if payload.get(name) is None else _field(payload, name, pattern)


def _window(payload: dict[str, Any]) -> int:
    window = payload.get("window")
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 999:
        raise RecordProblem("payload.window: a window number 1..999")
    return window


def _text(payload: dict[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise RecordProblem(f"payload.{name}: text of at most {MAX_TEXT} characters")
    return without_personal_numbers(value.strip())


NUMBER = re.compile(r"^[A-Z0-9]{1,8}$")


class Incoming(NamedTuple):
    """One kiosk record on its way into the typed tables."""

    store: StoreBase
    tx: Transaction
    client_id: str
    record: dict[str, Any]
    payload: dict[str, Any]


def note_typed_record(
    store: StoreBase, tx: Transaction, client_id: str, record: dict[str, Any]
) -> str | None:
    """Fill the typed tables from one kiosk record (any kind; most are not ours).
    Returns why the record cannot apply, None when it applied or is not ours."""
    kind = str(record["kind"])
    handler = _HANDLERS.get(kind)
    if handler is None:
        return None
    payload = record.get("payload") or {}
    try:
        handler(
            Incoming(store, tx, client_id, record, payload if isinstance(payload, dict) else {})
        )
    except RecordProblem as problem:
        return str(problem)
    return None


def _staff(incoming: Incoming) -> None:
    store, tx, client_id, record, payload = incoming
    window = _window(payload)
    staff_id = _field(payload, "staff_id", STAFF_NUMBER)
    at = str(record["at"])
    tx.execute(
        "UPDATE staff_sessions SET signed_out_at = ? WHERE hall = ? AND window_number = ?"
        " AND signed_out_at IS NULL",
        (at, store.hall, window),
    )
    if record["kind"] == "staff.signed_in":
        tx.execute(
            "INSERT INTO staff_sessions (hall, client_id, window_number, staff_id, signed_in_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (store.hall, client_id, window, staff_id, at),
        )


def _service(incoming: Incoming) -> None:
    store, tx, client_id, record, payload = incoming
    window = _window(payload)
    number = _field(payload, "number", NUMBER)
    staff_id = _optional(payload, "staff_id", STAFF_NUMBER) or staff_at(tx, window, store.hall)
    queue = payload.get("queue") if isinstance(payload.get("queue"), str) else None
    at = str(record["at"])
    day = store.business_day(datetime.fromisoformat(at)).isoformat()
    ticket_id = record.get("ticket_id")
    key = str(ticket_id) if ticket_id else f"{client_id}:{day}:{number}"
    if record["kind"] == "service.called":
        tx.execute(
            "INSERT INTO calls (hall, client_id, idempotency_key, ticket_id, number, queue,"
            " window_number, staff_id, called_at, recall)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                store.hall,
                client_id,
                str(record["idempotency_key"]),
                ticket_id,
                number,
                queue,
                window,
                staff_id,
                at,
                int(bool(payload.get("recall"))),
            ),
        )
        tx.execute(
            "INSERT INTO services (service_key, hall, ticket_id, number, queue, window_number,"
            " staff_id, business_day, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (service_key) DO NOTHING",
            (key, store.hall, ticket_id, number, queue, window, staff_id, day, at),
        )
        return
    tx.execute(
        "INSERT INTO services (service_key, hall, ticket_id, number, queue, window_number,"
        " staff_id, business_day, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (service_key) DO UPDATE SET ended_at = excluded.ended_at,"
        " window_number = excluded.window_number,"
        " staff_id = COALESCE(excluded.staff_id, services.staff_id)"
        " WHERE services.hall = excluded.hall",
        (key, store.hall, ticket_id, number, queue, window, staff_id, day, at),
    )


def _evaluation(incoming: Incoming) -> None:
    store, tx, client_id, record, payload = incoming
    level = payload.get("level")
    if level is not None and (type(level) is not int or not 1 <= level <= 5):
        raise RecordProblem("payload.level: 1..5, or null for not evaluated")
    channel = payload.get("channel", "keypad")
    if channel not in ("keypad", "terminal", "qr", "web"):
        raise RecordProblem("payload.channel: keypad, terminal, qr or web")
    evaluation_id = _field(payload, "evaluation_id", EVALUATION_ID)
    if tx.one("SELECT 1 FROM evaluations WHERE evaluation_id = ?", (evaluation_id,)):  # any hall
        return
    insert_evaluation(
        store,
        tx,
        evaluation_id=evaluation_id,
        client_id=client_id,
        ticket_id=str(record["ticket_id"]) if record.get("ticket_id") else None,
        number=_optional(payload, "ticket_number", NUMBER),
        window=_window(payload),
        staff_id=_optional(payload, "staff_id", STAFF_NUMBER),
        level=level,
        channel=str(channel),
        at=str(record["at"]),
        repeat=bool(payload.get("repeat")),
    )


def _content(incoming: Incoming) -> None:
    store, tx, _client_id, record, payload = incoming
    evaluation_id = _field(payload, "evaluation_id", EVALUATION_ID)
    codes = payload.get("reasons")
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise RecordProblem("payload.reasons: a list of reason codes")
    try:
        chosen, note = hall_reasons(store.settings).checked(codes, _text(payload, "note") or "")
    except ValueError as error:
        raise RecordProblem(f"payload.{error}") from None
    row = tx.one(
        "SELECT content_at FROM evaluations WHERE evaluation_id = ? AND hall = ?"
        " AND level >= 4 AND is_repeat = 0",
        (evaluation_id, store.hall),
    )
    if row is None:
        raise RecordProblem("payload.evaluation_id: no counted 差评 with this id")
    if row[0] is None:
        set_content(
            tx, evaluation_id, chosen, note, "terminal", datetime.fromisoformat(str(record["at"]))
        )


def _follow_up(incoming: Incoming) -> None:
    store, tx, _client_id, record, payload = incoming
    evaluation_id = _field(payload, "evaluation_id", EVALUATION_ID)
    if not follow_up_of_hall(tx, evaluation_id, store.hall):
        raise RecordProblem("payload.evaluation_id: no follow-up with this id")
    if record["kind"] == "follow_up.closed":
        at = str(record["at"])
        tx.execute(
            "UPDATE follow_ups SET closed_at = ?, closing_note = ? WHERE evaluation_id = ?"
            " AND closed_at IS NULL",
            (at, _text(payload, "note") or "", evaluation_id),
        )
        queue_upward(tx, "follow_up", evaluation_id, datetime.fromisoformat(at))
        return
    for name in ("assignee", "contact_result", "rectification"):
        value = _text(payload, name)
        if value is not None:
            tx.execute(
                f"UPDATE follow_ups SET {name} = ? WHERE evaluation_id = ?",
                (value, evaluation_id),
            )
    phone = payload.get("contact_phone")
    if phone is not None:
        if (
            payload.get("consent") is not True
            or not isinstance(phone, str)
            or not PHONE.match(phone)
        ):
            raise RecordProblem("payload.contact_phone: a mobile number, and only with consent")
        tx.execute(
            "UPDATE follow_ups SET contact_phone = ? WHERE evaluation_id = ?",
            (phone, evaluation_id),
        )


_HANDLERS = {
    "staff.signed_in": _staff,
    "staff.signed_out": _staff,
    "service.called": _service,
    "service.finished": _service,
    "evaluation.recorded": _evaluation,
    "evaluation.content": _content,
    "follow_up.updated": _follow_up,
    "follow_up.closed": _follow_up,
}
