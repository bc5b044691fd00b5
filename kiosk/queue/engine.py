"""The queue of a hall: numbering, call order, estimates, quotas and pauses.

Numbers run per queue per business day (a letter and three digits), from a counter
in the database: a restart continues it.

A window calls the next waiting ticket of the queues it serves: tickets of the
`appointment` queue first (triage only issues them to a taxpayer checked in
inside the appointment's time window), then the `priority` queue, then everyone
else by issue time across those queues. Calling next finishes the window's
current ticket first. A paused window calls nobody and does not count in its
queues' estimates; pauses and the tickets being served are in the database.

Every method that reads or writes takes the `Transaction` it runs in, so the
embedded hall and the hall server compose them with their own tables. An engine
serves one hall (`hall`): every statement names it, so a server of many halls (one
engine each, one database) never mixes their queues.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.clock import Clock
from kiosk.queue.errors import QueueFull, UnknownQueue, UnknownWindow, WindowPaused
from kiosk.queue.model import Issued, QueueFigures, WindowChange, WindowState
from kiosk.queue.storage import Transaction
from kiosk.queue.tickets import (
    DEFAULT_HALL,
    IN_QUEUE,
    TICKET_COLUMNS,
    TicketRow,
    matters_json,
    number_of,
)
from kiosk.settings import QueueSection, Settings

MAX_NUMBER = 999
# Queues whose tickets a window calls before any other it serves, in this order.
CALL_FIRST_QUEUES = ("appointment", "priority")

_SELECT = f"SELECT {TICKET_COLUMNS} FROM tickets"
_IN_QUEUE = "status IN ({})".format(", ".join(f"'{status}'" for status in IN_QUEUE))
# A reservation never committed nor voided (its reply lost) stops holding a place
# after the reservation TTL; the parameter is `_reserved_since()`.
_HOLDS_PLACE = "(status = 'waiting' OR (status = 'reserved' AND issued_at >= ?))"


class QueueEngine:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        number_limit: int = MAX_NUMBER + 1,
        hall: str = DEFAULT_HALL,
    ):
        """Numbers from `number_limit` up are never issued here (a hall server keeps
        them for the kiosks' offline ranges)."""
        self.hall = hall
        self.settings = settings
        self.clock = clock
        self.zone = ZoneInfo(settings.kiosk.timezone)
        self.number_limit = min(number_limit, MAX_NUMBER + 1)
        self.reservation_ttl = timedelta(seconds=settings.hall.reservation_ttl_seconds)

    def now(self) -> datetime:
        return self.clock.now()

    def business_day(self, now: datetime | None = None) -> date:
        return (now or self.now()).astimezone(self.zone).date()

    def _reserved_since(self) -> str:
        """Reservations issued before this have expired (stored times are UTC text)."""
        return (self.now() - self.reservation_ttl).astimezone(UTC).isoformat()

    def queue(self, code: str) -> QueueSection:
        try:
            return self.settings.queue(code)
        except KeyError:
            raise UnknownQueue(code) from None

    def window_queues(self, window: int) -> list[QueueSection]:
        queues = [queue for queue in self.settings.queues if window in queue.windows]
        if not queues:
            raise UnknownWindow(window)
        return queues

    def windows(self) -> list[int]:
        return sorted({window for queue in self.settings.queues for window in queue.windows})

    # ---- numbering ------------------------------------------------------------------------

    def take(self, tx: Transaction, queue: QueueSection, day: date, count: int = 1) -> int:
        """Advance the queue's counter of `day` by `count`; returns the first number
        taken. QueueFull when they do not all fit below the limit."""
        row = tx.one(
            "SELECT last FROM counters WHERE hall = ? AND business_day = ? AND queue = ?",
            (self.hall, day.isoformat(), queue.code),
        )
        first = (int(row[0]) if row else 0) + 1
        if first + count - 1 >= self.number_limit:
            raise QueueFull(queue.code, day)
        tx.execute(
            "INSERT INTO counters (hall, business_day, queue, last) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (hall, business_day, queue) DO UPDATE SET last = excluded.last",
            (self.hall, day.isoformat(), queue.code, first + count - 1),
        )
        return first

    def issue(
        self, tx: Transaction, queue: QueueSection, matters: Sequence[str], kiosk_id: str
    ) -> Issued:
        """Reserve the queue's next number: held, not yet in the queue."""
        now = self.now()
        day = self.business_day(now)
        seq = self.take(tx, queue, day)
        ahead = self.waiting(tx, queue.code, day)
        ticket = TicketRow(
            uuid.uuid4().hex,
            day,
            queue.code,
            seq,
            number_of(queue, seq),
            "reserved",
            None,
            list(matters),
            kiosk_id,
            now,
            None,
            None,
            None,
            self.hall,
        )
        self._insert(tx, ticket, offline=False)
        return Issued(ticket, ahead, self.estimate(tx, queue, day, ahead))

    def add_offline(self, tx: Transaction, ticket: TicketRow) -> str | None:
        """A reserved ticket a kiosk numbered itself while offline. Returns the kiosk
        that already holds its number (and adds nothing), None when added."""
        holder = tx.one(
            "SELECT kiosk_id FROM tickets"
            " WHERE hall = ? AND business_day = ? AND queue = ? AND seq = ?",
            (self.hall, ticket.business_day.isoformat(), ticket.queue_code, ticket.seq),
        )
        if holder is not None:
            return str(holder[0])
        self._insert(tx, ticket, offline=True)
        return None

    def _insert(self, tx: Transaction, ticket: TicketRow, offline: bool) -> None:
        """Into this engine's hall, whatever hall the row names."""
        tx.execute(
            f"INSERT INTO tickets ({TICKET_COLUMNS}, offline) VALUES"
            " (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, NULL, NULL, ?, ?)",
            (
                ticket.ticket_id,
                ticket.business_day.isoformat(),
                ticket.queue_code,
                ticket.seq,
                ticket.number,
                ticket.status,
                matters_json(ticket.matters),
                ticket.kiosk_id,
                ticket.issued_at.isoformat(),
                self.hall,
                int(offline),
            ),
        )

    # ---- tickets --------------------------------------------------------------------------

    def ticket(self, tx: Transaction, ticket_id: str) -> TicketRow | None:
        """The ticket of this hall; None for another hall's."""
        row = tx.one(f"{_SELECT} WHERE ticket_id = ? AND hall = ?", (ticket_id, self.hall))
        return None if row is None else TicketRow.from_row(row)

    def commit(self, tx: Transaction, ticket_id: str, channel: str) -> bool:
        """A reserved ticket reached the taxpayer: it joins the queue. False when the
        ticket is not reserved."""
        changed = tx.execute(
            "UPDATE tickets SET status = 'waiting', channel = ?"
            " WHERE ticket_id = ? AND hall = ? AND status = 'reserved'",
            (channel, ticket_id, self.hall),
        )
        return changed == 1

    def void(self, tx: Transaction, ticket_id: str) -> bool:
        """The ticket will never be called. False when it is not reserved or waiting."""
        changed = tx.execute(
            f"UPDATE tickets SET status = 'void' WHERE ticket_id = ? AND hall = ? AND {_IN_QUEUE}",
            (ticket_id, self.hall),
        )
        return changed == 1

    def reserved_by(self, tx: Transaction, kiosk_id: str) -> list[str]:
        """Ticket ids the kiosk reserved and neither committed nor voided."""
        rows = tx.all(
            "SELECT ticket_id FROM tickets WHERE hall = ? AND status = 'reserved'"
            " AND kiosk_id = ? ORDER BY issued_at, queue, seq",
            (self.hall, kiosk_id),
        )
        return [str(row[0]) for row in rows]

    # ---- figures: lengths, estimates, quotas ------------------------------------------------

    def waiting(self, tx: Transaction, queue_code: str, day: date) -> int:
        row = tx.one(
            "SELECT COUNT(*) FROM tickets WHERE hall = ? AND business_day = ? AND queue = ?"
            f" AND {_HOLDS_PLACE}",
            (self.hall, day.isoformat(), queue_code, self._reserved_since()),
        )
        return int(row[0]) if row else 0

    def issued_today(self, tx: Transaction, queue_code: str, day: date) -> int:
        """Numbers issued on `day`, for the daily quotas: every kiosk's, voided ones aside."""
        row = tx.one(
            "SELECT COUNT(*) FROM tickets WHERE hall = ? AND business_day = ? AND queue = ?"
            " AND status <> 'void'",
            (self.hall, day.isoformat(), queue_code),
        )
        return int(row[0]) if row else 0

    def service_minutes(self, tx: Transaction, queue: QueueSection, day: date) -> float:
        """The day's mean service time of the queue, or the configured assumption."""
        row = tx.one(
            f"SELECT AVG({tx.minutes_between('called_at', 'finished_at')}), COUNT(*)"
            " FROM tickets WHERE hall = ? AND business_day = ? AND queue = ?"
            " AND status = 'finished'",
            (self.hall, day.isoformat(), queue.code),
        )
        if row is None or not row[1]:
            return queue.service_minutes
        # Rounded: the time arithmetic leaves float noise that would tip ceil() over.
        return round(float(row[0]), 3)

    def paused_windows(self, tx: Transaction) -> set[int]:
        rows = tx.all('SELECT "window" FROM windows WHERE hall = ? AND paused = 1', (self.hall,))
        return {int(row[0]) for row in rows}

    def open_windows(self, tx: Transaction, queue: QueueSection) -> tuple[int, ...]:
        paused = self.paused_windows(tx)
        return tuple(window for window in queue.windows if window not in paused)

    def estimate(self, tx: Transaction, queue: QueueSection, day: date, ahead: int) -> int:
        """Minutes of waiting for `ahead` people, served at the queue's open windows
        (every window paused: as if one were open, it will be)."""
        serving = max(1, len(self.open_windows(tx, queue)))
        return max(0, math.ceil(ahead * self.service_minutes(tx, queue, day) / serving))

    def figures(self, tx: Transaction) -> list[QueueFigures]:
        """Every queue's length, estimate, open windows and numbers issued today."""
        day = self.business_day()
        found = []
        for queue in self.settings.queues:
            waiting = self.waiting(tx, queue.code, day)
            found.append(
                QueueFigures(
                    queue,
                    waiting,
                    self.estimate(tx, queue, day, waiting),
                    self.issued_today(tx, queue.code, day),
                    self.open_windows(tx, queue),
                )
            )
        return found

    def people_ahead(self, tx: Transaction, ticket: TicketRow) -> tuple[int, int]:
        """People before this ticket in its queue, and the estimate for them."""
        ahead = 0
        if ticket.status in IN_QUEUE:
            issued = ticket.issued_at.isoformat()
            row = tx.one(
                "SELECT COUNT(*) FROM tickets WHERE hall = ? AND business_day = ? AND queue = ?"
                f" AND {_HOLDS_PLACE} AND (issued_at < ? OR (issued_at = ? AND seq < ?))",
                (
                    self.hall,
                    ticket.business_day.isoformat(),
                    ticket.queue_code,
                    self._reserved_since(),
                    issued,
                    issued,
                    ticket.seq,
                ),
            )
            ahead = int(row[0]) if row else 0
        queue = self.queue(ticket.queue_code)
        return ahead, self.estimate(tx, queue, ticket.business_day, ahead)

    # ---- windows ----------------------------------------------------------------------------

    def serving(self, tx: Transaction, window: int) -> list[TicketRow]:
        """Today's tickets being served at `window`, the newest call last."""
        rows = tx.all(
            f'{_SELECT} WHERE hall = ? AND business_day = ? AND "window" = ?'
            " AND status = 'called' ORDER BY called_at, issued_at, seq",
            (self.hall, self.business_day().isoformat(), window),
        )
        return [TicketRow.from_row(row) for row in rows]

    def _finish(self, tx: Transaction, ticket_id: str) -> TicketRow | None:
        changed = tx.execute(
            "UPDATE tickets SET status = 'finished', finished_at = ?"
            " WHERE ticket_id = ? AND hall = ? AND status = 'called'",
            (self.now().isoformat(), ticket_id, self.hall),
        )
        return self.ticket(tx, ticket_id) if changed == 1 else None

    def _call(self, tx: Transaction, ticket_id: str, window: int) -> WindowChange:
        tx.execute(
            "UPDATE tickets SET status = 'called', called_at = ?, \"window\" = ?"
            " WHERE ticket_id = ? AND hall = ?",
            (self.now().isoformat(), window, ticket_id, self.hall),
        )
        return WindowChange("called", self.ticket(tx, ticket_id))

    def finish_window(self, tx: Transaction, window: int) -> list[WindowChange]:
        """The window finished serving what it serves."""
        self.window_queues(window)
        changes = []
        for ticket in self.serving(tx, window):
            finished = self._finish(tx, ticket.ticket_id)
            if finished is not None:
                changes.append(WindowChange("finished", finished))
        return changes

    def finish_ticket(self, tx: Transaction, ticket_id: str) -> TicketRow | None:
        """Finish one called ticket; None when it is not called."""
        return self._finish(tx, ticket_id)

    def call_next(self, tx: Transaction, window: int) -> list[WindowChange]:
        """Finish the window's current tickets, then call the next one by the order
        rules. WindowPaused (and nothing changes) when the window is paused."""
        queues = [queue.code for queue in self.window_queues(window)]
        if self.window_paused(tx, window):
            raise WindowPaused(window)
        changes = self.finish_window(tx, window)
        marks = ", ".join("?" for _ in queues)
        rank = " ".join(f"WHEN ? THEN {place}" for place, _ in enumerate(CALL_FIRST_QUEUES))
        row = tx.one(
            "SELECT ticket_id FROM tickets WHERE hall = ? AND business_day = ?"
            f" AND queue IN ({marks}) AND status = 'waiting' ORDER BY CASE queue {rank}"
            f" ELSE {len(CALL_FIRST_QUEUES)} END, issued_at, seq LIMIT 1",
            (self.hall, self.business_day().isoformat(), *queues, *CALL_FIRST_QUEUES),
        )
        if row is not None:
            changes.append(self._call(tx, str(row[0]), window))
        return changes

    def call_first(self, tx: Transaction, queue_code: str, window: int) -> TicketRow | None:
        """Call the lowest waiting number of one queue to `window` (tools and tests)."""
        row = tx.one(
            "SELECT ticket_id FROM tickets WHERE hall = ? AND business_day = ? AND queue = ?"
            " AND status = 'waiting' ORDER BY seq LIMIT 1",
            (self.hall, self.business_day().isoformat(), queue_code),
        )
        return None if row is None else self._call(tx, str(row[0]), window).ticket

    def recall(self, tx: Transaction, window: int) -> WindowChange | None:
        """The window's current ticket, called again; None when it serves none."""
        self.window_queues(window)
        serving = self.serving(tx, window)
        return WindowChange("called", serving[-1], recall=True) if serving else None

    def window_paused(self, tx: Transaction, window: int) -> bool:
        row = tx.one(
            'SELECT paused FROM windows WHERE hall = ? AND "window" = ?', (self.hall, window)
        )
        return bool(row and row[0])

    def set_paused(self, tx: Transaction, window: int, paused: bool) -> WindowChange | None:
        """Pause or resume the window; None when it already was so."""
        self.window_queues(window)
        was = self.window_paused(tx, window)
        tx.execute(
            'INSERT INTO windows (hall, "window", paused) VALUES (?, ?, ?)'
            ' ON CONFLICT (hall, "window") DO UPDATE SET paused = excluded.paused',
            (self.hall, window, int(paused)),
        )
        if was == paused:
            return None
        return WindowChange("window_paused" if paused else "window_resumed")

    def window_states(self, tx: Transaction) -> dict[int, WindowState]:
        """Every configured window: paused or not, and the number it serves now."""
        paused = self.paused_windows(tx)
        states = {}
        for window in self.windows():
            serving = self.serving(tx, window)
            current = serving[-1] if serving else None
            states[window] = WindowState(
                window,
                window in paused,
                None if current is None else current.number,
                None if current is None else current.ticket_id,
            )
        return states
