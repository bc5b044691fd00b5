"""The one worker thread: issuing tickets, printing guide slips, reading queue states.

Every call into TicketService and HallBackend blocks (it prints, or talks to a
hall server), so none of them runs on the GUI thread. Requests and results
cross between the threads as queued signals; each request carries an id so the
window can ignore a result that arrives after the visit it belonged to ended.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.hall.base import HallBackend, HallError
from kiosk.tickets import TicketService
from kiosk.triage import Route

log = logging.getLogger(__name__)


class TicketWorker(QObject):
    """Lives in the worker thread; each slot runs there, one request at a time."""

    ticket_issued = Signal(int, object)  # request id, IssuedTicket
    ticket_failed = Signal(int, str)  # request id, the reason (for the log, not the screen)
    guide_printed = Signal(int, bool)  # request id, whether the slip was printed
    queue_states_read = Signal(object)  # dict[str, QueueState]

    def __init__(self, tickets: TicketService, hall: HallBackend) -> None:
        super().__init__()
        self._tickets = tickets
        self._hall = hall

    @Slot(int, object, str)
    def issue(self, request_id: int, route: Route, language: str) -> None:
        try:
            ticket = self._tickets.issue(route, "en" if language == "en" else "zh")
        except HallError as error:
            log.warning("no number could be issued: %s", error)
            self.ticket_failed.emit(request_id, str(error))
        except Exception as error:  # the screen must never show a traceback
            log.exception("issuing a ticket failed")
            self.ticket_failed.emit(request_id, f"{type(error).__name__}: {error}")
        else:
            self.ticket_issued.emit(request_id, ticket)

    @Slot(int, object, str)
    def print_guide(self, request_id: int, route: Route, language: str) -> None:
        try:
            printed = self._tickets.print_guide_slip(route, "en" if language == "en" else "zh")
        except Exception:
            log.exception("printing a guide slip failed")
            printed = False
        self.guide_printed.emit(request_id, printed)

    @Slot(str)
    def ask_for_help(self, step: str) -> None:
        try:
            self._tickets.ask_for_help(step)
        except Exception:  # the visitor still sees that help was asked for; a guide looks
            log.exception("asking for help failed")

    @Slot()
    def read_queue_states(self) -> None:
        try:
            states = self._hall.queue_states()
        except Exception as error:  # the home screen then shows no numbers; nothing worse
            log.warning("cannot read the queue states: %s", error)
            return
        self.queue_states_read.emit(states)


class TicketBridge(QObject):
    """The GUI thread's side: starts the worker thread, sends requests, relays results."""

    # Requests, delivered to the worker thread (queued).
    _issue_requested = Signal(int, object, str)
    _guide_requested = Signal(int, object, str)
    _queue_states_requested = Signal()
    _help_requested = Signal(str)

    # Results, delivered in the GUI thread.
    ticket_issued = Signal(int, object)  # request id, IssuedTicket
    ticket_failed = Signal(int, str)  # request id, reason
    guide_printed = Signal(int, bool)  # request id, printed
    queue_states_read = Signal(object)  # dict[str, QueueState]

    def __init__(
        self, tickets: TicketService, hall: HallBackend, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._next_id = 0
        self._pending: set[int] = set()
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("kiosk-ticket-worker")
        self._worker = TicketWorker(tickets, hall)
        self._worker.moveToThread(self.worker_thread)
        self.worker_thread.finished.connect(self._worker.deleteLater)
        self._issue_requested.connect(self._worker.issue)
        self._guide_requested.connect(self._worker.print_guide)
        self._queue_states_requested.connect(self._worker.read_queue_states)
        self._help_requested.connect(self._worker.ask_for_help)
        self._worker.ticket_issued.connect(self._on_ticket_issued)
        self._worker.ticket_failed.connect(self._on_ticket_failed)
        self._worker.guide_printed.connect(self._on_guide_printed)
        self._worker.queue_states_read.connect(self.queue_states_read)
        self.worker_thread.start()

    def issue(self, route: Route, language: str) -> int:
        request_id = self._new_request()
        self._issue_requested.emit(request_id, route, language)
        return request_id

    def print_guide(self, route: Route, language: str) -> int:
        request_id = self._new_request()
        self._guide_requested.emit(request_id, route, language)
        return request_id

    def read_queue_states(self) -> None:
        self._queue_states_requested.emit()

    def ask_for_help(self, step: str) -> None:
        """一键求助, on the worker thread (it may talk to a hall server)."""
        self._help_requested.emit(step)

    def busy(self) -> bool:
        """A ticket or a guide slip is being printed."""
        return bool(self._pending)

    def stop(self) -> None:
        """Let the current request finish, then end the thread. Safe to call twice."""
        if self.worker_thread.isRunning():
            self.worker_thread.quit()
            self.worker_thread.wait()

    def _new_request(self) -> int:
        self._next_id += 1
        self._pending.add(self._next_id)
        return self._next_id

    @Slot(int, object)
    def _on_ticket_issued(self, request_id: int, ticket: object) -> None:
        self._pending.discard(request_id)
        self.ticket_issued.emit(request_id, ticket)

    @Slot(int, str)
    def _on_ticket_failed(self, request_id: int, reason: str) -> None:
        self._pending.discard(request_id)
        self.ticket_failed.emit(request_id, reason)

    @Slot(int, bool)
    def _on_guide_printed(self, request_id: int, printed: bool) -> None:
        self._pending.discard(request_id)
        self.guide_printed.emit(request_id, printed)
