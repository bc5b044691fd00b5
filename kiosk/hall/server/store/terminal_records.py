"""A kiosk screen's evaluation that waited in the kiosk's outbox while the hall server
could not be reached (kind `evaluation.terminal`, kiosk/terminal_backends.py): applied
on delivery by the rules of the online call (`EvaluationActions.add_qr_content`).

- Only a kiosk's record, of a ticket of the kiosk's hall (the store is the caller's
  hall: another hall's ticket is as if it did not exist).
- Idempotent by the evaluation id the kiosk made: a record delivered twice (under its
  idempotency key, or after the online call took the same evaluation) is kept once.
- One counted evaluation per service: a vote for a service evaluated already is kept
  as a repeat, not counted (as the keypad's, `insert_evaluation`); its 差评 reasons go
  to the counted 差评 while that has none.
- Refused for good, with the status and the field in the message (no personal
  data): 403 not a kiosk, 404 no such ticket in the hall, 409 not served or its 差评
  content given already, 422 a bad level, reason or note. The kiosk ends the item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.hall.server.store.base import StoreBase
from kiosk.hall.server.store.evaluation_core import (
    EVALUATION_ID,
    MAX_TEXT,
    NEGATIVE,
    content_given,
    counted_evaluation,
    hall_reasons,
    insert_evaluation,
    served_by,
    set_content,
)
from kiosk.queue import TicketRow, Transaction


class Refusal(ValueError):
    """Why the record is refused for good: an HTTP-like status and the message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status} {message}")


def note_terminal_record(
    store: StoreBase, tx: Transaction, client_id: str, role: str, record: dict[str, Any]
) -> str | None:
    """Apply one offline terminal evaluation; why it is refused, or None."""
    try:
        _apply(store, tx, client_id, role, record)
    except Refusal as refusal:
        return str(refusal)
    return None


def _apply(
    store: StoreBase, tx: Transaction, client_id: str, role: str, record: dict[str, Any]
) -> None:
    found = _ticket(store, tx, role, record)
    if found is None:
        return  # delivered before (or taken online): kept once
    ticket, evaluation_id, payload = found
    level, reasons, note = _content(payload)
    if ticket.status != "finished":
        raise Refusal(409, "ticket_id: the ticket was not served")
    counted = counted_evaluation(tx, ticket.ticket_id, store.hall)
    open_content = counted is not None and _wants_content(tx, counted[0], counted[1])
    negative = level is None or level >= NEGATIVE
    chosen, note = _checked(store, negative, reasons, note)
    at = str(record["at"])
    when = datetime.fromisoformat(at)
    if level is None:  # the reasons of a 差评 voted on a keypad
        if counted is None or not open_content:
            raise Refusal(409, "payload.level: no 差评 of this service waits for its reasons")
        set_content(tx, counted[0], chosen, note, "terminal", when)
        return
    window, staff = served_by(store, tx, ticket.ticket_id, ticket.window)
    repeat = counted is not None and counted[1] is not None
    insert_evaluation(
        store,
        tx,
        evaluation_id=evaluation_id,
        client_id=client_id,
        ticket_id=ticket.ticket_id,
        number=ticket.number,
        window=window,
        staff_id=staff,
        level=level,
        channel="terminal",
        at=at,
        repeat=False,  # a repeat when the service is evaluated already (insert_evaluation)
    )
    if negative and not repeat:
        set_content(tx, evaluation_id, chosen, note, "terminal", when)
    elif negative and counted is not None and open_content:
        set_content(tx, counted[0], chosen, note, "terminal", when)


def _ticket(
    store: StoreBase, tx: Transaction, role: str, record: dict[str, Any]
) -> tuple[TicketRow, str, dict[str, Any]] | None:
    """The ticket, the evaluation id and the payload; None when kept already."""
    if role != "kiosk":
        raise Refusal(403, "role: only a kiosk's screen gives a terminal evaluation")
    payload = record.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    evaluation_id = payload.get("evaluation_id")
    if not isinstance(evaluation_id, str) or not EVALUATION_ID.match(evaluation_id):
        raise Refusal(422, "payload.evaluation_id: missing or malformed")
    ticket_id = record.get("ticket_id")
    ticket = store.engine.ticket(tx, str(ticket_id)) if ticket_id else None
    if ticket is None:
        raise Refusal(404, "ticket_id: no such ticket in this hall")
    known = tx.one(
        "SELECT ticket_id, hall FROM evaluations WHERE evaluation_id = ?", (evaluation_id,)
    )
    if known is None:
        return ticket, evaluation_id, payload
    if tuple(known) == (ticket.ticket_id, store.hall):
        return None
    raise Refusal(409, "payload.evaluation_id: used already for another evaluation")


def _checked(
    store: StoreBase, negative: bool, reasons: list[str], note: str
) -> tuple[list[str], str]:
    """A 差评's reasons from the hall's list and its note; none for a good rating."""
    if negative:
        try:
            return hall_reasons(store.settings).checked(reasons, note)
        except ValueError as error:
            raise Refusal(422, f"payload.{error}") from None
    if reasons or note.strip():
        raise Refusal(422, "payload.reasons: only a 差评 has reasons")
    return [], ""


def _content(payload: dict[str, Any]) -> tuple[int | None, list[str], str]:
    level = payload.get("level")
    if level is not None and (type(level) is not int or not 1 <= level <= 5):
        raise Refusal(422, "payload.level: 1..5, or null for a 差评's reasons")
    reasons = payload.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(code, str) for code in reasons):
        raise Refusal(422, "payload.reasons: a list of reason codes")
    note = payload.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_TEXT:
        raise Refusal(422, f"payload.note: text of at most {MAX_TEXT} characters")
    return level, list(reasons), note


def _wants_content(tx: Transaction, evaluation_id: str, level: int | None) -> bool:
    """A counted 差评 without its reasons yet."""
    return level is not None and level >= NEGATIVE and not content_given(tx, evaluation_id)
