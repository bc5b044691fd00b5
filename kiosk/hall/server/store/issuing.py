"""Numbers for the kiosks: reservations and offline leases, each answered once per
idempotency key (a repeated request gets the answer kept for it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kiosk.hall.server.store.base import StoreBase, StoreError
from kiosk.hall.server.store.kiosks import OfflineRange, assigned_range, offline_range
from kiosk.queue import QueueFull, Transaction


def kept_answer(
    tx: Transaction, client_id: str, key: str, request: dict[str, Any]
) -> dict[str, Any] | None:
    """The answer kept for this key; 422 when the key came with other parameters
    (answers kept before the parameters were are taken as they are)."""
    row = tx.one(
        "SELECT answer FROM answers WHERE client_id = ? AND idempotency_key = ?",
        (client_id, key),
    )
    if row is None:
        return None
    answer = dict(json.loads(row[0]))
    if answer.get("request", request) != request:
        raise StoreError(
            422, "idempotency_key: already used with other parameters", "idempotency_key"
        )
    return answer


def keep_answer(tx: Transaction, client_id: str, key: str, answer: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO answers (client_id, idempotency_key, answer) VALUES (?, ?, ?)",
        (client_id, key, json.dumps(answer)),
    )


class Issuing(StoreBase):
    def reserve(
        self, client_id: str, key: str, queue_code: str, matters: Sequence[str]
    ) -> tuple[dict[str, Any], bool]:
        """The reservation as a dict (ticket_id, number, ...) and whether it is new."""
        queue = self.queue(queue_code)
        request = {"queue_code": queue_code, "matter_codes": list(matters)}
        with self.db.transaction() as tx:
            earlier = kept_answer(tx, client_id, "reserve:" + key, request)
            if earlier is not None:
                return earlier, False
            with self.refusals():
                issued = self.engine.issue(tx, queue, matters, client_id)
            ticket = issued.ticket
            answer = {
                "ticket_id": ticket.ticket_id,
                "number": ticket.number,
                "queue_code": ticket.queue_code,
                "business_day": ticket.business_day.isoformat(),
                "issued_at": ticket.issued_at.isoformat(),
                "people_ahead": issued.people_ahead,
                "estimated_wait_minutes": issued.estimated_wait_minutes,
                "request": request,
            }
            keep_answer(tx, client_id, "reserve:" + key, answer)
        return answer, True

    def lease(
        self, client_id: str, key: str, size: int, queue_codes: Sequence[str] | None
    ) -> dict[str, Any]:
        """Blocks of `size` consecutive numbers per queue for today, for offline use."""
        queues = (
            list(self.settings.queues)
            if queue_codes is None
            else [self.queue(code) for code in dict.fromkeys(queue_codes)]
        )
        day = self.business_day()
        request = {"size": size, "queues": None if queue_codes is None else list(queue_codes)}
        with self.db.transaction() as tx:
            earlier = kept_answer(tx, client_id, "lease:" + key, request)
            if earlier is not None:
                return earlier
            blocks = []
            for queue in queues:
                try:
                    first = self.engine.take(tx, queue, day, size)
                except QueueFull:
                    continue  # no room left today in this queue: no block for it
                last = first + size - 1
                tx.execute(
                    "INSERT INTO leases (client_id, business_day, queue, first, last)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (client_id, day.isoformat(), queue.code, first, last),
                )
                blocks.append(
                    {"queue_code": queue.code, "prefix": queue.prefix, "first": first, "last": last}
                )
            answer = {"business_day": day.isoformat(), "blocks": blocks, "request": request}
            keep_answer(tx, client_id, "lease:" + key, answer)
        return answer

    def own_offline_range(self, client_id: str) -> OfflineRange | None:
        """The client's offline range, assigned now if it had none (kiosks.py)."""
        with self.db.read() as tx:
            found = assigned_range(tx, client_id, self.hall)
        if found is not None:
            return found
        with self.db.transaction() as tx:
            return offline_range(tx, client_id, self.hall, self.offline_floor, self.now())
