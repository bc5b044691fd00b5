"""What the kiosk tells the hall server after the fact: the journal's outbox in
batches (for the sync worker), and the commits and voids of online tickets that
the server could not take at once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ValidationError

from kiosk.hall import api
from kiosk.hall.base import HallError
from kiosk.hall.http.link_file import LinkFile
from kiosk.hall.http.wire import HallWire, Refused
from kiosk.hall.link import LinkDown
from kiosk.hall.outbox_delivery import Delivery
from kiosk.journal import OutboxRecord

log = logging.getLogger(__name__)

# The answers that say a batch is malformed (undecodable, too large, invalid); any
# other refusal is tried again later.
MALFORMED_STATUSES = (400, 413, 422)


def send_records(wire: HallWire, records: Sequence[OutboxRecord]) -> Delivery:
    """OutboxSender: one batch to the server; LinkDown when it cannot take it. A
    record the server refuses as malformed is set aside (refused, kept in the
    journal with the reason): it no longer holds back the records behind it."""
    refused: dict[int, str] = {}
    sendable: list[tuple[OutboxRecord, api.RecordIn]] = []
    for record in records:
        try:
            sendable.append((record, record_in(record)))
        except (ValidationError, ValueError) as error:
            refused[record.event_id] = f"malformed, not sent: {_first_problem(error)}"
    if not sendable:
        return Delivery([], refused)
    batch = api.RecordBatchIn(records=[model for _, model in sendable])
    try:
        answer = wire.request("POST", api.PATH_RECORDS, api.RecordBatchOut, batch)
    except Refused as error:
        if error.status in MALFORMED_STATUSES:
            return _set_aside(wire, sendable, error, refused)
        raise LinkDown(str(error)) from None
    except HallError as error:
        raise LinkDown(str(error)) from None
    by_key = {record.idempotency_key: record.event_id for record, _ in sendable}
    acknowledged: list[int] = []
    for result in answer.results:
        event_id = by_key.get(result.idempotency_key)
        if event_id is None:
            continue
        if result.status == "rejected":
            refused[event_id] = result.message or "rejected"
        else:
            acknowledged.append(event_id)
    return Delivery(acknowledged, refused)


def record_in(record: OutboxRecord) -> api.RecordIn:
    """The record as the API takes it; ValueError when it cannot be (a ValidationError,
    or text JSON cannot carry: a lone surrogate)."""
    model = api.RecordIn(
        idempotency_key=record.idempotency_key,
        kind=record.kind,
        at=datetime.fromisoformat(record.at),
        ticket_id=record.ticket_id,
        payload=record.payload,
    )
    model.model_dump_json()
    return model


def _set_aside(
    wire: HallWire,
    sendable: Sequence[tuple[OutboxRecord, api.RecordIn]],
    error: Refused,
    refused: dict[int, str],
) -> Delivery:
    """The server refused the whole batch: set aside the records its answer names
    (the rest go again next time); a batch of one is set aside; else each record
    is sent on its own to find the bad ones."""
    named = {
        int(loc[2])
        for loc in error.fields
        if len(loc) > 2 and loc[:2] == ["body", "records"] and isinstance(loc[2], int)
    }
    named &= set(range(len(sendable)))
    if named or len(sendable) == 1:
        for index in named or {0}:
            refused[sendable[index][0].event_id] = f"malformed: {error}"
        return Delivery([], refused)
    acknowledged: list[int] = []
    for record, _ in sendable:
        one = send_records(wire, [record])
        acknowledged.extend(one.acknowledged)
        refused.update(one.refused)
    return Delivery(acknowledged, refused)


def _first_problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
    return str(error)


class TicketOutcomes:
    """Commits and voids of this kiosk's tickets: told to the server now when the
    ticket was issued online, else kept in the link file and retried (maintain)."""

    def __init__(self, link_file: LinkFile, wire: HallWire) -> None:
        self._file = link_file
        self._wire = wire

    def finish(self, ticket_id: str, action: str, channel: str | None, reason: str) -> None:
        # Offline tickets reach the server through the outbox.
        if not self._file.finish(ticket_id, action, channel, reason):
            self._tell(ticket_id, action, channel, reason)

    def _tell(self, ticket_id: str, action: str, channel: str | None, reason: str) -> bool:
        body: BaseModel
        if action == "commit":
            body = api.CommitIn(channel="e_ticket" if channel == "e_ticket" else "printed")
            path = api.PATH_COMMIT.format(ticket_id=ticket_id)
        else:
            body = api.VoidIn(reason=reason[:200])
            path = api.PATH_VOID.format(ticket_id=ticket_id)
        try:
            answer = self._wire.online_call("POST", path, api.TicketOut, body)
        except HallError as error:  # the server will never take it: stop retrying
            log.error("the hall server refused to %s ticket %s: %s", action, ticket_id, error)
            done = True
        else:
            done = answer is not None
        if done:
            self._file.taken(ticket_id)
        return done

    def retry_pending(self) -> int:
        """Commits and voids the server has not taken yet; returns how many are left."""
        left = 0
        for ticket_id, action, channel, reason in self._file.pending():
            if not self._tell(ticket_id, action, channel, reason):
                left += 1
        return left
