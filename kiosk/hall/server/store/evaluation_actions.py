"""What people do to evaluations on the hall server: a taxpayer's 差评 content from the
phone page (channel qr, once per service, by the ticket's unguessable id), staff
signed in at a window from the dashboard, a follow-up's progress, and the purge of
contact phones with the retention."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from kiosk.evaluation_reasons import without_personal_numbers
from kiosk.evaluation_state import EvaluationState
from kiosk.follow_ups import PHONE, mask_phone
from kiosk.hall.server.store.base import StoreBase, StoreError
from kiosk.hall.server.store.evaluation_core import (
    NEGATIVE,
    content_given,
    counted_evaluation,
    hall_reasons,
    insert_evaluation,
    queue_upward,
    served_by,
    set_content,
)
from kiosk.hall.server.store.record_checks import utc_text
from kiosk.queue import Transaction
from kiosk.window_staff import STAFF_NUMBER


class EvaluationActions(StoreBase):
    def evaluation_state(self, ticket_id: str) -> EvaluationState:
        with self.db.read() as tx:
            return self._state(tx, ticket_id)

    def _state(self, tx: Transaction, ticket_id: str) -> EvaluationState:
        ticket = self.engine.ticket(tx, ticket_id)
        if ticket is None:
            raise StoreError(404, "no such ticket")
        counted = counted_evaluation(tx, ticket_id, self.hall)
        given = counted is not None and content_given(tx, counted[0])
        level = None if counted is None else counted[1]
        return EvaluationState(ticket.number, ticket.status == "finished", level, given)

    def add_qr_content(
        self,
        ticket_id: str,
        level: int | None,
        reasons: list[str],
        note: str,
        kiosk_id: str | None = None,
        evaluation_id: str | None = None,
    ) -> EvaluationState:
        """The phone page's vote and/or 差评 content for a served ticket, channel qr
        (channel terminal, from a kiosk's screen, when `kiosk_id` is the kiosk's);
        once per service (409 after that). 404 for an unknown ticket, 409 before it is
        served, 422 naming the field for a bad level, reason or note. A kiosk's
        `evaluation_id`: an evaluation kept already under it is answered as it is."""
        now = self.now()
        evaluation_id = evaluation_id if kiosk_id is not None else None  # a kiosk's only
        with self.db.transaction() as tx:
            if self._kept(tx, ticket_id, evaluation_id):
                return self._state(tx, ticket_id)  # sent again: kept once
            state = self._state(tx, ticket_id)
            if not state.served:
                raise StoreError(409, "the ticket has not been served yet")
            if state.content_given or (state.level is not None and level is not None):
                raise StoreError(409, "this service has been evaluated already")
            if state.level is not None and state.level < NEGATIVE:
                raise StoreError(409, "this service was evaluated without a 差评")
            level = state.level if level is None else level
            chosen: list[str] = []
            if level is None:
                raise StoreError(422, "level: 1..5 (the service is not evaluated yet)", "level")
            if level >= NEGATIVE:
                try:
                    chosen, note = hall_reasons(self.settings).checked(reasons, note)
                except ValueError as error:
                    field = str(error).split(":", 1)[0]
                    raise StoreError(422, str(error), field) from None
            elif reasons or note.strip():
                raise StoreError(422, "reasons: only a 差评 has reasons", "reasons")
            if state.level is None:
                self._qr_vote(tx, ticket_id, level, now, kiosk_id, evaluation_id)
            counted = counted_evaluation(tx, ticket_id, self.hall)
            if counted is not None and level >= NEGATIVE:
                channel = "qr" if kiosk_id is None else "terminal"
                set_content(tx, counted[0], chosen, note, channel, now)
            return self._state(tx, ticket_id)

    def _kept(self, tx: Transaction, ticket_id: str, evaluation_id: str | None) -> bool:
        """Whether the evaluation is kept already (409 when its id is another's)."""
        if evaluation_id is None:
            return False
        known = tx.one(
            "SELECT ticket_id, hall FROM evaluations WHERE evaluation_id = ?", (evaluation_id,)
        )
        if known is not None and tuple(known) != (ticket_id, self.hall):
            raise StoreError(409, "evaluation_id: used already", "evaluation_id")
        return known is not None

    def _qr_vote(
        self,
        tx: Transaction,
        ticket_id: str,
        level: int,
        now: datetime,
        kiosk_id: str | None,
        evaluation_id: str | None,
    ) -> None:
        ticket = self.engine.ticket(tx, ticket_id)
        assert ticket is not None  # checked by the caller, in this transaction
        window, staff = served_by(self, tx, ticket_id, ticket.window)
        insert_evaluation(
            self,
            tx,
            evaluation_id=evaluation_id or uuid.uuid4().hex,
            client_id="qr" if kiosk_id is None else kiosk_id,
            ticket_id=ticket_id,
            number=ticket.number,
            window=window,
            staff_id=staff,
            level=level,
            channel="qr" if kiosk_id is None else "terminal",
            at=utc_text(now) or now.isoformat(),  # compared as UTC text, as records' are
            repeat=False,
        )

    def set_window_staff(self, client_id: str, window: int, staff_id: str | None) -> None:
        """Sign a staff member in at a window (from the dashboard), or out with None."""
        if staff_id is not None and not STAFF_NUMBER.match(staff_id):
            raise StoreError(422, "staff_id: a staff number is 1 to 16 digits", "staff_id")
        with self.refusals():  # 404 for a window no queue is served at
            self.engine.window_queues(window)
        at = self.now().isoformat()
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE staff_sessions SET signed_out_at = ? WHERE hall = ? AND window_number = ?"
                " AND signed_out_at IS NULL",
                (at, self.hall, window),
            )
            if staff_id is not None:
                tx.execute(
                    "INSERT INTO staff_sessions (hall, client_id, window_number, staff_id,"
                    " signed_in_at) VALUES (?, ?, ?, ?, ?)",
                    (self.hall, client_id, window, staff_id, at),
                )

    def update_follow_up(self, evaluation_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Assignee, contact result, rectification note, contact phone (with consent),
        close: as checked by the API model. 404 for no such follow-up, 409 once closed."""
        now = self.now()
        with self.db.transaction() as tx:
            row = tx.one(
                "SELECT f.closed_at FROM follow_ups f JOIN evaluations e"
                " ON e.evaluation_id = f.evaluation_id WHERE f.evaluation_id = ? AND e.hall = ?",
                (evaluation_id, self.hall),
            )
            if row is None:  # another hall's is as if it did not exist
                raise StoreError(404, "no follow-up for this evaluation")
            if row[0] is not None:
                raise StoreError(409, "this follow-up is closed")
            for name in ("assignee", "contact_result", "rectification"):
                if changes.get(name) is not None:
                    tx.execute(
                        f"UPDATE follow_ups SET {name} = ? WHERE evaluation_id = ?",
                        (without_personal_numbers(str(changes[name]).strip()), evaluation_id),
                    )
            phone = changes.get("contact_phone")
            if phone is not None:
                if changes.get("consent") is not True or not PHONE.match(str(phone)):
                    raise StoreError(
                        422, "contact_phone: a mobile number, kept only with consent", "consent"
                    )
                tx.execute(
                    "UPDATE follow_ups SET contact_phone = ? WHERE evaluation_id = ?",
                    (phone, evaluation_id),
                )
            if changes.get("close"):
                tx.execute(
                    "UPDATE follow_ups SET closed_at = ?, closing_note = ? WHERE evaluation_id = ?",
                    (now.isoformat(), str(changes.get("closing_note") or ""), evaluation_id),
                )
                queue_upward(tx, "follow_up", evaluation_id, now)
            return self._follow_up(tx, evaluation_id)

    @staticmethod
    def _follow_up(tx: Transaction, evaluation_id: str) -> dict[str, Any]:
        row = tx.one(
            "SELECT evaluation_id, opened_at, deadline, assignee, contact_result,"
            " rectification, contact_phone, closed_at, closing_note FROM follow_ups"
            " WHERE evaluation_id = ?",
            (evaluation_id,),
        )
        assert row is not None
        names = (
            "evaluation_id",
            "opened_at",
            "deadline",
            "assignee",
            "contact_result",
            "rectification",
            "contact_phone",
            "closed_at",
            "closing_note",
        )
        found = dict(zip(names, row, strict=True))
        found["contact_phone"] = mask_phone(found["contact_phone"])  # masked everywhere
        return found

    def purge_contact_phones(self, retention_days: int) -> int:
        """Contact phones of follow-ups opened more than `retention_days` ago go."""
        cutoff = (self.now() - timedelta(days=retention_days)).isoformat()
        with self.db.transaction() as tx:
            return tx.execute(
                "UPDATE follow_ups SET contact_phone = NULL WHERE contact_phone IS NOT NULL"
                " AND opened_at < ?",
                (cutoff,),
            )
