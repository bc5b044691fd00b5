"""Tickets as the API sees them: read, committed, voided, and the queues' figures."""

from __future__ import annotations

from kiosk.hall.server.store.base import StoreBase, StoreError
from kiosk.queue import QueueFigures, TicketRow, Transaction


class Tickets(StoreBase):
    def ticket(self, ticket_id: str) -> TicketRow | None:
        with self.db.read() as tx:
            return self.engine.ticket(tx, ticket_id)

    def _require(self, tx: Transaction, ticket_id: str) -> TicketRow:
        found = self.engine.ticket(tx, ticket_id)
        if found is None:
            raise StoreError(404, f"ticket_id: no ticket {ticket_id!r}")
        return found

    def commit(self, ticket_id: str, channel: str) -> TicketRow:
        """Idempotent: a ticket already in the queue stays as it is."""
        with self.db.transaction() as tx:
            ticket = self._require(tx, ticket_id)
            if ticket.status == "void":
                raise StoreError(409, f"ticket {ticket.number} was voided: not committed")
            self.engine.commit(tx, ticket_id, channel)
            return self._require(tx, ticket_id)

    def void(self, ticket_id: str) -> TicketRow:
        """Idempotent: a void ticket stays void; a called one cannot be voided."""
        with self.db.transaction() as tx:
            ticket = self._require(tx, ticket_id)
            if not self.engine.void(tx, ticket_id) and ticket.status != "void":
                raise StoreError(409, f"ticket {ticket.number} is {ticket.status}: not voided")
            return self._require(tx, ticket_id)

    def queue_figures(self) -> list[QueueFigures]:
        with self.db.read() as tx:
            return self.engine.figures(tx)

    def people_ahead(self, ticket: TicketRow) -> tuple[int, int]:
        """People before this ticket in its queue, and the estimate for them."""
        with self.refusals(), self.db.read() as tx:
            return self.engine.people_ahead(tx, ticket)
