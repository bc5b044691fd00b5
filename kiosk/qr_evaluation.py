"""The phone page's evaluation on a kiosk that is its own hall (embedded hall with
`screens.serve`): what `/t/{id}/evaluation` answers there, read from and written to
the kiosk's journal, as the hall server does from its tables.

One service, one evaluation: the ticket's counted vote is its first journalled vote
with a level that is no repeat (the keypad's or the phone's). The phone may vote when
no one has (channel qr; the keypad's prompt for that ticket is then answered), and
after a 差评 give its content once (reasons and a note, channel qr).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from datetime import datetime

from kiosk.evaluation import Evaluation, EvaluationLevel, EvaluationRecorder
from kiosk.evaluation_reasons import Channel, ReasonList, load_reasons
from kiosk.evaluation_state import EvaluationState
from kiosk.journal import Journal, JournalEvent
from kiosk.queue import TicketRow
from kiosk.service_windows.keypads import WindowService
from kiosk.settings import Settings


class QrRefused(Exception):
    """A request the phone page may not make: an HTTP status, a message, the field."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def _counted(events: list[JournalEvent]) -> JournalEvent | None:
    votes = (event for event in events if event.kind == "evaluation.recorded")  # oldest first
    return next(
        (e for e in votes if e.payload.get("level") is not None and not e.payload.get("repeat")),
        None,
    )


_LOCKS: weakref.WeakKeyDictionary[EvaluationRecorder, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


class QrEvaluations:
    def __init__(self, recorder: EvaluationRecorder, journal: Journal, reasons: ReasonList) -> None:
        self._recorder = recorder
        self._journal = journal
        self.reasons = reasons
        # One phone's two taps, or the phone and the kiosk's screen at once: one vote
        # (every QrEvaluations of a recorder shares its lock).
        with _LOCKS_LOCK:
            self._lock = _LOCKS.setdefault(recorder, threading.Lock())

    def state(self, ticket: TicketRow) -> EvaluationState:
        events = self._journal.events(ticket.ticket_id)
        counted = _counted(events)
        level = None if counted is None else int(counted.payload["level"])
        given = counted is not None and any(
            event.kind == "evaluation.content"
            and event.payload.get("evaluation_id") == counted.payload.get("evaluation_id")
            for event in events
        )
        return EvaluationState(ticket.number, ticket.status == "finished", level, given)

    def give(
        self,
        ticket: TicketRow,
        level: int | None,
        reasons: list[str],
        note: str,
        channel: Channel = "qr",
    ) -> EvaluationState:
        """The phone's (or the kiosk screen's, channel terminal) vote and/or 差评
        content; QrRefused as the hall server refuses: 409 not served or evaluated
        already, 422 naming the field."""
        with self._lock:
            state = self.state(ticket)
            if not state.served:
                raise QrRefused(409, "the ticket has not been served yet")
            if state.content_given or (state.level is not None and level is not None):
                raise QrRefused(409, "this service has been evaluated already")
            if state.level is not None and state.level < EvaluationLevel.DISSATISFIED:
                raise QrRefused(409, "this service was evaluated without a 差评")
            chosen = level if level is not None else state.level
            if chosen is None:
                raise QrRefused(422, "level: 1..5 (the service is not evaluated yet)", "level")
            negative = EvaluationLevel(chosen).is_negative
            if negative:
                try:
                    self.reasons.checked(reasons, note)
                except ValueError as error:
                    raise QrRefused(422, str(error), str(error).split(":", 1)[0]) from None
            elif reasons or note.strip():
                raise QrRefused(422, "reasons: only a 差评 has reasons", "reasons")
            evaluation = (
                self._vote(ticket, EvaluationLevel(chosen), channel)
                if state.level is None
                else self._evaluation(ticket)
            )
            if negative:
                self._recorder.add_content(evaluation, self.reasons, reasons, note, channel)
            return self.state(ticket)

    def _vote(self, ticket: TicketRow, level: EvaluationLevel, channel: Channel) -> Evaluation:
        finished = [
            event.payload.get("staff_id")
            for event in self._journal.events(ticket.ticket_id)
            if event.kind == "service.finished"
        ]
        staff = finished[-1] if finished else None  # who served it (keypad sign-in)
        return self._recorder.qr_vote(
            ticket.window or 0,
            ticket.number,
            ticket.ticket_id,
            level,
            None if staff is None else str(staff),
            channel,
        )

    def _evaluation(self, ticket: TicketRow) -> Evaluation:
        counted = _counted(self._journal.events(ticket.ticket_id))
        assert counted is not None  # the state said so, under the lock
        payload = counted.payload
        return Evaluation(
            evaluation_id=str(payload["evaluation_id"]),
            window=int(payload["window"]),
            level=EvaluationLevel(int(payload["level"])),
            ticket_number=payload.get("ticket_number"),
            staff_id=payload.get("staff_id"),
            at=datetime.fromisoformat(counted.at),
            ticket_id=ticket.ticket_id,
        )


def of_windows(
    settings: Settings, windows: WindowService | None, journal: Journal
) -> tuple[Callable[[], dict[int, str]] | None, QrEvaluations | None]:
    """What the embedded hall's pages read of the windows' keypads: who is signed in
    at each window, and the evaluations; (None, None) without keypads."""
    if windows is None:
        return None, None
    recorder = windows.evaluations
    return recorder.staff.signed_in, QrEvaluations(recorder, journal, load_reasons(settings))
