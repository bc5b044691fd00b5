"""The embedded hall: the queue system of a small hall, in one SQLite file.

The rules (numbering per queue per day, call order, estimates, quotas, pauses)
are the queue engine's (`kiosk.queue`), shared with the hall server; this module
turns them into the kiosk's HallBackend and its events.

The window side (caller keys): `call_next_at(window)` finishes the window's
current ticket first (a FINISHED event, which prompts the evaluation keypad), so
a window that only presses "call next" still gets every service evaluated, then
calls the next one. A paused window calls nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

from kiosk.clock import Clock
from kiosk.hall.base import (
    HallBackend,
    HallError,
    HallEvent,
    HallEventKind,
    QueueState,
    Reservation,
    TicketChannel,
)
from kiosk.hall.taxpayers_file import ProfileDirectory
from kiosk.queue import (
    MAX_NUMBER,
    QUEUE_MIGRATIONS,
    DatabaseError,
    QueueEngine,
    QueueError,
    QueueFull,
    TicketRow,
    Transaction,
    WindowChange,
    WindowPaused,
    WindowState,
    upgrade,
)
from kiosk.queue.help import HelpRequest, answer_help, open_help, request_help
from kiosk.settings import Settings
from kiosk.sqlite import SqliteDatabase
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, TaxpayerProfile

__all__ = ["LocalHall", "WindowState"]

_T = TypeVar("_T")

_KINDS = {
    "called": HallEventKind.CALLED,
    "finished": HallEventKind.FINISHED,
    "window_paused": HallEventKind.WINDOW_PAUSED,
    "window_resumed": HallEventKind.WINDOW_RESUMED,
}


class LocalHall(HallBackend):
    def __init__(
        self,
        path: Path,
        settings: Settings,
        clock: Clock,
        profiles: ProfileDirectory | None = None,
    ) -> None:
        super().__init__()
        self._clock = clock
        self._engine = QueueEngine(settings, clock)
        self._database = SqliteDatabase(path)
        upgrade(self._database, QUEUE_MIGRATIONS)
        # Taxpayer profiles from config/taxpayers.toml; None: every taxpayer is unknown.
        self._profiles = profiles
        # Where a ticket's QR code leads while this kiosk serves the hall's pages
        # (screens.serve: kiosk/hall/server/screens/embedded.py); None: the matter's guide.
        self.status_pages: Callable[[str], str] | None = None

    def ticket_status_url(self, reservation: Reservation) -> str | None:
        return None if self.status_pages is None else self.status_pages(reservation.ticket_id)

    def business_day(self) -> date:
        return self._engine.business_day()

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        if self._profiles is None:
            return UNKNOWN_PROFILE
        return self._profiles.profile(identity, self._clock.now())

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """The engine's and the database's refusals, as HallError."""
        try:
            yield
        except QueueFull as error:
            raise HallError(
                f"queue {error.queue_code} has issued all {MAX_NUMBER} numbers of today"
            ) from None
        except QueueError as error:
            raise HallError(str(error)) from None
        except DatabaseError as error:
            raise HallError(f"the hall database failed: {error}") from None

    def _write(self, work: Callable[[Transaction], _T]) -> _T:
        with self._failures(), self._database.transaction() as tx:
            return work(tx)

    def _read(self, work: Callable[[Transaction], _T]) -> _T:
        with self._failures(), self._database.read() as tx:
            return work(tx)

    # ---- the kiosk side ---------------------------------------------------------------

    def queue_states(self) -> dict[str, QueueState]:
        return {
            figures.queue.code: QueueState(
                figures.queue.code,
                figures.waiting,
                figures.estimated_wait_minutes,
                figures.open_windows,  # paused windows left out
                issued_today=figures.issued_today,
            )
            for figures in self._read(self._engine.figures)
        }

    def reserve(self, queue_code: str, matter_codes: Sequence[str], kiosk_id: str) -> Reservation:
        with self._failures():
            queue = self._engine.queue(queue_code)
        issued = self._write(lambda tx: self._engine.issue(tx, queue, matter_codes, kiosk_id))
        ticket = issued.ticket
        return Reservation(
            ticket.ticket_id,
            ticket.number,
            ticket.queue_code,
            ticket.business_day,
            ticket.issued_at,
            issued.people_ahead,
            issued.estimated_wait_minutes,
        )

    def commit(self, ticket_id: str, channel: TicketChannel) -> None:
        if not self._write(lambda tx: self._engine.commit(tx, ticket_id, channel.value)):
            raise HallError(f"ticket {ticket_id} is not reserved")

    def void(self, ticket_id: str, reason: str) -> None:
        if not self._write(lambda tx: self._engine.void(tx, ticket_id)):
            raise HallError(f"ticket {ticket_id} is not reserved or waiting")

    def unconfirmed(self, kiosk_id: str) -> list[str]:
        return self._read(lambda tx: self._engine.reserved_by(tx, kiosk_id))

    def ticket_row(self, ticket_id: str) -> TicketRow | None:
        """The hall's ticket by its id (the kiosk screen's evaluation), None if unknown."""
        return self._read(lambda tx: self._engine.ticket(tx, ticket_id))

    def ticket_status(self, ticket_id: str) -> str | None:
        ticket = self._read(lambda tx: self._engine.ticket(tx, ticket_id))
        return None if ticket is None else ticket.status

    # ---- the window side (caller keys, tests) -----------------------------------------

    def _publish(self, changes: Sequence[WindowChange], window: int | None) -> list[HallEvent]:
        events = []
        for change in changes:
            ticket = change.ticket
            event = HallEvent(
                _KINDS[change.kind],
                self._clock.now(),
                window if ticket is None or ticket.window is None else ticket.window,
                ticket_id=None if ticket is None else ticket.ticket_id,
                number=None if ticket is None else ticket.number,
                queue_code=None if ticket is None else ticket.queue_code,
                recall=change.recall,
            )
            self.publish(event)
            events.append(event)
        return events

    def _queue_changed(self) -> None:
        self.publish(HallEvent(HallEventKind.QUEUE_CHANGED, self._clock.now()))

    def call_next_at(self, window: int) -> HallEvent | None:
        """Finish the window's current ticket, then call the next one by the order rules
        (appointment, priority, then issue time); None when nobody waits or the window
        is paused (a paused window changes nothing)."""

        def work(tx: Transaction) -> list[WindowChange]:
            try:
                return self._engine.call_next(tx, window)
            except WindowPaused:
                return []

        changes = self._write(work)
        events = self._publish(changes, window)
        if events:
            self._queue_changed()
        called = [event for event in events if event.kind is HallEventKind.CALLED]
        return called[0] if called else None

    def recall_at(self, window: int) -> HallEvent | None:
        change = self._read(lambda tx: self._engine.recall(tx, window))
        return None if change is None else self._publish([change], window)[0]

    def finish_at(self, window: int) -> HallEvent | None:
        events = self._publish(
            self._write(lambda tx: self._engine.finish_window(tx, window)), window
        )
        return events[-1] if events else None

    def _set_paused(self, window: int, paused: bool) -> None:
        change = self._write(lambda tx: self._engine.set_paused(tx, window, paused))
        if change is not None:
            self._publish([change], window)
            self._queue_changed()

    def pause_window(self, window: int) -> None:
        """The window stops calling; its queues' estimates count one window less."""
        self._set_paused(window, True)

    def resume_window(self, window: int) -> None:
        self._set_paused(window, False)

    def window_states(self) -> dict[int, WindowState]:
        """Every configured window: paused or not, and the number it serves now."""
        return self._read(self._engine.window_states)

    def call_next(self, queue_code: str, window: int) -> str | None:
        """Call the first waiting ticket of one queue to `window` (tools and tests; the
        caller keys use call_next_at). Returns its ticket id."""
        ticket = self._write(lambda tx: self._engine.call_first(tx, queue_code, window))
        if ticket is None:
            return None
        self._publish([WindowChange("called", ticket)], window)
        return ticket.ticket_id

    def finish(self, ticket_id: str) -> None:
        ticket = self._write(lambda tx: self._engine.finish_ticket(tx, ticket_id))
        if ticket is None:
            raise HallError(f"ticket {ticket_id} is not called")
        self._publish([WindowChange("finished", ticket)], ticket.window)

    def request_help(self, kiosk_id: str) -> None:
        """一键求助: kept in the queue file for the hall's display, and told at once."""
        now = self._clock.now()
        self._write(lambda tx: request_help(tx, self._engine.hall, kiosk_id, now))
        self.publish(HallEvent(HallEventKind.HELP_REQUESTED, now, kiosk_id=kiosk_id))

    def answer_help(self, kiosk_id: str) -> None:
        """A guide came to `kiosk_id` (tests, a guide's tool)."""
        now = self._clock.now()
        self._write(lambda tx: answer_help(tx, self._engine.hall, kiosk_id, now))
        self.publish(HallEvent(HallEventKind.HELP_REQUESTED, now, kiosk_id=kiosk_id))

    def open_help(self) -> list[HelpRequest]:
        return self._read(lambda tx: open_help(tx, self._engine.hall, self._clock.now()))

    def close(self) -> None:
        self._database.close()
