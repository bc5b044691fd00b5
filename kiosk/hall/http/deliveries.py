"""What the kiosk tells the hall server after the fact: the journal's outbox in
batches (for the sync worker), and the commits and voids of online tickets that
the server could not take at once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from kiosk.hall import api
from kiosk.hall.base import HallError
from kiosk.hall.http.link_file import LinkFile
from kiosk.hall.http.wire import HallWire
from kiosk.hall.link import LinkDown
from kiosk.hall.outbox_delivery import Delivery
from kiosk.journal import OutboxRecord

log = logging.getLogger(__name__)


def send_records(wire: HallWire, records: Sequence[OutboxRecord]) -> Delivery:
    """OutboxSender: one batch to the server; LinkDown when it cannot take it."""
    batch = api.RecordBatchIn(
        records=[
            api.RecordIn(
                idempotency_key=record.idempotency_key,
                kind=record.kind,
                at=datetime.fromisoformat(record.at),
                ticket_id=record.ticket_id,
                payload=record.payload,
            )
            for record in records
        ]
    )
    try:
        answer = wire.request("POST", api.PATH_RECORDS, api.RecordBatchOut, batch)
    except HallError as error:
        raise LinkDown(str(error)) from None
    by_key = {record.idempotency_key: record.event_id for record in records}
    acknowledged: list[int] = []
    refused: dict[int, str] = {}
    for result in answer.results:
        event_id = by_key.get(result.idempotency_key)
        if event_id is None:
            continue
        if result.status == "rejected":
            refused[event_id] = result.message or "rejected"
        else:
            acknowledged.append(event_id)
    return Delivery(acknowledged, refused)


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
