"""Where the kiosk screen's evaluation (kiosk/terminal_evaluation.py) is kept.

- The embedded hall: the kiosk's journal, through the same rules as the phone page
  (kiosk/qr_evaluation.py), channel terminal.
- The hall server: its public /t/{id}/evaluation, called with the kiosk's token; the
  server records a call that carries a valid kiosk token of the ticket's hall as
  channel terminal (kiosk/hall/server/routes/evaluations.py). The endpoint is the
  phone page's, open to whoever holds the slip: the token grants nothing more, it only
  names the channel and the kiosk.
- The hall server unreachable (refused, timeout, 5xx, a garbage answer): the
  evaluation goes into the kiosk's journal (its durable outbox, kiosk/journal.py) as
  an `evaluation.terminal` record; the sync worker (kiosk/hall/outbox_delivery.py)
  delivers it with its idempotency key and the kiosk's evaluation id, and the server
  applies the same rules then (kiosk/hall/server/store/terminal_records.py).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from kiosk.evaluation_reasons import Reason, ReasonList, load_reasons
from kiosk.evaluation_state import OFFLINE_EVALUATION_KIND, EvaluationState
from kiosk.hall import api as paths
from kiosk.hall import evaluation_api as api
from kiosk.hall.base import HallError
from kiosk.hall.link import LinkDown
from kiosk.hall.local import LocalHall
from kiosk.journal import Journal
from kiosk.qr_evaluation import QrEvaluations, QrRefused
from kiosk.sqlite import StorageError
from kiosk.terminal_evaluation import TerminalEvaluations, TerminalRefused

if TYPE_CHECKING:  # httpx and the hall client: only loaded with a hall server
    from kiosk.app import Kiosk
    from kiosk.hall.http.wire import HallWire


def _service(state: api.EvaluationStateOut) -> EvaluationState:
    return EvaluationState(state.number, state.served, state.level, state.content_given)


class EmbeddedTerminal:
    """The kiosk is its own hall: its tickets, its journal, its windows' keypads."""

    def __init__(self, hall: LocalHall, evaluations: QrEvaluations) -> None:
        self._hall = hall
        self._evaluations = evaluations

    @property
    def reasons(self) -> ReasonList:
        return self._evaluations.reasons

    def state(self, ticket_id: str) -> EvaluationState:
        ticket = self._hall.ticket_row(ticket_id)
        if ticket is None:
            raise TerminalRefused(404, "no such ticket")
        return self._evaluations.state(ticket)

    def give(
        self,
        ticket_id: str,
        level: int | None,
        reasons: list[str],
        note: str,
        evaluation_id: str | None = None,
    ) -> EvaluationState:
        ticket = self._hall.ticket_row(ticket_id)
        if ticket is None:
            raise TerminalRefused(404, "no such ticket")
        try:
            return self._evaluations.give(ticket, level, reasons, note, "terminal")
        except QrRefused as refused:
            raise TerminalRefused(refused.status, refused.message) from None

    @property
    def keeps_offline(self) -> bool:
        return False  # the kiosk is the hall: never unreachable

    def keep(
        self, ticket_id: str, level: int | None, reasons: list[str], note: str, evaluation_id: str
    ) -> None:
        raise TerminalRefused(0, "the embedded hall keeps evaluations at once")

    def kept(self, ticket_id: str) -> bool:
        return False


class HttpTerminal:
    """The hall server keeps the evaluations; the reasons are the server's list (the
    kiosk's own until the server said). With `outbox` (the kiosk's journal) an
    evaluation the server could not take is kept there and delivered later."""

    def __init__(self, wire: HallWire, reasons: ReasonList, outbox: Journal | None = None) -> None:
        self._wire = wire
        self._reasons = reasons
        self._outbox = outbox

    @property
    def reasons(self) -> ReasonList:
        return self._reasons

    def _call(self, ticket_id: str, body: api.EvaluationContentIn | None) -> EvaluationState:
        from kiosk.hall.http.wire import Refused

        path = paths.PATH_TICKET_EVALUATION.format(ticket_id=ticket_id)
        try:
            answer = self._wire.request(
                "GET" if body is None else "POST", path, api.EvaluationStateOut, body
            )
        except Refused as refused:
            raise TerminalRefused(refused.status, str(refused)) from None
        except (HallError, LinkDown) as error:  # not reached, or no answer
            raise TerminalRefused(0, str(error)) from None
        if answer.reasons:
            self._reasons = ReasonList(
                tuple(Reason(**reason.model_dump()) for reason in answer.reasons)
            )
        return _service(answer)

    def state(self, ticket_id: str) -> EvaluationState:
        return self._call(ticket_id, None)

    def give(
        self,
        ticket_id: str,
        level: int | None,
        reasons: list[str],
        note: str,
        evaluation_id: str | None = None,
    ) -> EvaluationState:
        body = api.EvaluationContentIn(
            level=level, reasons=reasons, note=note, evaluation_id=evaluation_id
        )
        return self._call(ticket_id, body)

    @property
    def keeps_offline(self) -> bool:
        return self._outbox is not None

    def keep(
        self, ticket_id: str, level: int | None, reasons: list[str], note: str, evaluation_id: str
    ) -> None:
        if self._outbox is None:
            raise TerminalRefused(0, "no outbox to keep the evaluation in")
        payload = {
            "evaluation_id": evaluation_id,
            "level": level,
            "reasons": list(reasons),
            "note": note,
            "channel": "terminal",
        }
        try:
            self._outbox.record(OFFLINE_EVALUATION_KIND, payload, ticket_id)
        except sqlite3.Error as error:  # StorageError passes as it is
            raise StorageError(f"the outbox cannot be written: {error}") from None

    def kept(self, ticket_id: str) -> bool:
        if self._outbox is None:
            return False
        try:
            events = self._outbox.events(ticket_id)
        except (sqlite3.Error, StorageError):  # unreadable: keeping it will tell
            return False
        return any(event.kind == OFFLINE_EVALUATION_KIND for event in events)


def terminal_evaluations(kiosk: Kiosk) -> TerminalEvaluations | None:
    """Where this kiosk's screen keeps evaluations; None where none are kept (an
    embedded hall without keypads: as for the phone page, the kiosk keeps none)."""
    from kiosk.qr_evaluation import of_windows

    if kiosk.settings.hall.backend != "embedded":
        from kiosk.hall.http.client import HttpHall

        if isinstance(kiosk.hall, HttpHall):
            return HttpTerminal(kiosk.hall.wire, load_reasons(kiosk.settings), kiosk.journal)
        return None
    if isinstance(kiosk.hall, LocalHall):
        _, evaluations = of_windows(kiosk.settings, kiosk.windows, kiosk.journal)
        return None if evaluations is None else EmbeddedTerminal(kiosk.hall, evaluations)
    return None
