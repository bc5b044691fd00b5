"""The kiosks' outboxes: every record stored once; ticket records change the queue,
offline tickets join it from the numbers leased to their kiosk."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from kiosk.evaluation_state import OFFLINE_EVALUATION_KIND
from kiosk.hall.server.principal import foreign_ticket
from kiosk.hall.server.store.base import StoreBase
from kiosk.hall.server.store.devices import note_device_event, note_heartbeat
from kiosk.hall.server.store.evaluations import note_typed_record
from kiosk.hall.server.store.kiosks import offline_range
from kiosk.hall.server.store.record_checks import (
    business_day_of,
    matter_codes,
    queue_time,
    text_problem,
    utc_text,
)
from kiosk.hall.server.store.terminal_records import note_terminal_record
from kiosk.queue import TicketRow, Transaction, seq_of
from kiosk.queue.help import request_help

Result = tuple[str, str, str]  # idempotency key, accepted|duplicate|rejected, reason


@dataclass
class Upload:
    """One batch as it arrives: whose, when, and the queues its records changed."""

    client_id: str
    received: datetime
    changed: set[str] = field(default_factory=set)
    role: str = "kiosk"  # the uploader's: a terminal evaluation is only a kiosk's


class Records(StoreBase):
    def add_records(
        self, client_id: str, records: Sequence[dict[str, Any]], role: str = "kiosk"
    ) -> tuple[list[Result], set[str]]:
        """Store each record once; returns (key, status, message) per record and the
        queues whose tickets changed. A record that cannot be taken is rejected on
        its own: the rest of the batch is. `role`: the uploader's (kiosk or admin)."""
        upload = Upload(client_id, self.now(), role=role)
        with self.db.transaction() as tx:
            results = [self._add_record(tx, upload, record) for record in records]
        return results, upload.changed

    def _add_record(self, tx: Transaction, upload: Upload, record: dict[str, Any]) -> Result:
        client_id, received = upload.client_id, upload.received
        key = str(record["idempotency_key"])
        stored = _stored(tx, client_id, key)
        if stored is not None:
            if stored != (record["kind"], record.get("ticket_id")):
                return key, "rejected", "idempotency_key: already used for another record"
            return key, "duplicate", ""
        at = utc_text(record["at"])
        if at is None:
            return key, "rejected", f"at: {record['at']} has no UTC time the hall can keep"
        malformed = text_problem(record.get("payload") or {})
        if malformed is not None:
            return key, "rejected", malformed
        record = {**record, "at": at}
        problem = self._apply(tx, upload, record)
        problem = problem or note_typed_record(self, tx, client_id, record)
        if record["kind"] == OFFLINE_EVALUATION_KIND:
            problem = problem or note_terminal_record(self, tx, client_id, upload.role, record)
        _store(tx, client_id, self.hall, key, record, received.isoformat())
        if record["kind"] == "heartbeat":
            problem = note_heartbeat(tx, client_id, record, received)
        problem = problem or note_device_event(tx, client_id, record, received)
        return key, "rejected" if problem else "accepted", problem or ""

    def _apply(self, tx: Transaction, upload: Upload, record: dict[str, Any]) -> str | None:
        """Ticket records change the queue; returns why a record cannot apply."""
        changed = upload.changed
        kind = str(record["kind"])
        ticket_id = record.get("ticket_id")
        if kind == "help.requested":  # 一键求助: shown on the display and the dashboard
            # Asked when the kiosk says, never later than it arrived: a request that
            # waited in an offline kiosk's outbox is old, not new, on the display.
            asked = min(datetime.fromisoformat(record["at"]), upload.received)
            request_help(tx, self.engine.hall, upload.client_id, asked)
            return None
        if not kind.startswith("ticket.") or not ticket_id:
            return None
        ticket = self.engine.ticket(tx, str(ticket_id))
        if kind == "ticket.reserved":
            if ticket is not None:
                return None  # issued online: the server has it already
            return self._add_offline(tx, upload, str(ticket_id), record)
        if ticket is None:
            return None
        if (foreign := foreign_ticket(upload.client_id, ticket)) is not None:
            return foreign
        if kind in ("ticket.printed", "ticket.e_ticket"):
            channel = "printed" if kind == "ticket.printed" else "e_ticket"
            if self.engine.commit(tx, ticket.ticket_id, channel):
                changed.add(ticket.queue_code)
        elif kind == "ticket.voided" and self.engine.void(tx, ticket.ticket_id):
            changed.add(ticket.queue_code)
        return None

    def _add_offline(
        self, tx: Transaction, upload: Upload, ticket_id: str, record: dict[str, Any]
    ) -> str | None:
        """A ticket the kiosk numbered offline joins the queue, at the place the
        server's time gives it; returns why it cannot."""
        offline = self._offline_ticket(tx, upload.client_id, ticket_id, record.get("payload") or {})
        if isinstance(offline, str):
            return offline
        at = datetime.fromisoformat(record["at"])
        placed = queue_time(at, offline.business_day, self.zone, upload.received)
        offline = replace(offline, issued_at=placed)
        holder = self.engine.add_offline(tx, offline)
        if holder is not None:
            return (
                f"payload.number: {offline.number} of {offline.business_day} is already"
                f" issued (by {holder})"
            )
        upload.changed.add(offline.queue_code)
        return None

    def _offline_ticket(
        self, tx: Transaction, client_id: str, ticket_id: str, payload: dict[str, Any]
    ) -> TicketRow | str:
        """The ticket a kiosk numbered offline (its time is set by the caller), or why
        it is refused."""
        queue_code, number, day = payload.get("queue"), payload.get("number"), payload.get("day")
        day = payload.get("business_day", day)
        if not (isinstance(queue_code, str) and isinstance(number, str) and isinstance(day, str)):
            return "payload: a ticket.reserved record needs queue, number and business_day"
        try:
            queue = self.settings.queue(queue_code)
        except KeyError:
            return f"payload.queue: unknown queue {queue_code!r}"
        business_day = business_day_of(day, self.business_day())
        if isinstance(business_day, str):
            return business_day
        seq = seq_of(queue, number)
        if seq is None:
            return f"payload.number: {number!r} is not a number of queue {queue.code}"
        matters = matter_codes(payload.get("matters"))
        if isinstance(matters, str):
            return matters
        problem = self._number_problem(tx, client_id, business_day, queue.code, seq, number)
        if problem is not None:
            return problem
        return TicketRow(
            ticket_id,
            business_day,
            queue.code,
            seq,
            number,
            "reserved",
            None,
            matters,
            client_id,
            self.now(),
            None,
            None,
            None,
        )

    def _number_problem(
        self, tx: Transaction, client_id: str, day: date, queue_code: str, seq: int, number: str
    ) -> str | None:
        """An offline number is the kiosk's when leased to it that day, or in the
        offline range the server assigned it."""
        if seq >= self.offline_floor:
            own = offline_range(tx, client_id, self.hall, self.offline_floor, self.now())
            if own is not None and own[0] <= seq <= own[1]:
                return None
            mine = "none" if own is None else f"{own[0]}-{own[1]}"
            return f"payload.number: {number} is outside {client_id}'s offline range ({mine})"
        if not _leased(tx, client_id, day, queue_code, seq):
            return f"payload.number: {number} was not leased to {client_id} on {day}"
        return None

    def records(
        self,
        kind: str | None,
        client_id: str | None,
        limit: int,
        offset: int,
        clients: Sequence[str] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """The hall's records (those its kiosks sent); `clients`: only these clients'
        records, when given."""
        where: list[str] = ["hall = ?"]
        values: list[str | int] = [self.hall]
        if clients is not None:
            where.append(f"client_id IN ({', '.join('?' for _ in clients) or 'NULL'})")
            values.extend(clients)
        if kind is not None:
            where.append("kind = ?")
            values.append(kind)
        if client_id is not None:
            where.append("client_id = ?")
            values.append(client_id)
        clause = " WHERE " + " AND ".join(where)
        with self.db.read() as tx:
            total_row = tx.one(f"SELECT COUNT(*) FROM records{clause}", values)
            rows = tx.all(
                "SELECT client_id, idempotency_key, kind, at, ticket_id, payload, received_at"
                f" FROM records{clause} ORDER BY id LIMIT ? OFFSET ?",
                (*values, limit, offset),
            )
        names = ("client_id", "idempotency_key", "kind", "at", "ticket_id", "payload")
        found = []
        for row in rows:
            record = dict(zip(names, row[:6], strict=True))
            record["payload"] = json.loads(row[5])
            record["received_at"] = row[6]
            found.append(record)
        return found, int(total_row[0]) if total_row else 0


def _stored(tx: Transaction, client_id: str, key: str) -> tuple[str, str | None] | None:
    """The kind and ticket of the record already stored under this key, if any."""
    seen = tx.one(
        "SELECT kind, ticket_id FROM records WHERE client_id = ? AND idempotency_key = ?",
        (client_id, key),
    )
    return None if seen is None else (str(seen[0]), seen[1])


def _store(
    tx: Transaction, client_id: str, hall: str, key: str, record: dict[str, Any], received: str
) -> None:
    tx.execute(
        "INSERT INTO records (client_id, hall, idempotency_key, kind, at, ticket_id,"
        " payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            client_id,
            hall,
            key,
            record["kind"],
            record["at"],
            record.get("ticket_id"),
            json.dumps(record.get("payload") or {}, ensure_ascii=False),
            received,
        ),
    )


def _leased(tx: Transaction, client_id: str, day: date, queue_code: str, seq: int) -> bool:
    lease = tx.one(
        "SELECT 1 FROM leases WHERE client_id = ? AND business_day = ? AND queue = ?"
        " AND first <= ? AND last >= ?",
        (client_id, day.isoformat(), queue_code, seq, seq),
    )
    return lease is not None
