"""The HallBackend interface: the embedded hall (local) and a hall server (http)."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, TaxpayerProfile

log = logging.getLogger(__name__)


class HallError(Exception):
    """The hall cannot do what was asked; the message is fit for a technician."""


class TicketChannel(Enum):
    PRINTED = "printed"
    E_TICKET = "e_ticket"


@dataclass(frozen=True)
class QueueState:
    code: str
    waiting: int
    estimated_wait_minutes: int
    windows: tuple[int, ...]
    issued_today: int | None = None  # numbers issued today (not voided); None: unknown


@dataclass(frozen=True)
class Reservation:
    """A number held for a ticket that is not yet printed (not yet in the queue)."""

    ticket_id: str
    number: str
    queue_code: str
    business_day: date
    issued_at: datetime
    people_ahead: int
    estimated_wait_minutes: int


class HallEventKind(Enum):
    CALLED = "called"  # a window called a number (also a recall)
    FINISHED = "finished"  # a window finished serving a number
    QUEUE_CHANGED = "queue_changed"  # lengths or estimates changed
    WINDOW_PAUSED = "window_paused"
    WINDOW_RESUMED = "window_resumed"
    CATALOG_UPDATED = "catalog_updated"
    HELP_REQUESTED = "help_requested"  # a kiosk's visitor asked for a guide (一键求助)
    # A taxpayer rated a service on the phone page: the window's keypad prompt for that
    # ticket is answered (a later vote on the keypad is a repeat).
    EVALUATED = "evaluated"


@dataclass(frozen=True)
class HallEvent:
    """Something that happened in the hall: from the embedded queue, or a hall
    server's event stream. Listeners run on the thread that produced it."""

    kind: HallEventKind
    at: datetime
    window: int | None = None
    ticket_id: str | None = None
    number: str | None = None
    queue_code: str | None = None
    recall: bool = False
    staff_id: str | None = None
    kiosk_id: str | None = None  # the kiosk that asked for help


HallListener = Callable[[HallEvent], None]


class HallBackend(ABC):
    """The queue system of the hall, seen from the kiosk."""

    def __init__(self) -> None:
        self._listeners: list[HallListener] = []
        self._listeners_lock = threading.Lock()

    # ---- events ------------------------------------------------------------------------

    def subscribe(self, listener: HallListener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: HallListener) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def publish(self, event: HallEvent) -> None:
        """Tell every listener; a failing listener never stops the others."""
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("a hall event listener failed")

    # ---- window actions (caller keys, a window's software, tests) ---------------------

    def call_next_at(self, window: int) -> HallEvent | None:
        """Window `window` calls its next number; None when nobody waits. HallError."""
        raise HallError("this hall does not take window actions from the kiosk")

    def recall_at(self, window: int) -> HallEvent | None:
        """Call the window's current number again; None when it has none."""
        raise HallError("this hall does not take window actions from the kiosk")

    def finish_at(self, window: int) -> HallEvent | None:
        """The window finished serving its current number; None when it had none."""
        raise HallError("this hall does not take window actions from the kiosk")

    def pause_window(self, window: int) -> None:
        raise HallError("this hall does not take window actions from the kiosk")

    def resume_window(self, window: int) -> None:
        raise HallError("this hall does not take window actions from the kiosk")

    @abstractmethod
    def queue_states(self) -> dict[str, QueueState]:
        """Every queue's length and waiting estimate, now."""

    @abstractmethod
    def reserve(self, queue_code: str, matter_codes: Sequence[str], kiosk_id: str) -> Reservation:
        """Hold the next number of a queue. Raises HallError."""

    @abstractmethod
    def commit(self, ticket_id: str, channel: TicketChannel) -> None:
        """The taxpayer has the ticket: it joins the queue."""

    @abstractmethod
    def void(self, ticket_id: str, reason: str) -> None:
        """The ticket never reached the taxpayer: it is never called."""

    @abstractmethod
    def ticket_status(self, ticket_id: str) -> str | None:
        """reserved, waiting, called, finished or void; None for a ticket it never issued."""

    @abstractmethod
    def business_day(self) -> date:
        """The hall's day now: numbering restarts when it changes."""

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        """What the hall knows of this taxpayer: credit level, new or not, today's
        appointments, reminders. The empty profile when it knows nothing. Raises
        HallError when it cannot be asked."""
        return UNKNOWN_PROFILE

    def ticket_status_url(self, reservation: Reservation) -> str | None:
        """Where the ticket's QR code leads, when the hall offers a status page."""
        return None

    def unconfirmed(self, kiosk_id: str) -> list[str]:
        """Ticket ids this kiosk reserved and neither committed nor voided: at start-up,
        what a kiosk stopped mid-ticket (killed, power cut) left behind."""
        return []

    def request_extra_window(self, queue_code: str) -> None:
        """Routing found `queue_code` overflowing: ask the hall to open another window
        (窗口动态调整). The kiosk has already journalled the request (it reaches a hall
        server through the outbox); a hall that can tell its staff at once does it here."""
        return None

    def request_help(self, kiosk_id: str) -> None:
        """一键求助: a visitor at `kiosk_id` asks for a guide (导税). The kiosk has already
        journalled it (it reaches a hall server through the outbox); a hall that can show
        it to its staff at once (the embedded hall's display) does it here."""
        return None

    def start_events(self) -> None:
        """Start delivering the hall's events to subscribers. A hall server's client
        reads its event stream on a thread; the embedded hall publishes as it goes."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Release files and connections."""
