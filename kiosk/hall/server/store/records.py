"""The kiosks' outboxes: every record stored once; ticket records change the queue,
offline tickets join it from the numbers leased to their kiosk."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from kiosk.hall.server.principal import foreign_ticket
from kiosk.hall.server.store.base import StoreBase
from kiosk.hall.server.store.devices import note_device_event, note_heartbeat
from kiosk.hall.server.store.evaluations import note_typed_record
from kiosk.queue import TicketRow, Transaction, seq_of


class Records(StoreBase):
    def add_records(
        self, client_id: str, records: Sequence[dict[str, Any]]
    ) -> tuple[list[tuple[str, str, str]], set[str]]:
        """Store each record once; returns (key, status, message) per record and the
        queues whose tickets changed."""
        received = self.now().isoformat()
        results: list[tuple[str, str, str]] = []
        changed: set[str] = set()
        with self.db.transaction() as tx:
            for record in records:
                key = str(record["idempotency_key"])
                seen = tx.one(
                    "SELECT 1 FROM records WHERE client_id = ? AND idempotency_key = ?",
                    (client_id, key),
                )
                if seen is not None:
                    results.append((key, "duplicate", ""))
                    continue
                problem = self._apply(tx, client_id, record, changed)
                problem = problem or note_typed_record(self, tx, client_id, record)
                tx.execute(
                    "INSERT INTO records (client_id, idempotency_key, kind, at, ticket_id,"
                    " payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        client_id,
                        key,
                        record["kind"],
                        record["at"],
                        record.get("ticket_id"),
                        json.dumps(record.get("payload") or {}, ensure_ascii=False),
                        received,
                    ),
                )
                if record["kind"] == "heartbeat":
                    note_heartbeat(tx, client_id, record, received)
                note_device_event(tx, client_id, record, received)
                results.append((key, "rejected" if problem else "accepted", problem or ""))
        return results, changed

    def _apply(
        self, tx: Transaction, client_id: str, record: dict[str, Any], changed: set[str]
    ) -> str | None:
        """Ticket records change the queue; returns why a record cannot apply."""
        kind = str(record["kind"])
        ticket_id = record.get("ticket_id")
        if not kind.startswith("ticket.") or not ticket_id:
            return None
        ticket = self.engine.ticket(tx, str(ticket_id))
        payload = record.get("payload") or {}
        if kind == "ticket.reserved":
            if ticket is not None:
                return None  # issued online: the server has it already
            problem = self._offline_ticket(tx, client_id, str(ticket_id), record["at"], payload)
            if problem is None:
                changed.add(str(payload.get("queue")))
            return problem
        if ticket is None:
            return None
        if (foreign := foreign_ticket(client_id, ticket)) is not None:
            return foreign
        if kind in ("ticket.printed", "ticket.e_ticket"):
            channel = "printed" if kind == "ticket.printed" else "e_ticket"
            if self.engine.commit(tx, ticket.ticket_id, channel):
                changed.add(ticket.queue_code)
        elif kind == "ticket.voided" and self.engine.void(tx, ticket.ticket_id):
            changed.add(ticket.queue_code)
        return None

    def _offline_ticket(
        self, tx: Transaction, client_id: str, ticket_id: str, at: str, payload: dict[str, Any]
    ) -> str | None:
        queue_code, number, day = payload.get("queue"), payload.get("number"), payload.get("day")
        day = payload.get("business_day", day)
        if not (isinstance(queue_code, str) and isinstance(number, str) and isinstance(day, str)):
            return "payload: a ticket.reserved record needs queue, number and business_day"
        try:
            queue = self.settings.queue(queue_code)
            business_day = date.fromisoformat(day)
        except (KeyError, ValueError):
            return f"payload: unknown queue {queue_code!r} or bad business_day {day!r}"
        seq = seq_of(queue, number)
        if seq is None:
            return f"payload.number: {number!r} is not a number of queue {queue.code}"
        matters = payload.get("matters")
        matters = matters if isinstance(matters, list) else []
        if seq < self.offline_floor:
            lease = tx.one(
                "SELECT 1 FROM leases WHERE client_id = ? AND business_day = ? AND queue = ?"
                " AND first <= ? AND last >= ?",
                (client_id, business_day.isoformat(), queue.code, seq, seq),
            )
            if lease is None:
                return f"payload.number: {number} was not leased to {client_id} on {day}"
        ticket = TicketRow(
            ticket_id,
            business_day,
            queue.code,
            seq,
            number,
            "reserved",
            None,
            [str(code) for code in matters if isinstance(code, str)],
            client_id,
            datetime.fromisoformat(at),
            None,
            None,
            None,
        )
        holder = self.engine.add_offline(tx, ticket)
        if holder is not None:
            return f"payload.number: {number} of {day} is already issued (by {holder})"
        return None

    def records(
        self,
        kind: str | None,
        client_id: str | None,
        limit: int,
        offset: int,
        clients: Sequence[str] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """`clients`: only these clients' records (a hall's), when given."""
        where: list[str] = []
        values: list[str | int] = []
        if clients is not None:
            where.append(f"client_id IN ({', '.join('?' for _ in clients) or 'NULL'})")
            values.extend(clients)
        if kind is not None:
            where.append("kind = ?")
            values.append(kind)
        if client_id is not None:
            where.append("client_id = ?")
            values.append(client_id)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
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
